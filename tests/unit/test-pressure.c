/* SPDX-License-Identifier: MIT */
/* Unit tests of core/pressure: ramps, each component from hand-built sample pairs, the noisy-OR score and the trend. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/pressure.h"

#define SEC USEC_PER_SEC
#define MSEC USEC_PER_MSEC
#define T0 (1000 * SEC) /* time of the previous sample; nonzero so "no time" is never confused with it */

static void expect_u(const char *name, const char *what, uint64_t got, uint64_t want) {
        if (got != want)
                fail_msg("case \"%s\": %s = %" PRIu64 ", want %" PRIu64, name, what, got, want);
}
static void expect_i(const char *name, const char *what, int64_t got, int64_t want) {
        if (got != want)
                fail_msg("case \"%s\": %s = %" PRId64 ", want %" PRId64, name, what, got, want);
}
#define EXPECT_U(name, got, want) expect_u((name), #got, (got), (want))
#define EXPECT_I(name, got, want) expect_i((name), #got, (got), (want))

/* One side of a sample pair. Counter lists hold field + 1, so a zeroed entry ends the list. */
typedef struct Kv {
        unsigned f1;
        uint64_t v;
} Kv;
#define MEM(f, x) { HR_MEM_##f + 1, (x) }
#define VM(f, x) { HR_VM_##f + 1, (x) }

typedef struct Side {
        bool psi, full; /* has_psi[MEMORY], psi.has_full */
        uint32_t some10, full10;
        usec_t some_total, full_total;
        Kv mem[4];
        Kv vm[5];
} Side;

static void build(const Side *d, usec_t at, HrSample *s) {
        memset(s, 0, sizeof *s);
        s->at = at;
        s->has_psi[HR_PSI_MEMORY] = d->psi;
        s->psi[HR_PSI_MEMORY] = (HrPsi) {
                .some = { .avg10_permyriad = d->some10, .total_usec = d->some_total },
                .full = { .avg10_permyriad = d->full10, .total_usec = d->full_total },
                .has_full = d->full,
        };
        for (unsigned i = 0; i < ELEMENTSOF(d->mem) && d->mem[i].f1 > 0; i++) {
                s->meminfo.kib[d->mem[i].f1 - 1] = d->mem[i].v;
                s->meminfo.present |= 1u << (d->mem[i].f1 - 1);
        }
        for (unsigned i = 0; i < ELEMENTSOF(d->vm) && d->vm[i].f1 > 0; i++) {
                s->vmstat.v[d->vm[i].f1 - 1] = d->vm[i].v;
                s->vmstat.present |= 1u << (d->vm[i].f1 - 1);
        }
}

/* ---- ramps ---- */

typedef struct RampCase {
        const char *name;
        HrRamp ramp;
        uint64_t raw;
        uint32_t want;
} RampCase;

static const RampCase ramp_cases[] = {
        { "below start",               { 1000, 2000 }, 500, 0 },
        { "at start",                  { 1000, 2000 }, 1000, 0 },
        { "just above start",          { 1000, 2000 }, 1001, 10 },
        { "midway",                    { 1000, 2000 }, 1500, 5000 },
        { "a third, rounded down"  ,   { 0, 3 }, 1, 3333 },
        { "just below full",           { 1000, 2000 }, 1999, 9990 },
        { "at full",                   { 1000, 2000 }, 2000, 10000 },
        { "above full",                { 1000, 2000 }, 5000, 10000 },
        { "raw at UINT64_MAX",         { 1000, 2000 }, UINT64_MAX, 10000 },
        { "start 0, raw 0",            { 0, 100 }, 0, 0 },
        { "full == start, below",      { 500, 500 }, 499, 0 },
        { "full == start, at",         { 500, 500 }, 500, 0 },
        { "full == start, above",      { 500, 500 }, 501, 10000 },
        { "full < start, between",     { 500, 100 }, 300, 0 },
        { "full < start, above start", { 500, 100 }, 501, 10000 },
        { "huge ramp, midway",         { 0, UINT64_C(1) << 63 }, UINT64_C(1) << 62, 5000 },
        { "huge ramp, near full",      { 0, UINT64_MAX }, UINT64_MAX - 1, 9999 },
        { "huge start and full",       { UINT64_MAX - 1000, UINT64_MAX }, UINT64_MAX - 500, 5000 },
};

static void test_ramp_edges(void **state) {
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(ramp_cases); i++) {
                const RampCase *c = &ramp_cases[i];
                EXPECT_U(c->name, hr_ramp_points_centi(c->ramp, c->raw), c->want);
        }
}

/* Points never fall as the raw value grows, and stay within 0..10000, on every default ramp. */
static void test_ramp_monotonic(void **state) {
        const HrPressureConfig *cfg = &hr_pressure_config_default;
        (void) state;
        for (unsigned c = 0; c < _HR_COMP_MAX; c++) {
                HrRamp r = cfg->ramp[c];
                uint64_t hi = r.full + r.full / 4 + 10, step = hi / 997 + 1;
                uint32_t last = 0;
                for (uint64_t raw = 0; raw <= hi; raw += step) {
                        uint32_t p = hr_ramp_points_centi(r, raw);
                        if (p < last || p > 10000)
                                fail_msg("ramp %s: raw %" PRIu64 " gives %u after %u", hr_component_to_string(c),
                                         raw, p, last);
                        last = p;
                }
                EXPECT_U(hr_component_to_string(c), hr_ramp_points_centi(r, r.start), 0);
                EXPECT_U(hr_component_to_string(c), hr_ramp_points_centi(r, r.full), 10000);
        }
}

