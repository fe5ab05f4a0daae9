/* SPDX-License-Identifier: MIT */
/* Plain data of the process inventory: one HrProc per userspace process and the table that owns
 * them and their strings. Filled by io/procfs.c, classified by core/classify.c, read by the policy. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "shared/macros.h"

#define HR_COMM_MAX 16         /* 15 bytes + NUL, the kernel's TASK_COMM_LEN */
#define HR_CMDLINE_MAX 4096    /* longer command lines are truncated */

typedef enum HrCheckpoint {
        HR_CHECKPOINT_NO,
        HR_CHECKPOINT_YES,
        HR_CHECKPOINT_AUTO,
        _HR_CHECKPOINT_MAX,
        _HR_CHECKPOINT_INVALID = -22,
} HrCheckpoint;

/* Facts about a process that the policy must respect. */
enum {
        HR_PROC_SELF = 1u << 0,        /* headroomd itself */
        HR_PROC_INIT = 1u << 1,        /* PID 1 (of this PID namespace) */
        HR_PROC_KTHREAD = 1u << 2,     /* kernel thread: never in a scan, here for defence in depth */
        HR_PROC_PROTECTED = 1u << 3,   /* matched a [Protect] entry: never touched */
        HR_PROC_NEVER_KILL = 1u << 4,  /* rule: may be frozen, never terminated or killed */
        HR_PROC_FREEZE_ONLY = 1u << 5, /* rule: freeze is the only action allowed */
        HR_PROC_BUILD = 1u << 6,       /* rule: a build workload (compiler, linker, container build) */
        HR_PROC_WHOLE_CGROUP = 1u << 7,/* rule: act on its whole cgroup, not the process */
        HR_PROC_FOREGROUND = 1u << 8,  /* the foreground application (or in its cgroup) */
        HR_PROC_NEW = 1u << 9,         /* first seen in this scan: no growth yet */
        HR_PROC_SESSION = 1u << 10,    /* in a caller's session (headroomctl): never touched */
        HR_PROC_KILL_GROUP = 1u << 11, /* rule: terminating it also signals its process group */
        HR_PROC_EXEMPT = 1u << 12,     /* unfrozen by hand a moment ago: left alone (set per scan, never kept) */
};

typedef struct HrProc {
        pid_t pid;
        pid_t ppid;
        pid_t pgrp;                 /* field 5 of stat */
        pid_t session;              /* field 6 of stat */
        uint64_t start_time;        /* field 22 of /proc/PID/stat, clock ticks since boot: (pid, start_time) is identity */
        uint64_t cpu_ticks;         /* utime + stime (stat fields 14, 15), clock ticks: did it run since the last scan? */
        uint64_t faults;            /* minflt + majflt (stat fields 10, 12): did it touch new memory? */
        uint64_t stat_rss_kib;      /* stat's rss (field 24): did its resident size change? (not status's sum: the
                                     * two are counted differently and need not agree) */
        uid_t uid;                  /* real uid */
        char state;                 /* R S D T t Z X I */
        char comm[HR_COMM_MAX];
        uint32_t cmdline_off;       /* NUL-separated args joined by ' ', into the table's arena */
        uint32_t exe_off;           /* readlink of exe, "" when unreadable */
        uint32_t cgroup_off;        /* cgroup2 path ("/user.slice/..."), "" when none */
        uint32_t user_off;          /* user name, or the uid in decimal */
        uint64_t rss_anon_kib;
        uint64_t rss_file_kib;
        uint64_t rss_shmem_kib;
        uint64_t swap_kib;
        uint64_t gpu_kib;           /* GPU buffers resident in system RAM, not shared (io/gpumem.c); 0 without a GPU */
        int32_t oom_score;          /* 0..2000 */
        int32_t oom_score_adj;      /* -1000..1000 */

        /* Growth of anon + swap, from io/procfs.c's merge with the previous scan. */
        int64_t growth_kib;            /* since the previous scan */
        int64_t growth_kib_per_sec;    /* smoothed (EWMA over scans) */
        usec_t idle_since;             /* the scan since which it has used no CPU and touched no page (0: it ran) */

        /* Classification, from core/classify.c. */
        int32_t priority;           /* 0..100, higher = more expendable, after the foreground adjustment */
        int32_t base_priority;      /* the same before the foreground adjustment */
        int32_t rule;               /* index into HrConfig.rules, -1 for the default */
        uint32_t flags;             /* HR_PROC_* */
        HrCheckpoint checkpoint;
} HrProc;

/* qsort/bsearch order of pid_t values. */
static inline int hr_pid_cmp(const void *a, const void *b) {
        pid_t x = *(const pid_t *) a, y = *(const pid_t *) b;
        return (x > y) - (x < y);
}

/* Flags of a process never touched at all, by any action: PID 1, kernel threads, headroomd, a caller's session,
 * [Protect], one just unfrozen by hand. */
#define HR_PROC_UNTOUCHABLE \
        (HR_PROC_SELF | HR_PROC_INIT | HR_PROC_KTHREAD | HR_PROC_SESSION | HR_PROC_PROTECTED | HR_PROC_EXEMPT)

