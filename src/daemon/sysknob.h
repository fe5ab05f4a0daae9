/* SPDX-License-Identifier: MIT */
/* A machine-wide kernel setting headroomd changes while it runs (MGLRU's min_ttl_ms): its old value journalled in
 * the runtime directory before the write, given back at stop, and at the next start after a crash. */
#pragma once

#include <limits.h>
#include <stdbool.h>

#include "io/sysroot.h"

typedef struct HrSysKnob {
        const HrSysroot *root;
        char rel[128];           /* relative to the root, e.g. "sys/kernel/mm/lru_gen/min_ttl_ms" */
        char journal[PATH_MAX];  /* "" : none */
        char original[64];
        bool set;                /* ours is written: give `original` back at stop */
} HrSysKnob;

/* Names the knob and its journal (<journal_dir>/<name>.orig); touches nothing. */
int hr_sysknob_init(HrSysKnob *k, const HrSysroot *root, const char *rel, const char *journal_dir, const char *name);

/* A journal left by a run that did not stop: its value is written back and the journal removed. Returns 1 if it
 * gave one back, 0 if there was none, -errno. */
int hr_sysknob_recover(HrSysKnob *k);

/* Saves the current value (journal first), then writes value. 0 or -errno (-ENOENT: this kernel has no such knob). */
int hr_sysknob_set(HrSysKnob *k, const char *value);

/* Gives the saved value back and removes the journal. 0, or -errno when the write failed. A no-op if not set. */
int hr_sysknob_restore(HrSysKnob *k);
