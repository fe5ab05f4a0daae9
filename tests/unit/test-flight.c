/* SPDX-License-Identifier: MIT */
/* Tests of the flight recorder (daemon/flight.c): the rings (wrap-around, linearizing, decision lines on their
 * ticks, no allocation on the sampling path), incident clips (written after their window, deferred under
 * pressure, merged and reopened when windows overlap, continued before the ring evicts them, capped, atomic),
 * listing and reading them back, and id validation. Clips go to a temp dir under /tmp. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <json-c/json.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/flight.h"

/* snprintf() into an array, failing the test on truncation. */
#define XSNPRINTF(buf, ...) assert_true((size_t) snprintf((buf), sizeof(buf), __VA_ARGS__) < sizeof(buf))

#define SEC USEC_PER_SEC
#define T0 (1000 * SEC)
#define WALL0 UINT64_C(1732285805000000) /* 2024-11-22 14:30:05 UTC */
#define AT(s) (T0 + (usec_t) (s) * SEC)

/* ---- allocation counting (linked with --wrap) ---- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);

static unsigned n_allocs;

void *__wrap_malloc(size_t n) {
        n_allocs++;
        return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size) {
        n_allocs++;
        return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n) {
        n_allocs++;
        return __real_realloc(p, n);
}

/* ---- helpers ---- */

static char tmp_root[PATH_MAX - 128];
static HrFlight fl; /* large: not on the stack */

static void dir_for(char *buf, size_t size, const char *name) {
        assert_true((size_t) snprintf(buf, size, "%s/%s", tmp_root, name) < size);
}

/* A record at T0 + s seconds; raw[psi_some] carries s so a record can be recognised in a clip. */
static HrFlightRecord make(unsigned s, HrLevel level) {
        HrFlightRecord r = {
                .at = AT(s),
                .wall_usec = WALL0 + (usec_t) s * SEC,
                .level = (uint8_t) level,
                .score_centi = (uint16_t) (level * 2000 + 150),
                .trend_centi_per_sec = -125,
                .flags = HR_FLIGHT_HAS_RATES,
                .mem_available_kib = 1000 + s,
                .mem_total_kib = 16000,
                .swap_free_kib = 300,
                .swap_total_kib = 400,
        };
        r.raw[HR_COMP_PSI_SOME] = s;
        r.points_centi[HR_COMP_PSI_FULL] = 1234;
        return r;
}

static void push(unsigned s, HrLevel level) {
        HrFlightRecord r = make(s, level);
        hr_flight_push(&fl, &r);
}

/* Pushes one record per second from `from` to `to` (inclusive) at `level`, ticking after each; returns the
 * number of clips written, failing on a tick error. */
static unsigned run(unsigned from, unsigned to, HrLevel level) {
        unsigned written = 0;
        for (unsigned s = from; s <= to; s++) {
                push(s, level);
                int r = hr_flight_tick(&fl, AT(s));
                assert_true(r >= 0);
                written += (unsigned) r;
        }
        return written;
}

/* Names in dir: clip files (and, separately, anything starting with '.'). */
static unsigned count_entries(const char *dir, bool hidden) {
        DIR *d = opendir(dir);
        struct dirent *de;
        unsigned n = 0;
        assert_non_null(d);
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 && (de->d_name[0] == '.') == hidden)
                        n++;
        (void) closedir(d);
        return n;
}

static json_object *get(json_object *o, const char *key) {
        json_object *v;
        if (!json_object_object_get_ex(o, key, &v))
                fail_msg("no \"%s\" in %s", key, json_object_to_json_string(o));
        return v;
}

static int64_t get_i(json_object *o, const char *key) {
        json_object *v = get(o, key);
        assert_true(json_object_is_type(v, json_type_int));
        return json_object_get_int64(v);
}

static const char *get_s(json_object *o, const char *key) {
        json_object *v = get(o, key);
        assert_true(json_object_is_type(v, json_type_string));
        return json_object_get_string(v);
}

static bool get_b(json_object *o, const char *key) {
        json_object *v = get(o, key);
        assert_true(json_object_is_type(v, json_type_boolean));
        return json_object_get_boolean(v);
}

static json_object *read_clip(const char *dir, const char *id) {
        json_object *o = NULL;
        int r = hr_flight_read(dir, id, &o);
        if (r != 0)
                fail_msg("reading %s: %s", id, strerror(-r));
        return o;
}

