/* SPDX-License-Identifier: MIT */
/* The executor: every action goes to a process pinned by pidfd and start time (a reused PID is never
 * hit); freezes use the cgroup freezer where the process has a cgroup of its own, else SIGSTOP, and are
 * undone the same way; victims get SIGTERM, a grace on the loop's timer, then SIGKILL and
 * process_mrelease; the registry on disk mirrors what is held after every change. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "core/classify.h"
#include "daemon/executor.h"
#include "daemon/log.h"
#include "daemon/monitor.h"
#include "daemon/record.h"
#include "io/cgctl.h"
#include "io/pidfd.h"
#include "shared/zero.h"

static uint64_t unix_usec(void) {
        struct timespec ts;
        (void) clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000;
}

static void save_registry(HrExecutor *ex) {
        if (!ex->registry_path[0])
                return;
        int r = hr_registry_save(&ex->registry, ex->registry_path);
        if (r < 0 && !ex->registry_failing)
                log_error_errno(r, "%s: cannot save the registry (%m): a crash now would leave frozen processes "
                                "to thaw by hand", ex->registry_path);
        else if (r == 0 && ex->registry_failing)
                log_notice("%s: registry saved again", ex->registry_path);
        ex->registry_failing = r < 0;
}

static void on_criu_done(void *userdata, HrCriuRun *run, bool ok, const char *why);

void hr_executor_init_closed(HrExecutor *ex) {
        hr_zero_sparse(ex, sizeof *ex);
        ex->timer_fd = -EBADF;
        hr_hooks_init(&ex->hooks);
        hr_criu_init(&ex->criu, on_criu_done, ex);
        hr_pager_init_closed(&ex->pager);
}

int hr_executor_init(HrExecutor *ex, const HrSysroot *root, const char *runtime_dir) {
        hr_executor_init_closed(ex);
        ex->root = root;
        /* pidfds name real processes: identities read from a fixture tree must never pick one. */
        if (root->path[0])
                return log_error_errno(-EXDEV, "%s: actions need the real system's /proc, not a fixture root "
                                       "(use --dry-run with --root)", root->path);
        if (runtime_dir && runtime_dir[0]) {
                /* 0755: the control socket lives here too, its own mode says who may connect; the
                 * registry file is 0600. */
                if (mkdir(runtime_dir, 0755) < 0 && errno != EEXIST)
                        return log_error_errno(-errno, "%s: cannot create the runtime directory: %m", runtime_dir);
                int n = snprintf(ex->registry_path, sizeof ex->registry_path, "%s/registry.json", runtime_dir);
                if (n < 0 || (size_t) n >= sizeof ex->registry_path)
                        return log_error_errno(-ENAMETOOLONG, "%s: runtime directory path too long", runtime_dir);
        }
        ex->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        if (ex->timer_fd < 0)
                return log_error_errno(-errno, "timerfd_create() failed: %m");
        int r = hr_pager_init(&ex->pager, root);
        if (r < 0)
                log_warning_errno(r, "Page-out unavailable: %m"); /* the rest works without it */
        return 0;
}

void hr_executor_done(HrExecutor *ex) {
        hr_pager_done(&ex->pager);
        hr_criu_finish(&ex->criu);
        hr_hooks_done(&ex->hooks);
        for (unsigned i = 0; i < ex->n_watches; i++)
                ex->watches[i].fd = hr_close(ex->watches[i].fd);
        for (unsigned i = 0; i < ex->n_victims; i++)
                ex->victims[i].pidfd = hr_close(ex->victims[i].pidfd);
        ex->timer_fd = hr_close(ex->timer_fd);
}

/* ---- freezing ---- */

static void unwatch(HrExecutor *ex, HrFreezeWatch *w) {
        if (ex->loop)
                (void) hr_loop_remove_fd(ex->loop, w->fd);
        w->fd = hr_close(w->fd);
}

static void unwatch_cgroup(HrExecutor *ex, const char *cgroup) {
        for (unsigned i = 0; i < ex->n_watches; i++)
                if (ex->watches[i].fd >= 0 && strcmp(ex->watches[i].cgroup, cgroup) == 0)
                        unwatch(ex, &ex->watches[i]);
}

static int thaw_entry(HrExecutor *ex, const HrRegistryEntry *e) {
        int fd, r;

        if (e->method == HR_FREEZE_CGROUP) {
                unwatch_cgroup(ex, e->cgroup);
                return hr_cgroup_set_frozen(ex->root, e->cgroup, false);
        }
        r = hr_pidfd_pin(ex->root, e->pid, e->start_time, &fd);
        if (r < 0)
                return r;
        r = hr_pidfd_send(fd, SIGCONT);
        (void) close(fd);
        return r;
}

/* The cgroup freezer is used when the process has a cgroup of its own (an app scope or service holding
 * only it), or the rule says act on the whole cgroup; otherwise SIGSTOP, which stops just the process. */
static HrFreezeMethod freeze_method(HrExecutor *ex, const HrAction *a) {
        if (!a->cgroup[0] || strcmp(a->cgroup, "/") == 0 || ex->root->cgroup2_fd < 0)
                return HR_FREEZE_SIGSTOP;
        if (a->whole_cgroup)
                return HR_FREEZE_CGROUP;
        if (hr_cgroup_is_app_unit(a->cgroup) && hr_cgroup_count_procs(ex->root, a->cgroup) == 1)
                return HR_FREEZE_CGROUP;
        return HR_FREEZE_SIGSTOP;
}

static int do_freeze(HrExecutor *ex, HrFreezeMethod m, const HrAction *a, int pidfd) {
        return m == HR_FREEZE_CGROUP ? hr_cgroup_set_frozen(ex->root, a->cgroup, true) : hr_pidfd_send(pidfd, SIGSTOP);
}

/* ---- victims ---- */

