/* SPDX-License-Identifier: MIT */
/* hr-idle: an idle background process for the benchmarks (a browser tab, an indexer): fills MIB once, then
 * sleeps touching nothing until SIGTERM/SIGINT (or --duration); one JSON line when it ends. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "wl.h"

static uint64_t arg_mib;
static const char *arg_name, *arg_out, *arg_ready;
static double arg_duration_s;

static void help(void) {
        printf("Usage: hr-idle --mib MIB [OPTIONS] [--cmdline-tail ARGS...]\n"
               "An idle background process: fills MIB of anonymous memory once (about 3:1 compressible), then\n"
               "sleeps, touching nothing, until SIGTERM or SIGINT. Prints one JSON line when it ends.\n"
               "\n"
               "  --mib MIB            Anonymous memory to fill (0 allowed)\n"
               "  --name NAME          Process name (comm, first 15 bytes)\n"
               "  --duration SEC       End after SEC seconds (default: until SIGTERM/SIGINT)\n"
               "  --ready-file PATH    Create PATH (holding the pid) once the memory is filled\n"
               "  --out FILE           Write the JSON line to FILE (via FILE.partial) instead of stdout\n"
               "  --cmdline-tail ARGS  Everything after it is ignored (to make the cmdline look like a real\n"
               "                       process's, e.g. --type=renderer)\n"
               "  --help               Show this help\n");
}

static int parse_argv(int argc, char **argv) {
        enum { ARG_MIB = 0x100, ARG_NAME, ARG_DURATION, ARG_READY, ARG_OUT };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "mib", required_argument, NULL, ARG_MIB },
                { "name", required_argument, NULL, ARG_NAME },
                { "duration", required_argument, NULL, ARG_DURATION },
                { "ready-file", required_argument, NULL, ARG_READY },
                { "out", required_argument, NULL, ARG_OUT },
                {}
        };
        bool have_mib = false;
        int c;

        /* The tail is not ours to parse: options end where it starts. */
        for (int i = 1; i < argc; i++)
                if (strcmp(argv[i], "--cmdline-tail") == 0) {
                        argc = i;
                        break;
                }
        opterr = 0;
        while ((c = getopt_long(argc, argv, ":h", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_MIB:
                        if (wl_parse_u64("--mib", optarg, 0, UINT64_C(1) << 24, &arg_mib) < 0)
                                return -EINVAL;
                        have_mib = true;
                        break;
                case ARG_NAME:
                        arg_name = optarg;
                        break;
                case ARG_DURATION:
                        if (wl_parse_double("--duration", optarg, 0, 1e7, &arg_duration_s) < 0)
                                return -EINVAL;
                        break;
                case ARG_READY:
                        arg_ready = optarg;
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
        if (!have_mib) {
                wl_err("--mib is required (see --help)");
                return -EINVAL;
        }
        return 1;
}

static int run(void) {
        size_t len = (size_t) arg_mib * WL_MIB;
        usec_t t0, filled, end;
        int64_t rss, swap;
        char sig_name[16];
        void *mem = NULL;
        WlOut out;
        WlJson j;
        int r, sig;

        r = wl_set_name(arg_name);
        if (r < 0) {
                wl_err("cannot set the process name: %s", strerror(-r));
                return r;
        }
        r = wl_block_signals(/* with_chld= */ false);
        if (r < 0) {
                wl_err("cannot block SIGTERM: %s", strerror(-r));
                return r;
        }
        r = wl_out_open(&out, arg_out);
        if (r < 0) {
                wl_err("cannot open %s.partial: %s", arg_out, strerror(-r));
                return r;
        }

        t0 = wl_now();
        if (len > 0) {
                mem = wl_map_anon(len);
                if (!mem) {
                        r = -errno;
                        wl_err("cannot map %" PRIu64 " MiB: %s", arg_mib, strerror(errno));
                        return r;
                }
                wl_fill(mem, len);
        }
        filled = wl_now();
        r = wl_ready_file(arg_ready);
        if (r < 0) {
                wl_err("cannot create %s: %s", arg_ready, strerror(-r));
                return r;
        }

        sig = wl_wait_signal(arg_duration_s > 0 ? t0 + (usec_t) (arg_duration_s * (double) USEC_PER_SEC) : 0);
        end = wl_now();

        rss = wl_self_status_kib("VmRSS");
        swap = wl_self_status_kib("VmSwap");
        wl_json_begin(&j, out.f);
        wl_json_common(&j);
        wl_json_u64(&j, "mib", arg_mib);
        wl_json_num(&j, "filled_ms", wl_ms(filled - t0), 1);
        wl_json_num(&j, "ran_ms", wl_ms(end - t0), 1);
        wl_json_str(&j, "ended_by", sig ? wl_signal_name(sig, sig_name) : "duration");
        if (rss >= 0)
                wl_json_num(&j, "rss_mib", (double) rss / 1024.0, 1);
        else
                wl_json_null(&j, "rss_mib");
        if (swap >= 0)
                wl_json_num(&j, "swap_mib", (double) swap / 1024.0, 1);
        else
                wl_json_null(&j, "swap_mib");
        wl_json_end(&j);
        return wl_out_close(&out);
}

int main(int argc, char **argv) {
        int r;

        wl_init("hr-idle");
        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? WL_EXIT_USAGE : WL_EXIT_OK;
        return run() < 0 ? WL_EXIT_SETUP : WL_EXIT_OK;
}