/* The clip's records are exactly from..to, one per second. */
static void assert_window(json_object *clip, unsigned from, unsigned to) {
        json_object *recs = get(clip, "records");
        size_t n = json_object_array_length(recs);
        if (n != to - from + 1)
                fail_msg("%zu records, want %u (%u..%u)", n, to - from + 1, from, to);
        for (size_t i = 0; i < n; i++) {
                json_object *r = json_object_array_get_idx(recs, i);
                assert_int_equal(get_i(r, "mono_usec"), (int64_t) AT(from + i));
                assert_int_equal(get_i(get(get(r, "components"), "psi_some"), "raw"), (int64_t) (from + i));
        }
        assert_int_equal(get_i(clip, "mono_start_usec") <= (int64_t) AT(from), true);
        assert_int_equal(get_i(clip, "mono_end_usec"), (int64_t) AT(to));
}

static void init_in(const char *name, size_t capacity, size_t notes) {
        char dir[PATH_MAX];
        dir_for(dir, sizeof dir, name);
        assert_int_equal(hr_flight_init(&fl, capacity, notes, dir), 0);
}

/* ---- the rings ---- */

static void test_ring_wrap(void **state) {
        size_t n;
        (void) state;

        assert_int_equal(hr_flight_init(&fl, 8, 4, /* dir= */ NULL), 0);
        assert_int_equal(hr_flight_count(&fl), 0);
        assert_null(hr_flight_get(&fl, 0));
        assert_non_null(hr_flight_records(&fl, &n));
        assert_int_equal(n, 0);

        for (unsigned s = 0; s < 5; s++)
                push(s, HR_LEVEL_NORMAL);
        const HrFlightRecord *a = hr_flight_records(&fl, &n);
        assert_int_equal(n, 5);
        for (unsigned i = 0; i < 5; i++)
                assert_int_equal(a[i].at, AT(i));

        for (unsigned s = 5; s < 21; s++)
                push(s, HR_LEVEL_NORMAL);
        assert_int_equal(hr_flight_count(&fl), 8);
        assert_int_equal(fl.n_pushed, 21);
        for (unsigned i = 0; i < 8; i++)
                assert_int_equal(hr_flight_get(&fl, i)->at, AT(13 + i));
        assert_null(hr_flight_get(&fl, 8));

        /* Linearized in place, oldest first; the ring goes on from there. */
        a = hr_flight_records(&fl, &n);
        assert_int_equal(n, 8);
        for (unsigned i = 0; i < 8; i++)
                assert_int_equal(a[i].at, AT(13 + i));
        for (unsigned s = 21; s < 24; s++)
                push(s, HR_LEVEL_NORMAL);
        for (unsigned i = 0; i < 8; i++)
                assert_int_equal(hr_flight_get(&fl, i)->at, AT(16 + i));
        a = hr_flight_records(&fl, &n);
        for (unsigned i = 0; i < 8; i++)
                assert_int_equal(a[i].at, AT(16 + i));

        /* Without a directory incidents are ignored. */
        assert_int_equal(hr_flight_incident(&fl, AT(23), "kill"), 0);
        assert_false(fl.inc.open);
        assert_int_equal(hr_flight_tick(&fl, AT(100)), 0);
        assert_int_equal(hr_flight_flush(&fl, AT(100)), 0);
        hr_flight_done(&fl);
        hr_flight_done(&fl); /* twice is fine */

        assert_int_equal(hr_flight_init(&fl, 0, 4, NULL), -EINVAL);
        assert_int_equal(hr_flight_init(&fl, 4, 0, NULL), -EINVAL);
        char longdir[PATH_MAX];
        memset(longdir, 'a', sizeof longdir - 1);
        longdir[sizeof longdir - 1] = '\0';
        assert_int_equal(hr_flight_init(&fl, 4, 4, longdir), -ENAMETOOLONG);
        hr_flight_done(&fl);
}

/* push, note, incident and a tick with nothing due allocate nothing, however long they run. */
static void test_no_alloc(void **state) {
        (void) state;
        init_in("noalloc", 64, 16);
        n_allocs = 0;
        for (unsigned s = 0; s < 1000; s++) {
                push(s, HR_LEVEL_NORMAL);
                hr_flight_note(&fl, AT(s), "freeze 4242 (chrome, priority 85, 48 MiB)");
                assert_int_equal(hr_flight_tick(&fl, AT(s)), 0);
        }
        assert_int_equal(hr_flight_incident(&fl, AT(999), "level HIGH -> CRITICAL"), 1);
        assert_int_equal(hr_flight_incident(&fl, AT(999), "kill 4242"), 0);
        assert_int_equal(hr_flight_tick(&fl, AT(999)), 0);
        assert_int_equal(n_allocs, 0);
        hr_flight_done(&fl);
}

/* Decision lines go to the record pushed last; past the per-tick cap they are counted; long ones are cut at a
 * character boundary; a clip shows each on its tick. */
