/* SPDX-License-Identifier: MIT */
/* The one event loop: epoll over a fixed table of fd sources with callbacks and userdata. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Signals, timers, triggers, up to HR_VICTIMS_MAX victims' pidfds, hooks (two fds each), clients. */
#define HR_LOOP_MAX_SOURCES 256

typedef struct HrLoop HrLoop;

/* Called with the epoll events that fired. A negative return stops the loop with that error. */
typedef int (*hr_io_fn)(HrLoop *l, int fd, uint32_t revents, void *userdata);

typedef struct HrLoopSource {
        int fd; /* -1 when the slot is free */
        hr_io_fn fn;
        void *userdata;
        uint64_t generation; /* bumped on every add: an event queued for a removed fd never reaches its successor */
} HrLoopSource;

struct HrLoop {
        int epfd;
        HrLoopSource src[HR_LOOP_MAX_SOURCES];
        bool quit;
        int result;
        uint64_t wakeups; /* epoll_wait returns with events: what the idle benchmark counts */
};

int hr_loop_init(HrLoop *l);
void hr_loop_done(HrLoop *l);
int hr_loop_add_fd(HrLoop *l, int fd, uint32_t events, hr_io_fn fn, void *userdata);
int hr_loop_remove_fd(HrLoop *l, int fd);
/* Changes the events an added fd is watched for (EPOLLOUT while output is pending). */
int hr_loop_modify_fd(HrLoop *l, int fd, uint32_t events);

/* Runs until hr_loop_quit() or a callback fails. Returns the quit result or the callback's error. */
int hr_loop_run(HrLoop *l);
void hr_loop_quit(HrLoop *l, int result);
