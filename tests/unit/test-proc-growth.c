/* SPDX-License-Identifier: MIT */
/* Unit tests of core/proc.c: the table's lifecycle and arena, lookup by pid, growth tracking across scans
 * (identity by pid and start time, EWMA of the rate) and the checkpoint strings. */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/proc.h"

#define SEC USEC_PER_SEC

/* One process of a hand-built scan: pid, start time, anon and swap in KiB. */
typedef struct P {
        pid_t pid;
        uint64_t start;
        uint64_t anon_kib, swap_kib;
} P;

/* Refills t with the given processes (sorted by pid, as a scan leaves them) taken at `at`. */
static void fill(HrProcTable *t, usec_t at, const P *ps, size_t n) {
        assert_int_equal(hr_proc_table_reset(t), 0);
        assert_int_equal(hr_proc_table_reserve(t, n), 0);
        for (size_t i = 0; i < n; i++)
                t->procs[i] = (HrProc) {
                        .pid = ps[i].pid,
                        .start_time = ps[i].start,
                        .rss_anon_kib = ps[i].anon_kib,
                        .swap_kib = ps[i].swap_kib,
                        .rule = -1,
                };
        t->n = n;
        t->scanned_at = at;
}
#define FILL(t, at, ...) fill((t), (at), (const P[]) { __VA_ARGS__ }, ELEMENTSOF(((const P[]) { __VA_ARGS__ })))

static HrProc *get(HrProcTable *t, pid_t pid) {
        HrProc *p = (HrProc *) hr_proc_table_find(t, pid);
        if (!p)
                fail_msg("pid %d not in the table", (int) pid);
        return p;
}

static void expect_growth(HrProcTable *t, pid_t pid, bool is_new, int64_t kib, int64_t per_sec) {
        HrProc *p = get(t, pid);
        if (!!(p->flags & HR_PROC_NEW) != is_new)
                fail_msg("pid %d: NEW is %s, want %s", (int) pid, p->flags & HR_PROC_NEW ? "set" : "clear",
                         is_new ? "set" : "clear");
        if (p->growth_kib != kib || p->growth_kib_per_sec != per_sec)
                fail_msg("pid %d: growth %" PRId64 " KiB, %" PRId64 " KiB/s; want %" PRId64 ", %" PRId64, (int) pid,
                         p->growth_kib, p->growth_kib_per_sec, kib, per_sec);
}

/* ---- lifecycle and arena ------------------------------------------------------------------------------ */

