/* SPDX-License-Identifier: MIT */
/* Plain data of one pressure sample: PSI, meminfo, vmstat, swaps, zram, loadavg. Filled by parse/, read by core/. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "shared/macros.h"

/* One PSI line: "some avg10=38.19 avg60=10.39 avg300=2.57 total=8347419". Averages as 1/100 of a percent. */
typedef struct HrPsiLine {
        uint32_t avg10_permyriad;
        uint32_t avg60_permyriad;
        uint32_t avg300_permyriad;
        usec_t total_usec;
} HrPsiLine;

typedef struct HrPsi {
        HrPsiLine some;
        HrPsiLine full;
        bool has_full; /* system-wide cpu lacks "full" before 5.13 */
} HrPsi;

typedef enum HrPsiResource {
        HR_PSI_MEMORY,
        HR_PSI_CPU,
        HR_PSI_IO,
        _HR_PSI_RESOURCE_MAX,
} HrPsiResource;

/* /proc/meminfo, in KiB. `present` has one bit per HrMeminfoField. */
typedef enum HrMeminfoField {
        HR_MEM_TOTAL,
        HR_MEM_FREE,
        HR_MEM_AVAILABLE,
        HR_MEM_BUFFERS,
        HR_MEM_CACHED,
        HR_MEM_SWAP_CACHED,
        HR_MEM_ACTIVE_ANON,
        HR_MEM_INACTIVE_ANON,
        HR_MEM_ACTIVE_FILE,
        HR_MEM_INACTIVE_FILE,
        HR_MEM_MLOCKED,
        HR_MEM_SWAP_TOTAL,
        HR_MEM_SWAP_FREE,
        HR_MEM_ZSWAP,
        HR_MEM_ZSWAPPED,
        HR_MEM_DIRTY,
        HR_MEM_ANON_PAGES,
        HR_MEM_SHMEM,
        HR_MEM_COMMITTED_AS,
        _HR_MEM_FIELD_MAX,
} HrMeminfoField;

typedef struct HrMeminfo {
        uint64_t kib[_HR_MEM_FIELD_MAX];
        uint32_t present;
} HrMeminfo;

/* /proc/vmstat counters (cumulative, pages or events). */
typedef enum HrVmstatField {
        HR_VM_PSWPIN,
        HR_VM_PSWPOUT,
        HR_VM_WORKINGSET_REFAULT_ANON,
        HR_VM_WORKINGSET_REFAULT_FILE,
        HR_VM_WORKINGSET_REFAULT, /* single counter before 5.9 */
        HR_VM_PGSCAN_KSWAPD,
        HR_VM_PGSCAN_DIRECT,
        HR_VM_PGSCAN_KHUGEPAGED,
        HR_VM_PGSCAN_PROACTIVE,
        HR_VM_PGSCAN_ANON,
        HR_VM_PGSCAN_FILE,
        HR_VM_PGSTEAL_KSWAPD,
        HR_VM_PGSTEAL_DIRECT,
        HR_VM_PGSTEAL_KHUGEPAGED,
        HR_VM_PGSTEAL_PROACTIVE,
        HR_VM_PGSTEAL_ANON,
        HR_VM_PGSTEAL_FILE,
        HR_VM_PGMAJFAULT,
        HR_VM_OOM_KILL,
        _HR_VM_FIELD_MAX,
} HrVmstatField;

typedef struct HrVmstat {
        uint64_t v[_HR_VM_FIELD_MAX];
        uint32_t present;
} HrVmstat;

#define HR_SWAPS_MAX 16
#define HR_SWAP_NAME_MAX 64

typedef struct HrSwapDev {
        char name[HR_SWAP_NAME_MAX]; /* unescaped, truncated if longer */
        bool is_file;
        uint64_t size_kib;
        uint64_t used_kib;
        int32_t priority;
} HrSwapDev;

/* /proc/swaps. Devices beyond HR_SWAPS_MAX are summed into the totals but not listed. */
typedef struct HrSwaps {
        HrSwapDev dev[HR_SWAPS_MAX];
        unsigned n_dev;
        unsigned n_total;
        uint64_t size_kib;
        uint64_t used_kib;
} HrSwaps;

