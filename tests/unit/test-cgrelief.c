/* SPDX-License-Identifier: MIT */
/* Table tests of the cgroup relief planner (core/cgrelief.c): which app cgroups are throttled, capped and protected
 * at each level, what is given back and why, the protection budget, and that plans are deterministic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/cgrelief.h"
#include "proc-builder.h"

#define APP_TAB "/user.slice/user-1000.slice/user@1000.service/app.slice/app-chrome-1.scope"
#define APP_IDX "/user.slice/user-1000.slice/user@1000.service/app.slice/tracker-miner-fs-3.service"
#define APP_SHELL "/user.slice/user-1000.slice/user@1000.service/session.slice/org.gnome.Shell@wayland.service"
#define APP_EDIT "/user.slice/user-1000.slice/user@1000.service/app.slice/app-gedit-2.scope"
#define APP_MIX "/user.slice/user-1000.slice/user@1000.service/app.slice/app-mixed-3.scope"
#define SLICE "/user.slice/user-1000.slice/user@1000.service/app.slice"
#define NOW (1000 * USEC_PER_SEC)

/* Tabs (85) and an indexer (70) in their own app cgroups; the compositor (10); an editor (50); a cgroup mixing a
 * tab with a normal process; a tab directly in a slice (not an app cgroup). */
#define SCENE                                                                                               \
        { 1001, "chrome", 85, 0, APP_TAB, 300, 0, 50 }, { 1002, "chrome", 85, 0, APP_TAB, 200 },                \
        { 1100, "tracker-miner-f", 70, 0, APP_IDX, 100 }, { 1200, "gnome-shell", 10, 0, APP_SHELL, 400 },    \
        { 1300, "gedit", 50, 0, APP_EDIT, 80 }, { 1400, "chrome", 85, 0, APP_MIX, 50 },                      \
        { 1401, "python3", 50, 0, APP_MIX, 50 }, { 1500, "chrome", 85, 0, SLICE, 60 }

typedef struct Want {
        HrCgKnob knob;
        bool undo;
        const char *cgroup;
        uint64_t value_mib;
        const char *why; /* a substring of the reason */
} Want;

#define DO(k, cg, mib) { HR_CG_##k, false, (cg), (mib), NULL }
#define UNDO(k, cg, why) { HR_CG_##k, true, (cg), 0, (why) }
#define END { _HR_CG_KNOB_INVALID, false, NULL, 0, NULL }

static void plan(const HrCgReliefConfig *c, HrLevel level, const HrProcTable *t, const HrCgReliefState *s, usec_t now,
                 HrCgActionList *out) {
        const HrCgReliefInput in = { .level = level, .mem_total_kib = MIB(16384), .t = t, .now = now };
        hr_cgrelief_plan(c, &in, s, out);
}

static void plan_and_check(const char *name, HrLevel level, const ProcSpec *specs, const HrCgReliefState *s,
                           const HrCgReliefConfig *c, const Want *want) {
        static HrCgActionList out, again;
        HrProcTable t;
        table_from_specs(&t, specs);
        plan(c, level, &t, s, NOW, &out);
        unsigned n = 0;
        for (; want[n].cgroup; n++) {
                if (n >= out.n)
                        fail_msg("%s: %u actions, want more (next %s %s)", name, out.n, hr_cg_knob_to_string(want[n].knob),
                                 want[n].cgroup);
                const HrCgAction *a = &out.a[n];
                if (a->knob != want[n].knob || a->undo != want[n].undo || strcmp(a->cgroup, want[n].cgroup) != 0)
                        fail_msg("%s: action %u is %s%s %s, want %s%s %s", name, n, a->undo ? "undo " : "",
                                 hr_cg_knob_to_string(a->knob), a->cgroup, want[n].undo ? "undo " : "",
                                 hr_cg_knob_to_string(want[n].knob), want[n].cgroup);
                if (want[n].value_mib && a->value_kib != MIB(want[n].value_mib))
                        fail_msg("%s: action %u value %llu KiB, want %llu MiB", name, n, (unsigned long long) a->value_kib,
                                 (unsigned long long) want[n].value_mib);
                if (!a->why[0] || (want[n].why && !strstr(a->why, want[n].why)))
                        fail_msg("%s: action %u why \"%s\", want \"%s\"", name, n, a->why, want[n].why ? want[n].why : "?");
        }
        if (out.n != n)
                fail_msg("%s: %u actions, want %u (extra: %s %s)", name, out.n, n, hr_cg_knob_to_string(out.a[n].knob),
                         out.a[n].cgroup);
        memset(&again, 0x5a, sizeof again);
        plan(c, level, &t, s, NOW, &again);
        if (again.n != out.n || memcmp(again.a, out.a, sizeof out.a[0] * out.n) != 0)
                fail_msg("%s: a second plan differs", name);
        table_done(&t);
}