static void test_table_lifecycle(void **state) {
        HrProcTable t, copy;
        uint32_t a, b, empty = 99;
        (void) state;

        hr_proc_table_init(&t);
        assert_null(t.procs);
        assert_int_equal(t.n, 0);
        hr_proc_table_done(&t); /* a zeroed table is fine to free */
        hr_proc_table_done(&t); /* and idempotent */

        /* A zeroed table gets its "" at offset 0 on the first string. */
        assert_int_equal(hr_proc_table_add_str(&t, "firefox", 7, &a), 0);
        assert_int_equal(a, 1);
        assert_string_equal(hr_proc_str(&t, 0), "");
        assert_string_equal(hr_proc_str(&t, a), "firefox");
        assert_int_equal(hr_proc_table_add_str(&t, "", 0, &empty), 0);
        assert_int_equal(empty, 0); /* "" is shared */
        assert_int_equal(hr_proc_table_add_str(&t, "/usr/lib/firefox/firefox -contentproc", 24, &b), 0);
        assert_string_equal(hr_proc_str(&t, b), "/usr/lib/firefox/firefox"); /* exactly n bytes */
        assert_string_equal(hr_proc_str(&t, a), "firefox");

        /* Growth keeps earlier offsets valid. */
        char big[3000];
        memset(big, 'x', sizeof big);
        uint32_t offs[20];
        for (unsigned i = 0; i < 20; i++)
                assert_int_equal(hr_proc_table_add_str(&t, big, sizeof big, &offs[i]), 0);
        assert_string_equal(hr_proc_str(&t, a), "firefox");
        assert_int_equal(strlen(hr_proc_str(&t, offs[19])), sizeof big);

        FILL(&t, 5 * SEC, { 1, 10, 100, 0 }, { 7, 70, 700, 7 });
        t.procs[1].cmdline_off = 0;
        hr_proc_table_init(&copy);
        assert_int_equal(hr_proc_table_add_str(&t, "bash", 4, &t.procs[0].cmdline_off), 0);
        assert_int_equal(hr_proc_table_copy(&copy, &t), 0);
        assert_int_equal(copy.n, 2);
        assert_int_equal(copy.scanned_at, 5 * SEC);
        assert_int_equal(copy.arena_used, t.arena_used);
        assert_memory_equal(copy.procs, t.procs, 2 * sizeof *t.procs);
        assert_string_equal(hr_proc_cmdline(&copy, &copy.procs[0]), "bash");
        assert_string_equal(hr_proc_cmdline(&copy, &copy.procs[1]), "");
        assert_true(copy.arena != t.arena);

        /* reset empties without freeing: the same capacity stays. */
        size_t cap = t.cap, acap = t.arena_cap;
        assert_int_equal(hr_proc_table_reset(&t), 0);
        assert_int_equal(t.n, 0);
        assert_int_equal(t.arena_used, 1);
        assert_int_equal(t.cap, cap);
        assert_int_equal(t.arena_cap, acap);
        assert_int_equal(hr_proc_table_reserve(&t, cap), 0);
        assert_int_equal(t.cap, cap);

        /* Copying an empty, zeroed table gives a usable empty one. */
        HrProcTable zero = {};
        assert_int_equal(hr_proc_table_copy(&copy, &zero), 0);
        assert_int_equal(copy.n, 0);
        assert_string_equal(hr_proc_str(&copy, 0), "");

        hr_proc_table_done(&t);
        hr_proc_table_done(&copy);
        assert_null(t.procs);
        assert_null(t.arena);
        assert_int_equal(t.arena_used, 0);
}

static void test_find(void **state) {
        HrProcTable t = {};
        (void) state;

        assert_null(hr_proc_table_find(&t, 1)); /* empty */
        FILL(&t, 0, { 1, 1, 0, 0 }, { 2, 1, 0, 0 }, { 300, 1, 0, 0 }, { 4000, 1, 0, 0 }, { 4194304, 1, 0, 0 });
        static const pid_t present[] = { 1, 2, 300, 4000, 4194304 };
        static const pid_t absent[] = { 0, -1, 3, 299, 301, 3999, 4194303, 4194305, INT32_MAX };
        for (size_t i = 0; i < ELEMENTSOF(present); i++) {
                const HrProc *p = hr_proc_table_find(&t, present[i]);
                assert_non_null(p);
                assert_int_equal(p->pid, present[i]);
                assert_ptr_equal(p, &t.procs[i]);
        }
        for (size_t i = 0; i < ELEMENTSOF(absent); i++)
                if (hr_proc_table_find(&t, absent[i]))
                        fail_msg("pid %d found", (int) absent[i]);
        hr_proc_table_done(&t);
}

/* ---- growth ------------------------------------------------------------------------------------------- */

static void test_growth_first_scan(void **state) {
        HrProcTable cur = {};
        (void) state;

        FILL(&cur, 10 * SEC, { 1, 5, 100, 0 }, { 42, 900, 5000, 10 });
        cur.procs[1].flags = HR_PROC_SELF;
        hr_proc_table_track_growth(NULL, &cur, 500);
        expect_growth(&cur, 1, true, 0, 0);
        expect_growth(&cur, 42, true, 0, 0);
        assert_int_equal(get(&cur, 42)->flags, HR_PROC_SELF | HR_PROC_NEW); /* other flags kept */
        hr_proc_table_done(&cur);
}

/* A process new since the last scan starts from its lifetime average; on the first scan nothing is known. */
static void test_growth_lifetime_prior(void **state) {
        HrProcTable prev = {}, cur = {};
        (void) state;

        FILL(&prev, 10 * SEC, { 1, 5, 100, 0 });
        hr_proc_table_track_growth(NULL, &prev, 500);
        /* pid 50 started at tick 1000 (10 s at 100 Hz), now 20 s into the boot: 10 s old, 100 MiB: 10 MiB/s. */
        FILL(&cur, 12 * SEC, { 1, 5, 100, 0 }, { 50, 1000, 100 * 1024, 0 });
        cur.uptime_usec = 20 * SEC;
        cur.ticks_per_sec = 100;
        hr_proc_table_track_growth(&prev, &cur, 500);
        expect_growth(&cur, 50, true, 0, 10 * 1024);
        /* The same table as a first scan: no prior. */
        hr_proc_table_track_growth(NULL, &cur, 500);
        expect_growth(&cur, 50, true, 0, 0);
        hr_proc_table_done(&prev);
        hr_proc_table_done(&cur);
}

