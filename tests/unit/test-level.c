/* SPDX-License-Identifier: MIT */
/* Unit tests of core/level: the damped state machine on synthetic score sequences, the adaptive tick, the names. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/level.h"

#define SEC USEC_PER_SEC
#define MSEC USEC_PER_MSEC
#define T0 (1000 * SEC) /* when every sequence starts; nonzero so 0 never reads as "no time" */

static const char *lname(HrLevel l) {
        const char *s = hr_level_to_string(l);
        return s ? s : "(invalid)";
}
static const char *rname(HrLevelReason r) {
        const char *s = hr_level_reason_to_string(r);
        return s ? s : "(invalid)";
}

/* Scores are written relative to the configured bounds so a tuned default keeps the tests meaningful:
 * enter_centi[rel] + halves * hysteresis / 2 + off, clamped to 0..10000. */
typedef struct ScoreSpec {
        HrLevel rel;
        int32_t halves;
        int32_t off;
} ScoreSpec;
#define AT(l, o) { HR_LEVEL_##l, 0, (o) }           /* the bound of level l, plus o */
#define HY(l, h, o) { HR_LEVEL_##l, (h), (o) }      /* ... plus h half-hysteresis */
#define ABS(x) { HR_LEVEL_NORMAL, 0, (x) }          /* an absolute score */

static uint32_t score_of(const HrLevelConfig *cfg, ScoreSpec s) {
        int64_t v = (int64_t) cfg->enter_centi[s.rel] + (int64_t) s.halves * cfg->hysteresis_centi / 2 + s.off;
        return (uint32_t) CLAMP(v, 0, 10000);
}

/* ---- a property check run on every step of every sequence ---- */

/* What the checker remembers of a sequence: the last hold_samples inputs since the last change and
 * the last moment that was not calm for the current level. */
typedef struct Tracker {
        const char *name;
        HrLevelInput hist[16];
        unsigned n_since_change; /* samples since the last change, this one included */
        usec_t last_not_calm;
        unsigned changes;
} Tracker;

static uint32_t calm_bound(const HrLevelConfig *cfg, HrLevel l) {
        uint32_t b = cfg->enter_centi[l];
        return b > cfg->hysteresis_centi ? b - cfg->hysteresis_centi : 0;
}

static void tracker_init(Tracker *t, const char *name, const HrLevelState *s) {
        *t = (Tracker) { .name = name, .last_not_calm = s->since };
}

/* Steps the machine and checks that whatever it did is allowed: escalation only after hold_samples
 * samples that all reach the new level, or by a spike to exactly the score's level; de-escalation
 * exactly one level, by calm, after calm_usec without a sample at or above the calm bound. */
static HrLevelReason step_checked(const HrLevelConfig *cfg, HrLevelState *s, const HrLevelInput *in, Tracker *t,
                                  unsigned step) {
        HrLevel before = s->level;
        HrLevelReason why = hr_level_step(cfg, s, in);
        HrLevel after = s->level;
        HrLevel target = hr_level_for_score(cfg, in->score_centi);
        unsigned hold = MAX(cfg->hold_samples, 1u);

        assert_true(hold <= ELEMENTSOF(t->hist));
        memmove(t->hist + 1, t->hist, sizeof t->hist - sizeof t->hist[0]);
        t->hist[0] = *in;
        t->n_since_change++;

        if ((why == HR_LEVEL_UNCHANGED) != (after == before))
                fail_msg("case \"%s\", step %u: %s -> %s with reason \"%s\"", t->name, step, lname(before),
                         lname(after), rname(why));
        if (after == before) {
                if (before != HR_LEVEL_NORMAL && in->score_centi >= calm_bound(cfg, before))
                        t->last_not_calm = in->now;
                return why;
        }

        t->changes++;
        if (s->since != in->now || s->pending_count != 0)
                fail_msg("case \"%s\", step %u: entered %s but since = %" PRIu64 ", pending_count = %u", t->name,
                         step, lname(after), s->since, s->pending_count);

        if (after > before) {
                switch (why) {
                case HR_LEVEL_HELD:
                        if (t->n_since_change < hold)
                                fail_msg("case \"%s\", step %u: %s after %u samples, hold is %u", t->name, step,
                                         lname(after), t->n_since_change, hold);
                        for (unsigned k = 0; k < hold; k++)
                                if (hr_level_for_score(cfg, t->hist[k].score_centi) < after)
                                        fail_msg("case \"%s\", step %u: held %s, but the sample %u back scored %u",
                                                 t->name, step, lname(after), k, t->hist[k].score_centi);
                        break;
                case HR_LEVEL_SPIKE_TREND:
                case HR_LEVEL_SPIKE_FULL:
                        if (why == HR_LEVEL_SPIKE_TREND ? in->trend_centi_per_sec < cfg->spike_trend_centi_per_sec
                                                        : in->psi_full_permyriad < cfg->spike_psi_full_permyriad)
                                fail_msg("case \"%s\", step %u: \"%s\" below its bound", t->name, step, rname(why));
                        if (after != target)
                                fail_msg("case \"%s\", step %u: spike to %s, the score gives %s", t->name, step,
                                         lname(after), lname(target));
                        break;
                default:
                        fail_msg("case \"%s\", step %u: up to %s with reason \"%s\"", t->name, step, lname(after),
                                 rname(why));
                }
        } else {
                if (why != HR_LEVEL_CALM || after != before - 1)
                        fail_msg("case \"%s\", step %u: down %s -> %s with reason \"%s\"", t->name, step,
                                 lname(before), lname(after), rname(why));
                if (in->score_centi >= calm_bound(cfg, before) || in->now - t->last_not_calm < cfg->calm_usec)
                        fail_msg("case \"%s\", step %u: calm from %s after only %" PRIu64 " us", t->name, step,
                                 lname(before), in->now - t->last_not_calm);
        }
        t->n_since_change = 0;
        t->last_not_calm = in->now;
        return why;
}

