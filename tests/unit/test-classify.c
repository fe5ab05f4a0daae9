/* SPDX-License-Identifier: MIT */
/* Unit tests of core/classify: tables of hand-built rules (regcomp here) over hand-built process tables. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/classify.h"
#include "proc-builder.h"

/* A [Rule]/[Protect] as a test writes it: NULL matchers are absent. */
typedef struct RuleSpec {
        const char *name;
        bool protect;
        const char *comm, *cmdline, *exe, *cgroup, *user;
        bool has_prio;
        int32_t prio;
        HrCheckpoint ckpt;
        bool never_kill, freeze_only, build, whole, kill_group;
} RuleSpec;
#define PRIO(x) .has_prio = true, .prio = (x)

typedef struct Want {
        pid_t pid;
        int32_t prio;
        uint32_t flags;
        int32_t rule;
        HrCheckpoint ckpt;
} Want;

typedef struct ClassifyCase {
        const char *name;
        const RuleSpec *rules; /* ends with { .name = NULL } */
        const ProcSpec *procs; /* ends with { .pid = 0 } */
        pid_t self, fg;
        pid_t sessions[4];     /* 0-terminated */
        int32_t default_prio;  /* 0: 50 */
        int32_t fg_adjust;     /* 0: -25 */
        const Want *want;      /* ends with { .pid = 0 } */
} ClassifyCase;

#define RULES(...) ((const RuleSpec[]) { __VA_ARGS__, { .name = NULL } })
#define NO_RULES ((const RuleSpec[]) { { .name = NULL } })
#define PROCS(...) ((const ProcSpec[]) { __VA_ARGS__, { .pid = 0 } })
#define WANT(...) ((const Want[]) { __VA_ARGS__, { .pid = 0 } })

#define FIREFOX_SCOPE "/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-firefox-4242.scope"
#define OTHER_SCOPE "/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-thunderbird-77.scope"
#define LOGIN_SCOPE "/user.slice/user-1000.slice/session-2.scope"
#define FOOT_SERVICE "/user.slice/user-1000.slice/user@1000.service/app.slice/app-foot@abc.service"
#define PIPEWIRE_SERVICE "/user.slice/user-1000.slice/user@1000.service/session.slice/pipewire.service"
#define DOCKER_SCOPE "/system.slice/docker-1f2e.scope"