static HrVictim *victim_slot(HrExecutor *ex) {
        for (unsigned i = 0; i < ex->n_victims; i++)
                if (ex->victims[i].pidfd < 0)
                        return &ex->victims[i];
        if (ex->n_victims >= HR_VICTIMS_MAX)
                return NULL;
        ex->victims[ex->n_victims].pidfd = -EBADF;
        return &ex->victims[ex->n_victims++];
}

static void arm_grace_timer(HrExecutor *ex) {
        usec_t next = USEC_INFINITY;
        for (unsigned i = 0; i < ex->n_victims; i++)
                if (ex->victims[i].pidfd >= 0 && !ex->victims[i].killed)
                        next = MIN(next, ex->victims[i].kill_at);
        for (unsigned i = 0; i < ex->n_watches; i++)
                if (ex->watches[i].fd >= 0)
                        next = MIN(next, ex->watches[i].deadline);
        struct itimerspec its = {};
        if (next != USEC_INFINITY) {
                usec_t now = hr_now(), d = next > now ? next - now : 1;
                its.it_value = (struct timespec) { .tv_sec = (time_t) (d / USEC_PER_SEC),
                                                   .tv_nsec = (long) (d % USEC_PER_SEC) * 1000 };
        }
        if (ex->timer_fd >= 0)
                (void) timerfd_settime(ex->timer_fd, 0, &its, NULL);
}

static void kill_victim(HrExecutor *ex, HrVictim *v, const char *why) {
        int r = v->whole_cgroup ? hr_cgroup_kill(ex->root, v->cgroup) : hr_pidfd_send(v->pidfd, SIGKILL);
        if (r < 0 && r != -ESRCH) {
                log_error_errno(r, "SIGKILL %d (%s) failed: %m", (int) v->pid, v->comm);
                ex->n_failed++;
        }
        v->killed = true;
        v->kill_at = USEC_INFINITY;
        ex->n_killed++;
        /* Give the memory back now rather than when the victim gets round to exiting. */
        r = hr_pidfd_mrelease(v->pidfd);
        log_notice("SIGKILL %d (%s, priority %d)%s%s, %s; %s: %s", (int) v->pid, v->comm, v->priority,
                   v->whole_cgroup ? " and its cgroup " : "", v->whole_cgroup ? v->cgroup : "", why,
                   r == 0 ? "memory released" : r == -ENOSYS ? "memory returns on exit (no process_mrelease)"
                                              : "memory returns on exit",
                   v->why);
}

static void victim_gone(HrExecutor *ex, HrVictim *v) {
        usec_t took = hr_now() - v->signalled_at;
        log_notice("%d (%s, priority %d) is gone after %llu ms: %s", (int) v->pid, v->comm, v->priority,
                   (unsigned long long) (took / USEC_PER_MSEC), v->why);
        (void) hr_loop_remove_fd(ex->loop, v->pidfd);
        v->pidfd = hr_close(v->pidfd);
        if (hr_registry_remove(&ex->registry, v->pid, v->start_time) > 0)
                save_registry(ex);
        arm_grace_timer(ex);
}

static int on_victim_exit(HrLoop *l, int fd, uint32_t revents, void *userdata) {
        HrExecutor *ex = userdata;
        (void) l;
        (void) revents;
        for (unsigned i = 0; i < ex->n_victims; i++)
                if (ex->victims[i].pidfd == fd) {
                        victim_gone(ex, &ex->victims[i]);
                        break;
                }
        return 0;
}

static int on_grace_timer(HrLoop *l, int fd, uint32_t revents, void *userdata) {
        HrExecutor *ex = userdata;
        uint64_t expirations;
        usec_t now = hr_now();
        (void) l;
        (void) revents;

        (void) !read(fd, &expirations, sizeof expirations);
        for (unsigned i = 0; i < ex->n_victims; i++) {
                HrVictim *v = &ex->victims[i];
                if (v->pidfd >= 0 && !v->killed && v->kill_at <= now)
                        kill_victim(ex, v, "grace over");
        }
        for (unsigned i = 0; i < ex->n_watches; i++) {
                HrFreezeWatch *w = &ex->watches[i];
                if (w->fd < 0 || w->deadline > now)
                        continue;
                /* Still freezing: a task in uninterruptible sleep (I/O, a vfork parent) holds it up. The
                 * freeze stays requested (the kernel completes it) and is undone like any other. */
                log_warning("%s: not frozen %llu ms after cgroup.freeze (a task in uninterruptible sleep?); "
                            "left requested, thawed with the rest",
                            w->cgroup, (unsigned long long) ((now - w->since) / USEC_PER_MSEC));
                ex->n_freeze_slow++;
                unwatch(ex, w);
        }
        arm_grace_timer(ex);
        return 0;
}

/* ---- confirming cgroup freezes ---- */

static int on_freeze_event(HrLoop *l, int fd, uint32_t revents, void *userdata) {
        HrExecutor *ex = userdata;
        bool frozen = false, populated = true;
        (void) l;
        (void) revents;

        for (unsigned i = 0; i < ex->n_watches; i++) {
                HrFreezeWatch *w = &ex->watches[i];
                if (w->fd != fd)
                        continue;
                int r = hr_cgroup_events_read(fd, &frozen, &populated);
                if (r < 0 || frozen || !populated) {
                        if (r < 0 && r != -ENODEV && r != -ENOENT)
                                log_warning_errno(r, "%s/cgroup.events: cannot read (%m); freeze not confirmed", w->cgroup);
                        else if (r == 0)
                                log_info("%s: %s after %llu ms", w->cgroup, frozen ? "frozen" : "empty",
                                         (unsigned long long) ((hr_now() - w->since) / USEC_PER_MSEC));
                        unwatch(ex, w);
                        arm_grace_timer(ex);
                }
                break;
        }
        return 0;
}