/* A state at `level`, reached the way the daemon would: a spike of PSI full at time `now`. */
static HrLevelState state_at(const HrLevelConfig *cfg, HrLevel level, usec_t now) {
        HrLevelState s;
        hr_level_state_init(&s, now);
        if (level != HR_LEVEL_NORMAL) {
                HrLevelInput in = {
                        .score_centi = cfg->enter_centi[level],
                        .psi_full_permyriad = cfg->spike_psi_full_permyriad,
                        .now = now,
                };
                assert_int_equal(hr_level_step(cfg, &s, &in), HR_LEVEL_SPIKE_FULL);
        }
        assert_int_equal(s.level, level);
        assert_int_equal(s.pending_count, 0);
        assert_true(s.calm_since == USEC_INFINITY);
        return s;
}

/* ---- explicit sequences ---- */

typedef struct Step {
        int64_t dt;     /* time since the previous step: dt + calms * calm_usec, always > 0 */
        unsigned calms;
        ScoreSpec score;
        int32_t trend;  /* centi-points per second; plus spike_trend_centi_per_sec when steep */
        bool steep;
        uint32_t full;  /* PSI full permyriad; plus spike_psi_full_permyriad when hard */
        bool hard;
        HrLevel want;
        HrLevelReason why;
} Step;

#define STEP(d, sc, w, y, ...) { .dt = (d), .score = sc, .want = HR_LEVEL_##w, .why = HR_LEVEL_##y, __VA_ARGS__ }
#define MAX_STEPS 12

typedef struct Case {
        const char *name;
        HrLevel start;
        Step steps[MAX_STEPS]; /* ends at the first step that does not advance time */
} Case;

