/* SPDX-License-Identifier: MIT */
/* Unit tests of parse/pidstat.c: /proc/PID/stat, status, cgroup, cmdline, oom_score(_adj) and /etc/passwd lines,
 * table-driven with the hostile inputs a process can make the kernel print. */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parse/parse.h"

#include "parse-expect.h"

/* The span hr_parse_pid_cgroup returns, as a result type the runner can poison. */
typedef struct CgroupSpan {
        const char *p;
        size_t n;
} CgroupSpan;

static int stat_v(const char *b, size_t n, void *r, HrParseErr *e) { return hr_parse_pid_stat(b, n, r, e); }
static int status_v(const char *b, size_t n, void *r, HrParseErr *e) { return hr_parse_pid_status(b, n, r, e); }
static int score_v(const char *b, size_t n, void *r, HrParseErr *e) { return hr_parse_oom_score(b, n, r, e); }
static int adj_v(const char *b, size_t n, void *r, HrParseErr *e) { return hr_parse_oom_score_adj(b, n, r, e); }
static int passwd_v(const char *b, size_t n, void *r, HrParseErr *e) { return hr_parse_passwd_line(b, n, r, e); }
static int cgroup_v(const char *b, size_t n, void *r, HrParseErr *e) {
        CgroupSpan *s = r;
        return hr_parse_pid_cgroup(b, n, &s->p, &s->n, e);
}

static const Parser P_STAT = { "stat", stat_v, sizeof(HrPidStat) };
static const Parser P_STATUS = { "status", status_v, sizeof(HrPidStatus) };
static const Parser P_SCORE = { "oom_score", score_v, sizeof(int32_t) };
static const Parser P_ADJ = { "oom_score_adj", adj_v, sizeof(int32_t) };
static const Parser P_PASSWD = { "passwd", passwd_v, sizeof(HrPasswdLine) };
static const Parser P_CGROUP = { "cgroup", cgroup_v, sizeof(CgroupSpan) };

static unsigned char sentinel[sizeof(HrPidStat) + sizeof(HrPidStatus)];

static char *run(const Parser *p, const char *name, const char *in, size_t len, int want_r, unsigned want_line,
                 void *ret) {
        return parse_check(p, sentinel, name, in, len, want_r, want_line, ret);
}

/* ---- stat --------------------------------------------------------------------------------------------- */

typedef struct StatCase {
        CASE_HEAD;
        HrPidStat want;
} StatCase;

/* Fields 7 onward of a real 6.18 line ("cat" reading /proc/self/stat), after the state, ppid, pgrp and session. */
#define REST7 " 0 -1 4194304 99 0 0 0 0 0 0 0 20 0 1 0 170747 3133440 408 18446744073709551615 94292185346048 " \
              "94292185365929 140726780721040 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 94292185381936 94292185383552 "  \
              "94292654325760 140726780725891 140726780725911 140726780725911 140726780727275 0\n"
#define WANT_REST .flags = 4194304, .minflt = 99, .num_threads = 1, .start_time = 170747, .rss_pages = 408