static const ClassifyCase cases[] = {
        {
                "protect wins over an earlier rule and its flags",
                .rules = RULES({ "terminal-cheap", .comm = "^foot$", PRIO(80), .never_kill = true },
                               { "terminals", .protect = true, .comm = "^(foot|kitty)$" }),
                .procs = PROCS({ 10, "foot" }, { 11, "kitty" }, { 12, "footclient" }),
                .want = WANT({ 10, 0, HR_PROC_PROTECTED, 1 }, { 11, 0, HR_PROC_PROTECTED, 1 },
                             { 12, 50, 0, -1 }),
        },
        {
                "a protect entry that sets a priority keeps it",
                .rules = RULES({ "sshd", .protect = true, .exe = "^/usr/sbin/sshd$", PRIO(5) }),
                .procs = PROCS({ 20, "sshd", .exe = "/usr/sbin/sshd" }, { 21, "sshd", .exe = "/tmp/sshd" }),
                .want = WANT({ 20, 5, HR_PROC_PROTECTED, 0 }, { 21, 50, 0, -1 }),
        },
        {
                "the first rule with a priority wins: user rules precede built-ins",
                .rules = RULES({ "my-firefox", .comm = "^firefox$", PRIO(70) },
                               { "builtin-renderer", .cmdline = "-contentproc", PRIO(85) },
                               { "builtin-firefox", .comm = "^firefox$", PRIO(35) }),
                .procs = PROCS({ 30, "firefox", .cmdline = "/usr/lib/firefox/firefox -contentproc -isForBrowser" },
                               { 31, "Isolated Web Co", .cmdline = "/usr/lib/firefox/firefox -contentproc tab" }),
                .want = WANT({ 30, 70, 0, 0 }, { 31, 85, 0, 1 }),
        },
        {
                "a rule without a priority only adds flags; the next one sets it",
                .rules = RULES({ "keep-code", .comm = "^code$", .never_kill = true },
                               { "ide", .comm = "^(code|idea)$", PRIO(30) }),
                .procs = PROCS({ 40, "code" }, { 41, "idea" }),
                .want = WANT({ 40, 30, HR_PROC_NEVER_KILL, 1 }, { 41, 30, 0, 1 }),
        },
        {
                "flags are OR-ed from every matching rule, checkpoint is the strongest asked for",
                .rules = RULES({ "node", .comm = "^node$", PRIO(60), .whole = true, .ckpt = HR_CHECKPOINT_AUTO },
                               { "node-build", .exe = "^/usr/bin/node$", .build = true },
                               { "ci-user", .user = "^ci$", .never_kill = true, PRIO(90) },
                               { "containers", .cgroup = "docker-.*\\.scope$", .ckpt = HR_CHECKPOINT_YES,
                                 .freeze_only = true },
                               { "elsewhere", .comm = "^nope$", .never_kill = true }),
                .procs = PROCS({ 50, "node", .exe = "/usr/bin/node", .user = "ci", .cgroup = DOCKER_SCOPE },
                               { 51, "node", .exe = "/usr/local/bin/node", .user = "alice" }),
                .want = WANT({ 50, 60,
                               HR_PROC_WHOLE_CGROUP | HR_PROC_BUILD | HR_PROC_NEVER_KILL | HR_PROC_FREEZE_ONLY, 0,
                               HR_CHECKPOINT_YES },
                             { 51, 60, HR_PROC_WHOLE_CGROUP, 0, HR_CHECKPOINT_AUTO }),
        },
        {
                "KillGroup= adds its flag like the others, also from a rule without a priority",
                .rules = RULES({ "driver", .comm = "^make$", .kill_group = true, .build = true },
                               { "heavy-make", .comm = "^make$", PRIO(90) },
                               { "shell", .comm = "^bash$", PRIO(30) }),
                .procs = PROCS({ 55, "make" }, { 56, "cc1" }, { 57, "bash" }),
                .want = WANT({ 55, 90, HR_PROC_KILL_GROUP | HR_PROC_BUILD, 1 }, { 56, 50, 0, -1 },
                             { 57, 30, 0, 2 }),
        },
        {
                "every given matcher must match",
                .rules = RULES({ "root-python", .comm = "^python3$", .user = "^root$", PRIO(90) }),
                .procs = PROCS({ 60, "python3", .user = "alice" }, { 61, "python3", .user = "root" },
                               { 62, "perl", .user = "root" }),
                .want = WANT({ 60, 50, 0, -1 }, { 61, 90, 0, 0 }, { 62, 50, 0, -1 }),
        },
        {
                "a rule with no matcher matches nothing",
                .rules = RULES({ "empty", PRIO(99), .never_kill = true }, { "empty-protect", .protect = true }),
                .procs = PROCS({ 70, "anything" }),
                .want = WANT({ 70, 50, 0, -1 }),
        },
        {
                "unmatched processes get the default priority",
                .rules = NO_RULES,
                .default_prio = 55,
                .procs = PROCS({ 80, "mystery" }),
                .want = WANT({ 80, 55, 0, -1 }),
        },
        {
                "foreground: -25 for the process and its app-scope siblings",
                .rules = RULES({ "browser", .comm = "^firefox$", PRIO(35) },
                               { "tabs", .comm = "^Isolated Web Co$", PRIO(85) }),
                .procs = PROCS({ 90, "firefox", .cgroup = FIREFOX_SCOPE },
                               { 91, "Isolated Web Co", .cgroup = FIREFOX_SCOPE },
                               { 92, "Isolated Web Co", .cgroup = OTHER_SCOPE }, { 93, "firefox" }),
                .fg = 90,
                .want = WANT({ 90, 10, HR_PROC_FOREGROUND, 0 }, { 91, 60, HR_PROC_FOREGROUND, 1 },
                             { 92, 85, 0, 1 }, { 93, 35, 0, 0 }),
        },
        {
                "foreground: what it started goes with it, grandchildren too, whatever their cgroup",
                .rules = NO_RULES,
                .procs = PROCS({ 160, "foot", .cgroup = LOGIN_SCOPE }, { 161, "bash", .cgroup = LOGIN_SCOPE, .ppid = 160 },
                               { 162, "make", .cgroup = OTHER_SCOPE, .ppid = 161 },
                               { 163, "cc1", .cgroup = OTHER_SCOPE, .ppid = 162 }, { 164, "other", .ppid = 1 },
                               { 165, "orphan", .ppid = 999 }),
                .fg = 160,
                .want = WANT({ 160, 25, HR_PROC_FOREGROUND, -1 }, { 161, 25, HR_PROC_FOREGROUND, -1 },
                             { 162, 25, HR_PROC_FOREGROUND, -1 }, { 163, 25, HR_PROC_FOREGROUND, -1 },
                             { 164, 50, 0, -1 }, { 165, 50, 0, -1 }),
        },
        {
                "foreground PID 1: only itself, never all it started",
                .rules = NO_RULES,
                .procs = PROCS({ 1, "init" }, { 170, "daemon", .ppid = 1 }),
                .fg = 1,
                .want = WANT({ 1, 25, HR_PROC_FOREGROUND | HR_PROC_INIT, -1 }, { 170, 50, 0, -1 }),
        },
        {
                "a ppid cycle ends the walk",
                .rules = NO_RULES,
                .procs = PROCS({ 180, "fg" }, { 181, "a", .ppid = 182 }, { 182, "b", .ppid = 181 }),
                .fg = 180,
                .want = WANT({ 180, 25, HR_PROC_FOREGROUND, -1 }, { 181, 50, 0, -1 }, { 182, 50, 0, -1 }),
        },
        {
                "foreground in a login session scope: only the process itself",
                .rules = NO_RULES,
                .procs = PROCS({ 100, "xterm", .cgroup = LOGIN_SCOPE }, { 101, "make", .cgroup = LOGIN_SCOPE }),
                .fg = 100,
                .want = WANT({ 100, 25, HR_PROC_FOREGROUND, -1 }, { 101, 50, 0, -1 }),
        },
        {
                "foreground in an app-*.service: the unit; in a plain service: the process",
                .rules = NO_RULES,
                .procs = PROCS({ 110, "foot", .cgroup = FOOT_SERVICE }, { 111, "bash", .cgroup = FOOT_SERVICE },
                               { 112, "pipewire", .cgroup = PIPEWIRE_SERVICE },
                               { 113, "pw-helper", .cgroup = PIPEWIRE_SERVICE }),
                .fg = 110,
                .want = WANT({ 110, 25, HR_PROC_FOREGROUND, -1 }, { 111, 25, HR_PROC_FOREGROUND, -1 },
                             { 112, 50, 0, -1 }, { 113, 50, 0, -1 }),
        },
        {
                "foreground in a plain service",
                .rules = NO_RULES,
                .procs = PROCS({ 112, "pipewire", .cgroup = PIPEWIRE_SERVICE },
                               { 113, "pw-helper", .cgroup = PIPEWIRE_SERVICE }),
                .fg = 112,
                .want = WANT({ 112, 25, HR_PROC_FOREGROUND, -1 }, { 113, 50, 0, -1 }),
        },
        {
                "a foreground pid that is not in the table changes nothing",
                .rules = NO_RULES,
                .procs = PROCS({ 120, "a", .cgroup = FIREFOX_SCOPE }),
                .fg = 121,
                .want = WANT({ 120, 50, 0, -1 }),
        },
        {
                "priorities clamp to 0..100",
                .rules = RULES({ "low", .comm = "^low$", PRIO(10) }, { "wild", .comm = "^wild$", PRIO(150) },
                               { "neg", .comm = "^neg$", PRIO(-5) }),
                .procs = PROCS({ 130, "low" }, { 131, "wild" }, { 132, "neg" }),
                .fg = 130,
                .want = WANT({ 130, 0, HR_PROC_FOREGROUND, 0 }, { 131, 100, 0, 1 }, { 132, 50, 0, -1 }),
        },
        {
                "a positive foreground adjustment clamps at 100",
                .rules = RULES({ "heavy", .comm = "^heavy$", PRIO(90) }),
                .procs = PROCS({ 140, "heavy" }),
                .fg = 140,
                .fg_adjust = 30,
                .want = WANT({ 140, 100, HR_PROC_FOREGROUND, 0 }),
        },
        {
                "session members are flagged, others are not (a flag from the scan is kept)",
                .rules = NO_RULES,
                .procs = PROCS({ 150, "bash", .session = 77 }, { 151, "headroomctl", .session = 77 },
                               { 152, "other", .session = 78, .flags = HR_PROC_SESSION }, { 153, "else", .session = 78 }),
                .sessions = { 77, 99 },
                .want = WANT({ 150, 50, HR_PROC_SESSION, -1 }, { 151, 50, HR_PROC_SESSION, -1 },
                             { 152, 50, HR_PROC_SESSION, -1 }, { 153, 50, 0, -1 }),
        },
        {
                "facts are kept or added; stale class flags are dropped",
                .rules = RULES({ "protect-self", .protect = true, .comm = "^nothing$" }),
                .procs = PROCS({ 1, "systemd" }, { 160, "headroomd" },
                               { 161, "kworker", .flags = HR_PROC_KTHREAD | HR_PROC_NEW },
                               { 162, "was-protected", .flags = HR_PROC_PROTECTED | HR_PROC_FOREGROUND |
                                                                HR_PROC_NEVER_KILL },
                               { 163, "headroomd-old", .flags = HR_PROC_SELF }),
                .self = 160,
                .want = WANT({ 1, 50, HR_PROC_INIT, -1 }, { 160, 50, HR_PROC_SELF, -1 },
                             { 161, 50, HR_PROC_KTHREAD | HR_PROC_NEW, -1 }, { 162, 50, 0, -1 },
                             { 163, 50, HR_PROC_SELF, -1 }),
        },
};

