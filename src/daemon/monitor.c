/* SPDX-License-Identifier: MIT */
/* The pressure monitor: sensors + PSI triggers + adaptive timerfd + signalfd on one epoll loop, and
 * the plan under pressure (scan, classify, policy). The wake-up -> sample -> score -> level -> scan ->
 * plan path uses only memory allocated at start-up (once warm), except glibc's regexec() state when a
 * never-seen process is classified. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <json.h>

#include "daemon/commands.h"
#include "daemon/log.h"
#include "daemon/monitor.h"
#include "core/pagecache.h"
#include "core/zram.h"
#include "daemon/hook.h"
#include "io/zram.h"
#include "daemon/notify.h"
#include "daemon/record.h"
#include "daemon/report.h"
#include "shared/zero.h"

/* At NORMAL with a score of 0, the process table is refreshed this often all the same, and as soon as this
 * many pids have been handed out since the last scan. */
#define WARM_SCAN_USEC (60 * USEC_PER_SEC)
#define WARM_SCAN_NEW_PIDS 256

/* How long a page-out under way holds back victims chosen by rank (policy.h, paging_out). */
#define PAGE_OUT_HOLD_USEC (5 * USEC_PER_SEC)

/* The time constant of a process's smoothed growth rate (hr_proc_growth_alpha_permille). */
#define GROWTH_TAU_USEC (1 * USEC_PER_SEC)

void hr_monitor_options_default(HrMonitorOptions *o) {
        *o = (HrMonitorOptions) {};
}

static HrTriggerSpec trigger_spec(const HrConfig *c, HrStall which) {
        return (HrTriggerSpec) {
                .stall = which,
                .threshold_permyriad = which == HR_STALL_SOME ? c->trigger_some_permyriad : c->trigger_full_permyriad,
                .window_usec = c->trigger_window_usec,
        };
}

/* An empty --config file is valid (every setting at its default), but emptied by mistake it silently undoes
 * every setting on a reload: say so. */
static void warn_if_emptied(const char *path) {
        struct stat st;
        if (path && stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0)
                log_warning("Reload: %s is empty: every setting is back to its built-in default", path);
}

/* Config: re-reads the files (SIGHUP, `reload`). A broken config changes nothing: the previous one keeps
 * running. Error lines go to the log and, when `lines` is a JSON array, there. */
static int reload_config(HrMonitor *m, json_object *lines, size_t *ret_n_files) {
        HrConfErrors errors = {};
        HrConfig fresh;
        size_t n_files = 0;
        int r;

        if (!m->opt.conf_paths)
                return -EOPNOTSUPP;
        r = hr_conf_load(m->opt.conf_paths, &fresh, &errors, &n_files);
        for (size_t i = 0; i < errors.n; i++) {
                log_error("%s", errors.lines[i]);
                if (lines)
                        json_object_array_add(lines, json_object_new_string(errors.lines[i]));
        }
        size_t errors_n = errors.n;
        hr_conf_errors_done(&errors);
        if (r == -EINVAL) {
                log_error("Reload: configuration invalid (%zu error(s) above), keeping the previous configuration",
                          errors_n);
                return r;
        }
        if (r < 0) {
                log_error_errno(r, "Reload: cannot load the configuration (%m), keeping the previous configuration");
                if (lines)
                        json_object_array_add(lines, json_object_new_string(strerror(-r)));
                return r;
        }
        if (ret_n_files)
                *ret_n_files = n_files;
        HrConfErrors notes = {};
        (void) hr_conf_keep_fixed(&m->config, &fresh, &notes);
        for (size_t i = 0; i < notes.n; i++)
                log_warning("%s", notes.lines[i]);
        hr_conf_errors_done(&notes);
        hr_config_done(&m->config);
        m->config = fresh; /* the rules' regexes move with it */
        m->reclassify = true;
        log_info("Reload: configuration from %zu file(s), %zu rules", n_files, m->config.n_rules);
        warn_if_emptied(m->opt.conf_paths->config_file);
        return 0;
}

