/* SPDX-License-Identifier: MIT */
/* The registry of held processes as one JSON object, one entry per line for people reading it:
 *
 *   {"version":1,"entries":[
 *   {"pid":4242,"start_time":889123,"state":"frozen","method":"cgroup","cgroup":"/user.slice/app-x.scope",
 *    "comm":"chromium","priority":85,"since":1732240000123456,"why":"HIGH 48.10: psi_some 31.00% (40 pts)"}
 *   ]}
 *
 * Written by hand (a fixed buffer, no allocation: it runs after every action, under pressure), read with
 * json-c (at startup). Every entry hr_registry_put() accepts loads back unchanged. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/json-get.h"
#include "daemon/registry.h"
#include "shared/macros.h"

#define REGISTRY_VERSION 1

static const char *const freeze_method_table[_HR_FREEZE_METHOD_MAX] = {
        [HR_FREEZE_NONE] = "none",
        [HR_FREEZE_CGROUP] = "cgroup",
        [HR_FREEZE_SIGSTOP] = "sigstop",
};

const char *hr_freeze_method_to_string(HrFreezeMethod m) {
        return (unsigned) m < _HR_FREEZE_METHOD_MAX ? freeze_method_table[m] : NULL;
}

HrFreezeMethod hr_freeze_method_from_string(const char *s) {
        for (unsigned i = 0; s && i < _HR_FREEZE_METHOD_MAX; i++)
                if (strcmp(s, freeze_method_table[i]) == 0)
                        return (HrFreezeMethod) i;
        return _HR_FREEZE_METHOD_INVALID;
}

static bool terminated(const char *s, size_t size) {
        return memchr(s, '\0', size) != NULL;
}

/* A cgroup2 path as /proc/PID/cgroup gives it: "" or absolute, and never climbing out of the mount. */
static bool cgroup_path_ok(const char *p) {
        if (!p[0])
                return true;
        if (p[0] != '/')
                return false;
        for (const char *c = p; *c;) {
                while (*c == '/')
                        c++;
                size_t n = strcspn(c, "/");
                if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
                        return false;
                c += n;
        }
        return true;
}

/* NULL if e may be held (and so saved and loaded back), else why not. */
static const char *entry_invalid(const HrRegistryEntry *e) {
        if (e->pid < 2)
                return "pid below 2";
        if (e->start_time == 0)
                return "start_time 0";
        if (!hr_tracked_state_to_string(e->state))
                return "unknown state";
        if (!hr_freeze_method_to_string(e->method))
                return "unknown method";
        if (!terminated(e->cgroup, sizeof e->cgroup) || !terminated(e->comm, sizeof e->comm) ||
            !terminated(e->why, sizeof e->why))
                return "string too long";
        if (e->priority < 0 || e->priority > 100)
                return "priority outside 0..100";
        if (!cgroup_path_ok(e->cgroup))
                return "cgroup not an absolute path without . or ..";
        if (e->state == HR_TRACKED_FROZEN && e->method == HR_FREEZE_NONE)
                return "frozen without a freeze method";
        if (e->method == HR_FREEZE_CGROUP && !e->cgroup[0])
                return "cgroup freeze without a cgroup";
        return NULL;
}

static bool same(const HrRegistryEntry *e, pid_t pid, uint64_t start_time) {
        return e->pid == pid && e->start_time == start_time;
}

static HrRegistryEntry *find_mut(HrRegistry *r, pid_t pid, uint64_t start_time) {
        for (unsigned i = 0; i < r->n && i < HR_TRACKED_MAX; i++)
                if (same(&r->e[i], pid, start_time))
                        return &r->e[i];
        return NULL;
}

const HrRegistryEntry *hr_registry_find(const HrRegistry *r, pid_t pid, uint64_t start_time) {
        return find_mut((HrRegistry *) r, pid, start_time);
}

int hr_registry_put(HrRegistry *r, const HrRegistryEntry *e) {
        if (entry_invalid(e))
                return -EINVAL;
        HrRegistryEntry *old = find_mut(r, e->pid, e->start_time);
        if (old) {
                *old = *e;
                return 0;
        }
        if (r->n >= HR_TRACKED_MAX)
                return -ENOSPC;
        r->e[r->n++] = *e;
        return 0;
}

int hr_registry_remove(HrRegistry *r, pid_t pid, uint64_t start_time) {
        HrRegistryEntry *e = find_mut(r, pid, start_time);
        if (!e)
                return 0;
        size_t i = (size_t) (e - r->e), n = MIN(r->n, HR_TRACKED_MAX);
        memmove(e, e + 1, (n - i - 1) * sizeof *e); /* keeps the order: oldest first */
        r->n = (unsigned) n - 1;
        return 1;
}