static HrCgReliefState state_of(const Want *set) {
        HrCgReliefState s = {};
        for (unsigned i = 0; set && set[i].cgroup; i++) {
                HrCgAction a = { .knob = set[i].knob, .value_kib = MIB(set[i].value_mib) };
                (void) snprintf(a.cgroup, sizeof a.cgroup, "%s", set[i].cgroup);
                assert_true(hr_cgrelief_commit(&s, &a));
        }
        return s;
}

static void test_app_cgroup(void **state) {
        (void) state;
        assert_true(hr_cgrelief_app_cgroup(APP_TAB));
        assert_true(hr_cgrelief_app_cgroup(APP_IDX));
        assert_true(hr_cgrelief_app_cgroup("/system.slice/nginx.service"));
        assert_true(hr_cgrelief_app_cgroup("/hr-atest-1/app-x.scope"));
        assert_false(hr_cgrelief_app_cgroup(SLICE));
        assert_false(hr_cgrelief_app_cgroup("/"));
        assert_false(hr_cgrelief_app_cgroup(""));
        assert_false(hr_cgrelief_app_cgroup("/init.scope"));
        assert_false(hr_cgrelief_app_cgroup("/user.slice/user-1000.slice/user@1000.service"));
        assert_false(hr_cgrelief_app_cgroup("relative.scope"));
        assert_false(hr_cgrelief_app_cgroup("/a/../b.scope"));
        assert_false(hr_cgrelief_app_cgroup("/a/.scope")); /* a name is more than its suffix */
        assert_false(hr_cgrelief_app_cgroup("/a/x\nGave.scope"));
        assert_false(hr_cgrelief_app_cgroup("/a/x\tb.scope"));
        char longest[HR_ACTION_CGROUP_MAX + 8];
        memset(longest, 'x', sizeof longest);
        longest[0] = '/';
        memcpy(longest + HR_ACTION_CGROUP_MAX - 6, ".scope", 7);
        assert_false(hr_cgrelief_app_cgroup(longest)); /* too long to act on */
}

static void test_levels(void **state) {
        const HrCgReliefConfig c = hr_cgrelief_config_default;
        const ProcSpec scene[] = { SCENE, { 0 } };
        (void) state;

        /* NORMAL: only protection, the compositor first; the budget (a quarter of 16 GiB) holds all. */
        plan_and_check("normal", HR_LEVEL_NORMAL, scene, &(HrCgReliefState) {}, &c,
                       (const Want[]) { DO(PROTECT, APP_SHELL, 400), END });
        /* ELEVATED: throttle the tabs' and the indexer's app cgroups (not the mixed one, not the slice). */
        plan_and_check("elevated", HR_LEVEL_ELEVATED, scene, &(HrCgReliefState) {}, &c,
                       (const Want[]) { DO(PROTECT, APP_SHELL, 400), DO(THROTTLE, APP_TAB, 0), DO(THROTTLE, APP_IDX, 0), END });
        /* HIGH: and cap them at what they hold (tabs 300+50 file+200 MiB = 550). */
        HrCgReliefState s = state_of((const Want[]) { DO(PROTECT, APP_SHELL, 400), DO(THROTTLE, APP_TAB, 0),
                                                       DO(THROTTLE, APP_IDX, 0), END });
        plan_and_check("high", HR_LEVEL_HIGH, scene, &s, &c,
                       (const Want[]) { DO(CAP, APP_TAB, 550), DO(CAP, APP_IDX, 100), END });
        /* Calm again: caps go first (level < HIGH), then throttles (NORMAL); protection stays. */
        s = state_of((const Want[]) { DO(PROTECT, APP_SHELL, 400), DO(THROTTLE, APP_TAB, 0), DO(CAP, APP_TAB, 550),
                                      DO(THROTTLE, APP_IDX, 0), END });
        plan_and_check("elevated again", HR_LEVEL_ELEVATED, scene, &s, &c,
                       (const Want[]) { UNDO(CAP, APP_TAB, "pressure is down"), END });
        plan_and_check("normal again", HR_LEVEL_NORMAL, scene, &s, &c,
                       (const Want[]) { UNDO(THROTTLE, APP_TAB, "pressure is down"), UNDO(CAP, APP_TAB, NULL),
                                        UNDO(THROTTLE, APP_IDX, NULL), END });
}