static void test_notes(void **state) {
        char dir[PATH_MAX], line[300];
        (void) state;

        init_in("notes", 256, 64);
        dir_for(dir, sizeof dir, "notes");
        hr_flight_note(&fl, AT(0), "before any record");
        run(0, 9, HR_LEVEL_NORMAL);
        push(10, HR_LEVEL_CRITICAL);
        hr_flight_note(&fl, AT(10), "freeze 4242 (chrome)");
        hr_flight_note(&fl, AT(10), "freeze 4243 (chrome)");
        assert_int_equal(hr_flight_incident(&fl, AT(10), "level HIGH -> CRITICAL"), 1);
        push(11, HR_LEVEL_CRITICAL);
        push(12, HR_LEVEL_EMERGENCY);
        for (unsigned i = 0; i < HR_FLIGHT_NOTES_PER_TICK + 3; i++) {
                char l[32];
                XSNPRINTF(l, "kill %u", i);
                hr_flight_note(&fl, AT(12), l);
        }
        push(13, HR_LEVEL_HIGH);
        /* 290 bytes: "xx" then 'é' (2 bytes) repeated, so byte 199 is the second byte of a character. */
        memset(line, 'x', 2);
        for (size_t i = 2; i + 2 <= 290; i += 2)
                memcpy(line + i, "\xc3\xa9", 2);
        line[290] = '\0';
        hr_flight_note(&fl, AT(13), line);
        assert_int_equal(hr_flight_flush(&fl, AT(13)), 1);

        json_object *clip = read_clip(dir, fl.inc.id);
        json_object *recs = get(clip, "records");
        assert_window(clip, 0, 13);
        json_object *d0 = get(json_object_array_get_idx(recs, 0), "decisions");
        assert_int_equal(json_object_array_length(d0), 1);
        assert_string_equal(get_s(json_object_array_get_idx(d0, 0), "line"), "before any record");
        json_object *r9 = json_object_array_get_idx(recs, 9);
        assert_false(json_object_object_get_ex(r9, "decisions", NULL));
        json_object *d10 = get(json_object_array_get_idx(recs, 10), "decisions");
        assert_int_equal(json_object_array_length(d10), 2);
        assert_string_equal(get_s(json_object_array_get_idx(d10, 0), "line"), "freeze 4242 (chrome)");
        assert_string_equal(get_s(json_object_array_get_idx(d10, 1), "line"), "freeze 4243 (chrome)");
        assert_int_equal(get_i(json_object_array_get_idx(d10, 0), "mono_usec"), (int64_t) AT(10));
        assert_false(json_object_object_get_ex(json_object_array_get_idx(recs, 11), "decisions", NULL));
        json_object *r12 = json_object_array_get_idx(recs, 12);
        assert_int_equal(json_object_array_length(get(r12, "decisions")), HR_FLIGHT_NOTES_PER_TICK);
        assert_string_equal(get_s(json_object_array_get_idx(get(r12, "decisions"), 0), "line"), "kill 0");
        assert_int_equal(get_i(r12, "decisions_dropped"), 3);
        const char *cut = get_s(json_object_array_get_idx(get(json_object_array_get_idx(recs, 13), "decisions"), 0),
                                "line");
        assert_int_equal(strlen(cut), 198); /* "xx" and 98 whole 'é': taking byte 199 would split one */
        assert_memory_equal(cut, line, 198);

        /* The record fields as pushed. */
        assert_string_equal(get_s(r12, "level"), "EMERGENCY");
        assert_string_equal(json_object_get_string(get(r12, "score")), "81.50");
        assert_string_equal(json_object_get_string(get(r12, "trend")), "-1.25");
        assert_true(get_b(r12, "rates"));
        assert_string_equal(json_object_get_string(get(get(get(r12, "components"), "psi_full"), "points")), "12.34");
        assert_int_equal(get_i(get(r12, "mem"), "available_kib"), 1012);
        assert_int_equal(get_i(get(r12, "mem"), "swap_total_kib"), 400);
        assert_int_equal(get_i(r12, "time_usec"), (int64_t) (WALL0 + 12 * SEC));
        json_object_put(clip);

        /* The note ring is bounded too: the oldest lines go. */
        for (unsigned s = 14; s < 200; s++) {
                push(s, HR_LEVEL_NORMAL);
                hr_flight_note(&fl, AT(s), "n");
        }
        assert_int_equal(fl.n_notes, 64);
        hr_flight_done(&fl);
}

/* ---- clips ---- */

