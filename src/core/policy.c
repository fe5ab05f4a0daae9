/* SPDX-License-Identifier: MIT */
/* The decision core: the relief ladder, victim ranking, the staggered thaw and the tracked-state registry.
 * Pure and deterministic: no I/O, no clock, no allocation; large scratch lives on the stack, bounded. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/policy.h"
#include "shared/zero.h"

/* Distinct (cgroup, tier) pairs ranked together per pass. Beyond GROUPS_FILL a new cgroup's candidates
 * rank as if each were alone in its own cgroup (deterministically: the table fills in pid order). */
#define GROUPS_SLOTS 1024u
#define GROUPS_FILL 768u

#define PRIO_HEAVY (HR_TIER_BACKGROUND_MAX + 1)     /* 80: ELEVATED freezes, HIGH's runaway */
#define PRIO_BACKGROUND (HR_TIER_NORMAL_MAX + 1)    /* 60: HIGH freezes */
#define PRIO_NORMAL (HR_TIER_PROTECTED_MAX + 1)     /* 50: CRITICAL victims */
#define PRIO_NONCRITICAL (HR_TIER_CRITICAL_MAX + 1) /* 20: EMERGENCY victims */

#define ONLY_FREEZE (HR_PROC_NEVER_KILL | HR_PROC_FREEZE_ONLY)

static const char *const tier_table[_HR_TIER_MAX] = {
        [HR_TIER_CRITICAL] = "critical",
        [HR_TIER_PROTECTED] = "protected",
        [HR_TIER_NORMAL] = "normal",
        [HR_TIER_BACKGROUND] = "expendable-background",
        [HR_TIER_HEAVY] = "expendable-heavy",
};

static const char *const tracked_state_table[_HR_TRACKED_STATE_MAX] = {
        [HR_TRACKED_FROZEN] = "frozen",
        [HR_TRACKED_TERMINATING] = "terminating",
        [HR_TRACKED_CHECKPOINTED] = "checkpointed",
        [HR_TRACKED_WARNED] = "warned",
};

const char *hr_tracked_state_to_string(HrTrackedState t) {
        return (unsigned) t < _HR_TRACKED_STATE_MAX ? tracked_state_table[t] : NULL;
}

HrTrackedState hr_tracked_state_from_string(const char *s) {
        for (unsigned i = 0; s && i < _HR_TRACKED_STATE_MAX; i++)
                if (strcmp(s, tracked_state_table[i]) == 0)
                        return (HrTrackedState) i;
        return _HR_TRACKED_STATE_INVALID;
}

/* ---- lookups ---- */

/* The table is sorted by pid (proc.h); identity is (pid, start_time). */
static const HrProc *proc_find(const HrProcTable *t, pid_t pid, uint64_t start_time) {
        size_t lo = 0, hi = t ? t->n : 0;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                const HrProc *p = &t->procs[mid];
                if (p->pid == pid)
                        return p->start_time == start_time ? p : NULL;
                if (p->pid < pid)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}

static bool proc_alive(const HrProc *p) {
        return p && p->state != 'Z' && p->state != 'X';
}

static bool untouchable(const HrProc *p) {
        return hr_proc_never_touched(p) || !proc_alive(p);
}

static bool usable_cgroup(const char *cg) {
        return cg[0] != '\0' && strlen(cg) < HR_ACTION_CGROUP_MAX;
}

static bool elapsed(usec_t now, usec_t last, usec_t interval) {
        return last == 0 || (now >= last && now - last >= interval);
}

