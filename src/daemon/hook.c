/* SPDX-License-Identifier: MIT */
/* The warning hook: the configured command run as a bounded helper (daemon/child.h) with the victim's pid,
 * name and reason in its arguments and environment; how it ended is logged. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "daemon/hook.h"
#include "daemon/log.h"
#include "shared/clock.h"

/* The environment a hook gets: the daemon's, up to this many entries, plus HEADROOM_*. */
#define ENV_MAX 256
#define ENV_OURS 5

extern char **environ;

void hr_hooks_init(HrHooks *h) {
        *h = (HrHooks) {};
        for (unsigned i = 0; i < HR_HOOKS_MAX; i++)
                hr_child_init(&h->runs[i].child);
}

void hr_hooks_attach(HrHooks *h, HrLoop *loop) {
        h->loop = loop;
}

int hr_hook_split(const char *command, char *buf, size_t size, char **argv, size_t argv_max, const char **why) {
        size_t n = 0, len = strlen(command);
        char *save = NULL;

        *why = NULL;
        if (len >= size) {
                *why = "command line too long";
                return -E2BIG;
        }
        memcpy(buf, command, len + 1);
        for (char *w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
                if (n + 1 >= argv_max) {
                        *why = "too many words (at most 16)";
                        return -E2BIG;
                }
                argv[n++] = w;
        }
        argv[n] = NULL;
        if (n == 0 || argv[0][0] != '/') {
                *why = "the program must be an absolute path (no shell runs it)";
                return -EINVAL;
        }
        return (int) n;
}

static void hook_done(HrChild *c, int code, int status) {
        HrHookRun *run = c->userdata;
        unsigned long long ms = (hr_now() - c->started) / USEC_PER_MSEC;

        if (c->timed_out) {
                log_warning("Warning hook for %d (%s) killed after %llu ms (its bound)", (int) run->victim, run->comm, ms);
                run->hooks->n_timed_out++;
        } else if (code == CLD_EXITED && status == 0)
                log_info("Warning hook for %d (%s) done in %llu ms", (int) run->victim, run->comm, ms);
        else {
                log_warning("Warning hook for %d (%s) %s %d after %llu ms", (int) run->victim, run->comm,
                            code == CLD_EXITED ? "exited with status" : "died of signal", status, ms);
                run->hooks->n_failed++;
        }
}

/* The hook inherits the daemon's oom_score_adj (perhaps -1000): give it the ordinary 0. */
static void reset_oom_score_adj(pid_t pid) {
        char path[64];
        int fd;

        (void) snprintf(path, sizeof path, "/proc/%d/oom_score_adj", (int) pid);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return;
        (void) !write(fd, "0", 1);
        (void) close(fd);
}

int hr_hook_run(HrHooks *h, const char *command, const HrAction *a, usec_t bound) {
        static char words[HR_CONFIG_HOOK_MAX];
        static char env_buf[ENV_OURS][HR_ACTION_WHY_MAX + 32];
        static char *envp[ENV_MAX + ENV_OURS + 1];
        char *argv[HR_HOOK_WORDS_MAX + 4], pid_arg[16];
        HrHookRun *run = NULL;
        const char *why;
        int n, r;

        for (unsigned i = 0; i < HR_HOOKS_MAX && !run; i++)
                if (!hr_child_running(&h->runs[i].child))
                        run = &h->runs[i];
        if (!run) {
                h->n_failed++;
                return log_warning_errno(-EBUSY, "Warning hook for %d: %u hooks still running, not started",
                                         (int) a->pid, HR_HOOKS_MAX);
        }
        n = hr_hook_split(command, words, sizeof words, argv, HR_HOOK_WORDS_MAX + 1, &why);
        if (n < 0) {
                h->n_failed++;
                return log_error_errno(n, "WarnHook=%s: %s", command, why);
        }
        (void) snprintf(pid_arg, sizeof pid_arg, "%d", (int) a->pid);
        argv[n++] = pid_arg;
        argv[n++] = (char *) a->comm;
        argv[n++] = (char *) a->why;
        argv[n] = NULL;

        size_t e = 0;
        for (char **v = environ; v && *v && e < ENV_MAX; v++)
                if (strncmp(*v, "HEADROOM_", 9) != 0)
                        envp[e++] = *v;
        (void) snprintf(env_buf[0], sizeof env_buf[0], "HEADROOM_PID=%d", (int) a->pid);
        (void) snprintf(env_buf[1], sizeof env_buf[1], "HEADROOM_COMM=%s", a->comm);
        (void) snprintf(env_buf[2], sizeof env_buf[2], "HEADROOM_PRIORITY=%d", (int) a->priority);
        (void) snprintf(env_buf[3], sizeof env_buf[3], "HEADROOM_REASON=%s", a->why);
        (void) snprintf(env_buf[4], sizeof env_buf[4], "HEADROOM_WARN_SEC=%llu.%03llu",
                        (unsigned long long) (bound / USEC_PER_SEC),
                        (unsigned long long) (bound % USEC_PER_SEC / USEC_PER_MSEC));
        for (unsigned i = 0; i < ENV_OURS; i++)
                envp[e++] = env_buf[i];
        envp[e] = NULL;

        run->victim = a->pid;
        run->hooks = h;
        (void) hr_log_safe(a->comm, run->comm, sizeof run->comm);
        r = hr_child_spawn(&run->child, h->loop, argv, envp, -1, bound, hook_done, run);
        if (r < 0) {
                h->n_failed++;
                return log_error_errno(r, "WarnHook=%s: cannot start %s: %m", command, argv[0]);
        }
        reset_oom_score_adj(run->child.pid);
        h->n_started++;
        log_info("Warning hook for %d (%s) started: %s (pid %d, %llu ms at most)", (int) a->pid, run->comm, argv[0],
                 (int) run->child.pid, (unsigned long long) (bound / USEC_PER_MSEC));
        return 0;
}

void hr_hooks_done(HrHooks *h) {
        for (unsigned i = 0; i < HR_HOOKS_MAX; i++)
                hr_child_finish(&h->runs[i].child, 0);
}
