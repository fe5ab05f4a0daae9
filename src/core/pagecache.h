/* SPDX-License-Identifier: MIT */
/* When dropping clean page cache helps: at HIGH and up, with a large clean cache while anonymous pages are being
 * refaulted (the kernel is reclaiming working sets while cache sits there), and never twice within a while. Pure. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "core/level.h"
#include "core/sample.h"

#define HR_DROP_CACHE_MIN_PERMYRIAD 1000    /* clean cache at least a tenth of MemTotal */
#define HR_DROP_CACHE_REFAULT_ANON 1000     /* anon refaults per second */
#define HR_DROP_CACHE_INTERVAL_USEC (600 * USEC_PER_SEC) /* never in a loop: once per ten minutes at most */

/* Clean page cache in KiB: Cached less Shmem (tmpfs, not droppable) and Dirty (not clean yet). */
uint64_t hr_clean_cache_kib(const HrMeminfo *m);

/* Whether to drop now, given the previous and current samples (for the anon refault rate) and when it last
 * dropped (0: never). */
bool hr_drop_cache_wanted(HrLevel level, const HrSample *prev, const HrSample *cur, usec_t last_drop);
