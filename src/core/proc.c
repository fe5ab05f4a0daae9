/* SPDX-License-Identifier: MIT */
/* The process table: its lifecycle and string arena, lookup by pid, growth tracking across scans and the
 * checkpoint enum's strings. Pure: no I/O; it only allocates, amortised, when a table must grow. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/proc.h"

void hr_proc_table_init(HrProcTable *t) {
        *t = (HrProcTable) {};
}

void hr_proc_table_done(HrProcTable *t) {
        free(t->procs);
        free(t->arena);
        *t = (HrProcTable) {};
}

/* Grows a buffer to hold at least `need` elements of `size` bytes, doubling (at least `min`). */
static int grow(void **buf, size_t *cap, size_t need, size_t size, size_t min) {
        size_t c = MAX(*cap, min);
        void *p;

        if (need <= *cap)
                return 0;
        while (c < need) {
                if (c > SIZE_MAX / 2 / size)
                        return -ENOMEM;
                c *= 2;
        }
        p = realloc(*buf, c * size);
        if (!p)
                return -ENOMEM;
        *buf = p;
        *cap = c;
        return 0;
}

int hr_proc_table_reserve(HrProcTable *t, size_t n) {
        return grow((void **) &t->procs, &t->cap, n, sizeof *t->procs, 64);
}

int hr_proc_table_reserve_str(HrProcTable *t, size_t n) {
        if (n > SIZE_MAX - t->arena_used)
                return -ENOMEM;
        return grow((void **) &t->arena, &t->arena_cap, t->arena_used + n, 1, 4096);
}

/* Offset 0 is "": create it in a zeroed table's arena. */
static int arena_init(HrProcTable *t) {
        if (t->arena_used > 0)
                return 0;
        if (hr_proc_table_reserve_str(t, 1) < 0)
                return -ENOMEM;
        t->arena[0] = '\0';
        t->arena_used = 1;
        return 0;
}

int hr_proc_table_reset(HrProcTable *t) {
        t->n = 0;
        t->arena_used = 0;
        return arena_init(t);
}

int hr_proc_table_add_str(HrProcTable *t, const char *s, size_t n, uint32_t *ret_off) {
        size_t off;

        if (arena_init(t) < 0)
                return -ENOMEM;
        if (n == 0) {
                *ret_off = 0;
                return 0;
        }
        off = t->arena_used;
        if (n > (size_t) UINT32_MAX - 1 - off)
                return -E2BIG;
        if (hr_proc_table_reserve_str(t, n + 1) < 0)
                return -ENOMEM;
        memcpy(t->arena + off, s, n);
        t->arena[off + n] = '\0';
        t->arena_used = off + n + 1;
        *ret_off = (uint32_t) off;
        return 0;
}

int hr_proc_table_copy(HrProcTable *dst, const HrProcTable *src) {
        if (hr_proc_table_reserve(dst, src->n) < 0)
                return -ENOMEM;
        if (grow((void **) &dst->arena, &dst->arena_cap, MAX(src->arena_used, 1), 1, 4096) < 0)
                return -ENOMEM;
        if (src->n > 0)
                memcpy(dst->procs, src->procs, src->n * sizeof *src->procs);
        if (src->arena_used > 0)
                memcpy(dst->arena, src->arena, src->arena_used);
        else
                dst->arena[0] = '\0';
        dst->n = src->n;
        dst->arena_used = MAX(src->arena_used, 1);
        dst->scanned_at = src->scanned_at;
        return 0;
}

static bool cgroup_under(const char *path, const char *cgroup, size_t len) {
        return strncmp(path, cgroup, len) == 0 && (path[len] == '\0' || path[len] == '/' || cgroup[len - 1] == '/');
}

void hr_proc_table_keep_cgroup(HrProcTable *t, const char *cgroup) {
        size_t len = strlen(cgroup), o = 0;

        if (len == 0 || strcmp(cgroup, "/") == 0)
                return;
        for (size_t i = 0; i < t->n; i++)
                if (cgroup_under(hr_proc_cgroup(t, &t->procs[i]), cgroup, len))
                        t->procs[o++] = t->procs[i];
        t->n = o;
}

const HrProc *hr_proc_table_find(const HrProcTable *t, pid_t pid) {
        size_t lo = 0, hi = t->n;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                pid_t p = t->procs[mid].pid;
                if (p == pid)
                        return &t->procs[mid];
                if (p < pid)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}

