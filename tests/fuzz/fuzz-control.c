/* SPDX-License-Identifier: MIT */
/* Fuzz target of the control socket's requests: hr_control_handle_line() with the real hr_commands_handle() on a
 * dry-run monitor over a temporary copy of the idle and procs fixtures, at ELEVATED so the policy tracks a frozen
 * process. The first byte picks the peer (root or uid 1000), the rest is the request line. Checks that every
 * request queues exactly one line of JSON with a boolean "ok", error replies with a known code and a reason, "cmd"
 * and "id" echoed, unprivileged state changes refused, and read-only or refused requests changing nothing. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <json-c/json.h>

#include "daemon/commands.h"
#include "daemon/control.h"
#include "daemon/log.h"
#include "daemon/monitor.h"

#ifndef HR_SOURCE_ROOT_FALLBACK
#define HR_SOURCE_ROOT_FALLBACK "."
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static HrMonitor mon;              /* large: not on the stack */
static HrPolicyState policy_before;
static HrExempt exempt_before[HR_EXEMPT_MAX];
static HrConfig config_before;
static HrConfPaths conf_paths;
static HrControlClient *cl;
static char tmpdir[] = "/tmp/hr-fuzz-control-XXXXXX";
static char conf_dir[PATH_MAX];

static void remove_tmpdir(void) {
        char cmd[PATH_MAX + 16];
        hr_monitor_done(&mon);
        (void) snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
        (void) !system(cmd);
}

static bool write_text(const char *rel, const char *text) {
        char p[PATH_MAX];
        (void) snprintf(p, sizeof p, "%s/%s", tmpdir, rel);
        FILE *f = fopen(p, "we");
        if (!f)
                return false;
        bool ok = fputs(text, f) >= 0;
        return fclose(f) == 0 && ok;
}

/* The monitor, once: fixtures copied, two ticks at high pressure, the control's first slot a fake client. */
static bool setup(void) {
        static int state; /* 0: not yet, 1: ready, -1: failed */
        char cmd[4 * PATH_MAX];

        if (state)
                return state > 0;
        state = -1;
        hr_log_set_max_level(getenv("HR_FUZZ_LOG") ? LOG_DEBUG : -1);
        const char *src = getenv("HR_SOURCE_ROOT");
        if (!src || !*src)
                src = HR_SOURCE_ROOT_FALLBACK;
        if (!mkdtemp(tmpdir))
                return false;
        (void) atexit(remove_tmpdir);
        (void) snprintf(cmd, sizeof cmd,
                        "cp -r '%1$s/tests/fixtures/idle/proc' '%2$s/' && "
                        "cp -r '%1$s/tests/fixtures/procs/proc/'[0-9]* '%2$s/proc/' && mkdir -p '%2$s/etc/headroom' && "
                        "cp '%1$s/tests/fixtures/procs/etc/passwd' '%2$s/etc/'",
                        src, tmpdir);
        if (system(cmd) != 0) {
                fprintf(stderr, "fuzz-control: cannot copy the fixtures from %s/tests/fixtures (set HR_SOURCE_ROOT)\n",
                        src);
                return false;
        }
        /* reload reads an empty directory (the defaults); calibrate --apply could only write in there. */
        (void) snprintf(conf_dir, sizeof conf_dir, "%s/etc/headroom", tmpdir);
        conf_paths = (HrConfPaths) { .system_dir = conf_dir };

        HrMonitorOptions o;
        hr_monitor_options_default(&o);
        o.root = tmpdir;
        o.dry_run = true; /* a fixture root: nothing may ever be acted on */
        o.conf_paths = &conf_paths;
        if (hr_monitor_init(&mon, &o, NULL) < 0)
                return false;
        /* What hr_monitor_run() would set up and a reload re-arms. */
        mon.timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        if (mon.timer_fd < 0)
                return false;

        /* Pressure held at HIGH: the dry-run plans freeze, so there is something to list and unfreeze. */
        if (!write_text("proc/pressure/memory", "some avg10=20.00 avg60=10.00 avg300=5.00 total=9000000\n"
                                                "full avg10=0.00 avg60=0.00 avg300=0.00 total=8000000\n"))
                return false;
        unsigned frozen = 0;
        for (unsigned i = 1; i <= 30 && frozen == 0; i++) {
                if (hr_monitor_tick(&mon, i * USEC_PER_SEC) < 0)
                        return false;
                for (unsigned k = 0; k < mon.policy.n_tracked; k++)
                        frozen += mon.policy.tracked[k].state == HR_TRACKED_FROZEN;
        }
        if (frozen == 0) {
                fprintf(stderr, "fuzz-control: the monitor froze nothing (level %s)\n",
                        hr_level_to_string(mon.level.level));
                return false;
        }

        mon.control.handler = hr_commands_handle;
        mon.control.userdata = &mon;
        cl = &mon.control.clients[0];
        cl->fd = -1;
        cl->pid = 4242;
        cl->out = malloc(HR_CONTROL_OUT_MAX);
        if (!cl->out)
                return false;
        mon.control.n_clients = 1;
        state = 1;
        return true;
}

