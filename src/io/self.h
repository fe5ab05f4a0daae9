/* SPDX-License-Identifier: MIT */
/* Self-protection of the daemon: stay resident (mlockall) and out of the OOM killer's way. */
#pragma once

/* Drops the executable's start-up-only headers and relocations from the page tables, touches `stack_kib` of
 * stack so it is resident, then mlockall(MCL_CURRENT|MCL_FUTURE|MCL_ONFAULT): pages are locked as they are
 * touched, so resident memory stays what the daemon really uses. Call it once start-up is done.
 * Needs CAP_IPC_LOCK beyond RLIMIT_MEMLOCK. Returns 0 or -errno. */
int hr_self_lock_memory(unsigned stack_kib);

/* Lowers our own oom_score_adj as far as allowed: tries `want`, then steps up towards the current
 * value (without CAP_SYS_RESOURCE the floor is what a privileged writer last set). Writes the value
 * in force to *ret_adj. Returns 0 if `want` was reached, 1 if a higher value had to do, or -errno. */
int hr_self_lower_oom_score_adj(int want, int *ret_adj);
