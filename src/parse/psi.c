/* SPDX-License-Identifier: MIT */
/* Parser of PSI files: /proc/pressure/{memory,cpu,io} and a cgroup's {memory,cpu,io}.pressure.
 *
 *   some avg10=38.19 avg60=10.39 avg300=2.57 total=8347419
 *   full avg10=38.19 avg60=10.39 avg300=2.57 total=8347419
 */
#include <errno.h>

#include "parse/lex.h"
#include "parse/number.h"
#include "parse/parse.h"

enum { K_AVG10 = 1 << 0, K_AVG60 = 1 << 1, K_AVG300 = 1 << 2, K_TOTAL = 1 << 3, K_ALL = 0xf };

static int parse_psi_line(HrSpan cur, HrPsiLine *ret, unsigned line, HrParseErr *err) {
        HrPsiLine l = {};
        unsigned seen = 0;
        HrSpan tok;
        int r;

        while (hr_next_token(&cur, &tok)) {
                const char *eq = memchr(tok.p, '=', tok.n);
                if (!eq)
                        return hr_parse_fail(err, line, "token without '='", -EINVAL);
                HrSpan key = { tok.p, (size_t) (eq - tok.p) };
                const char *v = eq + 1;
                size_t vn = tok.n - key.n - 1;
                unsigned bit;

                if (hr_span_eq(key, "avg10")) {
                        bit = K_AVG10;
                        r = hr_parse_percent_permyriad(v, vn, &l.avg10_permyriad);
                } else if (hr_span_eq(key, "avg60")) {
                        bit = K_AVG60;
                        r = hr_parse_percent_permyriad(v, vn, &l.avg60_permyriad);
                } else if (hr_span_eq(key, "avg300")) {
                        bit = K_AVG300;
                        r = hr_parse_percent_permyriad(v, vn, &l.avg300_permyriad);
                } else if (hr_span_eq(key, "total")) {
                        bit = K_TOTAL;
                        r = hr_parse_u64(v, vn, &l.total_usec);
                } else
                        continue; /* a field added by a newer kernel */
                if (seen & bit)
                        return hr_parse_fail(err, line, "duplicate field", -EINVAL);
                if (r < 0)
                        return hr_parse_fail(err, line, "malformed number", r);
                seen |= bit;
        }
        if (seen != K_ALL)
                return hr_parse_fail(err, line, "avg10, avg60, avg300 or total missing", -EBADMSG);
        *ret = l;
        return 0;
}

int hr_parse_psi(const char *buf, size_t len, HrPsi *ret, HrParseErr *err) {
        HrSpan cur = { buf, len }, line, word;
        HrPsi psi = {};
        bool has_some = false;
        unsigned lineno = 0;
        int r;

        while (hr_next_line(&cur, &line)) {
                lineno++;
                HrSpan rest = line;
                if (!hr_next_token(&rest, &word))
                        continue;
                HrPsiLine *dst;
                bool *flag;
                if (hr_span_eq(word, "some")) {
                        dst = &psi.some;
                        flag = &has_some;
                } else if (hr_span_eq(word, "full")) {
                        dst = &psi.full;
                        flag = &psi.has_full;
                } else
                        continue;
                if (*flag)
                        return hr_parse_fail(err, lineno, "duplicate line", -EINVAL);
                r = parse_psi_line(rest, dst, lineno, err);
                if (r < 0)
                        return r;
                *flag = true;
        }
        if (!has_some)
                return hr_parse_fail(err, 0, "no \"some\" line", -EBADMSG);
        *ret = psi;
        return 0;
}
