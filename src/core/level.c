/* SPDX-License-Identifier: MIT */
/* The damped level state machine: hold-two-samples escalation, spike jumps, one-level-at-a-time calm
 * de-escalation, and the adaptive sampling interval. Defaults are explained in docs/pressure-model.md. */
#include <string.h>

#include "core/level.h"

const HrLevelConfig hr_level_config_default = {
        .enter_centi = {
                [HR_LEVEL_NORMAL] = 0,
                [HR_LEVEL_ELEVATED] = 2000,
                [HR_LEVEL_HIGH] = 4000,
                [HR_LEVEL_CRITICAL] = 6000,
                [HR_LEVEL_EMERGENCY] = 8000,
        },
        .hysteresis_centi = 500,
        .hold_samples = 2,
        .calm_usec = 20 * USEC_PER_SEC,
        .spike_trend_centi_per_sec = 2500,
        .spike_psi_full_permyriad = 4000,
        .tick_usec = {
                [HR_LEVEL_NORMAL] = 5 * USEC_PER_SEC,
                [HR_LEVEL_ELEVATED] = USEC_PER_SEC,
                [HR_LEVEL_HIGH] = 500 * USEC_PER_MSEC,
                [HR_LEVEL_CRITICAL] = 250 * USEC_PER_MSEC,
                [HR_LEVEL_EMERGENCY] = 100 * USEC_PER_MSEC,
        },
        .tick_min_usec = 100 * USEC_PER_MSEC,
        .tick_pending_usec = 250 * USEC_PER_MSEC,
        .fill_rate_kib_per_sec = 1024 * 1024, /* 1 GiB/s */
};

static const char *const level_table[_HR_LEVEL_MAX] = {
        [HR_LEVEL_NORMAL] = "NORMAL",
        [HR_LEVEL_ELEVATED] = "ELEVATED",
        [HR_LEVEL_HIGH] = "HIGH",
        [HR_LEVEL_CRITICAL] = "CRITICAL",
        [HR_LEVEL_EMERGENCY] = "EMERGENCY",
};

static const char *const reason_table[_HR_LEVEL_REASON_MAX] = {
        [HR_LEVEL_UNCHANGED] = "unchanged",
        [HR_LEVEL_HELD] = "score held",
        [HR_LEVEL_SPIKE_TREND] = "spike: steep trend",
        [HR_LEVEL_SPIKE_FULL] = "spike: PSI full over hard bound",
        [HR_LEVEL_CALM] = "sustained calm",
};

const char *hr_level_to_string(HrLevel l) {
        return (unsigned) l < _HR_LEVEL_MAX ? level_table[l] : NULL;
}

HrLevel hr_level_from_string(const char *s) {
        for (unsigned i = 0; s && i < _HR_LEVEL_MAX; i++)
                if (strcasecmp(s, level_table[i]) == 0)
                        return (HrLevel) i;
        return _HR_LEVEL_INVALID;
}

const char *hr_level_reason_to_string(HrLevelReason r) {
        return (unsigned) r < _HR_LEVEL_REASON_MAX ? reason_table[r] : NULL;
}

void hr_level_state_init(HrLevelState *s, usec_t now) {
        *s = (HrLevelState) {
                .level = HR_LEVEL_NORMAL,
                .calm_since = USEC_INFINITY,
                .since = now,
        };
}

HrLevel hr_level_for_score(const HrLevelConfig *cfg, uint32_t score_centi) {
        HrLevel l = HR_LEVEL_NORMAL;
        for (unsigned i = 1; i < _HR_LEVEL_MAX; i++)
                if (score_centi >= cfg->enter_centi[i])
                        l = (HrLevel) i;
        return l;
}

/* A level is left only below its bound minus the hysteresis. */
static uint32_t calm_bound(const HrLevelConfig *cfg, HrLevel l) {
        uint32_t bound = cfg->enter_centi[l];
        return bound > cfg->hysteresis_centi ? bound - cfg->hysteresis_centi : 0;
}

