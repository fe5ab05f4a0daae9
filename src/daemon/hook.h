/* SPDX-License-Identifier: MIT */
/* The warning hook: runs the configured command for a victim about to be terminated, bounded in time,
 * watched on the event loop through a pidfd; never waited for by blocking, never left running. */
#pragma once

#include <sys/types.h>

#include "core/action.h"
#include "daemon/child.h"
#include "daemon/loop.h"

/* Hooks running at once; one more is refused (and logged) rather than queued. */
#define HR_HOOKS_MAX 4
/* Words of the command line (the program and its arguments), before the victim's pid, name and why. */
#define HR_HOOK_WORDS_MAX 16

typedef struct HrHookRun {
        HrChild child;
        pid_t victim;
        char comm[HR_COMM_MAX]; /* log-safe */
        struct HrHooks *hooks;
} HrHookRun;

typedef struct HrHooks {
        HrLoop *loop;
        HrHookRun runs[HR_HOOKS_MAX];
        uint64_t n_started, n_failed, n_timed_out;
} HrHooks;

void hr_hooks_init(HrHooks *h);
void hr_hooks_attach(HrHooks *h, HrLoop *loop);

/* Splits command at blanks into argv (no shell, no quoting): the first word must be an absolute path.
 * Returns the number of words or -EINVAL / -E2BIG, with a reason in why. buf holds the words. */
int hr_hook_split(const char *command, char *buf, size_t size, char **argv, size_t argv_max, const char **why);

/* Runs `command` for the victim of a (a WARN): its words, then the victim's pid, comm and why as three
 * more arguments, with HEADROOM_PID, HEADROOM_COMM, HEADROOM_PRIORITY, HEADROOM_REASON and
 * HEADROOM_WARN_SEC added to the environment; stdin /dev/null, stdout/stderr the daemon's. It gets
 * `bound` to finish: then its process group is killed. Returns 0 or -errno (logged). */
int hr_hook_run(HrHooks *h, const char *command, const HrAction *a, usec_t bound);

/* Kills and reaps every hook still running (shutdown). */
void hr_hooks_done(HrHooks *h);
