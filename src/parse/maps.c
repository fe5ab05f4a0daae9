/* SPDX-License-Identifier: MIT */
/* Parser of /proc/PID/maps for what a page-out may push to swap: the private writable mappings (heap, stacks,
 * anonymous memory, a file's written-to data), adjacent ones merged; the kernel's special ones ([vvar], [vdso],
 * [vsyscall]) left out.
 *
 *   55d4c3a00000-55d4c3a21000 rw-p 00000000 00:00 0                          [heap]
 *   7f2a1c000000-7f2a1c021000 rw-p 00000000 00:00 0
 */
#include <errno.h>

#include "parse/lex.h"
#include "parse/parse.h"

/* Strict lower-case hex (as the kernel prints addresses) over the whole span. */
static int parse_hex(HrSpan s, uint64_t *ret) {
        uint64_t v = 0;

        if (s.n == 0 || s.n > 16)
                return -EINVAL;
        for (size_t i = 0; i < s.n; i++) {
                char c = s.p[i];
                unsigned d = c >= '0' && c <= '9' ? (unsigned) (c - '0') : c >= 'a' && c <= 'f' ? (unsigned) (c - 'a' + 10) : 16;
                if (d == 16)
                        return -EINVAL;
                v = v << 4 | d;
        }
        *ret = v;
        return 0;
}

static bool special(HrSpan path) {
        return hr_span_eq(path, "[vvar]") || hr_span_eq(path, "[vdso]") || hr_span_eq(path, "[vsyscall]") ||
               hr_span_eq(path, "[vvar_vclock]");
}

int hr_parse_maps_ranges(const char *buf, size_t len, HrRange *ret, size_t max, size_t *ret_n, uint64_t *ret_bytes,
                         HrParseErr *err) {
        HrSpan cur = { buf, len }, line;
        size_t n = 0;
        uint64_t bytes = 0, prev_end = 0;
        unsigned lineno = 0;

        while (hr_next_line(&cur, &line)) {
                HrSpan range, perms, off, dev, inode, path = { NULL, 0 };
                uint64_t start, end;
                const char *dash;

                lineno++;
                if (hr_span_blank(line))
                        continue;
                if (!hr_next_token(&line, &range) || !hr_next_token(&line, &perms) || !hr_next_token(&line, &off) ||
                    !hr_next_token(&line, &dev) || !hr_next_token(&line, &inode))
                        return hr_parse_fail(err, lineno, "fewer than five columns", -EINVAL);
                (void) hr_next_token(&line, &path); /* absent for anonymous memory */
                dash = memchr(range.p, '-', range.n);
                if (!dash || parse_hex((HrSpan) { range.p, (size_t) (dash - range.p) }, &start) < 0 ||
                    parse_hex((HrSpan) { dash + 1, range.n - (size_t) (dash - range.p) - 1 }, &end) < 0 || end <= start)
                        return hr_parse_fail(err, lineno, "malformed address range", -EINVAL);
                if (perms.n != 4 || (perms.p[0] != 'r' && perms.p[0] != '-') || (perms.p[1] != 'w' && perms.p[1] != '-') ||
                    (perms.p[3] != 'p' && perms.p[3] != 's'))
                        return hr_parse_fail(err, lineno, "malformed permissions", -EINVAL);
                if (start < prev_end)
                        return hr_parse_fail(err, lineno, "mappings out of order", -EINVAL);
                prev_end = end;
                if (perms.p[1] != 'w' || perms.p[3] != 'p' || special(path))
                        continue;
                if (n > 0 && ret[n - 1].start + ret[n - 1].len == start) {
                        ret[n - 1].len += end - start;
                        bytes += end - start;
                        continue;
                }
                if (n == max)
                        continue; /* listed only what fits; the order check goes on */
                ret[n++] = (HrRange) { .start = start, .len = end - start };
                bytes += end - start;
        }
        *ret_n = n;
        *ret_bytes = bytes;
        return 0;
}