static void test_clip_after_window(void **state) {
        char dir[PATH_MAX];
        (void) state;

        init_in("window", 1000, 64);
        dir_for(dir, sizeof dir, "window");
        assert_int_equal(run(0, 99, HR_LEVEL_NORMAL), 0);
        push(100, HR_LEVEL_CRITICAL);
        assert_int_equal(hr_flight_incident(&fl, AT(100), "level HIGH -> CRITICAL (score held): score 63.20"), 1);
        hr_flight_note(&fl, AT(100), "freeze 4242 (chrome)");
        assert_int_equal(hr_flight_tick(&fl, AT(100)), 0);
        assert_int_equal(run(101, 115, HR_LEVEL_CRITICAL), 0);
        assert_int_equal(run(116, 129, HR_LEVEL_HIGH), 0);
        /* Nothing on disk until the after-window has passed (the directory is created on the first write). */
        assert_int_equal(access(dir, F_OK), -1);
        assert_int_equal(run(130, 130, HR_LEVEL_HIGH), 1);
        assert_false(fl.inc.open);
        assert_string_equal(fl.inc.id, "incident-20241122T143145Z-0001");
        assert_int_equal(count_entries(dir, false), 1);
        assert_int_equal(count_entries(dir, true), 0); /* no .tmp left */

        json_object *clip = read_clip(dir, "incident-20241122T143145Z-0001");
        assert_window(clip, 40, 130);
        assert_int_equal(get_i(clip, "version"), 1);
        assert_string_equal(get_s(clip, "id"), "incident-20241122T143145Z-0001");
        assert_string_equal(get_s(clip, "why"), "level HIGH -> CRITICAL (score held): score 63.20");
        assert_int_equal(get_i(clip, "time_usec"), (int64_t) (WALL0 + 100 * SEC));
        assert_int_equal(get_i(clip, "duration_usec"), (int64_t) (90 * SEC));
        assert_int_equal(get_i(clip, "before_usec"), (int64_t) (60 * SEC));
        assert_int_equal(get_i(clip, "after_usec"), (int64_t) (30 * SEC));
        assert_string_equal(get_s(clip, "max_level"), "CRITICAL");
        assert_string_equal(json_object_get_string(get(clip, "max_score")), "61.50");
        assert_false(get_b(clip, "truncated"));
        assert_false(get_b(clip, "continued"));
        assert_int_equal(json_object_array_length(get(clip, "marks")), 1);
        json_object *rec100 = json_object_array_get_idx(get(clip, "records"), 60);
        assert_int_equal(get_i(rec100, "seq"), 100);
        assert_int_equal(json_object_array_length(get(rec100, "decisions")), 1);
        json_object_put(clip);

        /* Nothing more is written later. */
        assert_int_equal(run(131, 400, HR_LEVEL_NORMAL), 0);
        assert_int_equal(count_entries(dir, false), 1);
        hr_flight_done(&fl);
}

/* A window that has passed waits while the newest record is CRITICAL or worse; it still ends where it ended. */
static void test_clip_deferred(void **state) {
        char dir[PATH_MAX];
        (void) state;

        init_in("deferred", 1000, 64);
        dir_for(dir, sizeof dir, "deferred");
        run(0, 99, HR_LEVEL_NORMAL);
        push(100, HR_LEVEL_EMERGENCY);
        assert_int_equal(hr_flight_incident(&fl, AT(100), "kill 4242 (leaker)"), 1);
        assert_int_equal(run(101, 160, HR_LEVEL_CRITICAL), 0);
        assert_true(fl.inc.open);
        assert_int_equal(run(161, 161, HR_LEVEL_HIGH), 1);
        json_object *clip = read_clip(dir, fl.inc.id);
        assert_window(clip, 40, 130);
        assert_string_equal(get_s(clip, "max_level"), "EMERGENCY");
        json_object_put(clip);
        hr_flight_done(&fl);
}

/* Incidents whose windows overlap make one clip: while it is open they extend it; after it was written, they
 * reopen it and the file is rewritten under the same id. A later incident starts a new clip. */
