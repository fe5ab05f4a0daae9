/* SPDX-License-Identifier: MIT */
/* headroomctl's reading and rendering of daemon responses (cli/ctl-format.h): strict line parsing, the
 * fields each verb needs, and the human views. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "cli/ctl-format.h"
#include "shared/macros.h"

#define COLOR_GREEN "\033[1;32m"
#define COLOR_YELLOW "\033[1;33m"
#define COLOR_RED "\033[1;31m"
#define COLOR_BOLD "\033[1m"
#define COLOR_RESET "\033[0m"

/* The width of the label column in the status view: "Foreground: ". */
#define LABEL_WIDTH 12

_printf_(3, 4) static int bad(char *why, size_t size, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        (void) vsnprintf(why, size, fmt, ap);
        va_end(ap);
        return -EBADMSG;
}

int hr_ctl_parse_line(const char *line, size_t len, json_object **ret, char *why, size_t why_size) {
        json_tokener *tok;
        json_object *o;
        enum json_tokener_error err;
        size_t end;

        if (len == 0)
                return bad(why, why_size, "empty line");
        if (len > INT_MAX)
                return bad(why, why_size, "line of %zu bytes", len);
        if (memchr(line, '\0', len))
                return bad(why, why_size, "not JSON (a NUL byte)");
        tok = json_tokener_new();
        if (!tok)
                return -ENOMEM;
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
        o = json_tokener_parse_ex(tok, line, (int) len);
        err = json_tokener_get_error(tok);
        end = json_tokener_get_parse_end(tok);
        if (err == json_tokener_continue) {
                /* A NUL tells the tokener the input ends here: "null" or "12" at the end are complete. */
                o = json_tokener_parse_ex(tok, "", 1);
                err = json_tokener_get_error(tok);
                end = len;
        }
        json_tokener_free(tok);

        if (err == json_tokener_error_parse_eof) {
                json_object_put(o);
                return bad(why, why_size, "not JSON (ends in the middle of a value)");
        }
        if (err != json_tokener_success) {
                json_object_put(o);
                return bad(why, why_size, "not JSON (%s at byte %zu)", json_tokener_error_desc(err), end);
        }
        for (size_t i = end; i < len; i++)
                if (!strchr(" \t\r", line[i])) {
                        json_object_put(o);
                        return bad(why, why_size, "not one JSON value (more after byte %zu)", end);
                }
        if (!json_object_is_type(o, json_type_object)) {
                json_object_put(o);
                return bad(why, why_size, "not a JSON object");
        }
        *ret = o;
        return 0;
}

/* ---- fields ---- */

typedef enum FieldType {
        T_STRING,
        T_STRING_OR_NULL,
        T_NUMBER, /* integer or finite real */
        T_UNUMBER, /* non-negative T_NUMBER */
        T_UINT,   /* non-negative integer */
        T_INT,
        T_BOOL,
        T_OBJECT,
        T_ARRAY,
} FieldType;

typedef struct Field {
        const char *path; /* dotted: "mem.total_kib" */
        FieldType type;
        bool optional;
} Field;

static const char *type_name(FieldType t) {
        switch (t) {
        case T_STRING:
                return "a string";
        case T_STRING_OR_NULL:
                return "a string or null";
        case T_NUMBER:
                return "a number";
        case T_UNUMBER:
                return "a non-negative number";
        case T_UINT:
                return "a non-negative integer";
        case T_INT:
                return "an integer";
        case T_BOOL:
                return "a boolean";
        case T_OBJECT:
                return "an object";
        case T_ARRAY:
                return "an array";
        }
        return "?";
}

/* v is the value as json-c holds it: NULL for JSON null. */
static bool type_ok(json_object *v, FieldType t) {
        switch (t) {
        case T_STRING:
                return json_object_is_type(v, json_type_string);
        case T_STRING_OR_NULL:
                return !v || json_object_is_type(v, json_type_string);
        case T_NUMBER:
                return json_object_is_type(v, json_type_int) ||
                       (json_object_is_type(v, json_type_double) && isfinite(json_object_get_double(v)));
        case T_UNUMBER:
                return type_ok(v, T_NUMBER) && json_object_get_double(v) >= 0.0;
        case T_UINT:
                /* json-c keeps integers above INT64_MAX as uint64; get_int64 saturates, so >= 0 holds. */
                return json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0;
        case T_INT:
                return json_object_is_type(v, json_type_int);
        case T_BOOL:
                return json_object_is_type(v, json_type_boolean);
        case T_OBJECT:
                return json_object_is_type(v, json_type_object);
        case T_ARRAY:
                return json_object_is_type(v, json_type_array);
        }
        return false;
}

/* Follows a dotted path through objects: true and *ret (NULL for JSON null) when every step exists. */
static bool lookup(json_object *o, const char *path, json_object **ret) {
        const char *p = path;
        char key[64];

        for (;;) {
                const char *dot = strchr(p, '.');
                size_t n = dot ? (size_t) (dot - p) : strlen(p);

                if (n >= sizeof key)
                        return false;
                memcpy(key, p, n);
                key[n] = '\0';
                if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &o))
                        return false;
                if (!dot) {
                        *ret = o;
                        return true;
                }
                p = dot + 1;
        }
}

