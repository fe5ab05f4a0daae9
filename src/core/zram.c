/* SPDX-License-Identifier: MIT */
/* zram compaction decisions (see zram.h). */
#include "core/zram.h"

uint64_t hr_zram_fragmented_bytes(const HrZramStat *st) {
        return st->mem_used_total_bytes > st->compr_data_bytes ? st->mem_used_total_bytes - st->compr_data_bytes : 0;
}

bool hr_zram_compact_wanted(HrLevel level, const HrZramStat *st, bool done_this_episode) {
        uint64_t frag = hr_zram_fragmented_bytes(st);
        return level >= HR_LEVEL_ELEVATED && !done_this_episode && frag >= HR_ZRAM_COMPACT_MIN_BYTES &&
               frag >= st->mem_used_total_bytes / 10;
}
