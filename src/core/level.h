/* SPDX-License-Identifier: MIT */
/* The damped level state machine NORMAL..EMERGENCY and the adaptive tick it implies.
 * Pure: the caller passes the score, trend and `now`; carried state is an explicit in/out argument. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "core/pressure.h"

typedef enum HrLevel {
        HR_LEVEL_NORMAL,
        HR_LEVEL_ELEVATED,
        HR_LEVEL_HIGH,
        HR_LEVEL_CRITICAL,
        HR_LEVEL_EMERGENCY,
        _HR_LEVEL_MAX,
        _HR_LEVEL_INVALID = -22,
} HrLevel;

/* Why the level changed (or HR_LEVEL_UNCHANGED). */
typedef enum HrLevelReason {
        HR_LEVEL_UNCHANGED,
        HR_LEVEL_HELD,        /* the score held above the bound for hold_samples samples */
        HR_LEVEL_SPIKE_TREND, /* dP/dt above spike_trend: straight up */
        HR_LEVEL_SPIKE_FULL,  /* PSI full above spike_psi_full: straight up */
        HR_LEVEL_CALM,        /* the score stayed below the bound minus hysteresis for calm_usec */
        _HR_LEVEL_REASON_MAX,
} HrLevelReason;

typedef struct HrLevelConfig {
        uint32_t enter_centi[_HR_LEVEL_MAX]; /* score to enter each level; [NORMAL] is 0 */
        uint32_t hysteresis_centi;           /* leave a level only below its bound minus this */
        unsigned hold_samples;               /* escalation needs this many consecutive samples */
        usec_t calm_usec;                    /* de-escalation needs this long below the bound */
        int32_t spike_trend_centi_per_sec;   /* dP/dt that jumps straight up */
        uint32_t spike_psi_full_permyriad;   /* PSI full that jumps straight up */
        usec_t tick_usec[_HR_LEVEL_MAX];     /* sampling interval per level; [NORMAL] is the calm maximum */
        usec_t tick_min_usec;                /* floor of the adaptive NORMAL interval */
        usec_t tick_pending_usec;            /* interval while an escalation is pending or calm counts down */
        uint64_t fill_rate_kib_per_sec;      /* fastest plausible MemAvailable fall, for the NORMAL interval */
} HrLevelConfig;

typedef struct HrLevelState {
        HrLevel level;
        HrLevel pending;       /* escalation candidate while pending_count > 0 */
        unsigned pending_count;
        usec_t calm_since;     /* USEC_INFINITY unless counting calm */
        usec_t since;          /* when the current level was entered */
} HrLevelState;

typedef struct HrLevelInput {
        uint32_t score_centi;
        int32_t trend_centi_per_sec;
        uint32_t psi_full_permyriad;
        usec_t now;
} HrLevelInput;

extern const HrLevelConfig hr_level_config_default;

void hr_level_state_init(HrLevelState *s, usec_t now);

/* The level a score alone would give, without damping. */
HrLevel hr_level_for_score(const HrLevelConfig *cfg, uint32_t score_centi);

/* Advances the state machine by one sample. Returns the reason when the level changed. */
HrLevelReason hr_level_step(const HrLevelConfig *cfg, HrLevelState *s, const HrLevelInput *in);

/* When to sample next: by level, faster while an escalation is pending, and at NORMAL no later than
 * MemAvailable could fall to the ELEVATED bound at fill_rate. */
usec_t hr_level_next_tick(const HrLevelConfig *cfg, const HrLevelState *s, const HrPressureConfig *pcfg,
                          const HrSample *sample, bool triggers_armed);

const char *hr_level_to_string(HrLevel l);
HrLevel hr_level_from_string(const char *s);
const char *hr_level_reason_to_string(HrLevelReason r);
