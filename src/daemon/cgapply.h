/* SPDX-License-Identifier: MIT */
/* Carries out cgroup relief (core/cgrelief.c's plan): saves each cgroup file's value before writing it, keeps the
 * saved values in a journal in the runtime directory, and gives every one back on undo, at stop, and at the next
 * start after a crash; reclaim steps (memory.reclaim) with their refault check. */
#pragma once

#include <limits.h>
#include <stdbool.h>

#include "core/cgrelief.h"
#include "io/sysroot.h"

#define HR_CGAPPLY_SAVED_MAX (HR_CG_SET_MAX * 4)
#define HR_CGAPPLY_VALUE_MAX 64

/* One file headroom wrote, and what it held before. */
typedef struct HrCgSaved {
        char cgroup[HR_ACTION_CGROUP_MAX];
        char file[16];                   /* cpu.weight, cpu.max, memory.high, memory.low */
        char value[HR_CGAPPLY_VALUE_MAX];
} HrCgSaved;

typedef struct HrCgApply {
        const HrSysroot *root;
        HrCgReliefState state;           /* what the planner sees as set */
        HrCgSaved saved[HR_CGAPPLY_SAVED_MAX];
        unsigned n_saved;
        char journal[PATH_MAX];          /* "" : none (no runtime directory) */
        bool warned_missing[_HR_CG_KNOB_MAX]; /* "no controller" said once per knob */
        uint64_t n_by_knob[_HR_CG_KNOB_MAX][2]; /* carried out, [knob][undo], for metrics */
} HrCgApply;

/* journal_dir may be NULL or "" (no journal: a crash then leaves settings behind). */
int hr_cgapply_init(HrCgApply *a, const HrSysroot *root, const char *journal_dir);

/* Gives back what a previous run's journal lists (it crashed), then removes the journal. Returns how many. */
unsigned hr_cgapply_recover(HrCgApply *a);

/* Carries out each action, logging it with its reason; commits it to a->state. */
void hr_cgapply_run(HrCgApply *a, const HrCgReliefConfig *c, const HrCgActionList *l);

/* Gives every saved value back (at stop). Returns how many files were written back. */
unsigned hr_cgapply_restore_all(HrCgApply *a);