static void test_growth_match(void **state) {
        HrProcTable prev = {}, cur = {};
        (void) state;

        /* "a leaker growing next to an idle hog": 2 s apart. */
        FILL(&prev, 10 * SEC, { 100, 5000, 1024, 0 }, { 200, 6000, 4 << 20, 1024 });
        hr_proc_table_track_growth(NULL, &prev, 500);
        FILL(&cur, 12 * SEC, { 100, 5000, 1024 + 2048, 1024 }, { 200, 6000, 4 << 20, 1024 });
        hr_proc_table_track_growth(&prev, &cur, 500);
        expect_growth(&cur, 100, false, 3072, 768); /* 1536 KiB/s, half of it into a zero average */
        expect_growth(&cur, 200, false, 0, 0);      /* large and idle */

        /* Swap counts as growth too: anon moving to swap is not. */
        FILL(&prev, 0, { 7, 1, 1000, 0 });
        FILL(&cur, SEC, { 7, 1, 400, 600 });
        hr_proc_table_track_growth(&prev, &cur, 1000);
        expect_growth(&cur, 7, false, 0, 0);

        /* Shrinking is negative growth. */
        FILL(&cur, 2 * SEC, { 7, 1, 200, 0 });
        hr_proc_table_track_growth(&prev, &cur, 1000);
        expect_growth(&cur, 7, false, -800, -400);
        hr_proc_table_done(&prev);
        hr_proc_table_done(&cur);
}

static void test_growth_pid_reuse(void **state) {
        HrProcTable prev = {}, cur = {};
        (void) state;

        FILL(&prev, 10 * SEC, { 300, 1000, 100, 0 });
        prev.procs[0].growth_kib_per_sec = 5000;
        /* The same pid, started later, holding more: a new process, not growth of the old one. */
        FILL(&cur, 11 * SEC, { 300, 1500, 900000, 0 });
        hr_proc_table_track_growth(&prev, &cur, 500);
        expect_growth(&cur, 300, true, 0, 0);

        /* An earlier start time too (ticks are per boot: only equality matters). */
        FILL(&cur, 11 * SEC, { 300, 999, 100, 0 });
        hr_proc_table_track_growth(&prev, &cur, 500);
        expect_growth(&cur, 300, true, 0, 0);

        /* The same instance clears NEW. */
        FILL(&cur, 11 * SEC, { 300, 1000, 100, 0 });
        cur.procs[0].flags = HR_PROC_NEW | HR_PROC_INIT;
        hr_proc_table_track_growth(&prev, &cur, 500);
        expect_growth(&cur, 300, false, 0, 2500);
        assert_int_equal(cur.procs[0].flags, HR_PROC_INIT);
        hr_proc_table_done(&prev);
        hr_proc_table_done(&cur);
}

typedef struct EwmaStep {
        usec_t at;
        uint64_t anon_kib;
        int64_t want_kib, want_per_sec;
} EwmaStep;

static void run_ewma(const char *name, unsigned alpha, const EwmaStep *steps, size_t n) {
        HrProcTable a = {}, b = {};
        HrProcTable *prev = &a, *cur = &b;

        FILL(prev, 0, { 9, 77, 0, 0 });
        hr_proc_table_track_growth(NULL, prev, alpha);
        for (size_t i = 0; i < n; i++) {
                FILL(cur, steps[i].at, { 9, 77, steps[i].anon_kib, 0 });
                hr_proc_table_track_growth(prev, cur, alpha);
                const HrProc *p = &cur->procs[0];
                if (p->growth_kib != steps[i].want_kib || p->growth_kib_per_sec != steps[i].want_per_sec)
                        fail_msg("%s, step %zu: %" PRId64 " KiB, %" PRId64 " KiB/s; want %" PRId64 ", %" PRId64, name,
                                 i, p->growth_kib, p->growth_kib_per_sec, steps[i].want_kib, steps[i].want_per_sec);
                HrProcTable *x = prev; /* double buffering, as the daemon does */
                prev = cur;
                cur = x;
        }
        hr_proc_table_done(&a);
        hr_proc_table_done(&b);
}