int hr_monitor_init(HrMonitor *m, const HrMonitorOptions *o, HrConfig *config) {
        char where[PATH_MAX + 64];
        int r;

        hr_zero_sparse(m, sizeof *m); /* mostly idle tables: only what holds something is written */
        m->opt = *o;
        m->timer_fd = m->signal_fd = m->watchdog_fd = -EBADF;
        hr_executor_init_closed(&m->executor); /* set up below when acting */
        hr_child_init(&m->hibernate_child);
        hr_control_init(&m->control);
        m->flight = (HrFlight) {};
        hr_desktop_init(&m->desktop);
        hr_proc_table_init(&m->procs[0]);
        hr_proc_table_init(&m->procs[1]);
        hr_policy_state_init(&m->policy);
        m->scanner.proc_fd = -EBADF;
        if (config) {
                m->config = *config;
                *config = (HrConfig) {};
        } else {
                r = hr_config_init_default(&m->config);
                if (r < 0)
                        return log_error_errno(r, "Cannot set up the built-in configuration: %m");
        }
        for (unsigned i = 0; i < _HR_STALL_MAX; i++)
                m->trigger_fd[i] = -EBADF;
        m->loop.epfd = -EBADF;
        /* hr_monitor_done() must be safe after a failure at any step below: no fd 0 in sight. */
        m->root = (HrSysroot) { .root_fd = -EBADF, .proc_fd = -EBADF, .sys_fd = -EBADF, .cgroup2_fd = -EBADF };
        hr_sensors_init_closed(&m->sensors);

        r = hr_sysroot_open(o->root, &m->root);
        if (r < 0)
                return log_error_errno(r, "%s/proc: cannot open: %m", o->root ? o->root : "");

        if (o->scope) {
                r = hr_sysroot_resolve_scope(&m->root, o->scope, m->scope_rel, sizeof m->scope_rel);
                if (r == -ENOENT && m->root.cgroup2_fd < 0)
                        return log_error_errno(r, "--scope %s: no cgroup2 mount in %s/proc/self/mountinfo",
                                               o->scope, m->root.path);
                if (r == -EOPNOTSUPP)
                        return log_error_errno(r, "--scope %s: no memory.pressure there (PSI disabled for this "
                                               "cgroup or kernel?)", o->scope);
                if (r < 0)
                        return log_error_errno(r, "--scope %s: not a cgroup2 directory under %s/%s: %m", o->scope,
                                               m->root.path, m->root.cgroup2);
        }

        if (m->scope_rel[0]) {
                /* scope_rel is "<cgroup2 mount>[/sub]": the processes to plan for are those in "/sub". */
                const char *sub = m->scope_rel + strlen(m->root.cgroup2);
                (void) snprintf(m->scope_cgroup, sizeof m->scope_cgroup, "%s", *sub ? sub : "/");
        }

        r = hr_sensors_open(&m->sensors, &m->root, m->scope_rel[0] ? m->scope_rel : NULL);
        if (r < 0)
                return log_error_errno(r, "Cannot open the pressure sources under %s/: %m", m->root.path);
        if (m->sensors.psi[HR_PSI_MEMORY].fd < 0)
                log_warning("%s: unavailable (kernel without PSI, or booted without psi=1): the score "
                            "uses swap, refaults and MemAvailable only",
                            hr_sysroot_display(&m->root, hr_sensors_memory_psi_rel(&m->sensors), where, sizeof where));
        r = hr_proc_scanner_open(&m->scanner, &m->root);
        if (r < 0)
                return log_error_errno(r, "%s/proc: cannot list processes: %m", m->root.path);
        if (!o->dry_run) {
                hr_executor_done(&m->executor);
                r = hr_executor_init(&m->executor, &m->root, o->runtime_dir);
                if (r < 0)
                        return r;
        }
        r = hr_cgapply_init(&m->cgapply, &m->root, o->dry_run ? NULL : o->runtime_dir);
        if (r < 0)
                return r;
        r = hr_sysknob_init(&m->mglru_ttl, &m->root, "sys/kernel/mm/lru_gen/min_ttl_ms", o->dry_run ? NULL : o->runtime_dir,
                            "mglru-min-ttl-ms");
        if (r < 0)
                return log_error_errno(r, "%s: runtime directory path too long", o->runtime_dir);
        r = hr_flight_init(&m->flight, HR_MONITOR_FLIGHT_RECORDS, HR_MONITOR_FLIGHT_NOTES, o->incident_dir);
        if (r < 0)
                return log_error_errno(r, "Flight recorder: cannot set up (%m)");
        hr_level_state_init(&m->level, hr_now());
        return 0;
}

void hr_monitor_done(HrMonitor *m) {
        for (unsigned i = 0; i < _HR_STALL_MAX; i++)
                m->trigger_fd[i] = hr_close(m->trigger_fd[i]);
        m->timer_fd = hr_close(m->timer_fd);
        m->signal_fd = hr_close(m->signal_fd);
        m->watchdog_fd = hr_close(m->watchdog_fd);
        hr_control_close(&m->control);
        hr_desktop_done(&m->desktop);
        if (m->flight.rec)
                (void) hr_flight_flush(&m->flight, hr_now());
        hr_flight_done(&m->flight);
        hr_child_finish(&m->hibernate_child, 0); /* before the loop it is watched on goes */
        hr_loop_done(&m->loop);
        hr_executor_done(&m->executor);
        hr_proc_scanner_close(&m->scanner);
        hr_proc_table_done(&m->procs[0]);
        hr_proc_table_done(&m->procs[1]);
        hr_sensors_close(&m->sensors);
        hr_sysroot_done(&m->root);
        hr_config_done(&m->config);
}

/* What follows every decision, carried out or (--dry-run) only planned: the event to subscribers, the
 * flight recorder (a process ended is an incident of its own), the desktop in user mode. line: a's one-line
 * form ("would ..." with --dry-run). */
static void decided(HrMonitor *m, const HrAction *a, const char *line, HrLevel level, usec_t now, bool dry_run) {
        hr_commands_event_action(m, a, level, dry_run);
        hr_flight_note(&m->flight, now, line);
        if (a->type == HR_ACTION_KILL || a->type == HR_ACTION_TERMINATE || a->type == HR_ACTION_CHECKPOINT)
                (void) hr_flight_incident(&m->flight, now, line);
        if (!dry_run && m->opt.user_mode && m->config.actions.notify_desktop)
                (void) hr_desktop_notify(&m->desktop, &m->loop, m->config.actions.notify_command, a, now);
}

/* Scan, classify and plan; then carry the plan out and record what took effect, or with --dry-run log
 * it and commit it as if carried out, so the next plan sees what would have been. */
/* Cgroup relief: reversible, so on the damped level (it comes down slowly, after sustained calm). Planned and carried
 * out after the tick's process actions are committed: a memory.high write reclaims in the writer's context and must
 * not hold up a freeze or a kill, and a cgroup frozen in this very tick must count as frozen. */
