/* SPDX-License-Identifier: MIT */
/* Cgroup relief planner (see cgrelief.h): groups the process table by cgroup, decides which app cgroups want
 * which knob at this level, and diffs that against what is set. Pure and deterministic: no I/O, no clock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cgrelief.h"
#include "core/config.h"

const HrCgReliefConfig hr_cgrelief_config_default = {
        .throttle_enabled = true,
        .cpu_weight = 10,
        .cpu_quota_permyriad = 5000,
        .cap_enabled = true,
        .cap_permyriad = 10000,
        .cap_min_kib = 16 * 1024,
        .protect_enabled = true,
        .protect_max_permyriad = 2500,
        .reclaim_enabled = true,
        .reclaim_idle_usec = 120 * USEC_PER_SEC,
        .reclaim_interval_usec = 60 * USEC_PER_SEC,
        .reclaim_step_kib = 32 * 1024,
        .reclaim_cool_usec = 600 * USEC_PER_SEC,
};

static const char *const knob_table[_HR_CG_KNOB_MAX] = {
        [HR_CG_THROTTLE] = "throttle",
        [HR_CG_CAP] = "cap",
        [HR_CG_PROTECT] = "protect",
        [HR_CG_RECLAIM] = "reclaim",
};

const char *hr_cg_knob_to_string(HrCgKnob k) {
        return (unsigned) k < _HR_CG_KNOB_MAX ? knob_table[k] : NULL;
}

#define PRIO_EXPENDABLE (HR_TIER_NORMAL_MAX + 1) /* 60: background and heavy */
#define GROUPS_MAX 512 /* distinct cgroups looked at per plan; beyond that, the first ones by pid */

static bool ends_with(const char *s, size_t n, const char *suffix) {
        size_t k = strlen(suffix);
        return n > k && memcmp(s + n - k, suffix, k) == 0;
}

bool hr_cgrelief_app_cgroup(const char *cg) {
        size_t n = strlen(cg);
        if (n < 2 || cg[0] != '/' || n >= HR_ACTION_CGROUP_MAX || strstr(cg, "/../") || ends_with(cg, n, "/.."))
                return false;
        for (const char *p = cg; *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f)
                        return false; /* a name that could forge a log or journal line */
        const char *last = strrchr(cg, '/') + 1;
        size_t ln = n - (size_t) (last - cg);
        /* init.scope is PID 1's own; a slice holds other units; user@.service is the user's manager. */
        return (ends_with(last, ln, ".scope") || ends_with(last, ln, ".service")) && strcmp(last, "init.scope") != 0 &&
               strncmp(last, "user@", 5) != 0;
}

typedef struct Group {
        const char *cgroup;  /* NULL: free slot */
        int32_t min_prio;    /* its most important process's priority */
        bool untouchable, foreground;
        usec_t idle_since;   /* the latest of its processes' (0: one of them ran) */
        unsigned n_procs;
        bool all_frozen;     /* every process of it is held frozen */
        uint64_t holds_kib;  /* anon + file + shmem of its processes */
} Group;

typedef struct Plan {
        Group g[GROUPS_MAX];
        Group *order[GROUPS_MAX / 2]; /* by first appearance in the table (pid order) */
        unsigned n;
} Plan;

static uint32_t hash_str(const char *s) {
        uint32_t h = 2166136261u;
        for (; *s; s++)
                h = (h ^ (uint8_t) *s) * 16777619u;
        return h;
}

static Group *group_of(Plan *pl, const char *cg, bool insert) {
        uint32_t h = hash_str(cg);
        for (unsigned i = 0; i < GROUPS_MAX; i++) {
                Group *g = &pl->g[(h + i) % GROUPS_MAX];
                if (!g->cgroup) {
                        if (!insert || pl->n >= GROUPS_MAX / 2)
                                return NULL;
                        *g = (Group) { .cgroup = cg, .min_prio = INT32_MAX };
                        pl->order[pl->n++] = g;
                        return g;
                }
                if (strcmp(g->cgroup, cg) == 0)
                        return g;
        }
        return NULL;
}

static bool expendable(const Group *g) {
        return g && !g->untouchable && !g->foreground && g->min_prio >= PRIO_EXPENDABLE;
}

/* Critical processes, or the foreground application: what the kernel should reclaim from last. */
static bool precious(const Group *g) {
        return g && !g->untouchable && (g->foreground || g->min_prio <= HR_TIER_CRITICAL_MAX);
}

