/* SPDX-License-Identifier: MIT */
/* The decision core: plan(snapshot, config, state) -> ordered actions, following design.md's relief
 * ladder. Pure and deterministic: no I/O, no clock (now is in the snapshot), no allocation. */
#pragma once

#include "core/action.h"
#include "core/config.h"
#include "core/pressure.h"
#include "core/proc.h"

/* What the policy looks at in one tick. The process table is already classified. */
typedef struct HrSnapshot {
        usec_t now;
        HrLevel level;
        HrPressure pressure;           /* score and components: the "why" of every action */
        uint64_t mem_total_kib;
        uint64_t mem_available_kib;
        uint64_t swap_total_kib;
        uint64_t swap_free_kib;
        bool scope_limited;            /* mem_* are a --scope cgroup's, under its limit: swap is no room there */
        const HrProcTable *procs;
        bool warn_listeners;           /* someone hears a warning (a hook, a subscriber): worth waiting for */
        bool paging_out;               /* a page-out is under way (memory is coming back): idle victims wait */
} HrSnapshot;

typedef enum HrTrackedState {
        HR_TRACKED_FROZEN,
        HR_TRACKED_TERMINATING,
        HR_TRACKED_CHECKPOINTED,
        HR_TRACKED_WARNED,             /* told it is next; terminated when its window ends, unless spared */
        _HR_TRACKED_STATE_MAX,
        _HR_TRACKED_STATE_INVALID = -22,
} HrTrackedState;

/* A process headroom has acted on and must remember (to thaw, wait for, or restore). */
typedef struct HrTracked {
        pid_t pid;
        uint64_t start_time;
        HrTrackedState state;
        bool whole_cgroup;
        bool killed;                   /* TERMINATING: SIGKILL already sent (KILL, or an escalation) */
        bool paged_out;                /* FROZEN: its memory was pushed out to swap (PAGE_OUT) */
        char comm[HR_COMM_MAX];
        char cgroup[HR_ACTION_CGROUP_MAX];
        int32_t priority;
        uint64_t rss_kib;              /* resident + swap when acted on: what a thaw brings back */
        usec_t since;
        HrReason reason;
} HrTracked;

#define HR_TRACKED_MAX 256

typedef struct HrPolicyState {
        HrTracked tracked[HR_TRACKED_MAX];
        unsigned n_tracked;
        usec_t last_kill_at;           /* last TERMINATE/KILL/CHECKPOINT committed (0: never) */
        usec_t last_sigkill_at;        /* last KILL committed (0: never): EMERGENCY's own cooldown */
        usec_t last_thaw_at;           /* last THAW/RESTORE batch committed (0: never) */
} HrPolicyState;

void hr_policy_state_init(HrPolicyState *s);