/* After writing cgroup.freeze: the kernel freezes asynchronously; cgroup.events says when it is done. */
static void watch_freeze(HrExecutor *ex, const char *cgroup) {
        HrFreezeWatch *w = NULL;
        bool frozen = false;
        int fd, r;

        unwatch_cgroup(ex, cgroup);
        fd = hr_cgroup_events_open(ex->root, cgroup);
        if (fd < 0)
                return;
        /* The first read sets the baseline for EPOLLPRI; the freeze may already be complete. */
        r = hr_cgroup_events_read(fd, &frozen, NULL);
        if (r < 0 || frozen || !ex->loop) {
                if (r == 0 && frozen)
                        log_info("%s: frozen at once", cgroup);
                (void) close(fd);
                return;
        }
        for (unsigned i = 0; i < ex->n_watches && !w; i++)
                if (ex->watches[i].fd < 0)
                        w = &ex->watches[i];
        if (!w && ex->n_watches < HR_FREEZE_WATCH_MAX) {
                w = &ex->watches[ex->n_watches++];
                w->fd = -EBADF;
        }
        if (!w || hr_loop_add_fd(ex->loop, fd, EPOLLPRI, on_freeze_event, ex) < 0) {
                (void) close(fd);
                return; /* not confirmed: it still freezes, and is still undone */
        }
        *w = (HrFreezeWatch) { .fd = fd, .since = hr_now() };
        w->deadline = w->since + HR_FREEZE_CONFIRM_USEC;
        (void) snprintf(w->cgroup, sizeof w->cgroup, "%s", cgroup);
        arm_grace_timer(ex);
}

int hr_executor_attach(HrExecutor *ex, HrLoop *loop) {
        ex->loop = loop;
        hr_hooks_attach(&ex->hooks, loop);
        hr_criu_attach(&ex->criu, loop);
        if (ex->pager.efd >= 0 && hr_pager_attach(&ex->pager, loop) < 0)
                log_warning("Page-out unavailable: cannot watch its worker");
        return hr_loop_add_fd(loop, ex->timer_fd, EPOLLIN, on_grace_timer, ex);
}

/* Sends SIGTERM (grace > 0) or SIGKILL and watches the pidfd. Takes over pidfd. frozen: the victim's freeze
 * record, if we hold it frozen: a frozen process cannot act on SIGTERM, so it is thawed first (SIGKILL needs
 * no thaw). */
static int start_victim(HrExecutor *ex, const HrAction *a, int pidfd, usec_t now, const HrRegistryEntry *frozen) {
        HrVictim *v = victim_slot(ex);
        int r;

        if (!v) {
                (void) close(pidfd);
                return -EBUSY;
        }
        if (frozen && a->type == HR_ACTION_TERMINATE)
                (void) thaw_entry(ex, frozen);

        *v = (HrVictim) {
                .pidfd = pidfd,
                .pid = a->pid,
                .start_time = a->start_time,
                .whole_cgroup = a->whole_cgroup,
                .signalled_at = now,
                .kill_at = now + a->grace_usec,
        };
        (void) hr_log_safe(a->comm, v->comm, sizeof v->comm); /* only ever printed */
        (void) snprintf(v->cgroup, sizeof v->cgroup, "%s", a->cgroup);
        (void) snprintf(v->why, sizeof v->why, "%s", a->why);
        v->priority = a->priority;

        if (ex->loop) {
                r = hr_loop_add_fd(ex->loop, pidfd, EPOLLIN, on_victim_exit, ex);
                if (r < 0) {
                        v->pidfd = hr_close(v->pidfd);
                        return r;
                }
        }
        if (a->type == HR_ACTION_KILL || a->grace_usec == 0)
                kill_victim(ex, v, "no grace at this level");
        else {
                r = hr_pidfd_send(pidfd, SIGTERM);
                if (r < 0) {
                        if (ex->loop)
                                (void) hr_loop_remove_fd(ex->loop, pidfd);
                        v->pidfd = hr_close(v->pidfd);
                        return r;
                }
                ex->n_terminated++;
        }
        arm_grace_timer(ex);
        return 0;
}

static int registry_put(HrExecutor *ex, const HrAction *a, HrTrackedState state, HrFreezeMethod m);

/* Records a's process as `state` (TERMINATING, CHECKPOINTED) and saves the registry, ahead of the action. One we
 * hold frozen keeps its freeze method in that record until the thaw that goes ahead of the action, so a crash
 * in between still thaws it. *before gets the record it had; returns whether it had one. */
static bool record_ahead(HrExecutor *ex, const HrAction *a, HrTrackedState state, HrRegistryEntry *before) {
        const HrRegistryEntry *held = hr_registry_find(&ex->registry, a->pid, a->start_time);
        if (held)
                *before = *held;
        bool frozen = held && held->state == HR_TRACKED_FROZEN;
        if (registry_put(ex, a, state, frozen ? before->method : HR_FREEZE_NONE) == 0)
                save_registry(ex);
        return held != NULL;
}

/* Ends a victim (TERMINATE or KILL), recorded ahead: the TERMINATING entry is saved before the signal (and
 * before `say`, the action's log line, if given), so a crash between the two leaves a record and the next
 * start takes the victim over (watches it, SIGKILL after a grace) instead of choosing and signalling it
 * again. On failure the record is put back as it was (saved with the plan). Takes over pidfd. */
static int end_victim(HrExecutor *ex, const HrAction *a, int pidfd, usec_t now, const char *say) {
        HrRegistryEntry before;
        bool held = record_ahead(ex, a, HR_TRACKED_TERMINATING, &before);
        bool frozen = held && before.state == HR_TRACKED_FROZEN;
        int r;

        if (say)
                log_notice("%s", say);
        r = start_victim(ex, a, pidfd, now, frozen ? &before : NULL);
        if (r < 0) {
                if (held)
                        (void) hr_registry_put(&ex->registry, &before);
                else
                        (void) hr_registry_remove(&ex->registry, a->pid, a->start_time);
                return r;
        }
        if (frozen && a->type == HR_ACTION_TERMINATE) /* thawed now: nothing left to undo (saved with the plan) */
                (void) registry_put(ex, a, HR_TRACKED_TERMINATING, HR_FREEZE_NONE);
        return 0;
}