static void plan_cgroups(HrMonitor *m, const HrSnapshot *snap, const HrProcTable *t, usec_t now) {
        pid_t frozen[HR_TRACKED_MAX];
        unsigned n_frozen = 0;
        for (unsigned i = 0; i < m->policy.n_tracked; i++)
                if (m->policy.tracked[i].state == HR_TRACKED_FROZEN)
                        frozen[n_frozen++] = m->policy.tracked[i].pid;
        qsort(frozen, n_frozen, sizeof *frozen, hr_pid_cmp);
        const HrCgReliefInput cin = { .level = snap->level, .mem_total_kib = snap->mem_total_kib, .t = t, .now = now,
                                      .frozen = frozen, .n_frozen = n_frozen };
        hr_cgrelief_plan(&m->config.cgroups, &cin, &m->cgapply.state, &m->cgplan);
        if (!m->opt.dry_run) {
                hr_cgapply_run(&m->cgapply, &m->config.cgroups, &m->cgplan);
                return;
        }
        for (unsigned i = 0; i < m->cgplan.n; i++) {
                const HrCgAction *x = &m->cgplan.a[i];
                log_info("  would %s%s %s: %s", x->undo ? "undo " : "", hr_cg_knob_to_string(x->knob), x->cgroup, x->why);
                (void) hr_cgrelief_commit(&m->cgapply.state, x);
        }
}

static void plan_tick(HrMonitor *m, usec_t now, bool level_changed) {
        unsigned next = m->have_procs ? m->procs_cur ^ 1 : m->procs_cur;
        HrProcTable *t = &m->procs[next];
        const HrSample *s = &m->sample[m->cur];
        int r;

        r = hr_procfs_scan(&m->scanner, now, t);
        if (r < 0) {
                if (!m->scan_failing)
                        log_error_errno(r, "%s/proc: cannot scan processes (%m); no plan until it works again",
                                        m->root.path);
                m->scan_failing = true;
                return;
        }
        if (m->scan_failing)
                log_notice("Process scan works again");
        m->scan_failing = false;

        /* Scoped: only what runs inside the scope is ours to consider. */
        if (m->scope_cgroup[0])
                hr_proc_table_keep_cgroup(t, m->scope_cgroup);

        /* Growth is an EWMA with a time constant of GROWTH_TAU: a tab that stopped loading a scan ago at
         * NORMAL (5 s) is no runaway any more, and 100 ms scans in an emergency do not make it jumpy. */
        const HrProcTable *prev = m->have_procs ? &m->procs[m->procs_cur] : NULL;
        usec_t dt = prev && t->scanned_at > prev->scanned_at ? t->scanned_at - prev->scanned_at : 0;
        hr_proc_table_track_growth(prev, t, hr_proc_growth_alpha_permille(dt, GROWTH_TAU_USEC));

        /* Only new or changed processes go through the rules' regexes; a reload reclassifies all. */
        HrClassifyInput in = { .self_pid = getpid(), .foreground_pid = m->foreground_pid };
        hr_classify_since(&m->config, &in, m->reclassify ? NULL : prev, t);
        m->reclassify = false;
        /* Unfrozen by hand: left alone until their time is up (a flag of this scan only, never carried over). */
        for (unsigned i = 0; i < HR_EXEMPT_MAX; i++) {
                HrExempt *x = &m->exempt[i];
                if (x->until == 0)
                        continue;
                const HrProc *p = hr_proc_table_find(t, x->pid);
                if (x->until <= now || !p || p->start_time != x->start_time) {
                        *x = (HrExempt) {};
                        continue;
                }
                ((HrProc *) p)->flags |= HR_PROC_EXEMPT;
        }
        m->procs_cur = next;
        m->have_procs = true;
        m->scanned_at = now;
        m->scanned_last_pid = s->has_loadavg ? s->loadavg.last_pid : 0;

        HrSnapshot snap = {
                .now = now,
                .level = m->level.level,
                .pressure = m->pressure,
                .mem_total_kib = hr_meminfo_get(&s->meminfo, HR_MEM_TOTAL),
                .mem_available_kib = hr_meminfo_get(&s->meminfo, HR_MEM_AVAILABLE),
                .swap_total_kib = hr_meminfo_get(&s->meminfo, HR_MEM_SWAP_TOTAL),
                .swap_free_kib = hr_meminfo_get(&s->meminfo, HR_MEM_SWAP_FREE),
                .scope_limited = s->scope_mem.limited,
                .procs = t,
                /* Someone hears a warning: the hook, or a client following the events. */
                .warn_listeners = m->config.actions.warn_hook[0] != '\0' || m->control.n_subscribers > 0,
                /* Memory is on its way out to swap: give it PAGE_OUT_HOLD before choosing an idle victim. */
                .paging_out = !m->opt.dry_run && m->executor.pager.busy && now - m->executor.pager.started < PAGE_OUT_HOLD_USEC,
        };
        if (!m->opt.dry_run && m->executor.resync) /* what it learnt since: a checkpoint that fell back */
                hr_executor_sync(&m->executor, &m->policy);
        hr_policy_plan(&m->config, &snap, &m->policy, &m->plan);
        m->n_plans++;
        m->n_planned_actions += m->plan.n;

        if (m->opt.record) {
                r = hr_record_write(m->opt.record, &snap, &in);
                if (r < 0) {
                        log_error_errno(r, "--record: cannot write (%m); recording stops");
                        m->opt.record = NULL;
                }
        }

        if (level_changed || m->plan.n > 0)
                log_notice("Plan at %s, score %u.%02u, %zu processes: %s", hr_level_to_string(snap.level),
                           snap.pressure.score_centi / 100, snap.pressure.score_centi % 100, t->n,
                           m->plan.n ? "" : "nothing to do");
        if (!m->opt.dry_run) {
                m->executor.ac = &m->config.actions;
                hr_executor_apply(&m->executor, &snap, &m->plan, &m->done);
                hr_policy_commit(&m->policy, &snap, &m->done);
                hr_executor_sync(&m->executor, &m->policy);
                for (unsigned i = 0; i < m->done.n; i++) {
                        char line[512];
                        hr_action_format(&m->done.items[i], line, sizeof line);
                        decided(m, &m->done.items[i], line, snap.level, now, false);
                }
                plan_cgroups(m, &snap, t, now);
                return;
        }
        for (unsigned i = 0; i < m->plan.n; i++) {
                const HrAction *a = &m->plan.items[i];
                char line[512];
                size_t o = (size_t) snprintf(line, sizeof line, "would ");
                hr_action_format(a, line + o, sizeof line - o);
                HrLogFields f = { .action = hr_action_type_to_string(a->type), .target_pid = a->pid,
                                  .target_comm = a->comm, .level = hr_level_to_string(snap.level),
                                  .score_centi = (int) snap.pressure.score_centi };
                hr_log_set_fields(&f);
                log_notice("  %s", line);
                hr_log_set_fields(NULL);
                decided(m, a, line, snap.level, now, true);
        }
        hr_policy_commit(&m->policy, &snap, &m->plan);
        plan_cgroups(m, &snap, t, now);
}

