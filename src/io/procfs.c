/* SPDX-License-Identifier: MIT */
/* The process scanner: lists <root>/proc, reads each process's files through parse/pidstat.c into an HrProcTable,
 * and carries over from the previous scan what cannot have changed. What it reads, per numeric entry, and why:
 *
 *   stat           always: identity (pid, starttime), ppid, pgrp, session, state, comm, PF_KTHREAD, and the
 *                  activity counters (utime + stime, minflt + majflt, rss pages) that tell whether the rest moved
 *   status         uid, RssAnon / RssFile / RssShmem, VmSwap: what a kill would free and the growth. Read when the
 *                  process is new, ran, faulted or its rss changed since the last scan (or on a refresh);
 *                  otherwise the previous values stand: an idle process costs one file
 *   cmdline, exe, cgroup, oom_score_adj
 *                  what rules match on and the process's own OOM bias. Read for a process not seen before (a new
 *                  (pid, starttime)), after exec (comm changed), and every refresh_every scans (a slot by pid)
 *   oom_score      the kernel's ranking, the last tie-break: read with the above, or when memory changed
 *   <root>/etc/passwd
 *                  uid -> user name for rules; re-read only when its mtime, size or inode changes
 *
 * Not read: statm (status has the split), smaps_rollup (walks page tables under mmap_lock: too slow to poll),
 * environ, fd/. A file costs openat() + read() + close(): procfs and regular files return less than asked only at
 * the end, so one short read() finishes a file. exe needs CAP_SYS_PTRACE (or the same uid) and is "" without it.
 *
 * Races: a process may exit between two of its files (ENOENT / ESRCH): it is skipped, never an error. Files are
 * opened as "<pid>/<name>", so a pid reused between two reads of one scan would mix two processes; that needs the
 * pid space to wrap within microseconds, and actions re-check (pid, starttime) through a pidfd (style 2.12).
 * Once warm (same processes), a scan allocates nothing: every buffer and both tables only ever grow. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "io/procfs.h"
#include "parse/parse.h"
#include "shared/macros.h"

#define BUF_SIZE (16 * 1024)           /* stat, status, cgroup, cmdline (cut at HR_CMDLINE_MAX), exe */
#define STATUS_MAX (4 * 1024 * 1024)   /* status with 65536 supplementary groups is ~450 KiB */
#define SMALL_MAX (64 * 1024)          /* stat, cgroup, oom_*: far more than they ever hold */
#define DENTS_SIZE (64 * 1024)
#define PASSWD_MAX (64 * 1024 * 1024)

/* ---- reading ------------------------------------------------------------------------------------------ */

/* Sets s->rel to "<pid>/", the prefix of every file of the process being read, without snprintf. */
static void set_pid(HrProcScanner *s, pid_t pid) {
        char digits[12];
        size_t nd = 0, o = 0;
        uint32_t v = (uint32_t) pid;

        do {
                digits[nd++] = (char) ('0' + v % 10);
                v /= 10;
        } while (v > 0);
        while (nd > 0)
                s->rel[o++] = digits[--nd];
        s->rel[o++] = '/';
        s->rel_len = o;
}

/* s->rel becomes "<pid>/<name>"; name_len excludes the NUL and fits (the longest is "oom_score_adj"). */
static const char *pid_file(HrProcScanner *s, const char *name, size_t name_len) {
        memcpy(s->rel + s->rel_len, name, name_len + 1);
        return s->rel;
}
#define PID_FILE(s, name) pid_file((s), (name), sizeof(name) - 1)

static int grow_buf(char **buf, size_t *size, size_t want) {
        size_t n = *size;
        char *p;

        while (n < want)
                n *= 2;
        p = realloc(*buf, n);
        if (!p)
                return -ENOMEM;
        *buf = p;
        *size = n;
        return 0;
}