/* ---- applying a plan ---- */

static int registry_put(HrExecutor *ex, const HrAction *a, HrTrackedState state, HrFreezeMethod m) {
        HrRegistryEntry e = {
                .pid = a->pid,
                .start_time = a->start_time,
                .state = state,
                .method = m,
                .priority = a->priority,
                .since_unix_usec = unix_usec(),
        };
        (void) snprintf(e.cgroup, sizeof e.cgroup, "%s", a->cgroup);
        (void) snprintf(e.comm, sizeof e.comm, "%s", a->comm);
        (void) snprintf(e.why, sizeof e.why, "%s", a->why);
        char safe[HR_COMM_MAX];
        int r = hr_registry_put(&ex->registry, &e);
        if (r == -ENOSPC)
                log_warning("Registry full: %d (%s) is not recorded", (int) a->pid, hr_log_safe(a->comm, safe, sizeof safe));
        else if (r < 0)
                log_warning_errno(r, "Registry: cannot record %d (%s): %m", (int) a->pid,
                                  hr_log_safe(a->comm, safe, sizeof safe));
        return r;
}

/* What never goes with its process group's leader: the untouchables, what the rules keep from being
 * terminated. Session leaders (pid == session: the user's shell) are excluded separately. */
#define GROUP_SPARED                                                                                    \
        (HR_PROC_SELF | HR_PROC_INIT | HR_PROC_KTHREAD | HR_PROC_PROTECTED | HR_PROC_SESSION | HR_PROC_EXEMPT | \
         HR_PROC_NEVER_KILL | HR_PROC_FREEZE_ONLY)

static bool is_victim(const HrExecutor *ex, pid_t pid, uint64_t start_time) {
        for (unsigned i = 0; i < ex->n_victims; i++)
                if (ex->victims[i].pidfd >= 0 && ex->victims[i].pid == pid && ex->victims[i].start_time == start_time)
                        return true;
        return false;
}

/* KillGroup=: after the leader a (already signalled), the other members of its process group in t go
 * the same way, each pinned by its own (pid, start time) and watched as a victim of its own. Appends
 * the member actions that took effect to *done while it holds fewer than done_max (a member left out is
 * still signalled and watched; the policy just does not know it is terminating). */
static void signal_group(HrExecutor *ex, const HrProcTable *t, const HrAction *a, usec_t now, HrActionList *done,
                         unsigned done_max) {
        char leader[HR_COMM_MAX], comm[HR_COMM_MAX], say[512];
        const HrProc *lp = t ? hr_proc_table_find(t, a->pid) : NULL;
        unsigned n = 0;

        (void) hr_log_safe(a->comm, leader, sizeof leader);
        if (!lp || lp->start_time != a->start_time) {
                log_info("%d (%s): not in this scan, its process group is left alone", (int) a->pid, leader);
                return;
        }
        if (lp->pgrp <= 1)
                return;

        for (size_t i = 0; i < t->n; i++) {
                const HrProc *p = &t->procs[i];
                HrAction m;
                int fd = -EBADF, r;

                if (p == lp || p->pgrp != lp->pgrp || p->pid <= 1 || p->pid == p->session || (p->flags & GROUP_SPARED) ||
                    p->state == 'Z' || p->state == 'X' || is_victim(ex, p->pid, p->start_time))
                        continue;

                m = *a;
                m.type = a->type == HR_ACTION_KILL ? HR_ACTION_KILL : HR_ACTION_TERMINATE;
                m.pid = p->pid;
                m.start_time = p->start_time;
                (void) snprintf(m.comm, sizeof m.comm, "%s", p->comm);
                m.priority = p->priority;
                m.whole_cgroup = false; /* the leader's cgroup, if it is to go, goes with the leader */
                m.kill_group = false;
                (void) snprintf(m.cgroup, sizeof m.cgroup, "%s", hr_proc_cgroup(t, p));
                m.freeable_kib = hr_proc_freeable_kib(p);
                (void) hr_log_safe(p->comm, comm, sizeof comm);

                r = hr_pidfd_pin(ex->root, m.pid, m.start_time, &fd);
                if (r == 0 && hr_pidfd_exited(fd) == 1) {
                        (void) close(fd);
                        r = -ESRCH;
                }
                if (r < 0) {
                        if (r != -ESRCH)
                                log_info_errno(r, "%d (%s) of the process group of %d (%s): cannot pin (%m), left alone",
                                               (int) m.pid, comm, (int) a->pid, leader);
                        continue;
                }
                (void) snprintf(say, sizeof say, "%s %d (%s, priority %d) with its process group leader %d (%s): %s",
                                m.type == HR_ACTION_KILL || m.grace_usec == 0 ? "SIGKILL" : "SIGTERM", (int) m.pid, comm,
                                m.priority, (int) a->pid, leader, a->why);
                r = end_victim(ex, &m, fd, now, say);
                if (r < 0) {
                        log_error_errno(r, "%d (%s) of the process group of %d (%s): %s", (int) m.pid, comm, (int) a->pid,
                                        leader, r == -EBUSY ? "too many victims at once, left alone" : "failed: %m");
                        ex->n_failed++;
                        if (r == -EBUSY)
                                break;
                        continue;
                }
                if (done->n < done_max)
                        done->items[done->n++] = m;
                n++;
        }
        if (n > 0)
                log_notice("%d (%s): %u more in its process group %d", (int) a->pid, leader, n, (int) lp->pgrp);
}

/* ---- checkpoint and restore (CRIU) ---- */