static void test_give_back(void **state) {
        HrCgReliefConfig c = hr_cgrelief_config_default;
        HrCgReliefState s = state_of((const Want[]) { DO(THROTTLE, APP_TAB, 0), DO(CAP, APP_TAB, 100), DO(PROTECT, APP_SHELL, 400), END });
        (void) state;

        /* The tab turned foreground: its cgroup is given back at once, and protected instead. */
        const ProcSpec fg[] = { { 1001, "chrome", 60, HR_PROC_FOREGROUND, APP_TAB, 300 },
                                { 1200, "gnome-shell", 10, 0, APP_SHELL, 400 }, { 0 } };
        plan_and_check("foreground", HR_LEVEL_HIGH, fg, &s, &c,
                       (const Want[]) { UNDO(THROTTLE, APP_TAB, "foreground"), UNDO(CAP, APP_TAB, "foreground"),
                                        DO(PROTECT, APP_TAB, 300), END });
        /* Its processes gone: given back (the write finds no cgroup; the state forgets it). */
        const ProcSpec gone[] = { { 1200, "gnome-shell", 10, 0, APP_SHELL, 400 }, { 0 } };
        plan_and_check("gone", HR_LEVEL_HIGH, gone, &s, &c,
                       (const Want[]) { UNDO(THROTTLE, APP_TAB, "gone"), UNDO(CAP, APP_TAB, "gone"), END });
        /* A protected process moved in: never touched, so not held down either. */
        const ProcSpec prot[] = { { 1001, "chrome", 85, 0, APP_TAB, 300 }, { 1003, "keeper", 85, HR_PROC_PROTECTED, APP_TAB, 1 },
                                  { 1200, "gnome-shell", 10, 0, APP_SHELL, 400 }, { 0 } };
        plan_and_check("protected", HR_LEVEL_HIGH, prot, &s, &c,
                       (const Want[]) { UNDO(THROTTLE, APP_TAB, "never to be touched"), UNDO(CAP, APP_TAB, NULL), END });
        /* A family switched off (a reload): its settings are given back. */
        c.protect_enabled = false;
        const ProcSpec scene[] = { SCENE, { 0 } };
        plan_and_check("protect off", HR_LEVEL_NORMAL, scene, &s, &c,
                       (const Want[]) { UNDO(THROTTLE, APP_TAB, NULL), UNDO(CAP, APP_TAB, NULL),
                                        UNDO(PROTECT, APP_SHELL, "Protect=no"), END });
        /* Committing the undos empties the state. */
        HrCgAction a = { .knob = HR_CG_PROTECT, .undo = true };
        (void) snprintf(a.cgroup, sizeof a.cgroup, "%s", APP_SHELL);
        assert_true(hr_cgrelief_commit(&s, &a));
        a.knob = HR_CG_THROTTLE;
        (void) snprintf(a.cgroup, sizeof a.cgroup, "%s", APP_TAB);
        assert_true(hr_cgrelief_commit(&s, &a));
        assert_int_equal(s.n, 1);
        a.knob = HR_CG_CAP;
        assert_true(hr_cgrelief_commit(&s, &a));
        assert_int_equal(s.n, 0);
}

