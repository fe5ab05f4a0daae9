/* SPDX-License-Identifier: MIT */
/* Helper programs the daemon runs (the warning hook, criu): spawned without a shell, in a process group of
 * their own, bounded in time, their exit seen through a pidfd on the event loop and reported once. */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "daemon/loop.h"
#include "shared/macros.h"

typedef struct HrChild HrChild;

/* Called once when the child has ended (and been reaped): code CLD_EXITED with status the exit
 * status, or CLD_KILLED/CLD_DUMPED with the signal; c->timed_out says its bound ran out first. */
typedef void (*hr_child_done_fn)(HrChild *c, int code, int status);

struct HrChild {
        int pidfd;         /* -EBADF: not running */
        int timer_fd;
        pid_t pid;         /* also its process group */
        usec_t started;
        bool timed_out;
        HrLoop *loop;
        hr_child_done_fn done;
        void *userdata;
};

void hr_child_init(HrChild *c);

static inline bool hr_child_running(const HrChild *c) {
        return c->pidfd >= 0;
}

/* Starts argv[0] (an absolute path) with envp (NULL: the daemon's environment), stdin from /dev/null and
 * stdout/stderr to out_fd (-1: the daemon's), all signals unblocked and default, in a new process group.
 * After `bound` the group gets SIGKILL. done runs from the loop when it has ended. 0 or -errno; on an
 * error nothing is left running. */
int hr_child_spawn(HrChild *c, HrLoop *loop, char *const argv[], char *const envp[], int out_fd, usec_t bound,
                   hr_child_done_fn done, void *userdata);

/* Shutdown: waits up to `wait` for the child to end by itself, then kills its group; reaps it and calls
 * done. A no-op when it is not running. Blocks: only for the daemon's exit. */
void hr_child_finish(HrChild *c, usec_t wait);
