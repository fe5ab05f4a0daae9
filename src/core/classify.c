/* SPDX-License-Identifier: MIT */
/* Classification: rule matching and the priority/flags of every process (protect list, rules, default,
 * foreground adjustment). Pure: reads the config and the table, writes only the table's class fields. */
#include <fnmatch.h>
#include <string.h>

#include "core/classify.h"

/* Flags hr_classify recomputes from the rules and the foreground. Everything else in HrProc.flags is a
 * fact it keeps (SELF, INIT, KTHREAD, SESSION, NEW: never cleared here, only added, so a reclassification
 * can never make the daemon, PID 1 or a caller's session a target). */
#define CLASS_FLAGS                                                                                     \
        (HR_PROC_PROTECTED | HR_PROC_NEVER_KILL | HR_PROC_FREEZE_ONLY | HR_PROC_BUILD |                 \
         HR_PROC_WHOLE_CGROUP | HR_PROC_KILL_GROUP | HR_PROC_FOREGROUND)

static const char *match_subject(const HrProcTable *t, const HrProc *p, HrMatchField f) {
        switch (f) {
        case HR_MATCH_COMM:
                return p->comm;
        case HR_MATCH_CMDLINE:
                return hr_proc_cmdline(t, p);
        case HR_MATCH_EXE:
                return hr_proc_exe(t, p);
        case HR_MATCH_CGROUP:
                return hr_proc_cgroup(t, p);
        case HR_MATCH_USER:
                return hr_proc_user(t, p);
        default:
                return NULL;
        }
}

static bool glob_in(const char *const *globs, const char *s, int flags) {
        for (; *globs; globs++)
                if (fnmatch(*globs, s, flags) == 0)
                        return true;
        return false;
}

/* The next word of *s into w: words are what lies between single spaces, as the arguments were joined, so an
 * empty argument is an empty word. A word longer than w (a command line from the table never has one) is
 * compared by its first size - 1 bytes. *s is NULL after the last one. */
static bool next_word(const char **s, char *w, size_t size) {
        const char *p = *s;
        if (!p)
                return false;
        size_t n = strcspn(p, " "), k = n < size ? n : size - 1;
        memcpy(w, p, k);
        w[k] = '\0';
        *s = p[n] ? p + n + 1 : NULL;
        return true;
}

static bool words_match(const HrWordMatch *m, const char *cmdline) {
        char w[HR_CMDLINE_MAX];
        const char *s = cmdline;
        bool after_prog = false;

        while (next_word(&s, w, sizeof w)) {
                if (!m->progs || after_prog) {
                        if (glob_in(m->args, w, 0))
                                return true;
                        if (m->next)
                                after_prog = false;
                }
                if (m->progs && !after_prog) {
                        const char *base = strrchr(w, '/');
                        after_prog = glob_in(m->progs, base ? base + 1 : w, 0);
                }
        }
        return false;
}

/* Some '/' of path starts a tail that matches one of the globs ('*' not crossing a '/'). */
static bool tail_in(const char *const *globs, const char *path) {
        for (const char *p = strchr(path, '/'); p; p = strchr(p + 1, '/'))
                if (glob_in(globs, p, FNM_PATHNAME))
                        return true;
        return false;
}

bool hr_rule_matches_subjects(const HrRule *r, const char *const subject[_HR_MATCH_MAX]) {
        bool any = false;

        if (r->comm_globs) {
                if (!subject[HR_MATCH_COMM] || !glob_in(r->comm_globs, subject[HR_MATCH_COMM], 0))
                        return false;
                any = true;
        }
        if (r->cmdline_words) {
                if (!subject[HR_MATCH_CMDLINE] || !words_match(r->cmdline_words, subject[HR_MATCH_CMDLINE]))
                        return false;
                any = true;
        }
        if (r->exe_tails) {
                if (!subject[HR_MATCH_EXE] || !tail_in(r->exe_tails, subject[HR_MATCH_EXE]))
                        return false;
                any = true;
        }
        for (unsigned f = 0; f < _HR_MATCH_MAX; f++) {
                if (!r->has[f])
                        continue;
                if (!subject[f] || regexec(&r->re[f], subject[f], 0, NULL, 0) != 0)
                        return false;
                any = true;
        }
        return any;
}