/* Checks fields of o; where prefixes field names in messages ("processes[2]."), or "". */
static int check_fields(json_object *o, const Field *fields, size_t n, const char *where, char *why,
                        size_t why_size) {
        for (size_t i = 0; i < n; i++) {
                json_object *v;

                if (!lookup(o, fields[i].path, &v)) {
                        if (fields[i].optional)
                                continue;
                        return bad(why, why_size, "field \"%s%s\" is missing", where, fields[i].path);
                }
                if (!type_ok(v, fields[i].type))
                        return bad(why, why_size, "field \"%s%s\" is not %s", where, fields[i].path,
                                   type_name(fields[i].type));
        }
        return 0;
}

/* Every member of the object at key is of type t (open maps: counters, components). */
static int check_members(json_object *o, const char *key, FieldType t, char *why, size_t why_size) {
        json_object *m;

        if (!json_object_object_get_ex(o, key, &m))
                return 0;
        json_object_object_foreach(m, name, v) {
                if (!type_ok(v, t))
                        return bad(why, why_size, "field \"%s.%s\" is not %s", key, name, type_name(t));
        }
        return 0;
}

/* Accessors for checked objects: absent or mistyped reads as empty, zero or false. */
static json_object *get(json_object *o, const char *path) {
        json_object *v;
        return lookup(o, path, &v) ? v : NULL;
}

static const char *str(json_object *o, const char *path) {
        json_object *v = get(o, path);
        return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
}

static double num(json_object *o, const char *path) {
        json_object *v = get(o, path);
        return json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double) ?
                       json_object_get_double(v) :
                       0.0;
}

static uint64_t u64(json_object *o, const char *path) {
        json_object *v = get(o, path);
        return json_object_is_type(v, json_type_int) ? json_object_get_uint64(v) : 0;
}

static int64_t i64(json_object *o, const char *path) {
        json_object *v = get(o, path);
        return json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : 0;
}

static bool boolean(json_object *o, const char *path) {
        json_object *v = get(o, path);
        return json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v);
}

/* ---- responses ---- */

static const Field refusal_fields[] = {
        { "error", T_STRING },
        { "code", T_STRING },
};

static const Field status_fields[] = {
        { "version", T_STRING },
        { "mode", T_STRING },
        { "dry_run", T_BOOL },
        { "scope", T_STRING_OR_NULL, true },
        { "uptime_sec", T_UINT },
        { "pid", T_UINT },
        { "level", T_STRING },
        { "score", T_NUMBER },
        { "trend", T_NUMBER },
        { "components", T_OBJECT },
        { "mem", T_OBJECT },
        { "mem.total_kib", T_UINT },
        { "mem.available_kib", T_UINT },
        { "mem.swap_total_kib", T_UINT },
        { "mem.swap_free_kib", T_UINT },
        { "triggers", T_OBJECT, true },
        { "triggers.memory", T_STRING, true },
        { "triggers.some", T_STRING, true },
        { "triggers.full", T_STRING, true },
        { "triggers.window_ms", T_UINT, true },
        { "triggers.armed", T_BOOL, true },
        { "triggers.fired", T_UINT, true },
        { "held", T_OBJECT },
        { "totals", T_OBJECT },
        { "foreground", T_OBJECT },
        { "foreground.pid", T_UINT },
        { "foreground.comm", T_STRING },
};

static const Field component_fields[] = {
        { "value", T_NUMBER },
        { "points", T_NUMBER },
        { "unit", T_STRING, true },
};

static const Field process_fields[] = {
        { "pid", T_UINT },
        { "start_time", T_UINT, true },
        { "comm", T_STRING },
        { "state", T_STRING },
        { "method", T_STRING },
        { "priority", T_INT },
        { "age_sec", T_UNUMBER }, /* whole seconds in docs/protocol.md; headroomd sends hundredths */
        { "cgroup", T_STRING, true },
        { "reason", T_STRING },
};

static const Field reload_fields[] = {
        { "files", T_UINT },
        { "rules", T_UINT },
};

static const Field foreground_fields[] = {
        { "pid", T_UINT },
        { "comm", T_STRING },
};

static const Field metrics_fields[] = {
        { "text", T_STRING },
};

static const Field incidents_fields[] = {
        { "id", T_STRING },
        { "why", T_STRING },
        { "time_usec", T_UINT },
        { "duration_usec", T_UINT, true },
        { "max_level", T_STRING, true },
        { "max_score", T_NUMBER, true },
};

static const Field incident_fields[] = {
        { "incident", T_OBJECT },
};

static const Field calibrate_fields[] = {
        { "status", T_STRING },
        { "summary", T_STRING },
        { "changes", T_UINT },
        { "proposals", T_ARRAY },
        { "dropin", T_STRING, true },
        { "written", T_STRING, true },
};

static const Field events_fields[] = {
        { "subscribed", T_BOOL },
};