/* Plans this tick's actions into *ret (every byte cleared first, so equal inputs give equal bytes).
 * Order: thaws/restores/spares, then freezes, then warnings/terminations/checkpoints, then kills. Never targets PID 1,
 * kernel threads, headroomd, callers' sessions, protected processes or zombies; never freezes and
 * thaws one process in the same plan; plans nothing but thaws/restores (and spike mode's pause) at NORMAL
 * and no thaw above it but spike mode's resume.
 *
 * The ladder, cumulative by level (limits from c->actions):
 *   NORMAL     thaw FROZEN / restore CHECKPOINTED (once the original is gone), most important first,
 *              at most thaw_max_per_tick, not within thaw_min_interval_usec of the last batch, each
 *              only if mem_available >= what this plan already brings back + its rss + thaw_margin
 *              (one that does not fit is skipped, a smaller one behind it may still go).
 *   ELEVATED   freeze priority >= 80, ranked, at most freeze_max_per_tick new freezes.
 *   HIGH       freeze priority >= 60; terminate ONE growing (>= runaway_growth_kib_per_sec) process of
 *              priority >= 80 that is not frozen.
 *   CRITICAL   one victim of priority >= 50 by rank: CHECKPOINT when it is marked yes/auto and
 *              checkpointing is enabled, else TERMINATE (frozen victims allowed).
 *   EMERGENCY  KILL tracked TERMINATING victims not yet killed (escalation); otherwise KILL the
 *              top-ranked process of priority >= 20. Without kill_enabled it plans like CRITICAL.
 * One victim at a time: below EMERGENCY no new TERMINATE/CHECKPOINT while a tracked TERMINATING
 * process is still alive (present and not a zombie) or within kill_cooldown_usec of last_kill_at.
 * The warning before the end: below EMERGENCY, when snap->warn_listeners and warn_usec > 0, a victim
 * not yet tracked is first planned as WARN (tracked WARNED); while it runs inside its warn_usec window
 * no other victim is chosen; after it, the victim is planned as TERMINATE/CHECKPOINT if the ladder
 * still picks it, and SPARE (untracked) otherwise, at any level, NORMAL included. EMERGENCY does not
 * warn: it may KILL a warned process at once. WARNED processes are never frozen or thawed.
 * At EMERGENCY the first KILL does not wait for that cooldown; a new victim after a KILL waits
 * kill_cooldown_usec from last_sigkill_at, and an escalation plans no new victim in the same plan.
 * Spike mode (build processes, HR_PROC_BUILD): one build worker growing >= runaway_growth_kib_per_sec,
 * the one holding least, is paused per plan, a FREEZE with reason SPIKE, instead of any victim, while
 * another build worker (untracked, growing >= 1 MiB/s or holding >= 64 MiB) still runs: from HIGH up, and at
 * any level (NORMAL included) when the build is over its budget — its workers' growth over 2 s exceeds
 * MemAvailable + swap credit above the MemAvailable ramp's start. Build processes are victims only when
 * nothing else is. Paused workers are resumed (THAW, reason SPIKE) one at a time, the first paused first: at
 * once at any level when no worker runs, and one per thaw_min_interval_usec once the level acted on is
 * ELEVATED or below and the budget holds with its rss added. A plan that resumes pauses none and ends no
 * build process. Processes with oom_score_adj -1000 are never touched, like the kernel's OOM killer.
 * While snap->paging_out, no victim is chosen by rank (a runaway still is, and escalations go on): the
 * memory a page-out is pushing to swap may make it unnecessary.
 * NEVER_KILL / FREEZE_ONLY processes are only ever frozen (and thawed). Thaws/restores are the undo
 * of headroom's own actions and are planned even when freezing/checkpointing has been disabled.
 *
 * Ranking (one total order): tier (highest first); then the candidate's cgroup, by the 64 MiB bucket
 * of what its candidates in that tier free, their summed growth, their highest oom_score, lowest pid;
 * then the process, by the 64 MiB bucket of hr_proc_freeable_kib, growth_kib_per_sec, oom_score,
 * exact freeable, lowest pid. Processes without a cgroup path form their own group. */
void hr_policy_plan(const HrConfig *c, const HrSnapshot *snap, const HrPolicyState *s, HrActionList *ret);

/* What the ranking buckets sizes by: near-equal sizes compare equal so growth decides. */
#define HR_POLICY_BUCKET_KIB ((uint64_t) 64 * 1024)

/* Records a plan as carried out (the executor calls it with what succeeded; --dry-run with the
 * whole plan, so the next plan sees what would have been): FREEZE -> FROZEN, TERMINATE/KILL ->
 * TERMINATING (KILL also sets killed and last_sigkill_at), CHECKPOINT -> CHECKPOINTED (these three
 * set last_kill_at), THAW/RESTORE remove the entry and set last_thaw_at, WARN -> WARNED (unless
 * already tracked), SPARE removes a WARNED entry. First forgets FROZEN and
 * TERMINATING entries whose (pid, start_time) is no longer in snap; CHECKPOINTED entries outlive
 * their process (it is killed after the dump) until restored. Additions beyond HR_TRACKED_MAX are
 * dropped (hr_policy_plan never plans more than there is room for). */
void hr_policy_commit(HrPolicyState *s, const HrSnapshot *snap, const HrActionList *done);

const HrTracked *hr_policy_find(const HrPolicyState *s, pid_t pid, uint64_t start_time);

/* What the executor found out later, made known to the policy: adds tr when (pid, start_time) is not
 * tracked yet (a checkpoint a previous run left to restore), or sets the state of the entry that is (a
 * checkpoint that failed and fell back to terminating). false when there is no room. */
bool hr_policy_adopt(HrPolicyState *s, const HrTracked *tr);

/* Forgets (pid, start_time): undone by hand (unfrozen over the socket). Returns whether it was tracked. */
bool hr_policy_forget(HrPolicyState *s, pid_t pid, uint64_t start_time);

const char *hr_tracked_state_to_string(HrTrackedState t);
HrTrackedState hr_tracked_state_from_string(const char *s);
