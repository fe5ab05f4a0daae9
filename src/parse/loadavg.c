/* SPDX-License-Identifier: MIT */
/* Parser of /proc/loadavg, for its last two fields: the number of tasks and the last pid handed out.
 *
 *   0.52 0.41 0.38 2/1234 56789
 *
 * The averages are checked for shape, not kept: headroom reads this file to notice a burst of new processes. */
#include <errno.h>

#include "parse/lex.h"
#include "parse/number.h"
#include "parse/parse.h"

/* "12.34": digits, a dot, digits. */
static bool load_shaped(HrSpan t) {
        size_t i = 0, d = 0;

        while (i < t.n && t.p[i] >= '0' && t.p[i] <= '9')
                i++, d++;
        if (d == 0 || i >= t.n || t.p[i] != '.')
                return false;
        for (i++, d = 0; i < t.n && t.p[i] >= '0' && t.p[i] <= '9'; i++)
                d++;
        return d > 0 && i == t.n;
}

int hr_parse_loadavg(const char *buf, size_t len, HrLoadavg *ret, HrParseErr *err) {
        HrSpan cur = { buf, len }, line, tok;
        HrLoadavg la = {};
        uint64_t running, tasks, last;
        const char *slash;

        if (!hr_next_line(&cur, &line))
                return hr_parse_fail(err, 1, "empty", -EBADMSG);
        for (unsigned i = 0; i < 3; i++)
                if (!hr_next_token(&line, &tok) || !load_shaped(tok))
                        return hr_parse_fail(err, 1, "three load averages (\"0.52\") expected first", -EBADMSG);
        if (!hr_next_token(&line, &tok) || !(slash = memchr(tok.p, '/', tok.n)))
                return hr_parse_fail(err, 1, "\"running/tasks\" expected after the averages", -EBADMSG);
        size_t a = (size_t) (slash - tok.p);
        if (hr_parse_u64(tok.p, a, &running) < 0 || hr_parse_u64(slash + 1, tok.n - a - 1, &tasks) < 0 ||
            running > tasks || tasks > UINT32_MAX)
                return hr_parse_fail(err, 1, "malformed \"running/tasks\"", -EINVAL);
        if (!hr_next_token(&line, &tok))
                return hr_parse_fail(err, 1, "the last pid is missing", -EBADMSG);
        if (hr_parse_u64(tok.p, tok.n, &last) < 0 || last > INT32_MAX)
                return hr_parse_fail(err, 1, "malformed last pid", -EINVAL);
        if (hr_next_token(&line, &tok))
                return hr_parse_fail(err, 1, "unexpected field after the last pid", -EINVAL);

        la.tasks = (uint32_t) tasks;
        la.last_pid = (int32_t) last;
        *ret = la;
        return 0;
}