static const StatCase stat_cases[] = {
        { "6.18 cat", IN("25606 (cat) R 25599 25599 18262" REST7),
          .want = { 25606, "cat", 'R', 25599, 25599, 18262, WANT_REST } },
        { "every used field distinct",
          IN("100 (leaky) S 1 101 102 34816 100 4194560 5000 7 30 2 120 45 0 0 20 0 4 0 987654 1073741824 262144\n"),
          .want = { 100, "leaky", 'S', 1, 101, 102, 4194560, 5000, 30, 120, 45, 4, 987654, 262144 } },
        { "comm \"x) S 1 (y z\" (kernel-interfaces.md 3.1)",
          IN("7601 (x) S 1 (y z) S 7600 7592 32155 0 -1 4194368 20 0 0 0 0 0 0 0 20 0 1 0 170747 3133440 408 0\n"),
          .want = { 7601, "x) S 1 (y z", 'S', 7600, 7592, 32155, 4194368, 20, 0, 0, 0, 1, 170747, 408 } },
        { "comm \"foo) Z \"", IN("9 (foo) Z ) S 1 9 9" REST7), .want = { 9, "foo) Z ", 'S', 1, 9, 9, WANT_REST } },
        { "comm with newline", IN("42 (a\nb) S 1 42 42" REST7), .want = { 42, "a\nb", 'S', 1, 42, 42, WANT_REST } },
        { "comm only ')'", IN("43 ()) S 1 43 43" REST7), .want = { 43, ")", 'S', 1, 43, 43, WANT_REST } },
        { "comm \"()(\"", IN("44 (()() S 1 44 44" REST7), .want = { 44, "()(", 'S', 1, 44, 44, WANT_REST } },
        { "empty comm", IN("45 () S 1 45 45" REST7), .want = { 45, "", 'S', 1, 45, 45, WANT_REST } },
        { "15-byte comm kept whole", IN("46 (123456789012345) S 1 46 46" REST7),
          .want = { 46, "123456789012345", 'S', 1, 46, 46, WANT_REST } },
        { "kworker name longer than 15 is cut",
          IN("81 (kworker/u8:2-events_unbound) I 2 0 0 0 -1 69238880 0 0 0 0 0 41 0 0 20 0 1 0 135 0 0 0\n"),
          .want = { 81, "kworker/u8:2-ev", 'I', 2, 0, 0, 69238880, 0, 0, 0, 41, 1, 135, 0 } },
        { "PID 1: ppid 0", IN("1 (systemd) S 0 1 1" REST7), .want = { 1, "systemd", 'S', 0, 1, 1, WANT_REST } },
        { "no trailing newline", IN("47 (a) S 1 47 47 0 -1 1 2 0 3 0 4 5 0 0 20 0 6 0 7 0 8"),
          .want = { 47, "a", 'S', 1, 47, 47, 1, 2, 3, 4, 5, 6, 7, 8 } },
        { "extra blanks between fields", IN("48 (a)  S  1 48 48 0 -1 1 2 0 3 0 4 5 0 0 20 0 6 0 7 0 8\n"),
          .want = { 48, "a", 'S', 1, 48, 48, 1, 2, 3, 4, 5, 6, 7, 8 } },
        { "exactly 24 fields", IN("49 (a) t 1 49 49 0 -1 1 2 0 3 0 4 5 0 0 20 0 6 0 7 0 8\n"),
          .want = { 49, "a", 't', 1, 49, 49, 1, 2, 3, 4, 5, 6, 7, 8 } },
        { "u64 max starttime", IN("50 (a) D 1 50 50 0 -1 1 2 0 3 0 4 5 0 0 20 0 6 0 18446744073709551615 0 8\n"),
          .want = { 50, "a", 'D', 1, 50, 50, 1, 2, 3, 4, 5, 6, UINT64_MAX, 8 } },
        { "pid max", IN("2147483647 (a) S 1 1 1" REST7), .want = { INT32_MAX, "a", 'S', 1, 1, 1, WANT_REST } },

        { "empty", IN(""), -EBADMSG, 1 },
        { "no parentheses", IN("25606 cat R 25599 25599 18262" REST7), -EBADMSG, 1 },
        { "')' before '('", IN("5 )a( S 1 5 5" REST7), -EBADMSG, 1 },
        { "only pid and comm", IN("5 (a)"), -EBADMSG, 1 },
        { "only pid and comm, newline", IN("5 (a)\n"), -EBADMSG, 1 },
        { "truncated after starttime", IN("51 (a) S 1 51 51 0 -1 1 2 0 3 0 4 5 0 0 20 0 6 0 7\n"), -EBADMSG, 1 },
        { "truncated before flags", IN("52 (a) S 1 52 52 0\n"), -EBADMSG, 1 },
        { "truncated inside a hostile comm", IN("7601 (x) S 1 (y"), -EINVAL, 1 },
        { "pid not numeric", IN("abc (a) S 1 1 1" REST7), -EINVAL, 1 },
        { "no pid", IN("(a) S 1 1 1" REST7), -EINVAL, 1 },
        { "pid without space", IN("53(a) S 1 53 53" REST7), -EINVAL, 1 },
        { "pid 0", IN("0 (a) S 1 1 1" REST7), -ERANGE, 1 },
        { "pid past int32", IN("2147483648 (a) S 1 1 1" REST7), -ERANGE, 1 },
        { "negative pid", IN("-5 (a) S 1 1 1" REST7), -EINVAL, 1 },
        { "NUL in comm", IN("54 (a\0b) S 1 54 54" REST7), -EINVAL, 1 },
        { "no space after comm", IN("55 (a)S 1 55 55" REST7), -EINVAL, 1 },
        { "unknown state", IN("56 (a) Q 1 56 56" REST7), -EINVAL, 1 },
        { "two-letter state", IN("57 (a) SS 1 57 57" REST7), -EINVAL, 1 },
        { "NUL state", IN("58 (a) \0 1 58 58" REST7), -EINVAL, 1 },
        { "negative ppid", IN("59 (a) S -1 59 59" REST7), -EINVAL, 1 },
        { "ppid past int32", IN("60 (a) S 2147483648 60 60" REST7), -ERANGE, 1 },
        { "own parent", IN("61 (a) S 61 61 61" REST7), -EINVAL, 1 },
        { "flags past u32", IN("62 (a) S 1 62 62 0 -1 4294967296 2 0 3 0 4 5 0 0 20 0 6 0 7 0 8\n"), -ERANGE, 1 },
        { "starttime not a number", IN("63 (a) S 1 63 63 0 -1 1 2 0 3 0 4 5 0 0 20 0 6 0 7x 0 8\n"), -EINVAL, 1 },
        { "starttime past u64", IN("64 (a) S 1 64 64 0 -1 1 2 0 3 0 4 5 0 0 20 0 6 0 18446744073709551616 0 8\n"),
          -ERANGE, 1 },
        { "newline inside the fields", IN("65 (a) S 1 65 65 0 -1 1 2 0 3\n0 4 5 0 0 20 0 6 0 7 0 8\n"), -EINVAL, 1 },
        { "NUL inside the fields", IN("66 (a) S 1 66 66 0 -1 1 2 0 3 0 4\0005 0 0 20 0 6 0 7 0 8\n"), -EINVAL, 1 },
        { "negative rss", IN("67 (a) S 1 67 67 0 -1 1 2 0 3 0 4 5 0 0 20 0 6 0 7 0 -8\n"), -EINVAL, 1 },
};

