/* SPDX-License-Identifier: MIT */
/* Calibration: per-component distributions over the healthy (NORMAL) records, ramp starts proposed just above
 * them with a reason per key, and the drop-in text that applies them. Pure: no I/O, no clock, no allocation. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/calibrate.h"

_Static_assert(sizeof(HrFlightRecord) <= 96, "HrFlightRecord grew: the ring's memory budget assumes 96 bytes");

void hr_flight_record_fill(HrFlightRecord *ret, usec_t at, uint64_t wall_usec, HrLevel level, const HrPressure *p,
                           const HrSample *sample) {
        HrFlightRecord r = {
                .at = at,
                .wall_usec = wall_usec,
                .trend_centi_per_sec = p->trend_centi_per_sec,
                .score_centi = (uint16_t) MIN(p->score_centi, 10000u),
                .level = (uint8_t) ((unsigned) level < _HR_LEVEL_MAX ? level : HR_LEVEL_NORMAL),
                .flags = p->has_rates ? HR_FLIGHT_HAS_RATES : 0,
        };

        for (unsigned i = 0; i < _HR_COMP_MAX; i++) {
                r.raw[i] = (uint32_t) MIN(p->raw[i], (uint64_t) UINT32_MAX);
                r.points_centi[i] = (uint16_t) MIN(p->points_centi[i], 10000u);
        }
        if (sample) {
                r.mem_available_kib = hr_meminfo_get(&sample->meminfo, HR_MEM_AVAILABLE);
                r.mem_total_kib = hr_meminfo_get(&sample->meminfo, HR_MEM_TOTAL);
                r.swap_free_kib = hr_meminfo_get(&sample->meminfo, HR_MEM_SWAP_FREE);
                r.swap_total_kib = hr_meminfo_get(&sample->meminfo, HR_MEM_SWAP_TOTAL);
        }
        *ret = r;
}

static const char *const status_table[_HR_CALIBRATE_STATUS_MAX] = {
        [HR_CALIBRATE_OK] = "ok",
        [HR_CALIBRATE_TOO_LITTLE] = "too-little-history",
};

const char *hr_calibrate_status_to_string(HrCalibrateStatus s) {
        return (unsigned) s < _HR_CALIBRATE_STATUS_MAX ? status_table[s] : NULL;
}

/* A value with its unit, for reasons: "12.5% available", "72000 pages/s". */
#define HUMAN_MAX (HR_CALIBRATE_VALUE_MAX + 16)

/* The keys of daemon/config.c's table, per component. */
static const struct {
        const char *start, *full, *weight;
} comp_keys[_HR_COMP_MAX] = {
        [HR_COMP_PSI_SOME] = { "PsiSomeStart", "PsiSomeFull", "PsiSomeWeight" },
        [HR_COMP_PSI_FULL] = { "PsiFullStart", "PsiFullFull", "PsiFullWeight" },
        [HR_COMP_SWAP_FILL] = { "SwapFillStart", "SwapFillFull", "SwapFillWeight" },
        [HR_COMP_SWAP_IO] = { "SwapIoStart", "SwapIoFull", "SwapIoWeight" },
        [HR_COMP_REFAULT] = { "RefaultStart", "RefaultFull", "RefaultWeight" },
        [HR_COMP_MEM_AVAILABLE] = { "MemAvailableStart", "MemAvailableFull", "MemAvailableWeight" },
};

/* The largest value a ramp key accepts, in raw units (the table's bounds). */
#define RATE_MAX UINT64_C(1000000000)
#define SHARE_MAX UINT64_C(10000)

static bool is_rate(HrComponent c) {
        return c == HR_COMP_SWAP_IO || c == HR_COMP_REFAULT;
}

/* ---- formatting ---- */

/* v / 10^decimals, trailing fractional zeros dropped: 1250 (2) -> "12.5". */
static void fmt_scaled(char *buf, size_t size, uint64_t v, unsigned decimals, const char *suffix) {
        uint64_t scale = 1;
        for (unsigned i = 0; i < decimals; i++)
                scale *= 10;
        uint64_t f = v % scale;
        unsigned d = decimals;
        if (f == 0) {
                (void) snprintf(buf, size, "%" PRIu64 "%s", v / scale, suffix);
                return;
        }
        while (f % 10 == 0) {
                f /= 10;
                d--;
        }
        (void) snprintf(buf, size, "%" PRIu64 ".%0*" PRIu64 "%s", v / scale, (int) d, f, suffix);
}