/* ---- writing ---- */

typedef struct Out {
        int fd;
        int err; /* first error, sticky */
        size_t n;
        char buf[4096];
} Out;

static void out_flush(Out *o) {
        size_t done = 0;
        while (o->err == 0 && done < o->n) {
                ssize_t k = write(o->fd, o->buf + done, o->n - done);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        o->err = k < 0 ? -errno : -EIO;
                else
                        done += (size_t) k;
        }
        o->n = 0;
}

static void out_bytes(Out *o, const char *p, size_t len) {
        while (len > 0 && o->err == 0) {
                if (o->n == sizeof o->buf)
                        out_flush(o);
                size_t k = MIN(len, sizeof o->buf - o->n);
                memcpy(o->buf + o->n, p, k);
                o->n += k;
                p += k;
                len -= k;
        }
}

static void out_str(Out *o, const char *s) {
        out_bytes(o, s, strlen(s));
}

static void out_fmt(Out *o, const char *fmt, ...) _printf_(2, 3);
static void out_fmt(Out *o, const char *fmt, ...) {
        char b[64];
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b, sizeof b, fmt, ap);
        va_end(ap);
        if (k < 0 || (size_t) k >= sizeof b) {
                o->err = o->err ?: -EINVAL;
                return;
        }
        out_bytes(o, b, (size_t) k);
}

/* A JSON string of the bytes of s up to its NUL (or size): '"', '\\' and control bytes escaped, other
 * bytes (a comm need not be UTF-8) as they are, which json-c reads back unchanged. */
static void out_json_str(Out *o, const char *s, size_t size) {
        size_t len = strnlen(s, size);
        out_bytes(o, "\"", 1);
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char) s[i];
                char esc[8];
                if (c == '"' || c == '\\') {
                        esc[0] = '\\';
                        esc[1] = (char) c;
                        out_bytes(o, esc, 2);
                } else if (c == '\n')
                        out_bytes(o, "\\n", 2);
                else if (c == '\t')
                        out_bytes(o, "\\t", 2);
                else if (c < 0x20 || c == 0x7f)
                        out_fmt(o, "\\u%04x", c);
                else
                        out_bytes(o, (const char *) &c, 1);
        }
        out_bytes(o, "\"", 1);
}

int hr_registry_write(const HrRegistry *r, int fd) {
        Out o = { .fd = fd };

        if (r->n > HR_TRACKED_MAX)
                return -EINVAL;
        out_fmt(&o, "{\"version\":%d,\"entries\":[", REGISTRY_VERSION);
        for (unsigned i = 0; i < r->n; i++) {
                const HrRegistryEntry *e = &r->e[i];
                const char *state = hr_tracked_state_to_string(e->state), *method = hr_freeze_method_to_string(e->method);

                /* Written as is even when invalid (a caller filled r by hand): loading skips it, the rest survive. */
                out_fmt(&o, "%s\n{\"pid\":%d,\"start_time\":%llu,\"state\":", i ? "," : "", (int) e->pid,
                        (unsigned long long) e->start_time);
                out_json_str(&o, state ? state : "", 16);
                out_str(&o, ",\"method\":");
                out_json_str(&o, method ? method : "", 16);
                out_str(&o, ",\"cgroup\":");
                out_json_str(&o, e->cgroup, sizeof e->cgroup);
                out_str(&o, ",\"comm\":");
                out_json_str(&o, e->comm, sizeof e->comm);
                out_fmt(&o, ",\"priority\":%d,\"since\":%llu,\"why\":", (int) e->priority,
                        (unsigned long long) e->since_unix_usec);
                out_json_str(&o, e->why, sizeof e->why);
                out_str(&o, "}");
        }
        out_str(&o, "\n]}\n");
        out_flush(&o);
        return o.err;
}

/* Splits path into its directory and its last component ("x" -> ".", "x"; "/x" -> "/", "x"). */
static int split_path(const char *path, char *dir, size_t dir_size, const char **ret_base) {
        const char *slash = strrchr(path, '/');
        const char *base = slash ? slash + 1 : path;
        size_t dlen = slash ? (slash == path ? 1 : (size_t) (slash - path)) : 0;

        if (!path[0])
                return -ENOENT;
        if (!base[0])
                return -EISDIR;
        if (dlen + 2 > dir_size)
                return -ENAMETOOLONG;
        if (dlen == 0)
                strcpy(dir, ".");
        else {
                memcpy(dir, path, dlen);
                dir[dlen] = '\0';
        }
        *ret_base = base;
        return 0;
}