static void test_clip_overlap(void **state) {
        char dir[PATH_MAX];
        (void) state;

        init_in("overlap", 1000, 64);
        dir_for(dir, sizeof dir, "overlap");
        run(0, 99, HR_LEVEL_NORMAL);
        push(100, HR_LEVEL_CRITICAL);
        assert_int_equal(hr_flight_incident(&fl, AT(100), "level HIGH -> CRITICAL"), 1);
        assert_int_equal(run(101, 120, HR_LEVEL_HIGH), 0);
        assert_int_equal(hr_flight_incident(&fl, AT(120), "kill 4242 (leaker)"), 0);
        assert_int_equal(run(121, 149, HR_LEVEL_HIGH), 0); /* 130 passed, but the window now ends at 150 */
        assert_int_equal(run(150, 150, HR_LEVEL_HIGH), 1);
        assert_int_equal(count_entries(dir, false), 1);
        char id[HR_FLIGHT_ID_MAX];
        XSNPRINTF(id, "%s", fl.inc.id);
        json_object *clip = read_clip(dir, id);
        assert_window(clip, 40, 150);
        json_object *marks = get(clip, "marks");
        assert_int_equal(json_object_array_length(marks), 2);
        assert_string_equal(get_s(json_object_array_get_idx(marks, 1), "why"), "kill 4242 (leaker)");
        assert_int_equal(get_i(json_object_array_get_idx(marks, 1), "mono_usec"), (int64_t) AT(120));
        json_object_put(clip);

        /* At 170 the new window (110..200) overlaps the written one (40..150): reopened, same file. */
        run(151, 170, HR_LEVEL_HIGH);
        assert_int_equal(hr_flight_incident(&fl, AT(170), "kill 4243 (leaker2)"), 0);
        assert_int_equal(run(171, 200, HR_LEVEL_HIGH), 1);
        assert_string_equal(fl.inc.id, id);
        assert_int_equal(count_entries(dir, false), 1);
        assert_int_equal(count_entries(dir, true), 0);
        clip = read_clip(dir, id);
        assert_window(clip, 40, 200);
        assert_int_equal(json_object_array_length(get(clip, "marks")), 3);
        assert_string_equal(get_s(clip, "why"), "level HIGH -> CRITICAL");
        json_object_put(clip);

        /* At 300 the window (240..330) is clear of it: a new clip. */
        run(201, 300, HR_LEVEL_NORMAL);
        assert_int_equal(hr_flight_incident(&fl, AT(300), "level HIGH -> CRITICAL"), 1);
        assert_int_equal(run(301, 330, HR_LEVEL_HIGH), 1);
        assert_string_not_equal(fl.inc.id, id);
        assert_non_null(strstr(fl.inc.id, "-0002"));
        assert_int_equal(count_entries(dir, false), 2);
        clip = read_clip(dir, fl.inc.id);
        assert_window(clip, 240, 330);
        json_object_put(clip);

        /* Too many marks: the first HR_FLIGHT_MARKS_MAX keep their reason, the rest are counted. */
        run(331, 500, HR_LEVEL_NORMAL);
        for (unsigned i = 0; i < HR_FLIGHT_MARKS_MAX + 4; i++)
                (void) hr_flight_incident(&fl, AT(500), "kill");
        assert_int_equal(hr_flight_flush(&fl, AT(500)), 1);
        clip = read_clip(dir, fl.inc.id);
        assert_int_equal(json_object_array_length(get(clip, "marks")), HR_FLIGHT_MARKS_MAX);
        assert_int_equal(get_i(clip, "marks_dropped"), 4);
        assert_window(clip, 440, 500); /* flushed: up to now */
        json_object_put(clip);
        hr_flight_done(&fl);
}

/* A clip longer than the ring is written in parts before the ring evicts its start; each part continues the
 * last. A window whose start was already gone is marked truncated. */
static void test_clip_continued(void **state) {
        char dir[PATH_MAX], first[HR_FLIGHT_ID_MAX], second[HR_FLIGHT_ID_MAX];
        (void) state;

        init_in("continued", 50, 64);
        dir_for(dir, sizeof dir, "continued");
        fl.before_usec = 10 * SEC;
        run(0, 99, HR_LEVEL_NORMAL);
        push(100, HR_LEVEL_CRITICAL);
        assert_int_equal(hr_flight_incident(&fl, AT(100), "level HIGH -> CRITICAL"), 1);
        unsigned written = 0;
        for (unsigned s = 101; s <= 230; s++) {
                push(s, HR_LEVEL_HIGH);
                if (s % 20 == 0 && s <= 200) /* the last at 200: the window ends at 230 */
                        assert_int_equal(hr_flight_incident(&fl, AT(s), "kill"), 0);
                int r = hr_flight_tick(&fl, AT(s));
                assert_true(r >= 0);
                if (r == 1 && written == 0)
                        XSNPRINTF(first, "%s", fl.inc.continues);
                if (r == 1 && written == 1)
                        XSNPRINTF(second, "%s", fl.inc.continues);
                written += (unsigned) r;
                if (s == 139 || s == 189)
                        assert_int_equal(r, 1); /* the ring holds 50: the window's first record is next to go */
        }
        assert_int_equal(written, 3);
        assert_false(fl.inc.open);
        assert_int_equal(count_entries(dir, false), 3);

        json_object *a = read_clip(dir, first), *b = read_clip(dir, second), *c = read_clip(dir, fl.inc.id);
        assert_window(a, 90, 139);
        assert_window(b, 140, 189);
        assert_window(c, 190, 230);
        assert_true(get_b(a, "continued"));
        assert_true(get_b(b, "continued"));
        assert_false(get_b(c, "continued"));
        assert_false(json_object_object_get_ex(a, "continues", NULL));
        assert_string_equal(get_s(b, "continues"), first);
        assert_string_equal(get_s(c, "continues"), second);
        assert_non_null(strstr(get_s(c, "why"), "level HIGH -> CRITICAL"));
        for (json_object *o = a; o; o = o == a ? b : o == b ? c : NULL)
                assert_false(get_b(o, "truncated"));
        json_object_put(a);
        json_object_put(b);
        json_object_put(c);

        /* The before-window reaches past the ring's oldest record. */
        fl.before_usec = 120 * SEC;
        run(231, 400, HR_LEVEL_NORMAL);
        assert_int_equal(hr_flight_incident(&fl, AT(400), "kill"), 1);
        assert_true(fl.inc.truncated);
        assert_int_equal(hr_flight_flush(&fl, AT(400)), 1);
        c = read_clip(dir, fl.inc.id);
        assert_true(get_b(c, "truncated"));
        assert_window(c, 351, 400);
        json_object_put(c);
        hr_flight_done(&fl);
}