/* ---- components in isolation ---- */

/* Intervals taken from the config or pathological ones; positive values are plain microseconds. */
#define DT_UNDER_MIN (-1) /* min_rate_interval_usec - 1 */
#define DT_AT_MIN (-2)    /* min_rate_interval_usec */
#define DT_BACKWARDS (-3) /* cur one second before prev */

typedef struct CompCase {
        const char *name;
        Side prev, cur;
        bool first; /* no previous sample */
        int64_t dt;
        HrComponent comp; /* the one component that may be nonzero */
        uint64_t raw;
        bool rates;
} CompCase;

#define PSI_SOME(a, t) .psi = true, .some10 = (a), .some_total = (t)
#define PSI_BOTH(sa, st, fa, ft) .psi = true, .full = true, .some10 = (sa), .some_total = (st), .full10 = (fa), .full_total = (ft)

static const CompCase comp_cases[] = {
        /* PSI some: max(avg10, growth of total over the interval) */
        { "psi some: first sample uses avg10", .first = true, .cur = { PSI_SOME(2000, 5000000) },
          .comp = HR_COMP_PSI_SOME, .raw = 2000 },
        { "psi some: avg10 above the growth of total", .dt = SEC,
          .prev = { PSI_SOME(2000, 1000000) }, .cur = { PSI_SOME(2000, 1100000) },
          .comp = HR_COMP_PSI_SOME, .raw = 2000, .rates = true },
        { "psi some: growth of total beats a low avg10 (300 ms over 1 s)", .dt = SEC,
          .prev = { PSI_SOME(100, 1000000) }, .cur = { PSI_SOME(100, 1300000) },
          .comp = HR_COMP_PSI_SOME, .raw = 3000, .rates = true },
        { "psi some: the same growth over 2 s is half", .dt = 2 * SEC,
          .prev = { PSI_SOME(100, 1000000) }, .cur = { PSI_SOME(100, 1300000) },
          .comp = HR_COMP_PSI_SOME, .raw = 1500, .rates = true },
        { "psi some: growth capped at 100%", .dt = SEC,
          .prev = { PSI_SOME(0, 1000000) }, .cur = { PSI_SOME(0, 3000000) },
          .comp = HR_COMP_PSI_SOME, .raw = 10000, .rates = true },
        { "psi some: total went backwards: avg10 only", .dt = SEC,
          .prev = { PSI_SOME(0, 5000000) }, .cur = { PSI_SOME(700, 1000000) },
          .comp = HR_COMP_PSI_SOME, .raw = 700, .rates = true },
        { "psi some: previous sample without PSI: avg10 only", .dt = SEC,
          .prev = { .some_total = 0 }, .cur = { PSI_SOME(800, 9000000) },
          .comp = HR_COMP_PSI_SOME, .raw = 800, .rates = true },
        { "psi some: interval under min_rate_interval: avg10 only", .dt = DT_UNDER_MIN,
          .prev = { PSI_SOME(400, 1000000) }, .cur = { PSI_SOME(400, 2000000) },
          .comp = HR_COMP_PSI_SOME, .raw = 400 },
        { "psi some: interval at min_rate_interval counts", .dt = DT_AT_MIN,
          .prev = { PSI_SOME(400, 1000000) }, .cur = { PSI_SOME(400, 100000000) },
          .comp = HR_COMP_PSI_SOME, .raw = 10000, .rates = true },
        { "psi some: same timestamp: avg10 only", .dt = 0,
          .prev = { PSI_SOME(400, 1000000) }, .cur = { PSI_SOME(400, 2000000) },
          .comp = HR_COMP_PSI_SOME, .raw = 400 },
        { "psi some: current older than previous: avg10 only", .dt = DT_BACKWARDS,
          .prev = { PSI_SOME(400, 1000000) }, .cur = { PSI_SOME(400, 2000000) },
          .comp = HR_COMP_PSI_SOME, .raw = 400 },

        /* PSI full: the same rule on the full line */
        { "psi full: first sample uses avg10", .first = true, .cur = { PSI_BOTH(0, 0, 600, 7000000) },
          .comp = HR_COMP_PSI_FULL, .raw = 600 },
        { "psi full: avg10 above the growth of total", .dt = SEC,
          .prev = { PSI_BOTH(0, 0, 600, 2000000) }, .cur = { PSI_BOTH(0, 0, 600, 2010000) },
          .comp = HR_COMP_PSI_FULL, .raw = 600, .rates = true },
        { "psi full: growth of total beats a low avg10 (150 ms over 1 s)", .dt = SEC,
          .prev = { PSI_BOTH(0, 0, 100, 2000000) }, .cur = { PSI_BOTH(0, 0, 100, 2150000) },
          .comp = HR_COMP_PSI_FULL, .raw = 1500, .rates = true },
        { "psi full: total went backwards: avg10 only", .dt = SEC,
          .prev = { PSI_BOTH(0, 0, 0, 9000000) }, .cur = { PSI_BOTH(0, 0, 250, 100) },
          .comp = HR_COMP_PSI_FULL, .raw = 250, .rates = true },
        { "psi full: no full line: nothing", .dt = SEC,
          .prev = { .psi = true, .full10 = 3000, .full_total = 0 },
          .cur = { .psi = true, .full10 = 3000, .full_total = 900000 },
          .comp = HR_COMP_PSI_FULL, .raw = 0, .rates = true },
        { "psi full: previous sample without full: avg10 only", .dt = SEC,
          .prev = { .psi = true }, .cur = { PSI_BOTH(0, 0, 300, 9000000) },
          .comp = HR_COMP_PSI_FULL, .raw = 300, .rates = true },
        { "psi: has_psi false contributes nothing", .dt = SEC,
          .prev = { .full = true, .some10 = 5000, .full10 = 5000 },
          .cur = { .full = true, .some10 = 5000, .some_total = 900000, .full10 = 5000, .full_total = 900000 },
          .comp = HR_COMP_PSI_SOME, .raw = 0, .rates = true },

        /* swap fill from meminfo, permyriad of SwapTotal */
        { "swap fill: half used", .dt = SEC,
          .cur = { .mem = { MEM(SWAP_TOTAL, 1000000), MEM(SWAP_FREE, 500000) } },
          .comp = HR_COMP_SWAP_FILL, .raw = 5000, .rates = true },
        { "swap fill: 96% used", .dt = SEC,
          .cur = { .mem = { MEM(SWAP_TOTAL, 1000000), MEM(SWAP_FREE, 40000) } },
          .comp = HR_COMP_SWAP_FILL, .raw = 9600, .rates = true },
        { "swap fill: all used", .dt = SEC,
          .cur = { .mem = { MEM(SWAP_TOTAL, 1000000), MEM(SWAP_FREE, 0) } },
          .comp = HR_COMP_SWAP_FILL, .raw = 10000, .rates = true },
        { "swap fill: counts on the first sample", .first = true,
          .cur = { .mem = { MEM(SWAP_TOTAL, 1000000), MEM(SWAP_FREE, 500000) } },
          .comp = HR_COMP_SWAP_FILL, .raw = 5000 },
        { "swap fill: zero swap gives 0", .dt = SEC,
          .cur = { .mem = { MEM(SWAP_TOTAL, 0), MEM(SWAP_FREE, 0) } },
          .comp = HR_COMP_SWAP_FILL, .raw = 0, .rates = true },
        { "swap fill: SwapFree above SwapTotal gives 0", .dt = SEC,
          .cur = { .mem = { MEM(SWAP_TOTAL, 1000), MEM(SWAP_FREE, 2000) } },
          .comp = HR_COMP_SWAP_FILL, .raw = 0, .rates = true },

        /* swap I/O: pswpin + pswpout per second */
        { "swap io: pswpin + pswpout per second", .dt = SEC,
          .prev = { .vm = { VM(PSWPIN, 1000), VM(PSWPOUT, 2000) } },
          .cur = { .vm = { VM(PSWPIN, 4000), VM(PSWPOUT, 4000) } },
          .comp = HR_COMP_SWAP_IO, .raw = 5000, .rates = true },
        { "swap io: 2500 pages in 500 ms", .dt = 500 * MSEC,
          .prev = { .vm = { VM(PSWPIN, 0), VM(PSWPOUT, 0) } },
          .cur = { .vm = { VM(PSWPIN, 2000), VM(PSWPOUT, 500) } },
          .comp = HR_COMP_SWAP_IO, .raw = 5000, .rates = true },
        { "swap io: pswpin went backwards counts 0", .dt = SEC,
          .prev = { .vm = { VM(PSWPIN, 9000), VM(PSWPOUT, 100) } },
          .cur = { .vm = { VM(PSWPIN, 1000), VM(PSWPOUT, 100) } },
          .comp = HR_COMP_SWAP_IO, .raw = 0, .rates = true },
        { "swap io: one counter back, the other forward", .dt = SEC,
          .prev = { .vm = { VM(PSWPIN, 9000), VM(PSWPOUT, 100) } },
          .cur = { .vm = { VM(PSWPIN, 1000), VM(PSWPOUT, 800) } },
          .comp = HR_COMP_SWAP_IO, .raw = 700, .rates = true },
        { "swap io: no rate on the first sample", .first = true,
          .cur = { .vm = { VM(PSWPIN, 1000000), VM(PSWPOUT, 1000000) } },
          .comp = HR_COMP_SWAP_IO, .raw = 0 },
        { "swap io: no rate under min_rate_interval", .dt = DT_UNDER_MIN,
          .prev = { .vm = { VM(PSWPIN, 0) } }, .cur = { .vm = { VM(PSWPIN, 1000000) } },
          .comp = HR_COMP_SWAP_IO, .raw = 0 },
        { "swap io: no rate at the same timestamp", .dt = 0,
          .prev = { .vm = { VM(PSWPIN, 0) } }, .cur = { .vm = { VM(PSWPIN, 1000000) } },
          .comp = HR_COMP_SWAP_IO, .raw = 0 },
        { "swap io: no rate when the clock went back", .dt = DT_BACKWARDS,
          .prev = { .vm = { VM(PSWPIN, 0) } }, .cur = { .vm = { VM(PSWPIN, 1000000) } },
          .comp = HR_COMP_SWAP_IO, .raw = 0 },

        /* refaults: anon + file per second, or the single pre-5.9 counter */
        { "refault: anon + file per second", .dt = SEC,
          .prev = { .vm = { VM(WORKINGSET_REFAULT_ANON, 100), VM(WORKINGSET_REFAULT_FILE, 200) } },
          .cur = { .vm = { VM(WORKINGSET_REFAULT_ANON, 1100), VM(WORKINGSET_REFAULT_FILE, 4200) } },
          .comp = HR_COMP_REFAULT, .raw = 5000, .rates = true },
        { "refault: file counter only", .dt = SEC,
          .prev = { .vm = { VM(WORKINGSET_REFAULT_FILE, 200) } },
          .cur = { .vm = { VM(WORKINGSET_REFAULT_FILE, 4200) } },
          .comp = HR_COMP_REFAULT, .raw = 4000, .rates = true },
        { "refault: pre-5.9 single counter", .dt = 2 * SEC,
          .prev = { .vm = { VM(WORKINGSET_REFAULT, 1000) } },
          .cur = { .vm = { VM(WORKINGSET_REFAULT, 7000) } },
          .comp = HR_COMP_REFAULT, .raw = 3000, .rates = true },
        { "refault: split counters win over the single one", .dt = SEC,
          .prev = { .vm = { VM(WORKINGSET_REFAULT_ANON, 0), VM(WORKINGSET_REFAULT_FILE, 0), VM(WORKINGSET_REFAULT, 0) } },
          .cur = { .vm = { VM(WORKINGSET_REFAULT_ANON, 100), VM(WORKINGSET_REFAULT_FILE, 100),
                           VM(WORKINGSET_REFAULT, 99999) } },
          .comp = HR_COMP_REFAULT, .raw = 200, .rates = true },
        { "refault: counters went backwards give 0", .dt = SEC,
          .prev = { .vm = { VM(WORKINGSET_REFAULT_ANON, 5000), VM(WORKINGSET_REFAULT_FILE, 5000) } },
          .cur = { .vm = { VM(WORKINGSET_REFAULT_ANON, 1000), VM(WORKINGSET_REFAULT_FILE, 1000) } },
          .comp = HR_COMP_REFAULT, .raw = 0, .rates = true },
        { "refault: no rate on the first sample", .first = true,
          .cur = { .vm = { VM(WORKINGSET_REFAULT, 99999) } },
          .comp = HR_COMP_REFAULT, .raw = 0 },
        { "refault: no rate under min_rate_interval", .dt = DT_UNDER_MIN,
          .prev = { .vm = { VM(WORKINGSET_REFAULT, 0) } }, .cur = { .vm = { VM(WORKINGSET_REFAULT, 99999) } },
          .comp = HR_COMP_REFAULT, .raw = 0 },

        /* MemAvailable shortfall, permyriad of MemTotal */
        { "mem available: half available", .dt = SEC,
          .cur = { .mem = { MEM(TOTAL, 1000000), MEM(AVAILABLE, 500000) } },
          .comp = HR_COMP_MEM_AVAILABLE, .raw = 5000, .rates = true },
        { "mem available: 10% available", .dt = SEC,
          .cur = { .mem = { MEM(TOTAL, 1000000), MEM(AVAILABLE, 100000) } },
          .comp = HR_COMP_MEM_AVAILABLE, .raw = 9000, .rates = true },
        { "mem available: nothing available", .dt = SEC,
          .cur = { .mem = { MEM(TOTAL, 1000000), MEM(AVAILABLE, 0) } },
          .comp = HR_COMP_MEM_AVAILABLE, .raw = 10000, .rates = true },
        { "mem available: all available", .dt = SEC,
          .cur = { .mem = { MEM(TOTAL, 1000000), MEM(AVAILABLE, 1000000) } },
          .comp = HR_COMP_MEM_AVAILABLE, .raw = 0, .rates = true },
        { "mem available: counts on the first sample", .first = true,
          .cur = { .mem = { MEM(TOTAL, 1000000), MEM(AVAILABLE, 100000) } },
          .comp = HR_COMP_MEM_AVAILABLE, .raw = 9000 },
        { "mem available: MemAvailable above MemTotal gives 0", .dt = SEC,
          .cur = { .mem = { MEM(TOTAL, 1000), MEM(AVAILABLE, 2000) } },
          .comp = HR_COMP_MEM_AVAILABLE, .raw = 0, .rates = true },
        /* free swap: SwapCredit (0.5) of it counts as available */
        { "mem available: half the free swap counts", .dt = SEC,
          .cur = { .mem = { MEM(TOTAL, 1000000), MEM(AVAILABLE, 100000), MEM(SWAP_TOTAL, 400000),
                            MEM(SWAP_FREE, 400000) } },
          .comp = HR_COMP_MEM_AVAILABLE, .raw = 7000, .rates = true },
        { "mem available: a swap larger than RAM caps at all available", .dt = SEC,
          .cur = { .mem = { MEM(TOTAL, 1000000), MEM(AVAILABLE, 100000), MEM(SWAP_TOTAL, 4000000),
                            MEM(SWAP_FREE, 4000000) } },
          .comp = HR_COMP_MEM_AVAILABLE, .raw = 0, .rates = true },
        { "mem available: SwapFree above SwapTotal is no credit", .dt = SEC,
          .cur = { .mem = { MEM(TOTAL, 1000000), MEM(AVAILABLE, 100000), MEM(SWAP_TOTAL, 1000),
                            MEM(SWAP_FREE, 400000) } },
          .comp = HR_COMP_MEM_AVAILABLE, .raw = 9000, .rates = true },
        { "no meminfo, vmstat or PSI at all", .dt = SEC,
          .comp = HR_COMP_MEM_AVAILABLE, .raw = 0, .rates = true },
};

