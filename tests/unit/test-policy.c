/* SPDX-License-Identifier: MIT */
/* Unit tests of core/policy: scenario tables for every level of the relief ladder, the one-line why, commit. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/policy.h"
#include "proc-builder.h"

#define SEC USEC_PER_SEC
#define NOW (100000 * SEC) /* every scenario's "now"; far from 0, which means "never" */

#define SHELL_CG "/user.slice/user-1000.slice/user@1000.service/session.slice/org.gnome.Shell@wayland.service"
#define FIREFOX_SCOPE "/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-firefox-4242.scope"
#define TRACKER_SERVICE "/user.slice/user-1000.slice/user@1000.service/session.slice/tracker-miner-fs-3.service"
#define LEAK_SCOPE "/user.slice/user-1000.slice/user@1000.service/app.slice/run-u42.scope"
#define DOCKER_SCOPE "/system.slice/docker-1f2e.scope"
#define SCOPE_A "/user.slice/user-1000.slice/user@1000.service/app.slice/app-chromium-1.scope"
#define SCOPE_B "/user.slice/user-1000.slice/user@1000.service/app.slice/app-gimp-2.scope"

/* ---- the scene most stories start from: a desktop with browser tabs and an indexer idle, a leaker growing ---- */

#define SYSTEMD { 1, "systemd", 0, HR_PROC_INIT, "/init.scope", .anon_mib = 20 }
#define KTHREADD { 2, "kthreadd", 100, HR_PROC_KTHREAD }
#define SHELL { 400, "gnome-shell", 5, 0, SHELL_CG, .anon_mib = 700 }
#define PIPEWIRE { 500, "pipewire", 10, 0, "/user.slice/pw.service", .anon_mib = 40 }
#define SELF { 600, "headroomd", 100, HR_PROC_SELF, "/system.slice/headroom.service", .anon_mib = 8 }
#define FOOT { 700, "foot", 90, HR_PROC_PROTECTED, "/user.slice/foot.scope", .anon_mib = 900 }
#define FIREFOX { 1000, "firefox", 35, 0, FIREFOX_SCOPE, .anon_mib = 800, .oom = 700 }
#define TAB1 { 1001, "Isolated Web Co", 85, 0, FIREFOX_SCOPE, .anon_mib = 600, .oom = 800 }
#define TAB2 { 1002, "Isolated Web Co", 85, 0, FIREFOX_SCOPE, .anon_mib = 300, .oom = 700 }
#define TAB3 { 1003, "Isolated Web Co", 85, 0, FIREFOX_SCOPE, .anon_mib = 900, .oom = 900 }
#define INDEXER { 1100, "tracker-miner-f", 70, 0, TRACKER_SERVICE, .anon_mib = 200, .oom = 600 }
#define LEAKER_(fl, ...) { 1200, "python3", 90, (fl), LEAK_SCOPE, .anon_mib = 2000, .swap_mib = 500, \
                           .growth_kib_s = 40 * 1024, .oom = 1100, __VA_ARGS__ }
#define LEAKER LEAKER_(0, .state = 'R')
#define MAKE { 1300, "make", 55, 0, "/user.slice/user-1000.slice/session-2.scope", .anon_mib = 100 }
#define SCENE_BUT(leaker) SYSTEMD, KTHREADD, SHELL, PIPEWIRE, SELF, FOOT, FIREFOX, TAB1, TAB2, TAB3, INDEXER, leaker, MAKE
#define SCENE SCENE_BUT(LEAKER)
/* A leaker of normal priority (unrecognised), in a scope of its own. */
#define NORMAL_LEAKER { 1200, "leak", 50, 0, "/user.slice/leak.scope", .anon_mib = 400, .growth_kib_s = 16 * 1024, .oom = 300 }

/* A build driver whose rule says KillGroup= (as the built-in build-drivers does), and a compiler. */
#define GMAKE_(...) { 1300, "make", 90, HR_PROC_KILL_GROUP | HR_PROC_BUILD, "/user.slice/user-1000.slice/session-2.scope", \
                      .anon_mib = 500, __VA_ARGS__ }
#define GMAKE GMAKE_(.oom = 600)
#define CC1PLUS { 1301, "cc1plus", 50, HR_PROC_BUILD, "/user.slice/user-1000.slice/session-2.scope", .anon_mib = 300 }

/* Spike mode's build: a driver and its compilers, each allocating (growth) or paused (none). */
#define BUILD_CG "/user.slice/user-1000.slice/session-3.scope"
#define DRIVER { 1400, "make", 50, HR_PROC_KILL_GROUP | HR_PROC_BUILD, BUILD_CG, .anon_mib = 8 }
#define CC1(pid, grow_mib, mib) { (pid), "cc1", 50, HR_PROC_BUILD, BUILD_CG, .anon_mib = (mib), \
                                  .growth_kib_s = (grow_mib) * 1024, .state = 'R' }
#define BUILD DRIVER, CC1(1401, 60, 150), CC1(1402, 40, 120), CC1(1403, 20, 100)
#define DESK SYSTEMD, KTHREADD, SHELL, SELF, TAB1, TAB2, TAB3

/* A container whose rule says act on the whole cgroup, next to one tab. */
#define BOX(pid, fl) { (pid), "node", 85, (fl), DOCKER_SCOPE, .anon_mib = 500, .oom = 500 }

typedef struct Want {
        HrActionType type;
        pid_t pid;
        bool whole;
        bool runaway;
        bool group;     /* kill_group: its process group goes with it */
        bool spike;     /* spike mode: a build worker paused or resumed */
} Want;
#define END_TYPE _HR_ACTION_TYPE_INVALID
#define FREEZE(p) { HR_ACTION_FREEZE, (p) }
#define FREEZE_WHOLE(p) { HR_ACTION_FREEZE, (p), .whole = true }
#define THAW(p) { HR_ACTION_THAW, (p) }
#define TERM(p) { HR_ACTION_TERMINATE, (p) }
#define TERM_WHOLE(p) { HR_ACTION_TERMINATE, (p), .whole = true }
#define RUNAWAY(p) { HR_ACTION_TERMINATE, (p), .runaway = true }
#define KILL(p) { HR_ACTION_KILL, (p) }
#define TERM_WITH_GROUP(p) { HR_ACTION_TERMINATE, (p), .group = true }
#define KILL_WITH_GROUP(p) { HR_ACTION_KILL, (p), .group = true }
#define CKPT_WITH_GROUP(p) { HR_ACTION_CHECKPOINT, (p), .group = true }
#define KILL_RUNAWAY(p) { HR_ACTION_KILL, (p), .runaway = true }
#define CKPT(p) { HR_ACTION_CHECKPOINT, (p) }
#define CKPT_RUNAWAY(p) { HR_ACTION_CHECKPOINT, (p), .runaway = true }
#define RESTORE(p) { HR_ACTION_RESTORE, (p) }
#define WARN(p) { HR_ACTION_WARN, (p) }
#define WARN_RUNAWAY(p) { HR_ACTION_WARN, (p), .runaway = true }
#define SPARE(p) { HR_ACTION_SPARE, (p) }
#define PAGE_OUT(p) { HR_ACTION_PAGE_OUT, (p) }
#define PAUSE(p) { HR_ACTION_FREEZE, (p), .spike = true }
#define RESUME(p) { HR_ACTION_THAW, (p), .spike = true }
#define A(...) ((const Want[]) { __VA_ARGS__, { END_TYPE } })
#define NOTHING ((const Want[]) { { END_TYPE } })

typedef struct TrackSpec {
        pid_t pid;
        HrTrackedState st;
        uint64_t rss_mib;
        bool killed;
        bool whole;
        int32_t prio;   /* 0: the process's, or 80 when it is gone */
        usec_t ago;     /* since: this long before NOW (0: a minute) */
        bool spike;     /* paused by spike mode (reason spike) */
        bool paged_out;
} TrackSpec;
#define FROZEN(p, mib) { (p), HR_TRACKED_FROZEN, (mib) }
#define FROZEN_WHOLE(p, mib) { (p), HR_TRACKED_FROZEN, (mib), .whole = true }
#define TERMINATING(p) { (p), HR_TRACKED_TERMINATING, 0 }
#define KILLED(p) { (p), HR_TRACKED_TERMINATING, 0, .killed = true }
#define CHECKPOINTED(p, mib) { (p), HR_TRACKED_CHECKPOINTED, (mib) }
#define WARNED(p, ago_sec) { (p), HR_TRACKED_WARNED, 0, .ago = (ago_sec) * SEC }
#define PAUSED(p, mib, ago_sec) { (p), HR_TRACKED_FROZEN, (mib), .ago = (ago_sec) * SEC, .spike = true }
#define T(...) ((const TrackSpec[]) { __VA_ARGS__, { 0 } })

#define PROCS(...) ((const ProcSpec[]) { __VA_ARGS__, { .pid = 0 } })
#define C(x) (HR_COMP_##x + 1)

typedef struct PolicyCase {
        const char *name;
        HrLevel level;
        const ProcSpec *procs;
        const TrackSpec *tracked;
        usec_t since_kill, since_sigkill, since_thaw; /* 0: never */
        uint64_t avail_mib;                           /* 0: 4096 */
        uint64_t total_mib;                           /* 0: 16384 (a --scope's limit when smaller) */
        int comp;                                     /* C(x); 0: psi_full dominates */
        void (*tweak)(HrConfig *c);
        bool listeners;                               /* snap.warn_listeners */
        bool paging_out;                              /* snap.paging_out */
        uint32_t stale;                               /* pressure.stale_centi: points only avg10 remembers */
        const Want *want;
} PolicyCase;

static void no_terminate(HrConfig *c) {
        c->actions.terminate_enabled = false;
}
static void no_kill(HrConfig *c) {
        c->actions.kill_enabled = false;
}
static void no_freeze(HrConfig *c) {
        c->actions.freeze_enabled = false;
}
static void checkpoint_on(HrConfig *c) {
        c->actions.checkpoint_enabled = true;
}
static void checkpoint_only(HrConfig *c) {
        c->actions.checkpoint_enabled = true;
        c->actions.terminate_enabled = false;
        c->actions.freeze_enabled = false;
}
static void slow_runaway(HrConfig *c) {
        c->actions.runaway_growth_kib_per_sec = 100 * 1024;
}
/* For rows about reasons: the leaker is no runaway, so the component gives the reason. */
static void no_freeze_slow_runaway(HrConfig *c) {
        no_freeze(c);
        slow_runaway(c);
}
static void no_warning(HrConfig *c) {
        c->actions.warn_usec = 0;
}
/* The shipped level bounds (test_config leaves them 0: every score is EMERGENCY, the case's level rules). */
static void real_levels(HrConfig *c) {
        c->level = hr_level_config_default;
}
static void emergency_at_63(HrConfig *c) {
        real_levels(c);
        c->level.enter_centi[HR_LEVEL_EMERGENCY] = 6300;
}
static void no_pause_builds(HrConfig *c) {
        c->actions.pause_builds_enabled = false;
}
static void page_out_on(HrConfig *c) {
        c->actions.page_out_enabled = true;
}
static void no_swap_credit(HrConfig *c) {
        c->pressure.swap_credit_permille = 0;
}
static void one_freeze(HrConfig *c) {
        c->actions.freeze_max_per_tick = 1;
}