static void test_growth_ewma(void **state) {
        (void) state;
        /* A steady 1000 KiB/s leak, one scan a second, alpha 0.5: the average closes half the gap each scan. */
        static const EwmaStep steady[] = {
                { 1 * SEC, 1000, 1000, 500 }, { 2 * SEC, 2000, 1000, 750 }, { 3 * SEC, 3000, 1000, 875 },
                { 4 * SEC, 4000, 1000, 937 }, { 5 * SEC, 5000, 1000, 968 },
        };
        run_ewma("steady, alpha 500", 500, steady, ELEMENTSOF(steady));

        /* alpha 1000: no smoothing, the last interval's rate; uneven intervals are normalised to per second. */
        static const EwmaStep raw[] = {
                { 2 * SEC, 1000, 1000, 500 },
                { 2 * SEC + 500 * USEC_PER_MSEC, 2000, 1000, 2000 },
                { 12 * SEC + 500 * USEC_PER_MSEC, 2000, 0, 0 },
        };
        run_ewma("raw, alpha 1000", 1000, raw, ELEMENTSOF(raw));

        /* alpha 0 never moves; alpha above 1000 counts as 1000. */
        static const EwmaStep frozen[] = { { SEC, 1000, 1000, 0 }, { 2 * SEC, 5000, 4000, 0 } };
        run_ewma("alpha 0", 0, frozen, ELEMENTSOF(frozen));
        static const EwmaStep over[] = { { SEC, 1000, 1000, 1000 } };
        run_ewma("alpha 5000", 5000, over, ELEMENTSOF(over));

        /* A leak that stops: the average decays toward 0 and can go negative when memory is given back. */
        static const EwmaStep stop[] = {
                { SEC, 4000, 4000, 1200 },   { 2 * SEC, 4000, 0, 840 },    { 3 * SEC, 4000, 0, 588 },
                { 4 * SEC, 0, -4000, -788 },
        };
        run_ewma("stop and shrink, alpha 300", 300, stop, ELEMENTSOF(stop));

        /* Two scans at the same instant: growth is measured, the rate is carried over. */
        static const EwmaStep same[] = { { SEC, 1000, 1000, 500 }, { SEC, 3000, 2000, 500 } };
        run_ewma("zero interval", 500, same, ELEMENTSOF(same));

        /* A clock going backwards (a caller bug) behaves as a zero interval, not a division by a huge number. */
        static const EwmaStep back[] = { { 5 * SEC, 1000, 1000, 100 }, { 4 * SEC, 2000, 1000, 100 } };
        run_ewma("backwards", 500, back, ELEMENTSOF(back));
}

static void test_growth_disappearing(void **state) {
        HrProcTable prev = {}, cur = {};
        (void) state;

        /* 5 and 9 exit, 11 and 2 appear, 7 stays; the join must not shift 7 onto a neighbour. */
        FILL(&prev, 0, { 5, 50, 5000, 0 }, { 7, 70, 7000, 0 }, { 9, 90, 9000, 0 });
        FILL(&cur, SEC, { 2, 20, 1, 0 }, { 7, 70, 7100, 0 }, { 11, 110, 1, 0 });
        hr_proc_table_track_growth(&prev, &cur, 1000);
        expect_growth(&cur, 2, true, 0, 0);
        expect_growth(&cur, 7, false, 100, 100);
        expect_growth(&cur, 11, true, 0, 0);

        /* Everything gone: the new scan is all NEW. */
        FILL(&cur, 2 * SEC, { 100, 1, 1, 0 }, { 200, 1, 1, 0 });
        hr_proc_table_track_growth(&prev, &cur, 1000);
        expect_growth(&cur, 100, true, 0, 0);
        expect_growth(&cur, 200, true, 0, 0);

        /* An empty scan, and an empty previous one. */
        HrProcTable empty = {};
        hr_proc_table_track_growth(&prev, &empty, 1000);
        assert_int_equal(empty.n, 0);
        hr_proc_table_track_growth(&empty, &cur, 1000);
        expect_growth(&cur, 100, true, 0, 0);
        hr_proc_table_done(&prev);
        hr_proc_table_done(&cur);
}