int hr_registry_save(const HrRegistry *r, const char *path) {
        char dir[PATH_MAX], tmp[NAME_MAX + 1];
        const char *base;
        int k;

        k = split_path(path, dir, sizeof dir, &base);
        if (k < 0)
                return k;
        if ((size_t) snprintf(tmp, sizeof tmp, "%s.tmp", base) >= sizeof tmp)
                return -ENAMETOOLONG;

        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        /* O_NOFOLLOW: a symlink planted at path.tmp is not written through. */
        _cleanup_close_ int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return -errno; /* nothing of ours to remove */

        k = hr_registry_write(r, fd);
        if (k < 0)
                goto unlink_tmp;
        if (fsync(fd) < 0) {
                k = -errno;
                goto unlink_tmp;
        }
        if (close(TAKE_FD(fd)) < 0) {
                k = -errno;
                goto unlink_tmp;
        }
        if (renameat(dfd, tmp, dfd, base) < 0) {
                k = -errno;
                goto unlink_tmp;
        }
        /* The new content is in place from here; an error now only means it may not survive a power cut. */
        if (fsync(dfd) < 0)
                return -errno;
        return 0;

unlink_tmp:
        (void) unlinkat(dfd, tmp, 0);
        return k;
}

/* ---- reading ---- */

static int fail(char *why, size_t why_size, int r, const char *fmt, ...) _printf_(4, 5);
static int fail(char *why, size_t why_size, int r, const char *fmt, ...) {
        if (why && why_size > 0) {
                va_list ap;
                va_start(ap, fmt);
                (void) vsnprintf(why, why_size, fmt, ap);
                va_end(ap);
        }
        return r;
}

static void json_object_putp(json_object **o) {
        json_object_put(*o);
}

static void json_tokener_freep(json_tokener **t) {
        if (*t)
                json_tokener_free(*t);
}

/* Copies the string at key into buf: -EBADMSG if absent or not a string, -E2BIG if it does not fit or holds
 * a NUL ("\u0000"), which a C string cannot carry. */
static int get_str(json_object *o, const char *key, char *buf, size_t size) {
        json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return -EBADMSG;
        const char *s = json_object_get_string(v);
        int len = json_object_get_string_len(v);
        if (len < 0 || (size_t) len >= size || memchr(s, '\0', (size_t) len))
                return -E2BIG;
        memcpy(buf, s, (size_t) len);
        buf[len] = '\0';
        return 0;
}

/* One element of "entries" into *ret, written only when it is a valid entry. */
static int entry_from_json(json_object *o, HrRegistryEntry *ret) {
        HrRegistryEntry e = {};
        char state[16], method[16];
        int64_t v;

        if (!json_object_is_type(o, json_type_object))
                return -EBADMSG;
        if (hr_json_get_i64(o, "pid", 2, INT32_MAX, &v) < 0)
                return -EBADMSG;
        e.pid = (pid_t) v;
        if (hr_json_get_u64(o, "start_time", &e.start_time) < 0)
                return -EBADMSG;
        if (get_str(o, "state", state, sizeof state) < 0 ||
            (int) (e.state = hr_tracked_state_from_string(state)) < 0)
                return -EBADMSG;
        if (get_str(o, "method", method, sizeof method) < 0 ||
            (int) (e.method = hr_freeze_method_from_string(method)) < 0)
                return -EBADMSG;
        if (get_str(o, "cgroup", e.cgroup, sizeof e.cgroup) < 0 || get_str(o, "comm", e.comm, sizeof e.comm) < 0 ||
            get_str(o, "why", e.why, sizeof e.why) < 0)
                return -EBADMSG;
        if (hr_json_get_i64(o, "priority", 0, 100, &v) < 0)
                return -EBADMSG;
        e.priority = (int32_t) v;
        if (hr_json_get_u64(o, "since", &e.since_unix_usec) < 0)
                return -EBADMSG;
        if (entry_invalid(&e))
                return -EBADMSG;
        *ret = e;
        return 0;
}