static const Case cases[] = {
        /* escalation by holding */
        { "hold: one sample at a bound is not enough", HR_LEVEL_NORMAL, {
                STEP(SEC, AT(ELEVATED, 0), NORMAL, UNCHANGED),
                STEP(SEC, ABS(0), NORMAL, UNCHANGED),
                STEP(SEC, AT(ELEVATED, 0), NORMAL, UNCHANGED),
                STEP(SEC, AT(ELEVATED, 0), ELEVATED, HELD),
                STEP(SEC, AT(ELEVATED, 0), ELEVATED, UNCHANGED) } },
        { "hold: two samples agreeing on HIGH skip ELEVATED", HR_LEVEL_NORMAL, {
                STEP(SEC, AT(HIGH, 0), NORMAL, UNCHANGED),
                STEP(SEC, AT(HIGH, 100), HIGH, HELD) } },
        { "hold: two samples at EMERGENCY go straight there", HR_LEVEL_NORMAL, {
                STEP(SEC, AT(EMERGENCY, 0), NORMAL, UNCHANGED),
                STEP(SEC, ABS(10000), EMERGENCY, HELD) } },
        { "hold: HIGH then ELEVATED enters ELEVATED", HR_LEVEL_NORMAL, {
                STEP(SEC, AT(HIGH, 0), NORMAL, UNCHANGED),
                STEP(SEC, AT(ELEVATED, 0), ELEVATED, HELD) } },
        { "hold: ELEVATED then EMERGENCY enters ELEVATED", HR_LEVEL_NORMAL, {
                STEP(SEC, AT(ELEVATED, 0), NORMAL, UNCHANGED),
                STEP(SEC, AT(EMERGENCY, 0), ELEVATED, HELD),
                STEP(SEC, AT(EMERGENCY, 0), ELEVATED, UNCHANGED),
                STEP(SEC, AT(EMERGENCY, 0), EMERGENCY, HELD) } },
        { "hold: a sample back at the level resets the run", HR_LEVEL_ELEVATED, {
                STEP(SEC, AT(HIGH, 0), ELEVATED, UNCHANGED),
                STEP(SEC, AT(ELEVATED, 0), ELEVATED, UNCHANGED),
                STEP(SEC, AT(HIGH, 0), ELEVATED, UNCHANGED),
                STEP(SEC, AT(HIGH, 0), HIGH, HELD) } },
        { "hold: just below a bound never enters it", HR_LEVEL_HIGH, {
                STEP(SEC, AT(CRITICAL, -1), HIGH, UNCHANGED),
                STEP(SEC, AT(CRITICAL, -1), HIGH, UNCHANGED),
                STEP(SEC, AT(CRITICAL, -1), HIGH, UNCHANGED) } },

        /* spikes: straight to the score's level */
        { "spike trend: NORMAL straight to EMERGENCY", HR_LEVEL_NORMAL, {
                STEP(SEC, AT(EMERGENCY, 100), EMERGENCY, SPIKE_TREND, .steep = true) } },
        { "spike trend: to the score's level, not beyond", HR_LEVEL_NORMAL, {
                STEP(SEC, AT(HIGH, 0), HIGH, SPIKE_TREND, .steep = true, .trend = 5000) } },
        { "spike trend: from a higher level", HR_LEVEL_ELEVATED, {
                STEP(SEC, AT(CRITICAL, 0), CRITICAL, SPIKE_TREND, .steep = true) } },
        { "spike trend: overrides a pending run to a lower level", HR_LEVEL_NORMAL, {
                STEP(SEC, AT(ELEVATED, 0), NORMAL, UNCHANGED),
                STEP(SEC, AT(EMERGENCY, 0), EMERGENCY, SPIKE_TREND, .steep = true) } },
        { "spike trend: just under the bound waits for the hold", HR_LEVEL_NORMAL, {
                STEP(SEC, AT(CRITICAL, 0), NORMAL, UNCHANGED, .steep = true, .trend = -1),
                STEP(SEC, AT(CRITICAL, 0), CRITICAL, HELD, .steep = true, .trend = -1) } },
        { "spike trend: a steep trend without a higher score does nothing", HR_LEVEL_HIGH, {
                STEP(SEC, AT(HIGH, 0), HIGH, UNCHANGED, .steep = true),
                STEP(SEC, AT(HIGH, 100), HIGH, UNCHANGED, .steep = true, .trend = 100000) } },
        { "spike full: NORMAL straight to CRITICAL", HR_LEVEL_NORMAL, {
                STEP(SEC, AT(CRITICAL, 100), CRITICAL, SPIKE_FULL, .hard = true) } },
        { "spike full: far over the bound", HR_LEVEL_NORMAL, {
                STEP(SEC, AT(EMERGENCY, 0), EMERGENCY, SPIKE_FULL, .hard = true, .full = 1000000) } },
        { "spike full: from HIGH to EMERGENCY", HR_LEVEL_HIGH, {
                STEP(SEC, AT(EMERGENCY, 0), EMERGENCY, SPIKE_FULL, .hard = true) } },
        { "spike full: just under the hard bound waits for the hold", HR_LEVEL_NORMAL, {
                STEP(SEC, AT(HIGH, 0), NORMAL, UNCHANGED, .hard = true, .full = (uint32_t) -1),
                STEP(SEC, AT(HIGH, 0), HIGH, HELD, .hard = true, .full = (uint32_t) -1) } },
        { "spike full: PSI full without a higher score does nothing", HR_LEVEL_NORMAL, {
                STEP(SEC, ABS(0), NORMAL, UNCHANGED, .hard = true),
                STEP(SEC, AT(ELEVATED, -1), NORMAL, UNCHANGED, .hard = true) } },

        /* hysteresis and calm */
        { "hysteresis: just below the bound does not de-escalate", HR_LEVEL_HIGH, {
                STEP(SEC, AT(HIGH, -1), HIGH, UNCHANGED),
                STEP(0, AT(HIGH, -1), HIGH, UNCHANGED, .calms = 1),
                STEP(0, AT(HIGH, -1), HIGH, UNCHANGED, .calms = 1),
                STEP(0, AT(HIGH, -1), HIGH, UNCHANGED, .calms = 5) } },
        { "hysteresis: exactly at bound - hysteresis does not de-escalate", HR_LEVEL_HIGH, {
                STEP(SEC, HY(HIGH, -2, 0), HIGH, UNCHANGED),
                STEP(0, HY(HIGH, -2, 0), HIGH, UNCHANGED, .calms = 1),
                STEP(0, HY(HIGH, -2, 0), HIGH, UNCHANGED, .calms = 2) } },
        { "calm: below bound - hysteresis for calm_usec steps down one", HR_LEVEL_HIGH, {
                STEP(SEC, HY(HIGH, -2, -1), HIGH, UNCHANGED),
                STEP(-1, HY(HIGH, -2, -1), HIGH, UNCHANGED, .calms = 1),
                STEP(1, HY(HIGH, -2, -1), ELEVATED, CALM),
                STEP(SEC, HY(HIGH, -2, -1), ELEVATED, UNCHANGED) } },
        { "calm: counts from the first calm sample, not the level change", HR_LEVEL_HIGH, {
                STEP(0, ABS(0), HIGH, UNCHANGED, .calms = 1),
                STEP(-1, ABS(0), HIGH, UNCHANGED, .calms = 1),
                STEP(1, ABS(0), ELEVATED, CALM) } },
        { "calm: one high sample restarts the calm timer", HR_LEVEL_HIGH, {
                STEP(SEC, ABS(0), HIGH, UNCHANGED),
                STEP(-SEC, ABS(0), HIGH, UNCHANGED, .calms = 1),
                STEP(500 * MSEC, HY(HIGH, -2, 0), HIGH, UNCHANGED),
                STEP(500 * MSEC, ABS(0), HIGH, UNCHANGED), /* calm_usec after the first calm sample */
                STEP(-1, ABS(0), HIGH, UNCHANGED, .calms = 1),
                STEP(1, ABS(0), ELEVATED, CALM) } },
        { "calm: a pending escalation restarts the calm timer", HR_LEVEL_ELEVATED, {
                STEP(SEC, ABS(0), ELEVATED, UNCHANGED),
                STEP(-SEC, ABS(0), ELEVATED, UNCHANGED, .calms = 1),
                STEP(500 * MSEC, AT(HIGH, 0), ELEVATED, UNCHANGED),
                STEP(500 * MSEC, ABS(0), ELEVATED, UNCHANGED),
                STEP(-1, ABS(0), ELEVATED, UNCHANGED, .calms = 1),
                STEP(1, ABS(0), NORMAL, CALM) } },
        { "calm: recovery stops at the score's level", HR_LEVEL_CRITICAL, {
                STEP(SEC, AT(HIGH, 100), CRITICAL, UNCHANGED),
                STEP(0, AT(HIGH, 100), HIGH, CALM, .calms = 1),
                STEP(0, AT(HIGH, 100), HIGH, UNCHANGED, .calms = 1),
                STEP(0, AT(HIGH, 100), HIGH, UNCHANGED, .calms = 3) } },
        { "calm: the timer restarts at each step down", HR_LEVEL_CRITICAL, {
                STEP(SEC, ABS(0), CRITICAL, UNCHANGED),
                STEP(0, ABS(0), HIGH, CALM, .calms = 1),
                STEP(-1, ABS(0), HIGH, UNCHANGED, .calms = 1),
                STEP(1, ABS(0), ELEVATED, CALM),
                STEP(-1, ABS(0), ELEVATED, UNCHANGED, .calms = 1),
                STEP(1, ABS(0), NORMAL, CALM) } },
        { "calm: a long gap still steps down only one level", HR_LEVEL_EMERGENCY, {
                STEP(SEC, ABS(0), EMERGENCY, UNCHANGED),
                STEP(0, ABS(0), CRITICAL, CALM, .calms = 100),
                STEP(SEC, ABS(0), CRITICAL, UNCHANGED) } },
        { "calm: re-escalates after stepping down", HR_LEVEL_HIGH, {
                STEP(SEC, ABS(0), HIGH, UNCHANGED),
                STEP(0, ABS(0), ELEVATED, CALM, .calms = 1),
                STEP(SEC, AT(HIGH, 0), ELEVATED, UNCHANGED),
                STEP(SEC, AT(HIGH, 0), HIGH, HELD) } },
        { "calm: NORMAL stays NORMAL", HR_LEVEL_NORMAL, {
                STEP(SEC, ABS(0), NORMAL, UNCHANGED),
                STEP(0, ABS(0), NORMAL, UNCHANGED, .calms = 10) } },
};

