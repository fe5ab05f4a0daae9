/* SPDX-License-Identifier: MIT */
/* hr-fork-many: many small sleeping processes for the benchmarks: N children each holding MIB, kept until
 * SIGTERM/SIGINT (or --duration), then killed and reaped by the pids it started; one JSON line. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wl.h"

/* Exit status of a child that could not map its memory. */
#define CHILD_EXIT_NOMEM 3

static uint64_t arg_count, arg_mib;
static const char *arg_name, *arg_child_name, *arg_out, *arg_ready;
static double arg_duration_s;

static void help(void) {
        printf("Usage: hr-fork-many --count N --mib MIB [OPTIONS]\n"
               "Many small processes: forks N children that each fill MIB (0 allowed; about 3:1 compressible)\n"
               "and sleep. On SIGTERM or SIGINT (or after --duration) it kills the children still alive with\n"
               "SIGKILL, reaps them all and prints one JSON line. Children die with it (PR_SET_PDEATHSIG).\n"
               "\n"
               "  --count N            Children to start\n"
               "  --mib MIB            Anonymous memory each child fills and holds\n"
               "  --name NAME          The parent's process name (comm, first 15 bytes)\n"
               "  --child-name NAME    The children's process name (default: the parent's)\n"
               "  --duration SEC       End SEC seconds after every child is ready (default: at SIGTERM/SIGINT)\n"
               "  --ready-file PATH    Create PATH (holding the pid) once every child has filled its memory\n"
               "                       (or died trying)\n"
               "  --out FILE           Write the JSON line to FILE (via FILE.partial) instead of stdout\n"
               "  --help               Show this help\n");
}

static int parse_argv(int argc, char **argv) {
        enum { ARG_COUNT = 0x100, ARG_MIB, ARG_NAME, ARG_CHILD_NAME, ARG_DURATION, ARG_READY, ARG_OUT };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "count", required_argument, NULL, ARG_COUNT },
                { "mib", required_argument, NULL, ARG_MIB },
                { "name", required_argument, NULL, ARG_NAME },
                { "child-name", required_argument, NULL, ARG_CHILD_NAME },
                { "duration", required_argument, NULL, ARG_DURATION },
                { "ready-file", required_argument, NULL, ARG_READY },
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
                case ARG_COUNT:
                        if (wl_parse_u64("--count", optarg, 1, 100000, &arg_count) < 0)
                                return -EINVAL;
                        have |= 1;
                        break;
                case ARG_MIB:
                        if (wl_parse_u64("--mib", optarg, 0, UINT64_C(1) << 16, &arg_mib) < 0)
                                return -EINVAL;
                        have |= 2;
                        break;
                case ARG_NAME:
                        arg_name = optarg;
                        break;
                case ARG_CHILD_NAME:
                        arg_child_name = optarg;
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
        if (have != 3) {
                wl_err("--count and --mib are required (see --help)");
                return -EINVAL;
        }
        return 1;
}

static _Noreturn void child_main(pid_t parent, int ready_fd) {
        size_t len = (size_t) arg_mib * WL_MIB;

        wl_child_reset_signals();
        /* Do not outlive the parent (a SIGKILLed parent cannot reap us); it may already be gone. */
        if (prctl(PR_SET_PDEATHSIG, (unsigned long) SIGKILL, 0UL, 0UL, 0UL) < 0 || getppid() != parent)
                _exit(0);
        wl_reseed();
        (void) wl_set_name(arg_child_name);
        if (len > 0) {
                void *mem = wl_map_anon(len);
                if (!mem)
                        _exit(CHILD_EXIT_NOMEM);
                wl_fill(mem, len);
        }
        /* A failed write only leaves this child uncounted as ready. */
        ssize_t n = write(ready_fd, "r", 1);
        (void) n;
        (void) close(ready_fd);
        for (;;)
                (void) pause();
}

/* Waits for a stop signal on sfd until deadline (0: none); returns the signal, 0 at the deadline. */
static int wait_stop(int sfd, usec_t deadline) {
        for (;;) {
                struct pollfd p = { .fd = sfd, .events = POLLIN };
                struct signalfd_siginfo si;
                usec_t now = wl_now();
                int timeout = -1;

                if (deadline) {
                        if (now >= deadline)
                                return 0;
                        timeout = (int) ((deadline - now + 999) / 1000);
                }
                if (poll(&p, 1, timeout) > 0 && read(sfd, &si, sizeof si) == (ssize_t) sizeof si)
                        return (int) si.ssi_signo;
        }
}

typedef struct Tally {
        uint64_t ready, died_early, died_early_sigkill, killed_at_end, reaped;
        usec_t ready_at;
} Tally;

/* Reads the children's readiness bytes until all are in or every writer is gone (returns 0), or a stop
 * signal arrives (returns it). */
