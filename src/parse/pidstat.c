/* SPDX-License-Identifier: MIT */
/* Parsers of the per-process files the process inventory reads (/proc/PID/stat, status, cgroup, cmdline,
 * oom_score, oom_score_adj) and of /etc/passwd lines. Pure over (buf, len); they never allocate. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "parse/lex.h"
#include "parse/number.h"
#include "parse/parse.h"

/* hr_parse_u64 without its per-digit overflow check where none is possible (up to 19 digits): these parsers run
 * for every number of every process of every scan. */
static int parse_u64(HrSpan tok, uint64_t *ret) {
        uint64_t v = 0;

        if (tok.n == 0 || tok.n > 19)
                return hr_parse_u64(tok.p, tok.n, ret);
        for (size_t i = 0; i < tok.n; i++) {
                unsigned d = (unsigned) (unsigned char) tok.p[i] - '0';
                if (d > 9)
                        return -EINVAL;
                v = v * 10 + d;
        }
        *ret = v;
        return 0;
}

/* The next field of stat, which the kernel separates with single spaces (runs are tolerated, tabs are not). */
static bool next_field(HrSpan *cur, HrSpan *ret) {
        const char *p = cur->p, *end = cur->p + cur->n, *start;

        while (p < end && *p == ' ')
                p++;
        if (p == end)
                return false;
        start = p;
        while (p < end && *p != ' ')
                p++;
        *ret = (HrSpan) { start, (size_t) (p - start) };
        cur->p = p;
        cur->n = (size_t) (end - p);
        return true;
}

/* 0..INT32_MAX: ppid, pgrp and session are 0 for PID 1 and kernel threads. */
static int parse_pid(HrSpan tok, pid_t *ret) {
        uint64_t v;
        int r = parse_u64(tok, &v);
        if (r < 0)
                return r;
        if (v > INT32_MAX)
                return -ERANGE;
        *ret = (pid_t) v;
        return 0;
}

static int parse_u32(HrSpan tok, uint32_t *ret) {
        uint64_t v;
        int r = parse_u64(tok, &v);
        if (r < 0)
                return r;
        if (v > UINT32_MAX)
                return -ERANGE;
        *ret = (uint32_t) v;
        return 0;
}

/* A uid as the kernel prints it; (uid_t) -1 is "no uid" and never a process's. */
static int parse_uid(HrSpan tok, uid_t *ret) {
        uint32_t v;
        int r = parse_u32(tok, &v);
        if (r < 0)
                return r;
        if (v == UINT32_MAX)
                return -ERANGE;
        *ret = (uid_t) v;
        return 0;
}

/* /proc/PID/stat is one line, "%d (%s) %c %d %d %d ...". With comm set to "x) S 1 (y z" [6.18]:
 *
 *   7601 (x) S 1 (y z) S 7600 7592 32155 0 -1 4194368 20 0 0 0 0 0 0 0 20 0 1 0 170747 3133440 408 18446744...
 *
 * comm is what lies between the first '(' and the LAST ')': it may hold ')', '(', spaces and '\n', and kernel
 * threads print names longer than 15 bytes (cut here, as TASK_COMM_LEN does). Fields 3-24 follow. */
