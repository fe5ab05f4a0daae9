/* SPDX-License-Identifier: MIT */
/* What the control socket's commands do to the monitor (docs/protocol.md): status, list, unfreeze, reload,
 * foreground, metrics, ping; and the events the monitor broadcasts (level changes, actions). */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json.h>

#include "core/calibrate.h"
#include "daemon/commands.h"
#include "daemon/flight.h"
#include "daemon/log.h"
#include "daemon/monitor.h"
#include "daemon/record.h"
#include "daemon/report.h"
#include "io/pidfd.h"

static double unix_now(void) {
        struct timespec ts;
        (void) clock_gettime(CLOCK_REALTIME, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static json_object *num2(double v) {
        char s[48];
        (void) snprintf(s, sizeof s, "%.2f", v);
        return json_object_new_double_s(v, s);
}

/* ---- held processes: the registry when acting, the policy's memory with --dry-run ---- */

typedef struct Held {
        pid_t pid;
        uint64_t start_time;
        const char *comm, *cgroup, *why;
        HrTrackedState state;
        HrFreezeMethod method;
        int32_t priority;
        double age_sec;
} Held;

/* Calls fn for everything held; returns how many. */
static unsigned for_each_held(const HrMonitor *m, void (*fn)(const Held *h, void *userdata), void *userdata) {
        unsigned n = 0;
        double now_unix = unix_now();
        usec_t now = hr_now();

        if (!m->opt.dry_run)
                for (unsigned i = 0; i < m->executor.registry.n; i++) {
                        const HrRegistryEntry *e = &m->executor.registry.e[i];
                        Held h = { .pid = e->pid, .start_time = e->start_time, .comm = e->comm, .cgroup = e->cgroup,
                                   .why = e->why, .state = e->state, .method = e->method, .priority = e->priority,
                                   .age_sec = now_unix - (double) e->since_unix_usec / 1e6 };
                        if (fn)
                                fn(&h, userdata);
                        n++;
                }
        /* The policy's: with --dry-run all of it; when acting, what only it knows (warned processes). */
        for (unsigned i = 0; i < m->policy.n_tracked; i++) {
                const HrTracked *t = &m->policy.tracked[i];
                if (!m->opt.dry_run && t->state != HR_TRACKED_WARNED)
                        continue;
                Held h = { .pid = t->pid, .start_time = t->start_time, .comm = t->comm, .cgroup = t->cgroup, .why = "",
                           .state = t->state, .method = HR_FREEZE_NONE, .priority = t->priority,
                           .age_sec = now > t->since ? (double) (now - t->since) / 1e6 : 0 };
                if (fn)
                        fn(&h, userdata);
                n++;
        }
        return n;
}

static void count_held(const Held *h, void *userdata) {
        unsigned *counts = userdata;
        if ((unsigned) h->state < _HR_TRACKED_STATE_MAX)
                counts[h->state]++;
}

static void list_held(const Held *h, void *userdata) {
        json_object *a = userdata, *o = json_object_new_object();
        json_object_object_add(o, "pid", json_object_new_int(h->pid));
        json_object_object_add(o, "start_time", json_object_new_uint64(h->start_time));
        json_object_object_add(o, "comm", json_object_new_string(h->comm));
        json_object_object_add(o, "state", json_object_new_string(hr_tracked_state_to_string(h->state)));
        json_object_object_add(o, "method", json_object_new_string(hr_freeze_method_to_string(h->method)));
        json_object_object_add(o, "priority", json_object_new_int(h->priority));
        json_object_object_add(o, "age_sec", json_object_new_uint64(h->age_sec > 0 ? (uint64_t) h->age_sec : 0));
        json_object_object_add(o, "cgroup", json_object_new_string(h->cgroup));
        json_object_object_add(o, "reason", json_object_new_string(h->why));
        json_object_array_add(a, o);
}

/* ---- the commands ---- */

static void status(HrMonitor *m, json_object *resp) {
        const HrSample *s = hr_monitor_current(m);
        json_object *report = hr_report_json(m);
        unsigned held[_HR_TRACKED_STATE_MAX] = {};

        /* The --once report's fields (level, score, trend, components, psi, meminfo, ...) and the daemon's. */
        json_object_object_foreach(report, key, val)
                json_object_object_add(resp, key, json_object_get(val));
        json_object_put(report);

        json_object_object_add(resp, "mode", json_object_new_string(m->opt.user_mode ? "user" : "system"));
        json_object_object_add(resp, "dry_run", json_object_new_boolean(m->opt.dry_run));
        json_object_object_add(resp, "pid", json_object_new_int(getpid()));
        json_object_object_add(resp, "uptime_sec", json_object_new_uint64((hr_now() - m->started_at) / USEC_PER_SEC));
        /* Always a string here ("" when system-wide; the --once report says null). */
        json_object_object_add(resp, "scope", json_object_new_string(m->scope_rel));
        if (s) {
                json_object *mem = json_object_new_object();
                json_object_object_add(mem, "total_kib", json_object_new_uint64(hr_meminfo_get(&s->meminfo, HR_MEM_TOTAL)));
                json_object_object_add(mem, "available_kib",
                                       json_object_new_uint64(hr_meminfo_get(&s->meminfo, HR_MEM_AVAILABLE)));
                json_object_object_add(mem, "swap_total_kib",
                                       json_object_new_uint64(hr_meminfo_get(&s->meminfo, HR_MEM_SWAP_TOTAL)));
                json_object_object_add(mem, "swap_free_kib",
                                       json_object_new_uint64(hr_meminfo_get(&s->meminfo, HR_MEM_SWAP_FREE)));
                /* total and available are the scope's when it has a memory limit: where that limit is read. */
                const char *lim = s->scope_mem.limited ? hr_sensors_scope_limit_rel(&m->sensors) : NULL;
                char lwhere[PATH_MAX + 64];
                json_object_object_add(mem, "limit_file",
                                       lim ? json_object_new_string(hr_sysroot_display(&m->root, lim, lwhere, sizeof lwhere))
                                           : NULL);
                json_object_object_add(resp, "mem", mem);
        }

        json_object *tr = json_object_new_object();
        char pct[16];
        char where[PATH_MAX + 64];
        json_object_object_add(tr, "memory", json_object_new_string(hr_sysroot_display(&m->root, hr_sensors_memory_psi_rel(&m->sensors), where, sizeof where)));
        (void) snprintf(pct, sizeof pct, "%u.%02u%%", m->config.trigger_some_permyriad / 100,
                        m->config.trigger_some_permyriad % 100);
        json_object_object_add(tr, "some", json_object_new_string(pct));
        (void) snprintf(pct, sizeof pct, "%u.%02u%%", m->config.trigger_full_permyriad / 100,
                        m->config.trigger_full_permyriad % 100);
        json_object_object_add(tr, "full", json_object_new_string(pct));
        json_object_object_add(tr, "window_ms",
                               json_object_new_uint64(m->trigger_window_usec[HR_STALL_SOME] / USEC_PER_MSEC));
        json_object_object_add(tr, "armed", json_object_new_boolean(m->trigger_fd[HR_STALL_SOME] >= 0 ||
                                                                    m->trigger_fd[HR_STALL_FULL] >= 0));
        json_object_object_add(tr, "fired", json_object_new_uint64(m->trigger_fired[HR_STALL_SOME] +
                                                                   m->trigger_fired[HR_STALL_FULL]));
        json_object_object_add(resp, "triggers", tr);

        (void) for_each_held(m, count_held, held);
        json_object *h = json_object_new_object();
        for (unsigned i = 0; i < _HR_TRACKED_STATE_MAX; i++)
                json_object_object_add(h, hr_tracked_state_to_string((HrTrackedState) i), json_object_new_uint64(held[i]));
        json_object_object_add(resp, "held", h);

        const HrExecutor *ex = &m->executor;
        json_object *t = json_object_new_object();
        json_object_object_add(t, "frozen", json_object_new_uint64(ex->n_frozen));
        json_object_object_add(t, "thawed", json_object_new_uint64(ex->n_thawed));
        json_object_object_add(t, "terminated", json_object_new_uint64(ex->n_terminated));
        json_object_object_add(t, "killed", json_object_new_uint64(ex->n_killed));
        json_object_object_add(t, "warned", json_object_new_uint64(ex->n_warned));
        json_object_object_add(t, "spared", json_object_new_uint64(ex->n_spared));
        json_object_object_add(t, "checkpointed", json_object_new_uint64(ex->criu.n_dumped));
        json_object_object_add(t, "restored", json_object_new_uint64(ex->criu.n_restored));
        json_object_object_add(t, "failed", json_object_new_uint64(ex->n_failed));
        json_object_object_add(t, "planned", json_object_new_uint64(m->n_planned_actions));
        json_object_object_add(resp, "totals", t);

        json_object *fg = json_object_new_object();
        json_object_object_add(fg, "pid", json_object_new_int(m->foreground_pid));
        json_object_object_add(fg, "comm", json_object_new_string(m->foreground_comm));
        json_object_object_add(resp, "foreground", fg);
}

/* A pid given as a number or a string of digits; 0 if it is neither. */
static pid_t pid_of(json_object *v) {
        if (json_object_is_type(v, json_type_int)) {
                int64_t p = json_object_get_int64(v);
                return p > 0 && p < INT32_MAX ? (pid_t) p : 0;
        }
        if (json_object_is_type(v, json_type_string)) {
                const char *s = json_object_get_string(v);
                char *end;
                long p = strtol(s, &end, 10);
                return *s && !*end && p > 0 && p < INT32_MAX ? (pid_t) p : 0;
        }
        return 0;
}

static int unfreeze(HrMonitor *m, json_object *req, json_object *resp, char *err, size_t err_size) {
        json_object *v, *thawed = json_object_new_array();
        const char *name = NULL;
        pid_t pid = 0;

        if (!json_object_object_get_ex(req, "target", &v) ||
            (!(pid = pid_of(v)) && !(json_object_is_type(v, json_type_string) && (name = json_object_get_string(v))[0]))) {
                json_object_put(thawed);
                (void) snprintf(err, err_size, "unfreeze needs \"target\": a pid or a process name");
                return -EINVAL;
        }
        unsigned n = hr_monitor_unfreeze(m, pid, name, thawed);
        if (n == 0) {
                json_object_put(thawed);
                (void) snprintf(err, err_size, "nothing frozen matches %s", name ? name : json_object_get_string(v));
                return -ENOENT;
        }
        json_object_object_add(resp, "thawed", thawed);
        return 0;
}

static int foreground(HrMonitor *m, json_object *req, json_object *resp, char *err, size_t err_size) {
        json_object *v;
        pid_t pid;

        if (!json_object_object_get_ex(req, "pid", &v) || !json_object_is_type(v, json_type_int) ||
            json_object_get_int64(v) < 0 || json_object_get_int64(v) >= INT32_MAX) {
                (void) snprintf(err, err_size, "foreground needs \"pid\": a number (0 clears it)");
                return -EINVAL;
        }
        pid = (pid_t) json_object_get_int64(v);
        int r = hr_monitor_set_foreground(m, pid);
        if (r < 0) {
                (void) snprintf(err, err_size, "no process %d", (int) pid);
                return r;
        }
        json_object_object_add(resp, "pid", json_object_new_int(m->foreground_pid));
        json_object_object_add(resp, "comm", json_object_new_string(m->foreground_comm));
        return 0;
}

static int reload(HrMonitor *m, json_object *resp, char *err, size_t err_size) {
        json_object *errors = json_object_new_array();
        size_t n_files = 0;
        int r = hr_monitor_reload(m, errors, &n_files);

        if (r < 0) {
                (void) snprintf(err, err_size, "configuration not reloaded (%zu error(s)); the previous one stays",
                                json_object_array_length(errors));
                json_object_object_add(resp, "errors", errors); /* carried into the error reply */
                return r;
        }
        json_object_put(errors);
        json_object_object_add(resp, "files", json_object_new_uint64(n_files));
        json_object_object_add(resp, "rules", json_object_new_uint64(m->config.n_rules));
        return 0;
}

static int incidents(HrMonitor *m, json_object *req, json_object *resp, const char *cmd, char *err, size_t err_size) {
        if (!m->flight.dir[0]) {
                (void) snprintf(err, err_size, "this daemon keeps no incident clips (no state directory)");
                return -ENOENT;
        }
        if (strcmp(cmd, "incidents") == 0) {
                json_object *a = json_object_new_array();
                int r = hr_flight_list_cached(&m->flight, a);
                if (r < 0 && r != -ENOENT) {
                        json_object_put(a);
                        (void) snprintf(err, err_size, "%s: cannot list: %s", m->flight.dir, strerror(-r));
                        return r;
                }
                json_object_object_add(resp, "incidents", a);
                return 0;
        }
        json_object *v, *clip = NULL;
        if (!json_object_object_get_ex(req, "id", &v) || !json_object_is_type(v, json_type_string) ||
            !hr_flight_id_valid(json_object_get_string(v))) {
                (void) snprintf(err, err_size, "incident needs \"id\": one of `headroomctl incidents`");
                return -EINVAL;
        }
        int r = hr_flight_read(m->flight.dir, json_object_get_string(v), &clip);
        if (r < 0) {
                (void) snprintf(err, err_size, "incident %s: %s", json_object_get_string(v),
                                r == -ENOENT ? "no such clip" : strerror(-r));
                return r;
        }
        json_object_object_add(resp, "incident", clip);
        return 0;
}

/* Where `calibrate --apply` writes: the drop-in directory of the files the daemon reads. */
static int calibrate_path(const HrMonitor *m, char *buf, size_t size) {
        const HrConfPaths *p = m->opt.conf_paths;
        if (!p || p->config_file)
                return -EBUSY; /* --config FILE: no drop-ins are read */
        const char *dir = p->user_dir ? p->user_dir : p->system_dir;
        if (!dir)
                return -EBUSY;
        int n = snprintf(buf, size, "%s/headroom.conf.d/50-calibrate.conf", dir);
        return n < 0 || (size_t) n >= size ? -ENAMETOOLONG : 0;
}

static int calibrate(HrMonitor *m, json_object *req, json_object *resp, char *err, size_t err_size) {
        static HrCalibration cal;
        static char text[HR_CALIBRATE_RENDER_MAX];
        json_object *v;
        bool apply = json_object_object_get_ex(req, "apply", &v) && json_object_get_boolean(v);
        size_t n;

        const HrFlightRecord *recs = hr_flight_records(&m->flight, &n);
        int r = hr_calibrate(recs, n, &m->config, &cal);
        if (r < 0) {
                (void) snprintf(err, err_size, "calibration failed: %s", strerror(-r));
                return r;
        }
        json_object_object_add(resp, "status", json_object_new_string(hr_calibrate_status_to_string(cal.status)));
        json_object_object_add(resp, "summary", json_object_new_string(cal.summary));
        json_object_object_add(resp, "changes", json_object_new_uint64(cal.n_changes));
        json_object *a = json_object_new_array();
        for (size_t i = 0; i < cal.n_proposals; i++) {
                const HrCalibrateProposal *p = &cal.proposal[i];
                json_object *o = json_object_new_object();
                json_object_object_add(o, "section", json_object_new_string(p->section));
                json_object_object_add(o, "key", json_object_new_string(p->key));
                json_object_object_add(o, "current", json_object_new_string(p->current));
                json_object_object_add(o, "proposed", json_object_new_string(p->proposed));
                json_object_object_add(o, "change", json_object_new_boolean(p->change));
                json_object_object_add(o, "reason", json_object_new_string(p->reason));
                json_object_array_add(a, o);
        }
        json_object_object_add(resp, "proposals", a);
        r = hr_calibration_render(&cal, text, sizeof text);
        if (r >= 0)
                json_object_object_add(resp, "dropin", json_object_new_string(text));
        if (!apply)
                return 0;

        /* --apply: privileged (checked by the transport), the drop-in written atomically, then a reload. */
        char path[PATH_MAX + 64], tmp[PATH_MAX + 80];
        if (cal.status != HR_CALIBRATE_OK || r < 0) {
                (void) snprintf(err, err_size, "nothing to apply: %s", cal.summary);
                return -EBUSY;
        }
        r = calibrate_path(m, path, sizeof path);
        if (r < 0) {
                (void) snprintf(err, err_size, "nothing to apply to: the daemon reads %s, not a directory of drop-ins",
                                m->opt.conf_paths && m->opt.conf_paths->config_file ? m->opt.conf_paths->config_file : "no files");
                return r;
        }
        char dir[PATH_MAX + 64];
        (void) snprintf(dir, sizeof dir, "%s", path);
        *strrchr(dir, '/') = '\0';
        (void) mkdir(dir, 0755);
        (void) snprintf(tmp, sizeof tmp, "%s.tmp", path);
        FILE *f = fopen(tmp, "we");
        if (!f || fputs(text, f) < 0 || fflush(f) != 0 || fsync(fileno(f)) < 0) {
                r = -errno;
                if (f)
                        (void) fclose(f);
                (void) unlink(tmp);
                (void) snprintf(err, err_size, "%s: cannot write: %s", path, strerror(-r));
                return r;
        }
        (void) fclose(f);
        if (rename(tmp, path) < 0) {
                r = -errno;
                (void) unlink(tmp);
                (void) snprintf(err, err_size, "%s: cannot write: %s", path, strerror(-r));
                return r;
        }
        log_notice("Calibration: %zu change(s) written to %s", cal.n_changes, path);
        json_object_object_add(resp, "written", json_object_new_string(path));
        r = hr_monitor_reload(m, NULL, NULL);
        json_object_object_add(resp, "reloaded", json_object_new_boolean(r == 0));
        return 0;
}

int hr_commands_handle(void *userdata, const HrControlClient *peer, const char *cmd, json_object *req,
                       json_object *resp, char *err, size_t err_size) {
        HrMonitor *m = userdata;

        if (strcmp(cmd, "ping") == 0) {
                json_object_object_add(resp, "version", json_object_new_string(HR_VERSION));
                return 0;
        }
        if (strcmp(cmd, "status") == 0) {
                status(m, resp);
                return 0;
        }
        if (strcmp(cmd, "list") == 0) {
                json_object *a = json_object_new_array();
                (void) for_each_held(m, list_held, a);
                json_object_object_add(resp, "processes", a);
                return 0;
        }
        if (strcmp(cmd, "metrics") == 0) {
                static char text[16384];
                hr_commands_metrics(m, text, sizeof text);
                json_object_object_add(resp, "text", json_object_new_string(text));
                return 0;
        }
        if (strcmp(cmd, "unfreeze") == 0)
                return unfreeze(m, req, resp, err, err_size);
        if (strcmp(cmd, "foreground") == 0)
                return foreground(m, req, resp, err, err_size);
        if (strcmp(cmd, "reload") == 0)
                return reload(m, resp, err, err_size);
        if (strcmp(cmd, "incidents") == 0 || strcmp(cmd, "incident") == 0)
                return incidents(m, req, resp, cmd, err, err_size);
        if (strcmp(cmd, "calibrate") == 0) {
                json_object *v;
                /* Proposing is open to all; writing the drop-in is a change of state. */
                if (json_object_object_get_ex(req, "apply", &v) && json_object_get_boolean(v) && peer->uid != 0 &&
                    !(m->control.user_mode && peer->uid == m->control.owner)) {
                        (void) snprintf(err, err_size, "calibrate --apply writes the configuration: it needs root%s",
                                        m->control.user_mode ? " or the daemon's own user" : "");
                        return -EPERM;
                }
                return calibrate(m, req, resp, err, err_size);
        }
        (void) snprintf(err, err_size, "unknown command \"%.64s\" (status, list, unfreeze, reload, foreground, "
                        "events, metrics, incidents, incident, calibrate, ping)", cmd);
        return -EINVAL;
}

/* ---- metrics: Prometheus text exposition 0.0.4 ---- */

typedef struct Out {
        char *buf;
        size_t size, len;
} Out;

_printf_(2, 3) static void put(Out *o, const char *fmt, ...) {
        va_list ap;
        if (o->len >= o->size)
                return;
        va_start(ap, fmt);
        int n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
        va_end(ap);
        if (n > 0)
                o->len = MIN(o->size, o->len + (size_t) n);
}

static void metric(Out *o, const char *name, const char *type, const char *help) {
        put(o, "# HELP headroom_%s %s\n# TYPE headroom_%s %s\n", name, help, name, type);
}

void hr_commands_metrics(const HrMonitor *m, char *buf, size_t size) {
        Out o = { .buf = buf, .size = size };
        const HrSample *s = hr_monitor_current(m);
        const HrExecutor *ex = &m->executor;
        unsigned held[_HR_TRACKED_STATE_MAX] = {};

        buf[0] = '\0';
        metric(&o, "score", "gauge", "Pressure score, 0-100 (noisy-OR of the components).");
        put(&o, "headroom_score %u.%02u\n", m->pressure.score_centi / 100, m->pressure.score_centi % 100);
        metric(&o, "level", "gauge", "Pressure level: 0 NORMAL, 1 ELEVATED, 2 HIGH, 3 CRITICAL, 4 EMERGENCY.");
        put(&o, "headroom_level %d\n", (int) m->level.level);
        metric(&o, "component_points", "gauge", "Points each pressure component contributes, 0-100.");
        for (unsigned i = 0; i < _HR_COMP_MAX; i++)
                put(&o, "headroom_component_points{component=\"%s\"} %u.%02u\n", hr_component_to_string((HrComponent) i),
                    m->pressure.points_centi[i] / 100, m->pressure.points_centi[i] % 100);
        if (s) {
                metric(&o, "memory_available_bytes", "gauge", "MemAvailable.");
                put(&o, "headroom_memory_available_bytes %llu\n",
                    (unsigned long long) hr_meminfo_get(&s->meminfo, HR_MEM_AVAILABLE) * 1024);
                metric(&o, "swap_free_bytes", "gauge", "SwapFree.");
                put(&o, "headroom_swap_free_bytes %llu\n", (unsigned long long) hr_meminfo_get(&s->meminfo, HR_MEM_SWAP_FREE) * 1024);
        }
        (void) for_each_held(m, count_held, held);
        metric(&o, "held_processes", "gauge", "Processes headroom holds, by state.");
        for (unsigned i = 0; i < _HR_TRACKED_STATE_MAX; i++)
                put(&o, "headroom_held_processes{state=\"%s\"} %u\n", hr_tracked_state_to_string((HrTrackedState) i),
                    held[i]);
        metric(&o, "actions_total", "counter", "Actions carried out, by type.");
        put(&o, "headroom_actions_total{type=\"freeze\"} %llu\n", (unsigned long long) ex->n_frozen);
        put(&o, "headroom_actions_total{type=\"thaw\"} %llu\n", (unsigned long long) ex->n_thawed);
        put(&o, "headroom_actions_total{type=\"terminate\"} %llu\n", (unsigned long long) ex->n_terminated);
        put(&o, "headroom_actions_total{type=\"kill\"} %llu\n", (unsigned long long) ex->n_killed);
        put(&o, "headroom_actions_total{type=\"warn\"} %llu\n", (unsigned long long) ex->n_warned);
        put(&o, "headroom_actions_total{type=\"spare\"} %llu\n", (unsigned long long) ex->n_spared);
        put(&o, "headroom_actions_total{type=\"checkpoint\"} %llu\n", (unsigned long long) ex->criu.n_dumped);
        put(&o, "headroom_actions_total{type=\"restore\"} %llu\n", (unsigned long long) ex->criu.n_restored);
        metric(&o, "action_failures_total", "counter", "Actions that failed.");
        put(&o, "headroom_action_failures_total %llu\n", (unsigned long long) (ex->n_failed + ex->criu.n_failed));
        metric(&o, "cgroup_actions_total", "counter", "Cgroup relief carried out, by knob (undo: given back).");
        for (unsigned k = 0; k < _HR_CG_KNOB_MAX; k++)
                for (unsigned u = 0; u < 2; u++)
                        put(&o, "headroom_cgroup_actions_total{knob=\"%s\",undo=\"%s\"} %llu\n",
                            hr_cg_knob_to_string((HrCgKnob) k), u ? "yes" : "no", (unsigned long long) m->cgapply.n_by_knob[k][u]);
        metric(&o, "cgroups_under_relief", "gauge", "App cgroups with a setting of headroom's on them now.");
        put(&o, "headroom_cgroups_under_relief %u\n", m->cgapply.state.n);
        metric(&o, "cache_drops_total", "counter", "Clean page cache drops (DropCaches=).");
        put(&o, "headroom_cache_drops_total %llu\n", (unsigned long long) m->n_cache_drops);
        metric(&o, "zram_compactions_total", "counter", "zram pool compactions.");
        put(&o, "headroom_zram_compactions_total %llu\n", (unsigned long long) m->n_zram_compactions);
        metric(&o, "planned_actions_total", "counter", "Actions planned (with --dry-run: what it would have done).");
        put(&o, "headroom_planned_actions_total %llu\n", (unsigned long long) m->n_planned_actions);
        metric(&o, "samples_total", "counter", "Pressure samples taken.");
        put(&o, "headroom_samples_total %llu\n", (unsigned long long) m->n_samples);
        metric(&o, "wakeups_total", "counter", "Event loop wake-ups.");
        put(&o, "headroom_wakeups_total %llu\n", (unsigned long long) m->loop.wakeups);
        metric(&o, "psi_trigger_fired_total", "counter", "PSI trigger notifications, by stall kind.");
        put(&o, "headroom_psi_trigger_fired_total{stall=\"some\"} %llu\n",
            (unsigned long long) m->trigger_fired[HR_STALL_SOME]);
        put(&o, "headroom_psi_trigger_fired_total{stall=\"full\"} %llu\n",
            (unsigned long long) m->trigger_fired[HR_STALL_FULL]);
        metric(&o, "control_clients", "gauge", "Clients connected to the control socket.");
        put(&o, "headroom_control_clients %u\n", m->control.n_clients);
        metric(&o, "control_requests_total", "counter", "Control socket requests.");
        put(&o, "headroom_control_requests_total %llu\n", (unsigned long long) m->control.n_requests);
        metric(&o, "control_dropped_total", "counter", "Control clients dropped (flooding, not reading, too many).");
        put(&o, "headroom_control_dropped_total %llu\n", (unsigned long long) m->control.n_dropped);
        metric(&o, "uptime_seconds", "gauge", "Seconds since headroomd started.");
        put(&o, "headroom_uptime_seconds %llu\n", (unsigned long long) ((hr_now() - m->started_at) / USEC_PER_SEC));
}

/* ---- events ---- */

void hr_commands_event_level(HrMonitor *m, HrLevel from, HrLevel to, const char *why) {
        if (m->control.n_subscribers == 0)
                return;
        json_object *e = json_object_new_object();
        json_object_object_add(e, "event", json_object_new_string("level"));
        json_object_object_add(e, "time", num2(unix_now()));
        json_object_object_add(e, "from", json_object_new_string(hr_level_to_string(from)));
        json_object_object_add(e, "to", json_object_new_string(hr_level_to_string(to)));
        json_object_object_add(e, "score", num2((double) m->pressure.score_centi / 100.0));
        json_object_object_add(e, "why", json_object_new_string(why));
        hr_control_broadcast(&m->control, e);
        json_object_put(e);
}

void hr_commands_event_action(HrMonitor *m, const HrAction *a, HrLevel level, bool dry_run) {
        if (m->control.n_subscribers == 0)
                return;
        json_object *e = json_object_new_object();
        json_object_object_add(e, "event", json_object_new_string("action"));
        json_object_object_add(e, "time", num2(unix_now()));
        json_object_object_add(e, "type", json_object_new_string(hr_action_type_to_string(a->type)));
        json_object_object_add(e, "pid", json_object_new_int(a->pid));
        json_object_object_add(e, "comm", json_object_new_string(a->comm));
        json_object_object_add(e, "priority", json_object_new_int(a->priority));
        json_object_object_add(e, "level", json_object_new_string(hr_level_to_string(level)));
        json_object_object_add(e, "score", num2((double) m->pressure.score_centi / 100.0));
        json_object_object_add(e, "reason", json_object_new_string(hr_reason_to_string(a->reason)));
        json_object_object_add(e, "why", json_object_new_string(a->why));
        if (dry_run)
                json_object_object_add(e, "dry_run", json_object_new_boolean(true));
        hr_control_broadcast(&m->control, e);
        json_object_put(e);
}
