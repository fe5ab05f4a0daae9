/* SPDX-License-Identifier: MIT */
/* hr-leak: a runaway leak for the benchmarks: malloc'd chunks at RATE MiB/s, each filled as it is made,
 * old ones read only rarely, growth stopping at MAX; one JSON line when it ends (duration, SIGTERM, SIGINT). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "wl.h"

/* How often it advances, and the most it catches up after a stall (a stalled program leaks less). */
#define TICK_USEC (10 * USEC_PER_MSEC)
#define CATCH_UP_USEC (100 * USEC_PER_MSEC)
/* Once a second it reads a byte of a few old chunks, drawn from a reservoir sample of all of them. */
#define OLD_TOUCH_USEC USEC_PER_SEC
#define OLD_TOUCH_CHUNKS 16
#define RESERVOIR 4096
#define MIN_CHUNK_BITS 8        /* 256 bytes */

static double arg_rate_mib_s;
static uint64_t arg_max_mib;
static const char *arg_name, *arg_out;
static double arg_duration_s;
static uint64_t arg_chunk_kib = 64;

static void help(void) {
        printf("Usage: hr-leak --rate MIB_PER_SEC --max MIB [OPTIONS]\n"
               "A runaway leak: allocates RATE MiB per second in small malloc'd chunks (256 B to --chunk-kib),\n"
               "fills each as it is allocated (about 3:1 compressible), rarely reads old ones, stops growing at\n"
               "--max and holds. Prints one JSON line when it ends: --duration over, SIGTERM or SIGINT.\n"
               "\n"
               "  --rate MIB_PER_SEC   Growth rate (MiB/s, > 0)\n"
               "  --max MIB            Stop growing at this size and hold it\n"
               "  --name NAME          Process name (comm, first 15 bytes)\n"
               "  --duration SEC       End after SEC seconds (default: run until SIGTERM/SIGINT)\n"
               "  --chunk-kib KIB      Largest chunk (default %" PRIu64 ")\n"
               "  --out FILE           Write the JSON line to FILE (via FILE.partial) instead of stdout\n"
               "  --help               Show this help\n",
               arg_chunk_kib);
}

static int parse_argv(int argc, char **argv) {
        enum { ARG_RATE = 0x100, ARG_MAX, ARG_NAME, ARG_DURATION, ARG_CHUNK, ARG_OUT };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "rate", required_argument, NULL, ARG_RATE },
                { "max", required_argument, NULL, ARG_MAX },
                { "name", required_argument, NULL, ARG_NAME },
                { "duration", required_argument, NULL, ARG_DURATION },
                { "chunk-kib", required_argument, NULL, ARG_CHUNK },
                { "out", required_argument, NULL, ARG_OUT },
                {}
        };
        bool have_rate = false, have_max = false;
        int c;

        opterr = 0;
        while ((c = getopt_long(argc, argv, ":h", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_RATE:
                        if (wl_parse_double("--rate", optarg, 0.001, 1e6, &arg_rate_mib_s) < 0)
                                return -EINVAL;
                        have_rate = true;
                        break;
                case ARG_MAX:
                        if (wl_parse_u64("--max", optarg, 1, UINT64_C(1) << 24, &arg_max_mib) < 0)
                                return -EINVAL;
                        have_max = true;
                        break;
                case ARG_NAME:
                        arg_name = optarg;
                        break;
                case ARG_DURATION:
                        if (wl_parse_double("--duration", optarg, 0, 1e7, &arg_duration_s) < 0)
                                return -EINVAL;
                        break;
                case ARG_CHUNK:
                        if (wl_parse_u64("--chunk-kib", optarg, 1, 1024, &arg_chunk_kib) < 0)
                                return -EINVAL;
                        break;
                case ARG_OUT:
                        arg_out = optarg;
                        break;
                default:
                        wl_bad_option(c, argv);
                        return -EINVAL;
                }
        }
        if (optind < argc) {
                wl_err("unexpected argument '%s' (see --help)", argv[optind]);
                return -EINVAL;
        }
        if (!have_rate || !have_max) {
                wl_err("--rate and --max are required (see --help)");
                return -EINVAL;
        }
        return 1;
}

typedef struct Leak {
        size_t max_bytes, held_bytes, chunk_max;
        size_t next_size;       /* the next chunk's size, drawn once (0: draw) */
        uint64_t chunks;
        void *reservoir[RESERVOIR];
        size_t n_reservoir;
        bool alloc_failed;
        usec_t reached_max_at;  /* 0 while growing */
        uint64_t sink;
} Leak;

/* A malloc-like size: a power-of-two class from 256 B up, uniform inside the class, at most chunk_max. */
static size_t chunk_size(const Leak *l) {
        unsigned max_bits = MIN_CHUNK_BITS + 1;

        while (max_bits < 40 && ((size_t) 1 << max_bits) < l->chunk_max)
                max_bits++;
        unsigned bits = MIN_CHUNK_BITS + (unsigned) (wl_rand() % (max_bits - MIN_CHUNK_BITS));
        size_t size = ((size_t) 1 << bits) + (size_t) (wl_rand() % ((uint64_t) 1 << bits));

        if (size > l->chunk_max)
                size = l->chunk_max;
        if (size > l->max_bytes - l->held_bytes)
                size = l->max_bytes - l->held_bytes;
        return size;
}