static const PolicyCase cases[] = {
        /* The scene at each level. */
        { "tabs and an indexer idle, a leaker growing: NORMAL does nothing", HR_LEVEL_NORMAL, PROCS(SCENE),
          .want = NOTHING },
        { "tabs and an indexer idle, a leaker growing: ELEVATED freezes the heavy tier, the leaker's cgroup first",
          HR_LEVEL_ELEVATED, PROCS(SCENE), .want = A(FREEZE(1200), FREEZE(1003), FREEZE(1001), FREEZE(1002)) },
        { "tabs and an indexer idle, a leaker growing: HIGH terminates the runaway, freezes heavy then background",
          HR_LEVEL_HIGH, PROCS(SCENE),
          .want = A(FREEZE(1003), FREEZE(1001), FREEZE(1002), FREEZE(1100), RUNAWAY(1200)) },
        { "tabs and an indexer idle, a leaker growing: CRITICAL terminates the runaway",
          HR_LEVEL_CRITICAL, PROCS(SCENE),
          .want = A(FREEZE(1003), FREEZE(1001), FREEZE(1002), FREEZE(1100), RUNAWAY(1200)) },
        { "tabs and an indexer idle, a leaker growing: EMERGENCY kills it at once", HR_LEVEL_EMERGENCY, PROCS(SCENE),
          .want = A(FREEZE(1003), FREEZE(1001), FREEZE(1002), FREEZE(1100), KILL_RUNAWAY(1200)) },

        /* Freezing. */
        { "ELEVATED: frozen ones are not frozen again, the budget goes to the rest", HR_LEVEL_ELEVATED,
          PROCS(SCENE), .tracked = T(FROZEN(1200, 2500), FROZEN(1003, 900)), .want = A(FREEZE(1001), FREEZE(1002)) },
        { "HIGH: at most freeze_max_per_tick new freezes", HR_LEVEL_HIGH, PROCS(SCENE), .tweak = one_freeze,
          .want = A(FREEZE(1003), RUNAWAY(1200)) },
        { "HIGH: a big idle process is not a runaway", HR_LEVEL_HIGH, PROCS(SCENE), .tweak = slow_runaway,
          .want = A(FREEZE(1200), FREEZE(1003), FREEZE(1001), FREEZE(1002)) },
        { "HIGH: a frozen leaker is not terminated (it no longer grows)", HR_LEVEL_HIGH, PROCS(SCENE),
          .tracked = T(FROZEN(1200, 2500)), .want = A(FREEZE(1003), FREEZE(1001), FREEZE(1002), FREEZE(1100)) },
        { "CRITICAL: a frozen leaker may be terminated (the executor thaws it)", HR_LEVEL_CRITICAL, PROCS(SCENE),
          .tracked = T(FROZEN(1200, 2500)),
          .want = A(FREEZE(1003), FREEZE(1001), FREEZE(1002), FREEZE(1100), TERM(1200)) },

        /* Recovery. */
        { "calm again: thaw the most important first, two per tick", HR_LEVEL_NORMAL, PROCS(SCENE),
          .tracked = T(FROZEN(1200, 2500), FROZEN(1003, 900), FROZEN(1001, 600), FROZEN(1100, 200)),
          .avail_mib = 8192, .want = A(THAW(1100), THAW(1001)) },
        { "calm again: gated on MemAvailable, one that does not fit waits", HR_LEVEL_NORMAL, PROCS(SCENE),
          .tracked = T(FROZEN(1200, 2500), FROZEN(1003, 900), FROZEN(1001, 600), FROZEN(1100, 200)),
          .avail_mib = 1000, .want = A(THAW(1100)) },
        { "calm again: a smaller one behind one that does not fit may still go", HR_LEVEL_NORMAL, PROCS(SCENE),
          .tracked = T(FROZEN(1200, 2500), FROZEN(1001, 600), FROZEN(1100, 200), FROZEN(1002, 300)),
          .avail_mib = 1000, .want = A(THAW(1100), THAW(1002)) },
        { "calm again: nothing fits, nothing thaws", HR_LEVEL_NORMAL, PROCS(SCENE),
          .tracked = T(FROZEN(1200, 2500)), .avail_mib = 2700, .want = NOTHING },
        { "a 256 MiB scope thaws: the margin is at most a quarter of its memory", HR_LEVEL_NORMAL, PROCS(SCENE),
          .tracked = T(FROZEN(1100, 24)), .total_mib = 256, .avail_mib = 200, .want = A(THAW(1100)) },
        { "a 256 MiB scope: one that does not fit with that margin waits", HR_LEVEL_NORMAL, PROCS(SCENE),
          .tracked = T(FROZEN(1100, 48)), .total_mib = 256, .avail_mib = 100, .want = NOTHING },
        { "calm again: not within thaw_min_interval of the last batch", HR_LEVEL_NORMAL, PROCS(SCENE),
          .tracked = T(FROZEN(1100, 200)), .since_thaw = 1 * SEC, .want = NOTHING },
        { "calm again: the next batch once the interval has passed", HR_LEVEL_NORMAL, PROCS(SCENE),
          .tracked = T(FROZEN(1100, 200)), .since_thaw = 3 * SEC, .want = A(THAW(1100)) },
        { "still under pressure: nothing is thawed above NORMAL", HR_LEVEL_ELEVATED, PROCS(SCENE),
          .tracked = T(FROZEN(1100, 200), FROZEN(1200, 2500)), .want = A(FREEZE(1003), FREEZE(1001), FREEZE(1002)) },
        { "calm again: a checkpointed process is restored once its original is gone", HR_LEVEL_NORMAL, PROCS(SCENE),
          .tracked = T(CHECKPOINTED(1500, 300), CHECKPOINTED(1001, 600)), .want = A(RESTORE(1500)) },
        { "calm again: a frozen process that died is not thawed", HR_LEVEL_NORMAL, PROCS(SCENE),
          .tracked = T(FROZEN(1600, 300)), .want = NOTHING },

        /* Page-out: a frozen process's memory out to swap, from HIGH up, the largest first, once, one per plan. */
        { "page-out: HIGH pages out the frozen tab holding most", HR_LEVEL_HIGH, PROCS(SCENE), .tweak = page_out_on,
          .tracked = T(FROZEN(1001, 600), FROZEN(1003, 900), FROZEN(1002, 300)),
          .want = A(FREEZE(1100), PAGE_OUT(1003), RUNAWAY(1200)) },
        { "page-out: once per freeze", HR_LEVEL_HIGH, PROCS(SYSTEMD, SELF, TAB1, TAB3), .tweak = page_out_on,
          .tracked = T(FROZEN(1001, 600), { 1003, HR_TRACKED_FROZEN, 900, .paged_out = true }),
          .want = A(PAGE_OUT(1001)) },
        { "page-out: not at ELEVATED", HR_LEVEL_ELEVATED, PROCS(SYSTEMD, SELF, TAB1, TAB3), .tweak = page_out_on,
          .tracked = T(FROZEN(1001, 600), FROZEN(1003, 900)), .want = NOTHING },
        { "page-out: not a paused build worker", HR_LEVEL_HIGH,
          PROCS(SYSTEMD, SELF, DRIVER, CC1(1401, 0, 150), CC1(1402, 20, 100)), .tweak = page_out_on,
          .tracked = T(PAUSED(1401, 150, 3)), .want = NOTHING },
        { "page-out under way: CRITICAL chooses no idle victim", HR_LEVEL_CRITICAL, PROCS(SYSTEMD, SELF, SHELL, TAB1),
          .tracked = T(FROZEN(1001, 600)), .paging_out = true, .want = NOTHING },
        { "page-out under way: EMERGENCY neither", HR_LEVEL_EMERGENCY, PROCS(SYSTEMD, SELF, SHELL, TAB1),
          .tracked = T(FROZEN(1001, 600)), .paging_out = true, .want = NOTHING },
        { "page-out under way: a growing compiler is paused, not taken for the only victim left", HR_LEVEL_EMERGENCY,
          PROCS(SYSTEMD, SELF, SHELL, TAB1, DRIVER, CC1(1401, 60, 150), CC1(1402, 0, 120)),
          .tracked = T(FROZEN(1001, 600), PAUSED(1402, 120, 2)), .paging_out = true, .want = NOTHING },
        { "page-out under way: a runaway still goes", HR_LEVEL_CRITICAL, PROCS(SCENE), .paging_out = true,
          .want = A(FREEZE(1003), FREEZE(1001), FREEZE(1002), FREEZE(1100), RUNAWAY(1200)) },
        { "page-out under way: an escalation still goes", HR_LEVEL_EMERGENCY, PROCS(SYSTEMD, SELF, SHELL, TAB1),
          .tracked = T(TERMINATING(1001)), .paging_out = true, .want = A(KILL(1001)) },
        { "page-out: not when off", HR_LEVEL_HIGH, PROCS(SYSTEMD, SELF, TAB1), .tracked = T(FROZEN(1001, 600)),
          .want = NOTHING },
        { "page-out: not a victim of the same plan", HR_LEVEL_CRITICAL, PROCS(SYSTEMD, SELF, SHELL, TAB1),
          .tweak = page_out_on, .tracked = T(FROZEN(1001, 600)), .want = A(TERM(1001)) },

        /* oom_score_adj -1000: the kernel's "never OOM-kill", honoured. */
        { "EMERGENCY: a process at oom_score_adj -1000 is never a victim", HR_LEVEL_EMERGENCY,
          PROCS(SYSTEMD, SELF, SHELL, { 1500, "sshd", 50, 0, "/system.slice/ssh.service", .anon_mib = 900,
                                        .oom_adj = -1000 },
                { 1501, "bash", 50, 0, "/system.slice/ssh.service", .anon_mib = 10, .oom_adj = -999 }),
          .want = A(KILL(1501)) },
        { "ELEVATED: nor frozen", HR_LEVEL_ELEVATED,
          PROCS(SYSTEMD, SELF, { 1001, "Isolated Web Co", 85, 0, FIREFOX_SCOPE, .anon_mib = 600, .oom_adj = -1000 }),
          .want = NOTHING },

        /* Live pressure: ending a process needs stalls now, not only PSI avg10's memory of them. */
        { "CRITICAL on avg10's memory alone: freezes, ends nobody", HR_LEVEL_CRITICAL, PROCS(SCENE),
          .tweak = real_levels, .stale = 6310, .want = A(FREEZE(1200), FREEZE(1003), FREEZE(1001), FREEZE(1002)) },
        { "CRITICAL, live score at HIGH: only HIGH's runaway", HR_LEVEL_CRITICAL, PROCS(SCENE), .tweak = real_levels,
          .stale = 1800,
          .want = A(FREEZE(1003), FREEZE(1001), FREEZE(1002), FREEZE(1100), RUNAWAY(1200)) },
        { "CRITICAL, live score at HIGH: a normal leaker waits", HR_LEVEL_CRITICAL,
          PROCS(SYSTEMD, SELF, SHELL, NORMAL_LEAKER), .tweak = real_levels, .stale = 1800, .want = NOTHING },
        { "CRITICAL, all of it live: the normal leaker goes", HR_LEVEL_CRITICAL,
          PROCS(SYSTEMD, SELF, SHELL, NORMAL_LEAKER), .tweak = real_levels, .want = A(RUNAWAY(1200)) },
        { "EMERGENCY on avg10's memory alone: no kill", HR_LEVEL_EMERGENCY, PROCS(SCENE), .tweak = emergency_at_63,
          .stale = 6310, .want = A(FREEZE(1200), FREEZE(1003), FREEZE(1001), FREEZE(1002)) },

        /* Spike mode: a build's growing worker is paused while a sibling runs, and resumed; never killed
         * while anything else can go. */
        { "spike: CRITICAL pauses the growing compiler that holds least, freezes the tabs", HR_LEVEL_CRITICAL,
          PROCS(DESK, BUILD), .want = A(FREEZE(1003), FREEZE(1001), FREEZE(1002), PAUSE(1403)) },
        { "spike: EMERGENCY pauses too, kills nobody", HR_LEVEL_EMERGENCY, PROCS(DESK, BUILD),
          .want = A(FREEZE(1003), FREEZE(1001), FREEZE(1002), PAUSE(1403)) },
        { "spike: HIGH pauses too, early, while the workers hold little", HR_LEVEL_HIGH, PROCS(DESK, BUILD),
          .want = A(FREEZE(1003), FREEZE(1001), FREEZE(1002), PAUSE(1403)) },
        { "spike: equal holdings, the faster grower is paused", HR_LEVEL_HIGH,
          PROCS(SYSTEMD, SELF, DRIVER, CC1(1401, 20, 100), CC1(1402, 40, 100)), .want = A(PAUSE(1402)) },
        { "spike budget: NORMAL pauses when the workers' next 2 s do not fit above the reserve", HR_LEVEL_NORMAL,
          PROCS(DESK, BUILD), .tweak = no_swap_credit, .avail_mib = 2600, .want = A(PAUSE(1403)) },
        { "spike budget: free swap counts for half", HR_LEVEL_NORMAL, PROCS(DESK, BUILD), .avail_mib = 2600,
          .want = NOTHING },
        { "spike budget: ELEVATED pauses over budget (and freezes the tabs)", HR_LEVEL_ELEVATED, PROCS(DESK, BUILD),
          .tweak = no_swap_credit, .avail_mib = 2600,
          .want = A(FREEZE(1003), FREEZE(1001), FREEZE(1002), PAUSE(1403)) },
        { "spike budget: within it, ELEVATED leaves the build alone", HR_LEVEL_ELEVATED, PROCS(DESK, BUILD),
          .want = A(FREEZE(1003), FREEZE(1001), FREEZE(1002)) },
        { "spike budget: a lone worker is never paused", HR_LEVEL_NORMAL, PROCS(SYSTEMD, SELF, DRIVER, CC1(1401, 60, 150)),
          .tweak = no_swap_credit, .avail_mib = 2000, .want = NOTHING },
        { "spike: a waiting driver is no worker: the last compiler runs on", HR_LEVEL_CRITICAL,
          PROCS(SYSTEMD, SELF, { 1400, "make", 50, HR_PROC_BUILD, BUILD_CG, .anon_mib = 8, .growth_kib_s = 200 },
                CC1(1401, 60, 150)), .tweak = no_terminate, .want = NOTHING },
        { "spike: the next grower is paused while the last worker runs on", HR_LEVEL_CRITICAL,
          PROCS(DESK, DRIVER, CC1(1401, 0, 150), CC1(1402, 40, 120), CC1(1403, 20, 100)),
          .tracked = T(PAUSED(1401, 150, 2), FROZEN(1001, 600), FROZEN(1002, 300), FROZEN(1003, 900)),
          .want = A(PAUSE(1403)) },
        { "spike: the last worker is not paused; a frozen tab goes before any build process", HR_LEVEL_CRITICAL,
          PROCS(DESK, DRIVER, CC1(1401, 0, 150), CC1(1402, 0, 120), CC1(1403, 20, 100)),
          .tracked = T(PAUSED(1401, 150, 3), PAUSED(1402, 120, 2), FROZEN(1001, 600), FROZEN(1002, 300),
                       FROZEN(1003, 900)),
          .want = A(TERM(1003)) },
        { "spike: EMERGENCY kills a tab, not the last worker", HR_LEVEL_EMERGENCY,
          PROCS(DESK, DRIVER, CC1(1401, 0, 150), CC1(1402, 0, 120), CC1(1403, 20, 100)),
          .tracked = T(PAUSED(1401, 150, 3), PAUSED(1402, 120, 2), FROZEN(1001, 600), FROZEN(1002, 300),
                       FROZEN(1003, 900)),
          .want = A(KILL(1003)) },
        { "spike: with nothing else left, the growing compiler is the runaway", HR_LEVEL_CRITICAL,
          PROCS(SYSTEMD, SELF, DRIVER, CC1(1401, 60, 150)), .want = A(RUNAWAY(1401)) },
        { "spike: no worker runs: the first paused is resumed at once, even at CRITICAL", HR_LEVEL_CRITICAL,
          PROCS(SYSTEMD, SELF, SHELL, DRIVER, CC1(1401, 0, 150), CC1(1402, 0, 120)),
          .tracked = T(PAUSED(1402, 120, 2), PAUSED(1401, 150, 3)), .since_kill = 1 * SEC, .want = A(RESUME(1401)) },
        { "spike: a resumed worker is no victim of the same plan", HR_LEVEL_CRITICAL,
          PROCS(SYSTEMD, SELF, DRIVER, CC1(1401, 0, 150)), .tracked = T(PAUSED(1401, 150, 3)),
          .want = A(RESUME(1401)) },
        { "spike: ELEVATED resumes one, the first paused first", HR_LEVEL_ELEVATED,
          PROCS(DESK, DRIVER, CC1(1401, 0, 150), CC1(1402, 0, 120), CC1(1403, 0, 100)),
          .tracked = T(PAUSED(1403, 100, 1), PAUSED(1402, 120, 2), PAUSED(1401, 150, 3)),
          .want = A(RESUME(1401), FREEZE(1003), FREEZE(1001), FREEZE(1002)) },
        { "spike: NORMAL resumes without the MemAvailable gate (a build must not wait forever)", HR_LEVEL_NORMAL,
          PROCS(DESK, DRIVER, CC1(1401, 0, 150)), .tracked = T(PAUSED(1401, 150, 3), FROZEN(1003, 900)),
          .avail_mib = 100, .want = A(RESUME(1401)) },
        { "spike: ELEVATED resumes only within the budget, its rss counted", HR_LEVEL_ELEVATED,
          PROCS(SYSTEMD, SELF, DRIVER, CC1(1401, 0, 150), CC1(1402, 30, 120)), .tracked = T(PAUSED(1401, 150, 3)),
          .tweak = no_swap_credit, .avail_mib = 2457 + 60 + 100, .want = NOTHING },
        { "spike: ELEVATED resumes within the budget", HR_LEVEL_ELEVATED,
          PROCS(SYSTEMD, SELF, DRIVER, CC1(1401, 0, 150), CC1(1402, 30, 120)), .tracked = T(PAUSED(1401, 150, 3)),
          .tweak = no_swap_credit, .avail_mib = 2457 + 60 + 160, .want = A(RESUME(1401)) },
        { "spike: ELEVATED resumes no sooner than thaw_min_interval after the last", HR_LEVEL_ELEVATED,
          PROCS(SYSTEMD, SELF, DRIVER, CC1(1401, 0, 150), CC1(1402, 30, 120)), .tracked = T(PAUSED(1401, 150, 3)),
          .since_thaw = 1 * SEC, .want = NOTHING },
        { "spike: HIGH keeps them paused while a worker runs", HR_LEVEL_HIGH,
          PROCS(DESK, DRIVER, CC1(1401, 0, 150), CC1(1402, 30, 120)), .tracked = T(PAUSED(1401, 150, 3)),
          .want = A(FREEZE(1003), FREEZE(1001), FREEZE(1002)) },
        { "spike: no pause without freezing", HR_LEVEL_CRITICAL, PROCS(SYSTEMD, SELF, BUILD), .tweak = no_freeze,
          .want = A(RUNAWAY(1401)) },
        { "spike: PauseBuilds=no: the growing compiler is a runaway like any other", HR_LEVEL_CRITICAL,
          PROCS(SYSTEMD, SELF, BUILD), .tweak = no_pause_builds, .want = A(RUNAWAY(1401)) },
        { "spike: PauseBuilds=no: a build holding most is ended before a smaller normal process (no sparing)",
          HR_LEVEL_EMERGENCY, PROCS(SYSTEMD, SELF, { 1500, "probe", 50, 0, "/app.slice/app-probe.scope", .anon_mib = 32 },
                                    DRIVER, CC1(1401, 0, 400), CC1(1402, 0, 300)),
          .tweak = no_pause_builds, .want = A(KILL(1401)) },
        { "spike: PauseBuilds=yes: the same build is spared while the normal process can go",
          HR_LEVEL_EMERGENCY, PROCS(SYSTEMD, SELF, { 1500, "probe", 50, 0, "/app.slice/app-probe.scope", .anon_mib = 32 },
                                    DRIVER, CC1(1401, 0, 400), CC1(1402, 0, 300)),
          .want = A(KILL(1500)) },
        { "calm again: a terminating victim is left alone", HR_LEVEL_NORMAL, PROCS(SCENE),
          .tracked = T(TERMINATING(1200)), .want = NOTHING },

        /* One victim at a time, cooldowns. */
        { "one victim at a time: nothing new while one is terminating", HR_LEVEL_CRITICAL, PROCS(SCENE),
          .tracked = T(TERMINATING(1200)), .want = A(FREEZE(1003), FREEZE(1001), FREEZE(1002), FREEZE(1100)) },
        { "one victim at a time: HIGH waits for the victim too", HR_LEVEL_HIGH, PROCS(SCENE),
          .tracked = T(TERMINATING(1003)), .want = A(FREEZE(1200), FREEZE(1001), FREEZE(1002), FREEZE(1100)) },
        { "one victim at a time: a zombie victim no longer blocks", HR_LEVEL_CRITICAL,
          PROCS(SCENE_BUT(LEAKER_(0, .state = 'Z'))), .tracked = T(TERMINATING(1200)),
          .want = A(FREEZE(1001), FREEZE(1002), FREEZE(1100), TERM(1003)) },
        { "a leaker of normal priority goes before idle tabs at CRITICAL: it makes the pressure",
          HR_LEVEL_CRITICAL, PROCS(SCENE_BUT(NORMAL_LEAKER)), .tweak = no_freeze,
          .want = A(RUNAWAY(1200)) },
        { "... and at EMERGENCY", HR_LEVEL_EMERGENCY,
          PROCS(SCENE_BUT(NORMAL_LEAKER)), .tweak = no_freeze, .want = A(KILL_RUNAWAY(1200)) },
        { "... but growing under the runaway bound it waits its turn behind the heavy tier", HR_LEVEL_CRITICAL,
          PROCS(SCENE_BUT(NORMAL_LEAKER)), .tweak = no_freeze_slow_runaway, .want = A(TERM(1003)) },
        { "one victim at a time: a victim that exited no longer blocks", HR_LEVEL_CRITICAL, PROCS(SCENE),
          .tracked = T(TERMINATING(1700)), .want = A(FREEZE(1003), FREEZE(1001), FREEZE(1002), FREEZE(1100), RUNAWAY(1200)) },
        { "cooldown after a kill: CRITICAL waits", HR_LEVEL_CRITICAL, PROCS(SCENE), .since_kill = 5 * SEC,
          .want = A(FREEZE(1200), FREEZE(1003), FREEZE(1001), FREEZE(1002)) },
        { "cooldown after a kill: CRITICAL acts once it has passed", HR_LEVEL_CRITICAL, PROCS(SCENE),
          .since_kill = 11 * SEC, .want = A(FREEZE(1003), FREEZE(1001), FREEZE(1002), FREEZE(1100), RUNAWAY(1200)) },
        { "cooldown after a kill: HIGH waits too", HR_LEVEL_HIGH, PROCS(SCENE), .since_kill = 5 * SEC,
          .want = A(FREEZE(1200), FREEZE(1003), FREEZE(1001), FREEZE(1002)) },

        /* EMERGENCY. */
        { "emergency kills the top candidate at once, inside a terminate's cooldown", HR_LEVEL_EMERGENCY,
          PROCS(SCENE), .since_kill = 1 * SEC, .tweak = no_freeze, .want = A(KILL_RUNAWAY(1200)) },
        { "emergency escalates a victim still alive after SIGTERM, and picks no other", HR_LEVEL_EMERGENCY,
          PROCS(SCENE), .tracked = T(TERMINATING(1003)), .tweak = no_freeze, .want = A(KILL(1003)) },
        { "emergency waits out the cooldown after its own kill", HR_LEVEL_EMERGENCY, PROCS(SCENE),
          .tracked = T(KILLED(1200)), .since_kill = 2 * SEC, .since_sigkill = 2 * SEC, .tweak = no_freeze,
          .want = NOTHING },
        { "emergency kills the next one once its cooldown has passed", HR_LEVEL_EMERGENCY, PROCS(SCENE),
          .tracked = T(KILLED(1200)), .since_kill = 11 * SEC, .since_sigkill = 11 * SEC, .tweak = no_freeze,
          .want = A(KILL(1003)) },
        { "emergency reaches into the protected tier when nothing else is left", HR_LEVEL_EMERGENCY,
          PROCS(SYSTEMD, SHELL, SELF, FOOT, FIREFOX), .want = A(KILL(1000)) },
        { "critical does not reach below the normal tier", HR_LEVEL_CRITICAL, PROCS(SYSTEMD, SHELL, SELF, FOOT, FIREFOX),
          .want = NOTHING },
        { "never a target: init, kernel threads, headroomd, sessions, protected, critical, zombies",
          HR_LEVEL_EMERGENCY,
          PROCS({ 1, "systemd", 100, HR_PROC_INIT, .anon_mib = 9000 },
                { 2, "kthreadd", 100, HR_PROC_KTHREAD, .anon_mib = 9000 },
                { 300, "bash", 95, HR_PROC_SESSION, .anon_mib = 9000 },
                { 301, "headroomctl", 95, HR_PROC_SESSION | HR_PROC_NEVER_KILL, .anon_mib = 9000 },
                { 600, "headroomd", 100, HR_PROC_SELF, .anon_mib = 9000 },
                { 700, "foot", 90, HR_PROC_PROTECTED, .anon_mib = 9000 },
                { 400, "gnome-shell", 19, 0, .anon_mib = 9000 },
                { 900, "defunct", 95, 0, .anon_mib = 9000, .state = 'Z' },
                { 901, "dead", 95, 0, .anon_mib = 9000, .state = 'X' }),
          .want = NOTHING },

        /* Never-kill, freeze-only, disabled families. */
        { "never-kill is only frozen: HIGH freezes it instead of terminating", HR_LEVEL_HIGH,
          PROCS(SCENE_BUT(LEAKER_(HR_PROC_NEVER_KILL))),
          .want = A(FREEZE(1200), FREEZE(1003), FREEZE(1001), FREEZE(1002)) },
        { "never-kill is only frozen: CRITICAL terminates the next one", HR_LEVEL_CRITICAL,
          PROCS(SCENE_BUT(LEAKER_(HR_PROC_NEVER_KILL))),
          .want = A(FREEZE(1200), FREEZE(1001), FREEZE(1002), FREEZE(1100), TERM(1003)) },
        { "never-kill is only frozen: even at EMERGENCY", HR_LEVEL_EMERGENCY,
          PROCS(SCENE_BUT(LEAKER_(HR_PROC_NEVER_KILL))), .tracked = T(FROZEN(1200, 2500)), .tweak = no_freeze,
          .want = A(KILL(1003)) },
        { "freeze-only: likewise", HR_LEVEL_CRITICAL, PROCS(SCENE_BUT(LEAKER_(HR_PROC_FREEZE_ONLY))),
          .want = A(FREEZE(1200), FREEZE(1001), FREEZE(1002), FREEZE(1100), TERM(1003)) },
        { "disabled terminate: HIGH only freezes", HR_LEVEL_HIGH, PROCS(SCENE), .tweak = no_terminate,
          .want = A(FREEZE(1200), FREEZE(1003), FREEZE(1001), FREEZE(1002)) },
        { "disabled terminate: CRITICAL only freezes", HR_LEVEL_CRITICAL, PROCS(SCENE), .tweak = no_terminate,
          .want = A(FREEZE(1200), FREEZE(1003), FREEZE(1001), FREEZE(1002)) },
        { "disabled terminate: EMERGENCY still kills", HR_LEVEL_EMERGENCY, PROCS(SCENE), .tweak = no_terminate,
          .want = A(FREEZE(1003), FREEZE(1001), FREEZE(1002), FREEZE(1100), KILL_RUNAWAY(1200)) },
        { "disabled kill: EMERGENCY terminates like CRITICAL", HR_LEVEL_EMERGENCY, PROCS(SCENE), .tweak = no_kill,
          .want = A(FREEZE(1003), FREEZE(1001), FREEZE(1002), FREEZE(1100), RUNAWAY(1200)) },
        { "disabled freeze: CRITICAL only terminates", HR_LEVEL_CRITICAL, PROCS(SCENE), .tweak = no_freeze,
          .want = A(RUNAWAY(1200)) },
        { "disabled freeze: ELEVATED does nothing", HR_LEVEL_ELEVATED, PROCS(SCENE), .tweak = no_freeze,
          .want = NOTHING },

        /* The warning before the end (someone listens: a hook or a subscriber). */
        { "warning: with a listener CRITICAL warns the runaway instead of terminating it", HR_LEVEL_CRITICAL,
          PROCS(SCENE), .listeners = true,
          .want = A(FREEZE(1003), FREEZE(1001), FREEZE(1002), FREEZE(1100), WARN_RUNAWAY(1200)) },
        { "warning: with a listener HIGH warns its runaway too", HR_LEVEL_HIGH, PROCS(SCENE), .listeners = true,
          .want = A(FREEZE(1003), FREEZE(1001), FREEZE(1002), FREEZE(1100), WARN_RUNAWAY(1200)) },
        { "warning: without a warn window there is nothing to wait for", HR_LEVEL_CRITICAL, PROCS(SCENE),
          .listeners = true, .tweak = no_warning,
          .want = A(FREEZE(1003), FREEZE(1001), FREEZE(1002), FREEZE(1100), RUNAWAY(1200)) },
        { "warning: inside its window no one else is chosen, and it is not frozen", HR_LEVEL_CRITICAL, PROCS(SCENE),
          .listeners = true, .tracked = T(WARNED(1200, 1)),
          .want = A(FREEZE(1003), FREEZE(1001), FREEZE(1002), FREEZE(1100)) },
        { "warning: after its window a victim still picked is terminated, not warned again", HR_LEVEL_CRITICAL,
          PROCS(SCENE), .listeners = true, .tracked = T(WARNED(1200, 4)),
          .want = A(FREEZE(1003), FREEZE(1001), FREEZE(1002), FREEZE(1100), RUNAWAY(1200)) },
        { "warning: ... even when the listener has gone meanwhile", HR_LEVEL_CRITICAL, PROCS(SCENE),
          .tracked = T(WARNED(1200, 4)),
          .want = A(FREEZE(1003), FREEZE(1001), FREEZE(1002), FREEZE(1100), RUNAWAY(1200)) },
        { "warning: after its window, back at NORMAL, it is spared", HR_LEVEL_NORMAL, PROCS(SCENE),
          .listeners = true, .tracked = T(WARNED(1200, 4)), .want = A(SPARE(1200)) },
        { "warning: at NORMAL inside its window: not yet spared", HR_LEVEL_NORMAL, PROCS(SCENE), .listeners = true,
          .tracked = T(WARNED(1200, 1)), .want = NOTHING },
        { "warning: after its window another ranks first: the warned one is spared, the other warned",
          HR_LEVEL_CRITICAL, PROCS(SCENE), .listeners = true, .tracked = T(WARNED(1003, 4)),
          .want = A(SPARE(1003), FREEZE(1001), FREEZE(1002), FREEZE(1100), WARN_RUNAWAY(1200)) },
        { "warning: EMERGENCY kills a warned process without waiting", HR_LEVEL_EMERGENCY, PROCS(SCENE),
          .listeners = true, .tracked = T(WARNED(1200, 1)), .tweak = no_freeze, .want = A(KILL_RUNAWAY(1200)) },
        { "warning: EMERGENCY does not warn", HR_LEVEL_EMERGENCY, PROCS(SCENE), .listeners = true,
          .tweak = no_freeze, .want = A(KILL_RUNAWAY(1200)) },
        { "warning: a frozen victim cannot heed one: terminated at once", HR_LEVEL_CRITICAL, PROCS(SCENE),
          .listeners = true, .tracked = T(FROZEN(1200, 2500)),
          .want = A(FREEZE(1003), FREEZE(1001), FREEZE(1002), FREEZE(1100), TERM(1200)) },
        { "warning: a warned victim that exited no longer holds the others back", HR_LEVEL_CRITICAL, PROCS(SCENE),
          .listeners = true, .tracked = T(WARNED(1700, 1)),
          .want = A(FREEZE(1003), FREEZE(1001), FREEZE(1002), FREEZE(1100), WARN_RUNAWAY(1200)) },
        /* Checkpoint. */
        { "checkpoint: CRITICAL checkpoints a victim marked yes", HR_LEVEL_CRITICAL,
          PROCS(SCENE_BUT(LEAKER_(0, .ckpt = HR_CHECKPOINT_YES))), .tweak = checkpoint_on,
          .want = A(FREEZE(1003), FREEZE(1001), FREEZE(1002), FREEZE(1100), CKPT_RUNAWAY(1200)) },
        { "checkpoint: auto counts as yes when checkpointing is enabled", HR_LEVEL_CRITICAL,
          PROCS(SCENE_BUT(LEAKER_(0, .ckpt = HR_CHECKPOINT_AUTO))), .tweak = checkpoint_on,
          .want = A(FREEZE(1003), FREEZE(1001), FREEZE(1002), FREEZE(1100), CKPT_RUNAWAY(1200)) },
        { "checkpoint: disabled, a marked victim is terminated", HR_LEVEL_CRITICAL,
          PROCS(SCENE_BUT(LEAKER_(0, .ckpt = HR_CHECKPOINT_YES))),
          .want = A(FREEZE(1003), FREEZE(1001), FREEZE(1002), FREEZE(1100), RUNAWAY(1200)) },
        { "checkpoint: terminate disabled, only marked processes are victims", HR_LEVEL_CRITICAL,
          PROCS(SYSTEMD, SELF, FIREFOX, TAB1, TAB2, { 1003, "Isolated Web Co", 85, 0, FIREFOX_SCOPE, .anon_mib = 100,
                                                       .ckpt = HR_CHECKPOINT_YES }, LEAKER),
          .tweak = checkpoint_only, .want = A(CKPT(1003)) },
        { "checkpoint: EMERGENCY kills rather than dumps", HR_LEVEL_EMERGENCY,
          PROCS(SCENE_BUT(LEAKER_(0, .ckpt = HR_CHECKPOINT_YES))), .tweak = checkpoint_only, .want = A(KILL_RUNAWAY(1200)) },

        /* Process groups (KillGroup=): carried to what ends the process, never to a freeze. */
        { "kill-group rule: a freeze stays on the process", HR_LEVEL_ELEVATED, PROCS(SYSTEMD, SELF, GMAKE, CC1PLUS),
          .want = A(FREEZE(1300)) },
        { "kill-group rule: terminated with its process group", HR_LEVEL_CRITICAL, PROCS(SYSTEMD, SELF, GMAKE, CC1PLUS),
          .want = A(TERM_WITH_GROUP(1300)) },
        { "kill-group rule: killed with its process group", HR_LEVEL_EMERGENCY, PROCS(SYSTEMD, SELF, GMAKE, CC1PLUS),
          .want = A(KILL_WITH_GROUP(1300)) },
        { "kill-group rule: checkpointed with its process group", HR_LEVEL_CRITICAL,
          PROCS(SYSTEMD, SELF, GMAKE_(.ckpt = HR_CHECKPOINT_YES), CC1PLUS), .tweak = checkpoint_only,
          .want = A(CKPT_WITH_GROUP(1300)) },
        { "kill-group rule: a thaw carries no group", HR_LEVEL_NORMAL, PROCS(SYSTEMD, SELF, GMAKE, CC1PLUS),
          .tracked = T(FROZEN(1300, 500)), .want = A(THAW(1300)) },

        /* Whole cgroups. */
        { "whole-cgroup rule: a container is frozen as one", HR_LEVEL_ELEVATED,
          PROCS(SYSTEMD, TAB1, BOX(2000, HR_PROC_WHOLE_CGROUP), BOX(2001, HR_PROC_WHOLE_CGROUP),
                BOX(2002, HR_PROC_WHOLE_CGROUP)),
          .want = A(FREEZE_WHOLE(2000), FREEZE(1001)) },
        { "whole-cgroup rule: a container is terminated as one", HR_LEVEL_CRITICAL,
          PROCS(SYSTEMD, TAB1, BOX(2000, HR_PROC_WHOLE_CGROUP), BOX(2001, HR_PROC_WHOLE_CGROUP),
                BOX(2002, HR_PROC_WHOLE_CGROUP)),
          .want = A(FREEZE(1001), TERM_WHOLE(2000)) },
        { "whole-cgroup rule: without it a cgroup's processes go one by one", HR_LEVEL_ELEVATED,
          PROCS(SYSTEMD, TAB1, BOX(2000, 0), BOX(2001, 0), BOX(2002, 0)),
          .want = A(FREEZE(2000), FREEZE(2001), FREEZE(2002), FREEZE(1001)) },
        { "whole-cgroup rule: a frozen cgroup covers its members", HR_LEVEL_ELEVATED,
          PROCS(SYSTEMD, TAB1, BOX(2000, HR_PROC_WHOLE_CGROUP), BOX(2001, HR_PROC_WHOLE_CGROUP),
                BOX(2002, HR_PROC_WHOLE_CGROUP)),
          .tracked = T(FROZEN_WHOLE(2000, 1500)), .want = A(FREEZE(1001)) },
        { "whole-cgroup rule: a frozen cgroup is thawed as one", HR_LEVEL_NORMAL,
          PROCS(SYSTEMD, TAB1, BOX(2000, HR_PROC_WHOLE_CGROUP), BOX(2001, HR_PROC_WHOLE_CGROUP)),
          .tracked = T(FROZEN_WHOLE(2000, 1000)), .want = A({ HR_ACTION_THAW, 2000, .whole = true }) },

        /* Ranking. */
        { "many small tabs outweigh one big app: the cgroup first, then the biggest in it", HR_LEVEL_CRITICAL,
          PROCS({ 3001, "chromium", 85, 0, SCOPE_A, .anon_mib = 400 }, { 3002, "chromium", 85, 0, SCOPE_A, .anon_mib = 450 },
                { 3003, "chromium", 85, 0, SCOPE_A, .anon_mib = 400 }, { 3100, "gimp", 85, 0, SCOPE_B, .anon_mib = 900 }),
          .tweak = no_freeze, .want = A(TERM(3002)) },
        { "a higher tier goes first, however small", HR_LEVEL_CRITICAL,
          PROCS({ 3001, "batch", 80, 0, SCOPE_A, .anon_mib = 10 }, { 3100, "gimp", 79, 0, SCOPE_B, .anon_mib = 9000 }),
          .tweak = no_freeze, .want = A(TERM(3001)) },
        { "near-ties: growth decides within one 64 MiB bucket", HR_LEVEL_CRITICAL,
          PROCS({ 3200, "a", 85, .anon_mib = 540 }, { 3201, "b", 85, .anon_mib = 520, .growth_kib_s = 2048 }),
          .tweak = no_freeze, .want = A(TERM(3201)) },
        { "size beats growth across buckets", HR_LEVEL_CRITICAL,
          PROCS({ 3200, "a", 85, .anon_mib = 600 }, { 3201, "b", 85, .anon_mib = 520, .growth_kib_s = 2048 }),
          .tweak = no_freeze, .want = A(TERM(3200)) },
        { "swap counts as freeable", HR_LEVEL_CRITICAL,
          PROCS({ 3200, "a", 85, .anon_mib = 600 }, { 3201, "b", 85, .anon_mib = 100, .swap_mib = 900 }),
          .tweak = no_freeze, .want = A(TERM(3201)) },
        { "page cache is not freeable", HR_LEVEL_CRITICAL,
          PROCS({ 3200, "a", 85, .anon_mib = 600 }, { 3201, "b", 85, .anon_mib = 100, .file_mib = 4000 }),
          .tweak = no_freeze, .want = A(TERM(3200)) },
        { "a positive oom_score_adj is an input, never the verdict", HR_LEVEL_CRITICAL,
          PROCS({ 3300, "app", 85, .anon_mib = 1000, .oom = 300 }, { 3301, "chrome", 85, .anon_mib = 200, .oom = 1700 }),
          .tweak = no_freeze, .want = A(TERM(3300)) },
        { "oom_score breaks a tie of size and growth", HR_LEVEL_CRITICAL,
          PROCS({ 3302, "x", 85, .anon_mib = 500, .oom = 300 }, { 3303, "y", 85, .anon_mib = 500, .oom = 900 }),
          .tweak = no_freeze, .want = A(TERM(3303)) },
        { "a full tie goes to the lowest pid", HR_LEVEL_CRITICAL,
          PROCS({ 3305, "x", 85, .anon_mib = 500 }, { 3304, "y", 85, .anon_mib = 500 }),
          .tweak = no_freeze, .want = A(TERM(3304)) },

        /* The reason is the component with the most points. */
        { "reason: MemAvailable", HR_LEVEL_CRITICAL, PROCS(SCENE), .comp = C(MEM_AVAILABLE), .tweak = no_freeze_slow_runaway,
          .want = A(TERM(1200)) },
        { "reason: swap I/O", HR_LEVEL_CRITICAL, PROCS(SCENE), .comp = C(SWAP_IO), .tweak = no_freeze_slow_runaway,
          .want = A(TERM(1200)) },
        { "reason: swap fill", HR_LEVEL_ELEVATED, PROCS(SCENE), .comp = C(SWAP_FILL), .tweak = one_freeze,
          .want = A(FREEZE(1200)) },
        { "reason: refaults", HR_LEVEL_EMERGENCY, PROCS(SCENE), .comp = C(REFAULT), .tweak = no_freeze_slow_runaway,
          .want = A(KILL(1200)) },
        { "reason: PSI some", HR_LEVEL_HIGH, PROCS(SCENE), .comp = C(PSI_SOME), .tweak = one_freeze,
          .want = A(FREEZE(1003), RUNAWAY(1200)) },
        { "reason: recovery for thaws whatever the component", HR_LEVEL_NORMAL, PROCS(SCENE),
          .comp = C(MEM_AVAILABLE), .tracked = T(FROZEN(1100, 200)), .want = A(THAW(1100)) },
};

