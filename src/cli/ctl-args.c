/* SPDX-License-Identifier: MIT */
/* headroomctl's pure decisions (cli/ctl-args.h): verb table, argv, socket path, colour, exit statuses and
 * requests. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "cli/ctl-args.h"
#include "shared/macros.h"

typedef struct Verb {
        const char *name;
        unsigned n_args; /* exactly this many operands after the command word */
        const char *arg; /* what the operand is, for the usage message */
        bool daemon;     /* sends a request */
} Verb;

static const Verb verbs[_HR_CTL_VERB_MAX] = {
        [HR_CTL_STATUS] = { "status", 0, NULL, true },
        [HR_CTL_LIST] = { "list", 0, NULL, true },
        [HR_CTL_UNFREEZE] = { "unfreeze", 1, "NAME|PID", true },
        [HR_CTL_RELOAD] = { "reload", 0, NULL, true },
        [HR_CTL_FOREGROUND] = { "foreground", 1, "PID", true },
        [HR_CTL_EVENTS] = { "events", 0, NULL, true },
        [HR_CTL_METRICS] = { "metrics", 0, NULL, true },
        [HR_CTL_INCIDENTS] = { "incidents", 0, NULL, true },
        [HR_CTL_INCIDENT] = { "incident", 1, "ID", true },
        [HR_CTL_CALIBRATE] = { "calibrate", 0, NULL, true },
        [HR_CTL_DOCTOR] = { "doctor", 0, NULL, false },
        [HR_CTL_HELP] = { "help", 0, NULL, false },
        [HR_CTL_VERSION] = { NULL, 0, NULL, false }, /* --version only */
};

const char *hr_ctl_verb_to_string(HrCtlVerb v) {
        return (unsigned) v < _HR_CTL_VERB_MAX ? verbs[v].name : NULL;
}

bool hr_ctl_verb_needs_daemon(HrCtlVerb v) {
        return (unsigned) v < _HR_CTL_VERB_MAX && verbs[v].daemon;
}

_printf_(3, 4) static int fail(char *why, size_t size, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        (void) vsnprintf(why, size, fmt, ap);
        va_end(ap);
        return -EINVAL;
}

/* A pid in decimal digits only: 0 and sets *ret, -EINVAL (not all digits, empty), -ERANGE (over INT32_MAX). */
static int parse_pid(const char *s, int64_t *ret) {
        int64_t v = 0;
        if (!*s)
                return -EINVAL;
        for (const char *p = s; *p; p++) {
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                v = v * 10 + (*p - '0');
                if (v > INT32_MAX)
                        return -ERANGE;
        }
        *ret = v;
        return 0;
}

static int lookup_verb(const char *word, HrCtlVerb *ret) {
        for (unsigned i = 0; i < _HR_CTL_VERB_MAX; i++)
                if (verbs[i].name && strcmp(verbs[i].name, word) == 0) {
                        *ret = (HrCtlVerb) i;
                        return 0;
                }
        return -ENOENT;
}

int hr_ctl_parse_args(int argc, char *const *argv, HrCtlArgs *ret, char *why, size_t why_size) {
        HrCtlArgs a = { .verb = _HR_CTL_VERB_MAX, .pid = -1 };
        const char *ops[3];
        unsigned n_ops = 0;
        bool options_done = false;

        for (int i = 1; i < argc; i++) {
                const char *s = argv[i];

                if (options_done || s[0] != '-' || s[1] == '\0') {
                        if (n_ops >= ELEMENTSOF(ops))
                                return fail(why, why_size, "%s: too many arguments", s);
                        ops[n_ops++] = s;
                        continue;
                }
                if (strcmp(s, "--") == 0)
                        options_done = true;
                else if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
                        *ret = (HrCtlArgs) { .verb = HR_CTL_HELP, .pid = -1 };
                        return 0;
                } else if (strcmp(s, "--version") == 0) {
                        *ret = (HrCtlArgs) { .verb = HR_CTL_VERSION, .pid = -1 };
                        return 0;
                } else if (strcmp(s, "--user") == 0)
                        a.user = true;
                else if (strcmp(s, "--json") == 0)
                        a.json = true;
                else if (strcmp(s, "--no-color") == 0)
                        a.no_color = true;
                else if (strcmp(s, "--apply") == 0)
                        a.apply = true;
                else if (strcmp(s, "--socket") == 0 || strncmp(s, "--socket=", 9) == 0) {
                        if (s[8] == '=')
                                a.socket = s + 9;
                        else if (i + 1 < argc)
                                a.socket = argv[++i];
                        else
                                return fail(why, why_size, "--socket: missing PATH");
                        if (!a.socket[0])
                                return fail(why, why_size, "--socket: empty PATH");
                } else
                        return fail(why, why_size, "%s: unknown option", s);
        }

        if (a.socket && a.user)
                return fail(why, why_size, "--socket and --user exclude each other");
        if (n_ops == 0)
                return fail(why, why_size, "no command given");
        if (lookup_verb(ops[0], &a.verb) < 0)
                return fail(why, why_size, "%s: unknown command", ops[0]);
        if (a.verb == HR_CTL_HELP) {
                *ret = (HrCtlArgs) { .verb = HR_CTL_HELP, .pid = -1 };
                return 0;
        }

        const Verb *v = &verbs[a.verb];
        if (n_ops - 1 < v->n_args)
                return fail(why, why_size, "%s: missing %s", v->name, v->arg);
        if (n_ops - 1 > v->n_args)
                return fail(why, why_size, "%s: unexpected argument \"%s\"", v->name, ops[1 + v->n_args]);

        if (a.apply && a.verb != HR_CTL_CALIBRATE)
                return fail(why, why_size, "--apply: only with calibrate");
        if (a.verb == HR_CTL_INCIDENT)
                a.target = ops[1];
        if (a.verb == HR_CTL_UNFREEZE) {
                const char *t = ops[1];
                int r;

                if (!t[0])
                        return fail(why, why_size, "unfreeze: empty NAME");
                if (strlen(t) > HR_CTL_TARGET_MAX)
                        return fail(why, why_size, "unfreeze: NAME longer than %d bytes", HR_CTL_TARGET_MAX);
                r = parse_pid(t, &a.pid);
                if (r == -ERANGE || (r == 0 && a.pid == 0))
                        return fail(why, why_size, "unfreeze: %s: not a process id", t);
                if (r < 0)
                        a.pid = -1; /* a name */
                a.target = t;
        } else if (a.verb == HR_CTL_FOREGROUND) {
                if (parse_pid(ops[1], &a.pid) < 0)
                        return fail(why, why_size, "foreground: %s: not a process id; 0 clears", ops[1]);
                a.target = ops[1];
        }
        *ret = a;
        return 0;
}