static int wait_ready(int rfd, int sfd, Tally *t) {
        while (t->ready < arg_count) {
                struct pollfd p[2] = { { .fd = rfd, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
                char buf[4096];
                ssize_t n;

                if (poll(p, 2, -1) <= 0)
                        continue;
                if (p[1].revents & POLLIN) {
                        struct signalfd_siginfo si;
                        if (read(sfd, &si, sizeof si) == (ssize_t) sizeof si)
                                return (int) si.ssi_signo;
                }
                if (p[0].revents & (POLLIN | POLLHUP)) {
                        n = read(rfd, buf, sizeof buf);
                        if (n == 0)
                                break;          /* every child has written or died */
                        if (n > 0)
                                t->ready += (uint64_t) n;
                }
        }
        t->ready_at = wl_now();
        return 0;
}

static void end_children(const pid_t *pids, bool *reaped, size_t n, Tally *t) {
        pid_t pid;
        int status;

        /* Who died before the end (killed by someone else, or out of memory at start) is a zombie by now. */
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
                for (size_t i = 0; i < n; i++)
                        if (pids[i] == pid && !reaped[i]) {
                                reaped[i] = true;
                                t->reaped++;
                                t->died_early++;
                                t->died_early_sigkill += WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
                        }
        for (size_t i = 0; i < n; i++)
                if (!reaped[i] && kill(pids[i], SIGKILL) == 0)  /* unreaped: the pid is still ours */
                        t->killed_at_end++;
        for (size_t i = 0; i < n; i++)
                if (!reaped[i] && waitpid(pids[i], &status, 0) == pids[i]) {
                        reaped[i] = true;
                        t->reaped++;
                }
}

static void report(FILE *f, const Tally *t, size_t started, usec_t t0, usec_t end, int stop_sig) {
        char sig[16];
        WlJson j;

        wl_json_begin(&j, f);
        wl_json_common(&j);
        wl_json_str(&j, "child_name", arg_child_name);
        wl_json_u64(&j, "count", arg_count);
        wl_json_u64(&j, "mib", arg_mib);
        wl_json_u64(&j, "started", started);
        wl_json_u64(&j, "ready", t->ready);
        if (t->ready_at)
                wl_json_num(&j, "ready_ms", wl_ms(t->ready_at - t0), 1);
        else
                wl_json_null(&j, "ready_ms");
        wl_json_num(&j, "ran_ms", wl_ms(end - t0), 1);
        wl_json_str(&j, "ended_by", stop_sig ? wl_signal_name(stop_sig, sig) : "duration");
        wl_json_u64(&j, "died_early", t->died_early);
        wl_json_u64(&j, "died_early_sigkill", t->died_early_sigkill);
        wl_json_u64(&j, "killed_at_end", t->killed_at_end);
        wl_json_u64(&j, "reaped", t->reaped);
        wl_json_end(&j);
}

/* Starts the children, holds them until the end, ends them and reports. sfd: the stop signals. */
static int fork_many(pid_t *pids, bool *reaped, size_t n, int sfd, WlOut *out) {
        pid_t parent = getpid();
        usec_t t0, deadline = 0;
        Tally tally = {};
        size_t started = 0;
        int pipefd[2], stop_sig, r;

        if (pipe2(pipefd, O_CLOEXEC) < 0) {
                r = -errno;
                wl_err("cannot make a pipe: %s", strerror(errno));
                return r;
        }
        t0 = wl_now();
        for (; started < n; started++) {
                pid_t pid = fork();

                if (pid < 0) {
                        r = -errno;
                        wl_err("cannot fork child %zu of %zu: %s", started + 1, n, strerror(errno));
                        end_children(pids, reaped, started, &tally);
                        (void) close(pipefd[0]);
                        (void) close(pipefd[1]);
                        return r;
                }
                if (pid == 0) {
                        (void) close(pipefd[0]);
                        (void) close(sfd);
                        child_main(parent, pipefd[1]);
                }
                pids[started] = pid;
        }
        (void) close(pipefd[1]);

        stop_sig = wait_ready(pipefd[0], sfd, &tally);
        (void) close(pipefd[0]);
        if (!stop_sig) {
                r = wl_ready_file(arg_ready);
                if (r < 0)
                        wl_err("cannot create %s, ignoring: %s", arg_ready, strerror(-r));
                if (arg_duration_s > 0)
                        deadline = tally.ready_at + (usec_t) (arg_duration_s * (double) USEC_PER_SEC);
                stop_sig = wait_stop(sfd, deadline);
        }

        end_children(pids, reaped, n, &tally);
        report(out->f, &tally, started, t0, wl_now(), stop_sig);
        return wl_out_close(out);
}

static int run(void) {
        size_t n = (size_t) arg_count;
        sigset_t set;
        bool *reaped;
        pid_t *pids;
        WlOut out;
        int sfd, r;

        r = wl_set_name(arg_name);
        if (r < 0) {
                wl_err("cannot set the process name: %s", strerror(-r));
                return r;
        }
        if (!arg_child_name) {
                static char parent_name[16];
                wl_get_name(parent_name);
                arg_child_name = parent_name;
        }
        r = wl_block_signals(/* with_chld= */ false);
        if (r < 0) {
                wl_err("cannot block SIGTERM: %s", strerror(-r));
                return r;
        }
        (void) sigemptyset(&set);
        (void) sigaddset(&set, SIGTERM);
        (void) sigaddset(&set, SIGINT);
        sfd = signalfd(-1, &set, SFD_CLOEXEC);
        if (sfd < 0) {
                r = -errno;
                wl_err("cannot make a signalfd: %s", strerror(errno));
                return r;
        }
        r = wl_out_open(&out, arg_out);
        if (r < 0) {
                wl_err("cannot open %s.partial: %s", arg_out, strerror(-r));
                (void) close(sfd);
                return r;
        }
        pids = calloc(n, sizeof *pids);
        reaped = calloc(n, sizeof *reaped);
        if (!pids || !reaped) {
                wl_err("cannot allocate the table of %zu children", n);
                r = -ENOMEM;
        } else
                r = fork_many(pids, reaped, n, sfd, &out);
        free(pids);
        free(reaped);
        (void) close(sfd);
        return r;
}

int main(int argc, char **argv) {
        int r;

        wl_init("hr-fork-many");
        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? WL_EXIT_USAGE : WL_EXIT_OK;
        return run() < 0 ? WL_EXIT_SETUP : WL_EXIT_OK;
}
