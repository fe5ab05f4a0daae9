/* SPDX-License-Identifier: MIT */
/* The INI tokenizer: headers, Key=Value lines, whole-line comments and systemd's backslash continuation.
 * Knows no keys; never allocates: the current header and logical line live in the caller's scratch. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "parse/ini.h"
#include "parse/lex.h"

typedef struct Tok {
        char *sect;           /* "Section\0Name\0" of the current header */
        const char *name;     /* into sect */
        bool have_section;    /* a valid header was seen */
        bool section_bad;     /* the last header was broken: skip its keys without more errors */
        hr_ini_item_fn on_item;
        hr_ini_error_fn on_error;
        void *userdata;
        HrParseErr *err;
        bool failed;          /* at least one syntax error */
} Tok;

static HrSpan trim(HrSpan s) {
        while (s.n > 0 && hr_is_space(s.p[0])) {
                s.p++;
                s.n--;
        }
        while (s.n > 0 && hr_is_space(s.p[s.n - 1]))
                s.n--;
        return s;
}

/* Reports one syntax error; returns 0 to go on, or what stops the parse. */
static int syntax(Tok *t, unsigned line, const char *why) {
        t->failed = true;
        if (!t->on_error)
                return hr_parse_fail(t->err, line, why, -EBADMSG);
        return t->on_error(line, why, t->userdata);
}

/* "[Rule firefox tabs]": section "Rule", name "firefox tabs" (inner spaces kept). */
static int header(Tok *t, HrSpan s, unsigned line) {
        if (s.n < 2 || s.p[s.n - 1] != ']') {
                t->have_section = false;
                t->section_bad = true;
                return syntax(t, line, "unterminated section header: expected ']' at the end of the line");
        }
        HrSpan in = trim((HrSpan) { s.p + 1, s.n - 2 });
        if (in.n == 0) {
                t->have_section = false;
                t->section_bad = true;
                return syntax(t, line, "empty section name '[]'");
        }
        size_t w = 0;
        while (w < in.n && !hr_is_space(in.p[w]))
                w++;
        HrSpan name = trim((HrSpan) { in.p + w, in.n - w });

        memcpy(t->sect, in.p, w);
        t->sect[w] = '\0';
        memcpy(t->sect + w + 1, name.p, name.n);
        t->sect[w + 1 + name.n] = '\0';
        t->name = t->sect + w + 1;
        t->have_section = true;
        t->section_bad = false;
        return t->on_item(&(HrIniItem) { .section = t->sect, .name = t->name, .line = line }, t->userdata);
}

/* One logical line (continuations already joined) in the writable scratch; s.p[s.n] may be written. */
static int logical_line(Tok *t, char *p, size_t n, unsigned line) {
        HrSpan s = trim((HrSpan) { p, n });

        if (s.n == 0)
                return 0;
        if (s.p[0] == '[')
                return header(t, s, line);

        const char *eq = memchr(s.p, '=', s.n);
        if (!eq)
                return syntax(t, line, "expected [Section], Key=Value or a comment ('#' or ';' at the start of the line)");
        HrSpan key = trim((HrSpan) { s.p, (size_t) (eq - s.p) });
        HrSpan value = trim((HrSpan) { eq + 1, s.n - (size_t) (eq + 1 - s.p) });
        if (key.n == 0)
                return syntax(t, line, "missing key name before '='");
        if (!t->have_section)
                return t->section_bad ? 0 : syntax(t, line, "Key=Value before any [Section] header");

        /* Both ends are inside p[0..n]: the key ends before '=', the value at or before p[n]. */
        ((char *) key.p)[key.n] = '\0';
        ((char *) value.p)[value.n] = '\0';
        return t->on_item(&(HrIniItem) { .section = t->sect, .name = t->name, .key = key.p, .value = value.p,
                                         .line = line },
                          t->userdata);
}

/* Is the backslash at the end of l[0..n) unescaped (an odd run of trailing backslashes)? */
static bool ends_in_continuation(const char *l, size_t n) {
        size_t k = 0;
        while (k < n && l[n - 1 - k] == '\\')
                k++;
        return k % 2 == 1;
}

int hr_ini_parse(const char *buf, size_t len, char *scratch, size_t scratch_size, hr_ini_item_fn on_item,
                 hr_ini_error_fn on_error, void *userdata, HrParseErr *err) {
        Tok t = {
                .sect = scratch,
                .on_item = on_item,
                .on_error = on_error,
                .userdata = userdata,
                .err = err,
        };
        HrSpan cur = { buf, len }, phys;
        char *logical = scratch + len + 2;
        size_t used = 0;          /* bytes of the logical line gathered so far */
        unsigned lineno = 0, start_line = 0;
        bool continued = false;
        int r;

        if (!scratch || scratch_size < HR_INI_SCRATCH_SIZE(len))
                return -ENOBUFS;
        if (len == 0)
                return 0;
        if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
                cur.p += 3;
                cur.n -= 3;
        }

        while (hr_next_line(&cur, &phys)) {
                lineno++;
                if (phys.n > 0 && phys.p[phys.n - 1] == '\r')
                        phys.n--;
                if (memchr(phys.p, '\0', phys.n)) {
                        /* The line is dropped, and with it a continuation in progress. */
                        continued = false;
                        used = 0;
                        r = syntax(&t, lineno, "NUL byte in line");
                        if (r < 0)
                                return r;
                        continue;
                }

                HrSpan lead = trim(phys);
                if (lead.n > 0 && (lead.p[0] == '#' || lead.p[0] == ';'))
                        continue; /* a comment, also in the middle of a continuation */

                if (!continued)
                        start_line = lineno;
                memcpy(logical + used, phys.p, phys.n);
                used += phys.n;
                if (ends_in_continuation(logical, used)) {
                        logical[used - 1] = ' ';
                        continued = true;
                        continue;
                }
                continued = false;
                r = logical_line(&t, logical, used, start_line);
                used = 0;
                if (r < 0)
                        return r;
        }
        if (continued) {
                r = logical_line(&t, logical, used, start_line);
                if (r < 0)
                        return r;
        }
        return t.failed ? -EBADMSG : 0;
}
