/* SPDX-License-Identifier: MIT */
/* Cgroup relief applier (see cgapply.h): cpu.weight, cpu.max, memory.high and memory.low written through
 * io/cgctl.c, each old value journalled first ("file\tvalue\tcgroup" lines, rewritten whole and renamed into
 * place), so that a stop or the next start after a crash puts every one back. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon/cgapply.h"
#include "daemon/log.h"
#include "io/cgctl.h"
#include "parse/parse.h"
#include "shared/macros.h"
#include "shared/zero.h"

static const char *const knob_files[_HR_CG_KNOB_MAX][2] = {
        [HR_CG_THROTTLE] = { "cpu.weight", "cpu.max" },
        [HR_CG_CAP] = { "memory.high", NULL },
        [HR_CG_PROTECT] = { "memory.low", "memory.min" }, /* one of the two: [Cgroup] ProtectHard= */
        [HR_CG_RECLAIM] = { NULL, NULL }, /* memory.reclaim: a one-off write, nothing saved */
};

int hr_cgapply_init(HrCgApply *a, const HrSysroot *root, const char *journal_dir) {
        hr_zero_sparse(a, sizeof *a);
        a->root = root;
        if (journal_dir && journal_dir[0]) {
                int n = snprintf(a->journal, sizeof a->journal, "%s/cgroups", journal_dir);
                if (n < 0 || (size_t) n >= sizeof a->journal)
                        return log_error_errno(-ENAMETOOLONG, "%s: runtime directory path too long", journal_dir);
        }
        return 0;
}

/* The journal, whole, written to a temporary file and renamed over the old one; removed when empty. */
static void journal_write(HrCgApply *a) {
        char tmp[PATH_MAX + 8];
        if (!a->journal[0])
                return;
        if (a->n_saved == 0) {
                if (unlink(a->journal) < 0 && errno != ENOENT)
                        log_warning_errno(-errno, "%s: cannot remove: %m", a->journal);
                return;
        }
        (void) snprintf(tmp, sizeof tmp, "%s.new", a->journal);
        FILE *f = fopen(tmp, "we");
        if (!f) {
                log_warning_errno(-errno, "%s: cannot write (%m): a crash now would leave cgroup settings behind", tmp);
                return;
        }
        for (unsigned i = 0; i < a->n_saved; i++)
                fprintf(f, "%s\t%s\t%s\n", a->saved[i].file, a->saved[i].value, a->saved[i].cgroup);
        if (fflush(f) != 0 || fsync(fileno(f)) < 0 || fclose(f) != 0) {
                log_warning_errno(-errno, "%s: cannot write (%m): a crash now would leave cgroup settings behind", tmp);
                (void) unlink(tmp);
                return;
        }
        if (rename(tmp, a->journal) < 0) {
                log_warning_errno(-errno, "%s: cannot rename into place: %m", a->journal);
                (void) unlink(tmp);
        }
}

static HrCgSaved *saved_of(HrCgApply *a, const char *cgroup, const char *file) {
        for (unsigned i = 0; i < a->n_saved; i++)
                if (strcmp(a->saved[i].cgroup, cgroup) == 0 && strcmp(a->saved[i].file, file) == 0)
                        return &a->saved[i];
        return NULL;
}

/* Writes the saved value back and forgets it. */
static int give_back(HrCgApply *a, HrCgSaved *sv) {
        int r = hr_cgroup_write_value(a->root, sv->cgroup, sv->file, sv->value);
        if (r < 0 && r != -ENOENT) /* ENOENT: the cgroup is gone, nothing to give back */
                log_warning_errno(r, "%s: cannot give %s back its value %s: %m", sv->cgroup, sv->file, sv->value);
        *sv = a->saved[--a->n_saved];
        return r;
}

/* Saves the file's current value (unless already saved: a value of ours is never taken for the original), then
 * writes value. */
static int set_file(HrCgApply *a, const char *cgroup, const char *file, const char *value) {
        HrCgSaved *sv = saved_of(a, cgroup, file);
        if (!sv) {
                char old[HR_CGAPPLY_VALUE_MAX];
                int r = hr_cgroup_read_value(a->root, cgroup, file, old, sizeof old);
                if (r < 0)
                        return r;
                if (a->n_saved >= HR_CGAPPLY_SAVED_MAX || strchr(old, '\t'))
                        return -ENOSPC;
                sv = &a->saved[a->n_saved++];
                *sv = (HrCgSaved) {};
                (void) snprintf(sv->cgroup, sizeof sv->cgroup, "%s", cgroup);
                (void) snprintf(sv->file, sizeof sv->file, "%s", file);
                (void) snprintf(sv->value, sizeof sv->value, "%s", old);
                journal_write(a); /* before the write: a crash right after it must find the old value */
        }
        return hr_cgroup_write_value(a->root, cgroup, file, value);
}

