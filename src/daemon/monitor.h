/* SPDX-License-Identifier: MIT */
/* The pressure monitor: wires sensors, PSI triggers, the timer and signals into the loop, runs the
 * pressure model and level machine on every wake-up, and (under pressure, or with something to undo)
 * scans processes, classifies them and plans the relief. This version acts on nothing: it logs the plan. */
#pragma once

#include <stdbool.h>

#include <stdio.h>

#include "shared/clock.h"
#include "core/action.h"
#include "core/classify.h"
#include "core/level.h"
#include "core/policy.h"
#include "core/pressure.h"
#include "daemon/cgapply.h"
#include "daemon/config.h"
#include "daemon/sysknob.h"
#include "daemon/control.h"
#include "daemon/desktop.h"
#include "daemon/executor.h"
#include "daemon/flight.h"
#include "daemon/loop.h"
#include "io/procfs.h"
#include "io/psi_trigger.h"
#include "io/sensors.h"
#include "io/sysroot.h"

typedef struct HrMonitorOptions {
        const char *root;   /* NULL: the real system */
        const char *scope;  /* NULL: system-wide */
        bool dry_run;
        const HrConfPaths *conf_paths; /* where SIGHUP re-reads the config; NULL: no reload */
        FILE *record;                  /* --record: one JSON line per planned tick; NULL: off */
        const char *runtime_dir;       /* where the registry lives; NULL: nothing persisted (dry run) */
        const char *socket_path;       /* the control socket; NULL: none */
        const char *incident_dir;      /* where the flight recorder keeps incident clips; NULL: none */
        bool user_mode;                /* --user: the owner may change state over the socket */
} HrMonitorOptions;

/* The flight recorder's ring: 2048 samples (2.8 h at NORMAL's 5 s tick, 3.4 min at 100 ms) and 256
 * decision lines, about 250 KiB, resident only as it fills. */
#define HR_MONITOR_FLIGHT_RECORDS 2048
#define HR_MONITOR_FLIGHT_NOTES 256

/* How long a process unfrozen by hand is left alone (treated as protected). */
#define HR_UNFREEZE_EXEMPT_USEC (10 * 60 * USEC_PER_SEC)
#define HR_EXEMPT_MAX 32

typedef struct HrExempt {
        pid_t pid;
        uint64_t start_time;
        usec_t until;
} HrExempt;

typedef struct HrMonitor {
        HrMonitorOptions opt;
        HrConfig config;        /* owned; replaced whole by a successful reload */
        HrSysroot root;
        HrSensors sensors;
        char scope_rel[PATH_MAX];
        char scope_cgroup[PATH_MAX]; /* the scope as a cgroup path ("/hr-test"), "" when system-wide */

        HrSample sample[2];     /* ping-pong: cur and prev, never copied */
        unsigned cur;
        bool have_cur;
        bool rates_restart;     /* the next sample has no previous one to compute rates from (a reload) */
        HrPressure pressure;
        HrLevelState level;

        HrProcScanner scanner;
        HrProcTable procs[2];   /* ping-pong like the samples: growth needs the previous scan */
        unsigned procs_cur;
        bool have_procs;
        usec_t scanned_at;      /* the last scan (0: none yet) */
        int32_t scanned_last_pid; /* /proc/loadavg's last pid at that scan (0: unknown) */
        bool scan_failing;
        bool reclassify;        /* the rules changed: classify every process afresh */
        HrPolicyState policy;
        HrActionList plan;
        HrActionList done;      /* what the executor carried out of the plan */
        HrExecutor executor;    /* unused with --dry-run */
        HrCgActionList cgplan;  /* cgroup relief of the last plan */
        HrCgApply cgapply;      /* what cgroup relief has set (with --dry-run: what it would have) */
        bool zram_compacted[HR_ZRAM_MAX]; /* in this episode (cleared at NORMAL), by index into the sample */
        uint64_t n_zram_compactions;
        usec_t dropped_caches_at;        /* 0: never */
        uint64_t n_cache_drops;
        usec_t emergency_since;  /* 0: not at EMERGENCY */
        bool hibernated;         /* Hibernate= acted in this run */
        HrChild hibernate_child;
        HrSysKnob mglru_ttl;     /* [Kernel] MglruMinTtlMs= */
        pid_t foreground_pid;   /* 0: none reported */
        char foreground_comm[HR_COMM_MAX];
        HrExempt exempt[HR_EXEMPT_MAX]; /* unfrozen by hand: protected until `until` */
        HrControl control;
        HrFlight flight;        /* recent samples and decisions; incident clips */
        HrDesktop desktop;      /* user mode: notifications */
        bool flight_failing;
        uint64_t n_plans, n_planned_actions;

        int trigger_fd[_HR_STALL_MAX];
        usec_t trigger_window_usec[_HR_STALL_MAX];
        uint64_t trigger_fired[_HR_STALL_MAX];
        usec_t last_trigger_at;

        int timer_fd;
        int signal_fd;
        int watchdog_fd;        /* systemd's watchdog (WatchdogSec=): pinged at half its interval; -EBADF: none */
        HrLoop loop;

        uint64_t n_samples;
        bool sample_failing;    /* log a failing source once per streak */
        usec_t started_at;
} HrMonitor;

void hr_monitor_options_default(HrMonitorOptions *o);

/* Opens the root, resolves the scope and opens the sensors and the process scanner. Takes over *config
 * (zeroing it; NULL: the built-in defaults). Logs and returns -errno on failure; call hr_monitor_done()
 * either way. */
int hr_monitor_init(HrMonitor *m, const HrMonitorOptions *o, HrConfig *config);
void hr_monitor_done(HrMonitor *m);

/* Takes one sample at `now` and advances the model; under pressure (above NORMAL, with tracked
 * processes, on a level change, or when recording) also scans, classifies and plans. Returns 1 if the
 * level changed, 0 if not, -errno if the sample failed (the previous sample and level stay in force). */
int hr_monitor_tick(HrMonitor *m, usec_t now);

/* Registers triggers, timer and signals, then runs the loop until SIGTERM/SIGINT. */
int hr_monitor_run(HrMonitor *m);

/* Re-reads the configuration (a broken one changes nothing: its lines go to the log and, when errors is
 * a JSON array, there), re-opens the pressure sources and re-arms the triggers. 0 or -errno. */
int hr_monitor_reload(HrMonitor *m, struct json_object *errors, size_t *ret_n_files);

/* Thaws what is frozen of pid (when not 0) or of every process named `name`, forgets it in the policy
 * and leaves it alone (protected) for HR_UNFREEZE_EXEMPT_USEC. Appends the pids to `thawed` (a JSON
 * array, may be NULL). Returns how many. With --dry-run only the policy forgets them. */
unsigned hr_monitor_unfreeze(HrMonitor *m, pid_t pid, const char *name, struct json_object *thawed);

/* The application in front (a desktop helper reports it): classified with [Priorities] ForegroundAdjust.
 * 0 clears it. -ESRCH when there is no such process. */
int hr_monitor_set_foreground(HrMonitor *m, pid_t pid);

static inline const HrSample *hr_monitor_current(const HrMonitor *m) {
        return m->have_cur ? &m->sample[m->cur] : NULL;
}

