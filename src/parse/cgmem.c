/* SPDX-License-Identifier: MIT */
/* Parsers of a cgroup's memory files, v2 and v1: a limit ("max" or bytes: memory.max, memory.limit_in_bytes), a
 * counter (memory.current, memory.usage_in_bytes) and one key of a flat keyed file (memory.stat).
 *
 *   max                 268435456            inactive_file 1048576\nactive_file 0\n...
 */
#include <errno.h>

#include "parse/lex.h"
#include "parse/parse.h"

int hr_parse_cgroup_bytes(const char *buf, size_t len, uint64_t *ret, HrParseErr *err) {
        HrSpan cur = { buf, len }, line, tok;
        uint64_t v;

        if (!hr_next_line(&cur, &line) || !hr_next_token(&line, &tok))
                return hr_parse_fail(err, 1, "empty", -EBADMSG);
        if (hr_span_eq(tok, "max"))
                v = UINT64_MAX;
        else if (hr_parse_u64(tok.p, tok.n, &v) < 0)
                return hr_parse_fail(err, 1, "a number of bytes or \"max\" expected", -EINVAL);
        if (hr_next_token(&line, &tok) || hr_next_line(&cur, &line))
                return hr_parse_fail(err, 1, "unexpected text after the value", -EINVAL);
        *ret = v;
        return 0;
}

int hr_parse_keyed_u64(const char *buf, size_t len, const char *key, uint64_t *ret, HrParseErr *err) {
        HrSpan cur = { buf, len }, line, name, val, extra;
        unsigned lineno = 0;

        while (hr_next_line(&cur, &line)) {
                lineno++;
                if (!hr_next_token(&line, &name))
                        continue;
                if (!hr_span_eq(name, key))
                        continue;
                uint64_t v;
                if (!hr_next_token(&line, &val) || hr_parse_u64(val.p, val.n, &v) < 0 || hr_next_token(&line, &extra))
                        return hr_parse_fail(err, lineno, "malformed value: \"KEY NUMBER\" expected", -EINVAL);
                *ret = v;
                return 0;
        }
        return hr_parse_fail(err, 0, "key not found", -ENOENT);
}
