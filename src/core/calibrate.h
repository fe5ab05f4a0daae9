/* SPDX-License-Identifier: MIT */
/* The flight recorder's per-tick record, and calibration: ramp starts proposed from what this machine shows
 * while healthy (NORMAL), with a reason for each key and a drop-in config text. Pure: no I/O, no clock. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/level.h"
#include "core/pressure.h"
#include "core/sample.h"

/* ---- The record: one per sample, kept in daemon/flight.c's ring, read here ---- */

enum {
        HR_FLIGHT_HAS_RATES = 1u << 0, /* HrPressure.has_rates: swap_io and refault were measured */
};

/* One tick, compact (96 bytes on 64-bit): the raw values saturate at UINT32_MAX, which no component
 * reaches (shares are permyriad; rates would be 16 TiB/s of pages). Defined here rather than in
 * daemon/flight.h because calibration (core) reads it and core includes nothing from daemon/. */
typedef struct HrFlightRecord {
        usec_t at;                         /* CLOCK_MONOTONIC of the sample */
        uint64_t wall_usec;                /* CLOCK_REALTIME, µs since the epoch, for people */
        uint32_t raw[_HR_COMP_MAX];        /* HrPressure.raw, in the units of HrComponent */
        uint64_t mem_available_kib;        /* /proc/meminfo MemAvailable, MemTotal, SwapFree, SwapTotal */
        uint64_t mem_total_kib;
        uint64_t swap_free_kib;
        uint64_t swap_total_kib;
        int32_t trend_centi_per_sec;
        uint16_t points_centi[_HR_COMP_MAX]; /* 0..10000 each */
        uint16_t score_centi;                /* 0..10000 */
        uint8_t level;                       /* HrLevel */
        uint8_t flags;                       /* HR_FLIGHT_HAS_RATES */
        uint8_t notes_dropped;               /* decision lines of this tick past the per-tick cap (saturates) */
} HrFlightRecord;

/* Fills *ret from one evaluated sample. `sample` may be NULL (no memory figures). */
void hr_flight_record_fill(HrFlightRecord *ret, usec_t at, uint64_t wall_usec, HrLevel level, const HrPressure *p,
                           const HrSample *sample);

/* ---- Calibration ---- */

/* Less healthy history than this (time spent at NORMAL, and samples there) proposes nothing. */
#define HR_CALIBRATE_MIN_HEALTHY_USEC (10 * 60 * USEC_PER_SEC)
#define HR_CALIBRATE_MIN_SAMPLES 100
/* A ramp starts at the healthy p99 times this (in percent), and never below the built-in default. */
#define HR_CALIBRATE_MARGIN_PERCENT 120
/* A share component whose start would leave less than this (permyriad) before the end of its scale
 * cannot tell pressure from normal on this machine: calibration proposes switching it off instead. */
#define HR_CALIBRATE_MIN_ROOM_PERMYRIAD 500

/* The built-in PSI trigger thresholds (core/config.c; test-calibrate checks they agree). */
#define HR_CALIBRATE_TRIGGER_SOME_DEFAULT 500
#define HR_CALIBRATE_TRIGGER_FULL_DEFAULT 250

#define HR_CALIBRATE_VALUE_MAX 24
#define HR_CALIBRATE_REASON_MAX 200
/* Start, Full and Weight of each component, then TriggerSome and TriggerFull. */
#define HR_CALIBRATE_PROPOSALS_MAX (3 * _HR_COMP_MAX + 2)
/* Enough for hr_calibration_render() of any calibration. */
#define HR_CALIBRATE_RENDER_MAX 8192

typedef enum HrCalibrateStatus {
        HR_CALIBRATE_OK,         /* enough history: proposals are made (possibly none changing anything) */
        HR_CALIBRATE_TOO_LITTLE, /* under HR_CALIBRATE_MIN_HEALTHY_USEC or _MIN_SAMPLES at NORMAL */
        _HR_CALIBRATE_STATUS_MAX,
        _HR_CALIBRATE_STATUS_INVALID = -22,
} HrCalibrateStatus;

/* A component's raw values over the healthy samples (nearest-rank percentiles; raw units). */
typedef struct HrCalibrateStats {
        size_t n; /* healthy samples with this component measured (rates need HR_FLIGHT_HAS_RATES) */
        uint64_t p50, p95, p99, max;
} HrCalibrateStats;

/* One key of the configuration file, with its value as the file writes it ("12%", "2500", "0.6"). */
typedef struct HrCalibrateProposal {
        const char *section; /* "Pressure" (static) */
        const char *key;     /* "PsiSomeStart": a key of daemon/config.c's table (static) */
        char current[HR_CALIBRATE_VALUE_MAX];
        char proposed[HR_CALIBRATE_VALUE_MAX]; /* equal to current when !change */
        bool change;
        bool current_is_default; /* the running value is the built-in default */
        char reason[HR_CALIBRATE_REASON_MAX]; /* one line, no newline */
} HrCalibrateProposal;

typedef struct HrCalibration {
        HrCalibrateStatus status;
        char summary[HR_CALIBRATE_REASON_MAX]; /* how much history, or why it is too little */
        size_t n_records;
        size_t n_healthy;                      /* records at NORMAL */
        usec_t span_usec;                      /* first to last record */
        usec_t healthy_usec;                   /* time at NORMAL (each gap capped at the NORMAL tick) */
        HrCalibrateStats stats[_HR_COMP_MAX];  /* filled whatever the status */
        HrCalibrateProposal proposal[HR_CALIBRATE_PROPOSALS_MAX]; /* none when TOO_LITTLE */
        size_t n_proposals;
        size_t n_changes;
} HrCalibration;

/* Studies `n` records (oldest first, as hr_flight_records() gives them) against the running cfg's pressure,
 * level and trigger values, and fills *ret. For each component with a weight: the Start proposed is
 * max(built-in default start, healthy p99 x 1.2 rounded up to two significant digits) (MemAvailable: the
 * 1st percentile of % available / 1.2, rounded down); Full moves up only to stay above Start (keeping the
 * ramp's width); Weight goes to 0 only when Start would come within HR_CALIBRATE_MIN_ROOM_PERMYRIAD of
 * the end of its scale. TriggerSome/TriggerFull become max(built-in default, the PSI component's Start),
 * so the kernel does not wake headroomd for stalls that score 0. Every key gets a proposal (changing or
 * keeping) with its reason. Returns 0 (also for TOO_LITTLE: see ret->status), -EINVAL for NULL pointers
 * (recs may be NULL when n is 0). */
int hr_calibrate(const HrFlightRecord *recs, size_t n, const HrConfig *cfg, HrCalibration *ret);

/* Renders the drop-in for /etc/headroom/headroom.conf.d/50-calibrate.conf: a header comment, "[Pressure]",
 * then per proposal "# reason" and "Key=value" when it changes the key or keeps a running value that is
 * not the built-in default (the drop-in replaces an earlier calibration whole, so it must carry what that
 * one set), else the key commented out. NUL-terminated. Returns the length, -ENODATA when c->status is not
 * OK (nothing to apply), -ENOSPC when size is too small (HR_CALIBRATE_RENDER_MAX always suffices). */
int hr_calibration_render(const HrCalibration *c, char *buf, size_t size);

const char *hr_calibrate_status_to_string(HrCalibrateStatus s);
