/* SPDX-License-Identifier: MIT */
/* hr-spike: a build-like memory spike for the benchmarks: a parent (like make) leading its own process group
 * forks N workers (like cc1) that each allocate, compute over, hold and free M MiB per round; one JSON line. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wl.h"

/* Exit status of a worker that could not map its memory. */
#define WORKER_EXIT_NOMEM 3

static uint64_t arg_workers, arg_mib, arg_hold_ms, arg_rounds, arg_passes = 3;
static const char *arg_name, *arg_worker_name, *arg_out;

static void help(void) {
        printf("Usage: hr-spike --workers N --mib MIB --hold-ms MS --rounds R [OPTIONS]\n"
               "A build-like spike: the parent (like make) makes itself a process group leader and forks N\n"
               "workers (like cc1) into that group; each worker, per round, maps MIB, fills it (about 3:1\n"
               "compressible), touches every page --passes more times (the compute), holds it MS, frees it.\n"
               "The parent waits for all of them and prints one JSON line. On SIGTERM/SIGINT it passes\n"
               "SIGTERM to the workers still running, reaps them and reports completed: false.\n"
               "\n"
               "  --workers N          Workers to fork\n"
               "  --mib MIB            Memory per worker per round\n"
               "  --hold-ms MS         How long each round holds its memory after computing\n"
               "  --rounds R           Rounds per worker\n"
               "  --passes P           Touch passes over the memory per round (default %" PRIu64 ")\n"
               "  --name NAME          The parent's process name (comm, first 15 bytes)\n"
               "  --worker-name NAME   The workers' process name (default: the parent's)\n"
               "  --out FILE           Write the JSON line to FILE (via FILE.partial) instead of stdout\n"
               "  --help               Show this help\n",
               arg_passes);
}