static void test_stat(void **state) {
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(stat_cases); i++) {
                const StatCase *c = &stat_cases[i];
                HrPidStat s;
                free(run(&P_STAT, c->name, c->in, c->len, c->r, c->line, &s));
                if (c->r < 0)
                        continue;
                EXPECT_I(c->name, s.pid, c->want.pid);
                EXPECT_S(c->name, s.comm, c->want.comm);
                EXPECT_I(c->name, s.state, c->want.state);
                EXPECT_I(c->name, s.ppid, c->want.ppid);
                EXPECT_I(c->name, s.pgrp, c->want.pgrp);
                EXPECT_I(c->name, s.session, c->want.session);
                EXPECT_U(c->name, s.flags, c->want.flags);
                EXPECT_U(c->name, s.minflt, c->want.minflt);
                EXPECT_U(c->name, s.majflt, c->want.majflt);
                EXPECT_U(c->name, s.utime, c->want.utime);
                EXPECT_U(c->name, s.stime, c->want.stime);
                EXPECT_U(c->name, s.num_threads, c->want.num_threads);
                EXPECT_U(c->name, s.start_time, c->want.start_time);
                EXPECT_U(c->name, s.rss_pages, c->want.rss_pages);
        }
}

/* The kernel-thread flag as the scanner tests it. */
static void test_stat_kthread_flag(void **state) {
        static const char kworker[] = "81 (kworker/0:1) I 2 0 0 0 -1 69238880 0 0 0 0 0 41 0 0 20 0 1 0 135 0 0 0\n";
        static const char bash[] = "1234 (bash) S 1 1234 1234 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 9 0 0 0\n";
        HrPidStat s;
        (void) state;

        assert_int_equal(hr_parse_pid_stat(kworker, sizeof kworker - 1, &s, NULL), 0);
        assert_true(s.flags & HR_PF_KTHREAD);
        assert_int_equal(hr_parse_pid_stat(bash, sizeof bash - 1, &s, NULL), 0);
        assert_false(s.flags & HR_PF_KTHREAD);
}

/* ---- status ------------------------------------------------------------------------------------------- */

typedef struct StatusCase {
        CASE_HEAD;
        HrPidStatus want;
} StatusCase;

#define ST_HEAD "Name:\tcat\nUmask:\t0022\nState:\tR (running)\nTgid:\t25604\nNgid:\t0\nPid:\t25604\nPPid:\t25599\n" \
                "TracerPid:\t0\n"
