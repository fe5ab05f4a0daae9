/* SPDX-License-Identifier: MIT */
/* Writing to cgroup2: the freezer (cgroup.freeze, cgroup.events), cgroup.kill and the one-line knobs of cgroup
 * relief (cpu.weight, cpu.max, memory.high, memory.low), for a cgroup named by its cgroup2 path
 * ("/user.slice/app-x.scope") under the root's cgroup2 mount. */
#pragma once

#include <stdbool.h>

#include "io/sysroot.h"

/* Writes "1" or "0" to <cgroup>/cgroup.freeze. Freezing is asynchronous: done when cgroup.events shows
 * "frozen 1". 0, -ENOENT (no such cgroup, or no freezer: kernels before 5.2), other -errno. */
int hr_cgroup_set_frozen(const HrSysroot *root, const char *cgroup, bool frozen);

/* Reads <cgroup>/cgroup.events. Either output may be NULL. 0 or -errno (-EBADMSG if malformed). */
int hr_cgroup_events(const HrSysroot *root, const char *cgroup, bool *ret_frozen, bool *ret_populated);

/* Opens <cgroup>/cgroup.events for polling: EPOLLPRI on every change (re-read after each). fd or -errno. */
int hr_cgroup_events_open(const HrSysroot *root, const char *cgroup);

/* Reads an fd from hr_cgroup_events_open() from the start; the read also acknowledges the change, so a
 * level-triggered poll stops reporting it. Either output may be NULL. 0 or -errno. */
int hr_cgroup_events_read(int fd, bool *ret_frozen, bool *ret_populated);

/* Writes "1" to <cgroup>/cgroup.kill (5.14+): SIGKILL to the whole subtree. 0, -ENOENT, -errno. */
int hr_cgroup_kill(const HrSysroot *root, const char *cgroup);

/* Reads a one-line interface file (cpu.weight, cpu.max, memory.high, memory.low) into buf without its newline.
 * 0, -ENOENT (no such cgroup, or the controller is not enabled for it), -EFBIG, other -errno. */
int hr_cgroup_read_value(const HrSysroot *root, const char *cgroup, const char *file, char *buf, size_t size);

/* Reads a whole interface file (memory.stat) into buf, NUL-terminated. The length, -ENOENT, -EFBIG, other -errno. */
ssize_t hr_cgroup_read_file(const HrSysroot *root, const char *cgroup, const char *file, char *buf, size_t size);

/* Writes value to <cgroup>/<file> in one write(). 0, -ENOENT, -EINVAL (the kernel refused the value), -errno. */
int hr_cgroup_write_value(const HrSysroot *root, const char *cgroup, const char *file, const char *value);

/* The number of processes in <cgroup>/cgroup.procs (not its children), or -errno. */
int hr_cgroup_count_procs(const HrSysroot *root, const char *cgroup);
