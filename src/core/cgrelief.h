/* SPDX-License-Identifier: MIT */
/* Cgroup relief, the gentle rungs of the ladder: which app cgroups to throttle (cpu.weight, cpu.max), cap
 * (memory.high) and protect (memory.low) at this level, which settings to give back, and which idle ones to reclaim
 * from at NORMAL (memory.reclaim, in bounded steps, stopped where refaults show the pages were not cold). Pure. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "core/action.h"
#include "core/level.h"
#include "core/proc.h"

typedef enum HrCgKnob {
        HR_CG_THROTTLE, /* ELEVATED+: cpu.weight down, cpu.max quota (expendable cgroups) */
        HR_CG_CAP,      /* HIGH+: memory.high a little under what it holds (expendable cgroups) */
        HR_CG_PROTECT,  /* any level: memory.low = what it holds (critical and foreground cgroups) */
        HR_CG_RECLAIM,  /* NORMAL: one memory.reclaim step from an idle expendable cgroup (nothing to give back) */
        _HR_CG_KNOB_MAX,
        _HR_CG_KNOB_INVALID = -22,
} HrCgKnob;

typedef struct HrCgReliefConfig {
        bool throttle_enabled;
        uint32_t cpu_weight;             /* 1..10000 (the kernel's default is 100) */
        uint32_t cpu_quota_permyriad;    /* cpu.max as a share of one CPU; 0: weight only */
        bool cap_enabled;
        uint32_t cap_permyriad;          /* memory.high at this share of what the cgroup holds */
        uint64_t cap_min_kib;            /* never a cap below this */
        bool protect_enabled;
        bool protect_hard;               /* memory.min instead of memory.low: never reclaimed (their code stays in) */
        uint32_t protect_max_permyriad;  /* all memory.low together at most this share of MemTotal */
        bool reclaim_enabled;
        usec_t reclaim_idle_usec;        /* every process of the cgroup idle this long first */
        usec_t reclaim_interval_usec;    /* between two steps on one cgroup */
        uint64_t reclaim_step_kib;       /* a step at most this, and a tenth of what the cgroup holds */
        usec_t reclaim_cool_usec;        /* after a step whose pages came back: no reclaim there for this long */
} HrCgReliefConfig;

extern const HrCgReliefConfig hr_cgrelief_config_default;

/* One cgroup headroom has set something on, and what. */
typedef struct HrCgSet {
        char cgroup[HR_ACTION_CGROUP_MAX];
        uint8_t knobs;                   /* 1 << HrCgKnob */
        uint64_t cap_kib, low_kib;       /* what was written */
} HrCgSet;

#define HR_CG_SET_MAX 64

/* A cgroup reclaimed from: when, how much, and until when it is left alone (its pages came back). */
typedef struct HrCgReclaim {
        char cgroup[HR_ACTION_CGROUP_MAX];
        usec_t last_at, cool_until;
        uint64_t stepped_kib;            /* the last step's request */
        uint64_t refaults_after;         /* the cgroup's workingset refaults (pages) right after it */
} HrCgReclaim;

typedef struct HrCgReliefState {
        HrCgSet set[HR_CG_SET_MAX];
        unsigned n;
        HrCgReclaim rec[HR_CG_SET_MAX];  /* oldest replaced when full */
        unsigned n_rec;
} HrCgReliefState;

typedef struct HrCgAction {
        HrCgKnob knob;
        bool undo;                       /* give the cgroup's own setting back */
        char cgroup[HR_ACTION_CGROUP_MAX];
        uint64_t value_kib;              /* CAP: memory.high; PROTECT: memory.low; RECLAIM: the step */
        usec_t at;                       /* when it was planned */
        char why[HR_ACTION_WHY_MAX];
} HrCgAction;

#define HR_CG_ACTIONS_MAX 32
#define HR_CG_CAPS_PER_PLAN 2            /* a memory.high write reclaims synchronously: at most this many per plan */

typedef struct HrCgActionList {
        HrCgAction a[HR_CG_ACTIONS_MAX];
        unsigned n;
} HrCgActionList;

/* Whether a cgroup path names an application's own cgroup: its last component a systemd unit of one app
 * ("app-firefox-1234.scope", "foo.service"), never the root, a slice, or a path too long to act on. */
bool hr_cgrelief_app_cgroup(const char *cgroup);

/* What to do at level `level` for the processes in t: the undos first (a knob no longer wanted, its cgroup gone,
 * turned to the foreground, or the family switched off), then protect, throttle, cap. Deterministic. */
/* What one plan looks at. */
typedef struct HrCgReliefInput {
        HrLevel level;
        uint64_t mem_total_kib;
        const HrProcTable *t;
        usec_t now;
        const pid_t *frozen;             /* pids headroom holds frozen, ascending (a cgroup all frozen is not capped:
                                          * it cannot grow, and its page-out reclaims it off the loop's thread) */
        unsigned n_frozen;
} HrCgReliefInput;

void hr_cgrelief_plan(const HrCgReliefConfig *c, const HrCgReliefInput *in, const HrCgReliefState *s,
                      HrCgActionList *ret);

/* The reclaim record of a cgroup, NULL if none. */
const HrCgReclaim *hr_cgrelief_reclaim_of(const HrCgReliefState *s, const char *cgroup);

/* Whether the last step's pages were not cold: more than a quarter of what it reclaimed refaulted since
 * (refaults_now - refaults_after pages of page_kib). */
bool hr_cgrelief_reclaim_came_back(const HrCgReclaim *r, uint64_t refaults_now, uint64_t page_kib);

/* Records a reclaim step carried out (refaults: the cgroup's count right after it), or a cool-down until `until`. */
void hr_cgrelief_reclaimed(HrCgReliefState *s, const HrCgAction *a, uint64_t refaults);
void hr_cgrelief_cool(HrCgReliefState *s, const char *cgroup, usec_t until);

/* Records that an action was carried out (or, for a knob the kernel lacks, tried: it is not retried until it is
 * undone). Returns false when the state is full: the applier then gives the setting back at once. */
bool hr_cgrelief_commit(HrCgReliefState *s, const HrCgAction *a);

const char *hr_cg_knob_to_string(HrCgKnob k);
