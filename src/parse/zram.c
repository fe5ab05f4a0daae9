/* SPDX-License-Identifier: MIT */
/* Parser of /sys/block/zramN/mm_stat: up to nine columns, appended over kernel versions.
 *
 *   152231936 39213322 40505344 0 40546304 0 0 1 1
 *   orig compr mem_used_total mem_limit mem_used_max same_pages pages_compacted huge_pages huge_pages_since
 */
#include <errno.h>

#include "parse/lex.h"
#include "parse/parse.h"

int hr_parse_zram_mm_stat(const char *buf, size_t len, HrZramStat *ret, HrParseErr *err) {
        HrSpan cur = { buf, len }, line, tok;
        uint64_t col[9] = {};
        unsigned n = 0;

        if (!hr_next_line(&cur, &line))
                return hr_parse_fail(err, 1, "empty", -EBADMSG);
        while (hr_next_token(&line, &tok)) {
                uint64_t v;
                int r = hr_parse_u64(tok.p, tok.n, &v);
                if (r < 0)
                        return hr_parse_fail(err, 1, "malformed number", r); /* -EINVAL or -ERANGE */
                if (n < ELEMENTSOF(col))
                        col[n] = v;
                n++; /* columns from a newer kernel are counted and ignored */
        }
        if (n < 3)
                return hr_parse_fail(err, 1, "fewer than three columns", -EBADMSG);
        *ret = (HrZramStat) {
                .orig_data_bytes = col[0],
                .compr_data_bytes = col[1],
                .mem_used_total_bytes = col[2],
                .mem_limit_bytes = col[3],
                .mem_used_max_bytes = col[4],
                .same_pages = col[5],
                .pages_compacted = col[6],
                .huge_pages = col[7],
                .huge_pages_since = col[8],
                .n_cols = MIN(n, (unsigned) ELEMENTSOF(col)),
        };
        return 0;
}