static void test_sequences(void **state) {
        const HrLevelConfig *cfg = &hr_level_config_default;
        (void) state;

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const Case *c = &cases[i];
                HrLevelState s = state_at(cfg, c->start, T0);
                Tracker t;
                usec_t now = T0;

                tracker_init(&t, c->name, &s);
                for (unsigned k = 0; k < MAX_STEPS; k++) {
                        const Step *st = &c->steps[k];
                        int64_t adv = st->dt + (int64_t) st->calms * (int64_t) cfg->calm_usec;
                        if (st->dt == 0 && st->calms == 0)
                                break;
                        if (adv <= 0)
                                fail_msg("case \"%s\", step %u: time does not advance", c->name, k);
                        now += (usec_t) adv;

                        HrLevelInput in = {
                                .score_centi = score_of(cfg, st->score),
                                .trend_centi_per_sec = st->trend + (st->steep ? cfg->spike_trend_centi_per_sec : 0),
                                .psi_full_permyriad = st->full + (st->hard ? cfg->spike_psi_full_permyriad : 0),
                                .now = now,
                        };
                        HrLevelReason why = step_checked(cfg, &s, &in, &t, k);
                        if (s.level != st->want || why != st->why)
                                fail_msg("case \"%s\", step %u (score %u, t+%" PRIu64 " ms): %s \"%s\", want %s \"%s\"",
                                         c->name, k, in.score_centi, (now - T0) / MSEC, lname(s.level), rname(why),
                                         lname(st->want), rname(st->why));
                }
        }
}

/* ---- long generated sequences ---- */

typedef enum Pattern {
        RAMP,      /* a, then + step each sample */
        ALTERNATE, /* a, b, a, b, ... */
        CONSTANT,  /* a */
} Pattern;

typedef struct Run {
        const char *name;
        HrLevel start;
        usec_t dt;
        unsigned n;      /* samples; 0: enough for `calms` calm periods */
        unsigned calms;
        Pattern pattern;
        ScoreSpec a, b;
        int32_t step;
        unsigned max_changes;
        HrLevel want_final;
        bool climb;    /* check the slow climb: every level entered the sample after it was first reached */
        bool recovery; /* check the recovery: one level down every calm_usec from the first calm sample */
} Run;

