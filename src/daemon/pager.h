/* SPDX-License-Identifier: MIT */
/* The pager: pages frozen processes out to swap on a worker thread, one at a time, so the event loop never waits
 * on the kernel's reclaim; the loop hears of each result through an eventfd. */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "daemon/loop.h"
#include "io/sysroot.h"
#include "parse/parse.h"
#include "shared/macros.h"

#define HR_PAGER_RANGES_MAX 8192
#define HR_PAGER_LINE_MAX 512

typedef struct HrPager {
        const HrSysroot *root;
        HrLoop *loop;
        int efd;                         /* eventfd: a job is done; -EBADF when not set up */
        pthread_t thread;
        bool have_thread;
        pthread_mutex_t lock;
        pthread_cond_t cond;
        bool have_job, quit, busy;       /* busy: from start until the loop has taken the result */

        /* The job, owned by the worker between start and done. */
        int pidfd;
        pid_t pid;
        char line[HR_PAGER_LINE_MAX];
        char *maps;                      /* the maps file, HR_PAGER_MAPS_MAX bytes */
        HrRange *ranges;                 /* HR_PAGER_RANGES_MAX */
        usec_t started;

        /* Its result. */
        int result;
        uint64_t advised_bytes, span_bytes, anon_before_kib, anon_after_kib;
        usec_t took;

        uint64_t n_done, n_failed, bytes_advised;
} HrPager;

/* Buffers and the eventfd; the thread starts with the first job. */
int hr_pager_init(HrPager *pg, const HrSysroot *root);
void hr_pager_init_closed(HrPager *pg);
int hr_pager_attach(HrPager *pg, HrLoop *loop);

/* Starts paging out the process behind pidfd (taken over: closed when done, or now on failure). line names the
 * action for the log. -EBUSY while another job runs (try again next plan). */
int hr_pager_start(HrPager *pg, int pidfd, pid_t pid, const char *line);

/* Stops the worker (waiting for a job in progress) and frees everything. */
void hr_pager_done(HrPager *pg);
