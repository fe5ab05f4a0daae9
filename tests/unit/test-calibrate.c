/* SPDX-License-Identifier: MIT */
/* Tests of core/calibrate: the record filler, distributions over the healthy records, the proposals and their
 * reasons for quiet, noisy and too-short synthetic histories, and the drop-in read back by the config loader. */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/calibrate.h"
#include "daemon/config.h"

#define SEC USEC_PER_SEC
#define T0 (1000 * SEC)
#define WALL0 UINT64_C(1732285805000000)

/* Large: not on the stack. */
static HrFlightRecord recs[4096];
static HrCalibration cal;
static char text[HR_CALIBRATE_RENDER_MAX];

/* One component's synthetic healthy values: most samples `low`, 16 in 1440 at `p99`, 4 in 1440 at `max`, so
 * over 1440 samples the nearest-rank p50 and p95 are `low`, p99 is `p99` and the maximum `max`. */
typedef struct Wave {
        uint32_t low, p99, max;
} Wave;

static uint32_t wave_at(Wave w, size_t i) {
        return i % 360 == 0 ? w.max : i % 90 == 45 ? w.p99 : w.low;
}

/* n_normal NORMAL records `tick` apart, plus (with busy) a HIGH record with large values after every 7th, which
 * calibration must ignore. Returns the number of records. */
static size_t history(const Wave w[_HR_COMP_MAX], size_t n_normal, usec_t tick, bool busy) {
        size_t n = 0;
        usec_t at = T0;

        for (size_t i = 0; i < n_normal; i++) {
                HrFlightRecord *r = &recs[n++];
                assert_true(n <= ELEMENTSOF(recs));
                *r = (HrFlightRecord) {
                        .at = at,
                        .wall_usec = WALL0 + (at - T0),
                        .level = HR_LEVEL_NORMAL,
                        .flags = i > 0 ? HR_FLIGHT_HAS_RATES : 0,
                        .mem_total_kib = 16 * 1024 * 1024,
                };
                for (unsigned c = 0; c < _HR_COMP_MAX; c++)
                        r->raw[c] = wave_at(w[c], i);
                if (i == 0) /* the first sample has no rates: its zeros must not count */
                        r->raw[HR_COMP_SWAP_IO] = r->raw[HR_COMP_REFAULT] = 0;
                at += tick;
                if (busy && i % 7 == 6) {
                        HrFlightRecord *h = &recs[n++];
                        assert_true(n <= ELEMENTSOF(recs));
                        *h = (HrFlightRecord) { .at = at, .level = HR_LEVEL_HIGH, .flags = HR_FLIGHT_HAS_RATES,
                                                .score_centi = 4500 };
                        for (unsigned c = 0; c < _HR_COMP_MAX; c++)
                                h->raw[c] = 9999;
                        h->raw[HR_COMP_SWAP_IO] = h->raw[HR_COMP_REFAULT] = 900000;
                        at += SEC / 2;
                }
        }
        return n;
}

static const Wave quiet[_HR_COMP_MAX] = {
        [HR_COMP_PSI_SOME] = { 0, 100, 300 },         /* 0% .. 1% .. 3% */
        [HR_COMP_PSI_FULL] = { 0, 0, 20 },
        [HR_COMP_SWAP_FILL] = { 1000, 1200, 1500 },   /* 10% used */
        [HR_COMP_SWAP_IO] = { 0, 40, 300 },
        [HR_COMP_REFAULT] = { 50, 300, 1200 },
        [HR_COMP_MEM_AVAILABLE] = { 6000, 6500, 7000 }, /* 40% .. 35% .. 30% available */
};

static const Wave noisy[_HR_COMP_MAX] = {
        [HR_COMP_PSI_SOME] = { 100, 820, 1500 },      /* 1%, p99 8.2%, max 15% */
        [HR_COMP_PSI_FULL] = { 0, 50, 80 },           /* p99 0.5%: under the 1% default */
        [HR_COMP_SWAP_FILL] = { 7000, 8800, 9000 },   /* a zram desktop: swap 88% full when healthy */
        [HR_COMP_SWAP_IO] = { 100, 60000, 70000 },    /* p99 above the default ramp's full */
        [HR_COMP_REFAULT] = { 500, 4000, 6000 },
        [HR_COMP_MEM_AVAILABLE] = { 6000, 9050, 9090 }, /* 40%, p1 9.5%, min 9.1% available */
};

