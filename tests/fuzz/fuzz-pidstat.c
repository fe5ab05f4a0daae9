/* SPDX-License-Identifier: MIT */
/* Fuzz target of the per-process parsers (parse/pidstat.c): the same bytes as /proc/PID/stat, status, cgroup,
 * cmdline, oom_score, oom_score_adj and an /etc/passwd line. Checks the error contract of each, the invariants
 * of a success (comm terminated, state known, ranges, paths inside the input) and write-back round trips. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-util.h"
#include "parse/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define INPUT_MAX (16 * 1024)
#define POISON FUZZ_POISON

static bool poisoned(const void *p, size_t n) {
        return fuzz_poisoned(p, n, POISON);
}

static void check_error(int r, const HrParseErr *err) {
        if (r != -EBADMSG && r != -EINVAL && r != -ERANGE)
                abort();
        if (!err->why || !err->why[0])
                abort();
}

static void fuzz_stat(const char *buf, size_t len) {
        static char text[512];
        HrPidStat s, again;
        HrParseErr err = {};

        memset(&s, POISON, sizeof s);
        int r = hr_parse_pid_stat(buf, len, &s, &err);
        if (r < 0) {
                check_error(r, &err);
                if (!poisoned(&s, sizeof s))
                        abort();
                return;
        }
        if (r != 0 || s.pid <= 0 || s.ppid < 0 || s.pgrp < 0 || s.session < 0 || s.ppid == s.pid)
                abort();
        if (s.comm[HR_COMM_MAX - 1] != '\0' || !s.state || !strchr("RSDTtZXxIKWP", s.state))
                abort();
        /* comm is what lies between the first '(' and the last ')', cut to 15 bytes. */
        const char *open = memchr(buf, '(', len), *close = memrchr(buf, ')', len);
        size_t n = (size_t) (close - open - 1);
        size_t comm_len = strlen(s.comm);
        if (comm_len != (n < HR_COMM_MAX - 1 ? n : HR_COMM_MAX - 1) || memcmp(s.comm, open + 1, comm_len) != 0)
                abort();

        /* Written back with the fields it uses (and zeros between), it parses to the same. */
        int k = snprintf(text, sizeof text,
                         "%d (%s) %c %d %d %d 0 -1 %" PRIu32 " %" PRIu64 " 0 %" PRIu64 " 0 %" PRIu64 " %" PRIu64
                         " 0 0 20 0 %" PRIu32 " 0 %" PRIu64 " 4096 %" PRIu64 " 18446744073709551615 1 1 0 0 0\n",
                         (int) s.pid, s.comm, s.state, (int) s.ppid, (int) s.pgrp, (int) s.session, s.flags, s.minflt,
                         s.majflt, s.utime, s.stime, s.num_threads, s.start_time, s.rss_pages);
        if (k <= 0 || (size_t) k >= sizeof text)
                abort();
        memset(&again, POISON, sizeof again);
        if (hr_parse_pid_stat(text, (size_t) k, &again, NULL) != 0 || again.pid != s.pid ||
            strcmp(again.comm, s.comm) != 0 || again.state != s.state || again.ppid != s.ppid ||
            again.pgrp != s.pgrp || again.session != s.session || again.flags != s.flags ||
            again.minflt != s.minflt || again.majflt != s.majflt || again.utime != s.utime ||
            again.stime != s.stime || again.num_threads != s.num_threads || again.start_time != s.start_time ||
            again.rss_pages != s.rss_pages)
                abort();
}

static void fuzz_status(const char *buf, size_t len) {
        static char text[512];
        HrPidStatus s, again;
        HrParseErr err = {};

        memset(&s, POISON, sizeof s);
        int r = hr_parse_pid_status(buf, len, &s, &err);
        if (r < 0) {
                check_error(r, &err);
                if (!poisoned(&s, sizeof s))
                        abort();
                return;
        }
        if (r != 0 || s.uid == (uid_t) -1 || s.kthread < -1 || s.kthread > 1)
                abort();
        if (!s.has_mm && (s.rss_anon_kib || s.rss_file_kib || s.rss_shmem_kib))
                abort();

        int k = snprintf(text, sizeof text, "Name:\tx\nUid:\t%u\t0\t0\t0\n", (unsigned) s.uid);
        if (s.kthread >= 0)
                k += snprintf(text + k, sizeof text - (size_t) k, "Kthread:\t%d\n", s.kthread);
        if (s.has_mm)
                k += snprintf(text + k, sizeof text - (size_t) k,
                              "RssAnon:\t%8" PRIu64 " kB\nRssFile:\t%8" PRIu64 " kB\nRssShmem:\t%8" PRIu64 " kB\n",
                              s.rss_anon_kib, s.rss_file_kib, s.rss_shmem_kib);
        k += snprintf(text + k, sizeof text - (size_t) k, "VmSwap:\t%8" PRIu64 " kB\nThreads:\t1\n", s.swap_kib);
        memset(&again, POISON, sizeof again);
        if (hr_parse_pid_status(text, (size_t) k, &again, NULL) != 0 || again.uid != s.uid ||
            again.has_mm != s.has_mm || again.rss_anon_kib != s.rss_anon_kib || again.rss_file_kib != s.rss_file_kib ||
            again.rss_shmem_kib != s.rss_shmem_kib || again.swap_kib != s.swap_kib || again.kthread != s.kthread)
                abort();
}