bool hr_rule_matches(const HrRule *r, const HrProcTable *t, const HrProc *p) {
        const char *subject[_HR_MATCH_MAX];
        for (unsigned f = 0; f < _HR_MATCH_MAX; f++)
                subject[f] = match_subject(t, p, (HrMatchField) f);
        return hr_rule_matches_subjects(r, subject);
}

/* "/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-firefox-4242.scope" -> true;
 * ".../session-2.scope" (a whole login session) -> false; ".../app-foot@1.service" -> true. */
bool hr_cgroup_is_app_unit(const char *cg) {
        if (!cg)
                return false;
        const char *base = strrchr(cg, '/');
        base = base ? base + 1 : cg;
        size_t n = strlen(base);

        if (n > strlen(".scope") && strcmp(base + n - strlen(".scope"), ".scope") == 0)
                return strncmp(base, "session-", strlen("session-")) != 0;
        if (n > strlen("app-") + strlen(".service") && strncmp(base, "app-", strlen("app-")) == 0 &&
            strcmp(base + n - strlen(".service"), ".service") == 0)
                return true;
        return false;
}

static bool in_sessions(const HrClassifyInput *in, pid_t sid) {
        for (size_t i = 0; in->session_ids && i < in->n_session_ids; i++)
                if (in->session_ids[i] == sid)
                        return true;
        return false;
}

static HrCheckpoint stronger_checkpoint(HrCheckpoint a, HrCheckpoint b) {
        if (a == HR_CHECKPOINT_YES || b == HR_CHECKPOINT_YES)
                return HR_CHECKPOINT_YES;
        if (a == HR_CHECKPOINT_AUTO || b == HR_CHECKPOINT_AUTO)
                return HR_CHECKPOINT_AUTO;
        return HR_CHECKPOINT_NO;
}

static void classify_one(const HrConfig *c, const HrClassifyInput *in, const HrProcTable *t, HrProc *p) {
        uint32_t flags = p->flags & ~(uint32_t) CLASS_FLAGS;
        int32_t priority = -1, rule = -1;
        HrCheckpoint checkpoint = HR_CHECKPOINT_NO;

        if (in && in->self_pid > 0 && p->pid == in->self_pid)
                flags |= HR_PROC_SELF;
        if (p->pid == 1)
                flags |= HR_PROC_INIT;
        if (in && in_sessions(in, p->session))
                flags |= HR_PROC_SESSION;

        for (size_t i = 0; i < c->n_rules; i++) {
                const HrRule *r = &c->rules[i];
                if (r->protect && hr_rule_matches(r, t, p)) {
                        flags |= HR_PROC_PROTECTED;
                        priority = r->priority >= 0 ? r->priority : 0;
                        rule = (int32_t) i;
                        break;
                }
        }

        if (!(flags & HR_PROC_PROTECTED))
                for (size_t i = 0; i < c->n_rules; i++) {
                        const HrRule *r = &c->rules[i];
                        if (r->protect || !hr_rule_matches(r, t, p))
                                continue;
                        if (priority < 0 && r->priority >= 0) {
                                priority = r->priority;
                                rule = (int32_t) i;
                        }
                        if (r->never_kill)
                                flags |= HR_PROC_NEVER_KILL;
                        if (r->freeze_only)
                                flags |= HR_PROC_FREEZE_ONLY;
                        if (r->build)
                                flags |= HR_PROC_BUILD;
                        if (r->whole_cgroup)
                                flags |= HR_PROC_WHOLE_CGROUP;
                        if (r->kill_group)
                                flags |= HR_PROC_KILL_GROUP;
                        checkpoint = stronger_checkpoint(checkpoint, r->checkpoint);
                }

        if (priority < 0)
                priority = c->default_priority;

        p->priority = p->base_priority = CLAMP(priority, 0, 100);
        p->rule = rule;
        p->flags = flags;
        p->checkpoint = checkpoint;
}