static HrConfig cfg_default(void) {
        HrConfig c;
        assert_int_equal(hr_config_init_default(&c), 0);
        return c;
}

static const HrCalibrateProposal *find(const HrCalibration *c, const char *key) {
        for (size_t i = 0; i < c->n_proposals; i++)
                if (strcmp(c->proposal[i].key, key) == 0)
                        return &c->proposal[i];
        fail_msg("no proposal for %s", key);
        return NULL;
}

static void expect(const HrCalibration *c, const char *key, bool change, const char *proposed, const char *in_reason) {
        const HrCalibrateProposal *p = find(c, key);
        if (p->change != change || strcmp(p->proposed, proposed) != 0)
                fail_msg("%s: change=%d proposed=%s (was %s), want change=%d proposed=%s; reason: %s", key, p->change,
                         p->proposed, p->current, change, proposed, p->reason);
        if (in_reason && !strstr(p->reason, in_reason))
                fail_msg("%s: reason \"%s\" lacks \"%s\"", key, p->reason, in_reason);
}

/* Loads the rendered drop-in over the defaults (and `base_text` before it, like headroom.conf). */
static void load_back(const char *base_text, const char *dropin, HrConfig *ret) {
        HrConfLoader *l = hr_conf_loader_new();
        HrConfErrors errors = {};
        assert_non_null(l);
        if (base_text)
                assert_int_equal(hr_conf_loader_feed(l, "headroom.conf", base_text, strlen(base_text)), 0);
        assert_int_equal(hr_conf_loader_feed(l, "50-calibrate.conf", dropin, strlen(dropin)), 0);
        int r = hr_conf_loader_finish(l, ret, &errors);
        if (r != 0)
                fail_msg("the drop-in does not load (%d): %s\n%s", r, errors.n ? errors.lines[0] : "", dropin);
        hr_conf_errors_done(&errors);
        hr_conf_loader_free(l);
}

/* A config as a file would give it. */
static HrConfig cfg_from(const char *text_in) {
        HrConfLoader *l = hr_conf_loader_new();
        HrConfErrors errors = {};
        HrConfig c;
        assert_non_null(l);
        assert_int_equal(hr_conf_loader_feed(l, "t.conf", text_in, strlen(text_in)), 0);
        assert_int_equal(hr_conf_loader_finish(l, &c, &errors), 0);
        hr_conf_errors_done(&errors);
        hr_conf_loader_free(l);
        return c;
}

/* ---- tests ---- */

static void test_defaults_agree(void **state) {
        HrConfig c = cfg_default();
        (void) state;
        assert_int_equal(c.trigger_some_permyriad, HR_CALIBRATE_TRIGGER_SOME_DEFAULT);
        assert_int_equal(c.trigger_full_permyriad, HR_CALIBRATE_TRIGGER_FULL_DEFAULT);
        assert_string_equal(hr_calibrate_status_to_string(HR_CALIBRATE_OK), "ok");
        assert_null(hr_calibrate_status_to_string(_HR_CALIBRATE_STATUS_MAX));
        hr_config_done(&c);
}

static void test_record_fill(void **state) {
        HrPressure p = { .score_centi = 12345, .trend_centi_per_sec = -250, .has_rates = true };
        HrSample s = {};
        HrFlightRecord r;
        (void) state;

        p.raw[HR_COMP_PSI_SOME] = 420;
        p.raw[HR_COMP_REFAULT] = UINT64_C(1) << 40; /* saturates */
        p.points_centi[HR_COMP_PSI_SOME] = 777;
        s.meminfo.kib[HR_MEM_AVAILABLE] = 1000;
        s.meminfo.kib[HR_MEM_TOTAL] = 4000;
        s.meminfo.kib[HR_MEM_SWAP_FREE] = 10;
        s.meminfo.kib[HR_MEM_SWAP_TOTAL] = 20;
        s.meminfo.present = 1u << HR_MEM_AVAILABLE | 1u << HR_MEM_TOTAL | 1u << HR_MEM_SWAP_FREE | 1u << HR_MEM_SWAP_TOTAL;

        hr_flight_record_fill(&r, T0, WALL0, HR_LEVEL_HIGH, &p, &s);
        assert_int_equal(r.at, T0);
        assert_int_equal(r.wall_usec, WALL0);
        assert_int_equal(r.level, HR_LEVEL_HIGH);
        assert_int_equal(r.score_centi, 10000);
        assert_int_equal(r.trend_centi_per_sec, -250);
        assert_int_equal(r.flags, HR_FLIGHT_HAS_RATES);
        assert_int_equal(r.raw[HR_COMP_PSI_SOME], 420);
        assert_int_equal(r.raw[HR_COMP_REFAULT], UINT32_MAX);
        assert_int_equal(r.points_centi[HR_COMP_PSI_SOME], 777);
        assert_int_equal(r.mem_available_kib, 1000);
        assert_int_equal(r.mem_total_kib, 4000);
        assert_int_equal(r.swap_free_kib, 10);
        assert_int_equal(r.swap_total_kib, 20);
        assert_int_equal(r.notes_dropped, 0);

        hr_flight_record_fill(&r, T0, WALL0, HR_LEVEL_NORMAL, &p, NULL);
        assert_int_equal(r.mem_total_kib, 0);
        assert_true(sizeof(HrFlightRecord) <= 96);
}

