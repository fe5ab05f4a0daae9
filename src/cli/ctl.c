/* SPDX-License-Identifier: MIT */
/* headroomctl: the control CLI. Reads argv, sends one request to headroomd's control socket
 * (docs/protocol.md), prints the answer for people or as JSON, and maps the outcome to an exit status. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/ctl-args.h"
#include "cli/ctl-conn.h"
#include "cli/ctl-format.h"
#include "cli/doctor.h"
#include "shared/clock.h"

static void help(void) {
        printf("Usage: headroomctl [OPTIONS] COMMAND [ARGS]\n"
               "Ask headroomd, the memory-pressure daemon, what it sees and holds, over its control socket.\n"
               "\n"
               "Commands:\n"
               "  status               Level, score and its components, memory and swap, what is held, totals\n"
               "  list                 The processes held (frozen, checkpointed, terminating, warned) and why\n"
               "  unfreeze NAME|PID    Thaw held processes: one pid, or every one with that exact process name\n"
               "  reload               Re-read the configuration (on errors headroomd keeps the previous one)\n"
               "  foreground PID       Tell headroomd which process has the focus (0 clears it)\n"
               "  events               Follow level changes and actions as they happen, until Ctrl-C\n"
               "  metrics              Print the Prometheus text exposition\n"
               "  incidents            The incidents the flight recorder kept (CRITICAL and above, every kill)\n"
               "  incident ID          One of them: every sample of its window and the decisions taken\n"
               "  calibrate [--apply]  Propose pressure thresholds from this machine's own quiet periods;\n"
               "                       --apply writes them as a drop-in and reloads\n"
               "  doctor               Check what this kernel and these privileges allow (needs no daemon)\n"
               "  help                 Show this help\n"
               "\n"
               "Options (before or after the command):\n"
               "      --socket PATH    Talk to the socket at PATH (default %s)\n"
               "      --user           Talk to your own daemon at $XDG_RUNTIME_DIR/%s\n"
               "      --json           Print the daemon's response as one JSON object (events: one per line)\n"
               "      --no-color       No colours; they are off anyway when stdout is not a terminal,\n"
               "                       TERM is unset or \"dumb\", or NO_COLOR is set\n"
               "  -h, --help           Show this help\n"
               "      --version        Show the version\n"
               "\n"
               "unfreeze, reload, foreground and calibrate --apply need root (with --user: the daemon's own user).\n"
               "Starting, stopping and logs are systemd's job, not headroomctl's:\n"
               "  systemctl start headroomd, systemctl status headroomd, journalctl -u headroomd\n"
               "  (for a user daemon: systemctl --user ..., journalctl --user -u headroomd)\n"
               "\n"
               "Exit status:\n"
               "  0  done\n"
               "  1  headroomd refused or failed the request (doctor: an essential feature is missing)\n"
               "  2  usage error\n"
               "  3  headroomd is not reachable: no socket, connection refused, no answer within %d s,\n"
               "     or it closed the connection (also when an events stream ends)\n"
               "  4  not allowed: EPERM from headroomd, or no permission on the socket\n"
               "  5  a response that is not valid: not JSON, wrong types, missing fields, cut short\n",
               HR_CTL_SOCKET_SYSTEM, HR_CTL_SOCKET_USER_REL, HR_CTL_TIMEOUT_SEC);
}

/* What to try after a failed connect(), in parentheses, or "". */
static const char *connect_hint(int err, const HrCtlArgs *a) {
        switch (err) {
        case -ENOENT:
        case -ECONNREFUSED:
                if (a->socket)
                        return " (is headroomd running there?)";
                return a->user ? " (is headroomd running? systemctl --user status headroomd)" :
                                 " (is headroomd running? systemctl status headroomd)";
        case -EACCES:
        case -EPERM:
                return a->user ? "" : " (run it as root, or use --user for your own daemon)";
        case -ETIMEDOUT:
                return a->user ? " (headroomd is busy or stuck? journalctl --user -u headroomd)" :
                                 " (headroomd is busy or stuck? journalctl -u headroomd)";
        default:
                return "";
        }
}

static const char *errno_text(int r) {
        return r == -ETIMEDOUT ? "timed out" : strerror(-r);
}

/* Only there to interrupt ppoll(): the wait itself reports -EINTR. */
static void on_signal(int sig) {
        (void) sig;
}

/* Catches SIGINT and SIGTERM (unless ignored, as in a background job) and blocks them outside ppoll(), so
 * a Ctrl-C while waiting for an event ends the stream cleanly. *ret_mask gets the mask to wait with. */