static void fuzz_cgroup(const char *buf, size_t len) {
        static char text[INPUT_MAX + 64];
        const char *path = (const char *) 1;
        size_t n = 12345;
        HrParseErr err = {};

        int r = hr_parse_pid_cgroup(buf, len, &path, &n, &err);
        if (r < 0) {
                if (r != -ENOENT && r != -EINVAL)
                        abort();
                if (!err.why || !err.why[0] || path != (const char *) 1 || n != 12345)
                        abort();
                return;
        }
        if (r != 0 || n == 0 || path < buf || path + n > buf + len || path[0] != '/' || memchr(path, '\0', n) ||
            memchr(path, '\n', n))
                abort();
        /* Written back as a removed cgroup, with a v1 line first: the same path. */
        int k = snprintf(text, sizeof text, "12:memory:/x\n0::%.*s (deleted)\n", (int) n, path);
        const char *p2;
        size_t n2;
        if (hr_parse_pid_cgroup(text, (size_t) k, &p2, &n2, NULL) != 0 || n2 != n || memcmp(p2, path, n) != 0)
                abort();
}

static void fuzz_cmdline(const char *buf, size_t len, uint8_t pick) {
        static char out[INPUT_MAX + 1], inplace[INPUT_MAX + 1];
        size_t sizes[] = { 0, 1, 2, (size_t) pick % 64 + 1, len, len + 1, sizeof out };

        /* What it must give: trailing NULs dropped, the rest cut at size - 1, NULs turned into spaces. */
        size_t trimmed = len;
        while (trimmed > 0 && buf[trimmed - 1] == '\0')
                trimmed--;
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
                size_t s = sizes[i];
                memset(out, 'Z', sizeof out);
                size_t n = hr_parse_cmdline(buf, len, out, s);
                if (s == 0) {
                        if (n != 0 || out[0] != 'Z')
                                abort();
                        continue;
                }
                if (n != (trimmed < s - 1 ? trimmed : s - 1) || out[n] != '\0' || (s < sizeof out && out[s] != 'Z'))
                        abort();
                for (size_t k = 0; k < n; k++)
                        if (out[k] != (buf[k] ? buf[k] : ' '))
                                abort();
        }
        /* In place, as io/procfs.c calls it. */
        memcpy(inplace, buf, len);
        size_t n = hr_parse_cmdline(inplace, len, inplace, len + 1);
        if (n != trimmed || inplace[n] != '\0' || memchr(inplace, '\0', n))
                abort();
}

static void fuzz_oom(const char *buf, size_t len) {
        HrParseErr err = {};
        int32_t v = 0x5a5a5a5a;
        char text[16];

        int r = hr_parse_oom_score(buf, len, &v, &err);
        if (r < 0) {
                check_error(r, &err);
                if (v != 0x5a5a5a5a)
                        abort();
        } else if (r != 0 || v < 0 || v > 2000 ||
                   hr_parse_oom_score(text, (size_t) snprintf(text, sizeof text, "%d\n", (int) v), &v, NULL) != 0)
                abort();

        v = 0x5a5a5a5a;
        r = hr_parse_oom_score_adj(buf, len, &v, &err);
        if (r < 0) {
                check_error(r, &err);
                if (v != 0x5a5a5a5a)
                        abort();
                return;
        }
        int32_t again;
        if (r != 0 || v < -1000 || v > 1000 ||
            hr_parse_oom_score_adj(text, (size_t) snprintf(text, sizeof text, "%d", (int) v), &again, NULL) != 0 ||
            again != v)
                abort();
}

static void fuzz_passwd(const char *buf, size_t len) {
        static char text[INPUT_MAX + 64];
        HrPasswdLine p, again;
        HrParseErr err = {};

        memset(&p, POISON, sizeof p);
        int r = hr_parse_passwd_line(buf, len, &p, &err);
        if (r < 0) {
                if (r != -ENOENT && r != -EINVAL && r != -ERANGE)
                        abort();
                if (!err.why || !err.why[0] || !poisoned(&p, sizeof p))
                        abort();
                return;
        }
        if (r != 0 || p.name != buf || p.name_len == 0 || p.name_len > len || p.uid == (uid_t) -1)
                abort();
        for (size_t i = 0; i < p.name_len; i++)
                if ((unsigned char) p.name[i] <= ' ' || p.name[i] == ':' || p.name[i] == 0x7f)
                        abort();
        int k = snprintf(text, sizeof text, "%.*s:x:%u:%u::/:/bin/sh", (int) p.name_len, p.name, (unsigned) p.uid,
                         (unsigned) p.uid);
        if (hr_parse_passwd_line(text, (size_t) k, &again, NULL) != 0 || again.uid != p.uid ||
            again.name_len != p.name_len || memcmp(again.name, p.name, p.name_len) != 0)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *buf = (const char *) data;

        if (size > INPUT_MAX)
                return 0;
        fuzz_stat(buf, size);
        fuzz_status(buf, size);
        fuzz_cgroup(buf, size);
        fuzz_cmdline(buf, size, size ? data[0] : 0);
        fuzz_oom(buf, size);
        /* passwd is read a line at a time: each line of the input, and the whole of it. */
        const char *p = buf, *end = buf + size;
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                size_t n = nl ? (size_t) (nl - p) : (size_t) (end - p);
                fuzz_passwd(p, n);
                p += n + 1;
        }
        fuzz_passwd(buf, size);
        return 0;
}