/* Every key calibration names is in the loader's table, in section Pressure. */
static void test_keys_exist(void **state) {
        HrConfig c = cfg_default();
        (void) state;
        size_t n = history(quiet, 1440, 5 * SEC, false);
        assert_int_equal(hr_calibrate(recs, n, &c, &cal), 0);
        assert_int_equal(cal.n_proposals, HR_CALIBRATE_PROPOSALS_MAX);
        for (size_t i = 0; i < cal.n_proposals; i++) {
                const HrCalibrateProposal *p = &cal.proposal[i];
                const HrConfItem *it = hr_conf_item_find(p->section, p->key);
                if (!it)
                        fail_msg("[%s] %s is not a configuration key", p->section, p->key);
                assert_string_equal(p->section, "Pressure");
                /* The value as written parses with the key's own parser. */
                HrConfig scratch = c;
                char why[128];
                if (hr_conf_parse_value(it, p->proposed, &scratch, why, sizeof why) != 0)
                        fail_msg("%s=%s: %s", p->key, p->proposed, why);
                if (hr_conf_parse_value(it, p->current, &scratch, why, sizeof why) != 0)
                        fail_msg("%s=%s: %s", p->key, p->current, why);
                assert_non_null(memchr(p->reason, '\0', sizeof p->reason));
                assert_null(strchr(p->reason, '\n'));
                assert_true(p->reason[0] != '\0');
        }
        hr_config_done(&c);
}

static void test_quiet_machine(void **state) {
        HrConfig c = cfg_default(), back;
        (void) state;

        size_t n = history(quiet, 1440, 5 * SEC, true);
        assert_int_equal(hr_calibrate(recs, n, &c, &cal), 0);
        assert_int_equal(cal.status, HR_CALIBRATE_OK);
        assert_int_equal(cal.n_records, n);
        assert_int_equal(cal.n_healthy, 1440);
        assert_int_equal(cal.healthy_usec, 1439 * 5 * SEC);
        assert_non_null(strstr(cal.summary, "1 h 59 min at NORMAL in 1440 samples"));
        assert_int_equal(cal.n_changes, 0);

        expect(&cal, "PsiSomeStart", false, "5%", "healthy p99 1% (max 3%) scores 0 from 5%: kept");
        expect(&cal, "PsiFullStart", false, "1%", "scores 0");
        expect(&cal, "SwapFillStart", false, "50%", NULL);
        expect(&cal, "SwapIoStart", false, "1000", "healthy p99 40 pages/s");
        expect(&cal, "RefaultStart", false, "2500", "healthy p99 300 pages/s (max 1200 pages/s)");
        expect(&cal, "MemAvailableStart", false, "15%", "lowest healthy MemAvailable (1st percentile) 35% available");
        expect(&cal, "TriggerSome", false, "5%", "kept");
        expect(&cal, "TriggerFull", false, "2.5%", "kept");

        /* Nothing changes and everything is at its default: every key is commented out. */
        int len = hr_calibration_render(&cal, text, sizeof text);
        assert_true(len > 0);
        assert_int_equal((size_t) len, strlen(text));
        assert_non_null(strstr(text, "\n[Pressure]\n"));
        assert_non_null(strstr(text, "0 of 20 keys change"));
        assert_non_null(strstr(text, "\n#PsiSomeStart=5%\n"));
        for (const char *l = text; *l;) {
                const char *eol = strchr(l, '\n');
                assert_non_null(eol);
                if (*l != '#' && *l != '[' && *l != '\n')
                        fail_msg("unexpected setting in a no-change drop-in: %.*s", (int) (eol - l), l);
                l = eol + 1;
        }
        load_back(NULL, text, &back);
        assert_memory_equal(&back.pressure, &c.pressure, sizeof c.pressure);
        assert_int_equal(back.trigger_some_permyriad, c.trigger_some_permyriad);
        hr_config_done(&back);
        hr_config_done(&c);
}