static int check_status(json_object *o, char *why, size_t why_size) {
        json_object *comps;
        int r;

        r = check_fields(o, status_fields, ELEMENTSOF(status_fields), "", why, why_size);
        if (r < 0)
                return r;
        comps = get(o, "components");
        json_object_object_foreach(comps, name, c) {
                char where[96];

                if (!json_object_is_type(c, json_type_object))
                        return bad(why, why_size, "field \"components.%s\" is not an object", name);
                (void) snprintf(where, sizeof where, "components.%s.", name);
                r = check_fields(c, component_fields, ELEMENTSOF(component_fields), where, why, why_size);
                if (r < 0)
                        return r;
        }
        r = check_members(o, "held", T_UINT, why, why_size);
        if (r < 0)
                return r;
        r = check_members(o, "totals", T_UINT, why, why_size);
        if (r < 0)
                return r;

        double score = num(o, "score");
        if (score < 0.0 || score > 100.0)
                return bad(why, why_size, "field \"score\" is %.2f, outside 0..100", score);
        if (u64(o, "mem.available_kib") > u64(o, "mem.total_kib"))
                return bad(why, why_size, "field \"mem.available_kib\" exceeds \"mem.total_kib\"");
        if (u64(o, "mem.swap_free_kib") > u64(o, "mem.swap_total_kib"))
                return bad(why, why_size, "field \"mem.swap_free_kib\" exceeds \"mem.swap_total_kib\"");
        return 0;
}

/* The array at key, each element checked: objects with fields, or (fields NULL) values of type t. */
static int check_array(json_object *o, const char *key, const Field *fields, size_t n, FieldType t, char *why,
                       size_t why_size) {
        json_object *a;

        if (!json_object_object_get_ex(o, key, &a))
                return bad(why, why_size, "field \"%s\" is missing", key);
        if (!json_object_is_type(a, json_type_array))
                return bad(why, why_size, "field \"%s\" is not an array", key);
        for (size_t i = 0; i < json_object_array_length(a); i++) {
                json_object *e = json_object_array_get_idx(a, i);
                char where[64];
                int r;

                if (!fields) {
                        if (!type_ok(e, t))
                                return bad(why, why_size, "field \"%s[%zu]\" is not %s", key, i, type_name(t));
                        continue;
                }
                if (!json_object_is_type(e, json_type_object))
                        return bad(why, why_size, "field \"%s[%zu]\" is not an object", key, i);
                (void) snprintf(where, sizeof where, "%s[%zu].", key, i);
                r = check_fields(e, fields, n, where, why, why_size);
                if (r < 0)
                        return r;
        }
        return 0;
}

int hr_ctl_check_response(json_object *o, HrCtlVerb verb, char *why, size_t why_size) {
        const char *cmd = hr_ctl_verb_to_string(verb);
        json_object *v;
        int r;

        if (!json_object_is_type(o, json_type_object))
                return bad(why, why_size, "not a JSON object");
        if (!json_object_object_get_ex(o, "ok", &v))
                return bad(why, why_size, "field \"ok\" is missing");
        if (!json_object_is_type(v, json_type_boolean))
                return bad(why, why_size, "field \"ok\" is not a boolean");
        if (json_object_object_get_ex(o, "cmd", &v)) {
                if (!json_object_is_type(v, json_type_string))
                        return bad(why, why_size, "field \"cmd\" is not a string");
                if (!cmd || strcmp(json_object_get_string(v), cmd) != 0)
                        return bad(why, why_size, "answers \"%.32s\", not \"%s\"", json_object_get_string(v),
                                   cmd ? cmd : "?");
        }

        if (!boolean(o, "ok")) {
                r = check_fields(o, refusal_fields, ELEMENTSOF(refusal_fields), "", why, why_size);
                if (r < 0)
                        return r;
                if (json_object_object_get_ex(o, "errors", &v)) {
                        r = check_array(o, "errors", NULL, 0, T_STRING, why, why_size);
                        if (r < 0)
                                return r;
                }
                return 1;
        }

        switch (verb) {
        case HR_CTL_STATUS:
                return check_status(o, why, why_size);
        case HR_CTL_LIST:
                return check_array(o, "processes", process_fields, ELEMENTSOF(process_fields), T_OBJECT, why,
                                   why_size);
        case HR_CTL_UNFREEZE:
                r = check_array(o, "thawed", NULL, 0, T_UINT, why, why_size);
                break;
        case HR_CTL_RELOAD:
                r = check_fields(o, reload_fields, ELEMENTSOF(reload_fields), "", why, why_size);
                break;
        case HR_CTL_FOREGROUND:
                r = check_fields(o, foreground_fields, ELEMENTSOF(foreground_fields), "", why, why_size);
                break;
        case HR_CTL_METRICS:
                r = check_fields(o, metrics_fields, ELEMENTSOF(metrics_fields), "", why, why_size);
                break;
        case HR_CTL_INCIDENTS:
                return check_array(o, "incidents", incidents_fields, ELEMENTSOF(incidents_fields), T_OBJECT, why,
                                   why_size);
        case HR_CTL_INCIDENT:
                r = check_fields(o, incident_fields, ELEMENTSOF(incident_fields), "", why, why_size);
                break;
        case HR_CTL_CALIBRATE:
                r = check_fields(o, calibrate_fields, ELEMENTSOF(calibrate_fields), "", why, why_size);
                break;
        case HR_CTL_EVENTS:
                r = check_fields(o, events_fields, ELEMENTSOF(events_fields), "", why, why_size);
                if (r == 0 && !boolean(o, "subscribed"))
                        r = bad(why, why_size, "field \"subscribed\" is false");
                break;
        default:
                r = bad(why, why_size, "no response expected");
                break;
        }
        return r;
}

/* ---- events ---- */

static const Field event_fields[] = {
        { "event", T_STRING },
        { "time", T_NUMBER },
};

static const Field level_event_fields[] = {
        { "from", T_STRING },
        { "to", T_STRING },
        { "score", T_NUMBER },
        { "why", T_STRING, true },
};