static const char *checkpoint_dir(const HrExecutor *ex) {
        return ex->ac && ex->ac->checkpoint_dir[0] ? ex->ac->checkpoint_dir : "/var/lib/headroom/checkpoints";
}

static usec_t criu_bound(const HrExecutor *ex) {
        return ex->ac && ex->ac->checkpoint_timeout_usec ? ex->ac->checkpoint_timeout_usec : 30 * USEC_PER_SEC;
}

/* The total size of the files in dir, in MiB. */
static unsigned long long images_mib(const char *dir) {
        unsigned long long bytes = 0;
        struct dirent *de;
        struct stat st;
        DIR *d = opendir(dir);

        if (!d)
                return 0;
        while ((de = readdir(d)))
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
                        bytes += (unsigned long long) st.st_size;
        (void) closedir(d);
        return bytes >> 20;
}

/* Starts the dump of a CHECKPOINT (recorded ahead: a crash mid-dump leaves a record the next start can
 * check). One we hold frozen is thawed first: criu cannot seize a task in a frozen cgroup, and would dump a
 * stopped one stopped, to be restored stopped; until then its record keeps the freeze method, so a crash in
 * between still thaws it. 0 when criu runs (it owns fd now); otherwise says why and returns -errno, fd still
 * ours. */
static int start_checkpoint(HrExecutor *ex, const HrAction *a, int fd, const char *line) {
        char why[400];
        const char *no = hr_criu_unavailable();
        HrRegistryEntry before;
        int r;

        if (!no && a->checkpoint_auto) {
                no = hr_criu_unlikely(a->pid);
                if (no) {
                        (void) snprintf(why, sizeof why, "Checkpoint=auto and %s", no);
                        no = why;
                }
        }
        if (no) {
                log_warning("%s: cannot checkpoint (%s); terminating instead", line, no);
                return -EOPNOTSUPP;
        }
        if (record_ahead(ex, a, HR_TRACKED_CHECKPOINTED, &before) && before.state == HR_TRACKED_FROZEN) {
                (void) thaw_entry(ex, &before);
                (void) registry_put(ex, a, HR_TRACKED_CHECKPOINTED, HR_FREEZE_NONE); /* saved with the plan */
        }
        r = hr_criu_dump(&ex->criu, a, fd, checkpoint_dir(ex), criu_bound(ex), why, sizeof why);
        if (r < 0) {
                (void) hr_registry_remove(&ex->registry, a->pid, a->start_time);
                log_warning("%s: cannot checkpoint (%s); terminating instead", line, why);
                return r;
        }
        log_notice("%s; criu dumps it to %s/%d-%llu", line, checkpoint_dir(ex), (int) a->pid,
                   (unsigned long long) a->start_time);
        return 0;
}

/* A RESTORE: the images of a checkpoint back to a running process. Always 0: whatever happens, the policy
 * forgets it (a restore that cannot start is not retried; the images stay for a restore by hand). */
static int start_restore(HrExecutor *ex, const HrAction *a, const char *line) {
        char dir[PATH_MAX], why[300];
        const HrRegistryEntry *held = hr_registry_find(&ex->registry, a->pid, a->start_time);

        if (!held || held->state != HR_TRACKED_CHECKPOINTED) {
                log_warning("%s: no checkpoint of it in the registry, nothing to restore", line);
                return 0;
        }
        (void) hr_registry_remove(&ex->registry, a->pid, a->start_time);
        save_registry(ex);
        if (hr_criu_images_dir(checkpoint_dir(ex), a->pid, a->start_time, dir, sizeof dir) < 0 ||
            !hr_criu_has_images(dir)) {
                log_warning("%s: no complete images in %s/%d-%llu, nothing to restore", line, checkpoint_dir(ex),
                            (int) a->pid, (unsigned long long) a->start_time);
                return 0;
        }
        if (hr_criu_restore(&ex->criu, a, dir, criu_bound(ex), why, sizeof why) < 0) {
                log_error("%s: cannot restore (%s); the images stay in %s", line, why, dir);
                ex->n_failed++;
                return 0;
        }
        log_notice("%s; criu restores it from %s", line, dir);
        return 0;
}

static void on_criu_done(void *userdata, HrCriuRun *run, bool ok, const char *why) {
        HrExecutor *ex = userdata;
        HrAction *a = &run->action;
        char comm[HR_COMM_MAX];
        unsigned long long ms = (hr_now() - run->child.started) / USEC_PER_MSEC;
        int fd = run->victim_pidfd;

        (void) hr_log_safe(a->comm, comm, sizeof comm);
        if (run->op == HR_CRIU_RESTORE) {
                if (ok)
                        log_notice("Restored %d (%s, priority %d) from its checkpoint in %llu ms", (int) a->pid, comm,
                                   a->priority, ms);
                else {
                        log_error("Restore of %d (%s, priority %d) failed: %s; its images stay in %s (by hand: criu "
                                  "restore --images-dir %s --shell-job --restore-detached)",
                                  (int) a->pid, comm, a->priority, why, run->dir, run->dir);
                        ex->n_failed++;
                }
                return;
        }

        if (ok) {
                /* criu kills the tree once dumped; make sure, and give the memory back at once. */
                if (fd >= 0 && hr_pidfd_exited(fd) != 1) {
                        (void) hr_pidfd_send(fd, SIGKILL);
                        (void) hr_pidfd_mrelease(fd);
                }
                hr_close(fd);
                ex->n_killed++;
                log_notice("Checkpointed %d (%s, priority %d) to %s in %llu ms (%llu MiB of images), restored when the "
                           "pressure is gone: %s",
                           (int) a->pid, comm, a->priority, run->dir, ms, images_mib(run->dir), a->why);
                return;
        }

        /* criu resumes the tree when a dump fails: the victim still has to go, the old way. */
        ex->resync = true;
        log_warning("Checkpoint of %d (%s, priority %d) failed after %llu ms: %s; terminating instead", (int) a->pid,
                    comm, a->priority, ms, why);
        ex->n_failed++;
        (void) hr_registry_remove(&ex->registry, a->pid, a->start_time);
        if (fd >= 0 && hr_pidfd_exited(fd) != 1) {
                HrAction t = *a;
                t.type = HR_ACTION_TERMINATE;
                (void) end_victim(ex, &t, fd, hr_now(), NULL);
        } else
                hr_close(fd);
        save_registry(ex);
}