static void test_noisy_machine(void **state) {
        HrConfig c = cfg_default(), back;
        (void) state;

        size_t n = history(noisy, 1440, 5 * SEC, true);
        assert_int_equal(hr_calibrate(recs, n, &c, &cal), 0);
        assert_int_equal(cal.status, HR_CALIBRATE_OK);
        assert_int_equal(cal.n_healthy, 1440);

        /* The distributions ignore the HIGH records (all 9999 or 900000) and the first sample's missing rates. */
        const HrCalibrateStats *s = &cal.stats[HR_COMP_PSI_SOME];
        assert_int_equal(s->n, 1440);
        assert_int_equal(s->p50, 100);
        assert_int_equal(s->p95, 100);
        assert_int_equal(s->p99, 820);
        assert_int_equal(s->max, 1500);
        assert_int_equal(cal.stats[HR_COMP_REFAULT].n, 1439);
        assert_int_equal(cal.stats[HR_COMP_REFAULT].p50, 500);
        assert_int_equal(cal.stats[HR_COMP_REFAULT].p99, 4000);
        assert_int_equal(cal.stats[HR_COMP_SWAP_IO].max, 70000);
        assert_int_equal(cal.stats[HR_COMP_MEM_AVAILABLE].p99, 9050);

        /* 8.2% x 1.2 = 9.84%, two significant digits up: 9.9%. */
        expect(&cal, "PsiSomeStart", true, "9.9%",
               "healthy p99 8.2% (max 15%) scores 5.81 points from 5%; p99 x 1.2 = 9.9%, so it scores 0");
        expect(&cal, "PsiSomeFull", false, "60%", NULL);
        /* 0.5% x 1.2 is under the built-in 1%. */
        expect(&cal, "PsiFullStart", false, "1%", "healthy p99 0.5% (max 0.8%) scores 0 from 1%: kept");
        /* 88% x 1.2 is past the end of the scale: switched off rather than a ramp that cannot fit. */
        expect(&cal, "SwapFillWeight", true, "0", "leaves no room for a ramp: swap_fill cannot tell pressure");
        expect(&cal, "SwapFillStart", false, "50%", "switched off by SwapFillWeight=0 instead");
        /* 60000 x 1.2 = 72000, above the ramp's full: the full moves up, keeping the 49000 width. */
        expect(&cal, "SwapIoStart", true, "72000", "p99 x 1.2 = 72000 pages/s");
        expect(&cal, "SwapIoFull", true, "121000", "moved up to stay above the new start 72000 pages/s");
        expect(&cal, "RefaultStart", true, "4800", "healthy p99 4000 pages/s (max 6000 pages/s) scores 1.53 points");
        /* 9.5% available at the 1st percentile, / 1.2 = 7.91%, two digits down: 7.9%. */
        expect(&cal, "MemAvailableStart", true, "7.9%",
               "lowest healthy MemAvailable (1st percentile) 9.5% available (min 9.1% available) scores 42.30 points "
               "from 15% available; that / 1.2 = 7.9% available");
        expect(&cal, "MemAvailableFull", false, "2%", NULL);
        expect(&cal, "TriggerSome", true, "9.9%", "stalls below PsiSomeStart=9.9% score 0");
        expect(&cal, "TriggerFull", false, "2.5%", NULL);
        assert_int_equal(cal.n_changes, 7);

        int len = hr_calibration_render(&cal, text, sizeof text);
        assert_true(len > 0);
        assert_non_null(strstr(text, "\nPsiSomeStart=9.9%\n"));
        assert_non_null(strstr(text, "# was 5%: healthy p99 8.2%"));
        assert_non_null(strstr(text, "\nSwapFillWeight=0\n"));
        assert_non_null(strstr(text, "\n#PsiFullStart=1%\n"));
        assert_non_null(strstr(text, "7 of 20 keys change"));

        load_back(NULL, text, &back);
        assert_int_equal(back.pressure.ramp[HR_COMP_PSI_SOME].start, 990);
        assert_int_equal(back.pressure.ramp[HR_COMP_PSI_SOME].full, 6000);
        assert_int_equal(back.pressure.ramp[HR_COMP_PSI_FULL].start, 100);
        assert_int_equal(back.pressure.weight_permille[HR_COMP_SWAP_FILL], 0);
        assert_int_equal(back.pressure.ramp[HR_COMP_SWAP_IO].start, 72000);
        assert_int_equal(back.pressure.ramp[HR_COMP_SWAP_IO].full, 121000);
        assert_int_equal(back.pressure.ramp[HR_COMP_REFAULT].start, 4800);
        assert_int_equal(back.pressure.ramp[HR_COMP_MEM_AVAILABLE].start, 10000 - 790);
        assert_int_equal(back.pressure.ramp[HR_COMP_MEM_AVAILABLE].full, 9800);
        assert_int_equal(back.trigger_some_permyriad, 990);
        assert_int_equal(back.trigger_full_permyriad, 250);

        /* With the proposals in force, the healthy p99 of every calibrated component scores 0. */
        for (unsigned k = 0; k < _HR_COMP_MAX; k++)
                if (back.pressure.weight_permille[k] > 0 && hr_ramp_points_centi(back.pressure.ramp[k],
                                                                                 cal.stats[k].p99) != 0)
                        fail_msg("%s: p99 still scores", hr_component_to_string((HrComponent) k));

        /* Calibrating again with the result running changes nothing. */
        assert_int_equal(hr_calibrate(recs, n, &back, &cal), 0);
        assert_int_equal(cal.n_changes, 0);
        expect(&cal, "SwapFillWeight", false, "0", "switched off");
        /* The kept non-default values are still written: the new drop-in replaces the old one whole. */
        assert_true(hr_calibration_render(&cal, text, sizeof text) > 0);
        assert_non_null(strstr(text, "\nPsiSomeStart=9.9%\n"));
        assert_non_null(strstr(text, "\nSwapIoFull=121000\n"));
        assert_non_null(strstr(text, "\nTriggerSome=9.9%\n"));
        HrConfig again;
        load_back(NULL, text, &again);
        assert_memory_equal(&again.pressure, &back.pressure, sizeof back.pressure);
        hr_config_done(&again);
        hr_config_done(&back);
        hr_config_done(&c);
}