/* Allocates up to budget bytes; returns what it did not use. */
static double grow(Leak *l, double budget) {
        while (l->held_bytes < l->max_bytes) {
                size_t size = l->next_size ? l->next_size : chunk_size(l);
                void *p;

                l->next_size = size;
                if ((double) size > budget)
                        break;
                l->next_size = 0;
                p = malloc(size);
                if (!p) {
                        l->alloc_failed = true;
                        break;
                }
                wl_fill(p, size);
                l->held_bytes += size;
                l->chunks++;
                budget -= (double) size;
                /* Reservoir sampling keeps a uniform sample of every chunk made; the rest are forgotten. */
                if (l->n_reservoir < RESERVOIR)
                        l->reservoir[l->n_reservoir++] = p;
                else {
                        uint64_t k = wl_rand() % l->chunks;
                        if (k < RESERVOIR)
                                l->reservoir[k] = p;
                }
        }
        return budget;
}

static void touch_old(Leak *l) {
        for (unsigned i = 0; i < OLD_TOUCH_CHUNKS && l->n_reservoir > 0; i++)
                l->sink += *(const volatile uint8_t *) l->reservoir[wl_rand() % l->n_reservoir];
}

static void report(const Leak *l, FILE *f, usec_t t0, usec_t end, int stop_sig) {
        int64_t rss = wl_self_status_kib("VmRSS"), swap = wl_self_status_kib("VmSwap");
        char sig[16];
        WlJson j;

        wl_json_begin(&j, f);
        wl_json_common(&j);
        wl_json_num(&j, "rate_mib_s", arg_rate_mib_s, 3);
        wl_json_u64(&j, "max_mib", arg_max_mib);
        wl_json_num(&j, "held_mib", (double) l->held_bytes / (double) WL_MIB, 3);
        wl_json_u64(&j, "held_bytes", l->held_bytes);
        wl_json_u64(&j, "chunks", l->chunks);
        wl_json_bool(&j, "reached_max", l->reached_max_at != 0);
        if (l->reached_max_at)
                wl_json_num(&j, "reached_max_ms", wl_ms(l->reached_max_at - t0), 1);
        else
                wl_json_null(&j, "reached_max_ms");
        wl_json_bool(&j, "alloc_failed", l->alloc_failed);
        wl_json_num(&j, "ran_ms", wl_ms(end - t0), 1);
        wl_json_str(&j, "ended_by", stop_sig ? wl_signal_name(stop_sig, sig) : "duration");
        if (rss >= 0)
                wl_json_num(&j, "rss_mib", (double) rss / 1024.0, 1);
        else
                wl_json_null(&j, "rss_mib");
        if (swap >= 0)
                wl_json_num(&j, "swap_mib", (double) swap / 1024.0, 1);
        else
                wl_json_null(&j, "swap_mib");
        wl_json_end(&j);
}

static int run(void) {
        static Leak leak;
        Leak *l = &leak;
        usec_t t0, last, next_old, end_at = 0, now;
        double rate_per_usec = arg_rate_mib_s * (double) WL_MIB / (double) USEC_PER_SEC, budget = 0;
        WlOut out;
        int r;

        r = wl_set_name(arg_name);
        if (r < 0) {
                wl_err("cannot set the process name: %s", strerror(-r));
                return r;
        }
        r = wl_out_open(&out, arg_out);
        if (r < 0) {
                wl_err("cannot open %s.partial: %s", arg_out, strerror(-r));
                return r;
        }
        r = wl_catch_stop_signals();
        if (r < 0) {
                wl_err("cannot handle SIGTERM: %s", strerror(-r));
                return r;
        }

        l->max_bytes = (size_t) arg_max_mib * WL_MIB;
        l->chunk_max = (size_t) arg_chunk_kib * 1024;
        t0 = last = wl_now();
        next_old = t0 + OLD_TOUCH_USEC;
        if (arg_duration_s > 0)
                end_at = t0 + (usec_t) (arg_duration_s * (double) USEC_PER_SEC);

        for (;;) {
                usec_t wake;

                if (wl_stop_signal)
                        break;
                now = wl_now();
                if (end_at && now >= end_at)
                        break;
                if (l->held_bytes < l->max_bytes && !l->alloc_failed) {
                        usec_t dt = now - last;

                        budget = grow(l, budget + rate_per_usec * (double) (dt < CATCH_UP_USEC ? dt : CATCH_UP_USEC));
                        if (l->held_bytes >= l->max_bytes)
                                l->reached_max_at = wl_now();
                }
                last = now;
                if (now >= next_old) {
                        touch_old(l);
                        next_old += OLD_TOUCH_USEC;
                        if (next_old <= now)
                                next_old = now + OLD_TOUCH_USEC;
                }
                wake = l->held_bytes < l->max_bytes && !l->alloc_failed ? now + TICK_USEC : next_old;
                if (end_at && wake > end_at)
                        wake = end_at;
                (void) wl_sleep_until(wake);
        }

        report(l, out.f, t0, wl_now(), wl_stop_signal);
        return wl_out_close(&out);
}

int main(int argc, char **argv) {
        int r;

        wl_init("hr-leak");
        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? WL_EXIT_USAGE : WL_EXIT_OK;
        return run() < 0 ? WL_EXIT_SETUP : WL_EXIT_OK;
}