/* A raw value as the configuration file writes it: "12.5%" (MemAvailable as % available), "2500". */
static void fmt_config(char *buf, size_t size, HrComponent c, uint64_t raw) {
        if (is_rate(c))
                (void) snprintf(buf, size, "%" PRIu64, raw);
        else if (c == HR_COMP_MEM_AVAILABLE)
                fmt_scaled(buf, size, SHARE_MAX - MIN(raw, SHARE_MAX), 2, "%");
        else
                fmt_scaled(buf, size, raw, 2, "%");
}

/* A raw value for a reason: as in the file, with " pages/s" on rates and " available" on MemAvailable. */
static void fmt_human(char *buf, size_t size, HrComponent c, uint64_t raw) {
        char v[HR_CALIBRATE_VALUE_MAX];
        fmt_config(v, sizeof v, c, raw);
        (void) snprintf(buf, size, "%s%s", v,
                        is_rate(c) ? " pages/s" : c == HR_COMP_MEM_AVAILABLE ? " available" : "");
}

static void fmt_duration(char *buf, size_t size, usec_t u) {
        uint64_t s = u / USEC_PER_SEC;
        if (s >= 3600)
                (void) snprintf(buf, size, "%" PRIu64 " h %" PRIu64 " min", s / 3600, s % 3600 / 60);
        else if (s >= 60 && s % 60 == 0)
                (void) snprintf(buf, size, "%" PRIu64 " min", s / 60);
        else if (s >= 60)
                (void) snprintf(buf, size, "%" PRIu64 " min %" PRIu64 " s", s / 60, s % 60);
        else
                (void) snprintf(buf, size, "%" PRIu64 " s", s);
}

static void reason(HrCalibrateProposal *p, const char *fmt, ...) _printf_(2, 3);
static void reason(HrCalibrateProposal *p, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        (void) vsnprintf(p->reason, sizeof p->reason, fmt, ap);
        va_end(ap);
}

/* ---- statistics ---- */

static bool healthy(const HrFlightRecord *r, HrComponent c) {
        return r->level == HR_LEVEL_NORMAL && (!is_rate(c) || (r->flags & HR_FLIGHT_HAS_RATES));
}

static size_t count_at_most(const HrFlightRecord *recs, size_t n, HrComponent c, uint64_t v) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
                if (healthy(&recs[i], c) && recs[i].raw[c] <= v)
                        k++;
        return k;
}

/* Nearest rank: the smallest healthy value with at least ceil(q/1000 * m) values at or below it. Found by
 * bisecting the value range (32 passes over the records) rather than sorting, which would need a copy. */
