/* SPDX-License-Identifier: MIT */
/* Page cache drop decisions (see pagecache.h). */
#include "core/pagecache.h"

uint64_t hr_clean_cache_kib(const HrMeminfo *m) {
        uint64_t cached = hr_meminfo_get(m, HR_MEM_CACHED);
        uint64_t held = hr_meminfo_get(m, HR_MEM_SHMEM) + hr_meminfo_get(m, HR_MEM_DIRTY);
        return cached > held ? cached - held : 0;
}

bool hr_drop_cache_wanted(HrLevel level, const HrSample *prev, const HrSample *cur, usec_t last_drop) {
        if (level < HR_LEVEL_HIGH || !prev || cur->at <= prev->at ||
            (last_drop != 0 && cur->at - last_drop < HR_DROP_CACHE_INTERVAL_USEC))
                return false;
        uint64_t total = hr_meminfo_get(&cur->meminfo, HR_MEM_TOTAL);
        if (total == 0 || hr_clean_cache_kib(&cur->meminfo) < total / 10000 * HR_DROP_CACHE_MIN_PERMYRIAD)
                return false;
        if (!hr_vmstat_has(&cur->vmstat, HR_VM_WORKINGSET_REFAULT_ANON) ||
            !hr_vmstat_has(&prev->vmstat, HR_VM_WORKINGSET_REFAULT_ANON))
                return false; /* before 5.9 anon and file refaults are one counter: no telling them apart */
        uint64_t a = hr_vmstat_get(&prev->vmstat, HR_VM_WORKINGSET_REFAULT_ANON);
        uint64_t b = hr_vmstat_get(&cur->vmstat, HR_VM_WORKINGSET_REFAULT_ANON);
        if (b <= a)
                return false;
        return (b - a) * USEC_PER_SEC / (cur->at - prev->at) >= HR_DROP_CACHE_REFAULT_ANON;
}