static int64_t clamp_i64(__int128 v) {
        return v > INT64_MAX ? INT64_MAX : v < INT64_MIN ? INT64_MIN : (int64_t) v;
}

/* Merge-join of two pid-sorted tables. A process is the same instance only when pid and start_time both match:
 * a reused pid is a new process, not growth. The rate is the growth over the scans' interval in KiB/s, smoothed:
 * new = (alpha * rate + (1000 - alpha) * old) / 1000, starting from 0 for a new process. When the interval is
 * zero (same scanned_at) the smoothed rate is carried over unchanged. */
/* What p holds over its age in KiB/s; 0 when the age is unknown or under a second (too noisy). */
static int64_t lifetime_rate(const HrProcTable *t, const HrProc *p) {
        if (t->uptime_usec == 0 || t->ticks_per_sec == 0)
                return 0;
        unsigned __int128 born = (unsigned __int128) p->start_time * USEC_PER_SEC / t->ticks_per_sec;
        if (born >= t->uptime_usec || t->uptime_usec - born < USEC_PER_SEC)
                return 0;
        usec_t age = t->uptime_usec - (usec_t) born;
        return clamp_i64((__int128) hr_proc_freeable_kib(p) * USEC_PER_SEC / age);
}

unsigned hr_proc_growth_alpha_permille(usec_t dt, usec_t tau) {
        if (tau == 0)
                return 1000;
        if (dt == 0)
                return 0;
        return (unsigned) ((unsigned __int128) dt * 1000 / ((unsigned __int128) dt + tau));
}

void hr_proc_table_track_growth(const HrProcTable *prev, HrProcTable *cur, unsigned alpha_permille) {
        usec_t dt = prev && cur->scanned_at > prev->scanned_at ? cur->scanned_at - prev->scanned_at : 0;
        __int128 alpha = MIN(alpha_permille, 1000u);
        size_t j = 0, n_prev = prev ? prev->n : 0;

        for (size_t i = 0; i < cur->n; i++) {
                HrProc *p = &cur->procs[i];
                const HrProc *o = NULL;

                while (j < n_prev && prev->procs[j].pid < p->pid)
                        j++;
                if (j < n_prev && prev->procs[j].pid == p->pid && prev->procs[j].start_time == p->start_time)
                        o = &prev->procs[j];
                if (!o) {
                        /* New since the last scan: its whole life is recent, its average is its rate. On the very
                         * first scan nothing is known: an idle tab that loaded for a few seconds a minute ago would
                         * look like a runaway. */
                        p->flags |= HR_PROC_NEW;
                        p->growth_kib = 0;
                        p->growth_kib_per_sec = prev ? lifetime_rate(cur, p) : 0;
                        continue;
                }
                p->flags &= ~(uint32_t) HR_PROC_NEW;
                p->growth_kib = clamp_i64((__int128) hr_proc_freeable_kib(p) - (__int128) hr_proc_freeable_kib(o));
                if (dt == 0) {
                        p->growth_kib_per_sec = o->growth_kib_per_sec;
                        continue;
                }
                __int128 rate = (__int128) p->growth_kib * (__int128) USEC_PER_SEC / (__int128) dt;
                p->growth_kib_per_sec = clamp_i64((alpha * rate + (1000 - alpha) * o->growth_kib_per_sec) / 1000);
        }
}

static const char *const checkpoint_names[_HR_CHECKPOINT_MAX] = {
        [HR_CHECKPOINT_NO] = "no",
        [HR_CHECKPOINT_YES] = "yes",
        [HR_CHECKPOINT_AUTO] = "auto",
};

const char *hr_checkpoint_to_string(HrCheckpoint c) {
        if (c < 0 || c >= _HR_CHECKPOINT_MAX)
                return NULL;
        return checkpoint_names[c];
}

HrCheckpoint hr_checkpoint_from_string(const char *s) {
        if (!s)
                return _HR_CHECKPOINT_INVALID;
        for (int i = 0; i < _HR_CHECKPOINT_MAX; i++)
                if (strcmp(s, checkpoint_names[i]) == 0)
                        return (HrCheckpoint) i;
        return _HR_CHECKPOINT_INVALID;
}