int hr_parse_pid_stat(const char *buf, size_t len, HrPidStat *ret, HrParseErr *err) {
        const char *open = memchr(buf, '(', len), *close = memrchr(buf, ')', len);
        HrPidStat s = {};
        HrSpan cur, tok;
        uint64_t v;
        size_t n;
        int r;

        if (!open || !close || close < open)
                return hr_parse_fail(err, 1, "no \"(comm)\"", -EBADMSG);
        if (open == buf || open[-1] != ' ')
                return hr_parse_fail(err, 1, "pid not followed by \" (\"", -EINVAL);
        r = hr_parse_u64(buf, (size_t) (open - 1 - buf), &v);
        if (r < 0)
                return hr_parse_fail(err, 1, "malformed pid", r);
        if (v == 0 || v > INT32_MAX)
                return hr_parse_fail(err, 1, "pid out of range", -ERANGE);
        s.pid = (pid_t) v;

        n = (size_t) (close - open - 1);
        if (memchr(open + 1, '\0', n))
                return hr_parse_fail(err, 1, "NUL in comm", -EINVAL);
        memcpy(s.comm, open + 1, MIN(n, sizeof s.comm - 1)); /* s is zeroed: stays terminated */

        cur = (HrSpan) { close + 1, len - (size_t) (close + 1 - buf) };
        if (cur.n > 0 && cur.p[cur.n - 1] == '\n')
                cur.n--;
        if (cur.n > 0 && cur.p[0] != ' ')
                return hr_parse_fail(err, 1, "no space after comm", -EINVAL);

        for (unsigned field = 3; field <= 24; field++) {
                const char *why = "malformed number";

                if (!next_field(&cur, &tok))
                        return hr_parse_fail(err, 1, "fewer than 24 fields", -EBADMSG);
                switch (field) {
                case 3:
                        r = tok.n == 1 && tok.p[0] != '\0' && strchr("RSDTtZXxIKWP", tok.p[0]) ? 0 : -EINVAL;
                        s.state = tok.p[0];
                        why = "unknown state";
                        break;
                case 4:
                        r = parse_pid(tok, &s.ppid);
                        why = "malformed ppid";
                        break;
                case 5:
                        r = parse_pid(tok, &s.pgrp);
                        why = "malformed pgrp";
                        break;
                case 6:
                        r = parse_pid(tok, &s.session);
                        why = "malformed session";
                        break;
                case 9:
                        r = parse_u32(tok, &s.flags);
                        why = "malformed flags";
                        break;
                case 10:
                        r = parse_u64(tok, &s.minflt);
                        break;
                case 12:
                        r = parse_u64(tok, &s.majflt);
                        break;
                case 14:
                        r = parse_u64(tok, &s.utime);
                        break;
                case 15:
                        r = parse_u64(tok, &s.stime);
                        break;
                case 20:
                        r = parse_u32(tok, &s.num_threads);
                        why = "malformed num_threads";
                        break;
                case 22:
                        r = parse_u64(tok, &s.start_time);
                        why = "malformed starttime";
                        break;
                case 24:
                        r = parse_u64(tok, &s.rss_pages);
                        why = "malformed rss";
                        break;
                default:
                        r = 0; /* not used: any token */
                        break;
                }
                if (r < 0)
                        return hr_parse_fail(err, 1, why, r);
        }
        if (s.ppid == s.pid)
                return hr_parse_fail(err, 1, "process is its own parent", -EINVAL);
        *ret = s;
        return 0;
}

enum {
        ST_UID,
        ST_RSS_ANON,
        ST_RSS_FILE,
        ST_RSS_SHMEM,
        ST_VM_SWAP,
        ST_KTHREAD,
        _ST_MAX,
};

/* The key of a status line (what precedes ':'), or -1: by length, then bytes. */
static int status_key(const char *p, size_t n) {
        switch (n) {
        case 3:
                return memcmp(p, "Uid", 3) == 0 ? ST_UID : -1;
        case 6:
                return memcmp(p, "VmSwap", 6) == 0 ? ST_VM_SWAP : -1;
        case 7:
                return memcmp(p, "RssAnon", 7) == 0   ? ST_RSS_ANON
                       : memcmp(p, "RssFile", 7) == 0 ? ST_RSS_FILE
                       : memcmp(p, "Kthread", 7) == 0 ? ST_KTHREAD
                                                      : -1;
        case 8:
                return memcmp(p, "RssShmem", 8) == 0 ? ST_RSS_SHMEM : -1;
        default:
                return -1;
        }
}

#define ST_RSS_ALL ((1u << ST_RSS_ANON) | (1u << ST_RSS_FILE) | (1u << ST_RSS_SHMEM))

/* "   41052 kB" */
static int parse_kib(HrSpan rest, uint64_t *ret) {
        HrSpan num, unit;
        int r;

        if (!hr_next_token(&rest, &num))
                return -EINVAL;
        r = parse_u64(num, ret);
        if (r < 0)
                return r;
        if (!hr_next_token(&rest, &unit) || !hr_span_eq(unit, "kB") || hr_next_token(&rest, &unit))
                return -EINVAL;
        return 0;
}

/* /proc/PID/status, "Key:\tvalue" lines [6.18], of which these are used:
 *
 *   Uid:	1000	1000	1000	1000
 *   Kthread:	0
 *   RssAnon:	   41052 kB
 *   RssFile:	    1240 kB
 *   RssShmem:	       0 kB
 *   VmSwap:	       0 kB
 *
 * Kernel threads and zombies have no mm: no Vm* or Rss* lines. Keys are matched whole ("RssAnonX" is unknown). */
