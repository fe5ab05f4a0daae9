/* SPDX-License-Identifier: MIT */
/* Writing to a zram device: compaction of its pool (/sys/block/zramN/compact) and a fresh read of its mm_stat. */
#pragma once

#include "core/sample.h"
#include "io/sysroot.h"

/* Compacts zramN's pool (synchronous: the write returns when the pass is done), then reads its mm_stat into *after
 * (may be NULL). 0, -ENOENT (no such device, or no sys/ under the root), -errno, -EBADMSG (mm_stat malformed). */
int hr_zram_compact(const HrSysroot *root, unsigned index, HrZramStat *after);
