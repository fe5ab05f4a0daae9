/* SPDX-License-Identifier: MIT */
/* Parser of /proc/vmstat: "name value" cumulative counters, by name; unknown names are skipped.
 *
 *   pswpin 1163354
 *   workingset_refault_anon 1163354
 */
#include <errno.h>

#include "parse/lex.h"
#include "parse/parse.h"

#define REQUIRED ((1u << HR_VM_PSWPIN) | (1u << HR_VM_PSWPOUT))

int hr_parse_vmstat(const char *buf, size_t len, HrVmstat *ret, HrParseErr *err) {
        HrSpan cur = { buf, len }, line, name, val;
        HrVmstat v = {};
        unsigned lineno = 0;
        int r;

        while (hr_next_line(&cur, &line)) {
                lineno++;
                if (!hr_next_token(&line, &name))
                        continue;
                int f = hr_span_lookup(name, hr_vmstat_field_names, _HR_VM_FIELD_MAX);
                if (f < 0)
                        continue;
                if (v.present & (1u << f))
                        return hr_parse_fail(err, lineno, "duplicate counter", -EINVAL);
                if (!hr_next_token(&line, &val))
                        return hr_parse_fail(err, lineno, "value missing", -EINVAL);
                r = hr_parse_u64(val.p, val.n, &v.v[f]);
                if (r < 0)
                        return hr_parse_fail(err, lineno, "malformed number", r);
                if (hr_next_token(&line, &val))
                        return hr_parse_fail(err, lineno, "trailing garbage", -EINVAL);
                v.present |= 1u << f;
        }
        if ((v.present & REQUIRED) != REQUIRED)
                return hr_parse_fail(err, 0, "pswpin or pswpout missing", -EBADMSG);
        *ret = v;
        return 0;
}
