/* SPDX-License-Identifier: MIT */
/* Recording of snapshots as JSON lines (json-c) and their replay through hr_classify() and
 * hr_policy_plan(). The format is versioned by the "v" key of each line. */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/json-get.h"
#include "daemon/log.h"
#include "daemon/record.h"

#define RECORD_VERSION 1

static json_object *u64(uint64_t v) {
        return json_object_new_uint64(v);
}

static json_object *i64(int64_t v) {
        return json_object_new_int64(v);
}

static json_object *proc_json(const HrProcTable *t, const HrProc *p) {
        json_object *o = json_object_new_object();
        char state[2] = { p->state, '\0' };

        json_object_object_add(o, "pid", i64(p->pid));
        json_object_object_add(o, "start", u64(p->start_time));
        json_object_object_add(o, "ppid", i64(p->ppid));
        json_object_object_add(o, "pgrp", i64(p->pgrp));
        json_object_object_add(o, "sid", i64(p->session));
        json_object_object_add(o, "uid", u64(p->uid));
        json_object_object_add(o, "state", json_object_new_string(state));
        json_object_object_add(o, "comm", json_object_new_string(p->comm));
        json_object_object_add(o, "cmdline", json_object_new_string(hr_proc_cmdline(t, p)));
        json_object_object_add(o, "exe", json_object_new_string(hr_proc_exe(t, p)));
        json_object_object_add(o, "cgroup", json_object_new_string(hr_proc_cgroup(t, p)));
        json_object_object_add(o, "user", json_object_new_string(hr_proc_user(t, p)));
        json_object_object_add(o, "anon", u64(p->rss_anon_kib));
        json_object_object_add(o, "file", u64(p->rss_file_kib));
        json_object_object_add(o, "shmem", u64(p->rss_shmem_kib));
        json_object_object_add(o, "swap", u64(p->swap_kib));
        json_object_object_add(o, "oom_score", i64(p->oom_score));
        json_object_object_add(o, "oom_adj", i64(p->oom_score_adj));
        json_object_object_add(o, "growth", i64(p->growth_kib));
        json_object_object_add(o, "growth_rate", i64(p->growth_kib_per_sec));
        /* Facts the scan established (not the classification, which the replay redoes). */
        json_object_object_add(o, "facts", u64(p->flags & (HR_PROC_SELF | HR_PROC_INIT | HR_PROC_KTHREAD | HR_PROC_NEW)));
        return o;
}

int hr_record_write(FILE *f, const HrSnapshot *snap, const HrClassifyInput *in) {
        json_object *o = json_object_new_object();
        json_object *pr = json_object_new_object(), *raw = json_object_new_array(), *pts = json_object_new_array();
        json_object *procs = json_object_new_array();
        const HrProcTable *t = snap->procs;
        int r = 0;

        if (!o || !pr || !raw || !pts || !procs) {
                r = -ENOMEM;
                goto finish;
        }
        json_object_object_add(o, "v", i64(RECORD_VERSION));
        json_object_object_add(o, "t", u64(snap->now));
        json_object_object_add(o, "level", json_object_new_string(hr_level_to_string(snap->level)));
        for (unsigned i = 0; i < _HR_COMP_MAX; i++) {
                json_object_array_add(raw, u64(snap->pressure.raw[i]));
                json_object_array_add(pts, u64(snap->pressure.points_centi[i]));
        }
        json_object_object_add(pr, "score", u64(snap->pressure.score_centi));
        json_object_object_add(pr, "trend", i64(snap->pressure.trend_centi_per_sec));
        json_object_object_add(pr, "stale", u64(snap->pressure.stale_centi));
        json_object_object_add(pr, "psi_some", u64(snap->pressure.psi_some_permyriad));
        json_object_object_add(pr, "psi_full", u64(snap->pressure.psi_full_permyriad));
        json_object_object_add(pr, "raw", raw);
        json_object_object_add(pr, "points", pts);
        raw = pts = NULL;
        json_object_object_add(o, "pressure", pr);
        pr = NULL;
        json_object_object_add(o, "mem_total", u64(snap->mem_total_kib));
        json_object_object_add(o, "mem_available", u64(snap->mem_available_kib));
        json_object_object_add(o, "swap_total", u64(snap->swap_total_kib));
        json_object_object_add(o, "swap_free", u64(snap->swap_free_kib));
        json_object_object_add(o, "warn_listeners", json_object_new_boolean(snap->warn_listeners));
        json_object_object_add(o, "paging_out", json_object_new_boolean(snap->paging_out));
        json_object_object_add(o, "scope_limited", json_object_new_boolean(snap->scope_limited));
        json_object_object_add(o, "self", i64(in->self_pid));
        json_object_object_add(o, "foreground", i64(in->foreground_pid));
        for (size_t i = 0; t && i < t->n; i++)
                json_object_array_add(procs, proc_json(t, &t->procs[i]));
        json_object_object_add(o, "procs", procs);
        procs = NULL;

        if (fprintf(f, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN)) < 0 || fflush(f) != 0)
                r = errno ? -errno : -EIO;