/* Never touched: those flags, PID 1 itself, or oom_score_adj -1000 (the kernel's own "never OOM-kill this": headroom
 * honours it too). */
static inline bool hr_proc_never_touched(const HrProc *p) {
        return p->pid <= 1 || (p->flags & HR_PROC_UNTOUCHABLE) || p->oom_score_adj <= -1000;
}

/* What killing the process would free: anonymous memory, its swap, and the GPU buffers it alone holds in system
 * RAM (an integrated GPU's: not in RssAnon, not in VmSwap); shared pages stay. */
static inline uint64_t hr_proc_freeable_kib(const HrProc *p) {
        return p->rss_anon_kib + p->swap_kib + p->gpu_kib;
}

typedef struct HrProcTable {
        HrProc *procs;              /* sorted by pid after every scan */
        size_t n, cap;
        char *arena;                /* strings of this scan; offset 0 is always "" */
        size_t arena_used, arena_cap;
        usec_t scanned_at;          /* CLOCK_MONOTONIC of the scan */
        usec_t uptime_usec;         /* CLOCK_BOOTTIME of the scan, the clock start_time counts on; 0: unknown */
        uint32_t ticks_per_sec;     /* unit of start_time (USER_HZ, 100); 0: unknown */
} HrProcTable;

static inline const char *hr_proc_str(const HrProcTable *t, uint32_t off) {
        return t->arena + off;
}
static inline const char *hr_proc_cmdline(const HrProcTable *t, const HrProc *p) {
        return t->arena + p->cmdline_off;
}
static inline const char *hr_proc_exe(const HrProcTable *t, const HrProc *p) {
        return t->arena + p->exe_off;
}
static inline const char *hr_proc_cgroup(const HrProcTable *t, const HrProc *p) {
        return t->arena + p->cgroup_off;
}
static inline const char *hr_proc_user(const HrProcTable *t, const HrProc *p) {
        return t->arena + p->user_off;
}

/* Lifecycle. A table starts zeroed (hr_proc_table_init) and grows by doubling: refilled with the same
 * processes it allocates nothing. hr_proc_table_done frees and re-zeroes it (idempotent). */
void hr_proc_table_init(HrProcTable *t);
void hr_proc_table_done(HrProcTable *t);

/* Empties t for a refill: n = 0, the arena holds only "" at offset 0. Returns 0 or -ENOMEM. */
int hr_proc_table_reset(HrProcTable *t);

/* Room for at least n processes in total. Returns 0 or -ENOMEM (t unchanged). */
int hr_proc_table_reserve(HrProcTable *t, size_t n);

/* Room for n more arena bytes: afterwards t->arena + t->arena_used may be written up to n bytes. */
int hr_proc_table_reserve_str(HrProcTable *t, size_t n);

/* Appends s[0..n) and a NUL to the arena and sets *ret_off to it; n == 0 gives offset 0 (""), which is shared.
 * -ENOMEM, or -E2BIG past 4 GiB of strings (offsets are 32-bit); *ret_off is then untouched. */
int hr_proc_table_add_str(HrProcTable *t, const char *s, size_t n, uint32_t *ret_off);

/* Makes dst an exact copy of src (processes, arena, scanned_at), reusing dst's buffers. 0 or -ENOMEM. */
int hr_proc_table_copy(HrProcTable *dst, const HrProcTable *src);

/* Keeps only the processes whose cgroup is `cgroup` or below it ("/a" keeps "/a" and "/a/b", not "/ab";
 * "/" keeps everything), preserving order. The arena is untouched. For --scope. */
void hr_proc_table_keep_cgroup(HrProcTable *t, const char *cgroup);

/* Binary search by pid in a sorted table; NULL when absent. */
const HrProc *hr_proc_table_find(const HrProcTable *t, pid_t pid);

/* Growth tracking: fills growth_kib / growth_kib_per_sec of every process in cur from prev (the
 * previous scan, may be NULL), matching on (pid, start_time); unmatched processes get HR_PROC_NEW.
 * A process new since prev starts from its lifetime average, what it holds over its age (when cur knows its
 * uptime and tick rate): a leaker seen for the first time mid-incident is already a fast grower, and
 * a long-lived large one is not. On the first scan (prev NULL) every process starts from 0: nothing is known.
 * `alpha_permille` weighs the newest rate in the EWMA. Pure. */
void hr_proc_table_track_growth(const HrProcTable *prev, HrProcTable *cur, unsigned alpha_permille);

/* The EWMA weight for an interval dt that gives the average a time constant of tau, whatever the scan rate:
 * dt / (dt + tau) in permille (1000 when tau is 0). Scans every 5 s at NORMAL and every 100 ms in an emergency
 * then forget an old rate equally fast in seconds. */
unsigned hr_proc_growth_alpha_permille(usec_t dt, usec_t tau);

const char *hr_checkpoint_to_string(HrCheckpoint c);
HrCheckpoint hr_checkpoint_from_string(const char *s);