static const Run runs[] = {
        { "slow climb: +5 points per 1 s sample", HR_LEVEL_NORMAL, SEC, 24, .pattern = RAMP, .a = ABS(0),
          .step = 500, .max_changes = 4, .want_final = HR_LEVEL_EMERGENCY, .climb = true },
        { "slow climb: +5 points per 250 ms sample", HR_LEVEL_NORMAL, 250 * MSEC, 24, .pattern = RAMP,
          .a = ABS(0), .step = 500, .max_changes = 4, .want_final = HR_LEVEL_EMERGENCY, .climb = true },
        { "slow climb from ELEVATED", HR_LEVEL_ELEVATED, SEC, 24, .pattern = RAMP, .a = AT(ELEVATED, 0),
          .step = 500, .max_changes = 3, .want_final = HR_LEVEL_EMERGENCY, .climb = true },

        { "flap: around ELEVATED from NORMAL", HR_LEVEL_NORMAL, SEC, 100, .pattern = ALTERNATE,
          .a = HY(ELEVATED, 1, 0), .b = HY(ELEVATED, -1, 0), .max_changes = 1, .want_final = HR_LEVEL_NORMAL },
        { "flap: around HIGH from NORMAL", HR_LEVEL_NORMAL, SEC, 100, .pattern = ALTERNATE,
          .a = HY(HIGH, 1, 0), .b = HY(HIGH, -1, 0), .max_changes = 1, .want_final = HR_LEVEL_ELEVATED },
        { "flap: around HIGH from ELEVATED", HR_LEVEL_ELEVATED, SEC, 100, .pattern = ALTERNATE,
          .a = HY(HIGH, 1, 0), .b = HY(HIGH, -1, 0), .max_changes = 1, .want_final = HR_LEVEL_ELEVATED },
        { "flap: around CRITICAL from HIGH", HR_LEVEL_HIGH, SEC, 100, .pattern = ALTERNATE,
          .a = HY(CRITICAL, 1, 0), .b = HY(CRITICAL, -1, 0), .max_changes = 1, .want_final = HR_LEVEL_HIGH },
        { "flap: around EMERGENCY from CRITICAL, 250 ms", HR_LEVEL_CRITICAL, 250 * MSEC, 100, .pattern = ALTERNATE,
          .a = HY(EMERGENCY, 1, 0), .b = HY(EMERGENCY, -1, 0), .max_changes = 1,
          .want_final = HR_LEVEL_CRITICAL },
        { "flap: around HIGH while at HIGH", HR_LEVEL_HIGH, SEC, 100, .pattern = ALTERNATE,
          .a = HY(HIGH, 1, 0), .b = HY(HIGH, -1, 0), .max_changes = 1, .want_final = HR_LEVEL_HIGH },
        { "flap: around HIGH - hysteresis while at HIGH", HR_LEVEL_HIGH, SEC, 100, .pattern = ALTERNATE,
          .a = HY(HIGH, -2, 100), .b = HY(HIGH, -2, -100), .max_changes = 0, .want_final = HR_LEVEL_HIGH },
        { "flap: around EMERGENCY - hysteresis at EMERGENCY, 100 ms", HR_LEVEL_EMERGENCY, 100 * MSEC, 0, 3,
          .pattern = ALTERNATE, .a = HY(EMERGENCY, -2, -1), .b = HY(EMERGENCY, -2, 0), .max_changes = 0,
          .want_final = HR_LEVEL_EMERGENCY },
        { "flap: steep swings spike once, then hold", HR_LEVEL_NORMAL, SEC, 100, .pattern = ALTERNATE,
          .a = ABS(0), .b = AT(CRITICAL, 100), .max_changes = 1, .want_final = HR_LEVEL_CRITICAL },
        { "flap: steep swings at 250 ms", HR_LEVEL_NORMAL, 250 * MSEC, 100, .pattern = ALTERNATE,
          .a = ABS(0), .b = AT(EMERGENCY, 0), .max_changes = 1, .want_final = HR_LEVEL_EMERGENCY },

        { "hysteresis: just below the bound for 3 calm periods", HR_LEVEL_HIGH, SEC, 0, 3, .pattern = CONSTANT,
          .a = AT(HIGH, -1), .max_changes = 0, .want_final = HR_LEVEL_HIGH },
        { "hysteresis: at bound - hysteresis for 3 calm periods", HR_LEVEL_CRITICAL, SEC, 0, 3,
          .pattern = CONSTANT, .a = HY(CRITICAL, -2, 0), .max_changes = 0, .want_final = HR_LEVEL_CRITICAL },

        { "recovery: EMERGENCY, score 0, 1 s samples", HR_LEVEL_EMERGENCY, SEC, 0, 5, .pattern = CONSTANT,
          .a = ABS(0), .max_changes = 4, .want_final = HR_LEVEL_NORMAL, .recovery = true },
        { "recovery: EMERGENCY, score 0, 250 ms samples", HR_LEVEL_EMERGENCY, 250 * MSEC, 0, 5,
          .pattern = CONSTANT, .a = ABS(0), .max_changes = 4, .want_final = HR_LEVEL_NORMAL, .recovery = true },
        { "recovery: EMERGENCY, score 0, 3 s samples", HR_LEVEL_EMERGENCY, 3 * SEC, 0, 5, .pattern = CONSTANT,
          .a = ABS(0), .max_changes = 4, .want_final = HR_LEVEL_NORMAL, .recovery = true },
        { "recovery: stops at the score's level", HR_LEVEL_EMERGENCY, SEC, 0, 5, .pattern = CONSTANT,
          .a = AT(HIGH, 0), .max_changes = 2, .want_final = HR_LEVEL_HIGH, .recovery = true },
};

static uint32_t run_score(const HrLevelConfig *cfg, const Run *r, unsigned i) {
        switch (r->pattern) {
        case RAMP: {
                int64_t v = (int64_t) score_of(cfg, r->a) + (int64_t) i * r->step;
                return (uint32_t) CLAMP(v, 0, 10000);
        }
        case ALTERNATE:
                return score_of(cfg, i % 2 ? r->b : r->a);
        case CONSTANT:
                return score_of(cfg, r->a);
        }
        return 0;
}

/* The first sample time >= t on the grid T0 + k * dt. */
static usec_t grid_ceil(usec_t t, usec_t dt) {
        return t <= T0 ? T0 : T0 + (t - T0 + dt - 1) / dt * dt;
}

static void test_runs(void **state) {
        const HrLevelConfig *cfg = &hr_level_config_default;
        const HrPressureConfig *pcfg = &hr_pressure_config_default;
        (void) state;

        for (size_t ri = 0; ri < ELEMENTSOF(runs); ri++) {
                const Run *r = &runs[ri];
                unsigned n = r->n ? r->n : (unsigned) (r->calms * cfg->calm_usec / r->dt);
                HrLevelState s = state_at(cfg, r->start, T0);
                Tracker t;
                uint32_t last_score = run_score(cfg, r, 0);
                usec_t calm_from = USEC_INFINITY, expect_down = USEC_INFINITY;

                tracker_init(&t, r->name, &s);
                for (unsigned i = 0; i < n; i++) {
                        HrLevel before = s.level;
                        HrLevelInput in = {
                                .score_centi = run_score(cfg, r, i),
                                .now = T0 + (i + 1) * r->dt,
                        };
                        /* The trend as the pressure model would report it. */
                        in.trend_centi_per_sec =
                                (int32_t) (((int64_t) in.score_centi - (int64_t) last_score) * (int64_t) USEC_PER_SEC /
                                           (int64_t) MAX(r->dt, pcfg->trend_min_interval_usec));
                        last_score = in.score_centi;

                        HrLevelReason why = step_checked(cfg, &s, &in, &t, i);

                        if (r->climb && i > 0) {
                                /* Each level is entered on the second sample at or above its bound. */
                                uint32_t prev_score = run_score(cfg, r, i - 1);
                                HrLevel want = MAX(before, MIN(hr_level_for_score(cfg, prev_score),
                                                               hr_level_for_score(cfg, in.score_centi)));
                                if (s.level != want || (want != before && (why != HR_LEVEL_HELD || want != before + 1)))
                                        fail_msg("case \"%s\", step %u (score %u): %s \"%s\", want %s, held", r->name,
                                                 i, in.score_centi, lname(s.level), rname(why), lname(want));
                        }

                        if (r->recovery) {
                                if (calm_from == USEC_INFINITY && in.score_centi < calm_bound(cfg, before)) {
                                        calm_from = in.now;
                                        expect_down = grid_ceil(calm_from + cfg->calm_usec, r->dt);
                                }
                                bool want_down = in.now == expect_down;
                                if ((s.level != before) != want_down)
                                        fail_msg("case \"%s\", step %u (t+%" PRIu64 " ms): %s -> %s, want %s at t+%" PRIu64
                                                 " ms",
                                                 r->name, i, (in.now - T0) / MSEC, lname(before), lname(s.level),
                                                 want_down ? "a step down" : "no change",
                                                 expect_down == USEC_INFINITY ? 0 : (expect_down - T0) / MSEC);
                                if (want_down) {
                                        /* The calm timer restarts at the step, if the score is calm there too. */
                                        expect_down = s.level > HR_LEVEL_NORMAL && in.score_centi < calm_bound(cfg, s.level)
                                                              ? grid_ceil(in.now + cfg->calm_usec, r->dt)
                                                              : USEC_INFINITY;
                                }
                        }
                }

                if (t.changes > r->max_changes || s.level != r->want_final)
                        fail_msg("case \"%s\": %u changes ending at %s, want at most %u ending at %s", r->name, t.changes,
                                 lname(s.level), r->max_changes, lname(r->want_final));
                if (r->climb && t.changes != (unsigned) (r->want_final - r->start))
                        fail_msg("case \"%s\": %u changes, want every level from %s to %s", r->name, t.changes,
                                 lname(r->start), lname(r->want_final));
                if (r->recovery && r->want_final == HR_LEVEL_NORMAL &&
                    s.since != grid_ceil(calm_from + (r->start - HR_LEVEL_NORMAL) * cfg->calm_usec, r->dt) &&
                    cfg->calm_usec % r->dt == 0)
                        fail_msg("case \"%s\": NORMAL at t+%" PRIu64 " ms, want %u calm periods after t+%" PRIu64 " ms",
                                 r->name, (s.since - T0) / MSEC, (unsigned) r->start, (calm_from - T0) / MSEC);
        }
}