/* ---- running a case ---- */

static HrPressure pressure_of(int comp1) {
        HrPressure p = { .score_centi = 6310, .has_rates = true };

        /* psi_full 18.20% is worth 72 points; psi_some is high too but worth less. */
        p.raw[HR_COMP_PSI_SOME] = 4000;
        p.points_centi[HR_COMP_PSI_SOME] = 5000;
        p.raw[HR_COMP_PSI_FULL] = 1820;
        p.points_centi[HR_COMP_PSI_FULL] = 7200;
        p.psi_some_permyriad = 4000;
        p.psi_full_permyriad = 1820;
        if (comp1 > 0) {
                HrComponent c = (HrComponent) (comp1 - 1);
                static const uint64_t raw[_HR_COMP_MAX] = {
                        [HR_COMP_PSI_SOME] = 6000, [HR_COMP_SWAP_FILL] = 9500, [HR_COMP_SWAP_IO] = 12000,
                        [HR_COMP_REFAULT] = 50000, [HR_COMP_MEM_AVAILABLE] = 9590,
                };
                p.raw[c] = raw[c];
                p.points_centi[c] = 9000;
        }
        return p;
}

static HrComponent dominant(int comp1) {
        return comp1 > 0 ? (HrComponent) (comp1 - 1) : HR_COMP_PSI_FULL;
}


