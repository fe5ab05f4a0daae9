/* SPDX-License-Identifier: MIT */
/* Parser of /proc/meminfo, by key (new keys appear in the middle); values in KiB.
 *
 *   MemTotal:       24684084 kB
 *   MemAvailable:   24394348 kB
 *   HugePages_Total:       0
 */
#include <errno.h>

#include "parse/lex.h"
#include "parse/parse.h"

#define REQUIRED                                                                                      \
        ((1u << HR_MEM_TOTAL) | (1u << HR_MEM_FREE) | (1u << HR_MEM_AVAILABLE) | (1u << HR_MEM_SWAP_TOTAL) | \
         (1u << HR_MEM_SWAP_FREE))

int hr_parse_meminfo(const char *buf, size_t len, HrMeminfo *ret, HrParseErr *err) {
        HrSpan cur = { buf, len }, line, tok;
        HrMeminfo m = {};
        unsigned lineno = 0;
        int r;

        while (hr_next_line(&cur, &line)) {
                lineno++;
                const char *colon = memchr(line.p, ':', line.n);
                if (!colon)
                        continue; /* not a "Key: value" line: unknown, tolerated */
                int f = hr_span_lookup((HrSpan) { line.p, (size_t) (colon - line.p) }, hr_meminfo_field_names,
                                       _HR_MEM_FIELD_MAX);
                if (f < 0)
                        continue;
                if (m.present & (1u << f))
                        return hr_parse_fail(err, lineno, "duplicate key", -EINVAL);

                HrSpan rest = { colon + 1, line.n - (size_t) (colon - line.p) - 1 };
                if (!hr_next_token(&rest, &tok))
                        return hr_parse_fail(err, lineno, "value missing", -EINVAL);
                r = hr_parse_u64(tok.p, tok.n, &m.kib[f]);
                if (r < 0)
                        return hr_parse_fail(err, lineno, "malformed number", r);
                if (hr_next_token(&rest, &tok) && !hr_span_eq(tok, "kB"))
                        return hr_parse_fail(err, lineno, "unit is not kB", -EINVAL);
                if (hr_next_token(&rest, &tok))
                        return hr_parse_fail(err, lineno, "trailing garbage", -EINVAL);
                m.present |= 1u << f;
        }
        if ((m.present & REQUIRED) != REQUIRED)
                return hr_parse_fail(err, 0, "MemTotal, MemFree, MemAvailable, SwapTotal or SwapFree missing", -EBADMSG);
        if (m.kib[HR_MEM_TOTAL] == 0)
                return hr_parse_fail(err, 0, "MemTotal is zero", -EINVAL);
        if (m.kib[HR_MEM_AVAILABLE] > m.kib[HR_MEM_TOTAL] || m.kib[HR_MEM_FREE] > m.kib[HR_MEM_TOTAL])
                return hr_parse_fail(err, 0, "MemAvailable or MemFree exceeds MemTotal", -EINVAL);
        if (m.kib[HR_MEM_SWAP_FREE] > m.kib[HR_MEM_SWAP_TOTAL])
                return hr_parse_fail(err, 0, "SwapFree exceeds SwapTotal", -EINVAL);
        *ret = m;
        return 0;
}