static int catch_interrupts(sigset_t *ret_mask) {
        static const int sigs[] = { SIGINT, SIGTERM };
        sigset_t block;

        (void) sigemptyset(&block);
        for (size_t i = 0; i < ELEMENTSOF(sigs); i++) {
                struct sigaction old, sa = { .sa_handler = on_signal };

                if (sigaction(sigs[i], NULL, &old) < 0)
                        return -errno;
                if (old.sa_handler == SIG_IGN)
                        continue;
                (void) sigemptyset(&sa.sa_mask);
                if (sigaction(sigs[i], &sa, NULL) < 0)
                        return -errno;
                (void) sigaddset(&block, sigs[i]);
        }
        if (sigprocmask(SIG_BLOCK, &block, ret_mask) < 0)
                return -errno;
        return 0;
}

/* True when SIGINT or SIGTERM waits while events keep arriving (ppoll(), which would take it, is then never
 * reached). Signals left ignored are never pending. */
static bool interrupt_pending(void) {
        sigset_t pending;

        if (sigpending(&pending) < 0)
                return false;
        return sigismember(&pending, SIGINT) == 1 || sigismember(&pending, SIGTERM) == 1;
}

/* Reads a line and parses it as one JSON object; on failure prints why and returns the exit status. */
static int read_object(HrCtlConn *c, const char *path, const char *what, usec_t deadline, json_object **ret) {
        char *line, why[256];
        size_t len;
        int r;

        r = hr_ctl_conn_read_line(c, deadline, &line, &len);
        switch (r) {
        case 0:
                break;
        case -EINTR:
                return -EINTR;
        case -ETIMEDOUT:
                fprintf(stderr, "headroomctl: %s: no answer to %s within %d s\n", path, what, HR_CTL_TIMEOUT_SEC);
                return HR_CTL_EXIT_UNREACHABLE;
        case -ECONNRESET:
                fprintf(stderr, "headroomctl: %s: headroomd closed the connection (%s)\n", path, what);
                return HR_CTL_EXIT_UNREACHABLE;
        case -EBADMSG:
                fprintf(stderr, "headroomctl: %s: bad response to %s: the connection closed inside a line\n", path,
                        what);
                return HR_CTL_EXIT_BAD_RESPONSE;
        case -E2BIG:
                fprintf(stderr, "headroomctl: %s: bad response to %s: a line over %u bytes\n", path, what,
                        HR_CTL_LINE_MAX);
                return HR_CTL_EXIT_BAD_RESPONSE;
        default:
                fprintf(stderr, "headroomctl: %s: cannot read the answer to %s: %s\n", path, what, errno_text(r));
                return r == -ENOMEM ? HR_CTL_EXIT_FAILED : HR_CTL_EXIT_UNREACHABLE;
        }
        r = hr_ctl_parse_line(line, len, ret, why, sizeof why);
        if (r == -ENOMEM) {
                fprintf(stderr, "headroomctl: out of memory\n");
                return HR_CTL_EXIT_FAILED;
        }
        if (r < 0) {
                fprintf(stderr, "headroomctl: %s: bad response to %s: %s\n", path, what, why);
                return HR_CTL_EXIT_BAD_RESPONSE;
        }
        return 0;
}

/* After the subscription: one line per event until the daemon closes or a signal arrives. */
static int stream_events(HrCtlConn *c, const char *path, bool json, bool color) {
        sigset_t wait_mask;
        int r;

        r = catch_interrupts(&wait_mask);
        if (r < 0) {
                fprintf(stderr, "headroomctl: cannot catch Ctrl-C: %s\n", strerror(-r));
                return HR_CTL_EXIT_FAILED;
        }
        c->poll_mask = &wait_mask;

        for (;;) {
                json_object *ev = NULL;
                char why[256];

                r = read_object(c, path, "events", USEC_INFINITY, &ev);
                if (r == -EINTR)
                        return HR_CTL_EXIT_OK;
                if (r > 0)
                        return r;
                if (hr_ctl_check_event(ev, why, sizeof why) < 0) {
                        fprintf(stderr, "headroomctl: %s: bad event: %s\n", path, why);
                        json_object_put(ev);
                        return HR_CTL_EXIT_BAD_RESPONSE;
                }
                if (json)
                        printf("%s\n", hr_ctl_json_line(ev));
                else
                        hr_ctl_print_event(ev, color, stdout);
                json_object_put(ev);
                if (fflush(stdout) != 0)
                        return HR_CTL_EXIT_FAILED; /* reported by main */
                if (interrupt_pending())
                        return HR_CTL_EXIT_OK;
        }
}