/* Carries out one action. Returns 0 when it took effect, -errno otherwise (logged). */
static int apply_one(HrExecutor *ex, HrAction *a, usec_t now) {
        char line[512];
        const HrRegistryEntry *held;
        HrFreezeMethod m = HR_FREEZE_NONE;
        int fd = -EBADF, r;

        hr_action_format(a, line, sizeof line);

        if (a->type == HR_ACTION_RESTORE)
                return start_restore(ex, a, line);
        if (a->type == HR_ACTION_THAW) {
                held = hr_registry_find(&ex->registry, a->pid, a->start_time);
                if (!held) {
                        log_warning("%s: not in the registry, nothing to undo", line);
                        return -ENOENT;
                }
                r = thaw_entry(ex, held);
                if (r < 0 && r != -ESRCH) {
                        log_error_errno(r, "%s: failed: %m", line);
                        return r;
                }
                log_notice("%s%s", line, r == -ESRCH ? " (already gone)" : "");
                (void) hr_registry_remove(&ex->registry, a->pid, a->start_time);
                ex->n_thawed++;
                return 0;
        }

        if (a->type == HR_ACTION_SPARE) {
                log_notice("%s", line);
                ex->n_spared++;
                return 0;
        }

        /* Pin first: from here on only the pidfd names the target, so a reused PID is never hit. */
        r = hr_pidfd_pin(ex->root, a->pid, a->start_time, &fd);
        if (r == 0 && hr_pidfd_exited(fd) == 1) {
                /* A zombie still has its stat (and accepts signals): it holds no memory worth acting on. */
                (void) close(fd);
                r = -ESRCH;
        }
        if (r < 0) {
                log_info("%s: skipped, %s", line, r == -ESRCH ? "the process is gone (or its PID was reused)" : strerror(-r));
                return r;
        }

        switch (a->type) {
        case HR_ACTION_PAGE_OUT:
                /* Only a process still frozen by us: paging out one that runs would only slow it down. */
                held = hr_registry_find(&ex->registry, a->pid, a->start_time);
                if (!held || held->state != HR_TRACKED_FROZEN) {
                        (void) close(fd);
                        log_info("%s: skipped, not frozen by headroom", line);
                        return -ENOENT;
                }
                r = hr_pager_start(&ex->pager, fd, a->pid, line);
                if (r == -EBUSY)
                        return r; /* one at a time: planned again next time */
                if (r < 0) {
                        log_warning_errno(r, "%s: cannot start: %m", line);
                        return r;
                }
                log_info("%s: started", line);
                return 0;
        case HR_ACTION_WARN:
                /* Nothing is done to it: it is told (log, subscribers, the hook) and gets its window. */
                (void) close(fd);
                log_notice("%s; SIGTERM in %llu.%llu s unless the pressure falls", line,
                           (unsigned long long) (a->grace_usec / USEC_PER_SEC),
                           (unsigned long long) (a->grace_usec % USEC_PER_SEC / (USEC_PER_SEC / 10)));
                ex->n_warned++;
                if (ex->ac && ex->ac->warn_hook[0])
                        (void) hr_hook_run(&ex->hooks, ex->ac->warn_hook, a, a->grace_usec);
                return 0;
        case HR_ACTION_FREEZE:
                /* Recorded (and saved) by hr_executor_apply() before any freeze of the plan. */
                held = hr_registry_find(&ex->registry, a->pid, a->start_time);
                if (!held) {
                        (void) close(fd);
                        r = -ENOSPC;
                        break;
                }
                m = held->method;
                r = do_freeze(ex, m, a, fd);
                (void) close(fd);
                if (r < 0)
                        break;
                ex->n_frozen++;
                log_notice("%s [%s]", line, hr_freeze_method_to_string(m));
                if (m == HR_FREEZE_CGROUP)
                        watch_freeze(ex, a->cgroup);
                return 0;
        case HR_ACTION_CHECKPOINT:
                if (start_checkpoint(ex, a, fd, line) == 0)
                        return 0;
                /* Said why: terminated instead, and recorded as such (the policy too, through *a). */
                a->type = HR_ACTION_TERMINATE;
                _fallthrough_;
        case HR_ACTION_TERMINATE:
        case HR_ACTION_KILL:
                r = end_victim(ex, a, fd, now, line);
                if (r < 0)
                        break;
                return 0;
        default:
                (void) close(fd);
                r = -EOPNOTSUPP;
        }
        log_error_errno(r, "%s: failed: %m", line);
        ex->n_failed++;
        return r;
}

