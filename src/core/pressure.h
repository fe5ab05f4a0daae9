/* SPDX-License-Identifier: MIT */
/* The pressure model: turns two consecutive samples into one composite score 0-100 and its trend.
 * Pure: no I/O, no clock; every number it uses arrives as an argument. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "core/sample.h"

typedef enum HrComponent {
        HR_COMP_PSI_SOME,      /* % of time some task stalled on memory: max(avg10, rate of total) */
        HR_COMP_PSI_FULL,      /* % of time all tasks stalled on memory: max(avg10, rate of total) */
        HR_COMP_SWAP_FILL,     /* swap used, permyriad of swap size */
        HR_COMP_SWAP_IO,       /* pswpin + pswpout, pages/s */
        HR_COMP_REFAULT,       /* workingset refaults (anon + file), pages/s */
        HR_COMP_MEM_AVAILABLE, /* shortfall: 10000 - (MemAvailable + swap credit) permyriad of MemTotal */
        _HR_COMP_MAX,
        _HR_COMP_INVALID = -22,
} HrComponent;

/* A component's raw value maps linearly to 0..100 points between `start` (0) and `full` (100). */
typedef struct HrRamp {
        uint64_t start;
        uint64_t full;
} HrRamp;

typedef struct HrPressureConfig {
        HrRamp ramp[_HR_COMP_MAX];
        uint32_t weight_permille[_HR_COMP_MAX]; /* 0..1000 */
        uint32_t swap_credit_permille;          /* share of free swap that counts as available memory */
        usec_t min_rate_interval_usec;          /* shorter intervals give no rates (too noisy) */
        usec_t trend_min_interval_usec;         /* dP/dt divides by at least this */
} HrPressureConfig;

typedef struct HrPressure {
        uint64_t raw[_HR_COMP_MAX];          /* in the units documented per component */
        uint32_t points_centi[_HR_COMP_MAX]; /* each component 0..10000 (0.00..100.00 points) */
        uint32_t score_centi;                /* 0..10000 */
        int32_t trend_centi_per_sec;         /* dP/dt in 1/100 points per second */
        uint32_t stale_centi;                /* points of the score owed only to PSI avg10 remembering stalls that
                                              * the last interval no longer had: score - stale is the live score */
        uint32_t psi_some_permyriad;         /* effective PSI values the score used */
        uint32_t psi_full_permyriad;
        uint32_t psi_some_now_permyriad;     /* the stall share of the last interval alone (0 without rates) */
        uint32_t psi_full_now_permyriad;
        bool has_rates;                      /* false on the first sample */
} HrPressure;

extern const HrPressureConfig hr_pressure_config_default;

/* Evaluates `cur` against `prev` (NULL on the first sample) and the previous result (NULL likewise).
 * Always succeeds: missing inputs (no PSI, no swap) contribute zero. */
void hr_pressure_eval(const HrPressureConfig *cfg, const HrSample *prev, const HrSample *cur,
                      const HrPressure *prev_pressure, HrPressure *ret);

/* What the MemAvailable component counts as available: MemAvailable plus swap_credit_permille of the free swap
 * (none when SwapFree exceeds SwapTotal, a malformed pair), in KiB. */
uint64_t hr_pressure_available_kib(const HrPressureConfig *cfg, uint64_t mem_available_kib, uint64_t swap_total_kib,
                                   uint64_t swap_free_kib);

/* 0..10000 points for one raw value on a ramp. */
uint32_t hr_ramp_points_centi(HrRamp r, uint64_t raw);

const char *hr_component_to_string(HrComponent c);
HrComponent hr_component_from_string(const char *s);
