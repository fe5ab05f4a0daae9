/* SPDX-License-Identifier: MIT */
/* The pager's worker thread and its hand-over to the loop (daemon/pager.h). The worker reads <proc>/PID/maps and
 * the anonymous resident size before and after, and calls process_madvise(MADV_PAGEOUT); nothing else runs on it. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "daemon/log.h"
#include "daemon/pager.h"
#include "io/pageout.h"
#include "shared/clock.h"

#define HR_PAGER_MAPS_MAX (4 * 1024 * 1024)

static uint64_t anon_kib(const HrPager *pg, pid_t pid) {
        char rel[48], buf[4096];
        HrPidStatus st;
        (void) snprintf(rel, sizeof rel, "%d/status", (int) pid);
        ssize_t n = hr_read_at(pg->root->proc_fd, rel, buf, sizeof buf);
        if (n < 0 || hr_parse_pid_status(buf, (size_t) n, &st, NULL) < 0)
                return 0;
        return st.rss_anon_kib;
}

/* One job, on the worker. */
static void run_job(HrPager *pg) {
        char rel[48];
        size_t n = 0;
        ssize_t len;
        HrParseErr pe = {};

        pg->anon_before_kib = anon_kib(pg, pg->pid);
        (void) snprintf(rel, sizeof rel, "%d/maps", (int) pg->pid);
        len = hr_read_at(pg->root->proc_fd, rel, pg->maps, HR_PAGER_MAPS_MAX);
        if (len < 0) {
                pg->result = (int) len;
                return;
        }
        pg->result = hr_parse_maps_ranges(pg->maps, (size_t) len, pg->ranges, HR_PAGER_RANGES_MAX, &n,
                                          &pg->span_bytes, &pe);
        if (pg->result < 0)
                return;
        pg->result = hr_page_out(pg->pidfd, pg->ranges, n, &pg->advised_bytes);
        pg->anon_after_kib = anon_kib(pg, pg->pid);
}

static void *worker(void *userdata) {
        HrPager *pg = userdata;
        uint64_t one = 1;

        pthread_mutex_lock(&pg->lock);
        for (;;) {
                while (!pg->have_job && !pg->quit)
                        pthread_cond_wait(&pg->cond, &pg->lock);
                if (pg->quit)
                        break;
                pthread_mutex_unlock(&pg->lock);
                run_job(pg);
                pg->took = hr_now() - pg->started;
                pthread_mutex_lock(&pg->lock);
                pg->have_job = false;
                (void) !write(pg->efd, &one, sizeof one);
        }
        pthread_mutex_unlock(&pg->lock);
        return NULL;
}

/* On the loop: a job is done. */
static int on_done(HrLoop *l, int fd, uint32_t revents, void *userdata) {
        HrPager *pg = userdata;
        uint64_t v;
        (void) l;
        (void) revents;

        (void) !read(fd, &v, sizeof v);
        pthread_mutex_lock(&pg->lock);
        bool finished = pg->busy && !pg->have_job;
        pthread_mutex_unlock(&pg->lock);
        if (!finished)
                return 0;
        if (pg->result < 0) {
                errno = -pg->result;
                log_warning("%s: failed after %" PRIu64 " ms: %s%s", pg->line, (uint64_t) (pg->took / USEC_PER_MSEC),
                            pg->result == -ENOSYS ? "no process_madvise() (Linux 5.10)" : strerror(-pg->result),
                            pg->result == -EPERM ? " (needs CAP_SYS_NICE)" : "");
                pg->n_failed++;
        } else {
                log_notice("%s: %" PRIu64 " MiB of anonymous memory resident before, %" PRIu64 " MiB after (%" PRIu64
                           " MiB of private mappings advised) in %" PRIu64 " ms",
                           pg->line, pg->anon_before_kib / 1024, pg->anon_after_kib / 1024, pg->advised_bytes >> 20,
                           (uint64_t) (pg->took / USEC_PER_MSEC));
                pg->n_done++;
                pg->bytes_advised += pg->advised_bytes;
        }
        pg->pidfd = hr_close(pg->pidfd);
        pg->busy = false;
        return 0;
}

void hr_pager_init_closed(HrPager *pg) {
        *pg = (HrPager) { .efd = -EBADF, .pidfd = -EBADF };
}

int hr_pager_init(HrPager *pg, const HrSysroot *root) {
        hr_pager_init_closed(pg);
        pg->root = root;
        pg->maps = malloc(HR_PAGER_MAPS_MAX);
        pg->ranges = calloc(HR_PAGER_RANGES_MAX, sizeof *pg->ranges);
        if (!pg->maps || !pg->ranges) {
                hr_pager_done(pg);
                return -ENOMEM;
        }
        pg->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (pg->efd < 0) {
                int r = -errno;
                hr_pager_done(pg);
                return r;
        }
        pthread_mutex_init(&pg->lock, NULL);
        pthread_cond_init(&pg->cond, NULL);
        return 0;
}

int hr_pager_attach(HrPager *pg, HrLoop *loop) {
        if (pg->efd < 0)
                return -EBADF;
        pg->loop = loop;
        return hr_loop_add_fd(loop, pg->efd, EPOLLIN, on_done, pg);
}

int hr_pager_start(HrPager *pg, int pidfd, pid_t pid, const char *line) {
        if (pg->efd < 0 || !pg->loop) {
                (void) close(pidfd);
                return -EBADF;
        }
        if (pg->busy) {
                (void) close(pidfd);
                return -EBUSY;
        }
        if (!pg->have_thread) {
                int r = pthread_create(&pg->thread, NULL, worker, pg);
                if (r != 0) {
                        (void) close(pidfd);
                        return -r;
                }
                pg->have_thread = true;
        }
        pthread_mutex_lock(&pg->lock);
        pg->pidfd = pidfd;
        pg->pid = pid;
        (void) snprintf(pg->line, sizeof pg->line, "%s", line);
        pg->result = 0;
        pg->advised_bytes = pg->span_bytes = pg->anon_before_kib = pg->anon_after_kib = 0;
        pg->started = hr_now();
        pg->busy = pg->have_job = true;
        pthread_cond_signal(&pg->cond);
        pthread_mutex_unlock(&pg->lock);
        return 0;
}

void hr_pager_done(HrPager *pg) {
        if (pg->have_thread) {
                pthread_mutex_lock(&pg->lock);
                pg->quit = true;
                pthread_cond_signal(&pg->cond);
                pthread_mutex_unlock(&pg->lock);
                (void) pthread_join(pg->thread, NULL);
                pg->have_thread = false;
        }
        if (pg->efd >= 0) {
                if (pg->loop)
                        (void) hr_loop_remove_fd(pg->loop, pg->efd);
                pthread_mutex_destroy(&pg->lock);
                pthread_cond_destroy(&pg->cond);
        }
        pg->efd = hr_close(pg->efd);
        pg->pidfd = hr_close(pg->pidfd);
        free(pg->maps);
        free(pg->ranges);
        pg->maps = NULL;
        pg->ranges = NULL;
}
