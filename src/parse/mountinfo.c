/* SPDX-License-Identifier: MIT */
/* Parser of /proc/self/mountinfo, reduced to what headroom needs: where cgroup2 is mounted, and where a cgroup v1
 * controller is (hybrid machines keep memory there).
 *
 *   41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
 *   (id parent major:minor root mount-point options [optional...] - fstype source super-options)
 */
#include <errno.h>
#include <string.h>

#include "parse/lex.h"
#include "parse/parse.h"

/* The byte at s.p[*i], a "\ooo" escape decoded (and *i moved to its last digit). */
static char octal_at(HrSpan s, size_t *i) {
        const char *p = s.p + *i;
        if (p[0] == '\\' && s.n - *i >= 4 && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0' &&
            p[3] <= '7') {
                *i += 3;
                return (char) ((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
        }
        return p[0];
}

/* Writes dst only when the whole name fits and holds no NUL: a failure leaves it untouched. */
static int unescape_octal(HrSpan s, char *dst, size_t size) {
        size_t o = 0;

        for (size_t i = 0; i < s.n; i++, o++)
                if (octal_at(s, &i) == '\0' || o + 1 >= size)
                        return -ENAMETOOLONG;
        o = 0;
        for (size_t i = 0; i < s.n; i++)
                dst[o++] = octal_at(s, &i);
        dst[o] = '\0';
        return 0;
}

/* The next field of a mountinfo line: the kernel separates fields with one space and escapes space, tab, newline
 * and backslash inside them (as \ooo), so any other byte (a raw \r, \v or \f) belongs to the field. */
static bool next_field(HrSpan *cur, HrSpan *ret) {
        while (cur->n > 0 && *cur->p == ' ') {
                cur->p++;
                cur->n--;
        }
        if (cur->n == 0)
                return false;
        size_t l = 0;
        while (l < cur->n && cur->p[l] != ' ')
                l++;
        *ret = (HrSpan) { cur->p, l };
        cur->p += l;
        cur->n -= l;
        return true;
}

/* Whether the comma-separated super options hold `name` as a whole option. */
static bool has_option(HrSpan opts, const char *name) {
        size_t n = strlen(name), i = 0;

        while (i <= opts.n) {
                size_t j = i;
                while (j < opts.n && opts.p[j] != ',')
                        j++;
                if (j - i == n && memcmp(opts.p + i, name, n) == 0)
                        return true;
                i = j + 1;
        }
        return false;
}

/* The first line of fstype "cgroup2" (controller NULL) or "cgroup" with `controller` among its super options. */
static int find_cgroup_mount(const char *buf, size_t len, const char *controller, char *ret, size_t size,
                             HrParseErr *err) {
        HrSpan cur = { buf, len }, line, tok, source, opts;
        unsigned lineno = 0;

        while (hr_next_line(&cur, &line)) {
                HrSpan mnt = {};
                unsigned field = 0;
                bool dash = false;

                lineno++;
                while (next_field(&line, &tok)) {
                        field++;
                        if (field == 5)
                                mnt = tok;
                        if (field > 6 && hr_span_eq(tok, "-")) {
                                dash = true;
                                break;
                        }
                }
                if (!dash || mnt.n == 0 || !next_field(&line, &tok))
                        continue; /* not a well-formed line: skip rather than fail on a mount we ignore */
                if (!controller ? !hr_span_eq(tok, "cgroup2")
                                : !hr_span_eq(tok, "cgroup") || !next_field(&line, &source) ||
                                          !next_field(&line, &opts) || !has_option(opts, controller))
                        continue;
                if (size == 0 || unescape_octal(mnt, ret, size) < 0)
                        return hr_parse_fail(err, lineno, "cgroup mount point too long or holds NUL", -ENAMETOOLONG);
                return 0;
        }
        return hr_parse_fail(err, 0, controller ? "no cgroup v1 mount of that controller" : "no cgroup2 mount",
                             -ENOENT);
}

int hr_parse_mountinfo_cgroup2(const char *buf, size_t len, char *ret, size_t size, HrParseErr *err) {
        return find_cgroup_mount(buf, len, NULL, ret, size, err);
}

int hr_parse_mountinfo_cgroup1(const char *buf, size_t len, const char *controller, char *ret, size_t size,
                               HrParseErr *err) {
        if (!controller || !controller[0])
                return hr_parse_fail(err, 0, "no controller named", -EINVAL);
        return find_cgroup_mount(buf, len, controller, ret, size, err);
}