/* Have WARM_SCAN_NEW_PIDS pids been handed out since the last scan (a burst of new processes to get to know
 * before they matter)? The last pid wraps at pid_max: going back counts as a burst too. */
static bool many_new_pids(const HrMonitor *m) {
        const HrSample *s = &m->sample[m->cur];
        if (!s->has_loadavg || m->scanned_last_pid == 0)
                return false;
        return s->loadavg.last_pid < m->scanned_last_pid ||
               s->loadavg.last_pid - m->scanned_last_pid >= WARM_SCAN_NEW_PIDS;
}

/* [Kernel] DropCaches=: clean page cache dropped at HIGH+ while anon pages refault, at most once per 10 min. */
static void maybe_drop_caches(HrMonitor *m, const HrSample *prev) {
        const HrSample *cur = &m->sample[m->cur];
        if (m->opt.dry_run || m->scope_rel[0] || !m->config.drop_caches || !hr_drop_cache_wanted(m->level.level, prev, cur, m->dropped_caches_at))
                return;
        m->dropped_caches_at = cur->at;
        uint64_t clean = hr_clean_cache_kib(&cur->meminfo);
        int r = hr_write_at(m->root.proc_fd, "sys/vm/drop_caches", "1");
        if (r < 0) {
                log_warning_errno(r, "%s/proc/sys/vm/drop_caches: cannot write (%m); not retried for 10 min", m->root.path);
                return;
        }
        m->n_cache_drops++;
        log_info("Dropped clean page cache at %s: %llu MiB of it while anon pages were refaulting (MemAvailable %llu MiB "
                 "before); not again for 10 min", hr_level_to_string(m->level.level), (unsigned long long) (clean / 1024),
                 (unsigned long long) (hr_meminfo_get(&cur->meminfo, HR_MEM_AVAILABLE) / 1024));
}

/* [Kernel] MglruMinTtlMs=: a crashed run's value first given back, then ours set (given back at stop). */
static void set_mglru_ttl(HrMonitor *m) {
        char value[16];
        int r = hr_sysknob_recover(&m->mglru_ttl);
        if (r > 0)
                log_notice("/%s: gave back the value a run that did not stop cleanly had changed", m->mglru_ttl.rel);
        else if (r < 0)
                log_warning_errno(r, "/%s: cannot give back a crashed run's value (%m)", m->mglru_ttl.rel);
        if (m->config.mglru_min_ttl_ms == 0)
                return;
        if (m->scope_rel[0]) {
                log_notice("MglruMinTtlMs=%u: not with --scope (it is the whole machine's); not set",
                           m->config.mglru_min_ttl_ms);
                return;
        }
        (void) snprintf(value, sizeof value, "%u", m->config.mglru_min_ttl_ms);
        r = hr_sysknob_set(&m->mglru_ttl, value);
        if (r == -ENOENT)
                log_warning("MglruMinTtlMs=%s: this kernel has no MGLRU (/%s); not set", value, m->mglru_ttl.rel);
        else if (r < 0)
                log_warning_errno(r, "MglruMinTtlMs=%s: cannot write /%s (%m)", value, m->mglru_ttl.rel);
        else
                log_info("/%s: %s (was %s) while headroomd runs", m->mglru_ttl.rel, value, m->mglru_ttl.original);
}

static void on_hibernate_done(HrChild *c, int code, int status) {
        (void) c;
        if (code == CLD_EXITED && status == 0)
                log_notice("Hibernate command done (the machine has resumed, or hibernation is under way)");
        else
                log_warning("Hibernate command failed: %s %d", code == CLD_EXITED ? "exit status" : "signal", status);
}

/* [Kernel] Hibernate=yes: EMERGENCY held for HibernateAfterSec runs the hibernate command, once per run. */
static void maybe_hibernate(HrMonitor *m, usec_t now) {
        char words[HR_CONFIG_HOOK_MAX], *argv[HR_HOOK_WORDS_MAX + 1];
        const char *bad = NULL;

        if (m->level.level != HR_LEVEL_EMERGENCY) {
                m->emergency_since = 0;
                return;
        }
        if (m->emergency_since == 0)
                m->emergency_since = now;
        if (!m->config.hibernate || m->hibernated || m->opt.dry_run ||
            now - m->emergency_since < m->config.hibernate_after_usec)
                return;
        m->hibernated = true;
        const char *cmd = m->config.hibernate_command[0] ? m->config.hibernate_command : "/usr/bin/systemctl hibernate";
        int n = hr_hook_split(cmd, words, sizeof words, argv, ELEMENTSOF(argv), &bad);
        if (n < 0) {
                log_error("HibernateCommand=%s: %s; not hibernating", cmd, bad);
                return;
        }
        argv[n] = NULL;
        log_notice("EMERGENCY for %llu s: hibernating (%s); once per run of headroomd",
                   (unsigned long long) ((now - m->emergency_since) / USEC_PER_SEC), cmd);
        int r = hr_child_spawn(&m->hibernate_child, &m->loop, argv, NULL, -1, 300 * USEC_PER_SEC, on_hibernate_done, m);
        if (r < 0)
                log_error_errno(r, "HibernateCommand=%s: cannot run it (%m)", cmd);
}

