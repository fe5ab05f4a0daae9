/* SPDX-License-Identifier: MIT */
/* Pure parsers of kernel text files over (buf, len): PSI, meminfo, vmstat, swaps, zram mm_stat.
 * They never open files, never allocate, tolerate unknown lines and reject malformed known ones. */
#pragma once

#include <stddef.h>

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

/* Strict unsigned decimal over exactly n bytes: no sign, no spaces, no overflow. */
int hr_parse_u64(const char *s, size_t n, uint64_t *ret);

/* /proc/self/mountinfo: the mount point of the first cgroup2 line, unescaped, into ret (size bytes).
 * "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw". -ENOENT when there is none. */
int hr_parse_mountinfo_cgroup2(const char *buf, size_t len, char *ret, size_t size, HrParseErr *err);
