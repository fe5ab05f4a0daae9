/* SPDX-License-Identifier: MIT */
/* Parser of /proc/self/mountinfo, reduced to what headroom needs: where cgroup2 is mounted.
 *
 *   41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
 *   (id parent major:minor root mount-point options [optional...] - fstype source super-options)
 */
#include <errno.h>

#include "parse/lex.h"
#include "parse/parse.h"

static int unescape_octal(HrSpan s, char *dst, size_t size) {
        size_t o = 0;

        for (size_t i = 0; i < s.n; i++) {
                char c = s.p[i];
                if (c == '\\' && s.n - i >= 4 && s.p[i + 1] >= '0' && s.p[i + 1] <= '3' && s.p[i + 2] >= '0' &&
                    s.p[i + 2] <= '7' && s.p[i + 3] >= '0' && s.p[i + 3] <= '7') {
                        c = (char) ((s.p[i + 1] - '0') * 64 + (s.p[i + 2] - '0') * 8 + (s.p[i + 3] - '0'));
                        i += 3;
                }
                if (c == '\0' || o + 1 >= size)
                        return -ENAMETOOLONG;
                dst[o++] = c;
        }
        dst[o] = '\0';
        return 0;
}

int hr_parse_mountinfo_cgroup2(const char *buf, size_t len, char *ret, size_t size, HrParseErr *err) {
        HrSpan cur = { buf, len }, line, tok;
        unsigned lineno = 0;

        while (hr_next_line(&cur, &line)) {
                HrSpan mnt = {};
                unsigned field = 0;
                bool dash = false;

                lineno++;
                while (hr_next_token(&line, &tok)) {
                        field++;
                        if (field == 5)
                                mnt = tok;
                        if (field > 6 && hr_span_eq(tok, "-")) {
                                dash = true;
                                break;
                        }
                }
                if (!dash || mnt.n == 0 || !hr_next_token(&line, &tok))
                        continue; /* not a well-formed line: skip rather than fail on a mount we ignore */
                if (!hr_span_eq(tok, "cgroup2"))
                        continue;
                if (size == 0 || unescape_octal(mnt, ret, size) < 0)
                        return hr_parse_fail(err, lineno, "cgroup2 mount point too long or holds NUL", -ENAMETOOLONG);
                return 0;
        }
        return hr_parse_fail(err, 0, "no cgroup2 mount", -ENOENT);
}
