/* SPDX-License-Identifier: MIT */
/* Property tests of core/policy: seeded random worlds run tick by tick (plan, check, commit, check, evolve).
 * Deterministic; HR_PROPS_SEED / HR_PROPS_EPISODES override the seed and the episode count. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/policy.h"
#include "proc-builder.h"

#define SEC USEC_PER_SEC
#define DEFAULT_SEED UINT64_C(0x68656164726f6f6d) /* "headroom" */
#define DEFAULT_EPISODES 400u
#define TICKS 40u
#define WORLD_MAX 1000u

#define UNTOUCHABLE (HR_PROC_SELF | HR_PROC_INIT | HR_PROC_KTHREAD | HR_PROC_SESSION | HR_PROC_PROTECTED)
#define ONLY_FREEZE (HR_PROC_NEVER_KILL | HR_PROC_FREEZE_ONLY)

/* ---- a seeded PRNG (splitmix64) ---- */

typedef struct Rng {
        uint64_t s;
} Rng;

static uint64_t rnd(Rng *r) {
        uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));
        z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
        return z ^ (z >> 31);
}
static uint64_t below(Rng *r, uint64_t n) {
        return n ? rnd(r) % n : 0;
}
static bool chance(Rng *r, unsigned permille) {
        return below(r, 1000) < permille;
}

/* ---- the world: processes that live, grow, die and are replaced ---- */

static const char *const cgroup_pool[] = {
        "",
        "/init.scope",
        "/system.slice/sshd.service",
        "/system.slice/docker-1f2e.scope",
        "/system.slice/docker-77aa.scope",
        "/user.slice/user-1000.slice/session-2.scope",
        "/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-firefox-4242.scope",
        "/user.slice/user-1000.slice/user@1000.service/app.slice/app-chromium-9.scope",
        "/user.slice/user-1000.slice/user@1000.service/app.slice/app-code-1.scope",
        "/user.slice/user-1000.slice/user@1000.service/session.slice/tracker-miner-fs-3.service",
        "/user.slice/user-1000.slice/user@1000.service/app.slice/run-u42.scope",
        "/kubepods.slice/kubepods-besteffort.slice/cri-containerd-abc.scope",
};

/* Crowded worlds also use many small cgroups of their own, enough to overflow the policy's group table. */
#define CROWD_CGROUPS 1200u
static char crowd_cgroup[CROWD_CGROUPS][96];

static const char *cgroup_name(unsigned i) {
        if (i < ELEMENTSOF(cgroup_pool))
                return cgroup_pool[i];
        i -= (unsigned) ELEMENTSOF(cgroup_pool);
        if (!crowd_cgroup[i][0])
                (void) snprintf(crowd_cgroup[i], sizeof(crowd_cgroup[i]),
                                "/user.slice/user-1000.slice/user@1000.service/app.slice/app-crowd-%u.scope", i);
        return crowd_cgroup[i];
}

typedef struct WProc {
        pid_t pid;
        uint64_t start;
        char comm[HR_COMM_MAX];
        int32_t prio;
        uint32_t flags;
        unsigned cg;
        uint64_t anon_kib, swap_kib, file_kib, shmem_kib;
        int64_t growth;
        int32_t oom;
        char state;
        HrCheckpoint ckpt;
        unsigned dying; /* ticks until it exits after a signal; 0: not signalled; UINT_MAX: stuck */
} WProc;

typedef struct World {
        Rng rng;
        WProc p[WORLD_MAX];
        unsigned n;
        pid_t next_pid;
        uint64_t clock_ticks; /* start_time source */
        bool crowded;
} World;

static void random_proc(World *w, WProc *p, pid_t pid) {
        Rng *r = &w->rng;
        static const char *const names[] = { "firefox", "Isolated Web Co", "tracker-miner-f", "python3", "cc1",
                                             "node", "code", "bash", "make", "java" };

        memset(p, 0, sizeof(*p));
        p->pid = pid;
        p->start = ++w->clock_ticks * 10 + below(r, 10);
        (void) snprintf(p->comm, sizeof(p->comm), "%s", names[below(r, ELEMENTSOF(names))]);
        p->prio = (int32_t) (w->crowded && chance(r, 900) ? 80 + below(r, 21) : below(r, 101));
        p->cg = (unsigned) (w->crowded && chance(r, 900) ? ELEMENTSOF(cgroup_pool) + below(r, CROWD_CGROUPS)
                                                          : below(r, ELEMENTSOF(cgroup_pool)));
        if (chance(r, 50))
                p->flags |= HR_PROC_SESSION;
        if (chance(r, 50))
                p->flags |= HR_PROC_PROTECTED;
        if (chance(r, 60))
                p->flags |= HR_PROC_NEVER_KILL;
        if (chance(r, 40))
                p->flags |= HR_PROC_FREEZE_ONLY;
        if (chance(r, 100))
                p->flags |= HR_PROC_WHOLE_CGROUP;
        if (chance(r, 50))
                p->flags |= HR_PROC_FOREGROUND;
        p->anon_kib = below(r, 4) == 0 ? below(r, 1024) : below(r, 4u << 20);
        p->swap_kib = chance(r, 300) ? below(r, 2u << 20) : 0;
        p->file_kib = below(r, 1u << 20);
        p->shmem_kib = below(r, 1u << 16);
        p->growth = chance(r, 200) ? (int64_t) below(r, 80 * 1024) : (int64_t) below(r, 4096) - 2048;
        p->oom = (int32_t) below(r, 2001);
        p->state = chance(r, 20) ? 'Z' : chance(r, 100) ? 'R' : 'S';
        p->ckpt = (HrCheckpoint) below(r, _HR_CHECKPOINT_MAX);
}