static const Field action_event_fields[] = {
        { "type", T_STRING },
        { "pid", T_UINT },
        { "comm", T_STRING },
        { "priority", T_INT },
        { "level", T_STRING, true },
        { "score", T_NUMBER, true },
        { "reason", T_STRING, true },
        { "why", T_STRING, true },
        { "dry_run", T_BOOL, true },
};

int hr_ctl_check_event(json_object *o, char *why, size_t why_size) {
        int r;

        if (!json_object_is_type(o, json_type_object))
                return bad(why, why_size, "not a JSON object");
        r = check_fields(o, event_fields, ELEMENTSOF(event_fields), "", why, why_size);
        if (r < 0)
                return r;
        if (strcmp(str(o, "event"), "level") == 0)
                return check_fields(o, level_event_fields, ELEMENTSOF(level_event_fields), "", why, why_size);
        if (strcmp(str(o, "event"), "action") == 0)
                return check_fields(o, action_event_fields, ELEMENTSOF(action_event_fields), "", why, why_size);
        return 0;
}

/* ---- text helpers ---- */

/* How many input bytes the character at s takes, and whether it must be shown as '?': C0 controls, DEL and
 * the C1 controls U+0080..U+009F (UTF-8 C2 80..C2 9F), which terminals may obey. */
static size_t next_char(const unsigned char *s, bool *ret_unsafe) {
        if (s[0] < 0x20 || s[0] == 0x7f) {
                *ret_unsafe = true;
                return 1;
        }
        if (s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f) {
                *ret_unsafe = true;
                return 2;
        }
        *ret_unsafe = false;
        return 1;
}

const char *hr_ctl_sanitize(const char *s, char *buf, size_t size) {
        const unsigned char *p = (const unsigned char *) s;
        size_t o = 0;

        if (size == 0)
                return buf;
        while (*p && o + 1 < size) {
                bool unsafe;
                size_t n = next_char(p, &unsafe);

                if (unsafe)
                        buf[o++] = '?';
                else
                        buf[o++] = (char) *p;
                p += n;
        }
        buf[o] = '\0';
        return buf;
}

/* Writes s sanitized. */
static void put_safe(FILE *out, const char *s) {
        const unsigned char *p = (const unsigned char *) s;

        while (*p) {
                bool unsafe;
                size_t n = next_char(p, &unsafe);

                (void) fputc(unsafe ? '?' : *p, out);
                p += n;
        }
}

/* Columns s takes once sanitized: one per character (UTF-8 continuation bytes take none). */
static size_t text_width(const char *s) {
        const unsigned char *p = (const unsigned char *) s;
        size_t w = 0;

        while (*p) {
                bool unsafe;
                size_t n = next_char(p, &unsafe);

                if (unsafe || (*p & 0xc0) != 0x80)
                        w++;
                p += n;
        }
        return w;
}

static void pad(FILE *out, size_t n) {
        while (n-- > 0)
                (void) fputc(' ', out);
}

/* s sanitized in a column of width: left-aligned (padding after), or right-aligned. */
static void put_cell(FILE *out, const char *s, size_t width, bool right) {
        size_t w = text_width(s);

        if (right)
                pad(out, width > w ? width - w : 0);
        put_safe(out, s);
        if (!right)
                pad(out, width > w ? width - w : 0);
}

const char *hr_ctl_format_kib(uint64_t kib, char *buf, size_t size) {
        static const char *const units[] = { "MiB", "GiB", "TiB", "PiB" };
        double v = (double) kib;
        unsigned u = 0;

        if (kib < 1024) {
                (void) snprintf(buf, size, "%llu KiB", (unsigned long long) kib);
                return buf;
        }
        v /= 1024.0;
        while (v >= 1024.0 && u + 1 < ELEMENTSOF(units)) {
                v /= 1024.0;
                u++;
        }
        (void) snprintf(buf, size, "%.1f %s", v, units[u]);
        return buf;
}

const char *hr_ctl_format_duration(uint64_t sec, char *buf, size_t size) {
        static const struct {
                uint64_t sec;
                const char *name;
        } steps[] = { { 86400, "d" }, { 3600, "h" }, { 60, "min" }, { 1, "s" } };

        for (size_t i = 0; i < ELEMENTSOF(steps); i++) {
                uint64_t big = sec / steps[i].sec, rest;

                if (big == 0 && steps[i].sec > 1)
                        continue;
                if (i + 1 == ELEMENTSOF(steps)) {
                        (void) snprintf(buf, size, "%llus", (unsigned long long) sec);
                        return buf;
                }
                rest = (sec % steps[i].sec) / steps[i + 1].sec;
                if (rest)
                        (void) snprintf(buf, size, "%llu%s %llu%s", (unsigned long long) big, steps[i].name,
                                        (unsigned long long) rest, steps[i + 1].name);
                else
                        (void) snprintf(buf, size, "%llu%s", (unsigned long long) big, steps[i].name);
                return buf;
        }
        (void) snprintf(buf, size, "0s"); /* not reached: the last step always prints */
        return buf;
}

const char *hr_ctl_format_clock(double epoch_sec, char *buf, size_t size) {
        struct tm tm;
        time_t t;

        if (!isfinite(epoch_sec) || epoch_sec < 0.0 || epoch_sec > 1e15) {
                (void) snprintf(buf, size, "??:??:??");
                return buf;
        }
        t = (time_t) epoch_sec; /* non-negative: truncation is floor */
        if (!localtime_r(&t, &tm) || strftime(buf, size, "%H:%M:%S", &tm) == 0)
                (void) snprintf(buf, size, "??:??:??");
        return buf;
}