#define ST_UID "Uid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\nFDSize:\t256\nGroups:\t27 100 \n"
#define ST_MM  "VmPeak:\t    3060 kB\nVmSize:\t    3060 kB\nVmLck:\t       0 kB\nVmPin:\t       0 kB\n"       \
               "VmHWM:\t    1756 kB\nVmRSS:\t   42292 kB\nRssAnon:\t   41052 kB\nRssFile:\t    1240 kB\n"       \
               "RssShmem:\t       0 kB\nVmData:\t     360 kB\nVmStk:\t     132 kB\nVmExe:\t      20 kB\n"        \
               "VmLib:\t    1528 kB\nVmPTE:\t      44 kB\nVmSwap:\t    2048 kB\nHugetlbPages:\t       0 kB\n"
#define ST_TAIL "CoreDumping:\t0\nTHP_enabled:\t1\nThreads:\t1\nSigQ:\t0/96365\nCpus_allowed_list:\t0-1\n" \
                "voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n"
#define WANT_MM .has_mm = true, .rss_anon_kib = 41052, .rss_file_kib = 1240, .rss_shmem_kib = 0, .swap_kib = 2048

static const StatusCase status_cases[] = {
        { "6.18 user process", IN(ST_HEAD ST_UID "Kthread:\t0\n" ST_MM ST_TAIL),
          .want = { .uid = 1000, WANT_MM, .kthread = 0 } },
        { "6.18 kernel thread: no Vm or Rss lines",
          IN("Name:\tkworker/0:1-events\nState:\tI (idle)\nPPid:\t2\nUid:\t0\t0\t0\t0\nKthread:\t1\nThreads:\t1\n"),
          .want = { .uid = 0, .has_mm = false, .kthread = 1 } },
        { "zombie: no Vm or Rss lines, no Kthread (before 6.x)", IN("Name:\tdefunct\nState:\tZ (zombie)\n" ST_UID),
          .want = { .uid = 1000, .kthread = -1 } },
        { "kernel before Kthread:", IN(ST_HEAD ST_UID ST_MM ST_TAIL), .want = { .uid = 1000, WANT_MM, .kthread = -1 } },
        { "uid differs from euid: the real one",
          IN("Uid:\t1000\t0\t0\t0\nRssAnon:\t1 kB\nRssFile:\t2 kB\nRssShmem:\t3 kB\nVmSwap:\t4 kB\n"),
          .want = { .uid = 1000, .has_mm = true, 1, 2, 3, 4, .kthread = -1 } },
        { "VmSwap absent", IN("Uid:\t5\t5\t5\t5\nRssAnon:\t1 kB\nRssFile:\t2 kB\nRssShmem:\t3 kB\n"),
          .want = { .uid = 5, .has_mm = true, 1, 2, 3, 0, .kthread = -1 } },
        { "unknown keys with known prefixes tolerated",
          IN("Uidx:\tjunk\nUid:\t7\t7\t7\t7\nRssAnonHuge:\tx\nRssAnon:\t1 kB\nRssFile:\t2 kB\nRssShmem:\t3 kB\n"
             "VmSwapped:\tjunk\nKthreads:\t9\nVmSwap:\t4 kB\n"),
          .want = { .uid = 7, .has_mm = true, 1, 2, 3, 4, .kthread = -1 } },
        { "nothing below VmSwap is read (a duplicate there goes unnoticed)",
          IN("Uid:\t1\t1\t1\t1\nRssAnon:\t1 kB\nRssFile:\t2 kB\nRssShmem:\t3 kB\nVmSwap:\t4 kB\nRssAnon:\tjunk\n"),
          .want = { .uid = 1, .has_mm = true, 1, 2, 3, 4, .kthread = -1 } },
        { "largest uid", IN("Uid:\t4294967294\t0\t0\t0\n"), .want = { .uid = 4294967294u, .kthread = -1 } },
        { "no trailing newline, CR tolerated as a blank", IN("Uid:\t1\t1\t1\t1\r\nVmSwap:\t4 kB"),
          .want = { .uid = 1, .swap_kib = 4, .kthread = -1 } },

        { "empty", IN(""), -EBADMSG, 0 },
        { "wrong file (stat)", IN("25606 (cat) R 25599 25599 18262" REST7), -EBADMSG, 0 },
        { "no Uid line", IN(ST_HEAD ST_MM), -EBADMSG, 0 },
        { "RssAnon alone", IN("Uid:\t1\t1\t1\t1\nRssAnon:\t1 kB\n"), -EBADMSG, 0 },
        { "RssShmem missing", IN("Uid:\t1\t1\t1\t1\nRssAnon:\t1 kB\nRssFile:\t2 kB\nVmSwap:\t4 kB\n"), -EBADMSG, 0 },
        { "duplicate Uid", IN("Uid:\t1\t1\t1\t1\nUid:\t2\t2\t2\t2\n"), -EINVAL, 2 },
        { "duplicate RssAnon", IN("Uid:\t1\t1\t1\t1\nRssAnon:\t1 kB\nRssAnon:\t1 kB\n"), -EINVAL, 3 },
        { "Uid with three ids", IN("Name:\tx\nUid:\t1\t1\t1\n"), -EINVAL, 2 },
        { "Uid with five ids", IN("Uid:\t1\t1\t1\t1\t1\n"), -EINVAL, 1 },
        { "Uid empty", IN("Uid:\n"), -EINVAL, 1 },
        { "Uid negative", IN("Uid:\t-1\t0\t0\t0\n"), -EINVAL, 1 },
        { "Uid (uid_t) -1", IN("Uid:\t4294967295\t0\t0\t0\n"), -ERANGE, 1 },
        { "Uid past u32", IN("Uid:\t4294967296\t0\t0\t0\n"), -ERANGE, 1 },
        { "RssAnon in MB", IN("Uid:\t1\t1\t1\t1\nRssAnon:\t1 MB\n"), -EINVAL, 2 },
        { "RssAnon without unit", IN("Uid:\t1\t1\t1\t1\nRssAnon:\t1\n"), -EINVAL, 2 },
        { "RssAnon empty", IN("Uid:\t1\t1\t1\t1\nRssAnon:\n"), -EINVAL, 2 },
        { "RssAnon negative", IN("Uid:\t1\t1\t1\t1\nRssAnon:\t-1 kB\n"), -EINVAL, 2 },
        { "VmSwap trailing garbage", IN("Uid:\t1\t1\t1\t1\nVmSwap:\t1 kB x\n"), -EINVAL, 2 },
        { "RssFile past u64", IN("Uid:\t1\t1\t1\t1\nRssFile:\t18446744073709551616 kB\n"), -ERANGE, 2 },
        { "Kthread 2", IN("Uid:\t1\t1\t1\t1\nKthread:\t2\n"), -EINVAL, 2 },
        { "Kthread empty", IN("Uid:\t1\t1\t1\t1\nKthread:\n"), -EINVAL, 2 },
};