static void fill_tracked(HrPolicyState *s, const HrProcTable *t, const TrackSpec *tracked) {
        for (const TrackSpec *ts = tracked; ts && ts->pid; ts++) {
                const HrProc *p = table_find(t, ts->pid);
                HrTracked *tr = &s->tracked[s->n_tracked++];
                *tr = (HrTracked) {
                        .pid = ts->pid,
                        .start_time = p ? p->start_time : start_of(ts->pid),
                        .state = ts->st,
                        .whole_cgroup = ts->whole,
                        .killed = ts->killed,
                        .priority = ts->prio ? ts->prio : p ? p->priority : 80,
                        .rss_kib = MIB(ts->rss_mib),
                        .since = NOW - (ts->ago ? ts->ago : 60 * SEC),
                        .reason = ts->spike ? HR_REASON_SPIKE : HR_REASON_PSI_FULL,
                        .paged_out = ts->paged_out,
                };
                (void) snprintf(tr->comm, sizeof(tr->comm), "%s", p ? p->comm : "gone");
                (void) snprintf(tr->cgroup, sizeof(tr->cgroup), "%s", p ? hr_proc_cgroup(t, p) : "");
        }
}

static const char *tname(HrActionType t) {
        const char *s = hr_action_type_to_string(t);
        return s ? s : "(end)";
}

