/* SPDX-License-Identifier: MIT */
/* The pressure model: component values, their points on ramps, the noisy-OR score and its trend.
 * Defaults and the reason for each number are in docs/pressure-model.md. */
#include <string.h>

#include "core/pressure.h"

const HrPressureConfig hr_pressure_config_default = {
        .ramp = {
                [HR_COMP_PSI_SOME] = { .start = 500, .full = 6000 },          /* 5% .. 60% */
                [HR_COMP_PSI_FULL] = { .start = 100, .full = 2500 },          /* 1% .. 25% */
                [HR_COMP_SWAP_FILL] = { .start = 5000, .full = 9500 },        /* 50% .. 95% used */
                [HR_COMP_SWAP_IO] = { .start = 1000, .full = 50000 },         /* 4 .. 200 MiB/s */
                [HR_COMP_REFAULT] = { .start = 2500, .full = 100000 },        /* 10 .. 400 MiB/s */
                [HR_COMP_MEM_AVAILABLE] = { .start = 8500, .full = 9800 },    /* 15% .. 2% available */
        },
        .weight_permille = {
                [HR_COMP_PSI_SOME] = 1000,
                [HR_COMP_PSI_FULL] = 1000,
                [HR_COMP_SWAP_FILL] = 600,
                [HR_COMP_SWAP_IO] = 400,
                [HR_COMP_REFAULT] = 500,
                [HR_COMP_MEM_AVAILABLE] = 700,
        },
        .swap_credit_permille = 500,
        .min_rate_interval_usec = 50 * USEC_PER_MSEC,
        .trend_min_interval_usec = USEC_PER_SEC,
};

static const char *const component_table[_HR_COMP_MAX] = {
        [HR_COMP_PSI_SOME] = "psi_some",
        [HR_COMP_PSI_FULL] = "psi_full",
        [HR_COMP_SWAP_FILL] = "swap_fill",
        [HR_COMP_SWAP_IO] = "swap_io",
        [HR_COMP_REFAULT] = "refault",
        [HR_COMP_MEM_AVAILABLE] = "mem_available",
};

const char *hr_component_to_string(HrComponent c) {
        return (unsigned) c < _HR_COMP_MAX ? component_table[c] : NULL;
}

HrComponent hr_component_from_string(const char *s) {
        for (unsigned i = 0; s && i < _HR_COMP_MAX; i++)
                if (strcmp(s, component_table[i]) == 0)
                        return (HrComponent) i;
        return _HR_COMP_INVALID;
}

/* Free swap is room too: idle pages go there before anything has to die. Only a share of it counts (a zram page
 * still costs RAM, compressed; a disk page costs I/O to come back). */
uint64_t hr_pressure_available_kib(const HrPressureConfig *cfg, uint64_t mem_available_kib, uint64_t swap_total_kib,
                                   uint64_t swap_free_kib) {
        uint64_t credit = swap_free_kib <= swap_total_kib ? swap_free_kib / 1000 * MIN(cfg->swap_credit_permille, 1000u) : 0;
        return mem_available_kib > UINT64_MAX - credit ? UINT64_MAX : mem_available_kib + credit;
}

uint32_t hr_ramp_points_centi(HrRamp r, uint64_t raw) {
        if (raw <= r.start)
                return 0;
        if (raw >= r.full || r.full <= r.start)
                return 10000;
        return (uint32_t) ((unsigned __int128) (raw - r.start) * 10000 / (r.full - r.start));
}

/* Counter growth per second; counters that went backwards (reset, overflow) count as zero. */
static uint64_t rate_per_sec(uint64_t before, uint64_t after, usec_t dt) {
        if (after <= before || dt == 0)
                return 0;
        unsigned __int128 d = (unsigned __int128) (after - before) * USEC_PER_SEC / dt;
        return d > UINT64_MAX ? UINT64_MAX : (uint64_t) d;
}

/* Stall share of the interval from the growth of PSI `total`, in permyriad: reacts before avg10 does. */
static uint32_t stall_permyriad(usec_t before, usec_t after, usec_t dt) {
        if (after <= before || dt == 0)
                return 0;
        unsigned __int128 p = (unsigned __int128) (after - before) * 10000 / dt;
        return p > 10000 ? 10000 : (uint32_t) p;
}