/* permyriad of kib, exact below 2^50 KiB (a petabyte), saturating past it. */
static uint64_t share(uint64_t kib, uint32_t permyriad) {
        permyriad = permyriad > 10000 ? 10000 : permyriad;
        return kib < (UINT64_C(1) << 50) ? kib * permyriad / 10000 : kib / 10000 * permyriad;
}

static const HrCgSet *set_of(const HrCgReliefState *s, const char *cg) {
        for (unsigned i = 0; i < s->n; i++)
                if (strcmp(s->set[i].cgroup, cg) == 0)
                        return &s->set[i];
        return NULL;
}

static void format_mib(char *buf, size_t size, uint64_t kib) {
        (void) snprintf(buf, size, "%llu MiB", (unsigned long long) ((kib + 512) / 1024));
}

static HrCgAction *emit(HrCgActionList *ret, HrCgKnob k, bool undo, const char *cg) {
        if (ret->n >= HR_CG_ACTIONS_MAX)
                return NULL;
        HrCgAction *a = &ret->a[ret->n++];
        *a = (HrCgAction) { .knob = k, .undo = undo };
        (void) snprintf(a->cgroup, sizeof a->cgroup, "%s", cg);
        return a;
}

static bool wanted(const HrCgReliefConfig *c, HrLevel level, const Group *g, HrCgKnob k) {
        switch (k) {
        case HR_CG_THROTTLE:
                return c->throttle_enabled && level >= HR_LEVEL_ELEVATED && expendable(g);
        case HR_CG_CAP:
                return c->cap_enabled && level >= HR_LEVEL_HIGH && expendable(g);
        case HR_CG_PROTECT:
                return c->protect_enabled && precious(g);
        default:
                return false;
        }
}