static void print_plan(const char *name, const HrActionList *out) {
        print_message("case \"%s\": planned %u action(s)\n", name, out->n);
        for (unsigned i = 0; i < out->n; i++)
                print_message("  %s %d (%s): %s\n", tname(out->items[i].type), (int) out->items[i].pid,
                              out->items[i].comm, out->items[i].why);
}

static void check_case(const PolicyCase *cs, const HrConfig *c, const HrSnapshot *snap, const HrActionList *out) {
        const HrProcTable *t = snap->procs;
        const char *lvl = hr_level_to_string(cs->level);
        HrComponent comp = dominant(cs->comp);
        unsigned n_want = 0;

        while (cs->want[n_want].type != END_TYPE)
                n_want++;
        if (out->n != n_want) {
                print_plan(cs->name, out);
                fail_msg("case \"%s\": %u actions, want %u", cs->name, out->n, n_want);
        }
        for (unsigned i = 0; i < n_want; i++) {
                const Want *w = &cs->want[i];
                const HrAction *a = &out->items[i];
                const HrProc *p = table_find(t, w->pid);
                bool spare = w->type == HR_ACTION_SPARE;
                bool thaw = w->type == HR_ACTION_THAW || w->type == HR_ACTION_RESTORE;
                HrReason want_reason = w->spike           ? HR_REASON_SPIKE
                                       : thaw || spare    ? HR_REASON_RECOVERY
                                       : w->runaway       ? HR_REASON_RUNAWAY
                                                          : hr_reason_of_component(comp);

                if (a->type != w->type || a->pid != w->pid) {
                        print_plan(cs->name, out);
                        fail_msg("case \"%s\": action %u is %s %d, want %s %d", cs->name, i, tname(a->type),
                                 (int) a->pid, tname(w->type), (int) w->pid);
                }
                if (a->kill_group != w->group)
                        fail_msg("case \"%s\": action %u (%s %d) kill_group %d, want %d", cs->name, i,
                                 tname(a->type), (int) a->pid, a->kill_group, w->group);
                if (a->whole_cgroup != w->whole)
                        fail_msg("case \"%s\": action %u (%s %d) whole_cgroup %d, want %d", cs->name, i,
                                 tname(a->type), (int) a->pid, a->whole_cgroup, w->whole);
                if (a->reason != want_reason)
                        fail_msg("case \"%s\": action %u (%s %d) reason %s, want %s", cs->name, i, tname(a->type),
                                 (int) a->pid, hr_reason_to_string(a->reason), hr_reason_to_string(want_reason));
                if (p && (a->start_time != p->start_time || strcmp(a->comm, p->comm) != 0 ||
                          a->priority != p->priority || strcmp(a->cgroup, hr_proc_cgroup(t, p)) != 0))
                        fail_msg("case \"%s\": action %u (%s %d) does not name its target exactly", cs->name, i,
                                 tname(a->type), (int) a->pid);
                if (p && !thaw && !spare && w->type != HR_ACTION_PAGE_OUT && a->freeable_kib != hr_proc_freeable_kib(p))
                        fail_msg("case \"%s\": action %u frees %" PRIu64 " KiB, want %" PRIu64, cs->name, i,
                                 a->freeable_kib, hr_proc_freeable_kib(p));
                usec_t grace = a->type == HR_ACTION_TERMINATE || a->type == HR_ACTION_CHECKPOINT
                                       ? c->actions.terminate_grace_usec[cs->level]
                               : a->type == HR_ACTION_WARN    ? c->actions.warn_usec
                                                              : 0;
                if (a->grace_usec != grace)
                        fail_msg("case \"%s\": action %u grace %" PRIu64 ", want %" PRIu64, cs->name, i,
                                 a->grace_usec, grace);
                if (strncmp(a->why, lvl, strlen(lvl)) != 0 || !strstr(a->why, hr_component_to_string(comp)) ||
                    !strstr(a->why, " 63.10: ") || (thaw && !w->spike && !strstr(a->why, "recovery")) ||
                    (w->spike && !strstr(a->why, "spike: build worker")) ||
                    (spare && !strstr(a->why, "spared")) ||
                    (w->runaway && !strstr(a->why, "runaway")) || (w->whole && !strstr(a->why, "whole cgroup")))
                        fail_msg("case \"%s\": action %u why \"%s\" does not name %s, the score and %s", cs->name, i,
                                 a->why, lvl, hr_component_to_string(comp));
                if (strchr(a->why, '\n'))
                        fail_msg("case \"%s\": action %u why is not one line", cs->name, i);
        }
}