/* ELEVATED and up: a fragmented zram pool gives its empty zsmalloc pages back, once per episode (after the process
 * actions of this tick: the pass is synchronous). */
static void compact_zram(HrMonitor *m) {
        const HrSample *s = &m->sample[m->cur];
        for (unsigned i = 0; i < s->n_zram && i < HR_ZRAM_MAX; i++) {
                const HrZramDev *z = &s->zram[i];
                if (m->level.level == HR_LEVEL_NORMAL) {
                        m->zram_compacted[i] = false;
                        continue;
                }
                if (m->opt.dry_run || m->scope_rel[0] || !m->config.zram_compact ||
                    !hr_zram_compact_wanted(m->level.level, &z->stat, m->zram_compacted[i]))
                        continue;
                m->zram_compacted[i] = true;
                HrZramStat after = {};
                int r = hr_zram_compact(&m->root, z->index, &after);
                if (r < 0) {
                        log_warning_errno(r, "zram%u: cannot compact (%m)", z->index);
                        continue;
                }
                m->n_zram_compactions++;
#define MIB_1(b) ((double) (b) / (1024.0 * 1024.0))
                log_info("zram%u: compacted at %s: its pool used %.1f MiB for %.1f MiB compressed (%.1f MiB fragmented), "
                         "now %.1f MiB", z->index, hr_level_to_string(m->level.level), MIB_1(z->stat.mem_used_total_bytes),
                         MIB_1(z->stat.compr_data_bytes), MIB_1(hr_zram_fragmented_bytes(&z->stat)),
                         MIB_1(after.mem_used_total_bytes));
#undef MIB_1
        }
}

/* systemd's STATUS= (systemctl status shows it): the level and the score. */
static void notify_status(const HrMonitor *m) {
        char buf[128];
        (void) snprintf(buf, sizeof buf, "STATUS=Level %s, score %u.%02u%s", hr_level_to_string(m->level.level),
                        m->pressure.score_centi / 100, m->pressure.score_centi % 100, m->opt.dry_run ? " (dry run)" : "");
        (void) hr_notify(buf);
}

int hr_monitor_tick(HrMonitor *m, usec_t now) {
        unsigned next = m->have_cur ? m->cur ^ 1 : m->cur;
        /* After a reload the sources may differ (zram devices come and go): rates restart, but the last
         * sample stays the current one for reports until the next is taken. */
        const HrSample *prev = m->have_cur && !m->rates_restart ? &m->sample[m->cur] : NULL;
        HrSensorError err = {};
        HrPressure p;
        char where[PATH_MAX + 64];
        int r;

        /* A wake-up right after a sample (a trigger just after a tick) adds nothing and would give
         * rate-less, dipping scores and then a false spike: the next tick is close anyway. */
        if (prev && now - prev->at < m->config.pressure.min_rate_interval_usec)
                return 0;

        r = hr_sensors_sample(&m->sensors, now, &m->sample[next], &err);
        if (r < 0) {
                if (!m->sample_failing) {
                        hr_sysroot_display(&m->root, err.rel, where, sizeof where);
                        if (err.parse.why)
                                log_error("%s:%u: %s%s", where, err.parse.line, err.parse.why,
                                          prev ? "; keeping the last good state" : "");
                        else
                                log_error_errno(r, "%s: cannot read: %m%s", where, prev ? "; keeping the last good state" : "");
                }
                m->sample_failing = true;
                return r;
        }
        if (m->sample_failing)
                log_notice("Pressure sources readable again");
        m->sample_failing = false;

        hr_pressure_eval(&m->config.pressure, prev, &m->sample[next], prev ? &m->pressure : NULL, &p);
        m->pressure = p;
        m->cur = next;
        m->have_cur = true;
        m->rates_restart = false;
        m->n_samples++;

        HrLevel before = m->level.level;
        HrLevelInput in = {
                .score_centi = p.score_centi,
                .trend_centi_per_sec = p.trend_centi_per_sec,
                .psi_full_permyriad = p.psi_full_permyriad,
                .now = now,
        };
        HrLevelReason why = hr_level_step(&m->config.level, &m->level, &in);
        if (why != HR_LEVEL_UNCHANGED) {
                char comps[512], trend[24];
                hr_report_components_line(&p, comps, sizeof comps);
                HrLogFields f = { .level = hr_level_to_string(m->level.level), .score_centi = (int) p.score_centi };
                hr_log_set_fields(&f);
                log_notice("Level %s -> %s (%s): score %u.%02u, trend %s/s; %s", hr_level_to_string(before),
                           hr_level_to_string(m->level.level), hr_level_reason_to_string(why), p.score_centi / 100,
                           p.score_centi % 100, hr_format_centi_signed(p.trend_centi_per_sec, trend, sizeof trend),
                           comps);
                hr_log_set_fields(NULL);
                hr_commands_event_level(m, before, m->level.level, hr_level_reason_to_string(why));
                notify_status(m);
        }

        /* The flight recorder: every sample; an incident on each rise to CRITICAL or above. */
        HrFlightRecord rec;
        hr_flight_record_fill(&rec, now, hr_flight_wall_now(), m->level.level, &p, &m->sample[m->cur]);
        hr_flight_push(&m->flight, &rec);
        if (why != HR_LEVEL_UNCHANGED && m->level.level >= HR_LEVEL_CRITICAL && m->level.level > before) {
                char what[HR_FLIGHT_WHY_MAX];
                (void) snprintf(what, sizeof what, "level %s -> %s (%s): score %u.%02u", hr_level_to_string(before),
                                hr_level_to_string(m->level.level), hr_level_reason_to_string(why),
                                p.score_centi / 100, p.score_centi % 100);
                (void) hr_flight_incident(&m->flight, now, what);
        }

        /* Processes matter under pressure, while something done must be undone, and as soon as any component
         * starts to count (the score leaves 0: spike mode's budget looks ahead from NORMAL). Otherwise a scan
         * every WARM_SCAN_USEC keeps the table warm, so the first scan of an incident reads one file per known
         * process instead of seven (2000 processes took 37 s to scan cold in the VM's thrash). */
        if (m->level.level > HR_LEVEL_NORMAL || m->policy.n_tracked > 0 || why != HR_LEVEL_UNCHANGED || m->opt.record ||
            p.score_centi > 0 || !m->have_procs || now - m->scanned_at >= WARM_SCAN_USEC || many_new_pids(m))
                plan_tick(m, now, why != HR_LEVEL_UNCHANGED);
        compact_zram(m);
        maybe_drop_caches(m, prev);
        maybe_hibernate(m, now);

        int k = hr_flight_tick(&m->flight, now);
        if (k < 0 && !m->flight_failing)
                log_warning_errno(k, "%s: cannot write an incident clip (%m); it is dropped", m->flight.dir);
        else if (k > 0)
                log_info("Incident recorded: %s (headroomctl incident %s)", m->flight.inc.id, m->flight.inc.id);
        m->flight_failing = k < 0;
        return why != HR_LEVEL_UNCHANGED;
}

