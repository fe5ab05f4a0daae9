/* SPDX-License-Identifier: MIT */
/* The executor: carries a plan out through pidfds and the cgroup freezer, waits for victims on the
 * event loop, keeps the registry of what it holds, and undoes it all at shutdown or after a crash. */
#pragma once

#include <limits.h>
#include <stdbool.h>

#include "core/policy.h"
#include "daemon/checkpoint.h"
#include "daemon/hook.h"
#include "daemon/loop.h"
#include "daemon/pager.h"
#include "daemon/registry.h"
#include "io/sysroot.h"

/* Room for a few victims and the process groups that go with them (KillGroup=): a build driver and its
 * compilers. Members beyond it are left alone (and logged); the policy picks again once they are gone. */
#define HR_VICTIMS_MAX 64

/* Cgroup freezes not yet confirmed by cgroup.events ("frozen 1"), each watched until then or its deadline. */
#define HR_FREEZE_WATCH_MAX 16
#define HR_FREEZE_CONFIRM_USEC (2 * USEC_PER_SEC)

typedef struct HrFreezeWatch {
        int fd;                  /* cgroup.events; -EBADF: slot free */
        char cgroup[HR_ACTION_CGROUP_MAX];
        usec_t since, deadline;
} HrFreezeWatch;

/* A process sent SIGTERM (or SIGKILL), watched through its pidfd until it is gone. */
typedef struct HrVictim {
        int pidfd;               /* -EBADF: slot free */
        pid_t pid;
        uint64_t start_time;
        char comm[HR_COMM_MAX];
        char cgroup[HR_ACTION_CGROUP_MAX];
        int32_t priority;
        char why[HR_ACTION_WHY_MAX]; /* the action's reason: level, score, component, tier, size */
        bool whole_cgroup;
        bool killed;             /* SIGKILL sent */
        usec_t kill_at;          /* SIGTERM's grace ends (USEC_INFINITY once killed) */
        usec_t signalled_at;
} HrVictim;

typedef struct HrExecutor {
        const HrSysroot *root;
        HrLoop *loop;
        HrRegistry registry;
        char registry_path[PATH_MAX]; /* "" when no runtime directory: nothing persisted */
        bool registry_failing;
        /* Slots are set up when first needed (n_victims, n_watches: how many so far, each free one -EBADF), so
         * the tables stay untouched, and not resident, until relief needs them. */
        HrVictim victims[HR_VICTIMS_MAX];
        unsigned n_victims;
        int timer_fd;                 /* the nearest deadline: a grace, or a freeze's confirmation */
        HrFreezeWatch watches[HR_FREEZE_WATCH_MAX];
        unsigned n_watches;
        HrHooks hooks;
        HrCriu criu;
        HrPager pager;                /* PAGE_OUT, off the loop */
        bool resync;                  /* the registry learnt what the policy does not know yet (a checkpoint
                                       * that fell back to terminating): hr_executor_sync() before planning */
        const HrActionConfig *ac;     /* the running config's actions (hook, checkpoint directory): set by the
                                       * monitor before recover and each apply, and on reload */
        uint64_t n_frozen, n_thawed, n_terminated, n_killed, n_failed, n_warned, n_spared, n_freeze_slow;
} HrExecutor;

/* Everything closed: hr_executor_done() is then a no-op (for a monitor that never acts). */
void hr_executor_init_closed(HrExecutor *ex);

/* Sets up the executor on the real root only (-EXDEV for a fixture root: pidfds name real processes).
 * runtime_dir (may be NULL) holds "registry.json"; it is created 0755 if missing (the control socket lives there too; the registry file is 0600).
 * Returns 0 or -errno (a runtime directory that cannot be created is an error: without the registry a
 * crash would orphan frozen processes). */
int hr_executor_init(HrExecutor *ex, const HrSysroot *root, const char *runtime_dir);

/* Registers the grace timer on the loop. */
int hr_executor_attach(HrExecutor *ex, HrLoop *loop);

void hr_executor_done(HrExecutor *ex);

/* After a crash: reads the registry and thaws every entry whose process still matches (pid and start
 * time); keeps checkpoints whose process is gone and whose images are complete (to be restored; the next
 * hr_executor_sync() hands them to the policy), drops the rest, and saves the registry. Logs each.
 * Returns the number of processes thawed, or -errno if the registry could not be read at all. */
int hr_executor_recover(HrExecutor *ex);

/* Carries out plan in order. Writes to *done the actions that took effect (for hr_policy_commit). A
 * TERMINATE/KILL (or CHECKPOINT, which terminates for now) with kill_group also signals the rest of the
 * victim's process group found in snap->procs, except session leaders (a shell), zombies and anything
 * untouchable, protected, never-kill or freeze-only; each member becomes a victim of its own (same
 * signal and grace) and is added to *done as a TERMINATE/KILL of its own while there is room. */
void hr_executor_apply(HrExecutor *ex, const HrSnapshot *snap, const HrActionList *plan, HrActionList *done);

/* Reconciles the policy with what happened: a checkpoint that fell back to terminating is tracked as
 * such, a checkpoint a previous run left is adopted (to be restored); then forgets registry entries the
 * policy no longer tracks (their processes are gone). */
void hr_executor_sync(HrExecutor *ex, HrPolicyState *s);

/* Thaws one frozen process now (unfrozen by request) and forgets it. 0, -ENOENT when it is not frozen
 * here, or the thaw's -errno. */
int hr_executor_unfreeze(HrExecutor *ex, pid_t pid, uint64_t start_time);

/* Shutdown: thaws everything frozen and saves the registry. Returns the number thawed. */
unsigned hr_executor_thaw_all(HrExecutor *ex);