static void test_cases(void **state) {
        (void) state;

        for (size_t k = 0; k < ELEMENTSOF(cases); k++) {
                const PolicyCase *cs = &cases[k];
                static HrPolicyState s;
                static HrActionList out, again;
                HrConfig c;
                HrProcTable t;

                test_config(&c);
                if (cs->tweak)
                        cs->tweak(&c);
                table_from_specs(&t, cs->procs);
                hr_policy_state_init(&s);
                fill_tracked(&s, &t, cs->tracked);
                s.last_kill_at = cs->since_kill ? NOW - cs->since_kill : 0;
                s.last_sigkill_at = cs->since_sigkill ? NOW - cs->since_sigkill : 0;
                s.last_thaw_at = cs->since_thaw ? NOW - cs->since_thaw : 0;

                HrSnapshot snap = {
                        .now = NOW,
                        .level = cs->level,
                        .pressure = pressure_of(cs->comp),
                        .mem_total_kib = MIB(cs->total_mib ? cs->total_mib : 16384),
                        .mem_available_kib = MIB(cs->avail_mib ? cs->avail_mib : 4096),
                        .swap_total_kib = MIB(8192),
                        .swap_free_kib = MIB(4096),
                        .procs = &t,
                        .warn_listeners = cs->listeners,
                        .paging_out = cs->paging_out,
                };
                snap.pressure.stale_centi = cs->stale;

                hr_policy_plan(&c, &snap, &s, &out);
                check_case(cs, &c, &snap, &out);

                memset(&again, 0xa5, sizeof(again));
                hr_policy_plan(&c, &snap, &s, &again);
                /* the n actions planned, byte for byte; the slots past n are not part of the plan */
                if (out.n != again.n || memcmp(out.items, again.items, out.n * sizeof(out.items[0])) != 0)
                        fail_msg("case \"%s\": a second plan differs", cs->name);

                table_done(&t);
        }
}