/* The live score: PSI from the last interval alone; stale_centi is what only avg10 still remembers. */
static void test_stale(void **state) {
        const HrPressureConfig *cfg = &hr_pressure_config_default;
        static const struct {
                const char *name;
                Side prev, cur;
                bool first, some_stale;
        } cases[] = {
                { "stalls ended: all of avg10's points are stale", { PSI_SOME(4000, 1000000) },
                  { PSI_SOME(4000, 1000000) }, .some_stale = true },
                { "stalls go on at avg10's rate: nothing stale", { PSI_SOME(4000, 1000000) },
                  { PSI_SOME(4000, 1400000) } },
                { "stalls rise above avg10: nothing stale", { PSI_SOME(1000, 1000000) },
                  { PSI_SOME(1000, 1900000) } },
                { "first sample: no rates, nothing stale", { PSI_SOME(4000, 1000000) },
                  { PSI_SOME(4000, 1000000) }, .first = true },
        };
        (void) state;

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                HrSample prev, cur;
                HrPressure p;

                build(&cases[i].prev, T0, &prev);
                build(&cases[i].cur, T0 + SEC, &cur);
                hr_pressure_eval(cfg, cases[i].first ? NULL : &prev, &cur, NULL, &p);
                if (cases[i].some_stale ? p.stale_centi != p.score_centi || p.score_centi == 0 : p.stale_centi != 0)
                        fail_msg("case \"%s\": stale %u of score %u", cases[i].name, p.stale_centi, p.score_centi);
        }
}