const char *hr_ctl_level_color(const char *level) {
        if (strcmp(level, "NORMAL") == 0)
                return COLOR_GREEN;
        if (strcmp(level, "ELEVATED") == 0 || strcmp(level, "HIGH") == 0)
                return COLOR_YELLOW;
        if (strcmp(level, "CRITICAL") == 0 || strcmp(level, "EMERGENCY") == 0)
                return COLOR_RED;
        return "";
}

static void put_level(FILE *out, const char *level, bool color) {
        const char *c = color ? hr_ctl_level_color(level) : "";

        (void) fputs(c, out);
        put_safe(out, level);
        if (c[0])
                (void) fputs(COLOR_RESET, out);
}

static void put_label(FILE *out, const char *label) {
        (void) fprintf(out, "%s:", label);
        pad(out, LABEL_WIDTH > strlen(label) + 1 ? LABEL_WIDTH - strlen(label) - 1 : 1);
}

const char *hr_ctl_json_line(json_object *o) {
        return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* ---- status ---- */

/* The components in the daemon's order (core/pressure.c); others follow as given. */
static const struct {
        const char *name;
        const char *unit; /* when the entry carries no "unit" */
} known_components[] = {
        { "psi_some", "%" },
        { "psi_full", "%" },
        { "swap_fill", "%" },
        { "swap_io", "pages/s" },
        { "refault", "pages/s" },
        { "mem_available", "% available" },
};

typedef struct ComponentRow {
        const char *name;
        char value[32];
        const char *unit;
        char points[32];
} ComponentRow;

#define COMPONENTS_MAX 32

static void component_row(json_object *c, const char *name, const char *unit, ComponentRow *ret) {
        ret->name = name;
        (void) snprintf(ret->value, sizeof ret->value, "%.2f", num(c, "value"));
        ret->unit = get(c, "unit") ? str(c, "unit") : unit;
        (void) snprintf(ret->points, sizeof ret->points, "%.2f", num(c, "points"));
}

/* The known components in their order, then any others in the daemon's order. */
static size_t component_rows(json_object *comps, ComponentRow *rows, size_t max) {
        size_t n = 0;

        for (size_t i = 0; i < ELEMENTSOF(known_components) && n < max; i++) {
                json_object *c;
                if (json_object_object_get_ex(comps, known_components[i].name, &c))
                        component_row(c, known_components[i].name, known_components[i].unit, &rows[n++]);
        }
        json_object_object_foreach(comps, name, c) {
                bool known = false;
                for (size_t i = 0; i < ELEMENTSOF(known_components); i++)
                        known = known || strcmp(known_components[i].name, name) == 0;
                if (!known && n < max)
                        component_row(c, name, "", &rows[n++]);
        }
        return n;
}

static void print_components(json_object *o, bool color, FILE *out) {
        ComponentRow rows[COMPONENTS_MAX];
        size_t n = component_rows(get(o, "components"), rows, ELEMENTSOF(rows));
        size_t wn = strlen("COMPONENT"), wv = strlen("VALUE"), wu = strlen("UNIT"), wp = strlen("POINTS");

        if (n == 0)
                return;
        for (size_t i = 0; i < n; i++) {
                wn = MAX(wn, text_width(rows[i].name));
                wv = MAX(wv, strlen(rows[i].value));
                wu = MAX(wu, text_width(rows[i].unit));
                wp = MAX(wp, strlen(rows[i].points));
        }
        (void) fputs("\n  ", out);
        if (color)
                (void) fputs(COLOR_BOLD, out);
        put_cell(out, "COMPONENT", wn, false);
        (void) fputs("  ", out);
        put_cell(out, "VALUE", wv, true);
        (void) fputs("  ", out);
        put_cell(out, "UNIT", wu, false);
        (void) fputs("  ", out);
        put_cell(out, "POINTS", wp, true);
        if (color)
                (void) fputs(COLOR_RESET, out);
        (void) fputc('\n', out);
        for (size_t i = 0; i < n; i++) {
                (void) fputs("  ", out);
                put_cell(out, rows[i].name, wn, false);
                (void) fputs("  ", out);
                put_cell(out, rows[i].value, wv, true);
                (void) fputs("  ", out);
                put_cell(out, rows[i].unit, wu, false);
                (void) fputs("  ", out);
                put_cell(out, rows[i].points, wp, true);
                (void) fputc('\n', out);
        }
        (void) fputc('\n', out);
}

/* "3 frozen, 1 warned": the non-zero counters of an open map, known names first; "none" when all are 0. */
static void print_counters(json_object *o, const char *key, const char *const *known, size_t n_known, FILE *out) {
        json_object *m = get(o, key);
        bool any = false;

        for (size_t i = 0; i < n_known; i++) {
                uint64_t v = u64(m, known[i]);
                if (v == 0)
                        continue;
                (void) fprintf(out, "%s%llu %s", any ? ", " : "", (unsigned long long) v, known[i]);
                any = true;
        }
        json_object_object_foreach(m, name, val) {
                bool is_known = false;
                for (size_t i = 0; i < n_known; i++)
                        is_known = is_known || strcmp(known[i], name) == 0;
                if (is_known || json_object_get_uint64(val) == 0)
                        continue;
                (void) fprintf(out, "%s%llu ", any ? ", " : "", (unsigned long long) json_object_get_uint64(val));
                put_safe(out, name);
                any = true;
        }
        (void) fputs(any ? "\n" : "none\n", out);
}

static void print_triggers(json_object *t, FILE *out) {
        bool sep = false;

        if (get(t, "some")) {
                (void) fputs("some ", out);
                put_safe(out, str(t, "some"));
                sep = true;
        }
        if (get(t, "full")) {
                (void) fputs(sep ? ", full " : "full ", out);
                put_safe(out, str(t, "full"));
                sep = true;
        }
        if (u64(t, "window_ms") > 0) {
                (void) fprintf(out, "%sper %llu ms", sep ? " " : "", (unsigned long long) u64(t, "window_ms"));
                sep = true;
        }
        if (get(t, "memory")) {
                (void) fputs(sep ? " on " : "on ", out);
                put_safe(out, str(t, "memory"));
                sep = true;
        }
        if (get(t, "armed")) {
                (void) fputs(sep ? "; " : "", out);
                (void) fputs(boolean(t, "armed") ? "armed" : "not armed", out);
                sep = true;
        }
        if (get(t, "fired")) {
                uint64_t f = u64(t, "fired");
                (void) fprintf(out, "%sfired %llu time%s", sep ? ", " : "", (unsigned long long) f, f == 1 ? "" : "s");
                sep = true;
        }
        (void) fputs(sep ? "\n" : "none\n", out);
}

static void print_status(json_object *o, bool color, FILE *out) {
        static const char *const held_names[] = { "frozen", "checkpointed", "terminating", "warned" };
        static const char *const totals_names[] = { "frozen",  "thawed",       "terminated", "killed", "warned",
                                                    "spared",  "checkpointed", "restored",   "failed" };
        char a[32], b[32], c[32];
        uint64_t swap_total = u64(o, "mem.swap_total_kib");

        put_label(out, "Level");
        put_level(out, str(o, "level"), color);
        (void) fputc('\n', out);
        put_label(out, "Score");
        (void) fprintf(out, "%.2f (trend %+.2f/s)\n", num(o, "score"), num(o, "trend"));
        print_components(o, color, out);

        put_label(out, "Memory");
        (void) fprintf(out, "%s available of %s", hr_ctl_format_kib(u64(o, "mem.available_kib"), a, sizeof a),
                       hr_ctl_format_kib(u64(o, "mem.total_kib"), b, sizeof b));
        if (get(o, "mem.limit_file") && json_object_is_type(get(o, "mem.limit_file"), json_type_string)) {
                (void) fputs(" (the scope's limit, ", out);
                put_safe(out, str(o, "mem.limit_file"));
                (void) fputc(')', out);
        }
        (void) fputc('\n', out);
        put_label(out, "Swap");
        if (swap_total == 0)
                (void) fputs("none\n", out);
        else
                (void) fprintf(out, "%s used of %s (%s free)\n",
                               hr_ctl_format_kib(swap_total - u64(o, "mem.swap_free_kib"), a, sizeof a),
                               hr_ctl_format_kib(swap_total, b, sizeof b),
                               hr_ctl_format_kib(u64(o, "mem.swap_free_kib"), c, sizeof c));
        json_object *zr = get(o, "zram");
        for (size_t i = 0; zr && json_object_is_type(zr, json_type_array) && i < json_object_array_length(zr); i++) {
                json_object *z = json_object_array_get_idx(zr, i);
                if (!z || !json_object_is_type(z, json_type_object))
                        continue;
                if (i == 0)
                        put_label(out, "Zram");
                else
                        pad(out, LABEL_WIDTH);
                put_safe(out, str(z, "device"));
                (void) fprintf(out, ": %s stored in %s", hr_ctl_format_kib(u64(z, "orig_data_size") / 1024, a, sizeof a),
                               hr_ctl_format_kib(u64(z, "mem_used_total") / 1024, b, sizeof b));
                if (get(z, "compression_ratio"))
                        (void) fprintf(out, " (%.2f:1)", num(z, "compression_ratio"));
                (void) fprintf(out, ", a %s disk\n", hr_ctl_format_kib(u64(z, "disksize") / 1024, c, sizeof c));
        }
        if (get(o, "triggers")) {
                put_label(out, "Triggers");
                print_triggers(get(o, "triggers"), out);
        }
        put_label(out, "Held");
        print_counters(o, "held", held_names, ELEMENTSOF(held_names), out);
        put_label(out, "Totals");
        print_counters(o, "totals", totals_names, ELEMENTSOF(totals_names), out);
        put_label(out, "Foreground");
        if (u64(o, "foreground.pid") == 0)
                (void) fputs("none\n", out);
        else {
                (void) fprintf(out, "%llu (", (unsigned long long) u64(o, "foreground.pid"));
                put_safe(out, str(o, "foreground.comm"));
                (void) fputs(")\n", out);
        }

        put_label(out, "Mode");
        put_safe(out, str(o, "mode"));
        (void) fputc('\n', out);
        put_label(out, "Dry run");
        (void) fputs(boolean(o, "dry_run") ? "yes (observing only, acting on nothing)\n" : "no\n", out);
        put_label(out, "Scope");
        if (str(o, "scope")[0])
                put_safe(out, str(o, "scope"));
        else
                (void) fputs("whole system", out);
        (void) fputc('\n', out);
        put_label(out, "Uptime");
        (void) fprintf(out, "%s\n", hr_ctl_format_duration(u64(o, "uptime_sec"), a, sizeof a));
        put_label(out, "Daemon");
        (void) fputs("headroomd ", out);
        put_safe(out, str(o, "version"));
        (void) fprintf(out, ", pid %llu\n", (unsigned long long) u64(o, "pid"));
}

/* ---- list ---- */

enum { COL_PID, COL_NAME, COL_STATE, COL_METHOD, COL_PRIO, COL_AGE, COL_REASON, _COL_MAX };

static const struct {
        const char *title;
        bool right;
} list_columns[_COL_MAX] = {
        [COL_PID] = { "PID", true },       [COL_NAME] = { "NAME", false }, [COL_STATE] = { "STATE", false },
        [COL_METHOD] = { "METHOD", false }, [COL_PRIO] = { "PRIO", true }, [COL_AGE] = { "AGE", true },
        [COL_REASON] = { "REASON", false },
};

/* The cells of row i (the process e); numbers are formatted into nums. */
static void list_cells(json_object *e, char nums[3][32], const char *cells[_COL_MAX]) {
        (void) snprintf(nums[0], 32, "%llu", (unsigned long long) u64(e, "pid"));
        (void) snprintf(nums[1], 32, "%lld", (long long) i64(e, "priority"));
        (void) hr_ctl_format_duration((uint64_t) num(e, "age_sec"), nums[2], 32);
        cells[COL_PID] = nums[0];
        cells[COL_NAME] = str(e, "comm");
        cells[COL_STATE] = str(e, "state");
        cells[COL_METHOD] = str(e, "method");
        cells[COL_PRIO] = nums[1];
        cells[COL_AGE] = nums[2];
        cells[COL_REASON] = str(e, "reason");
}

static void print_list(json_object *o, bool color, FILE *out) {
        json_object *procs = get(o, "processes");
        size_t n = json_object_array_length(procs), width[_COL_MAX];
        char nums[3][32];
        const char *cells[_COL_MAX];

        if (n == 0) {
                (void) fputs("no processes held\n", out);
                return;
        }
        for (size_t c = 0; c < _COL_MAX; c++)
                width[c] = strlen(list_columns[c].title);
        for (size_t i = 0; i < n; i++) {
                list_cells(json_object_array_get_idx(procs, i), nums, cells);
                for (size_t c = 0; c < _COL_MAX; c++)
                        width[c] = MAX(width[c], text_width(cells[c]));
        }

        if (color)
                (void) fputs(COLOR_BOLD, out);
        for (size_t c = 0; c < _COL_MAX; c++) {
                if (c + 1 == _COL_MAX)
                        (void) fputs(list_columns[c].title, out); /* the last column is not padded */
                else {
                        put_cell(out, list_columns[c].title, width[c], list_columns[c].right);
                        (void) fputs("  ", out);
                }
        }
        if (color)
                (void) fputs(COLOR_RESET, out);
        (void) fputc('\n', out);
        for (size_t i = 0; i < n; i++) {
                list_cells(json_object_array_get_idx(procs, i), nums, cells);
                for (size_t c = 0; c < _COL_MAX; c++) {
                        if (c + 1 == _COL_MAX)
                                put_safe(out, cells[c]);
                        else {
                                put_cell(out, cells[c], width[c], list_columns[c].right);
                                (void) fputs("  ", out);
                        }
                }
                (void) fputc('\n', out);
        }
}

/* ---- the rest ---- */

static void print_unfreeze(json_object *o, FILE *out) {
        json_object *a = get(o, "thawed");
        size_t n = json_object_array_length(a);

        if (n == 0) {
                (void) fputs("thawed nothing\n", out);
                return;
        }
        (void) fputs("thawed", out);
        for (size_t i = 0; i < n; i++)
                (void) fprintf(out, " %llu", (unsigned long long) json_object_get_uint64(json_object_array_get_idx(a, i)));
        (void) fputc('\n', out);
}

static void print_incidents(json_object *o, FILE *out) {
        json_object *a = json_object_object_get(o, "incidents");
        size_t n = json_object_array_length(a);

        if (n == 0) {
                (void) fputs("no incidents recorded\n", out);
                return;
        }
        (void) fprintf(out, "%-34s %-20s %-9s %6s  %s\n", "ID", "WHEN", "LEVEL", "SCORE", "WHY");
        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(a, i);
                char when[32] = "";
                time_t t = (time_t) (u64(e, "time_usec") / 1000000);
                struct tm tm;
                if (localtime_r(&t, &tm))
                        (void) strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
                (void) fprintf(out, "%-34s %-20s %-9s %6.2f  ", str(e, "id"), when,
                               json_object_object_get_ex(e, "max_level", NULL) ? str(e, "max_level") : "",
                               num(e, "max_score"));
                put_safe(out, str(e, "why"));
                (void) fputc('\n', out);
        }
}