void hr_executor_apply(HrExecutor *ex, const HrSnapshot *snap, const HrActionList *plan, HrActionList *done) {
        bool ahead = false;
        int r;

        /* Write-ahead, once per plan: every freeze is on disk before the first happens, so a crash at any
         * point leaves a record for the next start to thaw. Nothing is frozen that could not be recorded. */
        for (unsigned i = 0; i < plan->n; i++)
                if (plan->items[i].type == HR_ACTION_FREEZE)
                        ahead |= registry_put(ex, &plan->items[i], HR_TRACKED_FROZEN,
                                              freeze_method(ex, &plan->items[i])) == 0;
        if (ahead)
                save_registry(ex);

        done->n = 0;
        for (unsigned i = 0; i < plan->n; i++) {
                /* Carried out on the copy in *done: a checkpoint that falls back to terminating says so. */
                HrAction *a = &done->items[done->n];
                *a = plan->items[i];
                /* Under systemd the journal gets the decision as fields too. */
                HrLogFields f = { .action = hr_action_type_to_string(a->type), .target_pid = a->pid,
                                  .target_comm = a->comm, .level = hr_level_to_string(snap->level),
                                  .score_centi = (int) snap->pressure.score_centi };
                hr_log_set_fields(&f);
                r = apply_one(ex, a, snap->now);
                hr_log_set_fields(NULL);
                if (r < 0) {
                        if (a->type == HR_ACTION_FREEZE) /* not frozen after all: no record either */
                                (void) hr_registry_remove(&ex->registry, a->pid, a->start_time);
                        continue;
                }
                done->n++;
                if (a->kill_group &&
                    (a->type == HR_ACTION_TERMINATE || a->type == HR_ACTION_KILL || a->type == HR_ACTION_CHECKPOINT))
                        /* Room is kept for the rest of the plan: a freeze missing from *done would never be
                         * thawed by the policy. */
                        signal_group(ex, snap->procs, a, snap->now, done, HR_ACTIONS_MAX - (plan->n - i - 1));
        }
        if (plan->n > 0)
                save_registry(ex);
}

void hr_executor_sync(HrExecutor *ex, HrPolicyState *s) {
        bool changed = false;

        ex->resync = false;
        /* What only the executor knows: a checkpoint that fell back to terminating; a checkpoint or a victim a
         * previous run left. */
        for (unsigned i = 0; i < ex->registry.n; i++) {
                const HrRegistryEntry *e = &ex->registry.e[i];
                const HrTracked *tr = hr_policy_find(s, e->pid, e->start_time);
                if ((tr && tr->state == HR_TRACKED_CHECKPOINTED && e->state == HR_TRACKED_TERMINATING) ||
                    (!tr && (e->state == HR_TRACKED_CHECKPOINTED || e->state == HR_TRACKED_TERMINATING))) {
                        HrTracked adopt = {
                                .pid = e->pid,
                                .start_time = e->start_time,
                                .state = e->state,
                                .priority = e->priority,
                                .since = hr_now(),
                                .reason = HR_REASON_RECOVERY,
                        };
                        (void) snprintf(adopt.comm, sizeof adopt.comm, "%s", e->comm);
                        (void) snprintf(adopt.cgroup, sizeof adopt.cgroup, "%s", e->cgroup);
                        if (!hr_policy_adopt(s, &adopt))
                                log_warning("%d (%s): no room to track it", (int) e->pid, e->comm);
                }
        }
        for (unsigned i = 0; i < ex->registry.n;) {
                const HrRegistryEntry *e = &ex->registry.e[i];
                if (!hr_policy_find(s, e->pid, e->start_time)) {
                        changed |= hr_registry_remove(&ex->registry, e->pid, e->start_time) > 0;
                        continue; /* the array shifted: look at index i again */
                }
                i++;
        }
        if (changed)
                save_registry(ex);
}

int hr_executor_unfreeze(HrExecutor *ex, pid_t pid, uint64_t start_time) {
        const HrRegistryEntry *e = hr_registry_find(&ex->registry, pid, start_time);
        char safe[HR_COMM_MAX];

        if (!e || e->state != HR_TRACKED_FROZEN)
                return -ENOENT;
        int r = thaw_entry(ex, e);
        if (r < 0 && r != -ESRCH)
                return log_error_errno(r, "Unfreeze %d (%s) failed: %m", (int) pid, hr_log_safe(e->comm, safe, sizeof safe));
        log_notice("thaw %d (%s, priority %d) [%s]: by request", (int) pid, hr_log_safe(e->comm, safe, sizeof safe),
                   e->priority, hr_freeze_method_to_string(e->method));
        ex->n_thawed++;
        (void) hr_registry_remove(&ex->registry, pid, start_time);
        save_registry(ex);
        return 0;
}

unsigned hr_executor_thaw_all(HrExecutor *ex) {
        char safe[HR_COMM_MAX], why[HR_ACTION_WHY_MAX];
        unsigned n = 0;
        for (unsigned i = 0; i < ex->registry.n;) {
                const HrRegistryEntry *e = &ex->registry.e[i];
                if (e->state != HR_TRACKED_FROZEN) {
                        i++;
                        continue;
                }
                int r = thaw_entry(ex, e);
                if (r < 0 && r != -ESRCH)
                        log_error_errno(r, "Thaw %d (%s) failed: %m", (int) e->pid, hr_log_safe(e->comm, safe, sizeof safe));
                else {
                        log_notice("Thawed %d (%s, priority %d) [%s]%s, stopping; frozen for: %s", (int) e->pid,
                                   hr_log_safe(e->comm, safe, sizeof safe), e->priority,
                                   hr_freeze_method_to_string(e->method), r == -ESRCH ? " (already gone)" : "",
                                   hr_log_safe(e->why, why, sizeof why));
                        n += r == 0;
                }
                (void) hr_registry_remove(&ex->registry, e->pid, e->start_time);
        }
        save_registry(ex);
        return n;
}

/* What a victim a previous run had sent SIGTERM gets from the new run before SIGKILL (its own grace is unknown). */
#define TAKEOVER_GRACE_USEC (5 * USEC_PER_SEC)

/* A TERMINATING entry of a previous run whose process still runs: watched like one of ours. One that run
 * still held frozen (it crashed before the thaw that goes ahead of SIGTERM) is thawed first. */