/* Hostile numbers (a fixture can hold anything): saturate, never overflow (UBSan runs this). */
static void test_growth_extremes(void **state) {
        HrProcTable prev = {}, cur = {};
        (void) state;

        FILL(&prev, 0, { 1, 1, 0, 0 }, { 2, 1, UINT64_MAX / 2, UINT64_MAX / 2 });
        FILL(&cur, 1, { 1, 1, UINT64_MAX, UINT64_MAX }, { 2, 1, 0, 0 });
        prev.procs[0].growth_kib_per_sec = INT64_MAX;
        hr_proc_table_track_growth(&prev, &cur, 999);
        expect_growth(&cur, 1, false, INT64_MAX, INT64_MAX);
        expect_growth(&cur, 2, false, INT64_MIN, INT64_MIN);
        hr_proc_table_done(&prev);
        hr_proc_table_done(&cur);
}

static void test_checkpoint_strings(void **state) {
        (void) state;
        for (int i = 0; i < _HR_CHECKPOINT_MAX; i++) {
                const char *s = hr_checkpoint_to_string((HrCheckpoint) i);
                assert_non_null(s);
                assert_int_equal(hr_checkpoint_from_string(s), i);
        }
        assert_string_equal(hr_checkpoint_to_string(HR_CHECKPOINT_NO), "no");
        assert_string_equal(hr_checkpoint_to_string(HR_CHECKPOINT_YES), "yes");
        assert_string_equal(hr_checkpoint_to_string(HR_CHECKPOINT_AUTO), "auto");
        assert_null(hr_checkpoint_to_string(_HR_CHECKPOINT_MAX));
        assert_null(hr_checkpoint_to_string(_HR_CHECKPOINT_INVALID));
        static const char *const bad[] = { "", "Yes", "YES", "true", "1", "no ", " auto", "autox" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                if (hr_checkpoint_from_string(bad[i]) != _HR_CHECKPOINT_INVALID)
                        fail_msg("\"%s\" accepted", bad[i]);
        assert_int_equal(hr_checkpoint_from_string(NULL), _HR_CHECKPOINT_INVALID);
}

/* The weight for a time constant: the same forgetting in seconds at any scan rate. */
static void test_alpha_for_tau(void **state) {
        (void) state;
        assert_int_equal(hr_proc_growth_alpha_permille(USEC_PER_SEC, USEC_PER_SEC), 500);
        assert_int_equal(hr_proc_growth_alpha_permille(5 * USEC_PER_SEC, USEC_PER_SEC), 833);
        assert_int_equal(hr_proc_growth_alpha_permille(100 * USEC_PER_MSEC, USEC_PER_SEC), 90);
        assert_int_equal(hr_proc_growth_alpha_permille(0, USEC_PER_SEC), 0);
        assert_int_equal(hr_proc_growth_alpha_permille(USEC_PER_SEC, 0), 1000);
        assert_true(hr_proc_growth_alpha_permille(UINT64_MAX, UINT64_MAX) <= 1000);
        /* Ten 100 ms scans of no growth forget about as much of an old rate as one 1 s scan. */
        unsigned a = hr_proc_growth_alpha_permille(100 * USEC_PER_MSEC, USEC_PER_SEC);
        double keep = 1.0;
        for (int i = 0; i < 10; i++)
                keep *= (1000 - a) / 1000.0;
        assert_true(keep > 0.35 && keep < 0.45);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_alpha_for_tau),
                cmocka_unit_test(test_growth_lifetime_prior),
                cmocka_unit_test(test_table_lifecycle),
                cmocka_unit_test(test_find),
                cmocka_unit_test(test_growth_first_scan),
                cmocka_unit_test(test_growth_match),
                cmocka_unit_test(test_growth_pid_reuse),
                cmocka_unit_test(test_growth_ewma),
                cmocka_unit_test(test_growth_disappearing),
                cmocka_unit_test(test_growth_extremes),
                cmocka_unit_test(test_checkpoint_strings),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