void hr_cgrelief_plan(const HrCgReliefConfig *c, const HrCgReliefInput *in, const HrCgReliefState *s,
                      HrCgActionList *ret) {
        const HrLevel level = in->level;
        const uint64_t mem_total_kib = in->mem_total_kib;
        const HrProcTable *t = in->t;
        const usec_t now = in->now;
        const char *lv = hr_level_to_string(level) ?: "?";
        Plan pl;
        char mib[32];

        memset(&pl, 0, sizeof pl);
        ret->n = 0;
        for (size_t i = 0; t && i < t->n; i++) {
                const HrProc *p = &t->procs[i];
                const char *cg = hr_proc_cgroup(t, p);
                if (!hr_cgrelief_app_cgroup(cg))
                        continue;
                Group *g = group_of(&pl, cg, /* insert= */ true);
                if (!g)
                        continue;
                g->min_prio = p->priority < g->min_prio ? p->priority : g->min_prio;
                g->untouchable |= hr_proc_never_touched(p);
                g->foreground |= (p->flags & HR_PROC_FOREGROUND) != 0;
                g->holds_kib += p->rss_anon_kib + p->rss_file_kib + p->rss_shmem_kib;
                bool frozen = in->n_frozen > 0 && bsearch(&p->pid, in->frozen, in->n_frozen, sizeof *in->frozen, hr_pid_cmp);
                g->all_frozen = (g->n_procs == 0 || g->all_frozen) && frozen;
                if (g->n_procs++ == 0)
                        g->idle_since = p->idle_since;
                else if (p->idle_since == 0 || g->idle_since == 0)
                        g->idle_since = 0;
                else if (p->idle_since > g->idle_since)
                        g->idle_since = p->idle_since;
        }

        /* What is set and no longer wanted goes back first (its cgroup gone, in the foreground now, calm again). */
        for (unsigned i = 0; i < s->n; i++) {
                const HrCgSet *cs = &s->set[i];
                const Group *g = group_of(&pl, cs->cgroup, /* insert= */ false);
                for (int k = 0; k < _HR_CG_KNOB_MAX; k++) {
                        if (!(cs->knobs & (1u << k)) || wanted(c, level, g, (HrCgKnob) k))
                                continue;
                        HrCgAction *a = emit(ret, (HrCgKnob) k, /* undo= */ true, cs->cgroup);
                        if (!a)
                                return;
                        bool off = k == HR_CG_THROTTLE ? !c->throttle_enabled
                                   : k == HR_CG_CAP    ? !c->cap_enabled
                                                       : !c->protect_enabled;
                        (void) snprintf(a->why, sizeof a->why, "%s: %s", lv,
                                        off                ? (k == HR_CG_THROTTLE ? "[Cgroup] Throttle=no"
                                                              : k == HR_CG_CAP  ? "[Cgroup] Cap=no"
                                                                                : "[Cgroup] Protect=no")
                                        : !g               ? "its processes are gone"
                                        : g->foreground    ? "it is in the foreground now"
                                        : g->untouchable   ? "it holds a process never to be touched now"
                                        : k == HR_CG_PROTECT ? "no critical or foreground process in it now"
                                                             : "pressure is down");
                }
        }

        /* Protection: most important first (lowest priority value, then first seen), within the share of MemTotal
         * allowed. */
        uint64_t budget = share(mem_total_kib, c->protect_max_permyriad), used = 0;
        for (unsigned i = 0; i < s->n; i++)
                if (s->set[i].knobs & (1u << HR_CG_PROTECT))
                        used += s->set[i].low_kib;
        const Group *prot[GROUPS_MAX / 2];
        unsigned n_prot = 0;
        for (unsigned i = 0; i < pl.n; i++) {
                const Group *g = pl.order[i];
                const HrCgSet *cs = set_of(s, g->cgroup);
                if (!wanted(c, level, g, HR_CG_PROTECT) || (cs && (cs->knobs & (1u << HR_CG_PROTECT))) || g->holds_kib == 0)
                        continue;
                unsigned j = n_prot++; /* insertion sort, stable: ties keep their first-seen order */
                while (j > 0 && prot[j - 1]->min_prio > g->min_prio) {
                        prot[j] = prot[j - 1];
                        j--;
                }
                prot[j] = g;
        }
        for (unsigned i = 0; i < n_prot; i++) {
                const Group *g = prot[i];
                if (used + g->holds_kib > budget)
                        continue;
                HrCgAction *a = emit(ret, HR_CG_PROTECT, false, g->cgroup);
                if (!a)
                        return;
                a->value_kib = g->holds_kib;
                used += g->holds_kib;
                format_mib(mib, sizeof mib, g->holds_kib);
                (void) snprintf(a->why, sizeof a->why, "%s: %s, holds %s: reclaimed from last", lv,
                                g->foreground ? "foreground" : "critical", mib);
        }

        /* Throttle, then cap: expendable app cgroups in pid order of their first process. A cap's write reclaims down
         * to it in the writer's context: a few per plan, the rest at the next. */
        unsigned caps = 0;
        for (int k = HR_CG_THROTTLE; k <= HR_CG_CAP; k += HR_CG_CAP - HR_CG_THROTTLE)
                for (unsigned i = 0; i < pl.n; i++) {
                        const Group *g = pl.order[i];
                        const HrCgSet *cs = set_of(s, g->cgroup);
                        if (!wanted(c, level, g, (HrCgKnob) k) || (cs && (cs->knobs & (1u << k))) ||
                            (k == HR_CG_CAP && (caps >= HR_CG_CAPS_PER_PLAN || g->all_frozen)))
                                continue;
                        caps += k == HR_CG_CAP;
                        HrCgAction *a = emit(ret, (HrCgKnob) k, false, g->cgroup);
                        if (!a)
                                return;
                        const char *tier = g->min_prio > HR_TIER_BACKGROUND_MAX ? "expendable-heavy" : "expendable-background";
                        if (k == HR_CG_THROTTLE) {
                                (void) snprintf(a->why, sizeof a->why, "%s: %s: cpu.weight %u%s", lv, tier, c->cpu_weight,
                                                c->cpu_quota_permyriad ? ", cpu.max quota" : "");
                                continue;
                        }
                        uint64_t cap = share(g->holds_kib, c->cap_permyriad);
                        a->value_kib = cap > c->cap_min_kib ? cap : c->cap_min_kib;
                        format_mib(mib, sizeof mib, g->holds_kib);
                        char capm[32];
                        format_mib(capm, sizeof capm, a->value_kib);
                        (void) snprintf(a->why, sizeof a->why, "%s: %s, holds %s: memory.high %s, reclaimed from first",
                                        lv, tier, mib, capm);
                }

        /* NORMAL: a step of memory.reclaim from idle expendable cgroups, two per plan, each no sooner than the
         * interval after its last, none while it cools down. */
        unsigned steps = 0;
        for (unsigned i = 0; c->reclaim_enabled && level == HR_LEVEL_NORMAL && i < pl.n && steps < 2; i++) {
                const Group *g = pl.order[i];
                const HrCgReclaim *r = hr_cgrelief_reclaim_of(s, g->cgroup);
                uint64_t step = MIN(c->reclaim_step_kib, g->holds_kib / 10);
                if (!expendable(g) || g->idle_since == 0 || now < g->idle_since ||
                    now - g->idle_since < c->reclaim_idle_usec || step < 1024 ||
                    (r && (now < r->cool_until || now - r->last_at < c->reclaim_interval_usec)))
                        continue;
                HrCgAction *a = emit(ret, HR_CG_RECLAIM, false, g->cgroup);
                if (!a)
                        return;
                a->value_kib = step;
                a->at = now;
                steps++;
                format_mib(mib, sizeof mib, g->holds_kib);
                char stepm[32];
                format_mib(stepm, sizeof stepm, step);
                (void) snprintf(a->why, sizeof a->why, "%s: idle for %llu s, holds %s: %s of its coldest pages out", lv,
                                (unsigned long long) ((now - g->idle_since) / USEC_PER_SEC), mib, stepm);
        }
}