static int on_watchdog(HrLoop *l, int fd, uint32_t revents, void *userdata) {
        uint64_t expirations;
        (void) l;
        (void) revents;
        (void) userdata;
        if (read(fd, &expirations, sizeof expirations) == (ssize_t) sizeof expirations)
                (void) hr_notify("WATCHDOG=1");
        return 0;
}

static int arm_timer(HrMonitor *m) {
        usec_t t = hr_level_next_tick(&m->config.level, &m->level, &m->config.pressure, hr_monitor_current(m),
                                      m->trigger_fd[HR_STALL_SOME] >= 0 || m->trigger_fd[HR_STALL_FULL] >= 0);
        struct itimerspec its = {
                .it_value = { .tv_sec = (time_t) (t / USEC_PER_SEC), .tv_nsec = (long) (t % USEC_PER_SEC) * 1000 },
        };
        if (timerfd_settime(m->timer_fd, 0, &its, NULL) < 0)
                return -errno;
        return 0;
}

static int on_timer(HrLoop *l, int fd, uint32_t revents, void *userdata) {
        HrMonitor *m = userdata;
        uint64_t expirations;
        (void) l;
        (void) revents;

        (void) !read(fd, &expirations, sizeof expirations);
        (void) hr_monitor_tick(m, hr_now());
        return arm_timer(m);
}

static void close_triggers(HrMonitor *m) {
        for (unsigned i = 0; i < _HR_STALL_MAX; i++)
                if (m->trigger_fd[i] >= 0) {
                        (void) hr_loop_remove_fd(&m->loop, m->trigger_fd[i]);
                        m->trigger_fd[i] = hr_close(m->trigger_fd[i]);
                }
}

static int on_trigger(HrLoop *l, int fd, uint32_t revents, void *userdata) {
        HrMonitor *m = userdata;
        char where[PATH_MAX + 64];
        usec_t now = hr_now();
        (void) l;

        if (revents & EPOLLERR) {
                /* The source is gone (cgroup removed) or PSI was switched off at runtime. */
                log_warning("%s: PSI trigger source went away; polling instead",
                            hr_sysroot_display(&m->root, hr_sensors_memory_psi_rel(&m->sensors), where, sizeof where));
                close_triggers(m);
        } else {
                HrStall which = fd == m->trigger_fd[HR_STALL_FULL] ? HR_STALL_FULL : HR_STALL_SOME;
                if (m->last_trigger_at == 0 || now - m->last_trigger_at > m->config.level.calm_usec)
                        log_info("PSI trigger fired: memory %s stall over %u.%02u%% of %llu ms (%s)",
                                 which == HR_STALL_SOME ? "some" : "full",
                                 trigger_spec(&m->config, which).threshold_permyriad / 100,
                                 trigger_spec(&m->config, which).threshold_permyriad % 100,
                                 (unsigned long long) (m->trigger_window_usec[which] / USEC_PER_MSEC),
                                 hr_sysroot_display(&m->root, hr_sensors_memory_psi_rel(&m->sensors), where, sizeof where));
                m->trigger_fired[which]++;
                m->last_trigger_at = now;
        }
        (void) hr_monitor_tick(m, now);
        return arm_timer(m);
}

