/* SPDX-License-Identifier: MIT */
/* pidfds: pin one process instance (pid + start time), signal it, release its memory and see it exit,
 * all through the fd so a reaped or reused PID is never hit (kernel-interfaces.md §3.5). */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "io/pidfd.h"
#include "parse/parse.h"
#include "shared/macros.h"

/* The numbers are the same on every architecture but alpha; headers older than the kernel may lack them. */
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_process_mrelease
#define SYS_process_mrelease 448
#endif

/* How often process_mrelease() is retried on EAGAIN (the reaper met a VMA it could not free yet) or EINTR. */
#define MRELEASE_TRIES 3

int hr_proc_start_time(const HrSysroot *root, pid_t pid, uint64_t *ret) {
        /* "7601 (x) S 1 7600 7592 32155 0 -1 4194368 20 0 0 0 0 0 0 0 20 0 1 0 170747 3133440 408 ...":
         * field 22 (170747) is the start time in clock ticks since boot. */
        char rel[32], buf[2048];
        HrPidStat st;
        ssize_t n;
        int r;

        if (pid <= 0)
                return -EINVAL;
        (void) snprintf(rel, sizeof rel, "%d/stat", (int) pid);
        n = hr_read_at(root->proc_fd, rel, buf, sizeof buf);
        if (n == -ENOENT)
                return -ESRCH; /* gone (or never was) */
        if (n < 0)
                return (int) n;
        r = hr_parse_pid_stat(buf, (size_t) n, &st, /* err= */ NULL);
        if (r < 0)
                return r;
        if (st.pid != pid)
                return -EBADMSG; /* not the file we asked for */
        *ret = st.start_time;
        return 0;
}

int hr_pidfd_pin(const HrSysroot *root, pid_t pid, uint64_t start_time, int *ret_fd) {
        uint64_t now;
        int r;

        if (pid <= 0)
                return -EINVAL;
        /* Open first, then check: a pidfd taken on the instance that still has this start time cannot
         * later refer to another process, whatever happens to the PID. */
        _cleanup_close_ int fd = (int) syscall(SYS_pidfd_open, pid, 0u);
        if (fd < 0)
                return -errno; /* ESRCH: no such process; ENOSYS: before 5.3 */
        r = hr_proc_start_time(root, pid, &now);
        if (r < 0)
                return r;
        if (now != start_time)
                return -ESRCH; /* the PID was reused since start_time was read */
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int hr_pidfd_send(int pidfd, int sig) {
        /* CAP_KILL, or the same uid as the target (kill(2) rules) */
        if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0u) < 0)
                return -errno;
        return 0;
}

int hr_pidfd_mrelease(int pidfd) {
        for (unsigned i = 0;; i++) {
                if (syscall(SYS_process_mrelease, pidfd, 0u) == 0)
                        return 0;
                if ((errno != EAGAIN && errno != EINTR) || i + 1 >= MRELEASE_TRIES)
                        return -errno; /* ENOSYS before 5.15: the victim frees its memory itself on exit */
        }
}

int hr_pidfd_exited(int pidfd) {
        struct pollfd p = { .fd = pidfd, .events = POLLIN };

        if (pidfd < 0)
                return -EBADF; /* poll() would skip it and report "running" */
        for (;;) {
                int r = poll(&p, 1, 0);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (r == 0)
                        return 0;
                if (p.revents & POLLNVAL)
                        return -EBADF;
                return (p.revents & (POLLIN | POLLHUP)) ? 1 : 0;
        }
}