bool hr_cgrelief_commit(HrCgReliefState *s, const HrCgAction *a) {
        if (a->knob == HR_CG_RECLAIM) /* a one-off: hr_cgrelief_reclaimed() keeps its record */
                return true;
        HrCgSet *cs = (HrCgSet *) set_of(s, a->cgroup);
        if (a->undo) {
                if (!cs)
                        return true;
                cs->knobs &= (uint8_t) ~(1u << a->knob);
                if (cs->knobs == 0)
                        *cs = s->set[--s->n]; /* order does not matter: plans walk the table */
                return true;
        }
        if (!cs) {
                if (s->n >= HR_CG_SET_MAX)
                        return false;
                cs = &s->set[s->n++];
                *cs = (HrCgSet) {};
                (void) snprintf(cs->cgroup, sizeof cs->cgroup, "%s", a->cgroup);
        }
        cs->knobs |= (uint8_t) (1u << a->knob);
        if (a->knob == HR_CG_CAP)
                cs->cap_kib = a->value_kib;
        if (a->knob == HR_CG_PROTECT)
                cs->low_kib = a->value_kib;
        return true;
}

const HrCgReclaim *hr_cgrelief_reclaim_of(const HrCgReliefState *s, const char *cgroup) {
        for (unsigned i = 0; i < s->n_rec; i++)
                if (strcmp(s->rec[i].cgroup, cgroup) == 0)
                        return &s->rec[i];
        return NULL;
}

bool hr_cgrelief_reclaim_came_back(const HrCgReclaim *r, uint64_t refaults_now, uint64_t page_kib) {
        if (!r || refaults_now <= r->refaults_after || r->stepped_kib == 0)
                return false;
        return (refaults_now - r->refaults_after) * page_kib * 4 > r->stepped_kib;
}

static HrCgReclaim *reclaim_slot(HrCgReliefState *s, const char *cgroup) {
        HrCgReclaim *r = (HrCgReclaim *) hr_cgrelief_reclaim_of(s, cgroup);
        if (r)
                return r;
        if (s->n_rec < HR_CG_SET_MAX)
                r = &s->rec[s->n_rec++];
        else { /* full: the one reclaimed from longest ago goes */
                r = &s->rec[0];
                for (unsigned i = 1; i < s->n_rec; i++)
                        if (s->rec[i].last_at < r->last_at)
                                r = &s->rec[i];
        }
        *r = (HrCgReclaim) {};
        (void) snprintf(r->cgroup, sizeof r->cgroup, "%s", cgroup);
        return r;
}

void hr_cgrelief_reclaimed(HrCgReliefState *s, const HrCgAction *a, uint64_t refaults) {
        HrCgReclaim *r = reclaim_slot(s, a->cgroup);
        r->last_at = a->at;
        r->stepped_kib = a->value_kib;
        r->refaults_after = refaults;
}

void hr_cgrelief_cool(HrCgReliefState *s, const char *cgroup, usec_t until) {
        HrCgReclaim *r = reclaim_slot(s, cgroup);
        r->cool_until = until;
        r->stepped_kib = 0;
}
