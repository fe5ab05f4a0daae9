/* SPDX-License-Identifier: MIT */
/* PSI triggers: kernel-side stall thresholds that wake an epoll loop (EPOLLPRI) when crossed. */
#pragma once

#include <stdbool.h>

#include "shared/macros.h"

typedef enum HrStall {
        HR_STALL_SOME,
        HR_STALL_FULL,
        _HR_STALL_MAX,
} HrStall;

typedef struct HrTriggerSpec {
        HrStall stall;
        uint32_t threshold_permyriad; /* share of the window that must be stalled */
        usec_t window_usec;
} HrTriggerSpec;

/* Formats "some 100000 1000000" into buf. Returns the length without the NUL, or -ENOSPC/-EINVAL. */
int hr_psi_trigger_format(const HrTriggerSpec *spec, char *buf, size_t size);

/* Opens rel (relative to dirfd) O_RDWR|O_NONBLOCK and registers the trigger, writing the string *with*
 * its NUL (the /proc/pressure handler overwrites the last byte written). Returns the fd to poll for
 * EPOLLPRI, or -errno: -EINVAL for a window this caller may not use (unprivileged: not a multiple of
 * 2 s), -EACCES/-EPERM (pre-6.4 kernels without CAP_SYS_RESOURCE), -ENOENT/-EOPNOTSUPP (PSI off),
 * -ENOTTY when the file is not on procfs or cgroup2 (a fixture tree: nothing is written). */
int hr_psi_trigger_open(int dirfd, const char *rel, const HrTriggerSpec *spec);

/* Registers spec, retrying with the window rounded up to the next multiple of 2 s (the unprivileged
 * rule since 6.4) if the kernel refuses it with EINVAL. *ret_window_usec gets the window in use. */
int hr_psi_trigger_open_fallback(int dirfd, const char *rel, const HrTriggerSpec *spec, usec_t *ret_window_usec);
