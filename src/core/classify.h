/* SPDX-License-Identifier: MIT */
/* Classification: maps each process to a priority 0-100 and flags from the protect list, user rules,
 * built-in rules and the default, then applies the foreground adjustment. Pure. */
#pragma once

#include "core/config.h"
#include "core/proc.h"

typedef struct HrClassifyInput {
        pid_t self_pid;               /* headroomd */
        pid_t foreground_pid;         /* 0: none reported */
        const pid_t *session_ids;     /* sessions of connected callers: never touched (may be NULL) */
        size_t n_session_ids;
} HrClassifyInput;

/* Sets priority, rule, flags (and checkpoint) of every process in t. The first matching [Protect]
 * wins outright: HR_PROC_PROTECTED, its priority if it sets one (else 0), no other rule's flags.
 * Otherwise the first matching rule that sets a priority gives it (and `rule`), never_kill /
 * freeze_only / build / whole_cgroup of every matching rule are OR-ed in, and checkpoint is the
 * strongest any matching rule asks for (yes > auto > no); unmatched: default_priority, rule -1.
 * User rules come before built-ins in HrConfig.rules. Facts are kept, never cleared (HR_PROC_SELF,
 * INIT, KTHREAD, SESSION, NEW), and added: HR_PROC_SELF for self_pid, HR_PROC_INIT for pid 1,
 * HR_PROC_SESSION for a process whose session is in session_ids. The foreground application gets foreground_adjust and HR_PROC_FOREGROUND: the
 * process, its descendants (by ppid, up to 32 generations), and every process sharing its cgroup when that
 * cgroup is an app unit (last component "*.scope" other than a login "session-*.scope", or "app-*.service").
 * Priorities clamp to 0..100. */
void hr_classify(const HrConfig *c, const HrClassifyInput *in, HrProcTable *t);

/* Is cgroup path `cg` a systemd app unit whose processes all belong to one application? */
bool hr_cgroup_is_app_unit(const char *cg);

/* The same, reusing prev's classification (made with the same config) for every process whose identity
 * (pid, start_time) and rule inputs (comm, cmdline, exe, cgroup, user) are unchanged, so a steady
 * table costs string compares instead of regex matches. prev may be NULL (classify everything). */
void hr_classify_since(const HrConfig *c, const HrClassifyInput *in, const HrProcTable *prev, HrProcTable *t);

/* Does rule r match process p? Every given matcher must match; a rule with none matches nothing. */
bool hr_rule_matches(const HrRule *r, const HrProcTable *t, const HrProc *p);
/* The same over the five fields given directly (NULL: the field is unknown, and a matcher on it fails). */
bool hr_rule_matches_subjects(const HrRule *r, const char *const subject[_HR_MATCH_MAX]);
