/* SPDX-License-Identifier: MIT */
/* The warning hook: posix_spawn of the configured command in a process group of its own, its exit seen
 * through a pidfd on the loop, its bound on a timerfd (then SIGKILL to the group), its status logged. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/config.h"
#include "daemon/hook.h"
#include "daemon/log.h"
#include "shared/clock.h"
#include "shared/macros.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* The environment a hook gets: the daemon's, up to this many entries, plus HEADROOM_*. */
#define ENV_MAX 256
#define ENV_OURS 5

extern char **environ;

void hr_hooks_init(HrHooks *h) {
        *h = (HrHooks) {};
        for (unsigned i = 0; i < HR_HOOKS_MAX; i++)
                h->runs[i] = (HrHookRun) { .pidfd = -EBADF, .timer_fd = -EBADF };
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

static HrHookRun *run_of_fd(HrHooks *h, int fd) {
        for (unsigned i = 0; i < HR_HOOKS_MAX; i++)
                if (h->runs[i].pidfd >= 0 && (h->runs[i].pidfd == fd || h->runs[i].timer_fd == fd))
                        return &h->runs[i];
        return NULL;
}

static void run_end(HrHooks *h, HrHookRun *run) {
        if (h->loop) {
                (void) hr_loop_remove_fd(h->loop, run->pidfd);
                (void) hr_loop_remove_fd(h->loop, run->timer_fd);
        }
        run->pidfd = hr_close(run->pidfd);
        run->timer_fd = hr_close(run->timer_fd);
}

/* Reaps the hook (its pidfd said it exited) and logs how it ended. */
static int on_hook_exit(HrLoop *l, int fd, uint32_t revents, void *userdata) {
        HrHooks *h = userdata;
        HrHookRun *run = run_of_fd(h, fd);
        siginfo_t si = {};
        (void) l;
        (void) revents;

        if (!run)
                return 0;
        if (waitid((idtype_t) P_PIDFD, (id_t) run->pidfd, &si, WEXITED | WNOHANG) < 0 || si.si_pid == 0)
                return 0; /* not yet (spurious wake-up) */
        usec_t took = hr_now() - run->started;
        if (run->killed)
                log_warning("Warning hook for %d (%s) killed after %llu ms (its bound)", (int) run->victim, run->comm,
                            (unsigned long long) (took / USEC_PER_MSEC));
        else if (si.si_code == CLD_EXITED && si.si_status == 0)
                log_info("Warning hook for %d (%s) done in %llu ms", (int) run->victim, run->comm,
                         (unsigned long long) (took / USEC_PER_MSEC));
        else {
                log_warning("Warning hook for %d (%s) %s %d after %llu ms", (int) run->victim, run->comm,
                            si.si_code == CLD_EXITED ? "exited with status" : "died of signal", si.si_status,
                            (unsigned long long) (took / USEC_PER_MSEC));
                h->n_failed++;
        }
        run_end(h, run);
        return 0;
}

static void kill_run(HrHookRun *run) {
        if (run->pid <= 0)
                return;
        /* The group: the hook is our unreaped child, so its pid (the group's id) cannot be reused yet. */
        if (kill(-run->pid, SIGKILL) < 0)
                (void) syscall(SYS_pidfd_send_signal, run->pidfd, SIGKILL, NULL, 0);
        run->killed = true;
}

static int on_hook_timer(HrLoop *l, int fd, uint32_t revents, void *userdata) {
        HrHooks *h = userdata;
        HrHookRun *run = run_of_fd(h, fd);
        uint64_t expirations;
        (void) l;
        (void) revents;

        (void) !read(fd, &expirations, sizeof expirations);
        if (run && !run->killed) {
                kill_run(run);
                h->n_timed_out++;
        }
        return 0;
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
        posix_spawn_file_actions_t fa;
        posix_spawnattr_t attr;
        sigset_t none, all;
        const char *why;
        pid_t pid;
        int n, r;

        for (unsigned i = 0; i < HR_HOOKS_MAX && !run; i++)
                if (h->runs[i].pidfd < 0)
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

        /* The daemon blocks the signals its signalfd reads: the hook starts with none blocked, all default,
         * in a process group of its own (so its bound ends whatever it started), reading /dev/null. */
        sigemptyset(&none);
        sigfillset(&all);
        r = posix_spawnattr_init(&attr);
        if (r != 0)
                return log_error_errno(-r, "Warning hook: posix_spawnattr_init() failed: %m");
        (void) posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
        (void) posix_spawnattr_setsigmask(&attr, &none);
        (void) posix_spawnattr_setsigdefault(&attr, &all);
        (void) posix_spawnattr_setpgroup(&attr, 0);
        r = posix_spawn_file_actions_init(&fa);
        if (r != 0) {
                (void) posix_spawnattr_destroy(&attr);
                return log_error_errno(-r, "Warning hook: posix_spawn_file_actions_init() failed: %m");
        }
        (void) posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        r = posix_spawn(&pid, argv[0], &fa, &attr, argv, envp);
        (void) posix_spawn_file_actions_destroy(&fa);
        (void) posix_spawnattr_destroy(&attr);
        if (r != 0) {
                h->n_failed++;
                return log_error_errno(-r, "WarnHook=%s: cannot start %s: %m", command, argv[0]);
        }

        /* Our child, not yet reaped: its pid cannot name anything else until we wait for it. */
        *run = (HrHookRun) { .pid = pid, .victim = a->pid, .started = hr_now(), .pidfd = -EBADF, .timer_fd = -EBADF };
        (void) hr_log_safe(a->comm, run->comm, sizeof run->comm); /* only ever printed */
        run->pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        run->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        reset_oom_score_adj(pid);
        if (run->pidfd < 0 || run->timer_fd < 0 || !h->loop ||
            hr_loop_add_fd(h->loop, run->pidfd, EPOLLIN, on_hook_exit, h) < 0 ||
            hr_loop_add_fd(h->loop, run->timer_fd, EPOLLIN, on_hook_timer, h) < 0) {
                /* Cannot watch it: do not let it run unbounded. */
                r = run->pidfd < 0 || run->timer_fd < 0 ? -errno : -ENOSPC;
                (void) kill(-pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                if (h->loop && run->pidfd >= 0)
                        (void) hr_loop_remove_fd(h->loop, run->pidfd);
                run->pidfd = hr_close(run->pidfd);
                run->timer_fd = hr_close(run->timer_fd);
                h->n_failed++;
                return log_error_errno(r, "Warning hook for %d: cannot watch it (%m), killed", (int) a->pid);
        }
        struct itimerspec its = { .it_value = { .tv_sec = (time_t) (bound / USEC_PER_SEC),
                                                .tv_nsec = (long) (bound % USEC_PER_SEC) * 1000 } };
        if (bound == 0)
                its.it_value.tv_nsec = 1;
        (void) timerfd_settime(run->timer_fd, 0, &its, NULL);
        h->n_started++;
        log_info("Warning hook for %d (%s) started: %s (pid %d, %llu ms at most)", (int) a->pid, run->comm, argv[0],
                 (int) pid, (unsigned long long) (bound / USEC_PER_MSEC));
        return 0;
}

void hr_hooks_done(HrHooks *h) {
        for (unsigned i = 0; i < HR_HOOKS_MAX; i++) {
                HrHookRun *run = &h->runs[i];
                if (run->pidfd < 0)
                        continue;
                kill_run(run);
                if (run->pid > 0)
                        (void) waitpid(run->pid, NULL, 0); /* SIGKILLed: returns at once */
                run_end(h, run);
        }
}