static void test_status(void **state) {
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(status_cases); i++) {
                const StatusCase *c = &status_cases[i];
                HrPidStatus s;
                free(run(&P_STATUS, c->name, c->in, c->len, c->r, c->line, &s));
                if (c->r < 0)
                        continue;
                EXPECT_U(c->name, s.uid, c->want.uid);
                EXPECT_I(c->name, s.has_mm, c->want.has_mm);
                EXPECT_U(c->name, s.rss_anon_kib, c->want.rss_anon_kib);
                EXPECT_U(c->name, s.rss_file_kib, c->want.rss_file_kib);
                EXPECT_U(c->name, s.rss_shmem_kib, c->want.rss_shmem_kib);
                EXPECT_U(c->name, s.swap_kib, c->want.swap_kib);
                EXPECT_I(c->name, s.kthread, c->want.kthread);
        }
}

/* A status with 65536 supplementary groups: the Rss lines come after a ~450 KiB Groups line. */
static void test_status_huge_groups(void **state) {
        size_t cap = 600 * 1024, n = 0;
        char *buf = malloc(cap);
        HrPidStatus s;
        (void) state;

        assert_non_null(buf);
        n += (size_t) snprintf(buf + n, cap - n, "Uid:\t1000\t1000\t1000\t1000\nGroups:\t");
        for (unsigned g = 0; g < 65536; g++)
                n += (size_t) snprintf(buf + n, cap - n, "%u ", 100000 + g);
        n += (size_t) snprintf(buf + n, cap - n, "\nRssAnon:\t7 kB\nRssFile:\t8 kB\nRssShmem:\t9 kB\nVmSwap:\t10 kB\n");
        assert_true(n < cap);
        assert_int_equal(hr_parse_pid_status(buf, n, &s, NULL), 0);
        assert_int_equal(s.rss_anon_kib, 7);
        assert_int_equal(s.swap_kib, 10);
        free(buf);
}