static void compile(regex_t *re, const char *pattern, const char *name) {
        int r = regcomp(re, pattern, REG_EXTENDED | REG_NOSUB);
        if (r != 0)
                fail_msg("case \"%s\": bad test regex \"%s\"", name, pattern);
}

static size_t build_rules(HrRule *rules, size_t cap, const RuleSpec *specs, const char *case_name) {
        size_t n = 0;

        for (; specs[n].name; n++) {
                const RuleSpec *s = &specs[n];
                HrRule *r = &rules[n];
                const char *m[_HR_MATCH_MAX] = {
                        [HR_MATCH_COMM] = s->comm,
                        [HR_MATCH_CMDLINE] = s->cmdline,
                        [HR_MATCH_EXE] = s->exe,
                        [HR_MATCH_CGROUP] = s->cgroup,
                        [HR_MATCH_USER] = s->user,
                };

                assert_true(n < cap);
                memset(r, 0, sizeof(*r));
                (void) snprintf(r->name, sizeof(r->name), "%s", s->name);
                r->protect = s->protect;
                r->priority = s->has_prio ? s->prio : -1;
                r->checkpoint = s->ckpt;
                r->never_kill = s->never_kill;
                r->freeze_only = s->freeze_only;
                r->build = s->build;
                r->whole_cgroup = s->whole;
                r->kill_group = s->kill_group;
                for (unsigned f = 0; f < _HR_MATCH_MAX; f++)
                        if (m[f]) {
                                compile(&r->re[f], m[f], case_name);
                                r->has[f] = true;
                        }
        }
        return n;
}