int hr_ctl_socket_path(const HrCtlArgs *a, const char *xdg, char *buf, size_t size, char *why, size_t why_size) {
        const size_t max = MIN(size, sizeof(((struct sockaddr_un *) NULL)->sun_path));
        int n;

        if (a->socket)
                n = snprintf(buf, max, "%s", a->socket);
        else if (a->user) {
                if (!xdg || !xdg[0]) {
                        (void) snprintf(why, why_size,
                                        "--user: XDG_RUNTIME_DIR is not set (log in with a session, or pass --socket PATH)");
                        return -ENXIO;
                }
                if (xdg[0] != '/') {
                        (void) snprintf(why, why_size, "--user: XDG_RUNTIME_DIR=%s is not an absolute path", xdg);
                        return -ENXIO;
                }
                n = snprintf(buf, max, "%s/%s", xdg, HR_CTL_SOCKET_USER_REL);
        } else
                n = snprintf(buf, max, "%s", HR_CTL_SOCKET_SYSTEM);
        if (n < 0 || (size_t) n >= max) {
                (void) snprintf(why, why_size, "socket path longer than %zu bytes", max - 1);
                return -ENAMETOOLONG;
        }
        return 0;
}

bool hr_ctl_use_color(bool stdout_is_tty, const char *term, const char *no_color, bool no_color_flag) {
        if (!stdout_is_tty || no_color_flag)
                return false;
        if (no_color && no_color[0])
                return false;
        return term && term[0] && strcmp(term, "dumb") != 0;
}

int hr_ctl_exit_for_code(const char *code) {
        return code && strcmp(code, "EPERM") == 0 ? HR_CTL_EXIT_DENIED : HR_CTL_EXIT_FAILED;
}

int hr_ctl_exit_for_connect(int err) {
        return err == -EACCES || err == -EPERM ? HR_CTL_EXIT_DENIED : HR_CTL_EXIT_UNREACHABLE;
}

json_object *hr_ctl_request_new(const HrCtlArgs *a) {
        const char *cmd = hr_ctl_verb_to_string(a->verb);
        json_object *o, *arg = NULL;

        if (!hr_ctl_verb_needs_daemon(a->verb))
                return NULL;
        o = json_object_new_object();
        if (!o)
                return NULL;
        arg = json_object_new_string(cmd);
        if (!arg || json_object_object_add(o, "cmd", arg) < 0)
                goto free_o;
        arg = NULL;
        if (a->verb == HR_CTL_UNFREEZE) {
                arg = a->pid > 0 ? json_object_new_int64(a->pid) : json_object_new_string(a->target);
                if (!arg || json_object_object_add(o, "target", arg) < 0)
                        goto free_o;
        } else if (a->verb == HR_CTL_FOREGROUND) {
                arg = json_object_new_int64(a->pid);
                if (!arg || json_object_object_add(o, "pid", arg) < 0)
                        goto free_o;
        } else if (a->verb == HR_CTL_INCIDENT) {
                arg = json_object_new_string(a->target);
                if (!arg || json_object_object_add(o, "id", arg) < 0)
                        goto free_o;
        } else if (a->verb == HR_CTL_CALIBRATE && a->apply) {
                arg = json_object_new_boolean(true);
                if (!arg || json_object_object_add(o, "apply", arg) < 0)
                        goto free_o;
        }
        return o;

free_o:
        json_object_put(arg);
        json_object_put(o);
        return NULL;
}