static void json_put(json_object **o) {
        json_object_put(*o);
}

static int run_request(const HrCtlArgs *a, bool color) {
        const char *cmd = hr_ctl_verb_to_string(a->verb);
        _cleanup_(hr_ctl_conn_done) HrCtlConn c = HR_CTL_CONN_INIT;
        _cleanup_(json_put) json_object *req = NULL, *resp = NULL;
        usec_t deadline = hr_now() + (usec_t) HR_CTL_TIMEOUT_SEC * USEC_PER_SEC;
        char path[128], why[256], line[4096 + 1];
        int r, n;

        r = hr_ctl_socket_path(a, getenv("XDG_RUNTIME_DIR"), path, sizeof path, why, sizeof why);
        if (r < 0) {
                fprintf(stderr, "headroomctl: %s\n", why);
                return r == -ENXIO ? HR_CTL_EXIT_UNREACHABLE : HR_CTL_EXIT_USAGE;
        }

        req = hr_ctl_request_new(a);
        if (!req) {
                fprintf(stderr, "headroomctl: out of memory\n");
                return HR_CTL_EXIT_FAILED;
        }
        n = snprintf(line, sizeof line, "%s\n", hr_ctl_json_line(req));
        if (n < 0 || (size_t) n >= sizeof line) { /* not reached: arguments are bounded in ctl-args.c */
                fprintf(stderr, "headroomctl: %s: request longer than 4096 bytes\n", cmd);
                return HR_CTL_EXIT_USAGE;
        }

        r = hr_ctl_conn_open(&c, path, deadline);
        if (r < 0) {
                fprintf(stderr, "headroomctl: %s: cannot connect: %s%s\n", path, errno_text(r), connect_hint(r, a));
                return hr_ctl_exit_for_connect(r);
        }
        r = hr_ctl_conn_send(&c, line, (size_t) n, deadline);
        if (r < 0) {
                if (r == -EPIPE || r == -ECONNRESET)
                        fprintf(stderr, "headroomctl: %s: headroomd closed the connection (%s)\n", path, cmd);
                else
                        fprintf(stderr, "headroomctl: %s: cannot send %s: %s\n", path, cmd, errno_text(r));
                return HR_CTL_EXIT_UNREACHABLE;
        }
        r = read_object(&c, path, cmd, deadline, &resp);
        if (r != 0)
                return r;

        r = hr_ctl_check_response(resp, a->verb, why, sizeof why);
        if (r < 0) {
                fprintf(stderr, "headroomctl: %s: bad response to %s: %s\n", path, cmd, why);
                return HR_CTL_EXIT_BAD_RESPONSE;
        }
        if (r > 0) {
                if (a->json)
                        printf("%s\n", hr_ctl_json_line(resp));
                hr_ctl_print_refusal(resp, a, stderr);
                return hr_ctl_refusal_exit(resp);
        }

        if (a->verb == HR_CTL_EVENTS)
                return stream_events(&c, path, a->json, color);
        if (a->json)
                printf("%s\n", hr_ctl_json_line(resp));
        else
                hr_ctl_print_response(resp, a->verb, color, stdout);
        return HR_CTL_EXIT_OK;
}

int main(int argc, char **argv) {
        HrCtlArgs a;
        char why[256];
        bool color;
        int status;

        if (hr_ctl_parse_args(argc, argv, &a, why, sizeof why) < 0) {
                fprintf(stderr, "headroomctl: %s (see headroomctl --help)\n", why);
                return HR_CTL_EXIT_USAGE;
        }
        color = hr_ctl_use_color(isatty(STDOUT_FILENO), getenv("TERM"), getenv("NO_COLOR"), a.no_color);

        switch (a.verb) {
        case HR_CTL_HELP:
                help();
                status = HR_CTL_EXIT_OK;
                break;
        case HR_CTL_VERSION:
                printf("headroomctl %s\n", HR_VERSION);
                status = HR_CTL_EXIT_OK;
                break;
        case HR_CTL_DOCTOR:
                status = hr_doctor_run(/* root= */ "", a.json, color, stdout);
                break;
        default:
                status = run_request(&a, color);
                break;
        }

        if (fflush(stdout) != 0 || ferror(stdout)) {
                fprintf(stderr, "headroomctl: standard output: %s\n", strerror(errno ? errno : EIO));
                if (status == HR_CTL_EXIT_OK)
                        status = HR_CTL_EXIT_FAILED;
        }
        return status;
}