int hr_registry_parse(const char *buf, size_t len, HrRegistry *ret, unsigned *ret_skipped, char *why,
                      size_t why_size) {
        _cleanup_(json_tokener_freep) json_tokener *tok = NULL;
        _cleanup_(json_object_putp) json_object *root = NULL;
        json_object *version, *entries;

        if (len > HR_REGISTRY_FILE_MAX)
                return fail(why, why_size, -EFBIG, "larger than %d MiB", HR_REGISTRY_FILE_MAX >> 20);
        tok = json_tokener_new();
        if (!tok)
                return fail(why, why_size, -ENOMEM, "out of memory");
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
        root = json_tokener_parse_ex(tok, buf, (int) len);
        size_t end = json_tokener_get_parse_end(tok);
        enum json_tokener_error je = json_tokener_get_error(tok);
        if (!root && je == json_tokener_continue) {
                /* All of buf taken and more wanted: a NUL ends the input ("null", "1" complete here). */
                root = json_tokener_parse_ex(tok, "", 1);
                je = json_tokener_get_error(tok);
                end = len;
        }
        if (!root) {
                if (je == json_tokener_success) /* "null" */
                        return fail(why, why_size, -EBADMSG, "not a JSON object");
                return fail(why, why_size, -EBADMSG, "not JSON: %s", json_tokener_error_desc(je));
        }
        for (size_t i = end; i < len; i++)
                if (!strchr(" \t\r\n", buf[i]) || buf[i] == '\0')
                        return fail(why, why_size, -EBADMSG, "not JSON: data after the object");
        if (!json_object_is_type(root, json_type_object))
                return fail(why, why_size, -EBADMSG, "not a JSON object");
        if (!json_object_object_get_ex(root, "version", &version))
                return fail(why, why_size, -EBADMSG, "no \"version\"");
        if (!json_object_is_type(version, json_type_int))
                return fail(why, why_size, -EBADMSG, "\"version\" is not an integer");
        if (json_object_get_int64(version) != REGISTRY_VERSION)
                return fail(why, why_size, -EBADMSG, "version %lld not supported",
                            (long long) json_object_get_int64(version));
        if (!json_object_object_get_ex(root, "entries", &entries) || !json_object_is_type(entries, json_type_array))
                return fail(why, why_size, -EBADMSG, "no \"entries\" array");

        /* Nothing fails from here on: ret is written only now. */
        unsigned skipped = 0;
        size_t n = json_object_array_length(entries);
        ret->n = 0;
        for (size_t i = 0; i < n; i++) {
                HrRegistryEntry e;
                if (entry_from_json(json_object_array_get_idx(entries, i), &e) < 0) {
                        skipped++;
                        continue;
                }
                HrRegistryEntry *old = find_mut(ret, e.pid, e.start_time);
                if (old) {
                        *old = e; /* a duplicate: the last one wins, the earlier one counts as skipped */
                        skipped++;
                } else if (ret->n < HR_TRACKED_MAX)
                        ret->e[ret->n++] = e;
                else
                        skipped++;
        }
        if (ret_skipped)
                *ret_skipped = skipped;
        if (why && why_size > 0)
                why[0] = '\0';
        return 0;
}

int hr_registry_load(const char *path, HrRegistry *ret, unsigned *ret_skipped, char *why, size_t why_size) {
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        size_t n = 0, cap;

        /* O_NONBLOCK: a FIFO in its place must not hang the daemon's startup. */
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0) {
                if (errno != ENOENT)
                        return fail(why, why_size, -errno, "cannot open: %s", strerror(errno));
                ret->n = 0;
                if (ret_skipped)
                        *ret_skipped = 0;
                if (why && why_size > 0)
                        why[0] = '\0';
                return 0;
        }
        if (fstat(fd, &st) < 0)
                return fail(why, why_size, -errno, "cannot stat: %s", strerror(errno));
        if (S_ISDIR(st.st_mode))
                return fail(why, why_size, -EISDIR, "a directory");
        if (!S_ISREG(st.st_mode))
                return fail(why, why_size, -EBADMSG, "not a regular file");
        if (st.st_size > HR_REGISTRY_FILE_MAX)
                return fail(why, why_size, -EFBIG, "larger than %d MiB", HR_REGISTRY_FILE_MAX >> 20);

        /* One byte more than the cap, so a file that grew since fstat() is still caught. */
        cap = (size_t) st.st_size + 1;
        buf = malloc(cap);
        if (!buf)
                return fail(why, why_size, -ENOMEM, "out of memory");
        for (;;) {
                if (n == cap) {
                        if (cap > HR_REGISTRY_FILE_MAX)
                                return fail(why, why_size, -EFBIG, "larger than %d MiB", HR_REGISTRY_FILE_MAX >> 20);
                        size_t ncap = MIN(cap * 2, (size_t) HR_REGISTRY_FILE_MAX + 1);
                        char *b = realloc(buf, ncap);
                        if (!b)
                                return fail(why, why_size, -ENOMEM, "out of memory");
                        buf = b;
                        cap = ncap;
                }
                ssize_t k = read(fd, buf + n, cap - n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return fail(why, why_size, -errno, "cannot read: %s", strerror(errno));
                if (k == 0)
                        break;
                n += (size_t) k;
        }
        return hr_registry_parse(buf, n, ret, ret_skipped, why, why_size);
}