static void world_init(World *w, uint64_t seed) {
        memset(w, 0, sizeof(*w));
        w->rng.s = seed;
        w->crowded = chance(&w->rng, 100);
        w->next_pid = 100;

        /* PID 1, two kernel threads and the daemon are always there. */
        random_proc(w, &w->p[w->n], 1);
        w->p[w->n].flags = HR_PROC_INIT;
        w->p[w->n++].prio = (int32_t) below(&w->rng, 101);
        for (pid_t k = 2; k <= 3; k++) {
                random_proc(w, &w->p[w->n], k);
                w->p[w->n++].flags = HR_PROC_KTHREAD;
        }
        random_proc(w, &w->p[w->n], 50);
        w->p[w->n].flags = HR_PROC_SELF;
        w->p[w->n++].prio = 100;

        unsigned n = (unsigned) (w->crowded ? 850 + below(&w->rng, 140) : 5 + below(&w->rng, 120));
        while (w->n < n)
                random_proc(w, &w->p[w->n++], w->next_pid++);
}

static int wproc_cmp(const void *a, const void *b) {
        const WProc *p = a, *q = b;
        return (p->pid > q->pid) - (p->pid < q->pid);
}

static void world_table(const World *w, HrProcTable *t) {
        table_init(t, w->n);
        for (unsigned i = 0; i < w->n; i++) {
                const WProc *wp = &w->p[i];
                ProcSpec spec = {
                        .pid = wp->pid,
                        .comm = wp->comm,
                        .prio = wp->prio,
                        .flags = wp->flags,
                        .cgroup = cgroup_name(wp->cg),
                        .state = wp->state,
                        .ckpt = wp->ckpt,
                        .start = wp->start,
                        .oom = wp->oom,
                        .growth_kib_s = wp->growth,
                };
                HrProc *p = table_add(t, &spec);
                p->rss_anon_kib = wp->anon_kib;
                p->swap_kib = wp->swap_kib;
                p->rss_file_kib = wp->file_kib;
                p->rss_shmem_kib = wp->shmem_kib;
        }
        table_sort(t);
}

static WProc *world_find(World *w, pid_t pid, uint64_t start) {
        for (unsigned i = 0; i < w->n; i++)
                if (w->p[i].pid == pid && w->p[i].start == start)
                        return &w->p[i];
        return NULL;
}

/* What the executor's actions do to the world. */
static void world_apply(World *w, const HrActionList *done) {
        for (unsigned k = 0; k < done->n; k++) {
                const HrAction *a = &done->items[k];
                WProc *p = world_find(w, a->pid, a->start_time);

                switch (a->type) {
                case HR_ACTION_FREEZE:
                        if (p)
                                p->growth = 0;
                        break;
                case HR_ACTION_TERMINATE:
                        if (p && !p->dying)
                                p->dying = chance(&w->rng, 150) ? UINT32_MAX : 1 + (unsigned) below(&w->rng, 4);
                        break;
                case HR_ACTION_KILL:
                case HR_ACTION_CHECKPOINT:
                        if (p)
                                p->dying = 1;
                        break;
                case HR_ACTION_WARN:
                        if (p && chance(&w->rng, 300)) { /* a cooperative one sheds memory */
                                p->anon_kib /= 4;
                                p->growth = 0;
                        }
                        break;
                case HR_ACTION_RESTORE:
                        if (w->n < WORLD_MAX) {
                                random_proc(w, &w->p[w->n], w->next_pid++);
                                (void) snprintf(w->p[w->n].comm, sizeof(w->p[w->n].comm), "%s", a->comm);
                                w->n++;
                        }
                        break;
                default:
                        break;
                }
                /* A whole-cgroup kill takes the cgroup's other processes with it. */
                if (a->whole_cgroup && (a->type == HR_ACTION_KILL || a->type == HR_ACTION_TERMINATE))
                        for (unsigned i = 0; i < w->n; i++)
                                if (strcmp(cgroup_name(w->p[i].cg), a->cgroup) == 0 && !w->p[i].dying &&
                                    w->p[i].pid > 1 && !(w->p[i].flags & HR_PROC_KTHREAD))
                                        w->p[i].dying = 1;
        }
}