/* ---- hr_level_for_score ---- */

static void test_for_score(void **state) {
        const HrLevelConfig *cfg = &hr_level_config_default;
        (void) state;

        assert_int_equal(cfg->enter_centi[HR_LEVEL_NORMAL], 0);
        assert_int_equal(hr_level_for_score(cfg, 0), HR_LEVEL_NORMAL);
        assert_int_equal(hr_level_for_score(cfg, 10000), HR_LEVEL_EMERGENCY);
        assert_int_equal(hr_level_for_score(cfg, UINT32_MAX), HR_LEVEL_EMERGENCY);
        for (int l = HR_LEVEL_ELEVATED; l < _HR_LEVEL_MAX; l++) {
                uint32_t b = cfg->enter_centi[l];
                assert_true(b > cfg->enter_centi[l - 1]);
                assert_true(b > cfg->hysteresis_centi);
                if (hr_level_for_score(cfg, b) != (HrLevel) l || hr_level_for_score(cfg, b - 1) != (HrLevel) (l - 1))
                        fail_msg("bound of %s (%u): %s at it, %s just below", lname((HrLevel) l), b,
                                 lname(hr_level_for_score(cfg, b)), lname(hr_level_for_score(cfg, b - 1)));
        }
        /* Monotonic over the whole range. */
        HrLevel last = HR_LEVEL_NORMAL;
        for (uint32_t sc = 0; sc <= 10000; sc++) {
                HrLevel l = hr_level_for_score(cfg, sc);
                if (l < last)
                        fail_msg("score %u gives %s after %s", sc, lname(l), lname(last));
                last = l;
        }
}

/* ---- hr_level_next_tick ---- */

typedef enum TickWant {
        W_LEVEL,   /* tick_usec[level] */
        W_PENDING, /* tick_pending_usec */
        W_SEC,     /* the 1 s cap without triggers */
        W_MARGIN,  /* the time MemAvailable takes to fall to the ramp start at fill_rate */
        W_FLOOR,   /* tick_min_usec */
} TickWant;

typedef struct TickCase {
        const char *name;
        HrLevel level;
        bool pending;       /* one sample toward the next level */
        bool calm;          /* counting calm */
        bool no_sample;
        int64_t margin_ms;  /* MemAvailable above the MemAvailable ramp start, in ms of fall at fill_rate */
        bool armed;
        TickWant want;
} TickCase;

#define FAR 100000 /* 100 s of fall: longer than any level's interval */

