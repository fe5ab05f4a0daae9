/* SPDX-License-Identifier: MIT */
/* The process scanner: one pass over <root>/proc fills an HrProcTable with every userspace process, reusing
 * its buffers and what the previous scan read, so that a warm scan reads few files and allocates nothing. */
#pragma once

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "core/proc.h"
#include "io/gpumem.h"
#include "io/sysroot.h"

/* cmdline, exe, cgroup, oom_score_adj (and status, oom_score) of an unchanged process are re-read at least
 * every this many scans: bounds how stale a cgroup move or a rewritten cmdline can be. */
#define HR_PROCFS_REFRESH_SCANS 10

/* One /etc/passwd entry of the scanner's cache. */
typedef struct HrPasswdUser {
        uid_t uid;
        uint32_t name_off;    /* into HrProcScanner.passwd_buf */
        uint32_t name_len;
        uint32_t scan_off;    /* the name's copy in the table being filled, valid while scan_seq is current */
        uint64_t scan_seq;
} HrPasswdUser;

/* What the last scan did, for debug logs, tests and benchmarks. */
typedef struct HrProcScanStats {
        unsigned n_entries;   /* numeric entries of <root>/proc */
        unsigned n_procs;     /* put in the table */
        unsigned n_kthreads;  /* skipped: kernel threads */
        unsigned n_vanished;  /* skipped: exited during the scan (ENOENT or ESRCH) */
        unsigned n_failed;    /* skipped: stat or status unreadable or malformed; see last_error */
        unsigned n_files;     /* files opened and links read */
        int last_error;       /* negative errno of the last n_failed, 0 when none */
        pid_t last_error_pid;
} HrProcScanStats;

typedef struct HrProcScanner {
        const HrSysroot *root;
        int proc_fd;                /* our own fd of <root>/proc: getdents64() moves its offset */
        pid_t self_pid;             /* gets HR_PROC_SELF: getpid() on the real root, 0 (none) on a fixture until set */
        unsigned refresh_every;     /* HR_PROCFS_REFRESH_SCANS; 1: read every file of every process each scan;
                                     * 0: only for new processes and ones whose comm changed (exec) */
        unsigned page_kib;          /* stat's rss is in pages */
        uint64_t seq;               /* scans started */
        bool kthreadd;              /* this scan saw pid 2 with parent 0, kthreadd: its children are kernel threads */
        HrGpuMem gpu;               /* per-process GPU memory: read only while the machine has a DRM device */
        bool gpu_ok;                /* its buffers are allocated */
        bool gpu_on;                /* <root>/dev/dri has a node: re-checked every refresh_every scans */

        char *buf;                  /* one file at a time; grows for a huge status (a long Groups: line) */
        size_t buf_size;
        char *dents;                /* getdents64() buffer */
        size_t dents_size;
        pid_t *pids;                /* the pids of this scan, sorted */
        pid_t *pids_tmp;            /* as large: the radix sort's other half */
        size_t pids_cap;
        char rel[32];               /* "<pid>/<file>" of the file being read */
        size_t rel_len;             /* of its "<pid>/" */
        HrProcTable prev;           /* the previous scan: what was not re-read comes from here */

        char *passwd_buf;           /* <root>/etc/passwd as last read; the names point into it */
        size_t passwd_buf_size;
        HrPasswdUser *users;        /* sorted by uid, first entry of a uid wins */
        size_t n_users, users_cap;
        bool passwd_loaded;         /* the fields below describe what passwd_buf holds (or its absence) */
        bool passwd_absent;
        struct stat passwd_st;
        uid_t unknown_uid;          /* the last uid rendered as a number in this scan ... */
        uint32_t unknown_off;       /* ... and its copy, valid while unknown_seq is current */
        uint64_t unknown_seq;

        HrProcScanStats stats;      /* of the last scan */
} HrProcScanner;

/* Opens the scanner on root (which must outlive it): its own descriptor of <root>/proc and its buffers.
 * 0 or a negative errno; on failure nothing is left to close. */
int hr_proc_scanner_open(HrProcScanner *s, const HrSysroot *root);

/* Frees everything; idempotent, also after a failed open. */
void hr_proc_scanner_close(HrProcScanner *s);

/* One scan: refills t (kept across calls by the caller, initialised with hr_proc_table_init) in place with the
 * userspace processes of <root>/proc, sorted by pid, and sets t->scanned_at = now. Kernel threads are left out;
 * a process that exits mid-scan, or whose stat or status is unreadable or malformed, is skipped (s->stats counts
 * it). growth_*, priority, rule and checkpoint are left zero (rule -1) for core/ to fill. Returns 0, or a
 * negative errno when <root>/proc cannot be listed or memory runs out; t is then empty. */
int hr_procfs_scan(HrProcScanner *s, usec_t now, HrProcTable *t);
