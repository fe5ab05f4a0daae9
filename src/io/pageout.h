/* SPDX-License-Identifier: MIT */
/* Paging a process's memory out to swap: process_madvise(MADV_PAGEOUT) on a pidfd over address ranges (from
 * hr_parse_maps_ranges). Needs CAP_SYS_NICE and PTRACE_MODE_READ on the target, and Linux 5.10 (5.12 for those
 * rights). Blocks while the kernel reclaims: call it off the event loop (daemon/pager.c). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "parse/parse.h"

/* Advises every range, IOV_MAX at a time. Returns 0 and *ret_bytes (what the kernel took advice for), or
 * -ENOSYS (no process_madvise), -EPERM (no CAP_SYS_NICE / not allowed), -ESRCH (gone). A range the kernel could not
 * advise (unmapped since, or one it will not page out) is skipped alone; the others are still advised. */
int hr_page_out(int pidfd, const HrRange *ranges, size_t n, uint64_t *ret_bytes);