static bool same_inputs(const HrProcTable *a, const HrProc *p, const HrProcTable *b, const HrProc *q) {
        return p->start_time == q->start_time && strcmp(p->comm, q->comm) == 0 &&
               strcmp(hr_proc_cmdline(a, p), hr_proc_cmdline(b, q)) == 0 &&
               strcmp(hr_proc_exe(a, p), hr_proc_exe(b, q)) == 0 &&
               strcmp(hr_proc_cgroup(a, p), hr_proc_cgroup(b, q)) == 0 &&
               strcmp(hr_proc_user(a, p), hr_proc_user(b, q)) == 0;
}

/* Is anc an ancestor of p (by ppid, through at most FAMILY_DEPTH generations; never through PID 1)? */
#define FAMILY_DEPTH 32
static bool descends_from(const HrProcTable *t, const HrProc *p, pid_t anc) {
        if (anc <= 1)
                return false;
        for (unsigned depth = 0; p && depth < FAMILY_DEPTH; depth++) {
                if (p->ppid == anc)
                        return true;
                if (p->ppid <= 1 || p->ppid == p->pid)
                        return false;
                p = hr_proc_table_find(t, p->ppid);
        }
        return false;
}

/* Takes q's rule-derived classification (not its foreground adjustment); keeps p's facts and adds the
 * ones that depend on the input, as classify_one() does. */
static void reuse(const HrClassifyInput *in, HrProc *p, const HrProc *q) {
        p->flags = (p->flags & ~(uint32_t) CLASS_FLAGS) | (q->flags & (uint32_t) (CLASS_FLAGS & ~HR_PROC_FOREGROUND));
        if (in && in->self_pid > 0 && p->pid == in->self_pid)
                p->flags |= HR_PROC_SELF;
        if (p->pid == 1)
                p->flags |= HR_PROC_INIT;
        if (in && in_sessions(in, p->session))
                p->flags |= HR_PROC_SESSION;
        p->priority = p->base_priority = q->base_priority;
        p->rule = q->rule;
        p->checkpoint = q->checkpoint;
}

void hr_classify(const HrConfig *c, const HrClassifyInput *in, HrProcTable *t) {
        hr_classify_since(c, in, NULL, t);
}

void hr_classify_since(const HrConfig *c, const HrClassifyInput *in, const HrProcTable *prev, HrProcTable *t) {
        const HrProc *fg = NULL;
        size_t j = 0;

        /* Both tables are sorted by pid: one merge walk. */
        for (size_t i = 0; i < t->n; i++) {
                HrProc *p = &t->procs[i];
                while (prev && j < prev->n && prev->procs[j].pid < p->pid)
                        j++;
                if (prev && j < prev->n && prev->procs[j].pid == p->pid && same_inputs(t, p, prev, &prev->procs[j]))
                        reuse(in, p, &prev->procs[j]);
                else
                        classify_one(c, in, t, p);
        }

        if (!in || in->foreground_pid <= 0)
                return;
        for (size_t i = 0; i < t->n && !fg; i++)
                if (t->procs[i].pid == in->foreground_pid)
                        fg = &t->procs[i];
        if (!fg)
                return;

        /* The whole app unit is the foreground application: a browser's renderers, an IDE's helpers; and
         * so is what it started (a terminal's job, an app's workers), wherever their cgroup. */
        const char *fg_cg = hr_proc_cgroup(t, fg);
        bool unit = hr_cgroup_is_app_unit(fg_cg);
        pid_t fg_pid = fg->pid;

        for (size_t i = 0; i < t->n; i++) {
                HrProc *p = &t->procs[i];
                if (p->pid != fg_pid && !(unit && strcmp(hr_proc_cgroup(t, p), fg_cg) == 0) &&
                    !descends_from(t, p, fg_pid))
                        continue;
                p->priority = CLAMP(p->priority + c->foreground_adjust, 0, 100);
                p->flags |= HR_PROC_FOREGROUND;
        }
}