int hr_parse_pid_status(const char *buf, size_t len, HrPidStatus *ret, HrParseErr *err) {
        HrSpan cur = { buf, len }, line, tok;
        HrPidStatus s = { .kthread = -1 };
        unsigned seen = 0, lineno = 0;
        int r;

        while (hr_next_line(&cur, &line)) {
                lineno++;
                /* Only lines starting U, R, V or K can matter: skip the other fifty cheaply. Keys are 3-8 bytes. */
                if (line.n < 4 || (line.p[0] != 'U' && line.p[0] != 'R' && line.p[0] != 'V' && line.p[0] != 'K'))
                        continue;
                const char *colon = memchr(line.p, ':', MIN(line.n, (size_t) 9));
                if (!colon)
                        continue;
                int k = status_key(line.p, (size_t) (colon - line.p));
                if (k < 0)
                        continue;
                if (seen & (1u << k))
                        return hr_parse_fail(err, lineno, "duplicate key", -EINVAL);
                seen |= 1u << k;

                HrSpan rest = { colon + 1, line.n - (size_t) (colon - line.p) - 1 };
                switch (k) {
                case ST_UID:
                        if (!hr_next_token(&rest, &tok))
                                return hr_parse_fail(err, lineno, "Uid value missing", -EINVAL);
                        r = parse_uid(tok, &s.uid);
                        if (r < 0)
                                return hr_parse_fail(err, lineno, "malformed Uid", r);
                        for (unsigned i = 1; i < 4; i++) {
                                uid_t other;
                                if (!hr_next_token(&rest, &tok) || parse_uid(tok, &other) < 0)
                                        return hr_parse_fail(err, lineno, "Uid needs real, effective, saved and fs",
                                                             -EINVAL);
                        }
                        if (hr_next_token(&rest, &tok))
                                return hr_parse_fail(err, lineno, "trailing garbage after Uid", -EINVAL);
                        break;
                case ST_KTHREAD:
                        if (!hr_next_token(&rest, &tok) || tok.n != 1 || (tok.p[0] != '0' && tok.p[0] != '1') ||
                            hr_next_token(&rest, &tok))
                                return hr_parse_fail(err, lineno, "Kthread is not 0 or 1", -EINVAL);
                        s.kthread = tok.p[0] - '0';
                        break;
                default: {
                        uint64_t *dst = k == ST_RSS_ANON    ? &s.rss_anon_kib
                                        : k == ST_RSS_FILE  ? &s.rss_file_kib
                                        : k == ST_RSS_SHMEM ? &s.rss_shmem_kib
                                                            : &s.swap_kib;
                        r = parse_kib(rest, dst);
                        if (r < 0)
                                return hr_parse_fail(err, lineno, "malformed \"<n> kB\" value", r);
                        break;
                }
                }
                /* VmSwap follows Uid, Kthread and the Rss lines in every kernel since 4.5: nothing below is used. */
                if (k == ST_VM_SWAP && (seen & (1u << ST_UID)))
                        break;
        }
        if (!(seen & (1u << ST_UID)))
                return hr_parse_fail(err, 0, "no Uid line", -EBADMSG);
        if ((seen & ST_RSS_ALL) != 0 && (seen & ST_RSS_ALL) != ST_RSS_ALL)
                return hr_parse_fail(err, 0, "RssAnon, RssFile and RssShmem must come together", -EBADMSG);
        s.has_mm = (seen & ST_RSS_ALL) == ST_RSS_ALL;
        *ret = s;
        return 0;
}

#define DELETED_SUFFIX " (deleted)"

/* /proc/PID/cgroup, "hierarchy-ID:controllers:path" per line; cgroup2 is the "0::" line. On a hybrid system [6.18]:
 *
 *   12:memory:/user.slice/user-1000.slice/session-2.scope
 *   0::/user.slice/user-1000.slice/user@1000.service/app.slice/app-org.gnome.Terminal.slice/vte-spawn-1.scope
 *
 * A process left in a removed cgroup reads "0::/app.slice/gone.scope (deleted)". */
int hr_parse_pid_cgroup(const char *buf, size_t len, const char **ret_path, size_t *ret_len, HrParseErr *err) {
        HrSpan cur = { buf, len }, line, path = {};
        unsigned lineno = 0;
        bool found = false;

        while (hr_next_line(&cur, &line)) {
                lineno++;
                if (line.n < 3 || memcmp(line.p, "0::", 3) != 0)
                        continue; /* a v1 hierarchy, or something unknown */
                if (found)
                        return hr_parse_fail(err, lineno, "duplicate cgroup2 line", -EINVAL);
                found = true;
                path = (HrSpan) { line.p + 3, line.n - 3 };
                size_t sl = strlen(DELETED_SUFFIX);
                if (path.n > sl && memcmp(path.p + path.n - sl, DELETED_SUFFIX, sl) == 0)
                        path.n -= sl;
                if (path.n == 0 || path.p[0] != '/')
                        return hr_parse_fail(err, lineno, "cgroup2 path does not start with '/'", -EINVAL);
                if (memchr(path.p, '\0', path.n))
                        return hr_parse_fail(err, lineno, "NUL in cgroup2 path", -EINVAL);
        }
        if (!found)
                return hr_parse_fail(err, 0, "no cgroup2 (\"0::\") line", -ENOENT);
        *ret_path = path.p;
        *ret_len = path.n;
        return 0;
}