/* At most clips_max files: the oldest by number go. Numbers continue across restarts; temporary files a crash
 * left are removed at init. */
static void test_clip_cap(void **state) {
        char dir[PATH_MAX], path[PATH_MAX + 64];
        (void) state;

        init_in("cap", 1000, 64);
        dir_for(dir, sizeof dir, "cap");
        fl.clips_max = 3;
        for (unsigned k = 0; k < 5; k++) {
                unsigned t = 100 + 200 * k;
                run(t - 99, t, HR_LEVEL_NORMAL);
                assert_int_equal(hr_flight_incident(&fl, AT(t), "level HIGH -> CRITICAL"), 1);
                assert_int_equal(run(t + 1, t + 30, HR_LEVEL_HIGH), 1);
                assert_int_equal(count_entries(dir, false), MIN(k + 1, 3u));
        }
        json_object *list = json_object_new_array();
        assert_int_equal(hr_flight_list(dir, list), 3);
        for (unsigned i = 0; i < 3; i++) {
                char want[16];
                XSNPRINTF(want, "-%04u", 3 + i);
                assert_non_null(strstr(get_s(json_object_array_get_idx(list, i), "id"), want));
        }
        json_object_put(list);
        hr_flight_done(&fl);

        XSNPRINTF(path, "%s/.incident-20241122T143145Z-0009.json.tmp", dir);
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(close(fd), 0);
        init_in("cap", 1000, 64);
        assert_int_equal(fl.next_clip_seq, 6);
        assert_int_equal(access(path, F_OK), -1);
        assert_int_equal(count_entries(dir, true), 0);
        hr_flight_done(&fl);
}

/* A directory that cannot be made: the tick reports it and drops the clip; the next incident starts afresh. */
static void test_clip_write_failure(void **state) {
        char file[PATH_MAX], dir[PATH_MAX + 16];
        (void) state;

        dir_for(file, sizeof file, "not-a-dir");
        int fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(close(fd), 0);
        XSNPRINTF(dir, "%s/clips", file);
        assert_int_equal(hr_flight_init(&fl, 100, 16, dir), 0);
        run(0, 10, HR_LEVEL_NORMAL);
        assert_int_equal(hr_flight_incident(&fl, AT(10), "kill"), 1);
        for (unsigned s = 11; s < 40; s++) {
                push(s, HR_LEVEL_HIGH);
                assert_int_equal(hr_flight_tick(&fl, AT(s)), 0);
        }
        push(40, HR_LEVEL_HIGH);
        assert_int_equal(hr_flight_tick(&fl, AT(40)), -ENOTDIR);
        assert_false(fl.inc.open);
        assert_int_equal(hr_flight_tick(&fl, AT(41)), 0);
        assert_int_equal(hr_flight_incident(&fl, AT(41), "kill"), 1);
        hr_flight_done(&fl);
}

/* ---- listing and reading ---- */

