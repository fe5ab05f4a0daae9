/* SPDX-License-Identifier: MIT */
/* String tables for the sample's enums (the kernel's own key names, shared by parsers and reports), and the
 * scope's view of memory under its limit. */
#include "core/sample.h"

static const char *const psi_resource_table[_HR_PSI_RESOURCE_MAX] = {
        [HR_PSI_MEMORY] = "memory",
        [HR_PSI_CPU] = "cpu",
        [HR_PSI_IO] = "io",
};

const char *const hr_meminfo_field_names[_HR_MEM_FIELD_MAX] = {
        [HR_MEM_TOTAL] = "MemTotal",
        [HR_MEM_FREE] = "MemFree",
        [HR_MEM_AVAILABLE] = "MemAvailable",
        [HR_MEM_BUFFERS] = "Buffers",
        [HR_MEM_CACHED] = "Cached",
        [HR_MEM_SWAP_CACHED] = "SwapCached",
        [HR_MEM_ACTIVE_ANON] = "Active(anon)",
        [HR_MEM_INACTIVE_ANON] = "Inactive(anon)",
        [HR_MEM_ACTIVE_FILE] = "Active(file)",
        [HR_MEM_INACTIVE_FILE] = "Inactive(file)",
        [HR_MEM_MLOCKED] = "Mlocked",
        [HR_MEM_SWAP_TOTAL] = "SwapTotal",
        [HR_MEM_SWAP_FREE] = "SwapFree",
        [HR_MEM_ZSWAP] = "Zswap",
        [HR_MEM_ZSWAPPED] = "Zswapped",
        [HR_MEM_DIRTY] = "Dirty",
        [HR_MEM_ANON_PAGES] = "AnonPages",
        [HR_MEM_SHMEM] = "Shmem",
        [HR_MEM_COMMITTED_AS] = "Committed_AS",
};

const char *const hr_vmstat_field_names[_HR_VM_FIELD_MAX] = {
        [HR_VM_PSWPIN] = "pswpin",
        [HR_VM_PSWPOUT] = "pswpout",
        [HR_VM_WORKINGSET_REFAULT_ANON] = "workingset_refault_anon",
        [HR_VM_WORKINGSET_REFAULT_FILE] = "workingset_refault_file",
        [HR_VM_WORKINGSET_REFAULT] = "workingset_refault",
        [HR_VM_PGSCAN_KSWAPD] = "pgscan_kswapd",
        [HR_VM_PGSCAN_DIRECT] = "pgscan_direct",
        [HR_VM_PGSCAN_KHUGEPAGED] = "pgscan_khugepaged",
        [HR_VM_PGSCAN_PROACTIVE] = "pgscan_proactive",
        [HR_VM_PGSCAN_ANON] = "pgscan_anon",
        [HR_VM_PGSCAN_FILE] = "pgscan_file",
        [HR_VM_PGSTEAL_KSWAPD] = "pgsteal_kswapd",
        [HR_VM_PGSTEAL_DIRECT] = "pgsteal_direct",
        [HR_VM_PGSTEAL_KHUGEPAGED] = "pgsteal_khugepaged",
        [HR_VM_PGSTEAL_PROACTIVE] = "pgsteal_proactive",
        [HR_VM_PGSTEAL_ANON] = "pgsteal_anon",
        [HR_VM_PGSTEAL_FILE] = "pgsteal_file",
        [HR_VM_PGMAJFAULT] = "pgmajfault",
        [HR_VM_OOM_KILL] = "oom_kill",
};

const char *hr_psi_resource_to_string(HrPsiResource r) {
        return (unsigned) r < _HR_PSI_RESOURCE_MAX ? psi_resource_table[r] : NULL;
}

const char *hr_meminfo_field_to_string(HrMeminfoField f) {
        return (unsigned) f < _HR_MEM_FIELD_MAX ? hr_meminfo_field_names[f] : NULL;
}

const char *hr_vmstat_field_to_string(HrVmstatField f) {
        return (unsigned) f < _HR_VM_FIELD_MAX ? hr_vmstat_field_names[f] : NULL;
}

void hr_sample_apply_scope_limit(HrSample *s) {
        const HrScopeMem *sm = &s->scope_mem;
        HrMeminfo *m = &s->meminfo;

        if (!sm->limited || !hr_meminfo_has(m, HR_MEM_TOTAL) || !hr_meminfo_has(m, HR_MEM_AVAILABLE))
                return;
        uint64_t left = sm->limit_kib > sm->usage_kib ? sm->limit_kib - sm->usage_kib : 0;
        uint64_t avail = MIN(left + MIN(sm->inactive_file_kib, sm->usage_kib), sm->limit_kib);
        m->kib[HR_MEM_TOTAL] = MIN(m->kib[HR_MEM_TOTAL], sm->limit_kib);
        m->kib[HR_MEM_AVAILABLE] = MIN(m->kib[HR_MEM_AVAILABLE], MIN(avail, m->kib[HR_MEM_TOTAL]));
}