static HrLevelReason enter(HrLevelState *s, HrLevel l, HrLevelReason why, usec_t now) {
        s->level = l;
        s->since = now;
        s->pending_count = 0;
        s->calm_since = USEC_INFINITY;
        return why;
}

HrLevelReason hr_level_step(const HrLevelConfig *cfg, HrLevelState *s, const HrLevelInput *in) {
        HrLevel target = hr_level_for_score(cfg, in->score_centi);

        if (target > s->level) {
                s->calm_since = USEC_INFINITY;
                if (in->psi_full_permyriad >= cfg->spike_psi_full_permyriad)
                        return enter(s, target, HR_LEVEL_SPIKE_FULL, in->now);
                if (in->trend_centi_per_sec >= cfg->spike_trend_centi_per_sec)
                        return enter(s, target, HR_LEVEL_SPIKE_TREND, in->now);

                /* Go up to the lowest level every sample of the run agreed on. */
                s->pending = s->pending_count > 0 ? MIN(s->pending, target) : target;
                s->pending_count++;
                if (s->pending_count >= MAX(cfg->hold_samples, 1u))
                        return enter(s, s->pending, HR_LEVEL_HELD, in->now);
                return HR_LEVEL_UNCHANGED;
        }

        s->pending_count = 0;
        if (s->level == HR_LEVEL_NORMAL)
                return HR_LEVEL_UNCHANGED;

        if (in->score_centi >= calm_bound(cfg, s->level)) {
                s->calm_since = USEC_INFINITY;
                return HR_LEVEL_UNCHANGED;
        }
        if (s->calm_since == USEC_INFINITY) {
                s->calm_since = in->now;
                return HR_LEVEL_UNCHANGED;
        }
        if (in->now - s->calm_since < cfg->calm_usec)
                return HR_LEVEL_UNCHANGED;

        /* One level at a time; the next step down needs its own stretch of calm, which starts with
         * this sample if it is calm for the new level too. */
        enter(s, (HrLevel) (s->level - 1), HR_LEVEL_CALM, in->now);
        if (s->level != HR_LEVEL_NORMAL && in->score_centi < calm_bound(cfg, s->level))
                s->calm_since = in->now;
        return HR_LEVEL_CALM;
}

usec_t hr_level_next_tick(const HrLevelConfig *cfg, const HrLevelState *s, const HrPressureConfig *pcfg,
                          const HrSample *sample, bool triggers_armed) {
        usec_t t = cfg->tick_usec[s->level];

        if (s->pending_count > 0 || s->calm_since != USEC_INFINITY)
                t = MIN(t, cfg->tick_pending_usec > 0 ? MAX(cfg->tick_pending_usec, cfg->tick_min_usec) : t);

        if (s->level == HR_LEVEL_NORMAL && sample) {
                /* Without triggers nothing wakes us on a stall: poll at least every second. */
                if (!triggers_armed)
                        t = MIN(t, USEC_PER_SEC);

                /* How long MemAvailable, falling at fill_rate, takes to reach the point where its
                 * component starts to count. Like earlyoom, sleep less the closer we are. */
                uint64_t total = hr_meminfo_get(&sample->meminfo, HR_MEM_TOTAL);
                uint64_t avail = hr_meminfo_get(&sample->meminfo, HR_MEM_AVAILABLE);
                uint64_t start = pcfg->ramp[HR_COMP_MEM_AVAILABLE].start;
                uint64_t band = start < 10000 ? total * (10000 - start) / 10000 : 0;
                if (cfg->fill_rate_kib_per_sec > 0) {
                        uint64_t margin = avail > band ? avail - band : 0;
                        usec_t until = (usec_t) ((unsigned __int128) margin * USEC_PER_SEC / cfg->fill_rate_kib_per_sec);
                        t = MIN(t, until);
                }
        }
        return MAX(t, cfg->tick_min_usec);
}