/* openat() + read() of <pid>/<name> (see set_pid) into s->buf, NUL-terminated. Reads until a short read, growing
 * s->buf up to `max` bytes; past that, -EFBIG, or with `cut` the first `max` bytes. Returns the length or -errno. */
static ssize_t read_pid_file(HrProcScanner *s, const char *name, size_t name_len, size_t max, bool cut) {
        size_t n = 0;
        int r;

        s->stats.n_files++;
        _cleanup_close_ int fd = openat(s->proc_fd, pid_file(s, name, name_len), O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        for (;;) {
                size_t want = MIN(s->buf_size - 1, max) - n;
                if (want == 0) {
                        if (n >= max) {
                                if (cut)
                                        break;
                                return -EFBIG;
                        }
                        r = grow_buf(&s->buf, &s->buf_size, MIN(s->buf_size * 2, max + 1));
                        if (r < 0)
                                return r;
                        continue;
                }
                ssize_t k = read(fd, s->buf + n, want);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                n += (size_t) k;
                if ((size_t) k < want)
                        break; /* short: the end */
        }
        s->buf[n] = '\0';
        return (ssize_t) n;
}
#define READ_PID_FILE(s, name, max, cut) read_pid_file((s), (name), sizeof(name) - 1, (max), (cut))

static bool gone(int r) {
        return r == -ENOENT || r == -ESRCH;
}

/* ---- /etc/passwd -------------------------------------------------------------------------------------- */

static int cmp_user(const void *a, const void *b) {
        const HrPasswdUser *x = a, *y = b;
        if (x->uid != y->uid)
                return x->uid < y->uid ? -1 : 1;
        return x->name_off < y->name_off ? -1 : x->name_off > y->name_off; /* the earlier line first */
}

static bool same_file(const struct stat *a, const struct stat *b) {
        return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
               a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static int passwd_load(HrProcScanner *s, int fd) {
        size_t n = 0;
        int r;

        s->n_users = 0;
        for (;;) {
                if (s->passwd_buf_size - n < 2) {
                        if (s->passwd_buf_size >= PASSWD_MAX)
                                return -EFBIG;
                        r = grow_buf(&s->passwd_buf, &s->passwd_buf_size, s->passwd_buf_size * 2);
                        if (r < 0)
                                return r;
                }
                ssize_t k = read(fd, s->passwd_buf + n, s->passwd_buf_size - 1 - n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                n += (size_t) k;
        }
        s->passwd_buf[n] = '\0';

        for (size_t i = 0; i < n;) {
                const char *nl = memchr(s->passwd_buf + i, '\n', n - i);
                size_t l = nl ? (size_t) (nl - s->passwd_buf) - i : n - i;
                HrPasswdLine pl;

                if (hr_parse_passwd_line(s->passwd_buf + i, l, &pl, NULL) == 0) {
                        if (s->n_users == s->users_cap) {
                                size_t cap = MAX(s->users_cap * 2, (size_t) 64);
                                HrPasswdUser *u = realloc(s->users, cap * sizeof *u);
                                if (!u)
                                        return -ENOMEM;
                                s->users = u;
                                s->users_cap = cap;
                        }
                        s->users[s->n_users++] = (HrPasswdUser) {
                                .uid = pl.uid,
                                .name_off = (uint32_t) (pl.name - s->passwd_buf),
                                .name_len = (uint32_t) pl.name_len,
                        };
                }
                i += l + 1;
        }
        qsort(s->users, s->n_users, sizeof *s->users, cmp_user);
        size_t k = 0;
        for (size_t i = 0; i < s->n_users; i++) /* the first entry of a uid wins, as with getpwuid() */
                if (k == 0 || s->users[k - 1].uid != s->users[i].uid)
                        s->users[k++] = s->users[i];
        s->n_users = k;
        return 0;
}

/* Re-reads <root>/etc/passwd when it changed. A missing file means no names; a failed read keeps the old ones. */
static void passwd_refresh(HrProcScanner *s) {
        struct stat st;

        if (fstatat(s->root->root_fd, "etc/passwd", &st, 0) < 0) {
                if (errno == ENOENT && !(s->passwd_loaded && s->passwd_absent)) {
                        s->n_users = 0;
                        s->passwd_loaded = s->passwd_absent = true;
                }
                return;
        }
        if (s->passwd_loaded && !s->passwd_absent && same_file(&st, &s->passwd_st))
                return;

        _cleanup_close_ int fd = openat(s->root->root_fd, "etc/passwd", O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0 || fstat(fd, &st) < 0)
                return;
        if (passwd_load(s, fd) < 0)
                s->n_users = 0; /* unreadable (or past 64 MiB): numbers until the file changes again */
        s->passwd_st = st;
        s->passwd_loaded = true;
        s->passwd_absent = false;
}

static HrPasswdUser *find_user(HrProcScanner *s, uid_t uid) {
        size_t lo = 0, hi = s->n_users;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (s->users[mid].uid == uid)
                        return &s->users[mid];
                if (s->users[mid].uid < uid)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}

/* The user's name in t's arena, copied once per scan; an unknown uid renders as its decimal number. */
static int user_off(HrProcScanner *s, HrProcTable *t, uid_t uid, uint32_t *ret) {
        HrPasswdUser *u = find_user(s, uid);
        int r;

        if (u) {
                if (u->scan_seq != s->seq) {
                        r = hr_proc_table_add_str(t, s->passwd_buf + u->name_off, u->name_len, &u->scan_off);
                        if (r < 0)
                                return r;
                        u->scan_seq = s->seq;
                }
                *ret = u->scan_off;
                return 0;
        }
        if (s->unknown_seq != s->seq || s->unknown_uid != uid) {
                char num[16];
                size_t n = 0;
                char digits[12];
                size_t nd = 0;
                uint32_t v = (uint32_t) uid;
                do {
                        digits[nd++] = (char) ('0' + v % 10);
                        v /= 10;
                } while (v > 0);
                while (nd > 0)
                        num[n++] = digits[--nd];
                r = hr_proc_table_add_str(t, num, n, &s->unknown_off);
                if (r < 0)
                        return r;
                s->unknown_uid = uid;
                s->unknown_seq = s->seq;
        }
        *ret = s->unknown_off;
        return 0;
}

/* ---- listing ------------------------------------------------------------------------------------------ */

/* LSD radix sort, three passes of 11 bits (pids are below 2^31), through s->pids_tmp: linear and allocation-free.
 * procfs lists pids in order already; fixture trees come in the filesystem's hash order. */
static void sort_pids(HrProcScanner *s, size_t n) {
        pid_t *a = s->pids, *b = s->pids_tmp;

        for (unsigned shift = 0; shift < 33; shift += 11) {
                size_t count[2049] = {};
                for (size_t i = 0; i < n; i++)
                        count[(((uint32_t) a[i] >> shift) & 2047u) + 1]++;
                for (size_t d = 1; d < 2049; d++)
                        count[d] += count[d - 1];
                for (size_t i = 0; i < n; i++)
                        b[count[((uint32_t) a[i] >> shift) & 2047u]++] = a[i];
                pid_t *x = a;
                a = b;
                b = x;
        }
        /* Three passes: the result is in pids_tmp. */
        s->pids_tmp = s->pids;
        s->pids = a;
}

/* A pid directory name: 1..INT32_MAX in decimal, no sign, no leading zero. */
static pid_t name_to_pid(const char *name) {
        uint64_t v = 0;

        if (name[0] < '1' || name[0] > '9')
                return 0;
        for (const char *c = name; *c; c++) {
                if (*c < '0' || *c > '9')
                        return 0;
                v = v * 10 + (uint64_t) (*c - '0');
                if (v > INT32_MAX)
                        return 0;
        }
        return (pid_t) v;
}

/* Fills s->pids with the numeric entries of <root>/proc, sorted and unique. */
static int list_pids(HrProcScanner *s, size_t *ret_n) {
        size_t n = 0;
        bool sorted = true;

        if (lseek(s->proc_fd, 0, SEEK_SET) < 0)
                return -errno;
        for (;;) {
                ssize_t k = getdents64(s->proc_fd, s->dents, s->dents_size);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                for (size_t off = 0; off < (size_t) k;) {
                        const struct dirent64 *de = (const struct dirent64 *) (s->dents + off);
                        off += de->d_reclen;
                        if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
                                continue;
                        pid_t pid = name_to_pid(de->d_name);
                        if (pid == 0)
                                continue;
                        if (n == s->pids_cap) {
                                size_t cap = MAX(s->pids_cap * 2, (size_t) 1024);
                                pid_t *p = realloc(s->pids, cap * sizeof *p);
                                if (!p)
                                        return -ENOMEM;
                                s->pids = p;
                                p = realloc(s->pids_tmp, cap * sizeof *p);
                                if (!p)
                                        return -ENOMEM;
                                s->pids_tmp = p;
                                s->pids_cap = cap;
                        }
                        if (n > 0 && pid <= s->pids[n - 1])
                                sorted = false;
                        s->pids[n++] = pid;
                }
        }
        if (!sorted) {
                size_t k = 0;
                sort_pids(s, n);
                for (size_t i = 0; i < n; i++)
                        if (k == 0 || s->pids[k - 1] != s->pids[i])
                                s->pids[k++] = s->pids[i];
                n = k;
        }
        *ret_n = n;
        return 0;
}

/* ---- one process -------------------------------------------------------------------------------------- */

/* A process left out: counted, its strings dropped. Only running out of memory fails the scan. */
static int skip(HrProcScanner *s, HrProcTable *t, size_t arena_mark, pid_t pid, int r) {
        t->arena_used = arena_mark;
        if (r == -ENOMEM || r == -E2BIG)
                return r;
        if (gone(r))
                s->stats.n_vanished++;
        else {
                s->stats.n_failed++;
                s->stats.last_error = r;
                s->stats.last_error_pid = pid;
        }
        return 0;
}

/* A failure reading a file that informs but does not define a process (cmdline, cgroup, oom_*): 0 to go on with an
 * empty field, or the error that drops the process. ENOENT means "gone" only when the process is: a kernel without
 * CONFIG_CGROUPS has no cgroup file, and a fixture may leave files out. One fstatat(), on this rare path only. */
static int optional_file_error(HrProcScanner *s, int r) {
        struct stat st;

        if (r == -ENOMEM || r == -ESRCH)
                return r;
        if (r != -ENOENT)
                return 0;
        return fstatat(s->proc_fd, PID_FILE(s, "stat"), &st, 0) < 0 ? -ENOENT : 0;
}

/* cmdline, cgroup, oom_score_adj and exe into p. Returns 0, -ENOENT/-ESRCH when the process is gone, or -ENOMEM.
 * Other failures leave the field empty: these files inform rules, they do not decide whether a process exists. */
static int read_slow(HrProcScanner *s, HrProcTable *t, HrProc *p) {
        const char *path;
        size_t len;
        ssize_t n;
        int r;

        n = READ_PID_FILE(s, "cmdline", HR_CMDLINE_MAX - 1, /* cut= */ true);
        if (n < 0 && (r = optional_file_error(s, (int) n)) < 0)
                return r;
        if (n > 0) {
                len = hr_parse_cmdline(s->buf, (size_t) n, s->buf, HR_CMDLINE_MAX);
                r = hr_proc_table_add_str(t, s->buf, len, &p->cmdline_off);
                if (r < 0)
                        return r;
        }

        n = READ_PID_FILE(s, "cgroup", SMALL_MAX, /* cut= */ false);
        if (n < 0 && (r = optional_file_error(s, (int) n)) < 0)
                return r;
        if (n >= 0 && hr_parse_pid_cgroup(s->buf, (size_t) n, &path, &len, NULL) == 0) {
                r = hr_proc_table_add_str(t, path, len, &p->cgroup_off);
                if (r < 0)
                        return r;
        }

        n = READ_PID_FILE(s, "oom_score_adj", SMALL_MAX, /* cut= */ false);
        if (n < 0 && (r = optional_file_error(s, (int) n)) < 0)
                return r;
        if (n < 0 || hr_parse_oom_score_adj(s->buf, (size_t) n, &p->oom_score_adj, NULL) < 0)
                p->oom_score_adj = 0;

        /* EACCES for other users' processes without CAP_SYS_PTRACE, ENOENT for zombies: both just "". */
        s->stats.n_files++;
        n = readlinkat(s->proc_fd, PID_FILE(s, "exe"), s->buf, s->buf_size - 1);
        if (n > 0 && (size_t) n < s->buf_size - 1) {
                r = hr_proc_table_add_str(t, s->buf, (size_t) n, &p->exe_off);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Copies a string of the previous scan into t. */
static int carry_str(const HrProcTable *prev, uint32_t off, HrProcTable *t, uint32_t *ret_off) {
        const char *str = hr_proc_str(prev, off);
        return hr_proc_table_add_str(t, str, strlen(str), ret_off);
}

/* Adds pid to t (which has room) unless it is a kernel thread or cannot be read. *cursor walks s->prev along. */
static int scan_one(HrProcScanner *s, pid_t pid, size_t *cursor, HrProcTable *t) {
        const HrProcTable *prev = &s->prev;
        size_t mark = t->arena_used;
        const HrProc *o = NULL;
        HrPidStatus ss;
        HrPidStat st;
        HrProc *p;
        ssize_t n;
        int r;

        set_pid(s, pid);
        n = READ_PID_FILE(s, "stat", SMALL_MAX, /* cut= */ false);
        if (n < 0)
                return skip(s, t, mark, pid, (int) n);
        r = hr_parse_pid_stat(s->buf, (size_t) n, &st, NULL);
        if (r < 0)
                return skip(s, t, mark, pid, r);
        if (st.pid != pid)
                return skip(s, t, mark, pid, -EINVAL);
        /* PF_KTHREAD; and, should a kernel ever not set it, kthreadd with its children. kthreadd is pid 2 with
         * parent 0; in a container's pid namespace pid 2 is an ordinary process (its parent is not 0) and stays. Pids
         * come in ascending order, so pid 2 is seen before its children. */
        if (pid == 2 && st.ppid == 0)
                s->kthreadd = true;
        if ((st.flags & HR_PF_KTHREAD) || (pid == 2 && st.ppid == 0) || (st.ppid == 2 && s->kthreadd)) {
                s->stats.n_kthreads++;
                return 0;
        }

        while (*cursor < prev->n && prev->procs[*cursor].pid < pid)
                (*cursor)++;
        if (*cursor < prev->n) {
                const HrProc *c = &prev->procs[*cursor];
                if (c->pid == pid && c->start_time == st.start_time && strcmp(c->comm, st.comm) == 0)
                        o = c; /* the same instance, not exec'd since (exec keeps the pid and starttime) */
        }
        uint64_t cpu = st.utime + st.stime, faults = st.minflt + st.majflt;
        bool full = !o || s->refresh_every == 1 ||
                    (s->refresh_every > 1 && ((uint64_t) pid + s->seq) % s->refresh_every == 0);
        /* Against the previous stat, not status's RssAnon + RssFile + RssShmem: on 6.18 those never matched stat's
         * rss (202 against 212 pages for an idle child), and every warm scan re-read every status. */
        bool moved = full || cpu != o->cpu_ticks || faults != o->faults || st.rss_pages * s->page_kib != o->stat_rss_kib;

        if (moved) {
                n = READ_PID_FILE(s, "status", STATUS_MAX, /* cut= */ false);
                if (n < 0)
                        return skip(s, t, mark, pid, (int) n);
                r = hr_parse_pid_status(s->buf, (size_t) n, &ss, NULL);
                if (r < 0)
                        return skip(s, t, mark, pid, r);
                if (ss.kthread == 1) {
                        s->stats.n_kthreads++;
                        return 0;
                }
        } else
                ss = (HrPidStatus) {
                        .uid = o->uid,
                        .rss_anon_kib = o->rss_anon_kib,
                        .rss_file_kib = o->rss_file_kib,
                        .rss_shmem_kib = o->rss_shmem_kib,
                        .swap_kib = o->swap_kib,
                };

        p = &t->procs[t->n];
        *p = (HrProc) {
                .pid = pid,
                .ppid = st.ppid,
                .pgrp = st.pgrp,
                .session = st.session,
                .start_time = st.start_time,
                .cpu_ticks = cpu,
                .faults = faults,
                .stat_rss_kib = st.rss_pages * s->page_kib,
                .uid = ss.uid,
                .state = st.state,
                .rss_anon_kib = ss.rss_anon_kib,
                .rss_file_kib = ss.rss_file_kib,
                .rss_shmem_kib = ss.rss_shmem_kib,
                .swap_kib = ss.swap_kib,
                .rule = -1,
                .checkpoint = HR_CHECKPOINT_NO,
        };
        memcpy(p->comm, st.comm, sizeof p->comm);
        /* Idle: no CPU time and no fault since the previous scan; idle since that scan, or since it was first idle. */
        if (o && cpu == o->cpu_ticks && faults == o->faults)
                p->idle_since = o->idle_since ? o->idle_since : prev->scanned_at;

        if (full) {
                r = read_slow(s, t, p);
                if (r < 0)
                        return skip(s, t, mark, pid, r);
        } else {
                if ((r = carry_str(prev, o->cmdline_off, t, &p->cmdline_off)) < 0 ||
                    (r = carry_str(prev, o->exe_off, t, &p->exe_off)) < 0 ||
                    (r = carry_str(prev, o->cgroup_off, t, &p->cgroup_off)) < 0)
                        return skip(s, t, mark, pid, r);
                p->oom_score_adj = o->oom_score_adj;
        }

        /* GPU buffers change only through the process's own ioctls: re-read when it ran (or is new). */
        if (s->gpu_on && moved) {
                HrGpuMemUsage u;
                if (hr_gpumem_read(&s->gpu, s->proc_fd, pid, &u) == 0)
                        p->gpu_kib = u.system_kib - MIN(u.system_shared_kib, u.system_kib);
        } else if (s->gpu_on && o)
                p->gpu_kib = o->gpu_kib;

        if (full || hr_proc_freeable_kib(p) != hr_proc_freeable_kib(o) || p->rss_file_kib != o->rss_file_kib ||
            p->rss_shmem_kib != o->rss_shmem_kib) {
                n = READ_PID_FILE(s, "oom_score", SMALL_MAX, /* cut= */ false);
                if (n < 0 && (r = optional_file_error(s, (int) n)) < 0)
                        return skip(s, t, mark, pid, r);
                if (n < 0 || hr_parse_oom_score(s->buf, (size_t) n, &p->oom_score, NULL) < 0)
                        p->oom_score = 0;
        } else
                p->oom_score = o->oom_score;

        /* Last: nothing after this drops the process, so the user name copied once per scan stays valid. */
        r = user_off(s, t, p->uid, &p->user_off);
        if (r < 0)
                return r;
        if (pid == s->self_pid)
                p->flags |= HR_PROC_SELF;
        if (pid == 1)
                p->flags |= HR_PROC_INIT;
        t->n++;
        return 0;
}

/* ---- the scanner -------------------------------------------------------------------------------------- */

int hr_proc_scanner_open(HrProcScanner *s, const HrSysroot *root) {
        long page = sysconf(_SC_PAGESIZE);
        int r;

        *s = (HrProcScanner) {
                .root = root,
                .proc_fd = -EBADF,
                .self_pid = root->path[0] == '\0' ? getpid() : 0,
                .refresh_every = HR_PROCFS_REFRESH_SCANS,
                .page_kib = page >= 1024 ? (unsigned) (page / 1024) : 4,
        };
        hr_proc_table_init(&s->prev);
        s->proc_fd = openat(root->proc_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (s->proc_fd < 0) {
                r = -errno;
                goto fail;
        }
        s->buf = malloc(BUF_SIZE);
        s->dents = malloc(DENTS_SIZE);
        s->passwd_buf = malloc(4096);
        if (!s->buf || !s->dents || !s->passwd_buf) {
                r = -ENOMEM;
                goto fail;
        }
        s->buf_size = BUF_SIZE;
        s->dents_size = DENTS_SIZE;
        s->passwd_buf_size = 4096;
        s->gpu_ok = hr_gpumem_open(&s->gpu) == 0; /* without it, GPU memory reads as 0 */
        return 0;
fail:
        hr_proc_scanner_close(s);
        return r;
}

void hr_proc_scanner_close(HrProcScanner *s) {
        hr_gpumem_close(&s->gpu);
        s->gpu_ok = s->gpu_on = false;
        s->proc_fd = hr_close(s->proc_fd);
        free(s->buf);
        free(s->dents);
        free(s->pids);
        free(s->pids_tmp);
        free(s->passwd_buf);
        free(s->users);
        hr_proc_table_done(&s->prev);
        s->buf = s->dents = s->passwd_buf = NULL;
        s->pids = s->pids_tmp = NULL;
        s->users = NULL;
        s->buf_size = s->dents_size = s->passwd_buf_size = s->pids_cap = s->n_users = s->users_cap = 0;
        s->passwd_loaded = false;
}

int hr_procfs_scan(HrProcScanner *s, usec_t now, HrProcTable *t) {
        size_t n_pids = 0, cursor = 0;
        int r;

        s->seq++;
        /* A GPU driver may load after start (or an eGPU come and go): look for DRM nodes now and then. */
        if (s->gpu_ok && (s->seq == 1 || s->refresh_every <= 1 || s->seq % s->refresh_every == 0))
                s->gpu_on = hr_gpumem_has_devices(s->root) == 1;
        s->stats = (HrProcScanStats) {};
        s->kthreadd = false;
        passwd_refresh(s); /* names are cosmetic: a failure keeps the previous ones */

        r = list_pids(s, &n_pids);
        if (r < 0)
                goto fail;
        s->stats.n_entries = (unsigned) n_pids;
        r = hr_proc_table_reset(t);
        if (r < 0)
                goto fail;
        r = hr_proc_table_reserve(t, n_pids);
        if (r < 0)
                goto fail;
        for (size_t i = 0; i < n_pids; i++) {
                r = scan_one(s, s->pids[i], &cursor, t);
                if (r < 0)
                        goto fail;
        }
        t->scanned_at = now;
        /* For the lifetime growth of new processes: start_time counts USER_HZ ticks of CLOCK_BOOTTIME. */
        struct timespec bt;
        t->uptime_usec = clock_gettime(CLOCK_BOOTTIME, &bt) == 0 && !s->root->path[0]
                                 ? (usec_t) bt.tv_sec * USEC_PER_SEC + (usec_t) bt.tv_nsec / 1000
                                 : 0; /* a fixture tree's start times are not of this boot */
        long hz = sysconf(_SC_CLK_TCK);
        t->ticks_per_sec = hz > 0 ? (uint32_t) hz : 0;
        s->stats.n_procs = (unsigned) t->n;
        r = hr_proc_table_copy(&s->prev, t);
        if (r < 0)
                goto fail;
        return 0;
fail:
        t->n = 0;
        t->arena_used = t->arena_cap > 0 ? 1 : 0;
        return r;
}