static void free_rules(HrRule *rules, size_t n) {
        for (size_t i = 0; i < n; i++)
                for (unsigned f = 0; f < _HR_MATCH_MAX; f++)
                        if (rules[i].has[f])
                                regfree(&rules[i].re[f]);
}

static void test_cases(void **state) {
        (void) state;

        for (size_t k = 0; k < ELEMENTSOF(cases); k++) {
                const ClassifyCase *cs = &cases[k];
                HrRule rules[8];
                HrConfig c = {
                        .default_priority = cs->default_prio ? cs->default_prio : 50,
                        .foreground_adjust = cs->fg_adjust ? cs->fg_adjust : -25,
                        .rules = rules,
                };
                HrClassifyInput in = { .self_pid = cs->self, .foreground_pid = cs->fg, .session_ids = cs->sessions };
                HrProcTable t;

                c.n_rules = build_rules(rules, ELEMENTSOF(rules), cs->rules, cs->name);
                while (in.n_session_ids < ELEMENTSOF(cs->sessions) && cs->sessions[in.n_session_ids])
                        in.n_session_ids++;
                table_from_specs(&t, cs->procs);

                hr_classify(&c, &in, &t);

                for (const Want *w = cs->want; w->pid; w++) {
                        const HrProc *p = table_find(&t, w->pid);
                        if (!p)
                                fail_msg("case \"%s\": pid %d missing", cs->name, (int) w->pid);
                        if (p->priority != w->prio)
                                fail_msg("case \"%s\": pid %d priority %d, want %d", cs->name, (int) w->pid,
                                         (int) p->priority, (int) w->prio);
                        if (p->flags != w->flags)
                                fail_msg("case \"%s\": pid %d flags 0x%x, want 0x%x", cs->name, (int) w->pid,
                                         (unsigned) p->flags, (unsigned) w->flags);
                        if (p->rule != w->rule)
                                fail_msg("case \"%s\": pid %d rule %d, want %d", cs->name, (int) w->pid,
                                         (int) p->rule, (int) w->rule);
                        if (p->checkpoint != w->ckpt)
                                fail_msg("case \"%s\": pid %d checkpoint %d, want %d", cs->name, (int) w->pid,
                                         (int) p->checkpoint, (int) w->ckpt);
                }

                /* Classifying again gives the same answer: no flag feeds back into the next pass. */
                HrProc before[16];
                assert_true(t.n <= ELEMENTSOF(before));
                memcpy(before, t.procs, t.n * sizeof(HrProc));
                hr_classify(&c, &in, &t);
                if (memcmp(before, t.procs, t.n * sizeof(HrProc)) != 0)
                        fail_msg("case \"%s\": a second hr_classify changed the table", cs->name);

                table_done(&t);
                free_rules(rules, c.n_rules);
        }
}