static void test_list_read(void **state) {
        char dir[PATH_MAX], path[PATH_MAX + 64], ids[2][HR_FLIGHT_ID_MAX];
        json_object *o = NULL;
        (void) state;

        /* A missing directory lists nothing. */
        dir_for(dir, sizeof dir, "list");
        json_object *list = json_object_new_array();
        assert_int_equal(hr_flight_list(dir, list), 0);
        assert_int_equal(hr_flight_read(dir, "incident-20241122T143145Z-0001", &o), -ENOENT);

        init_in("list", 1000, 64);
        run(0, 99, HR_LEVEL_NORMAL);
        push(100, HR_LEVEL_EMERGENCY);
        (void) hr_flight_incident(&fl, AT(100), "kill 4242 (leaker): EMERGENCY 100.00");
        assert_int_equal(run(101, 130, HR_LEVEL_HIGH), 1);
        XSNPRINTF(ids[0], "%s", fl.inc.id);
        run(131, 500, HR_LEVEL_NORMAL);
        push(501, HR_LEVEL_CRITICAL);
        (void) hr_flight_incident(&fl, AT(501), "level HIGH -> CRITICAL \"quoted\"\n");
        (void) hr_flight_incident(&fl, AT(510), "kill 1");
        assert_int_equal(run(502, 540, HR_LEVEL_HIGH), 1);
        XSNPRINTF(ids[1], "%s", fl.inc.id);
        hr_flight_done(&fl);

        /* Garbage with a clip's name, a clip-named directory and an unrelated file are passed over. */
        XSNPRINTF(path, "%s/incident-20241122T000000Z-0099.json", dir);
        FILE *f = fopen(path, "we");
        assert_non_null(f);
        fputs("not json", f);
        assert_int_equal(fclose(f), 0);
        XSNPRINTF(path, "%s/incident-20241122T000000Z-0098.json", dir);
        assert_int_equal(mkdir(path, 0700), 0);
        XSNPRINTF(path, "%s/notes.txt", dir);
        f = fopen(path, "we");
        assert_non_null(f);
        assert_int_equal(fclose(f), 0);

        assert_int_equal(hr_flight_list(dir, list), 2);
        assert_int_equal(json_object_array_length(list), 2);
        json_object *e0 = json_object_array_get_idx(list, 0), *e1 = json_object_array_get_idx(list, 1);
        assert_string_equal(get_s(e0, "id"), ids[0]);
        assert_string_equal(get_s(e0, "why"), "kill 4242 (leaker): EMERGENCY 100.00");
        assert_int_equal(get_i(e0, "time_usec"), (int64_t) (WALL0 + 100 * SEC));
        assert_int_equal(get_i(e0, "duration_usec"), (int64_t) (90 * SEC));
        assert_string_equal(get_s(e0, "max_level"), "EMERGENCY");
        assert_string_equal(json_object_get_string(get(e0, "max_score")), "81.50");
        assert_int_equal(get_i(e0, "marks"), 1);
        assert_false(get_b(e0, "truncated"));
        assert_string_equal(get_s(e1, "id"), ids[1]);
        assert_string_equal(get_s(e1, "why"), "level HIGH -> CRITICAL \"quoted\"\n");
        assert_int_equal(get_i(e1, "marks"), 2);
        assert_int_equal(get_i(e1, "duration_usec"), (int64_t) (99 * SEC));
        assert_string_equal(get_s(e1, "max_level"), "CRITICAL");
        json_object_put(list);

        /* Read back in full, with or without ".json". */
        for (unsigned i = 0; i < 2; i++) {
                char with[HR_FLIGHT_ID_MAX + 8];
                json_object *a = read_clip(dir, ids[i]);
                XSNPRINTF(with, "%s.json", ids[i]);
                json_object *b = read_clip(dir, with);
                assert_string_equal(get_s(a, "id"), ids[i]);
                assert_true(json_object_equal(a, b));
                json_object_put(a);
                json_object_put(b);
        }
        assert_int_equal(hr_flight_read(dir, "incident-20241122T000000Z-0099", &o), -EBADMSG);
        assert_int_equal(hr_flight_read(dir, "incident-20241122T000000Z-0098", &o), -EINVAL);
        assert_int_equal(hr_flight_read(dir, "incident-20241122T000000Z-0097", &o), -ENOENT);

        /* A symlink with a clip's name is not followed. */
        XSNPRINTF(path, "%s/incident-20241122T000000Z-0096.json", dir);
        assert_int_equal(symlink("/etc/passwd", path), 0);
        assert_int_equal(hr_flight_read(dir, "incident-20241122T000000Z-0096", &o), -EINVAL);
        assert_null(o);
}

/* The cached listing: the same answer as hr_flight_list(), a clip re-read only when its file changed, and a clip
 * that is gone (or no longer parses) gone from it too. */