static int register_triggers(HrMonitor *m) {
        const char *rel = hr_sensors_memory_psi_rel(&m->sensors);
        char where[PATH_MAX + 64];
        int r = 0;

        hr_sysroot_display(&m->root, rel, where, sizeof where);
        if (m->sensors.psi[HR_PSI_MEMORY].fd < 0) {
                log_warning("%s: no PSI, so no triggers: polling every second at most", where);
                return 0;
        }
        for (unsigned i = 0; i < _HR_STALL_MAX; i++) {
                HrTriggerSpec spec = trigger_spec(&m->config, (HrStall) i);
                int fd = hr_psi_trigger_open_fallback(m->root.root_fd, rel, &spec,
                                                      &m->trigger_window_usec[i]);
                if (fd < 0) {
                        r = fd;
                        break;
                }
                m->trigger_fd[i] = fd;
                r = hr_loop_add_fd(&m->loop, fd, EPOLLPRI, on_trigger, m);
                if (r < 0)
                        break;
        }
        if (r < 0) {
                close_triggers(m);
                if (r == -ENOTTY)
                        log_info("%s: not a kernel PSI file (fixture root), no triggers: polling every second "
                                 "at most", where);
                else if (r == -EACCES || r == -EPERM)
                        log_warning_errno(r, "%s: cannot register PSI triggers (%m; kernels before 6.4 need "
                                          "CAP_SYS_RESOURCE): polling every second at most", where);
                else
                        log_warning_errno(r, "%s: cannot register PSI triggers (%m): polling every second at most",
                                          where);
                return 0;
        }
        bool widened = m->trigger_window_usec[HR_STALL_SOME] != m->config.trigger_window_usec;
        log_info("PSI triggers on %s: some %u.%02u%%, full %u.%02u%% of a %llu ms window%s", where,
                 m->config.trigger_some_permyriad / 100, m->config.trigger_some_permyriad % 100,
                 m->config.trigger_full_permyriad / 100, m->config.trigger_full_permyriad % 100,
                 (unsigned long long) (m->trigger_window_usec[HR_STALL_SOME] / USEC_PER_MSEC),
                 widened ? " (widened to a multiple of 2 s: no CAP_SYS_RESOURCE)" : "");
        return 0;
}