static const TickCase tick_cases[] = {
        { "NORMAL, far from the ramp, armed",           HR_LEVEL_NORMAL, .margin_ms = FAR, .armed = true, .want = W_LEVEL },
        { "NORMAL, no sample yet",                      HR_LEVEL_NORMAL, .no_sample = true, .armed = true, .want = W_LEVEL },
        { "NORMAL, triggers not armed: 1 s cap",        HR_LEVEL_NORMAL, .margin_ms = FAR, .want = W_SEC },
        { "NORMAL, 2 s from the ramp start",            HR_LEVEL_NORMAL, .margin_ms = 2000, .armed = true, .want = W_MARGIN },
        { "NORMAL, 500 ms from the ramp start",         HR_LEVEL_NORMAL, .margin_ms = 500, .armed = true, .want = W_MARGIN },
        { "NORMAL, 500 ms, not armed",                  HR_LEVEL_NORMAL, .margin_ms = 500, .want = W_MARGIN },
        { "NORMAL, 2 s, not armed: 1 s cap",            HR_LEVEL_NORMAL, .margin_ms = 2000, .want = W_SEC },
        { "NORMAL, 10 ms from the ramp start: floor",   HR_LEVEL_NORMAL, .margin_ms = 10, .armed = true, .want = W_FLOOR },
        { "NORMAL, at the ramp start: floor",           HR_LEVEL_NORMAL, .margin_ms = 0, .armed = true, .want = W_FLOOR },
        { "NORMAL, past the ramp start: floor",         HR_LEVEL_NORMAL, .margin_ms = -5000, .armed = true, .want = W_FLOOR },
        { "NORMAL, pending escalation",                 HR_LEVEL_NORMAL, .pending = true, .margin_ms = FAR, .armed = true, .want = W_PENDING },
        { "NORMAL, pending, 2 s from the ramp start",   HR_LEVEL_NORMAL, .pending = true, .margin_ms = 2000, .armed = true, .want = W_PENDING },
        { "NORMAL, pending, 10 ms from the ramp start", HR_LEVEL_NORMAL, .pending = true, .margin_ms = 10, .armed = true, .want = W_FLOOR },
        { "ELEVATED",                                   HR_LEVEL_ELEVATED, .margin_ms = FAR, .armed = true, .want = W_LEVEL },
        { "ELEVATED: the fill rule is for NORMAL",      HR_LEVEL_ELEVATED, .margin_ms = 0, .armed = true, .want = W_LEVEL },
        { "ELEVATED, pending",                          HR_LEVEL_ELEVATED, .pending = true, .margin_ms = FAR, .armed = true, .want = W_PENDING },
        { "ELEVATED, counting calm",                    HR_LEVEL_ELEVATED, .calm = true, .margin_ms = FAR, .armed = true, .want = W_PENDING },
        { "HIGH",                                       HR_LEVEL_HIGH, .margin_ms = FAR, .armed = true, .want = W_LEVEL },
        { "HIGH, pending",                              HR_LEVEL_HIGH, .pending = true, .margin_ms = FAR, .armed = true, .want = W_PENDING },
        { "HIGH, counting calm",                        HR_LEVEL_HIGH, .calm = true, .margin_ms = FAR, .armed = true, .want = W_PENDING },
        { "CRITICAL",                                   HR_LEVEL_CRITICAL, .margin_ms = FAR, .armed = true, .want = W_LEVEL },
        { "CRITICAL, no triggers",                      HR_LEVEL_CRITICAL, .margin_ms = FAR, .want = W_LEVEL },
        { "EMERGENCY",                                  HR_LEVEL_EMERGENCY, .margin_ms = FAR, .armed = true, .want = W_LEVEL },
        { "EMERGENCY, counting calm: never slower",     HR_LEVEL_EMERGENCY, .calm = true, .margin_ms = FAR, .armed = true, .want = W_LEVEL },
};

#define TOTAL_KIB (UINT64_C(1) << 34) /* 16 TiB, so FAR fits even at a much faster fill rate */

/* The MemAvailable (KiB) at which the MemAvailable component starts to count. */
static uint64_t ramp_start_kib(const HrPressureConfig *pcfg) {
        return TOTAL_KIB * (10000 - pcfg->ramp[HR_COMP_MEM_AVAILABLE].start) / 10000;
}

static void tick_sample(const HrLevelConfig *cfg, const HrPressureConfig *pcfg, int64_t margin_ms, HrSample *s) {
        int64_t margin_kib = margin_ms * (int64_t) cfg->fill_rate_kib_per_sec / 1000;
        memset(s, 0, sizeof *s);
        s->at = T0;
        s->meminfo.kib[HR_MEM_TOTAL] = TOTAL_KIB;
        s->meminfo.kib[HR_MEM_AVAILABLE] = (uint64_t) ((int64_t) ramp_start_kib(pcfg) + margin_kib);
        s->meminfo.present = (1u << HR_MEM_TOTAL) | (1u << HR_MEM_AVAILABLE);
        assert_true(s->meminfo.kib[HR_MEM_AVAILABLE] <= TOTAL_KIB);
}

static usec_t tick_want(const HrLevelConfig *cfg, const TickCase *c) {
        switch (c->want) {
        case W_LEVEL:
                return MAX(cfg->tick_usec[c->level], cfg->tick_min_usec);
        case W_PENDING:
                return MAX(cfg->tick_pending_usec, cfg->tick_min_usec);
        case W_SEC:
                return USEC_PER_SEC;
        case W_MARGIN:
                return (usec_t) c->margin_ms * MSEC;
        case W_FLOOR:
                return cfg->tick_min_usec;
        }
        return 0;
}

static void test_next_tick(void **state) {
        const HrLevelConfig *cfg = &hr_level_config_default;
        const HrPressureConfig *pcfg = &hr_pressure_config_default;
        (void) state;

        assert_true(cfg->fill_rate_kib_per_sec > 0);
        for (size_t i = 0; i < ELEMENTSOF(tick_cases); i++) {
                const TickCase *c = &tick_cases[i];
                HrLevelState s = state_at(cfg, c->level, T0);
                HrSample sample;

                if (c->pending) {
                        HrLevelInput in = { .score_centi = cfg->enter_centi[c->level + 1], .now = T0 + SEC };
                        assert_int_equal(hr_level_step(cfg, &s, &in), HR_LEVEL_UNCHANGED);
                        assert_true(s.pending_count > 0);
                }
                if (c->calm) {
                        HrLevelInput in = { .score_centi = 0, .now = T0 + SEC };
                        assert_int_equal(hr_level_step(cfg, &s, &in), HR_LEVEL_UNCHANGED);
                        assert_true(s.calm_since != USEC_INFINITY);
                }
                tick_sample(cfg, pcfg, c->margin_ms, &sample);

                usec_t got = hr_level_next_tick(cfg, &s, pcfg, c->no_sample ? NULL : &sample, c->armed);
                usec_t want = tick_want(cfg, c);
                /* The margin goes through KiB and back: allow a microsecond of rounding. */
                usec_t slack = c->want == W_MARGIN ? 1 : 0;
                if (got + slack < want || got > want + slack)
                        fail_msg("case \"%s\": next tick %" PRIu64 " us, want %" PRIu64 " us", c->name, got, want);
                if (got < cfg->tick_min_usec || ((c->pending || c->calm) && got > cfg->tick_usec[c->level]))
                        fail_msg("case \"%s\": next tick %" PRIu64 " us out of bounds", c->name, got);
        }
}

