/* SPDX-License-Identifier: MIT */
/* Parser of /proc/swaps: a header, then one device per line, sizes in KiB, names octal-escaped.
 *
 *   Filename				Type		Size		Used		Priority
 *   /dev/zram0                              partition	2097148		0		100
 */
#include <errno.h>

#include "parse/lex.h"
#include "parse/number.h"
#include "parse/parse.h"

/* Copies an octal-escaped name ("\040" is a space) into dst, truncating to fit. */
static int unescape_name(HrSpan s, char *dst, size_t size) {
        size_t o = 0;

        for (size_t i = 0; i < s.n; i++) {
                char c = s.p[i];
                if (c == '\\') {
                        if (s.n - i < 4)
                                return -EINVAL;
                        unsigned v = 0;
                        for (size_t k = 1; k <= 3; k++) {
                                char d = s.p[i + k];
                                if (d < '0' || d > '7')
                                        return -EINVAL;
                                v = v * 8 + (unsigned) (d - '0');
                        }
                        if (v == 0 || v > 255)
                                return -EINVAL;
                        c = (char) v;
                        i += 3;
                }
                if (o + 1 < size)
                        dst[o++] = c;
        }
        dst[o] = '\0';
        return 0;
}

int hr_parse_swaps(const char *buf, size_t len, HrSwaps *ret, HrParseErr *err) {
        HrSpan cur = { buf, len }, line, tok;
        HrSwaps sw = {};
        unsigned lineno;
        int r;

        if (!hr_next_line(&cur, &line) || !hr_next_token(&line, &tok) || !hr_span_eq(tok, "Filename"))
                return hr_parse_fail(err, 1, "header \"Filename Type Size Used Priority\" missing", -EBADMSG);
        lineno = 1;

        while (hr_next_line(&cur, &line)) {
                HrSpan name, type, size, used, prio;
                HrSwapDev d = {};

                lineno++;
                if (hr_span_blank(line))
                        continue;
                if (!hr_next_token(&line, &name) || !hr_next_token(&line, &type) || !hr_next_token(&line, &size) ||
                    !hr_next_token(&line, &used) || !hr_next_token(&line, &prio))
                        return hr_parse_fail(err, lineno, "fewer than five columns", -EINVAL);
                if (unescape_name(name, d.name, sizeof d.name) < 0)
                        return hr_parse_fail(err, lineno, "bad escape in file name", -EINVAL);
                d.is_file = hr_span_eq(type, "file");
                r = hr_parse_u64(size.p, size.n, &d.size_kib);
                if (r >= 0)
                        r = hr_parse_u64(used.p, used.n, &d.used_kib);
                if (r >= 0)
                        r = hr_parse_i32(prio.p, prio.n, &d.priority);
                if (r < 0)
                        return hr_parse_fail(err, lineno, "malformed number", r); /* -EINVAL or -ERANGE */
                if (d.used_kib > d.size_kib)
                        return hr_parse_fail(err, lineno, "Used exceeds Size", -EINVAL);
                if (sw.size_kib + d.size_kib < sw.size_kib)
                        return hr_parse_fail(err, lineno, "sizes overflow", -ERANGE);
                sw.size_kib += d.size_kib;
                sw.used_kib += d.used_kib;
                if (sw.n_dev < HR_SWAPS_MAX)
                        sw.dev[sw.n_dev++] = d;
                sw.n_total++;
        }
        *ret = sw;
        return 0;
}