static void world_step(World *w) {
        Rng *r = &w->rng;

        for (unsigned i = 0; i < w->n;) {
                WProc *p = &w->p[i];
                bool keep = p->pid <= 3 || (p->flags & HR_PROC_SELF);
                bool dies = !keep && ((p->state == 'Z' && chance(r, 300)) || chance(r, 30) ||
                                      (p->dying && p->dying != UINT32_MAX && --p->dying == 0));
                if (dies) {
                        w->p[i] = w->p[--w->n];
                        continue;
                }
                if (!keep && p->state != 'Z' && chance(r, 10))
                        p->state = 'Z';
                if (p->growth > 0)
                        p->anon_kib += (uint64_t) p->growth;
                else if (p->anon_kib > (uint64_t) -p->growth)
                        p->anon_kib -= (uint64_t) -p->growth;
                if (chance(r, 100))
                        p->growth = chance(r, 300) ? (int64_t) below(r, 80 * 1024) : (int64_t) below(r, 4096) - 2048;
                if (!keep && chance(r, 20))
                        p->prio = (int32_t) below(r, 101); /* the foreground moved, a rule was reloaded */
                i++;
        }

        unsigned spawn = (unsigned) below(r, w->crowded ? 60 : 4);
        for (unsigned k = 0; k < spawn && w->n < WORLD_MAX; k++) {
                pid_t pid = w->next_pid++;
                if (chance(r, 150) && w->next_pid > 110)
                        pid = (pid_t) (100 + below(r, (uint64_t) (w->next_pid - 100))); /* pid reuse */
                bool taken = false;
                for (unsigned i = 0; i < w->n; i++)
                        taken = taken || w->p[i].pid == pid;
                if (!taken)
                        random_proc(w, &w->p[w->n++], pid);
        }
        qsort(w->p, w->n, sizeof(WProc), wproc_cmp);
}

static void random_config(Rng *r, bool crowded, HrConfig *c) {
        test_config(c);
        HrActionConfig *a = &c->actions;
        a->freeze_enabled = chance(r, 850);
        a->page_out_enabled = chance(r, 700);
        a->pause_builds_enabled = chance(r, 800);
        a->freeze_max_per_tick = (unsigned) (crowded ? below(r, 70) : below(r, 7));
        a->thaw_max_per_tick = (unsigned) below(r, 5);
        a->thaw_margin_kib = below(r, 512 * 1024);
        a->thaw_min_interval_usec = below(r, 5) * SEC;
        a->terminate_enabled = chance(r, 850);
        for (unsigned l = 0; l < _HR_LEVEL_MAX; l++)
                a->terminate_grace_usec[l] = below(r, 10) * SEC;
        a->runaway_growth_kib_per_sec = (int64_t) below(r, 50 * 1024);
        a->kill_enabled = chance(r, 850);
        a->kill_cooldown_usec = below(r, 20) * SEC;
        a->checkpoint_enabled = chance(r, 500);
        a->warn_usec = chance(r, 300) ? 0 : below(r, 6) * SEC + 500 * USEC_PER_MSEC;
}

static void random_pressure(Rng *r, HrPressure *p) {
        memset(p, 0, sizeof(*p));
        for (unsigned i = 0; i < _HR_COMP_MAX; i++) {
                p->raw[i] = below(r, i == HR_COMP_SWAP_IO || i == HR_COMP_REFAULT ? 100000 : 10001);
                p->points_centi[i] = (uint32_t) below(r, 10001);
        }
        p->score_centi = (uint32_t) below(r, 10001);
        p->has_rates = true;
}

/* ---- the checks ---- */

typedef struct Ctx {
        uint64_t seed;
        unsigned episode, tick;
        const HrActionList *plan;
} Ctx;

static void dump_plan(const HrActionList *plan) {
        for (unsigned i = 0; plan && i < plan->n; i++)
                print_message("  %s %d/%" PRIu64 " (%s) prio %d: %s\n", hr_action_type_to_string(plan->items[i].type),
                              (int) plan->items[i].pid, plan->items[i].start_time, plan->items[i].comm,
                              (int) plan->items[i].priority, plan->items[i].why);
}