void hr_pressure_eval(const HrPressureConfig *cfg, const HrSample *prev, const HrSample *cur,
                      const HrPressure *prev_pressure, HrPressure *ret) {
        HrPressure p = {};
        usec_t dt = prev && cur->at > prev->at ? cur->at - prev->at : 0;
        bool rates = prev && dt >= cfg->min_rate_interval_usec;

        p.has_rates = rates;

        if (cur->has_psi[HR_PSI_MEMORY]) {
                const HrPsi *m = &cur->psi[HR_PSI_MEMORY];
                p.psi_some_permyriad = m->some.avg10_permyriad;
                p.psi_full_permyriad = m->has_full ? m->full.avg10_permyriad : 0;
                if (rates && prev->has_psi[HR_PSI_MEMORY]) {
                        const HrPsi *o = &prev->psi[HR_PSI_MEMORY];
                        p.psi_some_now_permyriad = stall_permyriad(o->some.total_usec, m->some.total_usec, dt);
                        p.psi_some_permyriad = MAX(p.psi_some_permyriad, p.psi_some_now_permyriad);
                        if (m->has_full && o->has_full) {
                                p.psi_full_now_permyriad =
                                        stall_permyriad(o->full.total_usec, m->full.total_usec, dt);
                                p.psi_full_permyriad = MAX(p.psi_full_permyriad, p.psi_full_now_permyriad);
                        }
                }
        }
        p.raw[HR_COMP_PSI_SOME] = p.psi_some_permyriad;
        p.raw[HR_COMP_PSI_FULL] = p.psi_full_permyriad;

        uint64_t swap_total = hr_meminfo_get(&cur->meminfo, HR_MEM_SWAP_TOTAL);
        uint64_t swap_free = hr_meminfo_get(&cur->meminfo, HR_MEM_SWAP_FREE);
        bool swap_known = swap_total > 0 && swap_free <= swap_total && hr_meminfo_has(&cur->meminfo, HR_MEM_SWAP_FREE);
        if (swap_known)
                p.raw[HR_COMP_SWAP_FILL] = (swap_total - swap_free) * 10000 / swap_total;

        if (rates) {
                const HrVmstat *a = &prev->vmstat, *b = &cur->vmstat;
                p.raw[HR_COMP_SWAP_IO] =
                        rate_per_sec(hr_vmstat_get(a, HR_VM_PSWPIN), hr_vmstat_get(b, HR_VM_PSWPIN), dt) +
                        rate_per_sec(hr_vmstat_get(a, HR_VM_PSWPOUT), hr_vmstat_get(b, HR_VM_PSWPOUT), dt);
                p.raw[HR_COMP_REFAULT] = rate_per_sec(hr_vmstat_refaults(a), hr_vmstat_refaults(b), dt);
        }

        uint64_t total = hr_meminfo_get(&cur->meminfo, HR_MEM_TOTAL);
        uint64_t avail = hr_meminfo_get(&cur->meminfo, HR_MEM_AVAILABLE);
        if (total > 0 && avail <= total && hr_meminfo_has(&cur->meminfo, HR_MEM_AVAILABLE)) {
                /* Under a scope's limit every page over it costs reclaim inside the scope: free swap is no room. */
                bool credit = swap_known && !cur->scope_mem.limited;
                avail = hr_pressure_available_kib(cfg, avail, credit ? swap_total : 0, credit ? swap_free : 0);
                p.raw[HR_COMP_MEM_AVAILABLE] = avail >= total ? 0 : 10000 - avail * 10000 / total;
        }

        /* Noisy-OR: score = 1 - prod(1 - w_i * c_i). One saturated component with weight 1 gives 100;
         * several moderate ones compound, but never past 100. Integer arithmetic, so replays agree.
         * The live score is the same with PSI from the last interval alone (no avg10 memory). */
        uint64_t remain = 10000, remain_live = 10000;
        for (unsigned i = 0; i < _HR_COMP_MAX; i++) {
                p.points_centi[i] = hr_ramp_points_centi(cfg->ramp[i], p.raw[i]);
                uint64_t w = MIN(cfg->weight_permille[i], 1000u);
                uint64_t contrib = p.points_centi[i] * w / 1000, live = contrib;
                if (rates && i == HR_COMP_PSI_SOME)
                        live = hr_ramp_points_centi(cfg->ramp[i], p.psi_some_now_permyriad) * w / 1000;
                else if (rates && i == HR_COMP_PSI_FULL)
                        live = hr_ramp_points_centi(cfg->ramp[i], p.psi_full_now_permyriad) * w / 1000;
                remain = remain * (10000 - contrib) / 10000;
                remain_live = remain_live * (10000 - live) / 10000;
        }
        p.score_centi = (uint32_t) (10000 - remain);
        p.stale_centi = remain_live > remain ? (uint32_t) (remain_live - remain) : 0;

        if (prev_pressure && prev && cur->at > prev->at) {
                usec_t tdt = MAX(dt, cfg->trend_min_interval_usec);
                int64_t d = (int64_t) p.score_centi - (int64_t) prev_pressure->score_centi;
                p.trend_centi_per_sec = (int32_t) (d * (int64_t) USEC_PER_SEC / (int64_t) tdt);
        }
        *ret = p;
}