/* The credit shrinks as swap fills, and SwapCredit=0 turns it off. */
static void test_swap_credit(void **state) {
        static const struct {
                uint64_t swap_free, credit_permille, want_raw;
        } cases[] = {
                { 400000, 500, 7000 }, { 200000, 500, 8000 }, { 0, 500, 9000 },
                { 400000, 0, 9000 },   { 400000, 1000, 5000 },
        };
        (void) state;

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                HrPressureConfig cfg = hr_pressure_config_default;
                Side in = { .mem = { MEM(TOTAL, 1000000), MEM(AVAILABLE, 100000), MEM(SWAP_TOTAL, 400000),
                                     MEM(SWAP_FREE, cases[i].swap_free) } };
                HrSample cur;
                HrPressure p;

                cfg.swap_credit_permille = (uint32_t) cases[i].credit_permille;
                build(&in, T0, &cur);
                hr_pressure_eval(&cfg, NULL, &cur, NULL, &p);
                assert_int_equal(p.raw[HR_COMP_MEM_AVAILABLE], cases[i].want_raw);

                /* A --scope under its memory limit: swap is no room there, whatever the credit. */
                cur.scope_mem = (HrScopeMem) { .limited = true, .limit_kib = 1000000, .usage_kib = 900000 };
                hr_pressure_eval(&cfg, NULL, &cur, NULL, &p);
                assert_int_equal(p.raw[HR_COMP_MEM_AVAILABLE], 9000);
        }
}