static void print_calibrate(json_object *o, FILE *out) {
        json_object *a = json_object_object_get(o, "proposals");
        size_t n = json_object_array_length(a);

        (void) fprintf(out, "%s\n", str(o, "summary"));
        for (size_t i = 0; i < n; i++) {
                json_object *p = json_object_array_get_idx(a, i);
                bool change = json_object_get_boolean(json_object_object_get(p, "change"));
                (void) fprintf(out, "%c [%s] %-18s %10s -> %-10s %s\n", change ? '*' : ' ', str(p, "section"),
                               str(p, "key"), str(p, "current"), str(p, "proposed"), str(p, "reason"));
        }
        if (json_object_object_get_ex(o, "written", NULL))
                (void) fprintf(out, "written to %s\n", str(o, "written"));
        else if (u64(o, "changes") > 0)
                (void) fputs("(* would change; `headroomctl calibrate --apply` writes them as a drop-in and reloads)\n",
                             out);
}

void hr_ctl_print_response(json_object *o, HrCtlVerb verb, bool color, FILE *out) {
        uint64_t files, rules;

        switch (verb) {
        case HR_CTL_STATUS:
                print_status(o, color, out);
                break;
        case HR_CTL_LIST:
                print_list(o, color, out);
                break;
        case HR_CTL_UNFREEZE:
                print_unfreeze(o, out);
                break;
        case HR_CTL_RELOAD:
                files = u64(o, "files");
                rules = u64(o, "rules");
                (void) fprintf(out, "reloaded: %llu file%s, %llu rule%s\n", (unsigned long long) files,
                               files == 1 ? "" : "s", (unsigned long long) rules, rules == 1 ? "" : "s");
                break;
        case HR_CTL_FOREGROUND:
                if (u64(o, "pid") == 0)
                        (void) fputs("foreground cleared\n", out);
                else {
                        (void) fprintf(out, "foreground: %llu (", (unsigned long long) u64(o, "pid"));
                        put_safe(out, str(o, "comm"));
                        (void) fputs(")\n", out);
                }
                break;
        case HR_CTL_METRICS:
                /* As is: the exposition format is for machines; its bytes are not filtered. */
                (void) fputs(str(o, "text"), out);
                break;
        case HR_CTL_INCIDENTS:
                print_incidents(o, out);
                break;
        case HR_CTL_INCIDENT:
                /* A clip is a document: shown as indented JSON. */
                (void) fprintf(out, "%s\n", json_object_to_json_string_ext(json_object_object_get(o, "incident"),
                                                                          JSON_C_TO_STRING_PRETTY |
                                                                                  JSON_C_TO_STRING_NOSLASHESCAPE));
                break;
        case HR_CTL_CALIBRATE:
                print_calibrate(o, out);
                break;
        default:
                break;
        }
}