/* ---- cgroup ------------------------------------------------------------------------------------------- */

typedef struct CgroupCase {
        CASE_HEAD;
        const char *want;
} CgroupCase;

#define APP_SCOPE "/user.slice/user-1000.slice/user@1000.service/app.slice/app-org.gnome.Terminal.slice/vte-spawn-1.scope"

static const CgroupCase cgroup_cases[] = {
        { "6.18 pure cgroup2", IN("0::" APP_SCOPE "\n"), .want = APP_SCOPE },
        { "hybrid: v1 lines first",
          IN("12:memory:/user.slice/user-1000.slice/session-2.scope\n11:pids:/user.slice\n"
             "1:name=systemd:/user.slice/user-1000.slice/session-2.scope\n0::" APP_SCOPE "\n"),
          .want = APP_SCOPE },
        { "root cgroup", IN("0::/\n"), .want = "/" },
        { "removed cgroup: \" (deleted)\" dropped", IN("0::/app.slice/gone.scope (deleted)\n"), .want = "/app.slice/gone.scope" },
        { "cgroup namespace: above the namespace root", IN("0::/../../system.slice/x.service\n"),
          .want = "/../../system.slice/x.service" },
        { "name with spaces and colons", IN("0::/a b/c:d\n"), .want = "/a b/c:d" },
        { "no trailing newline", IN("0::/x.scope"), .want = "/x.scope" },
        { "\"(deleted)\" inside the path kept", IN("0::/a (deleted)/b\n"), .want = "/a (deleted)/b" },
        { "unknown lines tolerated", IN("garbage\n\n0::/x\n"), .want = "/x" },

        { "empty", IN(""), -ENOENT, 0 },
        { "v1 only", IN("12:memory:/user.slice\n1:name=systemd:/user.slice\n"), -ENOENT, 0 },
        { "\"10::\" is not cgroup2", IN("10::/x\n"), -ENOENT, 0 },
        { "duplicate cgroup2 line", IN("0::/a\n0::/b\n"), -EINVAL, 2 },
        { "relative path", IN("0::user.slice\n"), -EINVAL, 1 },
        { "empty path", IN("1:cpu:/\n0::\n"), -EINVAL, 2 },
        { "only \" (deleted)\"", IN("0:: (deleted)\n"), -EINVAL, 1 },
        { "NUL in the path", IN("0::/a\0b\n"), -EINVAL, 1 },
};

static void test_cgroup(void **state) {
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(cgroup_cases); i++) {
                const CgroupCase *c = &cgroup_cases[i];
                CgroupSpan s;
                char *copy = run(&P_CGROUP, c->name, c->in, c->len, c->r, c->line, &s);
                if (c->r == 0) {
                        if (s.p < copy || s.p + s.n > copy + c->len)
                                fail_msg("case \"%s\": span outside the buffer", c->name);
                        if (s.n != strlen(c->want) || memcmp(s.p, c->want, s.n) != 0)
                                fail_msg("case \"%s\": \"%.*s\", want \"%s\"", c->name, (int) s.n, s.p, c->want);
                }
                free(copy);
        }
}

/* ---- cmdline ------------------------------------------------------------------------------------------ */

typedef struct CmdlineCase {
        const char *name, *in;
        size_t len, size;
        const char *want;
} CmdlineCase;