static usec_t case_dt(const HrPressureConfig *cfg, int64_t dt) {
        switch (dt) {
        case DT_UNDER_MIN:
                return cfg->min_rate_interval_usec - 1;
        case DT_AT_MIN:
                return cfg->min_rate_interval_usec;
        default:
                return (usec_t) dt;
        }
}

static void test_components(void **state) {
        const HrPressureConfig *cfg = &hr_pressure_config_default;
        (void) state;
        assert_true(cfg->min_rate_interval_usec > 0);

        for (size_t i = 0; i < ELEMENTSOF(comp_cases); i++) {
                const CompCase *c = &comp_cases[i];
                HrSample prev, cur;
                HrPressure p;
                usec_t at = c->dt == DT_BACKWARDS ? T0 - SEC : T0 + case_dt(cfg, c->dt);

                build(&c->prev, T0, &prev);
                build(&c->cur, at, &cur);
                hr_pressure_eval(cfg, c->first ? NULL : &prev, &cur, NULL, &p);

                EXPECT_U(c->name, p.has_rates, c->rates);
                uint32_t want_points = hr_ramp_points_centi(cfg->ramp[c->comp], c->raw);
                for (unsigned k = 0; k < _HR_COMP_MAX; k++) {
                        bool it = k == (unsigned) c->comp;
                        if (p.raw[k] != (it ? c->raw : 0))
                                fail_msg("case \"%s\": raw[%s] = %" PRIu64 ", want %" PRIu64, c->name,
                                         hr_component_to_string(k), p.raw[k], it ? c->raw : 0);
                        if (p.points_centi[k] != (it ? want_points : 0))
                                fail_msg("case \"%s\": points_centi[%s] = %u, want %u", c->name,
                                         hr_component_to_string(k), p.points_centi[k], it ? want_points : 0);
                }
                /* A lone component scores its points times its weight. */
                EXPECT_U(c->name, p.score_centi, want_points * MIN(cfg->weight_permille[c->comp], 1000u) / 1000);
                EXPECT_U(c->name, p.psi_some_permyriad, p.raw[HR_COMP_PSI_SOME]);
                EXPECT_U(c->name, p.psi_full_permyriad, p.raw[HR_COMP_PSI_FULL]);
                EXPECT_I(c->name, p.trend_centi_per_sec, 0); /* no previous result given */
        }
}