#define CHECK(ctx, cond, fmt, ...)                                                                              \
        do {                                                                                                    \
                if (!(cond)) {                                                                                  \
                        dump_plan((ctx)->plan);                                                                 \
                        fail_msg("seed 0x%" PRIx64 ", episode %u, tick %u: " fmt, (ctx)->seed, (ctx)->episode,  \
                                 (ctx)->tick, ##__VA_ARGS__);                                                   \
                }                                                                                               \
        } while (0)

static const HrProc *find_id(const HrProcTable *t, pid_t pid, uint64_t start) {
        const HrProc *p = table_find(t, pid);
        return p && p->start_time == start ? p : NULL;
}

static bool alive(const HrProc *p) {
        return p && p->state != 'Z' && p->state != 'X';
}

static unsigned category(HrActionType t) {
        switch (t) {
        case HR_ACTION_THAW:
        case HR_ACTION_RESTORE:
        case HR_ACTION_SPARE:
                return 0;
        case HR_ACTION_FREEZE:
                return 1;
        case HR_ACTION_PAGE_OUT:
                return 2;
        case HR_ACTION_TERMINATE:
        case HR_ACTION_CHECKPOINT:
        case HR_ACTION_WARN:
                return 3;
        default:
                return 4;
        }
}

static bool within(usec_t now, usec_t last, usec_t interval) {
        return last != 0 && (now < last || now - last < interval);
}

static const HrTracked *whole_cover(const HrPolicyState *s, const HrProcTable *t, const HrProc *p) {
        const char *cg = hr_proc_cgroup(t, p);
        for (unsigned i = 0; cg[0] && i < s->n_tracked; i++) {
                const HrTracked *tr = &s->tracked[i];
                if (tr->whole_cgroup && strcmp(tr->cgroup, cg) == 0 &&
                    (tr->state == HR_TRACKED_FROZEN || tr->state == HR_TRACKED_TERMINATING))
                        return tr;
        }
        return NULL;
}

static bool checkpointable(const HrConfig *c, const HrProc *p) {
        return c->actions.checkpoint_enabled && (p->checkpoint == HR_CHECKPOINT_YES || p->checkpoint == HR_CHECKPOINT_AUTO);
}

/* Could p be a new victim of this level (ignoring ranking)? The reference for the tier check. */
static bool could_be_victim(const HrConfig *c, const HrPolicyState *s, const HrProcTable *t, const HrProc *p,
                            HrLevel level) {
        int32_t min = level == HR_LEVEL_EMERGENCY && c->actions.kill_enabled ? 20 : 50;
        const HrTracked *tr = hr_policy_find(s, p->pid, p->start_time), *w = whole_cover(s, t, p);

        if (p->priority < min || p->pid <= 1 || (p->flags & (UNTOUCHABLE | ONLY_FREEZE)) || !alive(p))
                return false;
        if ((tr && tr->state != HR_TRACKED_FROZEN && tr->state != HR_TRACKED_WARNED) ||
            (w && w->state != HR_TRACKED_FROZEN))
                return false;
        if (!tr && s->n_tracked >= HR_TRACKED_MAX)
                return false;
        if (!(level == HR_LEVEL_EMERGENCY && c->actions.kill_enabled) && !c->actions.terminate_enabled &&
            !checkpointable(c, p))
                return false;
        return true;
}

/* A runaway by the config's bound, in a tier a CRITICAL or EMERGENCY runaway pass considers. */
static bool is_runaway(const HrActionConfig *ac, const HrProc *p) {
        return p->priority >= 50 && p->growth_kib_per_sec > 0 && p->growth_kib_per_sec >= ac->runaway_growth_kib_per_sec;
}

/* Checks one plan against the state it was planned from; returns how many new entries it would track. */
static unsigned check_plan(const Ctx *x, const HrConfig *c, const HrSnapshot *snap, const HrPolicyState *s,
                           const HrActionList *plan) {
        const HrProcTable *t = snap->procs;
        const HrActionConfig *ac = &c->actions;
        HrLevel level = snap->level;
        const char *lvl = hr_level_to_string(level);
        unsigned freezes = 0, thaws = 0, victims = 0, new_victims = 0, escalations = 0, new_tracked = 0;
        uint64_t back = 0;
        bool terminating_alive = false, warned_waiting = false;

        CHECK(x, plan->n <= HR_ACTIONS_MAX, "%u actions", plan->n);
        for (unsigned i = 0; i < s->n_tracked; i++) {
                const HrTracked *tr = &s->tracked[i];
                bool is_alive = alive(find_id(t, tr->pid, tr->start_time));
                if (tr->state == HR_TRACKED_TERMINATING && is_alive)
                        terminating_alive = true;
                if (tr->state == HR_TRACKED_WARNED && is_alive && within(snap->now, tr->since, ac->warn_usec))
                        warned_waiting = true;
        }

        HrComponent comp = HR_COMP_PSI_SOME;
        for (unsigned i = 1; i < _HR_COMP_MAX; i++)
                if (snap->pressure.points_centi[i] > snap->pressure.points_centi[comp])
                        comp = (HrComponent) i;

        for (unsigned i = 0; i < plan->n; i++) {
                const HrAction *a = &plan->items[i];
                const HrProc *p = find_id(t, a->pid, a->start_time);
                const HrTracked *tr = hr_policy_find(s, a->pid, a->start_time);
                const char *tn = hr_action_type_to_string(a->type);

                CHECK(x, tn, "action %u has type %d", i, (int) a->type);
                CHECK(x, i == 0 || category(plan->items[i - 1].type) <= category(a->type), "action %u (%s) out of order",
                      i, tn);
                for (unsigned j = 0; j < i; j++)
                        CHECK(x, plan->items[j].pid != a->pid, "pid %d is the target of actions %u and %u", (int) a->pid,
                              j, i);

                /* The why: one line, the level, the score, the dominant component. */
                CHECK(x, memchr(a->why, '\0', sizeof(a->why)) && !strchr(a->why, '\n'), "action %u why", i);
                CHECK(x, strncmp(a->why, lvl, strlen(lvl)) == 0 && strstr(a->why, hr_component_to_string(comp)),
                      "action %u why \"%s\" does not name %s and %s", i, a->why, lvl, hr_component_to_string(comp));

                if (a->type == HR_ACTION_RESTORE) {
                        CHECK(x, tr && tr->state == HR_TRACKED_CHECKPOINTED && !p, "restore %d: not a gone checkpoint",
                              (int) a->pid);
                } else {
                        CHECK(x, p, "%s %d: no such process", tn, (int) a->pid);
                        CHECK(x, p->pid > 1 && !(p->flags & UNTOUCHABLE) && alive(p),
                              "%s %d: untouchable (flags 0x%x, state %c)", tn, (int) a->pid, (unsigned) p->flags,
                              p->state);
                        CHECK(x, strcmp(a->comm, p->comm) == 0, "%s %d: comm \"%s\"", tn, (int) a->pid, a->comm);
                        CHECK(x, !(p->flags & ONLY_FREEZE) || a->type == HR_ACTION_FREEZE || a->type == HR_ACTION_THAW ||
                                         a->type == HR_ACTION_PAGE_OUT,
                              "%s %d: never-kill/freeze-only", tn, (int) a->pid);
                        CHECK(x, !a->whole_cgroup || (p->flags & HR_PROC_WHOLE_CGROUP) || a->type == HR_ACTION_THAW ||
                                         (tr && tr->whole_cgroup),
                              "%s %d: whole cgroup without the rule", tn, (int) a->pid);
                }
                if (!tr && a->type != HR_ACTION_THAW && a->type != HR_ACTION_RESTORE)
                        new_tracked++;

                switch (a->type) {
                case HR_ACTION_SPARE:
                        CHECK(x, tr && tr->state == HR_TRACKED_WARNED, "spare %d: not warned", (int) a->pid);
                        CHECK(x, !within(snap->now, tr->since, ac->warn_usec), "spare %d inside its window", (int) a->pid);
                        CHECK(x, a->reason == HR_REASON_RECOVERY, "spare %d: reason", (int) a->pid);
                        break;
                case HR_ACTION_THAW:
                case HR_ACTION_RESTORE:
                        CHECK(x, level == HR_LEVEL_NORMAL, "%s at %s", tn, lvl);
                        CHECK(x, a->type == HR_ACTION_RESTORE || (tr && tr->state == HR_TRACKED_FROZEN),
                              "thaw %d: not frozen", (int) a->pid);
                        CHECK(x, a->reason == HR_REASON_RECOVERY, "%s %d: reason", tn, (int) a->pid);
                        back += tr ? tr->rss_kib : 0;
                        CHECK(x, snap->mem_available_kib >= back + ac->thaw_margin_kib,
                              "%s %d: %" PRIu64 " KiB back with %" PRIu64 " available", tn, (int) a->pid, back,
                              snap->mem_available_kib);
                        thaws++;
                        break;
                case HR_ACTION_PAGE_OUT:
                        CHECK(x, level >= HR_LEVEL_HIGH, "page-out at %s", lvl);
                        CHECK(x, ac->page_out_enabled, "page-out while disabled");
                        CHECK(x, tr && tr->state == HR_TRACKED_FROZEN && !tr->paged_out, "page-out %d: not frozen, or again",
                              (int) a->pid);
                        CHECK(x, snap->swap_total_kib > 0, "page-out %d without swap", (int) a->pid);
                        break;
                case HR_ACTION_FREEZE:
                        CHECK(x, level > HR_LEVEL_NORMAL, "freeze at NORMAL");
                        CHECK(x, ac->freeze_enabled, "freeze while disabled");
                        CHECK(x, !tr && !whole_cover(s, t, p), "freeze %d: already tracked", (int) a->pid);
                        CHECK(x, p->priority >= (level >= HR_LEVEL_HIGH ? 60 : 80), "freeze %d: priority %d at %s",
                              (int) a->pid, (int) p->priority, lvl);
                        freezes++;
                        break;
                default: {
                        bool escalation = tr && tr->state == HR_TRACKED_TERMINATING;
                        CHECK(x, level > HR_LEVEL_NORMAL, "%s at NORMAL", tn);
                        CHECK(x, a->type != HR_ACTION_TERMINATE || ac->terminate_enabled, "terminate while disabled");
                        CHECK(x, a->type != HR_ACTION_KILL || (ac->kill_enabled && level == HR_LEVEL_EMERGENCY),
                              "kill at %s (enabled %d)", lvl, ac->kill_enabled);
                        CHECK(x, a->type != HR_ACTION_CHECKPOINT || checkpointable(c, p), "checkpoint %d unmarked",
                              (int) a->pid);
                        CHECK(x, a->type != HR_ACTION_TERMINATE || level == HR_LEVEL_HIGH || !checkpointable(c, p),
                              "terminate %d marked for checkpoint", (int) a->pid);
                        CHECK(x, a->grace_usec == (a->type == HR_ACTION_TERMINATE || a->type == HR_ACTION_CHECKPOINT
                                                           ? ac->terminate_grace_usec[level]
                                                   : a->type == HR_ACTION_WARN    ? ac->warn_usec
                                                                                  : 0),
                              "%s %d: grace", tn, (int) a->pid);
                        /* A warning only when someone hears it, never at EMERGENCY's kills, never twice;
                         * a warned process is not terminated before its window is over. */
                        CHECK(x, a->type != HR_ACTION_WARN || (snap->warn_listeners && ac->warn_usec > 0 && !tr &&
                                                               !whole_cover(s, t, p)),
                              "warn %d: nobody listens, or already tracked", (int) a->pid);
                        CHECK(x, !(tr && tr->state == HR_TRACKED_WARNED) || a->type == HR_ACTION_KILL ||
                                         !within(snap->now, tr->since, ac->warn_usec),
                              "%s %d inside its warning window", tn, (int) a->pid);
                        CHECK(x, a->type == HR_ACTION_WARN || a->type == HR_ACTION_KILL || tr ||
                                         !snap->warn_listeners || ac->warn_usec == 0 || whole_cover(s, t, p),
                              "%s %d without its warning", tn, (int) a->pid);
                        CHECK(x, !escalation || (a->type == HR_ACTION_KILL && !tr->killed), "%s %d: already a victim",
                              tn, (int) a->pid);
                        if (level == HR_LEVEL_HIGH) {
                                CHECK(x, (a->type == HR_ACTION_TERMINATE || a->type == HR_ACTION_WARN) &&
                                                 a->reason == HR_REASON_RUNAWAY && p->priority >= 80 &&
                                                 p->growth_kib_per_sec > 0 &&
                                                 p->growth_kib_per_sec >= ac->runaway_growth_kib_per_sec &&
                                                 (!tr || tr->state == HR_TRACKED_WARNED),
                                      "HIGH %s %d: not a runaway", tn, (int) a->pid);
                        } else if (!escalation) {
                                int32_t min = a->type == HR_ACTION_KILL ? 20 : 50;
                                bool runaway_first = ac->terminate_enabled || (level == HR_LEVEL_EMERGENCY && ac->kill_enabled);
                                CHECK(x, p->priority >= min, "%s %d: priority %d at %s", tn, (int) a->pid,
                                      (int) p->priority, lvl);
                                if (a->reason == HR_REASON_RUNAWAY) {
                                        /* A runaway from normal up goes first, the fastest of them. */
                                        CHECK(x, runaway_first && is_runaway(ac, p), "%s %d: not a runaway", tn, (int) a->pid);
                                        for (size_t k = 0; k < t->n; k++)
                                                CHECK(x, !(could_be_victim(c, s, t, &t->procs[k], level) &&
                                                           !hr_policy_find(s, t->procs[k].pid, t->procs[k].start_time) &&
                                                           !whole_cover(s, t, &t->procs[k]) &&
                                                           is_runaway(ac, &t->procs[k]) &&
                                                           t->procs[k].growth_kib_per_sec > p->growth_kib_per_sec),
                                                      "%s %d while %d grows faster", tn, (int) a->pid,
                                                      (int) t->procs[k].pid);
                                } else
                                        /* No runaway was passed over, and nothing of a higher tier could have gone. */
                                        for (size_t k = 0; k < t->n; k++) {
                                                /* (A frozen process does not grow: only untracked ones count.) */
                                                CHECK(x, !runaway_first || &t->procs[k] == p ||
                                                                 hr_policy_find(s, t->procs[k].pid, t->procs[k].start_time) ||
                                                                 whole_cover(s, t, &t->procs[k]) ||
                                                                 !could_be_victim(c, s, t, &t->procs[k], level) ||
                                                                 !is_runaway(ac, &t->procs[k]),
                                                      "%s %d while runaway %d could go", tn, (int) a->pid,
                                                      (int) t->procs[k].pid);
                                                CHECK(x, hr_tier_of(t->procs[k].priority) <= hr_tier_of(p->priority) ||
                                                                 !could_be_victim(c, s, t, &t->procs[k], level),
                                                      "%s %d (priority %d) while %d (priority %d) could go", tn,
                                                      (int) a->pid, (int) p->priority, (int) t->procs[k].pid,
                                                      (int) t->procs[k].priority);
                                        }
                        }
                        victims++;
                        if (escalation)
                                escalations++;
                        else
                                new_victims++;
                        break;
                }
                }
        }

        CHECK(x, freezes <= ac->freeze_max_per_tick, "%u freezes, max %u", freezes, ac->freeze_max_per_tick);
        CHECK(x, thaws <= ac->thaw_max_per_tick, "%u thaws, max %u", thaws, ac->thaw_max_per_tick);
        CHECK(x, thaws == 0 || !within(snap->now, s->last_thaw_at, ac->thaw_min_interval_usec), "thaw within interval");
        CHECK(x, new_tracked <= HR_TRACKED_MAX - s->n_tracked, "%u new entries, room for %u", new_tracked,
              HR_TRACKED_MAX - s->n_tracked);
        if (level < HR_LEVEL_EMERGENCY || !ac->kill_enabled) {
                CHECK(x, victims <= 1, "%u victims below EMERGENCY", victims);
                CHECK(x, victims == 0 || !terminating_alive, "a new victim while one is terminating");
                CHECK(x, victims == 0 || !warned_waiting, "a victim while a warned one has its window");
                CHECK(x, victims == 0 || !within(snap->now, s->last_kill_at, ac->kill_cooldown_usec),
                      "a victim inside the cooldown");
        } else {
                CHECK(x, new_victims <= 1, "%u new victims at EMERGENCY", new_victims);
                CHECK(x, new_victims == 0 || escalations == 0, "a new victim and an escalation in one plan");
                CHECK(x, new_victims == 0 || !within(snap->now, s->last_sigkill_at, ac->kill_cooldown_usec),
                      "a new kill inside the cooldown of the last");
        }
        return new_tracked;
}

static void check_commit(const Ctx *x, const HrSnapshot *snap, const HrPolicyState *before, const HrPolicyState *s,
                         const HrActionList *done) {
        const HrProcTable *t = snap->procs;
        bool victim = false, thaw = false;

        CHECK(x, s->n_tracked <= HR_TRACKED_MAX, "%u tracked", s->n_tracked);
        for (unsigned i = 0; i < s->n_tracked; i++) {
                const HrTracked *tr = &s->tracked[i];
                for (unsigned j = 0; j < i; j++)
                        CHECK(x, tr->pid != s->tracked[j].pid || tr->start_time != s->tracked[j].start_time,
                              "pid %d tracked twice", (int) tr->pid);
                CHECK(x, (unsigned) tr->state < _HR_TRACKED_STATE_MAX, "tracked %d state %d", (int) tr->pid,
                      (int) tr->state);
                CHECK(x, tr->state == HR_TRACKED_CHECKPOINTED || find_id(t, tr->pid, tr->start_time),
                      "tracked %d (%s) is gone but remembered", (int) tr->pid, hr_tracked_state_to_string(tr->state));
                CHECK(x, !tr->killed || tr->state == HR_TRACKED_TERMINATING, "tracked %d killed but %s", (int) tr->pid,
                      hr_tracked_state_to_string(tr->state));
        }

        for (unsigned k = 0; k < done->n; k++) {
                const HrAction *a = &done->items[k];
                const HrTracked *tr = hr_policy_find(s, a->pid, a->start_time);
                const HrTracked *was = hr_policy_find(before, a->pid, a->start_time);
                switch (a->type) {
                case HR_ACTION_FREEZE:
                        CHECK(x, tr && (tr->state == HR_TRACKED_FROZEN || was), "freeze %d not recorded", (int) a->pid);
                        break;
                case HR_ACTION_PAGE_OUT:
                        CHECK(x, !tr || tr->state != HR_TRACKED_FROZEN || tr->paged_out, "page-out %d not recorded",
                              (int) a->pid);
                        break;
                case HR_ACTION_TERMINATE:
                case HR_ACTION_KILL:
                        CHECK(x, tr && tr->state == HR_TRACKED_TERMINATING && (a->type != HR_ACTION_KILL || tr->killed),
                              "%s %d not recorded", hr_action_type_to_string(a->type), (int) a->pid);
                        victim = true;
                        break;
                case HR_ACTION_CHECKPOINT:
                        CHECK(x, tr && tr->state == HR_TRACKED_CHECKPOINTED, "checkpoint %d not recorded", (int) a->pid);
                        victim = true;
                        break;
                case HR_ACTION_WARN:
                        CHECK(x, tr && (tr->state == HR_TRACKED_WARNED || was), "warn %d not recorded", (int) a->pid);
                        break;
                case HR_ACTION_SPARE:
                        CHECK(x, !tr, "spare %d still tracked", (int) a->pid);
                        break;
                default:
                        CHECK(x, !tr, "%s %d still tracked", hr_action_type_to_string(a->type), (int) a->pid);
                        thaw = true;
                        break;
                }
        }
        CHECK(x, !victim || s->last_kill_at == snap->now, "last_kill_at not updated");
        CHECK(x, !thaw || s->last_thaw_at == snap->now, "last_thaw_at not updated");

        /* Entries no action touched are unchanged or forgotten. */
        for (unsigned i = 0; i < before->n_tracked; i++) {
                const HrTracked *b = &before->tracked[i];
                bool touched = false;
                for (unsigned k = 0; k < done->n; k++)
                        touched = touched || (done->items[k].pid == b->pid && done->items[k].start_time == b->start_time);
                const HrTracked *a = hr_policy_find(s, b->pid, b->start_time);
                if (touched)
                        continue;
                if (a)
                        CHECK(x, memcmp(a, b, sizeof(*a)) == 0, "untouched tracked %d changed", (int) b->pid);
                else
                        CHECK(x, b->state != HR_TRACKED_CHECKPOINTED && !find_id(t, b->pid, b->start_time),
                              "tracked %d forgotten while present", (int) b->pid);
        }
}

static uint64_t env_u64(const char *name, uint64_t def) {
        const char *v = getenv(name);
        return v && *v ? strtoull(v, NULL, 0) : def;
}

static void test_random_worlds(void **state) {
        uint64_t seed = env_u64("HR_PROPS_SEED", DEFAULT_SEED);
        unsigned episodes = (unsigned) env_u64("HR_PROPS_EPISODES", DEFAULT_EPISODES);
        static World w;
        static HrPolicyState s, before, copy;
        static HrActionList plan, again, done;
        unsigned long snapshots = 0, actions[_HR_ACTION_TYPE_MAX] = { 0 }, max_tracked = 0;
        (void) state;

        for (unsigned e = 0; e < episodes; e++) {
                Ctx x = { .seed = seed, .episode = e };
                HrConfig c;
                HrLevel level;
                usec_t now = 1000 * SEC;

                world_init(&w, seed ^ (UINT64_C(0x9e3779b97f4a7c15) * (e + 1)));
                random_config(&w.rng, w.crowded, &c);
                hr_policy_state_init(&s);
                level = (HrLevel) below(&w.rng, _HR_LEVEL_MAX);

                for (unsigned tick = 0; tick < TICKS; tick++) {
                        HrProcTable t;
                        Rng *r = &w.rng;

                        x.tick = tick;
                        x.plan = NULL;
                        /* Mostly a random walk between neighbouring levels, sometimes a jump. */
                        if (chance(r, 150))
                                level = (HrLevel) below(r, _HR_LEVEL_MAX);
                        else if (chance(r, 400)) {
                                int next = (int) level + (chance(r, 500) ? 1 : -1);
                                level = (HrLevel) CLAMP(next, 0, _HR_LEVEL_MAX - 1);
                        }
                        if (w.crowded && level == HR_LEVEL_NORMAL && tick < TICKS / 2)
                                level = HR_LEVEL_ELEVATED; /* long enough under pressure to fill the registry */
                        now += 100 * USEC_PER_MSEC + below(r, 5 * SEC);

                        world_table(&w, &t);
                        HrSnapshot snap = {
                                .now = now,
                                .level = level,
                                .mem_total_kib = MIB(16384),
                                .mem_available_kib = below(r, MIB(16384)),
                                .swap_total_kib = MIB(8192),
                                .swap_free_kib = below(r, MIB(8192)),
                                .procs = &t,
                                .warn_listeners = chance(r, 500),
                        };
                        random_pressure(r, &snap.pressure);

                        memset(&plan, 0x5a, sizeof(plan));
                        hr_policy_plan(&c, &snap, &s, &plan);
                        x.plan = &plan;
                        unsigned claimed = s.n_tracked + check_plan(&x, &c, &snap, &s, &plan);

                        /* Deterministic: the same inputs give the same bytes, whatever was in the buffer. */
                        memcpy(&copy, &s, sizeof(s));
                        memset(&again, 0xa5, sizeof(again));
                        hr_policy_plan(&c, &snap, &copy, &again);
                        CHECK(&x, plan.n == again.n && memcmp(plan.items, again.items, plan.n * sizeof(plan.items[0])) == 0,
                              "a second plan differs");
                        CHECK(&x, memcmp(&copy, &s, sizeof(s)) == 0, "plan changed the state");

                        /* The executor carries out most of it (sometimes an action fails). */
                        memset(&done, 0, sizeof(done));
                        for (unsigned i = 0; i < plan.n; i++)
                                if (!chance(r, 100))
                                        done.items[done.n++] = plan.items[i];
                        memcpy(&before, &s, sizeof(s));
                        hr_policy_commit(&s, &snap, &done);
                        check_commit(&x, &snap, &before, &s, &done);

                        snapshots++;
                        for (unsigned i = 0; i < plan.n; i++)
                                actions[plan.items[i].type]++;
                        max_tracked = MAX(max_tracked, claimed);

                        table_done(&t);
                        world_apply(&w, &done);
                        world_step(&w);
                }
        }

        print_message("seed 0x%" PRIx64 ": %lu snapshots in %u episodes; planned %lu freeze, %lu thaw, %lu terminate, "
                      "%lu kill, %lu checkpoint, %lu restore, %lu warn, %lu spare, %lu page-out; registry up to %lu\n",
                      seed, snapshots, episodes, actions[HR_ACTION_FREEZE], actions[HR_ACTION_THAW],
                      actions[HR_ACTION_TERMINATE], actions[HR_ACTION_KILL], actions[HR_ACTION_CHECKPOINT],
                      actions[HR_ACTION_RESTORE], actions[HR_ACTION_WARN], actions[HR_ACTION_SPARE],
                      actions[HR_ACTION_PAGE_OUT], max_tracked);
        /* The worlds must actually exercise the ladder, or the properties above prove little. */
        if (episodes >= DEFAULT_EPISODES)
                for (unsigned k = 0; k < _HR_ACTION_TYPE_MAX; k++)
                        if (actions[k] == 0)
                                fail_msg("seed 0x%" PRIx64 ": no %s planned in %lu snapshots", seed,
                                         hr_action_type_to_string((HrActionType) k), snapshots);
        if (episodes >= DEFAULT_EPISODES && max_tracked < HR_TRACKED_MAX)
                fail_msg("seed 0x%" PRIx64 ": the registry never filled (max %lu)", seed, max_tracked);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_random_worlds),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