static const char *field_name(HrMatchField f) {
        static const char *const names[_HR_MATCH_MAX] = {
                [HR_MATCH_COMM] = "Comm", [HR_MATCH_CMDLINE] = "Cmdline", [HR_MATCH_EXE] = "Exe",
                [HR_MATCH_CGROUP] = "Cgroup", [HR_MATCH_USER] = "User",
        };
        return (unsigned) f < _HR_MATCH_MAX ? names[f] : "?";
}

static void test_rule_matches(void **state) {
        HrRule r;
        HrProcTable t;
        (void) state;

        table_from_specs(&t, PROCS({ 5, "tracker-miner-f", .cmdline = "/usr/libexec/tracker-miner-fs-3",
                                     .exe = "/usr/libexec/tracker-miner-fs-3", .cgroup = PIPEWIRE_SERVICE,
                                     .user = "alice" }));
        const HrProc *p = &t.procs[0];
        static const struct {
                HrMatchField f;
                const char *re;
                bool want;
        } rows[] = {
                { HR_MATCH_COMM, "^tracker-miner", true },  { HR_MATCH_COMM, "^tracker-miner-fs-3$", false },
                { HR_MATCH_CMDLINE, "miner-fs-[0-9]$", true }, { HR_MATCH_EXE, "^/usr/libexec/", true },
                { HR_MATCH_EXE, "^/usr/bin/", false },        { HR_MATCH_CGROUP, "session\\.slice/", true },
                { HR_MATCH_USER, "^alice$", true },           { HR_MATCH_USER, "^bob$", false },
        };

        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                memset(&r, 0, sizeof(r));
                compile(&r.re[rows[i].f], rows[i].re, "rule_matches");
                r.has[rows[i].f] = true;
                if (hr_rule_matches(&r, &t, p) != rows[i].want)
                        fail_msg("%s =~ /%s/: got %d, want %d", field_name(rows[i].f), rows[i].re,
                                 !rows[i].want, rows[i].want);
                regfree(&r.re[rows[i].f]);
        }

        memset(&r, 0, sizeof(r));
        assert_false(hr_rule_matches(&r, &t, p)); /* no matcher: nothing */
        table_done(&t);
}