/* ---- the noisy-OR combination ---- */

/* PSI some and full on a 0..100% ramp, every other component off: the points equal the avg10 values. */
static HrPressureConfig psi_only_config(uint32_t w_some, uint32_t w_full) {
        HrPressureConfig cfg = hr_pressure_config_default;
        for (unsigned k = 0; k < _HR_COMP_MAX; k++)
                cfg.weight_permille[k] = 0;
        cfg.ramp[HR_COMP_PSI_SOME] = (HrRamp) { 0, 10000 };
        cfg.ramp[HR_COMP_PSI_FULL] = (HrRamp) { 0, 10000 };
        cfg.weight_permille[HR_COMP_PSI_SOME] = w_some;
        cfg.weight_permille[HR_COMP_PSI_FULL] = w_full;
        cfg.min_rate_interval_usec = 50 * MSEC;
        cfg.trend_min_interval_usec = SEC;
        return cfg;
}

typedef struct ComboCase {
        const char *name;
        uint32_t w_some, w_full;
        uint32_t some, full; /* avg10, permyriad = points */
        uint32_t want;
} ComboCase;

static const ComboCase combo_cases[] = {
        { "nothing",                                  1000, 1000, 0, 0, 0 },
        { "one saturated, weight 1000: 100.00",       1000, 1000, 10000, 0, 10000 },
        { "saturated plus a moderate one: 100.00",    1000, 1000, 10000, 5000, 10000 },
        { "both saturated: still 100.00",             1000, 1000, 10000, 10000, 10000 },
        { "two at 50 compound to 75",                 1000, 1000, 5000, 5000, 7500 },
        { "20 and 30 compound to 44",                 1000, 1000, 2000, 3000, 4400 },
        { "one alone is its points",                  1000, 1000, 3000, 0, 3000 },
        { "weight 500 halves a saturated component",  500, 1000, 10000, 0, 5000 },
        { "weight 500 on both at 100: 75",            500, 500, 10000, 10000, 7500 },
        { "weight 0 disables a saturated component",  0, 1000, 10000, 0, 0 },
        { "weight 0 off, the other still counts",     0, 1000, 10000, 3000, 3000 },
        { "weight above 1000 acts as 1000",           5000, 0, 5000, 0, 5000 },
        { "weights above 1000 never pass 100",        UINT32_MAX, UINT32_MAX, 10000, 10000, 10000 },
};

static void test_noisy_or(void **state) {
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(combo_cases); i++) {
                const ComboCase *c = &combo_cases[i];
                HrPressureConfig cfg = psi_only_config(c->w_some, c->w_full);
                HrSample cur;
                HrPressure p;

                build(&(Side) { PSI_BOTH(c->some, 0, c->full, 0) }, T0, &cur);
                hr_pressure_eval(&cfg, NULL, &cur, NULL, &p);
                EXPECT_U(c->name, p.points_centi[HR_COMP_PSI_SOME], c->some);
                EXPECT_U(c->name, p.points_centi[HR_COMP_PSI_FULL], c->full);
                EXPECT_U(c->name, p.score_centi, c->want);
        }
}

/* Combining never falls below the strongest part, never exceeds the sum, never passes 100. */
static void test_noisy_or_bounds(void **state) {
        static const uint32_t v[] = { 0, 1, 499, 2500, 5000, 7777, 9999, 10000 };
        (void) state;
        for (size_t a = 0; a < ELEMENTSOF(v); a++)
                for (size_t b = 0; b < ELEMENTSOF(v); b++) {
                        HrPressureConfig cfg = psi_only_config(1000, 1000);
                        HrSample s;
                        HrPressure both, only_a, only_b;

                        build(&(Side) { PSI_BOTH(v[a], 0, v[b], 0) }, T0, &s);
                        hr_pressure_eval(&cfg, NULL, &s, NULL, &both);
                        build(&(Side) { PSI_BOTH(v[a], 0, 0, 0) }, T0, &s);
                        hr_pressure_eval(&cfg, NULL, &s, NULL, &only_a);
                        build(&(Side) { PSI_BOTH(0, 0, v[b], 0) }, T0, &s);
                        hr_pressure_eval(&cfg, NULL, &s, NULL, &only_b);

                        if (both.score_centi < MAX(only_a.score_centi, only_b.score_centi) ||
                            both.score_centi > MIN(only_a.score_centi + only_b.score_centi, 10000u))
                                fail_msg("some %u + full %u: score %u from %u and %u", v[a], v[b], both.score_centi,
                                         only_a.score_centi, only_b.score_centi);
                }
}