static int parse_argv(int argc, char **argv) {
        enum { ARG_WORKERS = 0x100, ARG_MIB, ARG_HOLD, ARG_ROUNDS, ARG_PASSES, ARG_NAME, ARG_WORKER_NAME, ARG_OUT };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "workers", required_argument, NULL, ARG_WORKERS },
                { "mib", required_argument, NULL, ARG_MIB },
                { "hold-ms", required_argument, NULL, ARG_HOLD },
                { "rounds", required_argument, NULL, ARG_ROUNDS },
                { "passes", required_argument, NULL, ARG_PASSES },
                { "name", required_argument, NULL, ARG_NAME },
                { "worker-name", required_argument, NULL, ARG_WORKER_NAME },
                { "out", required_argument, NULL, ARG_OUT },
                {}
        };
        unsigned have = 0;
        int c;

        opterr = 0;
        while ((c = getopt_long(argc, argv, ":h", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_WORKERS:
                        if (wl_parse_u64("--workers", optarg, 1, 4096, &arg_workers) < 0)
                                return -EINVAL;
                        have |= 1;
                        break;
                case ARG_MIB:
                        if (wl_parse_u64("--mib", optarg, 0, UINT64_C(1) << 20, &arg_mib) < 0)
                                return -EINVAL;
                        have |= 2;
                        break;
                case ARG_HOLD:
                        if (wl_parse_u64("--hold-ms", optarg, 0, UINT64_C(86400000), &arg_hold_ms) < 0)
                                return -EINVAL;
                        have |= 4;
                        break;
                case ARG_ROUNDS:
                        if (wl_parse_u64("--rounds", optarg, 1, 1000000, &arg_rounds) < 0)
                                return -EINVAL;
                        have |= 8;
                        break;
                case ARG_PASSES:
                        if (wl_parse_u64("--passes", optarg, 0, 1000, &arg_passes) < 0)
                                return -EINVAL;
                        break;
                case ARG_NAME:
                        arg_name = optarg;
                        break;
                case ARG_WORKER_NAME:
                        arg_worker_name = optarg;
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
        if (have != 15) {
                wl_err("--workers, --mib, --hold-ms and --rounds are required (see --help)");
                return -EINVAL;
        }
        return 1;
}

/* Written by each worker into a shared mapping, read by the parent after the worker is reaped. */
typedef struct WorkerShared {
        uint64_t rounds_done;
        usec_t max_round_usec;
} WorkerShared;

typedef struct Worker {
        pid_t pid;
        bool reaped;
        int status;             /* from waitpid */
} Worker;

static int worker_main(WorkerShared *sh) {
        size_t len = (size_t) arg_mib * WL_MIB;

        for (uint64_t round = 0; round < arg_rounds; round++) {
                usec_t start = wl_now(), until;
                void *mem = NULL;

                if (len > 0) {
                        mem = wl_map_anon(len);
                        if (!mem)
                                return WORKER_EXIT_NOMEM;
                        wl_fill(mem, len);
                        for (uint64_t pass = 0; pass < arg_passes; pass++)
                                wl_touch_write(mem, len);
                }
                until = wl_now() + arg_hold_ms * USEC_PER_MSEC;
                while (wl_now() < until)
                        (void) wl_sleep_until(until);
                if (mem)
                        (void) munmap(mem, len);
                sh->rounds_done = round + 1;
                if (wl_now() - start > sh->max_round_usec)
                        sh->max_round_usec = wl_now() - start;
        }
        return 0;
}

static void kill_all(Worker *w, size_t n, int sig) {
        for (size_t i = 0; i < n; i++)
                if (!w[i].reaped)
                        (void) kill(w[i].pid, sig);     /* unreaped: the pid is still ours */
}

/* Reaps whatever has ended; returns how many workers are still running. */
static size_t reap(Worker *w, size_t n, usec_t *ret_last) {
        size_t alive = 0;
        pid_t pid;
        int status;

        while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
                for (size_t i = 0; i < n; i++)
                        if (w[i].pid == pid) {
                                w[i].reaped = true;
                                w[i].status = status;
                                *ret_last = wl_now();
                        }
        for (size_t i = 0; i < n; i++)
                alive += !w[i].reaped;
        return alive;
}

static void report(FILE *f, const Worker *w, const WorkerShared *sh, size_t n, usec_t elapsed, int stop_sig) {
        size_t ok = 0;
        char sig[16];
        WlJson j;

        for (size_t i = 0; i < n; i++)
                ok += WIFEXITED(w[i].status) && WEXITSTATUS(w[i].status) == 0;

        wl_json_begin(&j, f);
        wl_json_common(&j);
        wl_json_i64(&j, "pgid", (int64_t) getpgrp());
        wl_json_str(&j, "worker_name", arg_worker_name);
        wl_json_u64(&j, "workers", arg_workers);
        wl_json_u64(&j, "mib", arg_mib);
        wl_json_u64(&j, "hold_ms", arg_hold_ms);
        wl_json_u64(&j, "rounds", arg_rounds);
        wl_json_u64(&j, "passes", arg_passes);
        wl_json_bool(&j, "completed", ok == n && !stop_sig);
        wl_json_u64(&j, "completed_workers", ok);
        wl_json_num(&j, "elapsed_ms", wl_ms(elapsed), 1);
        wl_json_str(&j, "ended_by", stop_sig ? wl_signal_name(stop_sig, sig) : "done");
        wl_json_array_begin(&j, "worker_results");
        for (size_t i = 0; i < n; i++) {
                wl_json_object_begin(&j, NULL);
                wl_json_i64(&j, "pid", (int64_t) w[i].pid);
                if (WIFEXITED(w[i].status))
                        wl_json_i64(&j, "exit_code", WEXITSTATUS(w[i].status));
                else
                        wl_json_null(&j, "exit_code");
                if (WIFSIGNALED(w[i].status))
                        wl_json_str(&j, "signal", wl_signal_name(WTERMSIG(w[i].status), sig));
                else
                        wl_json_null(&j, "signal");
                wl_json_u64(&j, "rounds_done", sh[i].rounds_done);
                wl_json_num(&j, "max_round_ms", wl_ms(sh[i].max_round_usec), 1);
                wl_json_object_end(&j);
        }
        wl_json_array_end(&j);
        wl_json_end(&j);
}

/* Forks the workers, waits for them all (passing SIGTERM on) and reports. */
static int spike(Worker *w, WorkerShared *sh, size_t n, WlOut *out) {
        usec_t t0, last;
        int stop_sig = 0, r;

        t0 = last = wl_now();
        for (size_t i = 0; i < n; i++) {
                pid_t pid = fork();

                if (pid < 0) {
                        r = -errno;
                        wl_err("cannot fork worker %zu of %zu: %s", i + 1, n, strerror(errno));
                        kill_all(w, i, SIGKILL);
                        for (size_t k = 0; k < i; k++)
                                (void) waitpid(w[k].pid, NULL, 0);
                        return r;
                }
                if (pid == 0) {
                        wl_child_reset_signals();
                        wl_reseed();
                        (void) wl_set_name(arg_worker_name);
                        _exit(worker_main(&sh[i]));
                }
                w[i].pid = pid;
        }

        while (reap(w, n, &last) > 0) {
                int sig = wl_wait_signal(0);

                if ((sig == SIGTERM || sig == SIGINT) && !stop_sig) {
                        stop_sig = sig;
                        kill_all(w, n, SIGTERM);
                }
        }

        report(out->f, w, sh, n, last - t0, stop_sig);
        return wl_out_close(out);
}

static int run(void) {
        size_t n = (size_t) arg_workers, sh_len = n * sizeof(WorkerShared);
        WorkerShared *sh;
        Worker *w;
        WlOut out;
        int r;

        r = wl_set_name(arg_name);
        if (r < 0) {
                wl_err("cannot set the process name: %s", strerror(-r));
                return r;
        }
        if (!arg_worker_name) {
                static char parent_name[16];
                wl_get_name(parent_name);
                arg_worker_name = parent_name;
        }
        /* A build driver leads the process group of its compilers (a shell's job); a session leader
         * already leads its group and may not change it (EPERM). */
        if (setpgid(0, 0) < 0 && errno != EPERM) {
                r = -errno;
                wl_err("cannot make a process group: %s", strerror(errno));
                return r;
        }
        r = wl_block_signals(/* with_chld= */ true);
        if (r < 0) {
                wl_err("cannot block SIGTERM and SIGCHLD: %s", strerror(-r));
                return r;
        }
        r = wl_out_open(&out, arg_out);
        if (r < 0) {
                wl_err("cannot open %s.partial: %s", arg_out, strerror(-r));
                return r;
        }
        w = calloc(n, sizeof *w);
        sh = mmap(NULL, sh_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (!w || sh == MAP_FAILED) {
                wl_err("cannot allocate the worker table");
                r = -ENOMEM;
        } else
                r = spike(w, sh, n, &out);
        free(w);
        if (sh != MAP_FAILED)
                (void) munmap(sh, sh_len);
        return r;
}

int main(int argc, char **argv) {
        int r;

        wl_init("hr-spike");
        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? WL_EXIT_USAGE : WL_EXIT_OK;
        return run() < 0 ? WL_EXIT_SETUP : WL_EXIT_OK;
}