static void test_list_cached(void **state) {
        char dir[PATH_MAX], path[PATH_MAX + 64];
        (void) state;

        init_in("cached", 1000, 64);
        XSNPRINTF(dir, "%s", fl.dir);
        for (unsigned k = 0; k < 3; k++) {
                run(k * 200, k * 200 + 99, HR_LEVEL_NORMAL);
                push(k * 200 + 100, HR_LEVEL_EMERGENCY);
                (void) hr_flight_incident(&fl, AT(k * 200 + 100), "kill");
                assert_int_equal(run(k * 200 + 101, k * 200 + 199, HR_LEVEL_HIGH), 1);
        }
        json_object *plain = json_object_new_array(), *c1 = json_object_new_array(), *c2 = json_object_new_array();
        assert_int_equal(hr_flight_list(dir, plain), 3);
        assert_int_equal(hr_flight_list_cached(&fl, c1), 3);
        assert_int_equal(hr_flight_list_cached(&fl, c2), 3);
        assert_true(json_object_equal(plain, c1) && json_object_equal(plain, c2));
        /* The second answer came from the cache: the very same summary objects. */
        assert_ptr_equal(json_object_array_get_idx(c1, 1), json_object_array_get_idx(c2, 1));
        const char *id0 = get_s(json_object_array_get_idx(c1, 0), "id"), *id2 = get_s(json_object_array_get_idx(c1, 2), "id");

        /* One clip replaced by garbage (a new size), one removed: both leave the listing. */
        XSNPRINTF(path, "%s/%s.json", dir, id0);
        FILE *f = fopen(path, "we");
        assert_non_null(f);
        fputs("not json", f);
        assert_int_equal(fclose(f), 0);
        XSNPRINTF(path, "%s/%s.json", dir, id2);
        assert_int_equal(unlink(path), 0);
        json_object *c3 = json_object_new_array();
        assert_int_equal(hr_flight_list_cached(&fl, c3), 1);
        assert_string_equal(get_s(json_object_array_get_idx(c3, 0), "id"), get_s(json_object_array_get_idx(plain, 1), "id"));
        json_object_put(plain);
        json_object_put(c1);
        json_object_put(c2);
        json_object_put(c3);
        hr_flight_done(&fl); /* drops the cached summaries (valgrind and ASan see no leak) */
}

static void test_id_validation(void **state) {
        static const char *const good[] = {
                "incident-20241122T143145Z-0001",
                "incident-20241122T143145Z-0001.json",
                "incident-20241122T143145Z-1",
                "incident-20241122T143145Z-123456789012345678",
        };
        static const char *const bad[] = {
                "",
                "incident-",
                "incident-20241122T143145Z",
                "incident-20241122T143145Z-",
                "incident-20241122T143145Z-00a1",
                "incident-20241122T143145Z-0001.json.tmp",
                "incident-20241122T143145Z-0001/",
                "incident-20241122T143145Z-0001/../../etc/passwd",
                "../incident-20241122T143145Z-0001",
                "incident-20241122T143145Z-0001/..",
                "incident-2024112XT143145Z-0001",
                "incident-20241122 143145Z-0001",
                ".incident-20241122T143145Z-0001.json.tmp",
                "/etc/passwd",
                "..",
                ".",
                "incident-20241122T143145Z-1234567890123456789",
                "INCIDENT-20241122T143145Z-0001",
        };
        char dir[PATH_MAX];
        (void) state;

        dir_for(dir, sizeof dir, "ids");
        assert_int_equal(mkdir(dir, 0700), 0);
        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                json_object *o = NULL;
                if (!hr_flight_id_valid(good[i]))
                        fail_msg("refused \"%s\"", good[i]);
                assert_int_equal(hr_flight_read(dir, good[i], &o), -ENOENT);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                json_object *o = NULL;
                if (hr_flight_id_valid(bad[i]))
                        fail_msg("accepted \"%s\"", bad[i]);
                assert_int_equal(hr_flight_read(dir, bad[i], &o), -EINVAL);
                assert_null(o);
        }
        assert_false(hr_flight_id_valid(NULL));
        json_object *o = NULL;
        assert_int_equal(hr_flight_read(dir, NULL, &o), -EINVAL);
        assert_int_equal(hr_flight_read(NULL, good[0], &o), -EINVAL);
}

/* ---- fixture ---- */

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st;
        (void) flag;
        (void) ftw;
        return remove(p);
}

static int setup_tmp(void **state) {
        (void) state;
        XSNPRINTF(tmp_root, "/tmp/hr-test-flight-XXXXXX");
        return mkdtemp(tmp_root) ? 0 : -1;
}

static int teardown_tmp(void **state) {
        (void) state;
        return nftw(tmp_root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_ring_wrap),
                cmocka_unit_test(test_no_alloc),
                cmocka_unit_test(test_notes),
                cmocka_unit_test(test_clip_after_window),
                cmocka_unit_test(test_clip_deferred),
                cmocka_unit_test(test_clip_overlap),
                cmocka_unit_test(test_clip_continued),
                cmocka_unit_test(test_clip_cap),
                cmocka_unit_test(test_clip_write_failure),
                cmocka_unit_test(test_list_read),
                cmocka_unit_test(test_list_cached),
                cmocka_unit_test(test_id_validation),
        };
        return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