/* With the default weights, every component saturated at once gives exactly 100.00. */
static void test_all_saturated(void **state) {
        const HrPressureConfig *cfg = &hr_pressure_config_default;
        HrSample prev, cur;
        HrPressure p;
        (void) state;

        build(&(Side) { PSI_BOTH(0, 0, 0, 0),
                        .vm = { VM(PSWPIN, 0), VM(PSWPOUT, 0), VM(WORKINGSET_REFAULT_ANON, 0) } }, T0, &prev);
        build(&(Side) { PSI_BOTH(10000, SEC, 10000, SEC),
                        .mem = { MEM(TOTAL, 1000000), MEM(AVAILABLE, 0), MEM(SWAP_TOTAL, 1000), MEM(SWAP_FREE, 0) },
                        .vm = { VM(PSWPIN, cfg->ramp[HR_COMP_SWAP_IO].full), VM(PSWPOUT, 0),
                                VM(WORKINGSET_REFAULT_ANON, cfg->ramp[HR_COMP_REFAULT].full) } },
              T0 + SEC, &cur);
        hr_pressure_eval(cfg, &prev, &cur, NULL, &p);
        for (unsigned k = 0; k < _HR_COMP_MAX; k++)
                EXPECT_U(hr_component_to_string(k), p.points_centi[k], 10000);
        bool any_full_weight = false;
        for (unsigned k = 0; k < _HR_COMP_MAX; k++)
                any_full_weight = any_full_weight || cfg->weight_permille[k] >= 1000;
        if (any_full_weight)
                EXPECT_U("all saturated", p.score_centi, 10000);
        else
                assert_true(p.score_centi < 10000);
}

/* ---- trend ---- */

typedef struct TrendCase {
        const char *name;
        uint32_t before, after; /* scores; with psi_only_config they are the PSI some avg10 values */
        int64_t dt;
        bool first;      /* no previous sample */
        bool no_result;  /* previous sample, but no previous result */
        int32_t want;
} TrendCase;

/* psi_only_config() fixes trend_min_interval_usec at 1 s, so these numbers do not follow the defaults. */
static const TrendCase trend_cases[] = {
        { "rising 30 points in 1 s",               2000, 5000, SEC, .want = 3000 },
        { "falling 30 points in 1 s",              5000, 2000, SEC, .want = -3000 },
        { "rising 30 points in 2 s",               2000, 5000, 2 * SEC, .want = 1500 },
        { "rising 30 points in 1.5 s",             2000, 5000, 1500 * MSEC, .want = 2000 },
        { "flat",                                  4000, 4000, SEC, .want = 0 },
        { "+30 in 100 ms reads +30/s, not +300/s", 2000, 5000, 100 * MSEC, .want = 3000 },
        { "-30 in 100 ms reads -30/s",             5000, 2000, 100 * MSEC, .want = -3000 },
        { "0 to 100 in 1 s",                       0, 10000, SEC, .want = 10000 },
        { "first sample: no trend",                2000, 5000, SEC, .first = true, .want = 0 },
        { "no previous result: no trend",          2000, 5000, SEC, .no_result = true, .want = 0 },
        { "same timestamp: no trend",              2000, 5000, 0, .want = 0 },
        { "clock went back: no trend",             2000, 5000, DT_BACKWARDS, .want = 0 },
};

static void test_trend(void **state) {
        HrPressureConfig cfg = psi_only_config(1000, 0);
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(trend_cases); i++) {
                const TrendCase *c = &trend_cases[i];
                HrSample prev, cur;
                HrPressure p0, p1;
                usec_t at = c->dt == DT_BACKWARDS ? T0 - SEC : T0 + (usec_t) c->dt;

                build(&(Side) { PSI_SOME(c->before, 0) }, T0, &prev);
                build(&(Side) { PSI_SOME(c->after, 0) }, at, &cur);
                hr_pressure_eval(&cfg, NULL, &prev, NULL, &p0);
                EXPECT_U(c->name, p0.score_centi, c->before);
                hr_pressure_eval(&cfg, c->first ? NULL : &prev, &cur, c->no_result ? NULL : &p0, &p1);
                EXPECT_U(c->name, p1.score_centi, c->after);
                EXPECT_I(c->name, p1.trend_centi_per_sec, c->want);
        }
}

/* The floor follows the configuration: with the default, a jump over any interval shorter than the
 * floor reads as if spread over the floor. */