finish:
        json_object_put(raw);
        json_object_put(pts);
        json_object_put(pr);
        json_object_put(procs);
        json_object_put(o);
        return r;
}

/* ---- replay ---- */

static int arena_add(HrProcTable *t, const char *s, uint32_t *ret_off) {
        size_t n = strlen(s) + 1;
        if (n == 1) {
                *ret_off = 0;
                return 0;
        }
        if (t->arena_used + n > t->arena_cap) {
                size_t cap = MAX(t->arena_cap * 2, t->arena_used + n + 4096);
                char *a = realloc(t->arena, cap);
                if (!a)
                        return -ENOMEM;
                t->arena = a;
                t->arena_cap = cap;
        }
        if (t->arena_used > UINT32_MAX - n)
                return -E2BIG;
        memcpy(t->arena + t->arena_used, s, n);
        *ret_off = (uint32_t) t->arena_used;
        t->arena_used += n;
        return 0;
}

static const char *get_str(json_object *o, const char *key) {
        json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

static int cmp_pid(const void *a, const void *b) {
        const HrProc *x = a, *y = b;
        return (x->pid > y->pid) - (x->pid < y->pid);
}

/* Fills p from one "procs" element; strings go to t's arena. Returns 0 or a static reason in *why. */
static int proc_from_json(json_object *o, HrProcTable *t, HrProc *p, const char **why) {
        int64_t v;
        uint64_t u;
        const char *s;

        *p = (HrProc) { .rule = -1 };
#define I(key, lo, hi, field)                                    \
        do {                                                     \
                if (hr_json_get_i64(o, key, lo, hi, &v) < 0) {           \
                        *why = "bad or missing \"" key "\"";     \
                        return -EBADMSG;                         \
                }                                                \
                p->field = (__typeof__(p->field)) v;             \
        } while (0)
#define U(key, field)                                            \
        do {                                                     \
                if (hr_json_get_u64(o, key, &u) < 0) {                   \
                        *why = "bad or missing \"" key "\"";     \
                        return -EBADMSG;                         \
                }                                                \
                p->field = (__typeof__(p->field)) u;             \
        } while (0)
#define S(key, field)                                            \
        do {                                                     \
                s = get_str(o, key);                             \
                if (!s) {                                        \
                        *why = "bad or missing \"" key "\"";     \
                        return -EBADMSG;                         \
                }                                                \
                if (arena_add(t, s, &p->field) < 0) {            \
                        *why = "out of memory";                  \
                        return -ENOMEM;                          \
                }                                                \
        } while (0)
        I("pid", 1, INT32_MAX, pid);
        U("start", start_time);
        I("ppid", 0, INT32_MAX, ppid);
        I("pgrp", 0, INT32_MAX, pgrp);
        I("sid", 0, INT32_MAX, session);
        I("uid", 0, UINT32_MAX, uid);
        U("anon", rss_anon_kib);
        U("file", rss_file_kib);
        U("shmem", rss_shmem_kib);
        U("swap", swap_kib);
        I("oom_score", 0, 2000, oom_score);
        I("oom_adj", -1000, 1000, oom_score_adj);
        I("growth", INT64_MIN, INT64_MAX, growth_kib);
        I("growth_rate", INT64_MIN, INT64_MAX, growth_kib_per_sec);
        U("facts", flags);
        p->flags &= HR_PROC_SELF | HR_PROC_INIT | HR_PROC_KTHREAD | HR_PROC_NEW;
        S("cmdline", cmdline_off);
        S("exe", exe_off);
        S("cgroup", cgroup_off);
        S("user", user_off);
#undef I
#undef U
#undef S
        s = get_str(o, "state");
        if (!s || strlen(s) != 1) {
                *why = "bad or missing \"state\"";
                return -EBADMSG;
        }
        p->state = s[0];
        s = get_str(o, "comm");
        if (!s || strlen(s) >= sizeof p->comm) {
                *why = "bad or missing \"comm\"";
                return -EBADMSG;
        }
        strcpy(p->comm, s);
        return 0;
}

/* An optional boolean (records written before it existed lack it: false). */
static int record_flag(json_object *o, const char *key, bool *ret) {
        json_object *v;
        *ret = false;
        if (!json_object_object_get_ex(o, key, &v))
                return 0;
        if (!json_object_is_type(v, json_type_boolean))
                return -EBADMSG;
        *ret = json_object_get_boolean(v);
        return 0;
}

/* Parses one line into snap (level, pressure, memory) and t (processes). */
static int snapshot_from_json(json_object *o, HrSnapshot *snap, HrProcTable *t, HrClassifyInput *in, const char **why) {
        json_object *pr, *procs, *raw, *pts;
        const char *level;
        int64_t v;
        int r;

        *why = "not a headroom recording line";
        if (!json_object_is_type(o, json_type_object) || hr_json_get_i64(o, "v", RECORD_VERSION, RECORD_VERSION, &v) < 0)
                return -EBADMSG;
        *snap = (HrSnapshot) { .procs = t };
        *why = "bad \"t\", \"level\" or memory fields";
        level = get_str(o, "level");
        if (hr_json_get_u64(o, "t", &snap->now) < 0 || !level || (int) (snap->level = hr_level_from_string(level)) < 0 ||
            hr_json_get_u64(o, "mem_total", &snap->mem_total_kib) < 0 || hr_json_get_u64(o, "mem_available", &snap->mem_available_kib) < 0 ||
            hr_json_get_u64(o, "swap_total", &snap->swap_total_kib) < 0 || hr_json_get_u64(o, "swap_free", &snap->swap_free_kib) < 0 ||
            record_flag(o, "warn_listeners", &snap->warn_listeners) < 0 || record_flag(o, "paging_out", &snap->paging_out) < 0 ||
            record_flag(o, "scope_limited", &snap->scope_limited) < 0)
                return -EBADMSG;
        *why = "bad \"self\" or \"foreground\"";
        if (hr_json_get_i64(o, "self", 0, INT32_MAX, &v) < 0)
                return -EBADMSG;
        in->self_pid = (pid_t) v;
        if (hr_json_get_i64(o, "foreground", 0, INT32_MAX, &v) < 0)
                return -EBADMSG;
        in->foreground_pid = (pid_t) v;

        *why = "bad \"pressure\"";
        if (!json_object_object_get_ex(o, "pressure", &pr) || !json_object_object_get_ex(pr, "raw", &raw) ||
            !json_object_object_get_ex(pr, "points", &pts) || json_object_array_length(raw) != _HR_COMP_MAX ||
            json_object_array_length(pts) != _HR_COMP_MAX)
                return -EBADMSG;
        uint64_t u;
        if (hr_json_get_u64(pr, "score", &u) < 0 || u > 10000)
                return -EBADMSG;
        snap->pressure.score_centi = (uint32_t) u;
        if (hr_json_get_i64(pr, "trend", INT32_MIN, INT32_MAX, &v) < 0)
                return -EBADMSG;
        snap->pressure.trend_centi_per_sec = (int32_t) v;
        /* "stale" (the avg10-only points) came later: a record without it replays as all live. */
        u = 0;
        if (json_object_object_get_ex(pr, "stale", NULL) && (hr_json_get_u64(pr, "stale", &u) < 0 || u > 10000))
                return -EBADMSG;
        snap->pressure.stale_centi = (uint32_t) u;
        if (hr_json_get_u64(pr, "psi_some", &u) < 0 || u > 10000)
                return -EBADMSG;
        snap->pressure.psi_some_permyriad = (uint32_t) u;
        if (hr_json_get_u64(pr, "psi_full", &u) < 0 || u > 10000)
                return -EBADMSG;
        snap->pressure.psi_full_permyriad = (uint32_t) u;
        for (unsigned i = 0; i < _HR_COMP_MAX; i++) {
                json_object *a = json_object_array_get_idx(raw, i), *b = json_object_array_get_idx(pts, i);
                if (!json_object_is_type(a, json_type_int) || !json_object_is_type(b, json_type_int) ||
                    json_object_get_int64(b) < 0 || json_object_get_int64(b) > 10000)
                        return -EBADMSG;
                snap->pressure.raw[i] = json_object_get_uint64(a);
                snap->pressure.points_centi[i] = (uint32_t) json_object_get_int64(b);
        }

        *why = "bad \"procs\"";
        if (!json_object_object_get_ex(o, "procs", &procs) || !json_object_is_type(procs, json_type_array))
                return -EBADMSG;
        size_t n = json_object_array_length(procs);
        t->n = 0;
        t->arena_used = 1; /* offset 0 is "" */
        if (n > t->cap) {
                HrProc *np = realloc(t->procs, n * sizeof *np);
                if (!np)
                        return -ENOMEM;
                t->procs = np;
                t->cap = n;
        }
        for (size_t i = 0; i < n; i++) {
                r = proc_from_json(json_object_array_get_idx(procs, i), t, &t->procs[i], why);
                if (r < 0)
                        return r;
                t->n++;
        }
        qsort(t->procs, t->n, sizeof *t->procs, cmp_pid);
        for (size_t i = 1; i < t->n; i++)
                if (t->procs[i].pid == t->procs[i - 1].pid) {
                        *why = "duplicate pid in \"procs\"";
                        return -EBADMSG;
                }
        t->scanned_at = snap->now;
        return 0;
}

void hr_action_format(const HrAction *a, char *buf, size_t size) {
        char comm[HR_COMM_MAX], cgroup[HR_ACTION_CGROUP_MAX];
        (void) snprintf(buf, size, "%s %d (%s, priority %d, %llu MiB%s%s%s): %s", hr_action_type_to_string(a->type),
                        (int) a->pid, hr_log_safe(a->comm, comm, sizeof comm), a->priority,
                        (unsigned long long) (a->freeable_kib / 1024), a->whole_cgroup ? ", cgroup " : "",
                        a->whole_cgroup ? hr_log_safe(a->cgroup, cgroup, sizeof cgroup) : "",
                        a->kill_group ? ", with its process group" : "", a->why);
}

int hr_replay(const char *path, const HrConfig *c, FILE *out) {
        static HrPolicyState state; /* large: not on the stack */
        static HrActionList plan;
        HrProcTable t = {};
        FILE *f = fopen(path, "re");
        char *line = NULL;
        size_t cap = 0;
        unsigned lineno = 0, ticks = 0, actions = 0;
        HrLevel last = HR_LEVEL_NORMAL;
        usec_t t0 = 0;
        int r = 0;

        if (!f) {
                r = -errno;
                fprintf(stderr, "%s: cannot open: %s\n", path, strerror(errno));
                return r;
        }
        t.arena = malloc(4096);
        if (!t.arena) {
                fclose(f);
                return -ENOMEM;
        }
        t.arena[0] = '\0';
        t.arena_cap = 4096;
        hr_policy_state_init(&state);

        for (;;) {
                errno = 0;
                ssize_t n = getline(&line, &cap, f);
                if (n < 0) {
                        if (errno != 0)
                                r = -errno;
                        break;
                }
                lineno++;
                if (n <= 1)
                        continue;
                enum json_tokener_error jerr;
                json_object *o = json_tokener_parse_verbose(line, &jerr);
                if (!o) {
                        fprintf(stderr, "%s:%u: not JSON: %s\n", path, lineno, json_tokener_error_desc(jerr));
                        r = -EBADMSG;
                        break;
                }
                HrSnapshot snap;
                HrClassifyInput in = {};
                const char *why = NULL;
                r = snapshot_from_json(o, &snap, &t, &in, &why);
                json_object_put(o);
                if (r < 0) {
                        fprintf(stderr, "%s:%u: %s\n", path, lineno, why);
                        break;
                }
                if (ticks++ == 0)
                        t0 = snap.now;
                hr_classify(c, &in, &t);
                hr_policy_plan(c, &snap, &state, &plan);
                hr_policy_commit(&state, &snap, &plan);

                usec_t rel = snap.now >= t0 ? snap.now - t0 : 0;
                if (plan.n > 0 || snap.level != last)
                        fprintf(out, "t=+%llu.%03llus level %s score %u.%02u%s\n",
                                (unsigned long long) (rel / USEC_PER_SEC),
                                (unsigned long long) (rel % USEC_PER_SEC / 1000), hr_level_to_string(snap.level),
                                snap.pressure.score_centi / 100, snap.pressure.score_centi % 100,
                                plan.n ? "" : ": nothing to do");
                for (unsigned i = 0; i < plan.n; i++) {
                        char buf[512];
                        hr_action_format(&plan.items[i], buf, sizeof buf);
                        fprintf(out, "  %s\n", buf);
                }
                actions += plan.n;
                last = snap.level;
        }
        if (r == 0)
                fprintf(out, "replayed %u ticks, %u actions\n", ticks, actions);
        free(line);
        free(t.procs);
        free(t.arena);
        fclose(f);
        return r;
}
