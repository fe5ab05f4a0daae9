/* SPDX-License-Identifier: MIT */
/* When compacting a zram pool is worth a write to its compact file: under pressure (ELEVATED and up), once per
 * episode, and only when the pool holds enough fragmented space to give back. Pure: no I/O. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "core/level.h"
#include "core/sample.h"

#define HR_ZRAM_COMPACT_MIN_BYTES (4u << 20) /* less fragmentation than this is not worth the pass */

/* The bytes the pool uses beyond the compressed data it holds (zsmalloc's partly used pages): what compaction can
 * give back at most. */
uint64_t hr_zram_fragmented_bytes(const HrZramStat *st);

/* Whether to compact now: level ELEVATED or above, not yet compacted in this episode (the caller clears
 * `done_this_episode` when the level is back to NORMAL), and at least HR_ZRAM_COMPACT_MIN_BYTES and a tenth of the
 * pool fragmented. */
bool hr_zram_compact_wanted(HrLevel level, const HrZramStat *st, bool done_this_episode);