static const char *str_of(json_object *o, const char *key) {
        json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

static bool known_code(const char *c) {
        static const char *const codes[] = { "EPERM", "ENOENT", "EBUSY", "E2BIG", "EINVAL", "EIO" };
        for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
                if (c && strcmp(c, codes[i]) == 0)
                        return true;
        return false;
}

/* Commands that must change nothing of the daemon's state. */
static bool read_only(const char *cmd, json_object *req) {
        static const char *const ro[] = { "status", "list", "metrics", "ping", "events", "incidents", "incident" };
        json_object *v;
        if (!cmd)
                return true;
        for (size_t i = 0; i < sizeof ro / sizeof ro[0]; i++)
                if (strcmp(cmd, ro[i]) == 0)
                        return true;
        if (strcmp(cmd, "calibrate") == 0)
                return !(json_object_object_get_ex(req, "apply", &v) && json_object_get_boolean(v));
        return !hr_control_privileged(cmd);
}

static bool state_unchanged(void) {
        return memcmp(&mon.policy, &policy_before, sizeof mon.policy) == 0 &&
               memcmp(mon.exempt, exempt_before, sizeof mon.exempt) == 0 &&
               memcmp(&mon.config, &config_before, sizeof mon.config) == 0 && mon.foreground_pid == 0 &&
               mon.foreground_comm[0] == '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (!setup())
                abort(); /* said why on stderr */
        if (size < 1 || size - 1 > HR_CONTROL_LINE_MAX)
                return 0;
        const char *line = (const char *) data + 1;
        size_t len = size - 1;
        if (memchr(line, '\n', len))
                return 0; /* the transport splits at newlines: a line never holds one */

        cl->uid = data[0] & 1 ? 1000 : 0;
        cl->out_len = 0;
        memcpy(&policy_before, &mon.policy, sizeof policy_before);
        memcpy(exempt_before, mon.exempt, sizeof exempt_before);
        config_before = mon.config;
        uint64_t requests = mon.control.n_requests, refused = mon.control.n_refused;

        /* What the request says, as far as it is a JSON object with a "cmd" string. */
        json_tokener *tok = json_tokener_new();
        if (!tok)
                return 0;
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
        json_object *req = json_tokener_parse_ex(tok, line, (int) len);
        if (req && (json_tokener_get_parse_end(tok) != len || !json_object_is_type(req, json_type_object)))
                json_object_put(req), req = NULL;
        json_tokener_free(tok);
        const char *cmd = req ? str_of(req, "cmd") : NULL;
        json_object *req_id = NULL;
        if (req && json_object_object_get_ex(req, "id", &req_id) && !json_object_is_type(req_id, json_type_string) &&
            !json_object_is_type(req_id, json_type_int))
                req_id = NULL;

        if (!hr_control_handle_line(&mon.control, cl, line, len))
                abort(); /* one reply never fills the output buffer */
        if (mon.control.n_requests != requests + 1)
                abort();
        if (getenv("HR_FUZZ_LOG"))
                (void) fwrite(cl->out, 1, cl->out_len, stderr);

        /* Exactly one line of JSON: an object with a boolean "ok". */
        if (cl->out_len < 3 || cl->out[cl->out_len - 1] != '\n' || memchr(cl->out, '\n', cl->out_len - 1) ||
            memchr(cl->out, '\0', cl->out_len))
                abort();
        tok = json_tokener_new();
        if (!tok)
                abort();
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
        json_object *resp = json_tokener_parse_ex(tok, cl->out, (int) cl->out_len - 1);
        if (!resp || json_tokener_get_parse_end(tok) != cl->out_len - 1 || !json_object_is_type(resp, json_type_object))
                abort();
        json_tokener_free(tok);
        json_object *ok, *v;
        if (!json_object_object_get_ex(resp, "ok", &ok) || !json_object_is_type(ok, json_type_boolean))
                abort();
        bool is_ok = json_object_get_boolean(ok);
        if (!is_ok) {
                const char *err = str_of(resp, "error");
                if (!known_code(str_of(resp, "code")) || !err || !err[0])
                        abort();
        }
        if (!cmd && is_ok)
                abort(); /* no command, no success */
        if (cmd && (!str_of(resp, "cmd") || strcmp(str_of(resp, "cmd"), cmd) != 0))
                abort();
        if (req_id && cmd) {
                if (!json_object_object_get_ex(resp, "id", &v) || !json_object_equal(v, req_id))
                        abort();
        } else if (json_object_object_get_ex(resp, "id", NULL) && !req_id)
                abort();

        bool privileged = cmd && (hr_control_privileged(cmd) || !read_only(cmd, req));
        if (privileged && cl->uid != 0) {
                /* Refused, counted, and nothing changed. */
                if (is_ok || strcmp(str_of(resp, "code"), "EPERM") != 0 || !state_unchanged())
                        abort();
                if (hr_control_privileged(cmd) && mon.control.n_refused != refused + 1)
                        abort();
        }
        if (!cmd || read_only(cmd, req)) {
                if (!state_unchanged())
                        abort();
        }
        if (cmd && strcmp(cmd, "unfreeze") == 0 && is_ok) {
                if (!json_object_object_get_ex(resp, "thawed", &v) || json_object_array_length(v) == 0)
                        abort();
        }
        if (mon.config.n_rules != config_before.n_rules)
                abort(); /* a reload reads the same (empty) directory: the built-in rules */

        /* The next input starts from the same state. */
        memcpy(&mon.policy, &policy_before, sizeof mon.policy);
        memcpy(mon.exempt, exempt_before, sizeof mon.exempt);
        mon.foreground_pid = 0;
        mon.foreground_comm[0] = '\0';
        if (cl->subscribed) {
                cl->subscribed = false;
                mon.control.n_subscribers--;
        }
        char dropin[PATH_MAX + 64];
        (void) snprintf(dropin, sizeof dropin, "%s/headroom.conf.d/50-calibrate.conf", conf_dir);
        (void) unlink(dropin);
        json_object_put(resp);
        json_object_put(req);
        return 0;
}
