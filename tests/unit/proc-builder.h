/* SPDX-License-Identifier: MIT */
/* Test helper for the core's unit tests: hand-built HrProcTables (procs + string arena) from short specs,
 * and a hand-built HrConfig with fixed action limits, so no test depends on core/config.c's defaults. */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/proc.h"

#define KIB_PER_MIB 1024u
#define MIB(x) ((uint64_t) (x) * KIB_PER_MIB)

/* One process as a test writes it. Zeroed fields mean: state 'S', start_time from the pid, uid 1000. */
typedef struct ProcSpec {
        pid_t pid;
        const char *comm;
        int32_t prio;          /* already classified (policy tests); ignored by hr_classify */
        uint32_t flags;        /* HR_PROC_* */
        const char *cgroup;
        uint64_t anon_mib;
        uint64_t swap_mib;
        uint64_t file_mib;
        int64_t growth_kib_s;
        int32_t oom;
        char state;
        HrCheckpoint ckpt;
        pid_t session;
        const char *cmdline;
        const char *exe;
        const char *user;
        uint64_t start;        /* 0: start_of(pid) */
        pid_t ppid;            /* 0: 1 */
        int32_t oom_adj;       /* oom_score_adj */
} ProcSpec;

static inline uint64_t start_of(pid_t pid) {
        return (uint64_t) pid * 1000u + 7u;
}

static inline uint32_t arena_put(HrProcTable *t, const char *s) {
        size_t n;

        if (!s || !s[0])
                return 0;
        n = strlen(s) + 1;
        if (t->arena_used + n > t->arena_cap) {
                size_t cap = (t->arena_cap + n) * 2;
                char *a = realloc(t->arena, cap);
                if (!a)
                        abort();
                t->arena = a;
                t->arena_cap = cap;
        }
        memcpy(t->arena + t->arena_used, s, n);
        t->arena_used += n;
        return (uint32_t) (t->arena_used - n);
}

static inline void table_done(HrProcTable *t) {
        free(t->procs);
        free(t->arena);
        memset(t, 0, sizeof(*t));
}

static inline void table_init(HrProcTable *t, size_t cap) {
        memset(t, 0, sizeof(*t));
        t->procs = calloc(cap ? cap : 1, sizeof(HrProc));
        t->cap = cap ? cap : 1;
        t->arena = calloc(1, 64);
        t->arena_cap = 64;
        t->arena_used = 1; /* offset 0 is "" */
        if (!t->procs || !t->arena)
                abort();
}

static inline int proc_pid_cmp(const void *a, const void *b) {
        const HrProc *p = a, *q = b;
        return (p->pid > q->pid) - (p->pid < q->pid);
}

/* Appends one spec (table must have room); call table_sort() when done. */
static inline HrProc *table_add(HrProcTable *t, const ProcSpec *s) {
        HrProc *p;

        if (t->n >= t->cap)
                abort();
        p = &t->procs[t->n++];
        *p = (HrProc) {
                .pid = s->pid,
                .ppid = s->ppid ? s->ppid : 1,
                .pgrp = s->pid,
                .session = s->session ? s->session : s->pid,
                .start_time = s->start ? s->start : start_of(s->pid),
                .uid = 1000,
                .state = s->state ? s->state : 'S',
                .rss_anon_kib = MIB(s->anon_mib),
                .rss_file_kib = MIB(s->file_mib),
                .swap_kib = MIB(s->swap_mib),
                .oom_score = s->oom,
                .oom_score_adj = s->oom_adj,
                .growth_kib_per_sec = s->growth_kib_s,
                .priority = s->prio,
                .rule = -1,
                .flags = s->flags,
                .checkpoint = s->ckpt,
        };
        (void) snprintf(p->comm, sizeof(p->comm), "%s", s->comm ? s->comm : "proc");
        p->cmdline_off = arena_put(t, s->cmdline ? s->cmdline : p->comm);
        p->exe_off = arena_put(t, s->exe);
        p->cgroup_off = arena_put(t, s->cgroup);
        p->user_off = arena_put(t, s->user ? s->user : "user");
        return p;
}

static inline void table_sort(HrProcTable *t) {
        qsort(t->procs, t->n, sizeof(HrProc), proc_pid_cmp);
}

/* Builds a table from a spec list ending in { .pid = 0 }. */
static inline void table_from_specs(HrProcTable *t, const ProcSpec *specs) {
        size_t n = 0;

        while (specs && specs[n].pid != 0)
                n++;
        table_init(t, n);
        for (size_t i = 0; i < n; i++)
                (void) table_add(t, &specs[i]);
        table_sort(t);
}

static inline const HrProc *table_find(const HrProcTable *t, pid_t pid) {
        for (size_t i = 0; i < t->n; i++)
                if (t->procs[i].pid == pid)
                        return &t->procs[i];
        return NULL;
}

/* The limits the policy tests are written against (not the shipped defaults, which may be tuned). */
static inline void test_config(HrConfig *c) {
        memset(c, 0, sizeof(*c));
        c->pressure = hr_pressure_config_default; /* the spike budget's reserve and swap credit */
        c->default_priority = 50;
        c->foreground_adjust = -25;
        c->actions = (HrActionConfig) {
                .freeze_enabled = true,
                .freeze_max_per_tick = 4,
                .pause_builds_enabled = true,
                .thaw_max_per_tick = 2,
                .thaw_margin_kib = MIB(256),
                .thaw_min_interval_usec = 2 * USEC_PER_SEC,
                .terminate_enabled = true,
                .terminate_grace_usec = {
                        [HR_LEVEL_HIGH] = 10 * USEC_PER_SEC,
                        [HR_LEVEL_CRITICAL] = 5 * USEC_PER_SEC,
                        [HR_LEVEL_EMERGENCY] = 0,
                },
                .runaway_growth_kib_per_sec = 10 * 1024,
                .kill_enabled = true,
                .kill_cooldown_usec = 10 * USEC_PER_SEC,
                .warn_usec = 3 * USEC_PER_SEC,
                .checkpoint_enabled = false,
                .checkpoint_timeout_usec = 30 * USEC_PER_SEC,
        };
}