static void value_for(const HrCgReliefConfig *c, const HrCgAction *x, const char *file, char *buf, size_t size) {
        if (strcmp(file, "cpu.weight") == 0)
                (void) snprintf(buf, size, "%u", c->cpu_weight);
        else if (strcmp(file, "cpu.max") == 0) /* a share of one CPU per 100 ms period */
                (void) snprintf(buf, size, "%u 100000", MAX(c->cpu_quota_permyriad * 10u, 1000u));
        else
                (void) snprintf(buf, size, "%llu", (unsigned long long) x->value_kib * 1024);
}

/* The cgroup's workingset refaults (pages, anon + file, or the pre-5.9 single counter) from memory.stat. */
static int read_refaults(HrCgApply *a, const char *cgroup, uint64_t *ret) {
        char buf[8192];
        uint64_t anon = 0, file = 0;
        ssize_t k = hr_cgroup_read_file(a->root, cgroup, "memory.stat", buf, sizeof buf);
        if (k < 0)
                return (int) k;
        size_t n = (size_t) k;
        bool split = hr_parse_keyed_u64(buf, n, "workingset_refault_anon", &anon, NULL) == 0;
        split = hr_parse_keyed_u64(buf, n, "workingset_refault_file", &file, NULL) == 0 || split;
        if (!split && hr_parse_keyed_u64(buf, n, "workingset_refault", &anon, NULL) < 0)
                return -EBADMSG;
        *ret = anon + file;
        return 0;
}

static uint64_t current_kib(HrCgApply *a, const char *cgroup) {
        char buf[64];
        uint64_t v = 0;
        if (hr_cgroup_read_value(a->root, cgroup, "memory.current", buf, sizeof buf) < 0 ||
            hr_parse_cgroup_bytes(buf, strlen(buf), &v, NULL) < 0)
                return 0;
        return v / 1024;
}

/* One memory.reclaim step, unless the last one's pages came back (then the cgroup cools down instead). */
static void reclaim_step(HrCgApply *a, const HrCgReliefConfig *c, const HrCgAction *x) {
        uint64_t refaults = 0, page_kib = (uint64_t) MAX(sysconf(_SC_PAGESIZE), 4096L) / 1024;
        char value[32];
        int r = read_refaults(a, x->cgroup, &refaults);
        if (r < 0) {
                if (!a->warned_missing[HR_CG_RECLAIM]) {
                        a->warned_missing[HR_CG_RECLAIM] = true;
                        log_notice("%s: no memory.stat there (the memory controller is not enabled for it in cgroup2): "
                                   "no reclaim; said once", x->cgroup);
                }
                hr_cgrelief_cool(&a->state, x->cgroup, x->at + c->reclaim_cool_usec);
                return;
        }
        const HrCgReclaim *last = hr_cgrelief_reclaim_of(&a->state, x->cgroup);
        if (hr_cgrelief_reclaim_came_back(last, refaults, page_kib)) {
                log_info("%s: %llu MiB of its last %llu MiB step came back: its pages were not cold; no reclaim there for "
                         "%llu s", x->cgroup, (unsigned long long) ((refaults - last->refaults_after) * page_kib / 1024),
                         (unsigned long long) (last->stepped_kib / 1024),
                         (unsigned long long) (c->reclaim_cool_usec / USEC_PER_SEC));
                hr_cgrelief_cool(&a->state, x->cgroup, x->at + c->reclaim_cool_usec);
                return;
        }
        uint64_t before = current_kib(a, x->cgroup);
        (void) snprintf(value, sizeof value, "%llu", (unsigned long long) x->value_kib * 1024);
        r = hr_cgroup_write_value(a->root, x->cgroup, "memory.reclaim", value);
        if (r < 0 && r != -EAGAIN) { /* EAGAIN: less than asked could be reclaimed, which is an answer too */
                if (r == -ENOENT && !a->warned_missing[HR_CG_RECLAIM]) {
                        a->warned_missing[HR_CG_RECLAIM] = true;
                        log_notice("%s: no memory.reclaim there (a kernel before 5.19?): no reclaim; said once", x->cgroup);
                } else if (r != -ENOENT)
                        log_warning_errno(r, "%s: cannot write memory.reclaim=%s (%m)", x->cgroup, value);
                hr_cgrelief_cool(&a->state, x->cgroup, x->at + c->reclaim_cool_usec);
                return;
        }
        uint64_t after = current_kib(a, x->cgroup);
        (void) read_refaults(a, x->cgroup, &refaults);
        hr_cgrelief_reclaimed(&a->state, x, refaults);
        a->n_by_knob[HR_CG_RECLAIM][0]++;
        log_info("reclaim %s: %s: %llu MiB out%s", x->cgroup, x->why,
                 (unsigned long long) (before > after ? (before - after) / 1024 : 0),
                 r == -EAGAIN ? " (less than asked: the rest is in use)" : "");
}

