/* SPDX-License-Identifier: MIT */
/* The pressure monitor: wires sensors, PSI triggers, the timer and signals into the loop, runs the
 * pressure model and level machine on every wake-up, and logs each level change. */
#pragma once

#include <stdbool.h>

#include "core/level.h"
#include "core/pressure.h"
#include "daemon/config.h"
#include "daemon/loop.h"
#include "io/psi_trigger.h"
#include "io/sensors.h"
#include "io/sysroot.h"

typedef struct HrMonitorOptions {
        const char *root;   /* NULL: the real system */
        const char *scope;  /* NULL: system-wide */
        bool dry_run;
        HrPressureConfig pressure;
        HrLevelConfig level;
        HrTriggerSpec trigger[_HR_STALL_MAX];
        const HrConfPaths *conf_paths; /* config: where SIGHUP re-reads it; NULL: no reload */
} HrMonitorOptions;

typedef struct HrMonitor {
        HrMonitorOptions opt;
        HrSysroot root;
        HrSensors sensors;
        char scope_rel[PATH_MAX];

        HrSample sample[2];     /* ping-pong: cur and prev, never copied */
        unsigned cur;
        bool have_cur;
        HrPressure pressure;
        HrLevelState level;

        int trigger_fd[_HR_STALL_MAX];
        usec_t trigger_window_usec[_HR_STALL_MAX];
        uint64_t trigger_fired[_HR_STALL_MAX];
        usec_t last_trigger_at;

        int timer_fd;
        int signal_fd;
        HrLoop loop;

        uint64_t n_samples;
        bool sample_failing;    /* log a failing source once per streak */
        usec_t started_at;
} HrMonitor;

void hr_monitor_options_default(HrMonitorOptions *o);

/* Config: takes the pressure, level and trigger settings of c (until the monitor holds the whole HrConfig). */
void hr_monitor_options_set_config(HrMonitorOptions *o, const HrConfig *c);

/* Opens the root, resolves the scope and opens the sensors. Logs and returns -errno on failure. */
int hr_monitor_init(HrMonitor *m, const HrMonitorOptions *o);
void hr_monitor_done(HrMonitor *m);

/* Takes one sample at `now` and advances the model. Returns 1 if the level changed, 0 if not, -errno
 * if the sample failed (the previous sample and level stay in force). */
int hr_monitor_tick(HrMonitor *m, usec_t now);

/* Registers triggers, timer and signals, then runs the loop until SIGTERM/SIGINT. */
int hr_monitor_run(HrMonitor *m);

static inline const HrSample *hr_monitor_current(const HrMonitor *m) {
        return m->have_cur ? &m->sample[m->cur] : NULL;
}

usec_t hr_now(void);
