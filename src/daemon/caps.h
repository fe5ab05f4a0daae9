/* SPDX-License-Identifier: MIT */
/* System mode's privileges: the capabilities headroomd keeps (a documented table), what criu is lent, and the drop at
 * start-up that gives up the rest for good; helpers it starts get none (docs/privileges.md). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"

/* A capability set as a bit mask: bit N is capability number N (CAP_KILL is 1 << 5). */
typedef uint64_t HrCapMask;

#define HR_CAP_BIT(c) ((HrCapMask) 1 << (c))

/* What the process holds after the drop, and how it starts helpers. */
typedef struct HrCapsPlan {
        HrCapMask effective;  /* what the daemon's own code uses: its table, as far as it holds them */
        HrCapMask permitted;  /* effective, plus what is lent to criu */
        HrCapMask bounding;   /* the bounding set afterwards */
        HrCapMask lend;       /* raised as ambient capabilities around criu's spawn only; 0 without checkpointing */
        HrCapMask missing;    /* in the table, but not held at start (the service manager did not give them) */
        unsigned securebits;  /* SECBIT_* to add: NOROOT at least, so helpers exec'd as root gain nothing */
        bool no_new_privs;    /* set PR_SET_NO_NEW_PRIVS (not while criu may restore: its tasks would inherit it) */
} HrCapsPlan;

/* The capabilities headroomd's own code uses, in system mode: the table in caps.c. */
HrCapMask hr_caps_daemon_set(void);

/* "CAP_KILL" for a capability of the table, NULL for others. */
const char *hr_caps_name(int cap);

/* Pure: what to keep, from whether criu may run (config [Checkpoint] Enable=yes, criu installed, CAP_SYS_ADMIN held),
 * the permitted and bounding sets held now, and `all`, every capability the kernel knows. */
void hr_caps_plan(bool checkpoint, HrCapMask permitted, HrCapMask bounding, HrCapMask all, HrCapsPlan *ret);

/* At start-up, after the configuration is loaded, before anything is opened or any thread started: in system mode
 * (euid 0, not --user) reduces the capability sets to hr_caps_plan()'s and logs once what is kept, what is missing
 * and what criu gets. In user mode or without root it does nothing and logs nothing. 0, or -errno (logged) when a
 * reduction it attempted failed: the daemon must then not run. Config decides once: a reload cannot bring back what
 * was dropped. */
int hr_caps_drop(const HrConfig *cfg, bool user_mode);

/* Around criu's spawn (and only there): with on, the lent capabilities become inheritable and ambient, so criu,
 * exec'd as root under SECBIT_NOROOT, starts with them; with off they are taken back. A no-op (0) when nothing is
 * lent. Call it from the loop's thread, the one that spawns every helper: nothing else is spawned in between.
 * 0 or -errno. */
int hr_caps_lend(bool on);

/* Why criu gets nothing after the drop (checkpointing was off at start, criu was not installed, no CAP_SYS_ADMIN to
 * lend), or NULL (also when nothing was dropped: user mode, or before the drop). */
const char *hr_caps_criu_unavailable(void);