void hr_cgapply_run(HrCgApply *a, const HrCgReliefConfig *c, const HrCgActionList *l) {
        for (unsigned i = 0; i < l->n; i++) {
                const HrCgAction *x = &l->a[i];
                const char *verb = hr_cg_knob_to_string(x->knob);
                int r = 0;

                if (x->knob == HR_CG_RECLAIM) {
                        reclaim_step(a, c, x);
                        continue;
                }

                for (unsigned f = 0; f < 2; f++) {
                        const char *file = knob_files[x->knob][f];
                        char value[HR_CGAPPLY_VALUE_MAX];
                        if (!file || (strcmp(file, "cpu.max") == 0 && c->cpu_quota_permyriad == 0 && !x->undo))
                                continue;
                        if (x->knob == HR_CG_PROTECT && !x->undo && (f == 1) != c->protect_hard)
                                continue;
                        if (x->undo) {
                                HrCgSaved *sv = saved_of(a, x->cgroup, file);
                                if (sv)
                                        (void) give_back(a, sv);
                                continue;
                        }
                        value_for(c, x, file, value, sizeof value);
                        int k = set_file(a, x->cgroup, file, value);
                        if (k == -ENOENT && !a->warned_missing[x->knob]) {
                                a->warned_missing[x->knob] = true;
                                log_notice("%s: no %s there (the controller is not enabled for it in cgroup2, or this "
                                           "kernel lacks it): no %s; said once", x->cgroup, file, verb);
                        } else if (k < 0 && k != -ENOENT)
                                log_warning_errno(k, "%s: cannot write %s=%s (%m): no %s", x->cgroup, file, value, verb);
                        if (r == 0)
                                r = k;
                }
                if (x->undo) {
                        journal_write(a);
                        log_info("un%s %s: %s", verb, x->cgroup, x->why);
                } else if (r == 0)
                        log_info("%s %s: %s", verb, x->cgroup, x->why);
                /* A knob that could not be set is committed all the same: not retried every tick, undone (a no-op
                 * for files never written) when it is no longer wanted. */
                if (!hr_cgrelief_commit(&a->state, x)) {
                        /* No room to remember it: given back at once rather than left set untracked. */
                        log_warning("%s: more than %u cgroups under relief: not %s", x->cgroup, HR_CG_SET_MAX, verb);
                        for (unsigned f = 0; f < 2; f++) {
                                HrCgSaved *sv = knob_files[x->knob][f] ? saved_of(a, x->cgroup, knob_files[x->knob][f]) : NULL;
                                if (sv)
                                        (void) give_back(a, sv);
                        }
                        journal_write(a);
                        continue;
                }
                a->n_by_knob[x->knob][x->undo]++;
        }
}

unsigned hr_cgapply_restore_all(HrCgApply *a) {
        unsigned n = 0;
        while (a->n_saved > 0)
                n += give_back(a, &a->saved[a->n_saved - 1]) == 0;
        a->state = (HrCgReliefState) {};
        journal_write(a);
        return n;
}

unsigned hr_cgapply_recover(HrCgApply *a) {
        char line[HR_ACTION_CGROUP_MAX + 128];
        unsigned n = 0;
        if (!a->journal[0])
                return 0;
        FILE *f = fopen(a->journal, "re");
        if (!f) {
                if (errno != ENOENT)
                        log_warning_errno(-errno, "%s: cannot read (%m): cgroup settings of a previous run may remain",
                                          a->journal);
                return 0;
        }
        unsigned lineno = 0;
        while (fgets(line, sizeof line, f)) {
                char *file = line, *value, *cgroup, *nl;
                lineno++;
                if (!(value = strchr(file, '\t')) || !(cgroup = strchr(value + 1, '\t')) || !(nl = strchr(cgroup, '\n'))) {
                        log_warning("%s:%u: malformed line (\"file<TAB>value<TAB>cgroup\" expected), skipped", a->journal,
                                    lineno);
                        continue;
                }
                *value++ = '\0';
                *cgroup++ = '\0';
                *nl = '\0';
                bool known = false;
                for (unsigned k = 0; k < _HR_CG_KNOB_MAX; k++)
                        known |= (knob_files[k][0] && strcmp(file, knob_files[k][0]) == 0) ||
                                 (knob_files[k][1] && strcmp(file, knob_files[k][1]) == 0);
                if (!known || cgroup[0] != '/') {
                        log_warning("%s:%u: not a file or cgroup headroom sets (%s, %s), skipped", a->journal, lineno,
                                    file, cgroup);
                        continue;
                }
                int r = hr_cgroup_write_value(a->root, cgroup, file, value);
                if (r == 0) {
                        log_notice("Gave %s back its %s=%s (set by a run that did not stop cleanly)", cgroup, file, value);
                        n++;
                } else if (r != -ENOENT)
                        log_warning_errno(r, "%s: cannot give %s back its value %s: %m", cgroup, file, value);
        }
        (void) fclose(f);
        if (unlink(a->journal) < 0 && errno != ENOENT)
                log_warning_errno(-errno, "%s: cannot remove: %m", a->journal);
        return n;
}
