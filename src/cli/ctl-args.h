/* SPDX-License-Identifier: MIT */
/* headroomctl's pure decisions: the verb table and argv, the socket path, when to colour, the exit status
 * for each failure, and the request object a verb sends. No I/O: everything comes in as arguments. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exit statuses, as docs/protocol.md defines them. */
enum {
        HR_CTL_EXIT_OK = 0,           /* done */
        HR_CTL_EXIT_FAILED = 1,       /* the daemon refused or failed the request (any code but EPERM) */
        HR_CTL_EXIT_USAGE = 2,        /* bad command line */
        HR_CTL_EXIT_UNREACHABLE = 3,  /* no socket, connection refused, no answer in time, closed on us */
        HR_CTL_EXIT_DENIED = 4,       /* EPERM from the daemon, or the socket's permissions */
        HR_CTL_EXIT_BAD_RESPONSE = 5, /* not JSON, wrong types, missing fields, truncated */
};

/* How long a request may take, connect to last byte; `events` waits only this long for its subscription. */
#define HR_CTL_TIMEOUT_SEC 10

#define HR_CTL_SOCKET_SYSTEM "/run/headroom/headroom.sock"
#define HR_CTL_SOCKET_USER_REL "headroom/headroom.sock" /* under $XDG_RUNTIME_DIR */

/* A process name as the kernel keeps it (comm): at most 15 bytes. Longer targets are sent anyway. */
#define HR_CTL_COMM_MAX 15
/* The longest unfreeze target accepted on the command line (keeps the request far below 4096 bytes). */
#define HR_CTL_TARGET_MAX 255

typedef enum HrCtlVerb {
        HR_CTL_STATUS,
        HR_CTL_LIST,
        HR_CTL_UNFREEZE,
        HR_CTL_RELOAD,
        HR_CTL_FOREGROUND,
        HR_CTL_EVENTS,
        HR_CTL_METRICS,
        HR_CTL_INCIDENTS,
        HR_CTL_INCIDENT,
        HR_CTL_CALIBRATE,
        HR_CTL_DOCTOR,
        HR_CTL_HELP,
        HR_CTL_VERSION,
        _HR_CTL_VERB_MAX,
} HrCtlVerb;

typedef struct HrCtlArgs {
        HrCtlVerb verb;
        const char *socket;   /* --socket PATH, or NULL; points into argv */
        bool user;            /* --user */
        bool json;            /* --json */
        bool no_color;        /* --no-color */
        bool apply;           /* calibrate --apply */
        const char *target;   /* unfreeze: NAME or PID as given; points into argv */
        int64_t pid;          /* unfreeze: the pid when target is all digits, else -1; foreground: the pid, 0 clears */
} HrCtlArgs;

/* The command word of a verb ("status"), or NULL. For verbs that talk to the daemon it is also the "cmd". */
const char *hr_ctl_verb_to_string(HrCtlVerb v);
/* True for verbs that send a request to the daemon. */
bool hr_ctl_verb_needs_daemon(HrCtlVerb v);

/* Parses argv: options may come before or after the command; "--" ends options. Returns 0 and fills *ret
 * (verb HR_CTL_HELP or HR_CTL_VERSION for --help, -h, help, --version), or -EINVAL with a one-line reason
 * in why (no program name, no newline). */
int hr_ctl_parse_args(int argc, char *const *argv, HrCtlArgs *ret, char *why, size_t why_size);

/* The socket to connect to: --socket as given; with --user, $XDG_RUNTIME_DIR/headroom/headroom.sock (xdg is
 * the variable's value or NULL); else the system socket. Returns 0, -ENXIO (XDG_RUNTIME_DIR unset, empty or
 * relative) or -ENAMETOOLONG (longer than a socket address holds), with why set on failure. */
int hr_ctl_socket_path(const HrCtlArgs *a, const char *xdg, char *buf, size_t size, char *why, size_t why_size);

/* Colour only on a terminal whose TERM is set and not "dumb", with NO_COLOR unset or empty (no-color.org)
 * and without --no-color. term and no_color are the variables' values or NULL. */
bool hr_ctl_use_color(bool stdout_is_tty, const char *term, const char *no_color, bool no_color_flag);

/* The exit status for a refusal carrying code (the response's "code"): 4 for EPERM, else 1. */
int hr_ctl_exit_for_code(const char *code);
/* The exit status when connect() fails with -err: 4 for EACCES/EPERM (the socket's mode), else 3. */
int hr_ctl_exit_for_connect(int err);

/* The request for a daemon verb: {"cmd":...} plus its arguments (unfreeze: "target" as a number for a pid,
 * else the name; foreground: "pid"). Returns a new object, or NULL for verbs without a request or on ENOMEM. */
json_object *hr_ctl_request_new(const HrCtlArgs *a);