static uint64_t add_sat(uint64_t a, uint64_t b) {
        return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* ---- one plan's working state ---- */

typedef struct Group {
        const char *cgroup; /* NULL: free slot */
        HrTier tier;
        uint64_t freeable_kib;
        int64_t growth_kib_per_sec;
        int32_t oom_score;
        pid_t min_pid;
} Group;

/* A candidate and its cgroup's aggregate (NULL: ranks alone). */
typedef struct Cand {
        const HrProc *p;
        const Group *g;
} Cand;

/* A victim decision, emitted after the freezes. */
typedef struct Pick {
        const HrProc *p;
        HrActionType type;
        HrReason reason;
        bool whole_cgroup;
        bool escalation;
} Pick;

typedef enum PassKind {
        PASS_FREEZE,  /* ELEVATED/HIGH: freeze */
        PASS_RUNAWAY, /* HIGH: terminate a growing expendable-heavy process; CRITICAL: a runaway first */
        PASS_VICTIM,  /* CRITICAL: checkpoint or terminate by rank */
        PASS_RUNAWAY_KILL, /* EMERGENCY: SIGKILL a runaway first (it may be frozen or terminating) */
        PASS_KILL,    /* EMERGENCY: SIGKILL by rank */
} PassKind;

typedef struct Plan {
        const HrConfig *c;
        const HrSnapshot *snap;
        const HrProcTable *t;
        const HrPolicyState *s;
        HrActionList *out;
        HrLevel act;        /* the level to act at: the damped level, capped by what the score says now */
        HrComponent comp;   /* the component with the most points: every action's "why" */
        HrReason reason;
        bool spare_builds;  /* spike mode: build processes are no victims while anything else is */
        bool resumed;       /* spike mode: this plan resumes a paused build worker (so it pauses none) */
        uint16_t by_id[HR_TRACKED_MAX]; /* tracked indices sorted by (pid, start_time) */
        unsigned n_by_id;
        uint16_t whole[HR_TRACKED_MAX]; /* tracked whole-cgroup FROZEN/TERMINATING entries */
        uint32_t whole_hash[HR_TRACKED_MAX]; /* hash_str() of their cgroups */
        unsigned n_whole;
        unsigned slots;                 /* new tracked entries this plan may still cause */
        Pick picks[HR_ACTIONS_MAX];     /* victims and freezes chosen so far, in emission groups */
        unsigned n_picks;
        Group groups[GROUPS_SLOTS];     /* open addressing; only the slots in used[] are ever non-empty */
        uint16_t used[GROUPS_FILL];
        unsigned n_groups;
} Plan;

static uint32_t hash_str(const char *s) {
        uint32_t h = 2166136261u; /* FNV-1a */
        for (; *s; s++)
                h = (h ^ (uint8_t) *s) * 16777619u;
        return h;
}

static int tracked_id_cmp(const HrTracked *a, const HrTracked *b) {
        if (a->pid != b->pid)
                return a->pid < b->pid ? -1 : 1;
        if (a->start_time != b->start_time)
                return a->start_time < b->start_time ? -1 : 1;
        return 0;
}

static void index_tracked(Plan *pl) {
        const HrPolicyState *s = pl->s;
        unsigned n = MIN(s->n_tracked, (unsigned) HR_TRACKED_MAX);

        pl->n_by_id = pl->n_whole = 0;
        for (unsigned i = 0; i < n; i++) {
                unsigned j = pl->n_by_id++;
                while (j > 0 && tracked_id_cmp(&s->tracked[pl->by_id[j - 1]], &s->tracked[i]) > 0) {
                        pl->by_id[j] = pl->by_id[j - 1];
                        j--;
                }
                pl->by_id[j] = (uint16_t) i;

                const HrTracked *tr = &s->tracked[i];
                if (tr->whole_cgroup && tr->cgroup[0] &&
                    (tr->state == HR_TRACKED_FROZEN || tr->state == HR_TRACKED_TERMINATING)) {
                        pl->whole_hash[pl->n_whole] = hash_str(tr->cgroup);
                        pl->whole[pl->n_whole++] = (uint16_t) i;
                }
        }
        pl->slots = HR_TRACKED_MAX - n;
}

static const HrTracked *tracked_of(const Plan *pl, const HrProc *p) {
        unsigned lo = 0, hi = pl->n_by_id;
        HrTracked key = { .pid = p->pid, .start_time = p->start_time };

        while (lo < hi) {
                unsigned mid = lo + (hi - lo) / 2;
                const HrTracked *tr = &pl->s->tracked[pl->by_id[mid]];
                int r = tracked_id_cmp(tr, &key);
                if (r == 0)
                        return tr;
                if (r < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}

/* A tracked whole-cgroup freeze/termination that covers p's cgroup. */
static const HrTracked *whole_cover(const Plan *pl, const HrProc *p) {
        const char *cg = hr_proc_cgroup(pl->t, p);
        uint32_t h;

        if (pl->n_whole == 0 || !cg[0])
                return NULL;
        h = hash_str(cg);
        for (unsigned i = 0; i < pl->n_whole; i++) {
                const HrTracked *tr = &pl->s->tracked[pl->whole[i]];
                if (pl->whole_hash[i] == h && strcmp(tr->cgroup, cg) == 0)
                        return tr;
        }
        return NULL;
}

/* Already chosen in this plan, itself or through a whole-cgroup pick of its cgroup. */
static bool chosen(const Plan *pl, const HrProc *p) {
        const char *cg = hr_proc_cgroup(pl->t, p);

        for (unsigned i = 0; i < pl->n_picks; i++) {
                const Pick *k = &pl->picks[i];
                if (k->p == p)
                        return true;
                if (k->whole_cgroup && cg[0] && strcmp(hr_proc_cgroup(pl->t, k->p), cg) == 0)
                        return true;
        }
        return false;
}

/* Spike mode paused it: a build worker, frozen until a sibling has freed memory. */
static bool paused_build(const HrTracked *tr) {
        return tr->state == HR_TRACKED_FROZEN && tr->reason == HR_REASON_SPIKE;
}

static bool checkpointable(const HrConfig *c, const HrProc *p) {
        return c->actions.checkpoint_enabled &&
               (p->checkpoint == HR_CHECKPOINT_YES || p->checkpoint == HR_CHECKPOINT_AUTO);
}

/* Is the process still running as a TERMINATING victim (a zombie holds no memory: it does not count)? */
static bool terminating_alive(const Plan *pl) {
        for (unsigned i = 0; i < pl->n_by_id; i++) {
                const HrTracked *tr = &pl->s->tracked[pl->by_id[i]];
                if (tr->state == HR_TRACKED_TERMINATING && proc_alive(proc_find(pl->t, tr->pid, tr->start_time)))
                        return true;
        }
        return false;
}

static bool eligible(const Plan *pl, PassKind k, int32_t min_priority, const HrProc *p) {
        const HrActionConfig *a = &pl->c->actions;

        if (p->priority < min_priority || untouchable(p) || chosen(pl, p))
                return false;
        if (pl->spare_builds && (p->flags & HR_PROC_BUILD) && k != PASS_FREEZE)
                return false;

        const HrTracked *tr = tracked_of(pl, p), *w = whole_cover(pl, p);
        bool only_freeze = p->flags & ONLY_FREEZE;
        bool warned = tr && tr->state == HR_TRACKED_WARNED;
        bool frozen_at_most = (!tr || warned || tr->state == HR_TRACKED_FROZEN) && (!w || w->state == HR_TRACKED_FROZEN);

        if (!tr && pl->slots == 0)
                return false; /* no room to remember it */
        if (pl->resumed && tr && paused_build(tr))
                return false; /* resumed by this plan */

        switch (k) {
        case PASS_FREEZE:
                return !tr && !w;
        case PASS_RUNAWAY:
                return !only_freeze && (!tr || warned) && !w && p->growth_kib_per_sec > 0 &&
                       p->growth_kib_per_sec >= a->runaway_growth_kib_per_sec;
        case PASS_VICTIM:
                return !only_freeze && frozen_at_most && (a->terminate_enabled || checkpointable(pl->c, p));
        case PASS_RUNAWAY_KILL:
                return !only_freeze && frozen_at_most && p->growth_kib_per_sec > 0 &&
                       p->growth_kib_per_sec >= a->runaway_growth_kib_per_sec;
        case PASS_KILL:
                return !only_freeze && frozen_at_most;
        }
        return false;
}

/* ---- ranking ---- */

static Group *group_slot(Plan *pl, const char *cg, HrTier tier, bool insert) {
        uint32_t h = hash_str(cg) ^ ((uint32_t) tier * 0x9e3779b9u);

        for (unsigned i = 0; i < GROUPS_SLOTS; i++) {
                Group *g = &pl->groups[(h + i) & (GROUPS_SLOTS - 1)];
                if (!g->cgroup) {
                        if (!insert || pl->n_groups >= GROUPS_FILL)
                                return NULL;
                        pl->used[pl->n_groups++] = (uint16_t) (g - pl->groups);
                        *g = (Group) { .cgroup = cg, .tier = tier, .oom_score = INT32_MIN, .min_pid = INT32_MAX };
                        return g;
                }
                if (g->tier == tier && strcmp(g->cgroup, cg) == 0)
                        return g;
        }
        return NULL;
}

/* Aggregates the candidates of one pass by (cgroup, tier). */
static void build_groups(Plan *pl, PassKind k, int32_t min_priority) {
        for (unsigned i = 0; i < pl->n_groups; i++)
                pl->groups[pl->used[i]].cgroup = NULL;
        pl->n_groups = 0;

        for (size_t i = 0; pl->t && i < pl->t->n; i++) {
                const HrProc *p = &pl->t->procs[i];
                const char *cg = hr_proc_cgroup(pl->t, p);
                if (!cg[0] || !eligible(pl, k, min_priority, p))
                        continue;
                Group *g = group_slot(pl, cg, hr_tier_of(p->priority), /* insert= */ true);
                if (!g)
                        continue;
                g->freeable_kib = add_sat(g->freeable_kib, hr_proc_freeable_kib(p));
                g->growth_kib_per_sec += p->growth_kib_per_sec;
                g->oom_score = MAX(g->oom_score, p->oom_score);
                g->min_pid = MIN(g->min_pid, p->pid);
        }
}

static Cand cand_of(Plan *pl, const HrProc *p) {
        const char *cg = hr_proc_cgroup(pl->t, p);
        return (Cand) {
                .p = p,
                .g = cg[0] ? group_slot(pl, cg, hr_tier_of(p->priority), /* insert= */ false) : NULL,
        };
}

#define RANK_DESC(a, b)                          \
        do {                                     \
                if ((a) != (b))                  \
                        return (a) > (b) ? -1 : 1; \
        } while (0)
#define RANK_ASC(a, b)                           \
        do {                                     \
                if ((a) != (b))                  \
                        return (a) < (b) ? -1 : 1; \
        } while (0)

static bool runaway_pass(PassKind k) {
        return k == PASS_RUNAWAY || k == PASS_RUNAWAY_KILL;
}

/* < 0 when a ranks before b (is the better victim). A total order: pids are unique in a table.
 * Among runaways the fastest grower goes first, whatever its tier: it is what makes the pressure. */
static int rank_cmp(const Cand *a, const Cand *b, bool by_growth) {
        const HrProc *p = a->p, *q = b->p;

        if (by_growth)
                RANK_DESC(p->growth_kib_per_sec, q->growth_kib_per_sec);
        RANK_DESC(hr_tier_of(p->priority), hr_tier_of(q->priority));

        /* Stage one: the cgroup (an app scope, a container, a service) whose candidates free most. */
        uint64_t gfa = a->g ? a->g->freeable_kib : hr_proc_freeable_kib(p);
        uint64_t gfb = b->g ? b->g->freeable_kib : hr_proc_freeable_kib(q);
        RANK_DESC(gfa / HR_POLICY_BUCKET_KIB, gfb / HR_POLICY_BUCKET_KIB);
        RANK_DESC(a->g ? a->g->growth_kib_per_sec : p->growth_kib_per_sec,
                  b->g ? b->g->growth_kib_per_sec : q->growth_kib_per_sec);
        RANK_DESC(a->g ? a->g->oom_score : p->oom_score, b->g ? b->g->oom_score : q->oom_score);
        RANK_ASC(a->g ? a->g->min_pid : p->pid, b->g ? b->g->min_pid : q->pid);

        /* Stage two: the process in it that frees most. */
        RANK_DESC(hr_proc_freeable_kib(p) / HR_POLICY_BUCKET_KIB, hr_proc_freeable_kib(q) / HR_POLICY_BUCKET_KIB);
        RANK_DESC(p->growth_kib_per_sec, q->growth_kib_per_sec);
        RANK_DESC(p->oom_score, q->oom_score);
        RANK_DESC(hr_proc_freeable_kib(p), hr_proc_freeable_kib(q));
        RANK_ASC(p->pid, q->pid);
        RANK_ASC(p->start_time, q->start_time);
        return 0;
}

/* The best `want` candidates of a pass, best first, into best[]; returns how many. Groups must be built. */
static unsigned top_candidates(Plan *pl, PassKind k, int32_t min_priority, Cand *best, unsigned want) {
        unsigned n = 0;

        for (size_t i = 0; want > 0 && pl->t && i < pl->t->n; i++) {
                const HrProc *p = &pl->t->procs[i];
                if (!eligible(pl, k, min_priority, p))
                        continue;
                Cand c = cand_of(pl, p);
                if (n == want && rank_cmp(&c, &best[n - 1], runaway_pass(k)) >= 0)
                        continue;
                unsigned j = n < want ? n++ : n - 1;
                while (j > 0 && rank_cmp(&c, &best[j - 1], runaway_pass(k)) < 0) {
                        best[j] = best[j - 1];
                        j--;
                }
                best[j] = c;
        }
        return n;
}

static bool add_pick(Plan *pl, const HrProc *p, HrActionType type, HrReason reason, bool escalation) {
        if (pl->n_picks >= HR_ACTIONS_MAX)
                return false;
        if (!tracked_of(pl, p)) {
                if (pl->slots == 0)
                        return false;
                pl->slots--;
        }
        pl->picks[pl->n_picks++] = (Pick) {
                .p = p,
                .type = type,
                .reason = reason,
                .whole_cgroup = (p->flags & HR_PROC_WHOLE_CGROUP) && usable_cgroup(hr_proc_cgroup(pl->t, p)),
                .escalation = escalation,
        };
        return true;
}

/* The single best candidate of a pass, or NULL. */
static const HrProc *top_one(Plan *pl, PassKind k, int32_t min_priority) {
        Cand best;

        build_groups(pl, k, min_priority);
        return top_candidates(pl, k, min_priority, &best, 1) == 1 ? best.p : NULL;
}

/* ---- the warning before the end ---- */

/* A warned victim, still running, inside its window. */
static bool warned_waiting(const Plan *pl) {
        for (unsigned i = 0; i < pl->n_by_id; i++) {
                const HrTracked *tr = &pl->s->tracked[pl->by_id[i]];
                if (tr->state == HR_TRACKED_WARNED && !elapsed(pl->snap->now, tr->since, pl->c->actions.warn_usec) &&
                    proc_alive(proc_find(pl->t, tr->pid, tr->start_time)))
                        return true;
        }
        return false;
}

/* Warn instead of terminating: when someone hears it and p has not had its warning yet. A frozen
 * victim is not warned: it could not act on it (the executor thaws it for its SIGTERM). */
static bool warn_first(const Plan *pl, const HrProc *p) {
        return pl->snap->warn_listeners && pl->c->actions.warn_usec > 0 && !tracked_of(pl, p) && !whole_cover(pl, p);
}

/* ---- spike mode: a build's workers are paused, not killed, while a sibling runs ---- */

/* What a build worker grows at least, or holds: a driver (make, ninja) that waits does neither. */
#define BUILD_WORKER_GROWTH_KIB_PER_SEC 1024

/* A build process that is working: not acted on, alive, and growing or holding memory. */
static bool build_worker(const Plan *pl, const HrProc *p) {
        return (p->flags & HR_PROC_BUILD) && proc_alive(p) && !tracked_of(pl, p) && !chosen(pl, p) &&
               (p->growth_kib_per_sec >= BUILD_WORKER_GROWTH_KIB_PER_SEC ||
                p->rss_anon_kib + p->swap_kib >= HR_POLICY_BUCKET_KIB);
}

static unsigned build_workers(const Plan *pl, const HrProc *except) {
        unsigned n = 0;

        for (size_t i = 0; pl->t && i < pl->t->n; i++)
                if (&pl->t->procs[i] != except && build_worker(pl, &pl->t->procs[i]))
                        n++;
        return n;
}

/* How far ahead the spike budget looks: the workers' growth over this long must fit. */
#define SPIKE_HORIZON_USEC (2 * USEC_PER_SEC)

/* The spike budget: would the build's workers, growing as they are, plus `extra_kib`, use up within
 * SPIKE_HORIZON_USEC what is left above the MemAvailable component's start (free swap counted as the
 * pressure model counts it)? Never without a MemTotal. */
static bool build_over_budget(const Plan *pl, uint64_t extra_kib) {
        const HrSnapshot *sn = pl->snap;
        const HrPressureConfig *pc = &pl->c->pressure;
        uint64_t need = extra_kib, avail, reserve;

        if (sn->mem_total_kib == 0)
                return false;
        for (size_t i = 0; pl->t && i < pl->t->n; i++) {
                const HrProc *p = &pl->t->procs[i];
                if (build_worker(pl, p) && p->growth_kib_per_sec > 0)
                        need = add_sat(need, (uint64_t) p->growth_kib_per_sec * (SPIKE_HORIZON_USEC / USEC_PER_MSEC) /
                                                     1000);
        }
        avail = sn->scope_limited ? sn->mem_available_kib
                                  : hr_pressure_available_kib(pc, sn->mem_available_kib, sn->swap_total_kib, sn->swap_free_kib);
        reserve = sn->mem_total_kib / 10000 * (10000 - MIN(pc->ramp[HR_COMP_MEM_AVAILABLE].start, (uint64_t) 10000));
        return avail < reserve || need > avail - reserve;
}

/* A build worker is paused (frozen, reason SPIKE) when another still runs: from HIGH up, and below when the
 * build is over its budget (ahead of its peak). The one paused is the grower that holds least: paused early
 * it holds little, and one near its peak is about to free. Returns whether it paused one. */
static bool pause_build(Plan *pl) {
        const HrActionConfig *a = &pl->c->actions;
        const HrProc *best = NULL;

        if (!a->freeze_enabled || !a->pause_builds_enabled || pl->resumed)
                return false;
        for (size_t i = 0; pl->t && i < pl->t->n; i++) {
                const HrProc *p = &pl->t->procs[i];
                if (!build_worker(pl, p) || p->priority < PRIO_NONCRITICAL || untouchable(p) || whole_cover(pl, p) ||
                    p->growth_kib_per_sec <= 0 ||
                    p->growth_kib_per_sec < a->runaway_growth_kib_per_sec)
                        continue;
                uint64_t held = p->rss_anon_kib + p->swap_kib, best_held = best ? best->rss_anon_kib + best->swap_kib : 0;
                if (!best || held < best_held ||
                    (held == best_held && p->growth_kib_per_sec > best->growth_kib_per_sec))
                        best = p;
        }
        if (!best || build_workers(pl, best) == 0)
                return false;
        if (pl->act < HR_LEVEL_HIGH && !build_over_budget(pl, 0))
                return false;
        return add_pick(pl, best, HR_ACTION_FREEZE, HR_REASON_SPIKE, /* escalation= */ false);
}

static void emit_tracked(Plan *pl, const HrTracked *tr, const HrProc *p, HrActionType type, HrReason reason);

/* Paused build workers come back one at a time, the first paused first (ties: by pid): at once when no worker
 * runs (the build would wait forever), else once the pressure is down to ELEVATED, one per thaw_min_interval_usec
 * and only within the budget (each grows again: two at once undo the pause). */
static void plan_resume(Plan *pl) {
        const HrActionConfig *ac = &pl->c->actions;
        const HrTracked *first = NULL;

        for (unsigned i = 0; i < pl->n_by_id; i++) { /* by_id is in pid order: the earliest pid wins a tie */
                const HrTracked *tr = &pl->s->tracked[pl->by_id[i]];
                if (paused_build(tr) && proc_alive(proc_find(pl->t, tr->pid, tr->start_time)) &&
                    (!first || tr->since < first->since))
                        first = tr;
        }
        if (!first || pl->out->n >= HR_ACTIONS_MAX)
                return;
        if (build_workers(pl, NULL) > 0 &&
            (pl->act > HR_LEVEL_ELEVATED || !elapsed(pl->snap->now, pl->s->last_thaw_at, ac->thaw_min_interval_usec) ||
             build_over_budget(pl, first->rss_kib))) /* it wants at least as much again */
                return;
        emit_tracked(pl, first, proc_find(pl->t, first->pid, first->start_time), HR_ACTION_THAW, HR_REASON_SPIKE);
        pl->resumed = true;
}

/* ---- the ladder ---- */

/* A runaway (from normal up) first, then the best of the ranked pass; build processes only when nothing
 * else is left (spike mode: a build is paused, a paused compiler costs seconds). *why: runaway or the pressure. */
static const HrProc *top_victim(Plan *pl, PassKind runaway, PassKind ranked, int32_t min_priority, HrReason *why) {
        const HrProc *p = NULL;

        /* A plan that resumes a worker does not also end its build. Without spike mode (PauseBuilds=no) a build is
         * a victim like any other: sparing it would only end everything else while it thrashes on (the VM's spike
         * with the variant killed the probe and the guest's init helper while the compilers ran). */
        for (int spare = pl->c->actions.pause_builds_enabled ? 1 : 0; spare >= (pl->resumed ? 1 : 0); spare--) {
                pl->spare_builds = spare;
                p = runaway_pass(runaway) ? top_one(pl, runaway, PRIO_NORMAL) : NULL;
                *why = p ? HR_REASON_RUNAWAY : pl->reason;
                /* Memory on its way out may make an idle victim needless; and a build is never the victim only
                 * because the others were held back. */
                if (p || pl->snap->paging_out)
                        break;
                p = top_one(pl, ranked, min_priority);
                if (p)
                        break;
        }
        pl->spare_builds = false;
        return p;
}

static void pick_victims(Plan *pl) {
        const HrActionConfig *a = &pl->c->actions;
        const HrPolicyState *s = pl->s;
        const HrPressure *pr = &pl->snap->pressure;
        /* Ending a process needs pressure now: not PSI avg10 still remembering stalls the last interval
         * no longer had (after a victim's memory came back, that memory takes 10 s to fade). */
        HrLevel level = MIN(pl->act, hr_level_for_score(&pl->c->level, pr->score_centi - MIN(pr->stale_centi,
                                                                                           pr->score_centi)));
        usec_t now = pl->snap->now;
        const HrProc *p;

        if (level == HR_LEVEL_EMERGENCY && a->kill_enabled) {
                bool escalated = false;

                /* A victim still alive after SIGTERM gets SIGKILL now; no new victim in the same plan. */
                for (unsigned i = 0; i < pl->n_by_id; i++) {
                        const HrTracked *tr = &s->tracked[pl->by_id[i]];
                        if (tr->state != HR_TRACKED_TERMINATING || tr->killed)
                                continue;
                        p = proc_find(pl->t, tr->pid, tr->start_time);
                        if (!p || untouchable(p) || (p->flags & ONLY_FREEZE))
                                continue;
                        if (add_pick(pl, p, HR_ACTION_KILL, pl->reason, /* escalation= */ true))
                                escalated = true;
                }
                if (escalated || pause_build(pl) || !elapsed(now, s->last_sigkill_at, a->kill_cooldown_usec))
                        return;
                HrReason why;
                p = top_victim(pl, PASS_RUNAWAY_KILL, PASS_KILL, PRIO_NONCRITICAL, &why);
                if (p)
                        (void) add_pick(pl, p, HR_ACTION_KILL, why, /* escalation= */ false);
                return;
        }

        if (pause_build(pl))
                return;

        /* One victim at a time, and none until the pressure averages have seen the last one go. */
        if (terminating_alive(pl) || !elapsed(now, s->last_kill_at, a->kill_cooldown_usec))
                return;
        /* A warned victim has its window to shed memory: nobody else is chosen meanwhile. */
        if (warned_waiting(pl))
                return;

        if (level >= HR_LEVEL_CRITICAL) {
                /* The process making the pressure goes first: a runaway from normal up, before idle ones
                 * of a more expendable tier (they free memory once; a leak takes it back). */
                HrReason why;
                p = top_victim(pl, a->terminate_enabled ? PASS_RUNAWAY : PASS_VICTIM, PASS_VICTIM, PRIO_NORMAL, &why);
                if (p)
                        (void) add_pick(pl, p,
                                        warn_first(pl, p) ? HR_ACTION_WARN
                                        : checkpointable(pl->c, p) ? HR_ACTION_CHECKPOINT
                                                                   : HR_ACTION_TERMINATE,
                                        why, /* escalation= */ false);
        } else if (level == HR_LEVEL_HIGH && a->terminate_enabled) {
                p = top_one(pl, PASS_RUNAWAY, PRIO_HEAVY);
                if (p)
                        (void) add_pick(pl, p, warn_first(pl, p) ? HR_ACTION_WARN : HR_ACTION_TERMINATE,
                                        HR_REASON_RUNAWAY, /* escalation= */ false);
        }
}

/* Warned victims whose window is over and that this plan did not pick again: spared. */
static void plan_spares(Plan *pl) {
        for (unsigned i = 0; i < pl->n_by_id; i++) {
                const HrTracked *tr = &pl->s->tracked[pl->by_id[i]];
                const HrProc *p;

                if (tr->state != HR_TRACKED_WARNED || !elapsed(pl->snap->now, tr->since, pl->c->actions.warn_usec))
                        continue;
                p = proc_find(pl->t, tr->pid, tr->start_time);
                if (!proc_alive(p) || chosen(pl, p))
                        continue; /* gone (the next commit forgets it), or picked again */
                emit_tracked(pl, tr, p, HR_ACTION_SPARE, HR_REASON_RECOVERY);
        }
}

static void pick_freezes(Plan *pl) {
        const HrActionConfig *a = &pl->c->actions;
        int32_t min_priority = pl->act >= HR_LEVEL_HIGH ? PRIO_BACKGROUND : PRIO_HEAVY;
        unsigned want = MIN(a->freeze_max_per_tick, HR_ACTIONS_MAX - pl->n_picks);
        Cand best[HR_ACTIONS_MAX];

        if (!a->freeze_enabled || want == 0)
                return;
        build_groups(pl, PASS_FREEZE, min_priority);

        /* A whole-cgroup pick covers the rest of its cgroup; refill until the budget is met. */
        while (want > 0) {
                unsigned n = top_candidates(pl, PASS_FREEZE, min_priority, best, want), added = 0;
                for (unsigned i = 0; i < n && want > 0; i++) {
                        if (chosen(pl, best[i].p) ||
                            !add_pick(pl, best[i].p, HR_ACTION_FREEZE, pl->reason, /* escalation= */ false))
                                continue;
                        want--;
                        added++;
                }
                if (added == 0)
                        return;
        }
}

/* ---- actions and their one-line why ---- */

/* snprintf that may truncate on purpose (a why is a hint; names are bounded by their fields). */
_printf_(3, 4) static void bprintf(char *buf, size_t size, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        (void) vsnprintf(buf, size, fmt, ap);
        va_end(ap);
}

static void format_kib(char *buf, size_t size, uint64_t kib) {
        if (kib >= 1024)
                bprintf(buf, size, "%" PRIu64 " MiB", kib / 1024);
        else
                bprintf(buf, size, "%" PRIu64 " KiB", kib);
}

/* "psi_full 18.20% (72 pts)" */
static void format_component(const Plan *pl, char *buf, size_t size) {
        const HrPressure *pr = &pl->snap->pressure;
        HrComponent c = pl->comp;
        uint64_t raw = pr->raw[c];
        unsigned pts = (pr->points_centi[c] + 50) / 100;
        const char *name = hr_component_to_string(c);

        switch (c) {
        case HR_COMP_SWAP_IO:
        case HR_COMP_REFAULT:
                bprintf(buf, size, "%s %" PRIu64 " pages/s (%u pts)", name, raw, pts);
                break;
        case HR_COMP_MEM_AVAILABLE: {
                uint64_t left = raw < 10000 ? 10000 - raw : 0;
                bprintf(buf, size, "%s %" PRIu64 ".%02" PRIu64 "%% left (%u pts)", name, left / 100,
                                left % 100, pts);
                break;
        }
        default:
                bprintf(buf, size, "%s %" PRIu64 ".%02" PRIu64 "%% (%u pts)", name, raw / 100, raw % 100,
                                pts);
                break;
        }
}

static void write_why(const Plan *pl, HrAction *a, const char *tier, int64_t growth) {
        const HrPressure *pr = &pl->snap->pressure;
        char comp[64], size[32], grow[40] = "", avail[48] = "";
        const char *lead = "", *verb = "frees";

        format_component(pl, comp, sizeof(comp));
        format_kib(size, sizeof(size), a->freeable_kib);
        if (growth > 0)
                bprintf(grow, sizeof(grow), ", growing %" PRId64 " %s", growth >= 1024 ? growth / 1024 : growth,
                                growth >= 1024 ? "MiB/s" : "KiB/s");

        switch (a->type) {
        case HR_ACTION_FREEZE:
                verb = "holds";
                if (a->reason == HR_REASON_SPIKE)
                        lead = "spike: build worker paused, ";
                break;
        case HR_ACTION_SPARE:
                lead = "spared: ";
                verb = "holds";
                break;
        case HR_ACTION_PAGE_OUT:
                lead = "frozen, ";
                verb = "pages out";
                break;
        case HR_ACTION_THAW:
        case HR_ACTION_RESTORE: {
                char kib[32];
                format_kib(kib, sizeof(kib), pl->snap->mem_available_kib);
                bprintf(avail, sizeof(avail), ", %s available", kib);
                lead = a->reason == HR_REASON_SPIKE ? "spike: build worker resumed, " : "recovery: ";
                verb = "brings back";
                break;
        }
        default:
                if (a->reason == HR_REASON_RUNAWAY)
                        lead = "runaway: ";
                break;
        }

        bprintf(a->why, sizeof(a->why), "%s %" PRIu32 ".%02" PRIu32 ": %s; %s%s, %s %s%s%s%s",
                        hr_level_to_string(pl->act), pr->score_centi / 100, pr->score_centi % 100, comp, lead,
                        tier, verb, size, grow, avail, a->whole_cgroup ? ", whole cgroup" : "");
}

static const char *tier_name(int32_t priority) {
        return tier_table[hr_tier_of(priority)];
}

/* The plan's next action, cleared (NULL when the list is full). Only the slots used are written: the rest of the
 * list stays untouched, and not resident. */
static HrAction *new_action(Plan *pl) {
        if (pl->out->n >= HR_ACTIONS_MAX)
                return NULL;
        HrAction *a = &pl->out->items[pl->out->n++];
        *a = (HrAction) {};
        return a;
}

static void emit_pick(Plan *pl, const Pick *k) {
        const HrActionConfig *ac = &pl->c->actions;
        HrAction *a = new_action(pl);

        if (!a)
                return;
        a->type = k->type;
        a->pid = k->p->pid;
        a->start_time = k->p->start_time;
        bprintf(a->comm, sizeof(a->comm), "%s", k->p->comm);
        a->priority = k->p->priority;
        a->whole_cgroup = k->whole_cgroup;
        /* Its process group goes with it (the executor spares session leaders); a freeze stays on the process. */
        a->kill_group = (k->p->flags & HR_PROC_KILL_GROUP) &&
                        (k->type == HR_ACTION_TERMINATE || k->type == HR_ACTION_KILL || k->type == HR_ACTION_CHECKPOINT);
        bprintf(a->cgroup, sizeof(a->cgroup), "%s", hr_proc_cgroup(pl->t, k->p));
        a->freeable_kib = hr_proc_freeable_kib(k->p);
        a->checkpoint_auto = k->type == HR_ACTION_CHECKPOINT && k->p->checkpoint == HR_CHECKPOINT_AUTO;
        a->grace_usec = k->type == HR_ACTION_TERMINATE || k->type == HR_ACTION_CHECKPOINT ? ac->terminate_grace_usec[pl->act]
                        : k->type == HR_ACTION_WARN    ? ac->warn_usec
                                                       : 0;
        a->reason = k->reason;
        write_why(pl, a, tier_name(k->p->priority), k->p->growth_kib_per_sec);
        if (k->escalation) {
                /* "...; still alive after SIGTERM" fits when the why left room; it is a hint, not a contract. */
                size_t n = strlen(a->why);
                bprintf(a->why + n, sizeof(a->why) - n, "; still alive after SIGTERM");
        }
}

/* An action on a tracked process (p: its process in this scan, or NULL): THAW, RESTORE or SPARE end what is
 * tracked of it; PAGE_OUT does not. */
static void emit_tracked(Plan *pl, const HrTracked *tr, const HrProc *p, HrActionType type, HrReason reason) {
        HrAction *a = new_action(pl);

        if (!a)
                return;
        a->type = type;
        a->pid = tr->pid;
        a->start_time = tr->start_time;
        bprintf(a->comm, sizeof(a->comm), "%s", tr->comm);
        a->priority = p ? p->priority : tr->priority;
        a->whole_cgroup = tr->whole_cgroup;
        bprintf(a->cgroup, sizeof(a->cgroup), "%s", tr->cgroup);
        a->freeable_kib = type == HR_ACTION_PAGE_OUT && p ? p->rss_anon_kib : tr->rss_kib;
        a->reason = reason;
        write_why(pl, a, tier_name(a->priority), 0);
}

/* What a page-out must at least find resident to be worth a pass over its mappings. */
#define PAGE_OUT_MIN_KIB (16 * 1024)

/* HIGH and up: the frozen process holding the most anonymous memory is paged out to swap, one per plan, once per
 * freeze; not a paused build worker (it runs again in seconds), not without swap room for it. */
static void plan_page_out(Plan *pl) {
        const HrSnapshot *sn = pl->snap;
        const HrTracked *best = NULL;
        const HrProc *best_p = NULL;

        if (!pl->c->actions.page_out_enabled || pl->act < HR_LEVEL_HIGH || sn->swap_total_kib == 0)
                return;
        for (unsigned i = 0; i < pl->n_by_id; i++) {
                const HrTracked *tr = &pl->s->tracked[pl->by_id[i]];
                const HrProc *p;
                if (tr->state != HR_TRACKED_FROZEN || tr->paged_out || paused_build(tr))
                        continue;
                p = proc_find(pl->t, tr->pid, tr->start_time);
                if (!proc_alive(p) || untouchable(p) || chosen(pl, p) || p->rss_anon_kib < PAGE_OUT_MIN_KIB ||
                    p->rss_anon_kib / 2 > sn->swap_free_kib)
                        continue;
                if (!best || p->rss_anon_kib > best_p->rss_anon_kib)
                        best = tr, best_p = p;
        }
        if (best)
                emit_tracked(pl, best, best_p, HR_ACTION_PAGE_OUT, pl->reason);
}

/* NORMAL: thaw and restore, most important first, staggered and gated on MemAvailable. */
static void plan_recovery(Plan *pl) {
        const HrActionConfig *ac = &pl->c->actions;
        const HrPolicyState *s = pl->s;
        uint16_t order[HR_TRACKED_MAX];
        int32_t prio[HR_TRACKED_MAX];
        unsigned n = 0, thawed = 0;
        uint64_t back_kib = 0;
        /* No more than a quarter of the memory there is: a small --scope (256 MiB) must still be able to thaw. */
        uint64_t margin = MIN(ac->thaw_margin_kib, pl->snap->mem_total_kib / 4);

        if (!elapsed(pl->snap->now, s->last_thaw_at, ac->thaw_min_interval_usec))
                return;

        for (unsigned i = 0; i < pl->n_by_id; i++) {
                unsigned idx = pl->by_id[i];
                const HrTracked *tr = &s->tracked[idx];
                const HrProc *p = proc_find(pl->t, tr->pid, tr->start_time);
                if (tr->state == HR_TRACKED_TERMINATING || tr->state == HR_TRACKED_WARNED || paused_build(tr))
                        continue; /* paused build workers: plan_resume */
                if (tr->state == HR_TRACKED_FROZEN && !proc_alive(p))
                        continue; /* gone or a zombie: the next commit that misses it forgets it */
                if (tr->state == HR_TRACKED_CHECKPOINTED && p)
                        continue; /* the dumped original still runs: restore once it is gone */
                int32_t pr = p ? p->priority : tr->priority;

                /* Insertion sort by (priority, pid, start_time); by_id is already in (pid, start_time) order. */
                unsigned j = n++;
                while (j > 0 && prio[j - 1] > pr) {
                        order[j] = order[j - 1];
                        prio[j] = prio[j - 1];
                        j--;
                }
                order[j] = (uint16_t) idx;
                prio[j] = pr;
        }

        for (unsigned i = 0; i < n && thawed < ac->thaw_max_per_tick; i++) {
                const HrTracked *tr = &s->tracked[order[i]];
                uint64_t need = add_sat(add_sat(back_kib, tr->rss_kib), margin);
                if (pl->snap->mem_available_kib < need)
                        continue; /* does not fit: a smaller one behind it still may */
                emit_tracked(pl, tr, proc_find(pl->t, tr->pid, tr->start_time),
                             tr->state == HR_TRACKED_CHECKPOINTED ? HR_ACTION_RESTORE : HR_ACTION_THAW,
                             HR_REASON_RECOVERY);
                back_kib = add_sat(back_kib, tr->rss_kib);
                thawed++;
        }
}


void hr_policy_plan(const HrConfig *c, const HrSnapshot *snap, const HrPolicyState *s, HrActionList *ret) {
        /* Static would break reentrancy; the stack holds it (about 45 KiB, touched by the startup self-test). */
        Plan pl;

        ret->n = 0; /* new_action() writes only the slots planned */
        if ((unsigned) snap->level >= _HR_LEVEL_MAX || !snap->procs)
                return; /* without a table nothing is known to be gone or safe */

        pl.c = c;
        pl.snap = snap;
        pl.t = snap->procs;
        pl.s = s;
        pl.out = ret;
        pl.comp = HR_COMP_PSI_SOME;
        pl.n_picks = 0;
        pl.n_groups = 0;
        for (unsigned i = 0; i < GROUPS_SLOTS; i++)
                pl.groups[i].cgroup = NULL;
        for (unsigned i = 1; i < _HR_COMP_MAX; i++)
                if (snap->pressure.points_centi[i] > snap->pressure.points_centi[pl.comp])
                        pl.comp = (HrComponent) i;
        pl.reason = hr_reason_of_component(pl.comp);
        index_tracked(&pl);
        pl.act = snap->level;

        pl.spare_builds = pl.resumed = false;
        if (snap->level == HR_LEVEL_NORMAL) {
                plan_resume(&pl);
                plan_recovery(&pl);
                if (pause_build(&pl))
                        emit_pick(&pl, &pl.picks[0]);
                plan_spares(&pl);
                return;
        }

        /* The level comes down slowly so nothing is thawed too soon; but no new freeze or victim is
         * planned beyond what the score says right now. A level still at EMERGENCY while the score has
         * fallen to 10 must not go on killing one process per cooldown. Between the two: hold. */
        pl.act = MIN(snap->level, hr_level_for_score(&c->level, snap->pressure.score_centi));
        plan_resume(&pl);
        if (pl.act == HR_LEVEL_NORMAL) {
                if (pause_build(&pl))
                        emit_pick(&pl, &pl.picks[0]);
                plan_spares(&pl);
                return;
        }

        /* Victims first, so a victim is not also frozen in the same plan; emitted after the freezes. */
        pick_victims(&pl);
        unsigned n_victims = pl.n_picks;
        pick_freezes(&pl);
        plan_spares(&pl);

        for (unsigned i = n_victims; i < pl.n_picks; i++)
                emit_pick(&pl, &pl.picks[i]);
        plan_page_out(&pl);
        for (unsigned i = 0; i < n_victims; i++)
                if (pl.picks[i].type != HR_ACTION_KILL)
                        emit_pick(&pl, &pl.picks[i]);
        for (unsigned i = 0; i < n_victims; i++)
                if (pl.picks[i].type == HR_ACTION_KILL)
                        emit_pick(&pl, &pl.picks[i]);
}

/* ---- the registry ---- */

static int tracked_index(const HrPolicyState *s, pid_t pid, uint64_t start_time) {
        for (unsigned i = 0; i < s->n_tracked && i < HR_TRACKED_MAX; i++)
                if (s->tracked[i].pid == pid && s->tracked[i].start_time == start_time)
                        return (int) i;
        return -1;
}

const HrTracked *hr_policy_find(const HrPolicyState *s, pid_t pid, uint64_t start_time) {
        int i = tracked_index(s, pid, start_time);
        return i < 0 ? NULL : &s->tracked[i];
}

bool hr_policy_adopt(HrPolicyState *s, const HrTracked *tr) {
        int i = tracked_index(s, tr->pid, tr->start_time);

        if (i >= 0) {
                s->tracked[i].state = tr->state;
                s->tracked[i].killed = s->tracked[i].killed || tr->killed;
                return true;
        }
        if (s->n_tracked >= HR_TRACKED_MAX)
                return false;
        s->tracked[s->n_tracked++] = *tr;
        return true;
}

static void untrack(HrPolicyState *s, unsigned i);

bool hr_policy_forget(HrPolicyState *s, pid_t pid, uint64_t start_time) {
        int i = tracked_index(s, pid, start_time);
        if (i < 0)
                return false;
        untrack(s, (unsigned) i);
        return true;
}

void hr_policy_state_init(HrPolicyState *s) {
        hr_zero_sparse(s, sizeof *s);
}

static HrTracked *track(HrPolicyState *s, const HrSnapshot *snap, const HrAction *a) {
        int i = tracked_index(s, a->pid, a->start_time);
        HrTracked *tr;

        if (i >= 0)
                return &s->tracked[i];
        if (s->n_tracked >= HR_TRACKED_MAX)
                return NULL;

        const HrProc *p = proc_find(snap->procs, a->pid, a->start_time);
        tr = &s->tracked[s->n_tracked++];
        memset(tr, 0, sizeof(*tr));
        tr->pid = a->pid;
        tr->start_time = a->start_time;
        memcpy(tr->comm, a->comm, sizeof(tr->comm));
        memcpy(tr->cgroup, a->cgroup, sizeof(tr->cgroup));
        tr->priority = a->priority;
        tr->rss_kib = p ? add_sat(add_sat(p->rss_anon_kib, p->rss_file_kib), add_sat(p->rss_shmem_kib, p->swap_kib))
                        : a->freeable_kib;
        return tr;
}

static void untrack(HrPolicyState *s, unsigned i) {
        memmove(&s->tracked[i], &s->tracked[i + 1], (s->n_tracked - i - 1) * sizeof(s->tracked[0]));
        s->n_tracked--;
        memset(&s->tracked[s->n_tracked], 0, sizeof(s->tracked[0]));
}

void hr_policy_commit(HrPolicyState *s, const HrSnapshot *snap, const HrActionList *done) {
        usec_t now = snap->now;

        if (s->n_tracked > HR_TRACKED_MAX)
                s->n_tracked = HR_TRACKED_MAX;

        /* Forget what has gone; a checkpointed process is gone by design and waits for its restore. */
        if (snap->procs)
                for (unsigned i = s->n_tracked; i-- > 0;) {
                        const HrTracked *tr = &s->tracked[i];
                        if (tr->state != HR_TRACKED_CHECKPOINTED && !proc_find(snap->procs, tr->pid, tr->start_time))
                                untrack(s, i);
                }

        for (unsigned k = 0; done && k < done->n && k < HR_ACTIONS_MAX; k++) {
                const HrAction *a = &done->items[k];
                HrTracked *tr;
                int i;

                switch (a->type) {
                case HR_ACTION_FREEZE:
                        if (tracked_index(s, a->pid, a->start_time) >= 0)
                                break; /* already tracked: a freeze does not undo a termination */
                        tr = track(s, snap, a);
                        if (!tr)
                                break;
                        tr->state = HR_TRACKED_FROZEN;
                        tr->whole_cgroup = a->whole_cgroup;
                        tr->since = now;
                        tr->reason = a->reason;
                        break;
                case HR_ACTION_TERMINATE:
                case HR_ACTION_KILL:
                case HR_ACTION_CHECKPOINT:
                        s->last_kill_at = now;
                        if (a->type == HR_ACTION_KILL)
                                s->last_sigkill_at = now;
                        tr = track(s, snap, a);
                        if (!tr)
                                break;
                        tr->state = a->type == HR_ACTION_CHECKPOINT ? HR_TRACKED_CHECKPOINTED : HR_TRACKED_TERMINATING;
                        tr->killed = tr->killed || a->type == HR_ACTION_KILL;
                        tr->whole_cgroup = tr->whole_cgroup || a->whole_cgroup;
                        tr->since = now;
                        tr->reason = a->reason;
                        break;
                case HR_ACTION_WARN:
                        if (tracked_index(s, a->pid, a->start_time) >= 0)
                                break; /* frozen or acted on already: the warning changes nothing */
                        tr = track(s, snap, a);
                        if (!tr)
                                break;
                        tr->state = HR_TRACKED_WARNED;
                        tr->since = now;
                        tr->reason = a->reason;
                        break;
                case HR_ACTION_PAGE_OUT:
                        i = tracked_index(s, a->pid, a->start_time);
                        if (i >= 0 && s->tracked[i].state == HR_TRACKED_FROZEN)
                                s->tracked[i].paged_out = true;
                        break;
                case HR_ACTION_SPARE:
                        i = tracked_index(s, a->pid, a->start_time);
                        if (i >= 0 && s->tracked[i].state == HR_TRACKED_WARNED)
                                untrack(s, (unsigned) i);
                        break;
                case HR_ACTION_THAW:
                case HR_ACTION_RESTORE:
                        s->last_thaw_at = now;
                        i = tracked_index(s, a->pid, a->start_time);
                        if (i >= 0)
                                untrack(s, (unsigned) i);
                        break;
                default:
                        break;
                }
        }
}