static void test_too_little_history(void **state) {
        HrConfig c = cfg_default();
        (void) state;

        /* 9 min 55 s at NORMAL: just short. */
        size_t n = history(noisy, 120, 5 * SEC, false);
        assert_int_equal(hr_calibrate(recs, n, &c, &cal), 0);
        assert_int_equal(cal.status, HR_CALIBRATE_TOO_LITTLE);
        assert_int_equal(cal.n_proposals, 0);
        assert_int_equal(cal.healthy_usec, 119 * 5 * SEC);
        assert_non_null(strstr(cal.summary, "too little healthy history: 9 min 55 s at NORMAL in 120 samples"));
        assert_non_null(strstr(cal.summary, "needs 10 min and 100 samples"));
        assert_int_equal(cal.stats[HR_COMP_PSI_SOME].n, 120); /* still reported */
        assert_int_equal(hr_calibration_render(&cal, text, sizeof text), -ENODATA);

        /* One more sample is enough. */
        n = history(noisy, 121, 5 * SEC, false);
        assert_int_equal(hr_calibrate(recs, n, &c, &cal), 0);
        assert_int_equal(cal.status, HR_CALIBRATE_OK);

        /* Long, but with gaps: a gap counts as one NORMAL tick at most, and 60 samples are too few anyway. */
        n = history(quiet, 60, 60 * SEC, false);
        assert_int_equal(hr_calibrate(recs, n, &c, &cal), 0);
        assert_int_equal(cal.status, HR_CALIBRATE_TOO_LITTLE);
        assert_int_equal(cal.healthy_usec, 59 * 5 * SEC);

        /* Hours of records, none at NORMAL. */
        n = history(quiet, 2000, SEC, false);
        for (size_t i = 0; i < n; i++)
                recs[i].level = HR_LEVEL_ELEVATED;
        assert_int_equal(hr_calibrate(recs, n, &c, &cal), 0);
        assert_int_equal(cal.status, HR_CALIBRATE_TOO_LITTLE);
        assert_int_equal(cal.n_healthy, 0);
        assert_int_equal(cal.stats[HR_COMP_PSI_SOME].n, 0);

        /* Nothing at all. */
        assert_int_equal(hr_calibrate(NULL, 0, &c, &cal), 0);
        assert_int_equal(cal.status, HR_CALIBRATE_TOO_LITTLE);
        assert_int_equal(hr_calibrate(NULL, 1, &c, &cal), -EINVAL);
        assert_int_equal(hr_calibrate(recs, 1, NULL, &cal), -EINVAL);
        hr_config_done(&c);
}