/* The built-in rules: a build driver takes its process group with it; a browser, its renderers and a
 * compiler do not. */
static void test_builtin_kill_group(void **state) {
        static const struct {
                const char *comm, *cmdline;
                bool want;
        } rows[] = {
                { "make", "make -j8", true },
                { "ninja", "ninja -C build", true },
                { "cargo", "cargo build", true },
                { "cc1plus", "cc1plus -quiet foo.cc", false },
                { "chrome", "/opt/google/chrome/chrome --type=renderer", false },
                { "chrome", "/opt/google/chrome/chrome", false },
                { "firefox", "/usr/lib/firefox/firefox", false },
                { "bash", "-bash", false },
        };
        HrConfig c;
        HrProcTable t;
        (void) state;

        assert_int_equal(hr_config_init_default(&c), 0);
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                table_from_specs(&t, PROCS({ 100, rows[i].comm, .cmdline = rows[i].cmdline }));
                hr_classify(&c, NULL, &t);
                if (!!(t.procs[0].flags & HR_PROC_KILL_GROUP) != rows[i].want)
                        fail_msg("%s (%s): kill-group %d, want %d", rows[i].comm, rows[i].cmdline, !rows[i].want,
                                 rows[i].want);
                table_done(&t);
        }
        hr_config_done(&c);
}

static void test_app_unit(void **state) {
        static const struct {
                const char *cg;
                bool want;
        } rows[] = {
                { FIREFOX_SCOPE, true },  { OTHER_SCOPE, true },       { FOOT_SERVICE, true },
                { LOGIN_SCOPE, false },   { PIPEWIRE_SERVICE, false }, { DOCKER_SCOPE, true },
                { "", false },            { "/", false },              { "/init.scope", true },
                { ".scope", false },      { "/app-.service", false },  { "/x/app-a.service/sub", false },
        };
        (void) state;

        for (size_t i = 0; i < ELEMENTSOF(rows); i++)
                if (hr_cgroup_is_app_unit(rows[i].cg) != rows[i].want)
                        fail_msg("\"%s\": got %d, want %d", rows[i].cg, !rows[i].want, rows[i].want);
        assert_false(hr_cgroup_is_app_unit(NULL));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cases),
                cmocka_unit_test(test_rule_matches),
                cmocka_unit_test(test_app_unit),
                cmocka_unit_test(test_builtin_kill_group),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