static int take_over_victim(HrExecutor *ex, const HrRegistryEntry *e) {
        HrVictim *v = victim_slot(ex);
        usec_t now = hr_now();
        char thawed[64] = "", safe[HR_COMM_MAX];
        int fd, r;

        if (!v)
                return -EBUSY;
        r = hr_pidfd_pin(ex->root, e->pid, e->start_time, &fd);
        if (r < 0)
                return r;
        if (e->method != HR_FREEZE_NONE) {
                r = thaw_entry(ex, e);
                if (r < 0 && r != -ESRCH)
                        log_error_errno(r, "Previous run: thaw %d (%s) failed: %m", (int) e->pid,
                                        hr_log_safe(e->comm, safe, sizeof safe));
                else
                        (void) snprintf(thawed, sizeof thawed, " and still frozen (thawed [%s])",
                                        hr_freeze_method_to_string(e->method));
        }
        *v = (HrVictim) {
                .pidfd = fd,
                .pid = e->pid,
                .start_time = e->start_time,
                .whole_cgroup = false,
                .signalled_at = now,
                .kill_at = now + TAKEOVER_GRACE_USEC,
                .priority = e->priority,
        };
        (void) hr_log_safe(e->comm, v->comm, sizeof v->comm);
        (void) snprintf(v->cgroup, sizeof v->cgroup, "%s", e->cgroup);
        (void) snprintf(v->why, sizeof v->why, "%s", e->why);
        if (ex->loop) {
                r = hr_loop_add_fd(ex->loop, fd, EPOLLIN, on_victim_exit, ex);
                if (r < 0) {
                        v->pidfd = hr_close(v->pidfd);
                        return r;
                }
        }
        arm_grace_timer(ex);
        ex->resync = true; /* the policy learns it is terminating before it plans */
        log_notice("Previous run: %d (%s, priority %d) was terminating%s; watched, SIGKILL if still there in %llu s: %s",
                   (int) e->pid, v->comm, e->priority, thawed, (unsigned long long) (TAKEOVER_GRACE_USEC / USEC_PER_SEC),
                   v->why);
        return 0;
}

int hr_executor_recover(HrExecutor *ex) {
        char why[256] = "";
        unsigned skipped = 0;
        int r;

        if (!ex->registry_path[0])
                return 0;
        r = hr_registry_load(ex->registry_path, &ex->registry, &skipped, why, sizeof why);
        if (r < 0) {
                if (r == -EBADMSG)
                        log_error("%s: %s; starting with an empty registry", ex->registry_path, why);
                else
                        log_error_errno(r, "%s: cannot read (%m); starting with an empty registry", ex->registry_path);
                ex->registry.n = 0;
                save_registry(ex);
                return r;
        }
        if (skipped > 0)
                log_warning("%s: %u malformed entr%s skipped", ex->registry_path, skipped, skipped == 1 ? "y" : "ies");
        if (ex->registry.n == 0)
                return 0;

        /* Whatever a previous run held: frozen ones are thawed (if still the same process); a victim still
         * terminating is taken over (watched, SIGKILLed if it outlives TAKEOVER_GRACE_USEC, never signalled
         * again before that) and known to the policy, so no second victim is chosen meanwhile; a checkpoint
         * with complete images waits for its restore; anything else is dropped. */
        log_notice("%s: %u entr%s from a previous run", ex->registry_path, ex->registry.n,
                   ex->registry.n == 1 ? "y" : "ies");
        unsigned thawed = 0, kept = 0;
        for (unsigned i = 0; i < ex->registry.n; i++) {
                const HrRegistryEntry *e = &ex->registry.e[i];
                char comm[HR_COMM_MAX], frozen_for[HR_ACTION_WHY_MAX], dir[PATH_MAX];
                (void) hr_log_safe(e->comm, comm, sizeof comm);
                uint64_t st;
                bool running = hr_proc_start_time(ex->root, e->pid, &st) == 0 && st == e->start_time;
                if (e->state == HR_TRACKED_CHECKPOINTED &&
                    hr_criu_images_dir(checkpoint_dir(ex), e->pid, e->start_time, dir, sizeof dir) == 0) {
                        if (!running && hr_criu_has_images(dir)) {
                                log_notice("Previous run: %d (%s, priority %d) waits in its checkpoint %s, restored "
                                           "when the pressure allows", (int) e->pid, comm, e->priority, dir);
                                ex->registry.e[kept++] = *e;
                                continue;
                        }
                        /* The dump never completed (the process runs on, or left no images): nothing to keep. */
                        if (!running)
                                log_warning("Previous run: %d (%s) was checkpointed, but %s holds no complete images; "
                                            "forgotten", (int) e->pid, comm, dir);
                        hr_criu_remove_images(dir);
                        if (!running)
                                continue;
                }
                if (!running) {
                        log_info("Previous run: %d (%s) is gone, forgotten", (int) e->pid, comm);
                        continue;
                }
                if (e->state == HR_TRACKED_TERMINATING) {
                        if (take_over_victim(ex, e) == 0) {
                                ex->registry.e[kept] = *e;
                                ex->registry.e[kept++].method = HR_FREEZE_NONE; /* thawed, if it was held */
                                continue;
                        }
                        log_info("Previous run: %d (%s) was terminating and could not be watched, left as it is",
                                 (int) e->pid, comm);
                        continue;
                }
                /* Anything else still holding a freeze method was frozen when the crash came: a checkpoint
                 * recorded ahead of the thaw that precedes the dump. */
                if (e->state != HR_TRACKED_FROZEN && e->method == HR_FREEZE_NONE) {
                        log_info("Previous run: %d (%s) was %s, left as it is", (int) e->pid, comm,
                                 hr_tracked_state_to_string(e->state));
                        continue;
                }
                r = thaw_entry(ex, e);
                if (r < 0)
                        log_error_errno(r, "Previous run: thaw %d (%s) failed: %m", (int) e->pid, comm);
                else {
                        log_notice("Previous run: thawed %d (%s, priority %d) [%s]; frozen for: %s", (int) e->pid, comm,
                                   e->priority, hr_freeze_method_to_string(e->method),
                                   hr_log_safe(e->why, frozen_for, sizeof frozen_for));
                        thawed++;
                }
        }
        ex->registry.n = kept;
        save_registry(ex);
        return (int) thawed;
}