/* /proc/PID/cmdline: the arguments, each NUL-terminated [6.18], or what the process wrote over them
 * (setproctitle: "sshd: alice [priv]" without a final NUL, or padded with NULs); empty for zombies.
 *
 *   /usr/bin/foot\0--server\0
 */
size_t hr_parse_cmdline(const char *buf, size_t len, char *ret, size_t size) {
        size_t n;

        if (size == 0)
                return 0;
        while (len > 0 && buf[len - 1] == '\0')
                len--;
        n = MIN(len, size - 1);
        if (ret != buf)
                memmove(ret, buf, n);
        for (char *z = memchr(ret, '\0', n); z; z = memchr(z + 1, '\0', n - (size_t) (z + 1 - ret)))
                *z = ' ';
        ret[n] = '\0';
        return n;
}

/* One decimal integer and an optional '\n'. */
static int parse_single_int(const char *buf, size_t len, int32_t min, int32_t max, int32_t *ret, HrParseErr *err) {
        int32_t v;
        int r;

        if (len > 0 && buf[len - 1] == '\n')
                len--;
        if (len == 0)
                return hr_parse_fail(err, 1, "empty", -EBADMSG);
        r = hr_parse_i32(buf, len, &v);
        if (r < 0)
                return hr_parse_fail(err, 1, "malformed number", r);
        if (v < min || v > max)
                return hr_parse_fail(err, 1, "out of range", -ERANGE);
        *ret = v;
        return 0;
}

/* /proc/PID/oom_score: "667\n" for an adj-0 process [6.18]; (1000 + badness) * 2 / 3, so 0..2000. */
int hr_parse_oom_score(const char *buf, size_t len, int32_t *ret, HrParseErr *err) {
        return parse_single_int(buf, len, 0, 2000, ret, err);
}

/* /proc/PID/oom_score_adj: "-1000\n" .. "1000\n"; "300\n" for a browser's renderer. */
int hr_parse_oom_score_adj(const char *buf, size_t len, int32_t *ret, HrParseErr *err) {
        return parse_single_int(buf, len, -1000, 1000, ret, err);
}

/* /etc/passwd, name:password:uid:gid:gecos:home:shell (passwd(5)):
 *
 *   alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash
 */
int hr_parse_passwd_line(const char *line, size_t len, HrPasswdLine *ret, HrParseErr *err) {
        HrSpan f[7];
        size_t start = 0, nf = 0, i = 0;
        uid_t uid;

        while (i < len && hr_is_space(line[i]))
                i++;
        if (i == len || line[i] == '#')
                return hr_parse_fail(err, 1, "blank or comment", -ENOENT);
        if (line[0] == '+' || line[0] == '-')
                return hr_parse_fail(err, 1, "NIS compat entry", -ENOENT);

        for (i = 0; i <= len; i++) {
                if (i < len && line[i] != ':')
                        continue;
                if (nf == ELEMENTSOF(f))
                        return hr_parse_fail(err, 1, "more than 7 fields", -EINVAL);
                f[nf++] = (HrSpan) { line + start, i - start };
                start = i + 1;
        }
        if (nf != ELEMENTSOF(f))
                return hr_parse_fail(err, 1, "fewer than 7 fields", -EINVAL);
        if (f[0].n == 0)
                return hr_parse_fail(err, 1, "empty name", -EINVAL);
        for (i = 0; i < f[0].n; i++) {
                unsigned char c = (unsigned char) f[0].p[i];
                if (c <= ' ' || c == 0x7f)
                        return hr_parse_fail(err, 1, "blank or control character in name", -EINVAL);
        }
        int r = parse_uid(f[2], &uid);
        if (r < 0)
                return hr_parse_fail(err, 1, "malformed uid", r);
        *ret = (HrPasswdLine) { .name = f[0].p, .name_len = f[0].n, .uid = uid };
        return 0;
}
