/* SPDX-License-Identifier: MIT */
/* Registration of PSI triggers on /proc/pressure/memory or a cgroup's memory.pressure, with the
 * privileged-window probe and the 2 s fallback for callers without CAP_SYS_RESOURCE. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "io/psi_trigger.h"

#define HR_PROC_SUPER_MAGIC 0x9fa0
#define HR_CGROUP2_SUPER_MAGIC 0x63677270

int hr_psi_trigger_format(const HrTriggerSpec *spec, char *buf, size_t size) {
        if (spec->window_usec == 0 || spec->threshold_permyriad == 0 || spec->threshold_permyriad > 10000 ||
            (unsigned) spec->stall >= _HR_STALL_MAX)
                return -EINVAL;
        usec_t threshold = spec->window_usec * spec->threshold_permyriad / 10000;
        if (threshold == 0)
                threshold = 1;
        int n = snprintf(buf, size, "%s %llu %llu", spec->stall == HR_STALL_SOME ? "some" : "full",
                         (unsigned long long) threshold, (unsigned long long) spec->window_usec);
        if (n < 0 || (size_t) n >= size)
                return -ENOSPC;
        return n;
}

int hr_psi_trigger_open(int dirfd, const char *rel, const HrTriggerSpec *spec) {
        char t[64];
        int n = hr_psi_trigger_format(spec, t, sizeof t);
        if (n < 0)
                return n;

        _cleanup_close_ int fd = openat(dirfd, rel, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        /* Only procfs and cgroup2 files take triggers; never write into a fixture tree's plain file. */
        struct statfs sfs;
        if (fstatfs(fd, &sfs) < 0)
                return -errno;
        if (sfs.f_type != HR_PROC_SUPER_MAGIC && sfs.f_type != HR_CGROUP2_SUPER_MAGIC)
                return -ENOTTY;
        /* strlen + 1: the kernel replaces the last byte written with NUL; without ours it would eat a digit. */
        ssize_t w = write(fd, t, (size_t) n + 1);
        if (w < 0)
                return -errno;
        if (w != n + 1)
                return -EIO;
        return TAKE_FD(fd);
}

int hr_psi_trigger_open_fallback(int dirfd, const char *rel, const HrTriggerSpec *spec, usec_t *ret_window_usec) {
        const usec_t step = 2 * USEC_PER_SEC;
        int fd = hr_psi_trigger_open(dirfd, rel, spec);

        if (fd == -EINVAL && spec->window_usec % step != 0) {
                HrTriggerSpec s2 = *spec;
                s2.window_usec = (spec->window_usec / step + 1) * step;
                fd = hr_psi_trigger_open(dirfd, rel, &s2);
                if (fd >= 0) {
                        *ret_window_usec = s2.window_usec;
                        return fd;
                }
        }
        if (fd >= 0)
                *ret_window_usec = spec->window_usec;
        return fd;
}