/* /sys/block/zramN/mm_stat: columns were appended over time; `n_cols` says how many were present. */
typedef struct HrZramStat {
        uint64_t orig_data_bytes;
        uint64_t compr_data_bytes;
        uint64_t mem_used_total_bytes;
        uint64_t mem_limit_bytes;
        uint64_t mem_used_max_bytes;
        uint64_t same_pages;
        uint64_t pages_compacted;
        uint64_t huge_pages;
        uint64_t huge_pages_since;
        unsigned n_cols;
} HrZramStat;

#define HR_ZRAM_MAX 8

typedef struct HrZramDev {
        unsigned index; /* N of zramN */
        HrZramStat stat;
        uint64_t disksize_bytes;
} HrZramDev;

/* /proc/loadavg's last two fields: tasks (processes and threads) and the last pid handed out. */
typedef struct HrLoadavg {
        uint32_t tasks;
        int32_t last_pid;
} HrLoadavg;

/* The memory limit of the --scope cgroup (v2 memory.max, or v1 memory.limit_in_bytes of its twin on a hybrid
 * machine), in KiB: a scope cannot grow past it however much the machine has free. */
typedef struct HrScopeMem {
        bool limited;               /* a limit below "max" was read this tick */
        uint64_t limit_kib;
        uint64_t usage_kib;         /* memory.current / memory.usage_in_bytes */
        uint64_t inactive_file_kib; /* clean cache the kernel reclaims first (memory.stat) */
} HrScopeMem;

/* Everything one tick reads. Fixed size: the sampler fills it in place, never allocating. */
typedef struct HrSample {
        usec_t at;              /* CLOCK_MONOTONIC, set by the sampler */
        HrPsi psi[_HR_PSI_RESOURCE_MAX];
        bool has_psi[_HR_PSI_RESOURCE_MAX];
        HrMeminfo meminfo;
        HrVmstat vmstat;
        HrSwaps swaps;
        HrZramDev zram[HR_ZRAM_MAX];
        unsigned n_zram;
        HrLoadavg loadavg;
        bool has_loadavg;
        HrScopeMem scope_mem;
} HrSample;

static inline uint64_t hr_meminfo_get(const HrMeminfo *m, HrMeminfoField f) {
        return (m->present & (1u << f)) ? m->kib[f] : 0;
}

static inline bool hr_meminfo_has(const HrMeminfo *m, HrMeminfoField f) {
        return m->present & (1u << f);
}

static inline uint64_t hr_vmstat_get(const HrVmstat *v, HrVmstatField f) {
        return (v->present & (1u << f)) ? v->v[f] : 0;
}

static inline bool hr_vmstat_has(const HrVmstat *v, HrVmstatField f) {
        return v->present & (1u << f);
}

/* The scope's view of memory: MemTotal no more than its limit, MemAvailable no more than what is left under it
 * (plus its inactive file cache). Nothing changes when the scope has no limit. */
void hr_sample_apply_scope_limit(HrSample *s);

/* Anon + file refaults; falls back to the single pre-5.9 counter. */
static inline uint64_t hr_vmstat_refaults(const HrVmstat *v) {
        if (hr_vmstat_has(v, HR_VM_WORKINGSET_REFAULT_ANON) || hr_vmstat_has(v, HR_VM_WORKINGSET_REFAULT_FILE))
                return hr_vmstat_get(v, HR_VM_WORKINGSET_REFAULT_ANON) + hr_vmstat_get(v, HR_VM_WORKINGSET_REFAULT_FILE);
        return hr_vmstat_get(v, HR_VM_WORKINGSET_REFAULT);
}

/* The kernel's key names, indexed by field. */
extern const char *const hr_meminfo_field_names[_HR_MEM_FIELD_MAX];
extern const char *const hr_vmstat_field_names[_HR_VM_FIELD_MAX];

const char *hr_psi_resource_to_string(HrPsiResource r);
const char *hr_meminfo_field_to_string(HrMeminfoField f);
const char *hr_vmstat_field_to_string(HrVmstatField f);