void hr_ctl_print_event(json_object *o, bool color, FILE *out) {
        const char *ev = str(o, "event");
        char clock[16];

        (void) fprintf(out, "%s ", hr_ctl_format_clock(num(o, "time"), clock, sizeof clock));
        if (strcmp(ev, "level") == 0) {
                (void) fputs("level ", out);
                put_level(out, str(o, "from"), color);
                (void) fputs(" -> ", out);
                put_level(out, str(o, "to"), color);
                (void) fprintf(out, " (score %.1f)", num(o, "score"));
                if (str(o, "why")[0]) {
                        (void) fputs(": ", out);
                        put_safe(out, str(o, "why"));
                }
        } else if (strcmp(ev, "action") == 0) {
                if (boolean(o, "dry_run"))
                        (void) fputs("would ", out);
                put_safe(out, str(o, "type"));
                (void) fprintf(out, " %llu (", (unsigned long long) u64(o, "pid"));
                put_safe(out, str(o, "comm"));
                (void) fprintf(out, ", priority %lld)", (long long) i64(o, "priority"));
                if (str(o, "why")[0]) {
                        (void) fputs(": ", out);
                        put_safe(out, str(o, "why"));
                }
        } else {
                put_safe(out, ev);
                (void) fputc(' ', out);
                put_safe(out, hr_ctl_json_line(o));
        }
        (void) fputc('\n', out);
}