static int on_signal(HrLoop *l, int fd, uint32_t revents, void *userdata) {
        HrMonitor *m = userdata;
        struct signalfd_siginfo si;
        (void) revents;

        if (read(fd, &si, sizeof si) != (ssize_t) sizeof si)
                return 0;
        switch (si.ssi_signo) {
        case SIGTERM:
        case SIGINT:
                log_info("Received %s, stopping", si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
                hr_loop_quit(l, 0);
                return 0;
        case SIGHUP: {
                (void) hr_monitor_reload(m, NULL, NULL);
                return 0;
        }
        default:
                return 0;
        }
}

int hr_monitor_reload(HrMonitor *m, json_object *errors, size_t *ret_n_files) {
        /* Re-read the config, re-open sources (zram devices come and go) and re-arm the triggers. */
        int r = reload_config(m, errors, ret_n_files);
        HrSensors fresh;
        int k = hr_sensors_open(&fresh, &m->root, m->scope_rel[0] ? m->scope_rel : NULL);
        if (k < 0) {
                log_warning_errno(k, "Reload: cannot re-open pressure sources (%m); keeping the old ones");
                return r;
        }
        close_triggers(m);
        hr_sensors_close(&m->sensors);
        m->sensors = fresh;
        m->rates_restart = true;
        (void) register_triggers(m);
        log_info("Reloaded: %u zram device(s), triggers %s", m->sensors.n_zram,
                 m->trigger_fd[HR_STALL_SOME] >= 0 ? "armed" : "off");
        k = arm_timer(m);
        return r < 0 ? r : k;
}

unsigned hr_monitor_unfreeze(HrMonitor *m, pid_t pid, const char *name, json_object *thawed) {
        pid_t pids[HR_TRACKED_MAX];
        uint64_t starts[HR_TRACKED_MAX];
        unsigned n = 0;

        /* What is frozen: the registry when acting, the policy's memory with --dry-run. */
        if (!m->opt.dry_run)
                for (unsigned i = 0; i < m->executor.registry.n && n < HR_TRACKED_MAX; i++) {
                        const HrRegistryEntry *e = &m->executor.registry.e[i];
                        if (e->state == HR_TRACKED_FROZEN && (pid ? e->pid == pid : strcmp(e->comm, name) == 0)) {
                                pids[n] = e->pid;
                                starts[n++] = e->start_time;
                        }
                }
        else
                for (unsigned i = 0; i < m->policy.n_tracked && n < HR_TRACKED_MAX; i++) {
                        const HrTracked *t = &m->policy.tracked[i];
                        if (t->state == HR_TRACKED_FROZEN && (pid ? t->pid == pid : strcmp(t->comm, name) == 0)) {
                                pids[n] = t->pid;
                                starts[n++] = t->start_time;
                        }
                }

        for (unsigned i = 0; i < n; i++) {
                if (!m->opt.dry_run && hr_executor_unfreeze(&m->executor, pids[i], starts[i]) < 0)
                        continue;
                (void) hr_policy_forget(&m->policy, pids[i], starts[i]);
                /* Left alone for a while: the user wants it now, and the next tick would freeze it again. */
                HrExempt *x = &m->exempt[0];
                for (unsigned k = 0; k < HR_EXEMPT_MAX; k++)
                        if (m->exempt[k].until < x->until)
                                x = &m->exempt[k];
                *x = (HrExempt) { .pid = pids[i], .start_time = starts[i], .until = hr_now() + HR_UNFREEZE_EXEMPT_USEC };
                if (thawed)
                        json_object_array_add(thawed, json_object_new_int(pids[i]));
                log_notice("Unfrozen by request: %d; left alone for %llu min", (int) pids[i],
                           (unsigned long long) (HR_UNFREEZE_EXEMPT_USEC / USEC_PER_SEC / 60));
        }
        return n;
}

int hr_monitor_set_foreground(HrMonitor *m, pid_t pid) {
        char path[64], comm[HR_COMM_MAX + 2] = "";

        if (pid > 0) {
                (void) snprintf(path, sizeof path, "%d/comm", (int) pid);
                ssize_t n = m->root.proc_fd >= 0 ? hr_read_at(m->root.proc_fd, path, comm, sizeof comm - 1) : -ENOENT;
                if (n < 0)
                        return -ESRCH;
                comm[n] = '\0';
                comm[strcspn(comm, "\n")] = '\0';
        }
        if (pid != m->foreground_pid)
                log_info("Foreground: %d (%s)", (int) pid, pid ? comm : "none");
        m->foreground_pid = pid;
        (void) hr_log_safe(comm, m->foreground_comm, sizeof m->foreground_comm);
        m->reclassify = true;
        return 0;
}

/* The control socket: its directory is made if missing (0755: the socket's own mode says who may
 * connect). Without it the daemon still protects the machine: a warning, not an error. */
static void open_control(HrMonitor *m) {
        char dir[PATH_MAX];
        (void) snprintf(dir, sizeof dir, "%s", m->opt.socket_path);
        char *slash = strrchr(dir, '/');
        if (slash && slash != dir) {
                *slash = '\0';
                if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                        log_warning_errno(-errno, "%s: cannot create the socket's directory: %m", dir);
        }
        int r = hr_control_open(&m->control, &m->loop, m->opt.socket_path, m->opt.user_mode, hr_commands_handle, m);
        if (r == -EADDRINUSE)
                log_warning("%s: another headroomd answers there; no control socket for this one", m->opt.socket_path);
        else if (r < 0)
                log_warning_errno(r, "%s: cannot serve the control socket (%m); headroomctl cannot reach this daemon",
                                  m->opt.socket_path);
        else
                log_info("Control socket: %s", m->opt.socket_path);
}

int hr_monitor_run(HrMonitor *m) {
        sigset_t mask;
        int r;

        r = hr_loop_init(&m->loop);
        if (r < 0)
                return log_error_errno(r, "epoll_create1() failed: %m");

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return log_error_errno(-errno, "sigprocmask() failed: %m");
        m->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (m->signal_fd < 0)
                return log_error_errno(-errno, "signalfd() failed: %m");
        r = hr_loop_add_fd(&m->loop, m->signal_fd, EPOLLIN, on_signal, m);
        if (r < 0)
                return log_error_errno(r, "Cannot watch signals: %m");

        m->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        if (m->timer_fd < 0)
                return log_error_errno(-errno, "timerfd_create() failed: %m");
        r = hr_loop_add_fd(&m->loop, m->timer_fd, EPOLLIN, on_timer, m);
        if (r < 0)
                return log_error_errno(r, "Cannot watch the timer: %m");

        (void) register_triggers(m);

        if (!m->opt.dry_run) {
                r = hr_executor_attach(&m->executor, &m->loop);
                if (r < 0)
                        return log_error_errno(r, "Cannot watch the grace timer: %m");
                /* A previous run may have died holding frozen processes: undo that first. */
                m->executor.ac = &m->config.actions;
                (void) hr_executor_recover(&m->executor);
                hr_executor_sync(&m->executor, &m->policy);
                (void) hr_cgapply_recover(&m->cgapply);
                set_mglru_ttl(m);
        }

        if (m->opt.socket_path)
                open_control(m);

        m->started_at = hr_now();
        (void) hr_monitor_tick(m, m->started_at);
        if (m->have_cur) {
                char line[1024];
                hr_report_status_line(m, line, sizeof line);
                log_info("Started%s: %s", m->opt.dry_run ? " (dry run: acting on nothing)" : "", line);
        }
        r = arm_timer(m);
        if (r < 0)
                return log_error_errno(r, "timerfd_settime() failed: %m");

        /* Under systemd: ready now, the level as status, and the watchdog pinged at half its interval
         * (the loop itself does it: a stuck loop is what the watchdog is for). */
        usec_t wd = hr_notify_watchdog_usec();
        if (wd > 0) {
                m->watchdog_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
                struct itimerspec its = { .it_value = { .tv_sec = (time_t) (wd / 2 / USEC_PER_SEC),
                                                        .tv_nsec = (long) (wd / 2 % USEC_PER_SEC) * 1000 } };
                its.it_interval = its.it_value;
                if (m->watchdog_fd < 0 || timerfd_settime(m->watchdog_fd, 0, &its, NULL) < 0 ||
                    hr_loop_add_fd(&m->loop, m->watchdog_fd, EPOLLIN, on_watchdog, m) < 0)
                        log_warning("WatchdogSec=: cannot arm the watchdog timer; systemd may restart headroomd");
        }
        (void) hr_notify("READY=1");
        notify_status(m);

        r = hr_loop_run(&m->loop);
        (void) hr_notify("STOPPING=1");
        /* Never leave a process frozen behind us, whatever stopped the loop. */
        if (!m->opt.dry_run) {
                unsigned n = hr_executor_thaw_all(&m->executor);
                if (n > 0)
                        log_notice("Thawed %u process%s before exiting", n, n == 1 ? "" : "es");
                int k = hr_sysknob_restore(&m->mglru_ttl);
                if (k < 0)
                        log_warning_errno(k, "/%s: cannot give back its value %s (%m); the next start will",
                                          m->mglru_ttl.rel, m->mglru_ttl.original);
                else if (m->config.mglru_min_ttl_ms > 0)
                        log_info("/%s: gave back %s", m->mglru_ttl.rel, m->mglru_ttl.original);
                n = hr_cgapply_restore_all(&m->cgapply);
                if (n > 0)
                        log_notice("Gave %u cgroup setting%s back before exiting", n, n == 1 ? "" : "s");
        }
        if (r < 0)
                return log_error_errno(r, "Event loop failed: %m");
        log_info("Stopped after %llu samples, %llu wake-ups", (unsigned long long) m->n_samples,
                 (unsigned long long) m->loop.wakeups);
        return 0;
}
