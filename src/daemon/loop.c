/* SPDX-License-Identifier: MIT */
/* epoll loop: a static source table (no allocation), hang-ups and errors dispatched before data
 * within each batch, EINTR retried. */
#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "daemon/loop.h"
#include "shared/macros.h"

int hr_loop_init(HrLoop *l) {
        *l = (HrLoop) {};
        for (unsigned i = 0; i < HR_LOOP_MAX_SOURCES; i++)
                l->src[i].fd = -1;
        l->epfd = epoll_create1(EPOLL_CLOEXEC);
        return l->epfd < 0 ? -errno : 0;
}

void hr_loop_done(HrLoop *l) {
        l->epfd = hr_close(l->epfd);
}

int hr_loop_add_fd(HrLoop *l, int fd, uint32_t events, hr_io_fn fn, void *userdata) {
        for (unsigned i = 0; i < HR_LOOP_MAX_SOURCES; i++) {
                if (l->src[i].fd >= 0)
                        continue;
                uint64_t gen = l->src[i].generation + 1;
                struct epoll_event ev = { .events = events, .data.u64 = gen << 16 | i };
                if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
                        return -errno;
                l->src[i] = (HrLoopSource) { .fd = fd, .fn = fn, .userdata = userdata, .generation = gen };
                return 0;
        }
        return -ENOSPC;
}

int hr_loop_modify_fd(HrLoop *l, int fd, uint32_t events) {
        for (unsigned i = 0; i < HR_LOOP_MAX_SOURCES; i++)
                if (l->src[i].fd == fd) {
                        struct epoll_event ev = { .events = events, .data.u64 = l->src[i].generation << 16 | i };
                        return epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) < 0 ? -errno : 0;
                }
        return -ENOENT;
}

int hr_loop_remove_fd(HrLoop *l, int fd) {
        for (unsigned i = 0; i < HR_LOOP_MAX_SOURCES; i++)
                if (l->src[i].fd == fd) {
                        (void) epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
                        l->src[i].fd = -1;
                        return 0;
                }
        return -ENOENT;
}

void hr_loop_quit(HrLoop *l, int result) {
        l->quit = true;
        l->result = result;
}

int hr_loop_run(HrLoop *l) {
        struct epoll_event evs[HR_LOOP_MAX_SOURCES];

        while (!l->quit) {
                int n = epoll_wait(l->epfd, evs, (int) ELEMENTSOF(evs), -1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                l->wakeups++;
                /* Pass 0: errors and hang-ups (a removed cgroup), pass 1: the rest. */
                for (int pass = 0; pass < 2 && !l->quit; pass++)
                        for (int i = 0; i < n && !l->quit; i++) {
                                HrLoopSource *s = &l->src[evs[i].data.u64 & 0xffff];
                                bool err = evs[i].events & (EPOLLERR | EPOLLHUP);
                                /* A callback earlier in this batch may have removed (and reused) the slot. */
                                if (err != (pass == 0) || s->fd < 0 || s->generation != evs[i].data.u64 >> 16)
                                        continue;
                                int r = s->fn(l, s->fd, evs[i].events, s->userdata);
                                if (r < 0)
                                        return r;
                        }
        }
        return l->result;
}