void hr_ctl_print_refusal(json_object *o, const HrCtlArgs *a, FILE *err) {
        const char *verb = hr_ctl_verb_to_string(a->verb), *code = str(o, "code");
        json_object *errors = get(o, "errors");
        size_t n_errors = json_object_is_type(errors, json_type_array) ? json_object_array_length(errors) : 0;

        (void) fprintf(err, "headroomctl: %s: ", verb ? verb : "?");
        put_safe(err, str(o, "error"));
        (void) fputs(" (", err);
        put_safe(err, code);
        (void) fputc(')', err);
        if (strcmp(code, "EPERM") == 0)
                (void) fputs(a->user ? "; run it as the daemon's user or as root" : "; run it as root, e.g. with sudo",
                             err);
        else if (a->verb == HR_CTL_UNFREEZE && strcmp(code, "ENOENT") == 0 && a->pid < 0 && a->target &&
                 strlen(a->target) > HR_CTL_COMM_MAX)
                (void) fprintf(err, "; process names are at most %d bytes: try \"%.*s\"", HR_CTL_COMM_MAX,
                               HR_CTL_COMM_MAX, a->target);
        else if (a->verb == HR_CTL_RELOAD && strcmp(code, "EINVAL") == 0 && n_errors > 0)
                (void) fputs("; headroomd keeps its previous configuration", err);
        (void) fputc('\n', err);

        for (size_t i = 0; i < n_errors; i++) {
                put_safe(err, json_object_get_string(json_object_array_get_idx(errors, i)));
                (void) fputc('\n', err);
        }
}

int hr_ctl_refusal_exit(json_object *o) {
        return hr_ctl_exit_for_code(str(o, "code"));
}