static uint64_t percentile(const HrFlightRecord *recs, size_t n, HrComponent c, size_t m, uint64_t max,
                           unsigned q_permille) {
        size_t rank = (size_t) (((uint64_t) m * q_permille + 999) / 1000);
        uint64_t lo = 0, hi = max;

        rank = MAX(rank, (size_t) 1);
        while (lo < hi) {
                uint64_t mid = lo + (hi - lo) / 2;
                if (count_at_most(recs, n, c, mid) >= rank)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        return lo;
}

static HrCalibrateStats stats_of(const HrFlightRecord *recs, size_t n, HrComponent c) {
        HrCalibrateStats s = {};
        for (size_t i = 0; i < n; i++)
                if (healthy(&recs[i], c)) {
                        s.n++;
                        s.max = MAX(s.max, (uint64_t) recs[i].raw[c]);
                }
        if (s.n == 0)
                return s;
        s.p50 = percentile(recs, n, c, s.n, s.max, 500);
        s.p95 = percentile(recs, n, c, s.n, s.max, 950);
        s.p99 = percentile(recs, n, c, s.n, s.max, 990);
        return s;
}

/* Two significant digits, rounded up or down: 3861 -> 3900 (up), 3800 (down); below 100 unchanged. */
static uint64_t round_2sig(uint64_t v, bool up) {
        uint64_t p = 1;
        while (v / p >= 100)
                p *= 10;
        return (up ? (v / p + (v % p != 0)) : v / p) * p;
}

/* The raw start that leaves the healthy p99 with 0 points, before the built-in floor. */
static uint64_t start_needed(HrComponent c, uint64_t p99) {
        if (c == HR_COMP_MEM_AVAILABLE) {
                /* p99 of the shortfall is the 1st percentile of % available: start at that / 1.2. */
                uint64_t avail = SHARE_MAX - MIN(p99, SHARE_MAX);
                return SHARE_MAX - round_2sig(avail * 100 / HR_CALIBRATE_MARGIN_PERCENT, /* up= */ false);
        }
        return round_2sig((p99 * HR_CALIBRATE_MARGIN_PERCENT + 99) / 100, /* up= */ true);
}

/* ---- proposals ---- */

static HrCalibrateProposal *add(HrCalibration *cal, const char *key) {
        HrCalibrateProposal *p = &cal->proposal[cal->n_proposals++];
        *p = (HrCalibrateProposal) { .section = "Pressure", .key = key };
        return p;
}

static void set_values(HrCalibrateProposal *p, HrComponent c, uint64_t cur, uint64_t proposed, uint64_t def) {
        fmt_config(p->current, sizeof p->current, c, cur);
        fmt_config(p->proposed, sizeof p->proposed, c, proposed);
        p->change = cur != proposed;
        p->current_is_default = cur == def;
}

static void set_percent(HrCalibrateProposal *p, uint64_t cur, uint64_t proposed, uint64_t def) {
        fmt_scaled(p->current, sizeof p->current, cur, 2, "%");
        fmt_scaled(p->proposed, sizeof p->proposed, proposed, 2, "%");
        p->change = cur != proposed;
        p->current_is_default = cur == def;
}

static void set_fraction(HrCalibrateProposal *p, uint64_t cur, uint64_t proposed, uint64_t def) {
        fmt_scaled(p->current, sizeof p->current, cur, 3, "");
        fmt_scaled(p->proposed, sizeof p->proposed, proposed, 3, "");
        p->change = cur != proposed;
        p->current_is_default = cur == def;
}

/* Start, Full and Weight of one component; returns the start in force afterwards. */
static uint64_t propose_component(HrCalibration *cal, const HrPressureConfig *pcfg, HrComponent c) {
        const HrRamp cur = pcfg->ramp[c], def = hr_pressure_config_default.ramp[c];
        const uint32_t w = pcfg->weight_permille[c], wdef = hr_pressure_config_default.weight_permille[c];
        const HrCalibrateStats *st = &cal->stats[c];
        const bool mem = c == HR_COMP_MEM_AVAILABLE;
        const char *name = hr_component_to_string(c);
        HrCalibrateProposal *ps = add(cal, comp_keys[c].start);
        HrCalibrateProposal *pf = add(cal, comp_keys[c].full);
        HrCalibrateProposal *pw = add(cal, comp_keys[c].weight);
        char hp99[HUMAN_MAX], hmax[HUMAN_MAX], hcur[HUMAN_MAX], hnew[HUMAN_MAX], hdef[HUMAN_MAX];
        uint64_t upper = is_rate(c) ? RATE_MAX : SHARE_MAX;
        uint64_t room = is_rate(c) ? 1 : HR_CALIBRATE_MIN_ROOM_PERMYRIAD;

        set_values(ps, c, cur.start, cur.start, def.start);
        set_values(pf, c, cur.full, cur.full, def.full);
        set_fraction(pw, w, w, wdef);
        reason(pf, "%s: kept, above the start", name);
        reason(pw, "%s: kept", name);

        if (w == 0) {
                reason(ps, "%s: switched off (weight 0), not calibrated", name);
                reason(pw, "%s: kept switched off", name);
                return cur.start;
        }
        if (st->n == 0) {
                reason(ps, "%s: kept, no healthy sample measured it", name);
                return cur.start;
        }

        fmt_human(hp99, sizeof hp99, c, st->p99);
        fmt_human(hmax, sizeof hmax, c, st->max);
        fmt_human(hcur, sizeof hcur, c, cur.start);
        fmt_human(hdef, sizeof hdef, c, def.start);
        const char *p99_what = mem ? "lowest healthy MemAvailable (1st percentile)" : "healthy p99";
        const char *max_what = mem ? "min" : "max";
        uint64_t need = start_needed(c, st->p99);
        uint64_t target = MAX(def.start, need);

        if (target > upper || upper - target < room) {
                /* No ramp fits above what this machine does when healthy. */
                set_fraction(pw, w, 0, wdef);
                reason(pw, "%s %s (%s %s) leaves no room for a ramp: %s cannot tell pressure from normal here",
                       p99_what, hp99, max_what, hmax, name);
                reason(ps, "%s: kept, switched off by %s=0 instead", name, comp_keys[c].weight);
                reason(pf, "%s: kept, switched off by %s=0 instead", name, comp_keys[c].weight);
                return cur.start;
        }

        set_values(ps, c, cur.start, target, def.start);
        fmt_human(hnew, sizeof hnew, c, target);
        uint32_t pts = hr_ramp_points_centi(cur, st->p99);
        if (target > cur.start) {
                if (target == need)
                        reason(ps, "%s %s (%s %s) scores %u.%02u points from %s; %s %s 1.2 = %s, so it scores 0",
                               p99_what, hp99, max_what, hmax, pts / 100, pts % 100, hcur, mem ? "that" : "p99",
                               mem ? "/" : "x", hnew);
                else
                        reason(ps, "%s %s (%s %s) scores %u.%02u points from %s; the built-in %s clears it", p99_what,
                               hp99, max_what, hmax, pts / 100, pts % 100, hcur, hdef);
        } else if (target < cur.start)
                reason(ps, "%s %s (%s %s) is well clear of %s: %s (the built-in default or %s 1.2, the larger) "
                           "counts pressure sooner",
                       p99_what, hp99, max_what, hmax, hcur, hnew, mem ? "p1 / " : "p99 x");
        else
                reason(ps, "%s %s (%s %s) scores 0 from %s: kept", p99_what, hp99, max_what, hmax, hcur);

        if (target >= cur.full) {
                uint64_t width = cur.full > cur.start ? cur.full - cur.start : def.full - def.start;
                uint64_t full = MIN(upper, target + width);
                char hfull[HUMAN_MAX];
                set_values(pf, c, cur.full, full, def.full);
                fmt_human(hfull, sizeof hfull, c, cur.full);
                reason(pf, "%s: moved up to stay above the new start %s (was %s)", name, hnew, hfull);
        }
        return target;
}

static void propose_trigger(HrCalibration *cal, const char *key, const char *start_key, uint32_t cur, uint32_t def,
                            uint64_t start) {
        HrCalibrateProposal *p = add(cal, key);
        uint64_t target = MAX((uint64_t) def, start);
        char hstart[32];

        set_percent(p, cur, target, def);
        fmt_scaled(hstart, sizeof hstart, start, 2, "%");
        if (target > cur)
                reason(p, "stalls below %s=%s score 0: the kernel need not wake headroomd for them", start_key, hstart);
        else if (target < cur)
                reason(p, "back to the larger of the built-in default and %s=%s: wake as soon as stalls count",
                       start_key, hstart);
        else
                reason(p, "kept: wakes where %s=%s starts to count, or at the built-in default", start_key, hstart);
}

int hr_calibrate(const HrFlightRecord *recs, size_t n, const HrConfig *cfg, HrCalibration *ret) {
        if (!cfg || !ret || (!recs && n > 0))
                return -EINVAL;

        HrCalibration *cal = ret;
        usec_t cap = cfg->level.tick_usec[HR_LEVEL_NORMAL] ? cfg->level.tick_usec[HR_LEVEL_NORMAL] : USEC_INFINITY;
        char have[32], need[32], span[32];
        uint64_t start[_HR_COMP_MAX];

        *cal = (HrCalibration) { .n_records = n };
        for (size_t i = 0; i < n; i++) {
                if (recs[i].level != HR_LEVEL_NORMAL)
                        continue;
                cal->n_healthy++;
                if (i + 1 < n && recs[i + 1].at > recs[i].at)
                        cal->healthy_usec += MIN(recs[i + 1].at - recs[i].at, cap);
        }
        if (n > 1 && recs[n - 1].at > recs[0].at)
                cal->span_usec = recs[n - 1].at - recs[0].at;
        for (unsigned c = 0; c < _HR_COMP_MAX; c++)
                cal->stats[c] = stats_of(recs, n, (HrComponent) c);

        fmt_duration(have, sizeof have, cal->healthy_usec);
        fmt_duration(need, sizeof need, HR_CALIBRATE_MIN_HEALTHY_USEC);
        fmt_duration(span, sizeof span, cal->span_usec);
        if (cal->healthy_usec < HR_CALIBRATE_MIN_HEALTHY_USEC || cal->n_healthy < HR_CALIBRATE_MIN_SAMPLES) {
                cal->status = HR_CALIBRATE_TOO_LITTLE;
                int k = snprintf(cal->summary, sizeof cal->summary,
                                 "too little healthy history: %s at NORMAL in %zu samples (of %zu over %s); "
                                 "calibration needs %s and %u samples",
                                 have, cal->n_healthy, n, span, need, HR_CALIBRATE_MIN_SAMPLES);
                (void) k; /* a summary for people: cut if it must be */
                return 0;
        }

        cal->status = HR_CALIBRATE_OK;
        (void) snprintf(cal->summary, sizeof cal->summary, "%s at NORMAL in %zu samples (of %zu over %s)", have,
                        cal->n_healthy, n, span);
        for (unsigned c = 0; c < _HR_COMP_MAX; c++)
                start[c] = propose_component(cal, &cfg->pressure, (HrComponent) c);
        propose_trigger(cal, "TriggerSome", "PsiSomeStart", cfg->trigger_some_permyriad,
                        HR_CALIBRATE_TRIGGER_SOME_DEFAULT, start[HR_COMP_PSI_SOME]);
        propose_trigger(cal, "TriggerFull", "PsiFullStart", cfg->trigger_full_permyriad,
                        HR_CALIBRATE_TRIGGER_FULL_DEFAULT, start[HR_COMP_PSI_FULL]);
        for (size_t i = 0; i < cal->n_proposals; i++)
                cal->n_changes += cal->proposal[i].change;
        return 0;
}

/* ---- rendering ---- */

typedef struct Buf {
        char *p;
        size_t size, n;
        bool full;
} Buf;

static void put(Buf *b, const char *fmt, ...) _printf_(2, 3);
static void put(Buf *b, const char *fmt, ...) {
        va_list ap;
        int k;

        if (b->full)
                return;
        va_start(ap, fmt);
        k = vsnprintf(b->p + b->n, b->size - b->n, fmt, ap);
        va_end(ap);
        if (k < 0 || (size_t) k >= b->size - b->n) {
                b->full = true;
                return;
        }
        b->n += (size_t) k;
}

int hr_calibration_render(const HrCalibration *c, char *buf, size_t size) {
        Buf b = { .p = buf, .size = size };

        if (c->status != HR_CALIBRATE_OK)
                return -ENODATA;
        if (size == 0)
                return -ENOSPC;
        buf[0] = '\0';
        put(&b, "# Written by headroomctl calibrate from %s.\n", c->summary);
        put(&b, "# Ramp starts sit just above what this machine shows at NORMAL (p99 x 1.2, never below the\n"
                "# built-in default), so its background noise scores 0. %zu of %zu keys change. This file sets\n"
                "# every key it names (an earlier calibration's too); delete it to go back to the other files.\n",
            c->n_changes, c->n_proposals);
        put(&b, "[Pressure]\n");
        for (size_t i = 0; i < c->n_proposals; i++) {
                const HrCalibrateProposal *p = &c->proposal[i];
                if (p->change)
                        put(&b, "# was %s: %s\n%s=%s\n", p->current, p->reason, p->key, p->proposed);
                else if (!p->current_is_default)
                        put(&b, "# running value, not the built-in default: %s\n%s=%s\n", p->reason, p->key,
                            p->proposed);
                else
                        put(&b, "# %s\n#%s=%s\n", p->reason, p->key, p->proposed);
        }
        if (b.full)
                return -ENOSPC;
        return (int) b.n;
}
