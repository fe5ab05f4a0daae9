/* SPDX-License-Identifier: MIT */
/* Pure parsers of kernel text files over (buf, len): PSI, meminfo, vmstat, swaps, zram mm_stat, per-process files.
 * They never open files, never allocate, tolerate unknown lines and reject malformed known ones. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/proc.h"
#include "core/sample.h"

/* Where and why a parse failed. `why` is a static string; `line` is 1-based, 0 when not tied to a line. */
typedef struct HrParseErr {
        unsigned line;
        const char *why;
} HrParseErr;

/* Each parser returns 0 and fills *ret, or a negative errno and leaves *ret untouched:
 *   -EBADMSG  a required line or field is missing (empty file, wrong file);
 *   -EINVAL   a known field is malformed, duplicated or inconsistent;
 *   -ERANGE   a number does not fit.
 * err may be NULL; when given it is filled on failure. */

/* "some avg10=0.12 avg60=0.05 avg300=0.00 total=123456\nfull avg10=..." ("full" optional). */
int hr_parse_psi(const char *buf, size_t len, HrPsi *ret, HrParseErr *err);

/* "MemTotal:       24684084 kB". Requires MemTotal, MemFree, MemAvailable, SwapTotal, SwapFree. */
int hr_parse_meminfo(const char *buf, size_t len, HrMeminfo *ret, HrParseErr *err);

/* "pswpin 1234". Requires pswpin and pswpout. */
int hr_parse_vmstat(const char *buf, size_t len, HrVmstat *ret, HrParseErr *err);

/* "Filename\tType\tSize\tUsed\tPriority" header, then one device per line; names are octal-escaped. */
int hr_parse_swaps(const char *buf, size_t len, HrSwaps *ret, HrParseErr *err);

/* "152231936 39213322 40505344 0 40546304 0 0 1 1": at least the first three columns. */
int hr_parse_zram_mm_stat(const char *buf, size_t len, HrZramStat *ret, HrParseErr *err);

/* "0.52 0.41 0.38 2/1234 56789": tasks and the last pid (the averages are only checked). */
int hr_parse_loadavg(const char *buf, size_t len, HrLoadavg *ret, HrParseErr *err);

/* One address range of a process. */
typedef struct HrRange {
        uint64_t start;
        uint64_t len;
} HrRange;

/* /proc/PID/maps: the private writable mappings (not [vvar], [vdso], [vsyscall]), adjacent ones merged, into
 * ret[0..max) in address order; *ret_n how many, *ret_bytes their size. Ranges beyond max are not listed (the
 * rest of the file is still checked). On failure ret may have been written; *ret_n and *ret_bytes are not. */
int hr_parse_maps_ranges(const char *buf, size_t len, HrRange *ret, size_t max, size_t *ret_n, uint64_t *ret_bytes,
                         HrParseErr *err);

/* Strict unsigned decimal over exactly n bytes: no sign, no spaces, no overflow. */
int hr_parse_u64(const char *s, size_t n, uint64_t *ret);

/* A cgroup memory value (parse/cgmem.c): "max" (UINT64_MAX) or bytes, one line: memory.max, memory.current,
 * memory.swap.max, memory.high, v1's memory.limit_in_bytes and memory.usage_in_bytes. */
int hr_parse_cgroup_bytes(const char *buf, size_t len, uint64_t *ret, HrParseErr *err);

/* One key of a flat keyed file ("inactive_file 1048576" lines, memory.stat): -ENOENT when absent. */
int hr_parse_keyed_u64(const char *buf, size_t len, const char *key, uint64_t *ret, HrParseErr *err);

/* /proc/self/mountinfo: the mount point of the first cgroup v1 hierarchy holding `controller` ("memory"), into
 * ret like hr_parse_mountinfo_cgroup2. "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory". */
int hr_parse_mountinfo_cgroup1(const char *buf, size_t len, const char *controller, char *ret, size_t size,
                               HrParseErr *err);

/* /proc/self/mountinfo: the mount point of the first cgroup2 line, unescaped, into ret (size bytes).
 * "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw". -ENOENT when there is none. */
int hr_parse_mountinfo_cgroup2(const char *buf, size_t len, char *ret, size_t size, HrParseErr *err);

/* ---- Processes (parse/pidstat.c): /proc/PID/ stat, status, cgroup, cmdline, oom_score[_adj]; /etc/passwd ---- */

#define HR_PF_KTHREAD 0x00200000u /* stat field 9 (flags): a kernel thread */

/* What headroom uses of /proc/PID/stat. */
typedef struct HrPidStat {
        pid_t pid;
        char comm[HR_COMM_MAX];    /* truncated to 15 bytes; may hold spaces, parentheses and '\n' */
        char state;                /* R S D T t Z X I (and the older x K W P) */
        pid_t ppid, pgrp, session;
        uint32_t flags;            /* PF_*, see HR_PF_KTHREAD */
        uint64_t minflt, majflt;
        uint64_t utime, stime;     /* clock ticks */
        uint32_t num_threads;
        uint64_t start_time;       /* clock ticks since boot */
        uint64_t rss_pages;        /* field 24: anon + file + shmem, in pages */
} HrPidStat;