/* The one-line why, byte for byte. */
/* The damped level stays up while calm is counted; what the score says now caps new actions. */
static void test_level_capped_by_score(void **state) {
        static HrPolicyState s;
        HrActionList out;
        HrConfig c;
        HrProcTable t;
        (void) state;

        test_config(&c);
        c.level = hr_level_config_default;
        c.actions.freeze_enabled = false;
        table_from_specs(&t, PROCS(SCENE_BUT(NORMAL_LEAKER)));
        hr_policy_state_init(&s);
        HrSnapshot snap = { .now = NOW, .level = HR_LEVEL_EMERGENCY, .pressure = pressure_of(0), .procs = &t,
                            .mem_available_kib = MIB(3000) };

        /* EMERGENCY and the score agrees: SIGKILL. */
        snap.pressure.score_centi = c.level.enter_centi[HR_LEVEL_EMERGENCY];
        hr_policy_plan(&c, &snap, &s, &out);
        assert_int_equal(out.n, 1);
        assert_int_equal(out.items[0].type, HR_ACTION_KILL);

        /* Still EMERGENCY (damped) but the score says CRITICAL: a termination with CRITICAL's grace. */
        snap.pressure.score_centi = c.level.enter_centi[HR_LEVEL_CRITICAL];
        hr_policy_plan(&c, &snap, &s, &out);
        assert_int_equal(out.n, 1);
        assert_int_equal(out.items[0].type, HR_ACTION_TERMINATE);
        assert_int_equal(out.items[0].grace_usec, c.actions.terminate_grace_usec[HR_LEVEL_CRITICAL]);
        assert_non_null(strstr(out.items[0].why, "CRITICAL "));

        /* Still EMERGENCY but the score is back under ELEVATED: hold. No victim, no freeze, no thaw. */
        c.actions.freeze_enabled = true;
        snap.pressure.score_centi = c.level.enter_centi[HR_LEVEL_ELEVATED] - 1;
        hr_policy_plan(&c, &snap, &s, &out);
        assert_int_equal(out.n, 0);
        static HrPolicyState frozen;
        hr_policy_state_init(&frozen);
        const HrProc *indexer = hr_proc_table_find(&t, 1100);
        assert_non_null(indexer);
        frozen.tracked[0] = (HrTracked) { .pid = 1100, .start_time = indexer->start_time, .state = HR_TRACKED_FROZEN };
        frozen.n_tracked = 1;
        hr_policy_plan(&c, &snap, &frozen, &out);
        assert_int_equal(out.n, 0); /* the thaw waits for the level to reach NORMAL */
        table_done(&t);
}

static void test_why(void **state) {
        static HrPolicyState s;
        HrActionList out;
        HrConfig c;
        HrProcTable t;
        (void) state;

        test_config(&c);
        c.actions.freeze_enabled = false;
        table_from_specs(&t, PROCS({ 1200, "python3", 90, 0, LEAK_SCOPE, .anon_mib = 700, .swap_mib = 112,
                                     .growth_kib_s = 40 * 1024 },
                                   { 1300, "indexer", 70, 0, TRACKER_SERVICE, .anon_mib = 0, .swap_mib = 0 }));
        t.procs[1].rss_anon_kib = 900; /* under a MiB */
        hr_policy_state_init(&s);

        HrSnapshot snap = { .now = NOW, .level = HR_LEVEL_CRITICAL, .pressure = pressure_of(0), .procs = &t,
                            .mem_available_kib = MIB(3000) };
        hr_policy_plan(&c, &snap, &s, &out);
        assert_int_equal(out.n, 1);
        assert_string_equal(out.items[0].why,
                            "CRITICAL 63.10: psi_full 18.20% (72 pts); runaway: expendable-heavy, frees 812 MiB, growing 40 MiB/s");
        assert_int_equal(out.items[0].grace_usec, 5 * SEC);

        snap.level = HR_LEVEL_HIGH;
        snap.pressure = pressure_of(C(MEM_AVAILABLE));
        snap.pressure.score_centi = 4720;
        c.actions.freeze_enabled = true;
        c.actions.terminate_enabled = false;
        hr_policy_plan(&c, &snap, &s, &out);
        assert_int_equal(out.n, 2);
        assert_string_equal(out.items[0].why,
                            "HIGH 47.20: mem_available 4.10% left (90 pts); expendable-heavy, holds 812 MiB, growing 40 MiB/s");
        assert_string_equal(out.items[1].why,
                            "HIGH 47.20: mem_available 4.10% left (90 pts); expendable-background, holds 900 KiB");

        /* The thaw says what comes back and what there is. */
        hr_policy_state_init(&s);
        fill_tracked(&s, &t, T(FROZEN(1300, 200)));
        snap.level = HR_LEVEL_NORMAL;
        snap.pressure = (HrPressure) { .score_centi = 320, .raw[HR_COMP_PSI_SOME] = 50, .points_centi[HR_COMP_PSI_SOME] = 150 };
        hr_policy_plan(&c, &snap, &s, &out);
        assert_int_equal(out.n, 1);
        assert_string_equal(out.items[0].why,
                            "NORMAL 3.20: psi_some 0.50% (2 pts); recovery: expendable-background, brings back 200 MiB, "
                            "3000 MiB available");

        /* Swap I/O and refaults are rates. */
        snap.level = HR_LEVEL_EMERGENCY;
        snap.pressure = pressure_of(C(REFAULT));
        hr_policy_plan(&c, &snap, &s, &out);
        assert_int_equal(out.n, 1); /* the indexer is frozen already */
        assert_string_equal(out.items[0].why,
                            "EMERGENCY 63.10: refault 50000 pages/s (90 pts); runaway: expendable-heavy, frees 812 MiB, "
                            "growing 40 MiB/s");
        snap.pressure = pressure_of(C(SWAP_FILL));
        hr_policy_plan(&c, &snap, &s, &out);
        assert_int_equal(out.n, 1);
        assert_string_equal(out.items[0].why,
                            "EMERGENCY 63.10: swap_fill 95.00% (90 pts); runaway: expendable-heavy, frees 812 MiB, "
                            "growing 40 MiB/s");
        table_done(&t);
}

/* ---- commit and the registry ---- */

/* The last action of a plan of type `type` for pid, or NULL. */
static const HrAction *planned(const HrActionList *plan, HrActionType type, pid_t pid) {
        for (unsigned i = plan->n; i-- > 0;)
                if (plan->items[i].type == type && plan->items[i].pid == pid)
                        return &plan->items[i];
        return NULL;
}

/* warn -> its window -> terminate (still needed) or spare (the pressure fell), through commit. */
static void test_warn_sequence(void **state) {
        static HrPolicyState s;
        static HrActionList plan;
        HrConfig c;
        HrProcTable t;
        (void) state;

        test_config(&c);
        c.level = hr_level_config_default;
        c.actions.freeze_enabled = false;
        table_from_specs(&t, PROCS(SCENE));
        for (int calm = 0; calm <= 1; calm++) {
                HrSnapshot snap = { .now = NOW, .level = HR_LEVEL_CRITICAL, .pressure = pressure_of(0), .procs = &t,
                                    .mem_available_kib = MIB(4096), .warn_listeners = true };
                hr_policy_state_init(&s);

                hr_policy_plan(&c, &snap, &s, &plan);
                assert_int_equal(plan.n, 1);
                assert_non_null(planned(&plan, HR_ACTION_WARN, 1200));
                assert_int_equal(plan.items[0].grace_usec, 3 * SEC);
                hr_policy_commit(&s, &snap, &plan);
                const HrTracked *tr = hr_policy_find(&s, 1200, start_of(1200));
                assert_non_null(tr);
                assert_int_equal(tr->state, HR_TRACKED_WARNED);
                assert_int_equal(s.last_kill_at, 0); /* a warning is not a kill: no cooldown */

                /* Inside the window: nothing, whoever else is there. */
                snap.now += 2 * SEC;
                hr_policy_plan(&c, &snap, &s, &plan);
                assert_int_equal(plan.n, 0);

                /* After it: still CRITICAL, or the score has fallen to nothing (the level is slower). */
                snap.now += 2 * SEC;
                if (calm)
                        snap.pressure.score_centi = 500;
                hr_policy_plan(&c, &snap, &s, &plan);
                if (plan.n != 1 || !planned(&plan, calm ? HR_ACTION_SPARE : HR_ACTION_TERMINATE, 1200))
                        print_plan(calm ? "calm" : "still critical", &plan);
                assert_int_equal(plan.n, 1);
                assert_non_null(planned(&plan, calm ? HR_ACTION_SPARE : HR_ACTION_TERMINATE, 1200));
                hr_policy_commit(&s, &snap, &plan);
                tr = hr_policy_find(&s, 1200, start_of(1200));
                if (calm)
                        assert_null(tr);
                else {
                        assert_non_null(tr);
                        assert_int_equal(tr->state, HR_TRACKED_TERMINATING);
                        assert_int_equal(s.last_kill_at, snap.now);
                }
        }
        table_done(&t);
}