static void test_cmdline(void **state) {
        static const CmdlineCase cases[] = {
                { "6.18 foot --server", IN("/usr/bin/foot\0--server\0"), 64, "/usr/bin/foot --server" },
                { "one argument", IN("sleep\0"), 64, "sleep" },
                { "empty (zombie, kernel thread)", IN(""), 64, "" },
                { "only NULs", IN("\0\0\0"), 64, "" },
                { "no trailing NUL (setproctitle)", IN("sshd: alice [priv]"), 64, "sshd: alice [priv]" },
                { "padded with NULs (setproctitle)", IN("postgres: walwriter\0\0\0\0\0\0"), 64, "postgres: walwriter" },
                { "empty argument in the middle", IN("a\0\0b\0"), 64, "a  b" },
                { "leading empty argument", IN("\0a\0"), 64, " a" },
                { "spaces inside arguments kept", IN("sh\0-c\0echo hi\0"), 64, "sh -c echo hi" },
                { "newline inside an argument kept", IN("a\nb\0"), 64, "a\nb" },
                { "cut at size - 1", IN("abcdef\0ghi\0"), 5, "abcd" },
                { "cut exactly at a separator", IN("abcd\0efg\0"), 6, "abcd " },
                { "exactly fits", IN("abcd\0"), 5, "abcd" },
                { "size 1", IN("abc\0"), 1, "" },
        };
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const CmdlineCase *c = &cases[i];
                char *copy = malloc(c->len > 0 ? c->len : 1), out[80];
                assert_non_null(copy);
                memcpy(copy, c->in, c->len);
                memset(out, 'Z', sizeof out);
                size_t n = hr_parse_cmdline(copy, c->len, out, c->size);
                EXPECT_S(c->name, out, c->want);
                EXPECT_U(c->name, n, strlen(c->want));
                for (size_t k = c->size; k < sizeof out; k++)
                        if (out[k] != 'Z')
                                fail_msg("case \"%s\": wrote past size at %zu", c->name, k);
                /* In place: the same result over the input itself. */
                if (c->len > 0 && c->size <= c->len + 1) {
                        n = hr_parse_cmdline(copy, c->len, copy, MIN(c->size, c->len));
                        assert_true(n < c->len);
                        if (strncmp(copy, c->want, n) != 0)
                                fail_msg("case \"%s\": in place gives \"%s\"", c->name, copy);
                }
                free(copy);
        }

        char untouched = 'Z';
        assert_int_equal(hr_parse_cmdline("abc", 3, &untouched, 0), 0);
        assert_int_equal(untouched, 'Z');

        /* The real cap: HR_CMDLINE_MAX - 1 characters and the NUL. */
        static char big[2 * HR_CMDLINE_MAX], out[HR_CMDLINE_MAX];
        memset(big, 'a', sizeof big);
        for (size_t k = 7; k < sizeof big; k += 8)
                big[k] = '\0';
        assert_int_equal(hr_parse_cmdline(big, sizeof big, out, sizeof out), HR_CMDLINE_MAX - 1);
        assert_int_equal(strlen(out), HR_CMDLINE_MAX - 1);
        assert_int_equal(out[7], ' ');
        assert_null(memchr(out, '\0', HR_CMDLINE_MAX - 1));
}

/* ---- oom_score, oom_score_adj ------------------------------------------------------------------------- */

typedef struct IntCase {
        CASE_HEAD;
        int32_t want;
} IntCase;

static void run_ints(const Parser *p, const IntCase *cases, size_t n) {
        for (size_t i = 0; i < n; i++) {
                const IntCase *c = &cases[i];
                int32_t v;
                free(run(p, c->name, c->in, c->len, c->r, c->line, &v));
                if (c->r == 0)
                        EXPECT_I(c->name, v, c->want);
        }
}

static void test_oom_score(void **state) {
        static const IntCase cases[] = {
                { "6.18 adj-0 process", IN("667\n"), .want = 667 },
                { "zero", IN("0\n"), .want = 0 },
                { "max", IN("2000\n"), .want = 2000 },
                { "no newline", IN("42"), .want = 42 },
                { "past 2000", IN("2001\n"), -ERANGE, 1 },
                { "negative", IN("-1\n"), -ERANGE, 1 },
                { "empty", IN(""), -EBADMSG, 1 },
                { "newline only", IN("\n"), -EBADMSG, 1 },
                { "two newlines", IN("5\n\n"), -EINVAL, 1 },
                { "trailing space", IN("5 \n"), -EINVAL, 1 },
                { "two numbers", IN("5 6\n"), -EINVAL, 1 },
                { "NUL", IN("5\0\n"), -EINVAL, 1 },
                { "past int32", IN("99999999999\n"), -ERANGE, 1 },
        };
        (void) state;
        run_ints(&P_SCORE, cases, ELEMENTSOF(cases));
}