/* "7601 (x) S 1 (y z) S 7600 7592 32155 0 -1 4194368 20 0 0 0 0 0 0 0 20 0 1 0 170747 3133440 408 ...":
 * comm ends at the LAST ')'. Needs fields 1-24; later ones are ignored. Numbers are checked where used. */
int hr_parse_pid_stat(const char *buf, size_t len, HrPidStat *ret, HrParseErr *err);

/* What headroom uses of /proc/PID/status. */
typedef struct HrPidStatus {
        uid_t uid;                 /* real uid (first column of "Uid:") */
        bool has_mm;               /* RssAnon/RssFile/RssShmem present: false for kernel threads and zombies */
        uint64_t rss_anon_kib, rss_file_kib, rss_shmem_kib, swap_kib;
        int kthread;               /* "Kthread:" (6.x): 1 or 0, -1 when the kernel does not print it */
} HrPidStatus;

/* "Uid:\t1000\t1000\t1000\t1000", "RssAnon:\t   41052 kB", "VmSwap:\t       0 kB". Requires Uid; the three Rss
 * lines come all or none (-EBADMSG otherwise); VmSwap is optional. Stops after VmSwap, the last line it needs in
 * every kernel since 4.5: duplicates below it go unnoticed. */
int hr_parse_pid_status(const char *buf, size_t len, HrPidStatus *ret, HrParseErr *err);

/* /proc/PID/cgroup: sets *ret_path and *ret_len to the path of the cgroup2 line "0::/user.slice/app.scope", inside buf
 * and without the " (deleted)" suffix of a removed cgroup. -ENOENT when there is no "0::" line (cgroup v1 only),
 * -EINVAL when it is malformed (no leading '/', a NUL) or duplicated. v1 lines ("7:memory:/foo") are skipped. */
int hr_parse_pid_cgroup(const char *buf, size_t len, const char **ret_path, size_t *ret_len, HrParseErr *err);

/* /proc/PID/cmdline "/usr/bin/foot\0--server\0" -> "/usr/bin/foot --server" in ret (size bytes, always
 * NUL-terminated when size > 0): NULs become spaces, trailing NULs are dropped, the result is cut at size - 1
 * bytes. Empty input gives "". ret may equal buf (joined in place). Returns the length written. Never fails. */
size_t hr_parse_cmdline(const char *buf, size_t len, char *ret, size_t size);

/* /proc/PID/oom_score "667\n" (0..2000) and /proc/PID/oom_score_adj "-1000\n" (-1000..1000). */
int hr_parse_oom_score(const char *buf, size_t len, int32_t *ret, HrParseErr *err);
int hr_parse_oom_score_adj(const char *buf, size_t len, int32_t *ret, HrParseErr *err);

/* One /etc/passwd entry; name points into the parsed line. */
typedef struct HrPasswdLine {
        const char *name;
        size_t name_len;
        uid_t uid;
} HrPasswdLine;

/* One line (without its '\n') of /etc/passwd: "alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash", exactly seven
 * fields. -ENOENT for what is no entry (blank, '#' comment, NIS "+"/"-" lines), -EINVAL when malformed (short,
 * empty or blank-holding name), -ERANGE for a uid past 4294967294. */
int hr_parse_passwd_line(const char *line, size_t len, HrPasswdLine *ret, HrParseErr *err);

/* ---- GPU clients (parse/drm.c): /proc/PID/fdinfo/N of a DRM fd; the types are in parse/drm.h ---- */

#include "parse/drm.h"

/* "drm-driver:\ti915", "drm-client-id:\t42", "drm-pdev:\t0000:00:02.0", "drm-total-system0:\t4096 KiB",
 * "drm-resident-system0:\t8 MiB", "drm-memory-gtt: \t1024 KiB" (amdgpu's legacy keys): one word after the colon (the
 * driver's cut to 31 bytes), a size in bytes when it has no unit, else in B, KiB, MiB or GiB, rounded down to KiB.
 * Lines that are no "drm-" key (pos:, flags:, pasid:, amd-*) and drm- keys it does not use (drm-engine-*,
 * drm-cycles-*, drm-total-cycles-*, drm-active-*, drm-purgeable-*, drm-client-name) are skipped unread. Neither a
 * "drm-driver:" line nor any other drm- key: success with is_drm false (an fd that is no DRM client). -EBADMSG: drm-
 * keys but no "drm-driver:"; -EINVAL: a key it uses malformed (an empty or blank-holding region name, a value that is
 * not one word or "<uint>[ unit]", an unknown unit) or repeated; -ERANGE: a number past u64 or a size past
 * HR_DRM_KIB_MAX. */
int hr_parse_drm_fdinfo(const char *buf, size_t len, HrDrmFdinfo *ret, HrParseErr *err);