static void test_commit(void **state) {
        static HrPolicyState s;
        static HrActionList plan, done;
        HrConfig c;
        HrProcTable t;
        (void) state;

        test_config(&c);
        table_from_specs(&t, PROCS(SCENE));
        hr_policy_state_init(&s);
        assert_int_equal(s.n_tracked, 0);
        assert_null(hr_policy_find(&s, 1200, start_of(1200)));

        HrSnapshot snap = { .now = NOW, .level = HR_LEVEL_HIGH, .pressure = pressure_of(0), .procs = &t,
                            .mem_available_kib = MIB(4096) };

        /* HIGH: four freezes and the runaway's termination. */
        hr_policy_plan(&c, &snap, &s, &plan);
        assert_int_equal(plan.n, 5);
        hr_policy_commit(&s, &snap, &plan);
        assert_int_equal(s.n_tracked, 5);
        assert_int_equal(s.last_kill_at, NOW);
        assert_int_equal(s.last_sigkill_at, 0);
        const HrTracked *tr = hr_policy_find(&s, 1003, start_of(1003));
        assert_non_null(tr);
        assert_int_equal(tr->state, HR_TRACKED_FROZEN);
        assert_int_equal(tr->rss_kib, MIB(900));
        assert_int_equal(tr->since, NOW);
        assert_string_equal(tr->comm, "Isolated Web Co");
        assert_string_equal(tr->cgroup, FIREFOX_SCOPE);
        tr = hr_policy_find(&s, 1200, start_of(1200));
        assert_non_null(tr);
        assert_int_equal(tr->state, HR_TRACKED_TERMINATING);
        assert_false(tr->killed);
        assert_int_equal(tr->reason, HR_REASON_RUNAWAY);
        assert_null(hr_policy_find(&s, 1200, start_of(1200) + 1)); /* identity is (pid, start_time) */

        /* Next tick, same snapshot: nothing new (all frozen, the victim still terminating). */
        snap.now += SEC;
        hr_policy_plan(&c, &snap, &s, &plan);
        assert_int_equal(plan.n, 0);

        /* EMERGENCY: the victim is escalated, then it is gone and forgotten. */
        snap.level = HR_LEVEL_EMERGENCY;
        hr_policy_plan(&c, &snap, &s, &plan);
        assert_int_equal(plan.n, 1);
        assert_int_equal(plan.items[0].type, HR_ACTION_KILL);
        assert_int_equal(plan.items[0].pid, 1200);
        hr_policy_commit(&s, &snap, &plan);
        tr = hr_policy_find(&s, 1200, start_of(1200));
        assert_true(tr && tr->killed && tr->state == HR_TRACKED_TERMINATING);
        assert_int_equal(s.last_sigkill_at, snap.now);
        assert_int_equal(s.n_tracked, 5);

        /* The leaker exits; pid 1002 is reused by a new process: both entries are forgotten. */
        HrProc *p1002 = (HrProc *) table_find(&t, 1002);
        p1002->start_time += 99;
        memmove(&t.procs[11], &t.procs[12], sizeof(HrProc)); /* drop 1200 (index 11 of 13, sorted) */
        t.n--;
        assert_null(table_find(&t, 1200));
        snap.now += SEC;
        snap.level = HR_LEVEL_NORMAL;
        memset(&done, 0, sizeof(done));
        hr_policy_commit(&s, &snap, &done);
        assert_int_equal(s.n_tracked, 3);
        assert_null(hr_policy_find(&s, 1200, start_of(1200)));
        assert_null(hr_policy_find(&s, 1002, start_of(1002)));

        /* Calm: two thaws (indexer first), then nothing within the interval, then the last one. */
        hr_policy_plan(&c, &snap, &s, &plan);
        assert_int_equal(plan.n, 2);
        assert_int_equal(plan.items[0].pid, 1100);
        assert_int_equal(plan.items[1].pid, 1001);
        hr_policy_commit(&s, &snap, &plan);
        assert_int_equal(s.n_tracked, 1);
        assert_int_equal(s.last_thaw_at, snap.now);
        snap.now += SEC;
        hr_policy_plan(&c, &snap, &s, &plan);
        assert_int_equal(plan.n, 0);
        snap.now += 2 * SEC;
        hr_policy_plan(&c, &snap, &s, &plan);
        assert_int_equal(plan.n, 1);
        assert_int_equal(plan.items[0].pid, 1003);
        hr_policy_commit(&s, &snap, &plan);
        assert_int_equal(s.n_tracked, 0);

        /* A checkpoint outlives its process until restored. */
        snap.level = HR_LEVEL_CRITICAL;
        snap.now += 60 * SEC;
        c.actions.checkpoint_enabled = true;
        c.actions.freeze_enabled = false;
        ((HrProc *) table_find(&t, 1003))->checkpoint = HR_CHECKPOINT_YES;
        hr_policy_plan(&c, &snap, &s, &plan);
        assert_int_equal(plan.n, 1);
        assert_int_equal(plan.items[0].type, HR_ACTION_CHECKPOINT);
        assert_int_equal(plan.items[0].pid, 1003);
        hr_policy_commit(&s, &snap, &plan);
        assert_int_equal(s.last_kill_at, snap.now);
        memmove(&t.procs[9], &t.procs[10], (t.n - 10) * sizeof(HrProc)); /* 1003 is dumped and killed */
        t.n--;
        assert_null(table_find(&t, 1003));
        snap.now += SEC;
        memset(&done, 0, sizeof(done));
        hr_policy_commit(&s, &snap, &done);
        tr = hr_policy_find(&s, 1003, start_of(1003));
        assert_true(tr && tr->state == HR_TRACKED_CHECKPOINTED);
        snap.level = HR_LEVEL_NORMAL;
        hr_policy_plan(&c, &snap, &s, &plan);
        assert_int_equal(plan.n, 1);
        assert_int_equal(plan.items[0].type, HR_ACTION_RESTORE);
        hr_policy_commit(&s, &snap, &plan);
        assert_int_equal(s.n_tracked, 0);

        table_done(&t);
}

/* The registry never overflows: a plan only takes what room there is. */
static void test_registry_full(void **state) {
        static HrPolicyState s;
        static HrActionList plan;
        HrConfig c;
        HrProcTable t;
        (void) state;

        test_config(&c);
        table_from_specs(&t, PROCS(SCENE));
        hr_policy_state_init(&s);
        for (unsigned i = 0; i < HR_TRACKED_MAX - 1; i++) /* checkpoints of long-gone processes */
                s.tracked[s.n_tracked++] = (HrTracked) { .pid = (pid_t) (50000 + i), .start_time = 1,
                                                         .state = HR_TRACKED_CHECKPOINTED, .rss_kib = MIB(1) };

        HrSnapshot snap = { .now = NOW, .level = HR_LEVEL_CRITICAL, .pressure = pressure_of(0), .procs = &t };
        hr_policy_plan(&c, &snap, &s, &plan);
        assert_int_equal(plan.n, 1); /* the victim takes the last slot */
        assert_int_equal(plan.items[0].type, HR_ACTION_TERMINATE);
        hr_policy_commit(&s, &snap, &plan);
        assert_int_equal(s.n_tracked, HR_TRACKED_MAX);

        snap.level = HR_LEVEL_ELEVATED;
        snap.now += 60 * SEC;
        hr_policy_plan(&c, &snap, &s, &plan);
        assert_int_equal(plan.n, 0);

        /* A frozen one can still be terminated: it needs no new slot. */
        s.tracked[0] = (HrTracked) { .pid = 1003, .start_time = start_of(1003), .state = HR_TRACKED_FROZEN };
        s.tracked[HR_TRACKED_MAX - 1].state = HR_TRACKED_CHECKPOINTED; /* the leaker's entry: gone */
        snap.level = HR_LEVEL_CRITICAL;
        hr_policy_plan(&c, &snap, &s, &plan);
        assert_int_equal(plan.n, 1);
        assert_int_equal(plan.items[0].pid, 1003);
        table_done(&t);
}

/* The shipped defaults (core/config.c) drive the scene up the ladder with the same shape: nothing at NORMAL,
 * only freezes at ELEVATED, one victim at most from HIGH up, the leaker first. Skips if they cannot load. */
static void test_shipped_defaults(void **state) {
        static HrPolicyState s;
        static HrActionList out;
        HrConfig c = {};
        HrProcTable t;
        (void) state;

        if (hr_config_init_default(&c) < 0)
                skip();
        table_from_specs(&t, PROCS(SCENE));
        hr_policy_state_init(&s);
        for (int l = 0; l < _HR_LEVEL_MAX; l++) {
                HrSnapshot snap = { .now = NOW, .level = (HrLevel) l, .pressure = pressure_of(0), .procs = &t,
                                    .mem_available_kib = MIB(4096) };
                unsigned victims = 0;

                hr_policy_plan(&c, &snap, &s, &out);
                for (unsigned i = 0; i < out.n; i++) {
                        const HrAction *a = &out.items[i];
                        if (l == HR_LEVEL_NORMAL || (l == HR_LEVEL_ELEVATED && a->type != HR_ACTION_FREEZE))
                                fail_msg("defaults at %s: %s %d", hr_level_to_string((HrLevel) l),
                                         hr_action_type_to_string(a->type), (int) a->pid);
                        if (a->type != HR_ACTION_FREEZE) {
                                victims++;
                                if (a->pid != 1200)
                                        fail_msg("defaults at %s: victim %d, want the leaker",
                                                 hr_level_to_string((HrLevel) l), (int) a->pid);
                        }
                }
                if (victims > 1)
                        fail_msg("defaults at %s: %u victims", hr_level_to_string((HrLevel) l), victims);
        }
        table_done(&t);
        hr_config_done(&c);
}

static void test_strings(void **state) {
        (void) state;

        for (int i = 0; i < _HR_ACTION_TYPE_MAX; i++) {
                const char *s = hr_action_type_to_string((HrActionType) i);
                assert_non_null(s);
                assert_int_equal(hr_action_type_from_string(s), i);
        }
        assert_null(hr_action_type_to_string(_HR_ACTION_TYPE_MAX));
        assert_null(hr_action_type_to_string(_HR_ACTION_TYPE_INVALID));
        assert_int_equal(hr_action_type_from_string("nope"), _HR_ACTION_TYPE_INVALID);
        assert_int_equal(hr_action_type_from_string(NULL), _HR_ACTION_TYPE_INVALID);

        for (int i = 0; i < _HR_REASON_MAX; i++) {
                const char *s = hr_reason_to_string((HrReason) i);
                assert_non_null(s);
                assert_int_equal(hr_reason_from_string(s), i);
        }
        assert_null(hr_reason_to_string(_HR_REASON_MAX));
        assert_null(hr_reason_to_string(_HR_REASON_INVALID));
        assert_int_equal(hr_reason_from_string("nope"), _HR_REASON_INVALID);

        for (int i = 0; i < _HR_TRACKED_STATE_MAX; i++)
                assert_int_equal(hr_tracked_state_from_string(hr_tracked_state_to_string((HrTrackedState) i)), i);
        assert_null(hr_tracked_state_to_string(_HR_TRACKED_STATE_MAX));
        assert_int_equal(hr_tracked_state_from_string("nope"), _HR_TRACKED_STATE_INVALID);

        /* Which reason each component stands for: the table the rows above rely on. */
        static const HrReason want[_HR_COMP_MAX] = {
                [HR_COMP_PSI_SOME] = HR_REASON_PSI_SOME, [HR_COMP_PSI_FULL] = HR_REASON_PSI_FULL,
                [HR_COMP_SWAP_FILL] = HR_REASON_SWAP,    [HR_COMP_SWAP_IO] = HR_REASON_SWAP,
                [HR_COMP_REFAULT] = HR_REASON_REFAULT,   [HR_COMP_MEM_AVAILABLE] = HR_REASON_MEM_AVAILABLE,
        };
        for (int i = 0; i < _HR_COMP_MAX; i++)
                assert_int_equal(hr_reason_of_component((HrComponent) i), want[i]);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cases),
                cmocka_unit_test(test_level_capped_by_score),
                cmocka_unit_test(test_why),
                cmocka_unit_test(test_commit),
                cmocka_unit_test(test_warn_sequence),
                cmocka_unit_test(test_registry_full),
                cmocka_unit_test(test_shipped_defaults),
                cmocka_unit_test(test_strings),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
