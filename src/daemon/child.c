/* SPDX-License-Identifier: MIT */
/* Helper programs: posix_spawn in a new process group with a clean signal state, a pidfd for the exit and
 * a timerfd for the bound on the loop, SIGKILL to the group when the bound runs out, one reap. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/child.h"
#include "shared/clock.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

extern char **environ;

void hr_child_init(HrChild *c) {
        *c = (HrChild) { .pidfd = -EBADF, .timer_fd = -EBADF };
}

static void kill_group(HrChild *c) {
        /* Our unreaped child: its pid (the group's id) cannot name anything else yet. */
        if (c->pid > 0 && kill(-c->pid, SIGKILL) < 0)
                (void) syscall(SYS_pidfd_send_signal, c->pidfd, SIGKILL, NULL, 0);
}

static void release(HrChild *c) {
        if (c->loop) {
                (void) hr_loop_remove_fd(c->loop, c->pidfd);
                (void) hr_loop_remove_fd(c->loop, c->timer_fd);
        }
        c->pidfd = hr_close(c->pidfd);
        c->timer_fd = hr_close(c->timer_fd);
}

/* Reaps it if it has ended; true when it has (and done has run). */
static bool reap(HrChild *c) {
        siginfo_t si = {};

        if (waitid((idtype_t) P_PIDFD, (id_t) c->pidfd, &si, WEXITED | WNOHANG) < 0 || si.si_pid == 0)
                return false;
        release(c);
        c->pid = 0;
        if (c->done)
                c->done(c, si.si_code, si.si_status);
        return true;
}

static int on_exit_fd(HrLoop *l, int fd, uint32_t revents, void *userdata) {
        HrChild *c = userdata;
        (void) l;
        (void) fd;
        (void) revents;
        (void) reap(c);
        return 0;
}

static int on_bound(HrLoop *l, int fd, uint32_t revents, void *userdata) {
        HrChild *c = userdata;
        uint64_t expirations;
        (void) l;
        (void) revents;

        (void) !read(fd, &expirations, sizeof expirations);
        if (!c->timed_out) {
                c->timed_out = true;
                kill_group(c);
        }
        return 0;
}

int hr_child_spawn(HrChild *c, HrLoop *loop, char *const argv[], char *const envp[], int out_fd, usec_t bound,
                   hr_child_done_fn done, void *userdata) {
        posix_spawn_file_actions_t fa;
        posix_spawnattr_t attr;
        sigset_t none, all;
        pid_t pid;
        int r;

        if (hr_child_running(c) || !loop || !argv[0] || argv[0][0] != '/')
                return -EINVAL;
        /* The daemon blocks the signals its signalfd reads: the child starts with none blocked, all
         * default, in a process group of its own (so its bound ends whatever it started). */
        sigemptyset(&none);
        sigfillset(&all);
        r = posix_spawnattr_init(&attr);
        if (r != 0)
                return -r;
        (void) posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
        (void) posix_spawnattr_setsigmask(&attr, &none);
        (void) posix_spawnattr_setsigdefault(&attr, &all);
        (void) posix_spawnattr_setpgroup(&attr, 0);
        r = posix_spawn_file_actions_init(&fa);
        if (r != 0) {
                (void) posix_spawnattr_destroy(&attr);
                return -r;
        }
        (void) posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        if (out_fd >= 0) {
                (void) posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
                (void) posix_spawn_file_actions_adddup2(&fa, out_fd, STDERR_FILENO);
        }
        r = posix_spawn(&pid, argv[0], &fa, &attr, argv, envp ? envp : environ);
        (void) posix_spawn_file_actions_destroy(&fa);
        (void) posix_spawnattr_destroy(&attr);
        if (r != 0)
                return -r;

        *c = (HrChild) { .pid = pid, .started = hr_now(), .loop = loop, .done = done, .userdata = userdata,
                         .pidfd = -EBADF, .timer_fd = -EBADF };
        c->pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        r = c->pidfd < 0 ? -errno : 0;
        if (r == 0) {
                c->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
                r = c->timer_fd < 0 ? -errno : 0;
        }
        if (r == 0)
                r = hr_loop_add_fd(loop, c->pidfd, EPOLLIN, on_exit_fd, c);
        if (r == 0) {
                r = hr_loop_add_fd(loop, c->timer_fd, EPOLLIN, on_bound, c);
                if (r < 0)
                        (void) hr_loop_remove_fd(loop, c->pidfd);
        }
        if (r < 0) {
                /* Cannot watch it: do not let it run unbounded. */
                (void) kill(-pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                c->loop = NULL;
                release(c);
                c->pid = 0;
                return r;
        }
        struct itimerspec its = { .it_value = { .tv_sec = (time_t) (bound / USEC_PER_SEC),
                                                .tv_nsec = (long) (bound % USEC_PER_SEC) * 1000 } };
        if (bound == 0)
                its.it_value.tv_nsec = 1;
        (void) timerfd_settime(c->timer_fd, 0, &its, NULL);
        return 0;
}

void hr_child_finish(HrChild *c, usec_t wait) {
        if (!hr_child_running(c))
                return;
        struct pollfd p = { .fd = c->pidfd, .events = POLLIN };
        int ms = (int) MIN(wait / USEC_PER_MSEC, (usec_t) 60000);
        if (poll(&p, 1, ms) <= 0) {
                c->timed_out = true;
                kill_group(c);
        }
        while (hr_child_running(c) && !reap(c))
                (void) poll(&p, 1, 100);
}