/* The fill rule aims at the point where the MemAvailable component starts to count. */
static void test_next_tick_matches_pressure(void **state) {
        const HrLevelConfig *cfg = &hr_level_config_default;
        const HrPressureConfig *pcfg = &hr_pressure_config_default;
        HrSample s;
        HrPressure p;
        (void) state;

        /* A permille of MemTotal either side of the point the NORMAL interval counts down to. */
        tick_sample(cfg, pcfg, 0, &s);
        s.meminfo.kib[HR_MEM_AVAILABLE] += TOTAL_KIB / 1000;
        hr_pressure_eval(pcfg, NULL, &s, NULL, &p);
        assert_int_equal(p.points_centi[HR_COMP_MEM_AVAILABLE], 0);
        s.meminfo.kib[HR_MEM_AVAILABLE] -= 2 * (TOTAL_KIB / 1000);
        hr_pressure_eval(pcfg, NULL, &s, NULL, &p);
        assert_true(p.points_centi[HR_COMP_MEM_AVAILABLE] > 0);
}

/* However the intervals are tuned, nothing goes below tick_min_usec. */
static void test_next_tick_floor(void **state) {
        const HrPressureConfig *pcfg = &hr_pressure_config_default;
        HrLevelConfig cfg = hr_level_config_default;
        (void) state;

        for (unsigned l = 0; l < _HR_LEVEL_MAX; l++)
                cfg.tick_usec[l] = 1;
        cfg.tick_pending_usec = 1;
        cfg.tick_min_usec = 100 * MSEC;
        for (int l = 0; l < _HR_LEVEL_MAX; l++)
                for (unsigned mode = 0; mode < 3; mode++) {
                        HrLevelState s = state_at(&cfg, (HrLevel) l, T0);
                        HrSample sample;
                        if (mode == 1 && l + 1 < _HR_LEVEL_MAX) {
                                HrLevelInput in = { .score_centi = cfg.enter_centi[l + 1], .now = T0 + SEC };
                                (void) hr_level_step(&cfg, &s, &in);
                        }
                        if (mode == 2) {
                                HrLevelInput in = { .score_centi = 0, .now = T0 + SEC };
                                (void) hr_level_step(&cfg, &s, &in);
                        }
                        tick_sample(&cfg, pcfg, -1000, &sample);
                        for (unsigned armed = 0; armed < 2; armed++) {
                                usec_t got = hr_level_next_tick(&cfg, &s, pcfg, &sample, armed);
                                if (got != cfg.tick_min_usec)
                                        fail_msg("%s, mode %u, armed %u: %" PRIu64 " us, want the floor", lname((HrLevel) l),
                                                 mode, armed, got);
                        }
                }
}

/* ---- names ---- */

static void test_strings(void **state) {
        (void) state;
        for (int l = 0; l < _HR_LEVEL_MAX; l++) {
                const char *s = hr_level_to_string((HrLevel) l);
                assert_non_null(s);
                assert_int_equal(hr_level_from_string(s), l);
                for (int m = 0; m < l; m++)
                        assert_string_not_equal(s, hr_level_to_string((HrLevel) m));
        }
        assert_string_equal(hr_level_to_string(HR_LEVEL_NORMAL), "NORMAL");
        assert_string_equal(hr_level_to_string(HR_LEVEL_EMERGENCY), "EMERGENCY");
        assert_null(hr_level_to_string(_HR_LEVEL_MAX));
        assert_null(hr_level_to_string(_HR_LEVEL_INVALID));
        assert_null(hr_level_to_string((HrLevel) -1));
        assert_int_equal(hr_level_from_string("high"), HR_LEVEL_HIGH); /* names are case-insensitive */
        assert_int_equal(hr_level_from_string(NULL), _HR_LEVEL_INVALID);
        assert_int_equal(hr_level_from_string(""), _HR_LEVEL_INVALID);
        assert_int_equal(hr_level_from_string("NORM"), _HR_LEVEL_INVALID);
        assert_int_equal(hr_level_from_string("HIGHER"), _HR_LEVEL_INVALID);
        assert_int_equal(hr_level_from_string(" HIGH"), _HR_LEVEL_INVALID);

        for (int r = 0; r < _HR_LEVEL_REASON_MAX; r++) {
                const char *s = hr_level_reason_to_string((HrLevelReason) r);
                assert_non_null(s);
                for (int q = 0; q < r; q++)
                        assert_string_not_equal(s, hr_level_reason_to_string((HrLevelReason) q));
        }
        assert_null(hr_level_reason_to_string(_HR_LEVEL_REASON_MAX));
        assert_null(hr_level_reason_to_string((HrLevelReason) -1));

        for (int c = 0; c < _HR_COMP_MAX; c++)
                assert_int_equal(hr_component_from_string(hr_component_to_string((HrComponent) c)), c);
        assert_null(hr_component_to_string(_HR_COMP_MAX));
        assert_null(hr_component_to_string(_HR_COMP_INVALID));
        assert_int_equal(hr_component_from_string(NULL), _HR_COMP_INVALID);
        assert_int_equal(hr_component_from_string("nope"), _HR_COMP_INVALID);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sequences),
                cmocka_unit_test(test_runs),
                cmocka_unit_test(test_for_score),
                cmocka_unit_test(test_next_tick),
                cmocka_unit_test(test_next_tick_matches_pressure),
                cmocka_unit_test(test_next_tick_floor),
                cmocka_unit_test(test_strings),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