static void test_trend_floor_default(void **state) {
        HrPressureConfig cfg = psi_only_config(1000, 0);
        HrSample prev, cur;
        HrPressure p0, p1;
        (void) state;

        cfg.trend_min_interval_usec = hr_pressure_config_default.trend_min_interval_usec;
        assert_true(cfg.trend_min_interval_usec >= 10 * MSEC);
        build(&(Side) { PSI_SOME(2000, 0) }, T0, &prev);
        build(&(Side) { PSI_SOME(5000, 0) }, T0 + cfg.trend_min_interval_usec / 10, &cur);
        hr_pressure_eval(&cfg, NULL, &prev, NULL, &p0);
        hr_pressure_eval(&cfg, &prev, &cur, &p0, &p1);
        EXPECT_I("default floor", p1.trend_centi_per_sec,
                 (int64_t) 3000 * (int64_t) USEC_PER_SEC / (int64_t) cfg.trend_min_interval_usec);
}

/* ---- determinism ---- */

static void expect_same(const char *what, const HrPressure *a, const HrPressure *b) {
        /* Member by member: the struct's trailing padding is not part of the result. */
        if (memcmp(a->raw, b->raw, sizeof a->raw) != 0 ||
            memcmp(a->points_centi, b->points_centi, sizeof a->points_centi) != 0 ||
            a->score_centi != b->score_centi || a->trend_centi_per_sec != b->trend_centi_per_sec ||
            a->psi_some_permyriad != b->psi_some_permyriad || a->psi_full_permyriad != b->psi_full_permyriad ||
            a->has_rates != b->has_rates)
                fail_msg("%s: results differ (score %u vs %u, trend %d vs %d)", what, a->score_centi, b->score_centi,
                         a->trend_centi_per_sec, b->trend_centi_per_sec);
}

static void test_deterministic(void **state) {
        const HrPressureConfig *cfg = &hr_pressure_config_default;
        enum { N = 6 };
        HrSample s[N];
        HrPressure run[2][N];
        (void) state;

        for (unsigned i = 0; i < N; i++)
                build(&(Side) { PSI_BOTH(300 * i, 20000 * i * i, 100 * i, 5000 * i * i),
                                .mem = { MEM(TOTAL, 8000000), MEM(AVAILABLE, 3000000 - 400000 * i),
                                         MEM(SWAP_TOTAL, 2000000), MEM(SWAP_FREE, 2000000 - 300000 * i) },
                                .vm = { VM(PSWPIN, 700 * i * i), VM(PSWPOUT, 1300 * i * i),
                                        VM(WORKINGSET_REFAULT_ANON, 2000 * i * i),
                                        VM(WORKINGSET_REFAULT_FILE, 9000 * i) } },
                      T0 + i * 700 * MSEC, &s[i]);

        for (unsigned r = 0; r < 2; r++)
                for (unsigned i = 0; i < N; i++) {
                        /* Different garbage in the output each run: eval must not read it. */
                        memset(&run[r][i], r ? 0x5a : 0xa5, sizeof run[r][i]);
                        hr_pressure_eval(cfg, i ? &s[i - 1] : NULL, &s[i], i ? &run[r][i - 1] : NULL, &run[r][i]);
                }
        for (unsigned i = 0; i < N; i++) {
                char what[32];
                snprintf(what, sizeof what, "sample %u", i);
                expect_same(what, &run[0][i], &run[1][i]);
        }
        /* The sequence is not trivial: the score climbs below saturation and the trend follows it. */
        for (unsigned i = 1; i < N; i++)
                if (run[0][i].score_centi <= run[0][i - 1].score_centi || run[0][i].score_centi >= 10000 ||
                    run[0][i].trend_centi_per_sec <= 0 || !run[0][i].has_rates)
                        fail_msg("sample %u: score %u after %u, trend %d", i, run[0][i].score_centi,
                                 run[0][i - 1].score_centi, run[0][i].trend_centi_per_sec);
}

/* ---- names ---- */

static void test_component_strings(void **state) {
        (void) state;
        for (int c = 0; c < _HR_COMP_MAX; c++) {
                const char *s = hr_component_to_string((HrComponent) c);
                assert_non_null(s);
                assert_int_equal(hr_component_from_string(s), c);
                for (int d = 0; d < c; d++)
                        assert_string_not_equal(s, hr_component_to_string((HrComponent) d));
        }
        assert_null(hr_component_to_string(_HR_COMP_MAX));
        assert_null(hr_component_to_string(_HR_COMP_INVALID));
        assert_null(hr_component_to_string((HrComponent) -1));
        assert_int_equal(hr_component_from_string(NULL), _HR_COMP_INVALID);
        assert_int_equal(hr_component_from_string(""), _HR_COMP_INVALID);
        assert_int_equal(hr_component_from_string("psi"), _HR_COMP_INVALID);
        assert_int_equal(hr_component_from_string("psi_some "), _HR_COMP_INVALID);
        assert_int_equal(hr_component_from_string("psi_somex"), _HR_COMP_INVALID);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_ramp_edges),
                cmocka_unit_test(test_ramp_monotonic),
                cmocka_unit_test(test_components),
                cmocka_unit_test(test_swap_credit),
                cmocka_unit_test(test_stale),
                cmocka_unit_test(test_noisy_or),
                cmocka_unit_test(test_noisy_or_bounds),
                cmocka_unit_test(test_all_saturated),
                cmocka_unit_test(test_trend),
                cmocka_unit_test(test_trend_floor_default),
                cmocka_unit_test(test_deterministic),
                cmocka_unit_test(test_component_strings),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