static void test_limits(void **state) {
        HrCgReliefConfig c = hr_cgrelief_config_default;
        (void) state;

        /* Protection within its budget: 25% of 16 GiB is 4 GiB; the compositor (3 GiB) fits, the foreground editor
         * (2 GiB) then does not; a critical process of 0 bytes is not worth a write. */
        const ProcSpec big[] = { { 1200, "gnome-shell", 10, 0, APP_SHELL, 3072 },
                                 { 1300, "gedit", 25, HR_PROC_FOREGROUND, APP_EDIT, 2048 },
                                 { 1600, "pipewire", 5, 0, "/user.slice/pipewire.service", 0 }, { 0 } };
        plan_and_check("budget", HR_LEVEL_NORMAL, big, &(HrCgReliefState) {}, &c,
                       (const Want[]) { DO(PROTECT, APP_SHELL, 3072), END });
        /* A tiny expendable cgroup is capped at the floor, never under it. */
        const ProcSpec tiny[] = { { 1001, "chrome", 85, 0, APP_TAB, 1 }, { 0 } };
        plan_and_check("floor", HR_LEVEL_HIGH, tiny, &(HrCgReliefState) {}, &c,
                       (const Want[]) { DO(THROTTLE, APP_TAB, 0), DO(CAP, APP_TAB, 16), END });
        /* Caps reclaim as they are written: two per plan, the third at the next. */
        const ProcSpec three[] = { { 1001, "chrome", 85, 0, APP_TAB, 100 }, { 1100, "tracker-miner-f", 70, 0, APP_IDX, 100 },
                                   { 1300, "chrome", 85, 0, APP_EDIT, 100 }, { 0 } };
        HrCgReliefState s = state_of((const Want[]) { DO(THROTTLE, APP_TAB, 0), DO(THROTTLE, APP_IDX, 0),
                                                       DO(THROTTLE, APP_EDIT, 0), END });
        plan_and_check("two caps", HR_LEVEL_HIGH, three, &s, &c, (const Want[]) { DO(CAP, APP_TAB, 100), DO(CAP, APP_IDX, 100), END });
        (void) hr_cgrelief_commit(&s, &(HrCgAction) { .knob = HR_CG_CAP, .cgroup = APP_TAB, .value_kib = MIB(90) });
        (void) hr_cgrelief_commit(&s, &(HrCgAction) { .knob = HR_CG_CAP, .cgroup = APP_IDX, .value_kib = MIB(90) });
        plan_and_check("the third cap", HR_LEVEL_HIGH, three, &s, &c, (const Want[]) { DO(CAP, APP_EDIT, 100), END });
        /* A cgroup whose processes are all held frozen is not capped (it cannot grow; its page-out reclaims it). */
        {
                static HrCgActionList out2;
                HrProcTable t3;
                const pid_t frozen[] = { 1001, 1300 };
                table_from_specs(&t3, three);
                const HrCgReliefInput fin = { .level = HR_LEVEL_HIGH, .mem_total_kib = MIB(16384), .t = &t3, .now = NOW,
                                              .frozen = frozen, .n_frozen = 2 };
                hr_cgrelief_plan(&c, &fin, &(HrCgReliefState) {}, &out2);
                unsigned caps = 0;
                for (unsigned i = 0; i < out2.n; i++)
                        if (out2.a[i].knob == HR_CG_CAP) {
                                caps++;
                                assert_string_equal(out2.a[i].cgroup, APP_IDX);
                        }
                assert_int_equal(caps, 1);
                table_done(&t3);
        }
        /* Families off: nothing. */
        c.throttle_enabled = c.cap_enabled = c.protect_enabled = false;
        const ProcSpec scene[] = { SCENE, { 0 } };
        plan_and_check("all off", HR_LEVEL_EMERGENCY, scene, &(HrCgReliefState) {}, &c, (const Want[]) { END });
        /* The daemon's own cgroup, PID 1's, a caller's session: never. */
        c = hr_cgrelief_config_default;
        const ProcSpec never[] = { { 1001, "chrome", 85, HR_PROC_SELF, APP_TAB, 100 },
                                   { 1100, "tracker-miner-f", 70, HR_PROC_SESSION, APP_IDX, 100 },
                                   { 1200, "gnome-shell", 10, HR_PROC_PROTECTED, APP_SHELL, 400 }, { 0 } };
        plan_and_check("never", HR_LEVEL_EMERGENCY, never, &(HrCgReliefState) {}, &c, (const Want[]) { END });
        /* More cgroups than a plan holds actions: the list is cut at its size, never overrun. */
        static ProcSpec many[200];
        static char names[200][64];
        for (unsigned i = 0; i < 199; i++) {
                (void) snprintf(names[i], sizeof names[i], "/app.slice/app-tab-%03u.scope", i);
                many[i] = (ProcSpec) { .pid = (pid_t) (2000 + i), .comm = "chrome", .prio = 85, .cgroup = names[i], .anon_mib = 10 };
        }
        many[199] = (ProcSpec) { 0 };
        HrProcTable t;
        static HrCgActionList out;
        table_from_specs(&t, many);
        plan(&c, HR_LEVEL_HIGH, &t, &(HrCgReliefState) {}, NOW, &out);
        assert_int_equal(out.n, HR_CG_ACTIONS_MAX);
        table_done(&t);
}

/* Reclaim at NORMAL: idle expendable cgroups only, bounded steps, the interval, the cool-down, and the check of
 * whether the last step's pages came back. */