/* A running config above what the machine needs is brought back down (to the larger of the built-in default
 * and p99 x 1.2); a switched-off component is left alone; running values that are not the default are written
 * even when kept. */
static void test_running_config(void **state) {
        HrConfig c = cfg_from("[Pressure]\nPsiSomeStart=20%\nRefaultFull=200000\nRefaultWeight=0\n"), back;
        (void) state;

        size_t n = history(noisy, 1440, 5 * SEC, false);
        assert_int_equal(hr_calibrate(recs, n, &c, &cal), 0);
        expect(&cal, "PsiSomeStart", true, "9.9%", "is well clear of 20%: 9.9% (the built-in default or p99 x 1.2");
        expect(&cal, "RefaultStart", false, "2500", "switched off (weight 0), not calibrated");
        expect(&cal, "RefaultWeight", false, "0", "kept switched off");
        expect(&cal, "RefaultFull", false, "200000", NULL);
        assert_false(find(&cal, "RefaultFull")->current_is_default);
        assert_true(find(&cal, "RefaultStart")->current_is_default);

        assert_true(hr_calibration_render(&cal, text, sizeof text) > 0);
        assert_non_null(strstr(text, "# was 20%: "));
        assert_non_null(strstr(text, "\nRefaultFull=200000\n"));
        assert_non_null(strstr(text, "\nRefaultWeight=0\n"));
        assert_non_null(strstr(text, "\n#RefaultStart=2500\n"));

        /* Over a headroom.conf that says otherwise, the drop-in wins. */
        load_back("[Pressure]\nPsiSomeStart=30%\nRefaultFull=150000\n", text, &back);
        assert_int_equal(back.pressure.ramp[HR_COMP_PSI_SOME].start, 990);
        assert_int_equal(back.pressure.ramp[HR_COMP_REFAULT].full, 200000);
        assert_int_equal(back.pressure.weight_permille[HR_COMP_REFAULT], 0);
        hr_config_done(&back);
        hr_config_done(&c);
}

static void test_render_bounds(void **state) {
        HrConfig c = cfg_default();
        char small[64];
        (void) state;

        size_t n = history(noisy, 1440, 5 * SEC, false);
        assert_int_equal(hr_calibrate(recs, n, &c, &cal), 0);
        int len = hr_calibration_render(&cal, text, sizeof text);
        assert_true(len > 0 && (size_t) len < sizeof text);
        assert_int_equal(hr_calibration_render(&cal, small, sizeof small), -ENOSPC);
        assert_int_equal(hr_calibration_render(&cal, text, (size_t) len), -ENOSPC);
        assert_int_equal(hr_calibration_render(&cal, text, (size_t) len + 1), len);
        assert_int_equal(hr_calibration_render(&cal, small, 0), -ENOSPC);

        /* The worst case: every reason at its longest still fits HR_CALIBRATE_RENDER_MAX. */
        HrCalibration *big = &cal;
        for (size_t i = 0; i < big->n_proposals; i++) {
                memset(big->proposal[i].reason, 'x', sizeof big->proposal[i].reason - 1);
                big->proposal[i].reason[sizeof big->proposal[i].reason - 1] = '\0';
                memset(big->proposal[i].current, '9', sizeof big->proposal[i].current - 1);
                big->proposal[i].current[sizeof big->proposal[i].current - 1] = '\0';
                big->proposal[i].change = true;
        }
        memset(big->summary, 'y', sizeof big->summary - 1);
        big->summary[sizeof big->summary - 1] = '\0';
        assert_true(hr_calibration_render(big, text, sizeof text) > 0);
        hr_config_done(&c);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_defaults_agree),
                cmocka_unit_test(test_record_fill),
                cmocka_unit_test(test_keys_exist),
                cmocka_unit_test(test_quiet_machine),
                cmocka_unit_test(test_noisy_machine),
                cmocka_unit_test(test_too_little_history),
                cmocka_unit_test(test_running_config),
                cmocka_unit_test(test_render_bounds),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