static void test_oom_score_adj(void **state) {
        static const IntCase cases[] = {
                { "never kill", IN("-1000\n"), .want = -1000 },
                { "default", IN("0\n"), .want = 0 },
                { "browser renderer", IN("300\n"), .want = 300 },
                { "max", IN("1000\n"), .want = 1000 },
                { "past 1000", IN("1001\n"), -ERANGE, 1 },
                { "below -1000", IN("-1001\n"), -ERANGE, 1 },
                { "plus sign", IN("+5\n"), -EINVAL, 1 },
                { "empty", IN(""), -EBADMSG, 1 },
                { "lone minus", IN("-\n"), -EINVAL, 1 },
        };
        (void) state;
        run_ints(&P_ADJ, cases, ELEMENTSOF(cases));
}

/* ---- /etc/passwd -------------------------------------------------------------------------------------- */

typedef struct PasswdCase {
        CASE_HEAD;
        const char *want_name;
        uid_t want_uid;
} PasswdCase;

static void test_passwd(void **state) {
        static const PasswdCase cases[] = {
                { "Debian user", IN("alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash"), .want_name = "alice",
                  .want_uid = 1000 },
                { "root", IN("root:x:0:0:root:/root:/bin/bash"), .want_name = "root", .want_uid = 0 },
                { "nobody", IN("nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin"), .want_name = "nobody",
                  .want_uid = 65534 },
                { "empty optional fields", IN("svc::999:999:::"), .want_name = "svc", .want_uid = 999 },
                { "systemd dynamic user", IN("systemd-coredump:x:999:999:systemd Core Dumper:/:/usr/sbin/nologin"),
                  .want_name = "systemd-coredump", .want_uid = 999 },
                { "largest uid", IN("big:x:4294967294:0::/:/bin/sh"), .want_name = "big", .want_uid = 4294967294u },

                { "comment", IN("# created by hand"), -ENOENT, 1 },
                { "indented comment", IN("   # x"), -ENOENT, 1 },
                { "blank", IN(""), -ENOENT, 1 },
                { "spaces", IN("  \t"), -ENOENT, 1 },
                { "NIS include", IN("+::::::"), -ENOENT, 1 },
                { "NIS exclude", IN("-baduser::::::"), -ENOENT, 1 },
                { "short line", IN("bob:x:1000"), -EINVAL, 1 },
                { "six fields", IN("bob:x:1000:1000::/home/bob"), -EINVAL, 1 },
                { "eight fields", IN("bob:x:1000:1000::/home/bob:/bin/sh:extra"), -EINVAL, 1 },
                { "empty name", IN(":x:1000:1000::/:/bin/sh"), -EINVAL, 1 },
                { "space in name", IN("bo b:x:1000:1000::/:/bin/sh"), -EINVAL, 1 },
                { "control character in name", IN("bo\033b:x:1000:1000::/:/bin/sh"), -EINVAL, 1 },
                { "uid not a number", IN("bob:x:abc:1000::/:/bin/sh"), -EINVAL, 1 },
                { "empty uid", IN("bob:x::1000::/:/bin/sh"), -EINVAL, 1 },
                { "negative uid", IN("bob:x:-1:1000::/:/bin/sh"), -EINVAL, 1 },
                { "uid (uid_t) -1", IN("bob:x:4294967295:0::/:/bin/sh"), -ERANGE, 1 },
                { "uid past u32", IN("bob:x:4294967296:0::/:/bin/sh"), -ERANGE, 1 },
        };
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const PasswdCase *c = &cases[i];
                HrPasswdLine pl;
                char *copy = run(&P_PASSWD, c->name, c->in, c->len, c->r, c->line, &pl);
                if (c->r == 0) {
                        if (pl.name != copy)
                                fail_msg("case \"%s\": name does not point at the line", c->name);
                        if (pl.name_len != strlen(c->want_name) || memcmp(pl.name, c->want_name, pl.name_len) != 0)
                                fail_msg("case \"%s\": name \"%.*s\"", c->name, (int) pl.name_len, pl.name);
                        EXPECT_U(c->name, pl.uid, c->want_uid);
                }
                free(copy);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_stat),
                cmocka_unit_test(test_stat_kthread_flag),
                cmocka_unit_test(test_status),
                cmocka_unit_test(test_status_huge_groups),
                cmocka_unit_test(test_cgroup),
                cmocka_unit_test(test_cmdline),
                cmocka_unit_test(test_oom_score),
                cmocka_unit_test(test_oom_score_adj),
                cmocka_unit_test(test_passwd),
        };
        memset(sentinel, SENTINEL, sizeof sentinel);
        return cmocka_run_group_tests(tests, NULL, NULL);
}