static void test_reclaim(void **state) {
        static HrCgActionList out;
        HrCgReliefConfig c = hr_cgrelief_config_default;
        HrCgReliefState s = {};
        HrProcTable t;
        const ProcSpec scene[] = { SCENE, { 0 } };
        (void) state;

        table_from_specs(&t, scene);
        /* Everything idle for 3 minutes, except the second tab process (it ran): its cgroup is not idle. */
        for (size_t i = 0; i < t.n; i++)
                t.procs[i].idle_since = t.procs[i].pid == 1002 ? 0 : NOW - 180 * USEC_PER_SEC;
        plan(&c, HR_LEVEL_NORMAL, &t, &s, NOW, &out);
        /* The compositor is protected; the indexer (expendable, idle, 100 MiB) gets a 10 MiB step. */
        assert_int_equal(out.n, 2);
        assert_int_equal(out.a[0].knob, HR_CG_PROTECT);
        assert_int_equal(out.a[1].knob, HR_CG_RECLAIM);
        assert_string_equal(out.a[1].cgroup, APP_IDX);
        assert_int_equal(out.a[1].value_kib, MIB(10));
        assert_int_equal(out.a[1].at, NOW);
        assert_non_null(strstr(out.a[1].why, "idle for 180 s"));

        /* Carried out: not again within the interval; again after it; never above NORMAL. */
        (void) hr_cgrelief_commit(&s, &out.a[0]);
        hr_cgrelief_reclaimed(&s, &out.a[1], 5000);
        plan(&c, HR_LEVEL_NORMAL, &t, &s, NOW + 30 * USEC_PER_SEC, &out);
        assert_int_equal(out.n, 0);
        plan(&c, HR_LEVEL_NORMAL, &t, &s, NOW + 61 * USEC_PER_SEC, &out);
        assert_int_equal(out.n, 1);
        assert_string_equal(out.a[0].cgroup, APP_IDX);
        plan(&c, HR_LEVEL_ELEVATED, &t, &s, NOW + 61 * USEC_PER_SEC, &out);
        for (unsigned i = 0; i < out.n; i++)
                assert_int_not_equal(out.a[i].knob, HR_CG_RECLAIM);

        /* Came back? 10 MiB stepped: a quarter is 640 pages of 4 KiB. */
        const HrCgReclaim *r = hr_cgrelief_reclaim_of(&s, APP_IDX);
        assert_non_null(r);
        assert_false(hr_cgrelief_reclaim_came_back(r, 5000 + 640, 4));
        assert_true(hr_cgrelief_reclaim_came_back(r, 5000 + 641, 4));
        assert_false(hr_cgrelief_reclaim_came_back(r, 4000, 4)); /* a counter that went back: no evidence */
        assert_false(hr_cgrelief_reclaim_came_back(NULL, 1, 4));

        /* Cooling down: nothing until it ends. */
        hr_cgrelief_cool(&s, APP_IDX, NOW + 600 * USEC_PER_SEC);
        plan(&c, HR_LEVEL_NORMAL, &t, &s, NOW + 300 * USEC_PER_SEC, &out);
        assert_int_equal(out.n, 0);
        plan(&c, HR_LEVEL_NORMAL, &t, &s, NOW + 601 * USEC_PER_SEC, &out);
        assert_int_equal(out.n, 1);

        /* Idle, but not long enough; or Reclaim=no. */
        for (size_t i = 0; i < t.n; i++)
                t.procs[i].idle_since = NOW - 60 * USEC_PER_SEC;
        plan(&c, HR_LEVEL_NORMAL, &t, &(HrCgReliefState) {}, NOW, &out);
        for (unsigned i = 0; i < out.n; i++)
                assert_int_not_equal(out.a[i].knob, HR_CG_RECLAIM);
        for (size_t i = 0; i < t.n; i++)
                t.procs[i].idle_since = NOW - 600 * USEC_PER_SEC;
        c.reclaim_enabled = false;
        plan(&c, HR_LEVEL_NORMAL, &t, &(HrCgReliefState) {}, NOW, &out);
        for (unsigned i = 0; i < out.n; i++)
                assert_int_not_equal(out.a[i].knob, HR_CG_RECLAIM);
        /* Two steps per plan at most: both tabs' cgroup and the indexer idle: tab (first by pid) and indexer. */
        c.reclaim_enabled = true;
        plan(&c, HR_LEVEL_NORMAL, &t, &(HrCgReliefState) {}, NOW, &out);
        unsigned steps = 0;
        for (unsigned i = 0; i < out.n; i++)
                steps += out.a[i].knob == HR_CG_RECLAIM;
        assert_int_equal(steps, 2);
        table_done(&t);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_app_cgroup),
                cmocka_unit_test(test_levels),
                cmocka_unit_test(test_give_back),
                cmocka_unit_test(test_limits),
                cmocka_unit_test(test_reclaim),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
