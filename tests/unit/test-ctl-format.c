/* SPDX-License-Identifier: MIT */
/* Unit tests of headroomctl's pure parts (cli/ctl-args, cli/ctl-format): argv tables, socket paths, colour and
 * exit-status decisions, requests, strict response checks, and the exact text of every human view. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "cli/ctl-args.h"
#include "cli/ctl-format.h"
#include "shared/macros.h"

/* ---- helpers ---- */

static json_object *parse(const char *s) {
        json_object *o = NULL;
        char why[256];
        int r = hr_ctl_parse_line(s, strlen(s), &o, why, sizeof why);
        if (r < 0)
                fail_msg("fixture does not parse: %s: %s", why, s);
        return o;
}

/* Renders with f into a string (free it). */
typedef struct Render {
        char *buf;
        size_t size;
        FILE *f;
} Render;

static FILE *render_begin(Render *r) {
        *r = (Render) {};
        r->f = open_memstream(&r->buf, &r->size);
        assert_non_null(r->f);
        return r->f;
}

static char *render_end(Render *r) {
        assert_int_equal(fclose(r->f), 0);
        return r->buf;
}

static char *render_response(const char *json, HrCtlVerb verb, bool color) {
        json_object *o = parse(json);
        char why[256] = "";
        Render r;

        if (hr_ctl_check_response(o, verb, why, sizeof why) != 0)
                fail_msg("fixture not accepted: %s", why);
        hr_ctl_print_response(o, verb, color, render_begin(&r));
        json_object_put(o);
        return render_end(&r);
}

/* ---- argv ---- */

typedef struct ArgsCase {
        const char *name;
        const char *argv[8];
        int ret;
        HrCtlVerb verb;
        const char *socket;
        bool user, json, no_color;
        int64_t pid;
        const char *why; /* substring of the reason, for errors */
} ArgsCase;

static const ArgsCase args_cases[] = {
        { "status", { "status" }, 0, HR_CTL_STATUS, .pid = -1 },
        { "options before", { "--json", "--no-color", "list" }, 0, HR_CTL_LIST, .json = true, .no_color = true, .pid = -1 },
        { "options after", { "status", "--json" }, 0, HR_CTL_STATUS, .json = true, .pid = -1 },
        { "socket separate", { "--socket", "/tmp/s", "reload" }, 0, HR_CTL_RELOAD, .socket = "/tmp/s", .pid = -1 },
        { "socket =", { "--socket=/tmp/s", "metrics" }, 0, HR_CTL_METRICS, .socket = "/tmp/s", .pid = -1 },
        { "user", { "--user", "events" }, 0, HR_CTL_EVENTS, .user = true, .pid = -1 },
        { "unfreeze pid", { "unfreeze", "4242" }, 0, HR_CTL_UNFREEZE, .pid = 4242 },
        { "unfreeze name", { "unfreeze", "chrome" }, 0, HR_CTL_UNFREEZE, .pid = -1 },
        { "unfreeze digits+", { "unfreeze", "42x" }, 0, HR_CTL_UNFREEZE, .pid = -1 },
        { "unfreeze dash name after --", { "unfreeze", "--", "-weird" }, 0, HR_CTL_UNFREEZE, .pid = -1 },
        { "foreground", { "foreground", "17" }, 0, HR_CTL_FOREGROUND, .pid = 17 },
        { "foreground clears", { "foreground", "0" }, 0, HR_CTL_FOREGROUND, .pid = 0 },
        { "doctor json", { "doctor", "--json" }, 0, HR_CTL_DOCTOR, .json = true, .pid = -1 },
        { "help word", { "help" }, 0, HR_CTL_HELP, .pid = -1 },
        { "unknown option before -h", { "status", "--bogus-later", "-h" }, -EINVAL, .why = "--bogus-later: unknown option" },
        { "--help", { "list", "--help" }, 0, HR_CTL_HELP, .pid = -1 },
        { "--version", { "--version" }, 0, HR_CTL_VERSION, .pid = -1 },
        { "nothing", { NULL }, -EINVAL, .why = "no command given" },
        { "unknown command", { "stauts" }, -EINVAL, .why = "stauts: unknown command" },
        { "unknown option", { "-x", "status" }, -EINVAL, .why = "-x: unknown option" },
        { "socket missing path", { "status", "--socket" }, -EINVAL, .why = "--socket: missing PATH" },
        { "socket empty", { "--socket=", "status" }, -EINVAL, .why = "--socket: empty PATH" },
        { "socket and user", { "--user", "--socket", "/s", "status" }, -EINVAL, .why = "exclude each other" },
        { "extra arg", { "status", "now" }, -EINVAL, .why = "status: unexpected argument \"now\"" },
        { "unfreeze nothing", { "unfreeze" }, -EINVAL, .why = "unfreeze: missing NAME|PID" },
        { "unfreeze two", { "unfreeze", "a", "b" }, -EINVAL, .why = "unexpected argument \"b\"" },
        { "unfreeze 0", { "unfreeze", "0" }, -EINVAL, .why = "0: not a process id" },
        { "unfreeze huge", { "unfreeze", "99999999999" }, -EINVAL, .why = "not a process id" },
        { "unfreeze empty", { "unfreeze", "" }, -EINVAL, .why = "empty NAME" },
        { "foreground word", { "foreground", "firefox" }, -EINVAL, .why = "foreground: firefox: not a process id; 0 clears" },
        { "foreground negative", { "foreground", "-1" }, -EINVAL, .why = "-1: unknown option" },
        { "too many", { "unfreeze", "a", "b", "c" }, -EINVAL, .why = "too many arguments" },
};

static void test_args(void **state) {
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(args_cases); i++) {
                const ArgsCase *c = &args_cases[i];
                char *argv[10] = { (char *) "headroomctl" };
                int argc = 1;
                HrCtlArgs a = { .verb = _HR_CTL_VERB_MAX };
                char why[256] = "";
                int r;

                for (size_t j = 0; j < ELEMENTSOF(c->argv) && c->argv[j]; j++)
                        argv[argc++] = (char *) c->argv[j];
                r = hr_ctl_parse_args(argc, argv, &a, why, sizeof why);
                if (r != c->ret)
                        fail_msg("%s: returned %d, want %d (%s)", c->name, r, c->ret, why);
                if (r < 0) {
                        if (!strstr(why, c->why))
                                fail_msg("%s: reason \"%s\" lacks \"%s\"", c->name, why, c->why);
                        continue;
                }
                if (a.verb != c->verb || a.user != c->user || a.json != c->json || a.no_color != c->no_color ||
                    a.pid != c->pid)
                        fail_msg("%s: verb %d user %d json %d no_color %d pid %lld", c->name, a.verb, a.user, a.json,
                                 a.no_color, (long long) a.pid);
                if ((c->socket == NULL) != (a.socket == NULL) || (c->socket && strcmp(c->socket, a.socket) != 0))
                        fail_msg("%s: socket %s", c->name, a.socket ? a.socket : "(null)");
        }
}

static void test_unfreeze_long_name(void **state) {
        char name[HR_CTL_TARGET_MAX + 2];
        char *argv[] = { (char *) "headroomctl", (char *) "unfreeze", name };
        HrCtlArgs a;
        char why[256];

        (void) state;
        memset(name, 'a', HR_CTL_TARGET_MAX);
        name[HR_CTL_TARGET_MAX] = '\0';
        assert_int_equal(hr_ctl_parse_args(3, argv, &a, why, sizeof why), 0);
        assert_ptr_equal(a.target, name);
        name[HR_CTL_TARGET_MAX] = 'a';
        name[HR_CTL_TARGET_MAX + 1] = '\0';
        assert_int_equal(hr_ctl_parse_args(3, argv, &a, why, sizeof why), -EINVAL);
        assert_non_null(strstr(why, "longer than 255 bytes"));
}

/* ---- socket path, colour, exit statuses ---- */

static void test_socket_path(void **state) {
        HrCtlArgs a = { .pid = -1 };
        char buf[200], why[256], longdir[160];

        (void) state;
        assert_int_equal(hr_ctl_socket_path(&a, "/run/user/1000", buf, sizeof buf, why, sizeof why), 0);
        assert_string_equal(buf, "/run/headroom/headroom.sock");

        a.user = true;
        assert_int_equal(hr_ctl_socket_path(&a, "/run/user/1000", buf, sizeof buf, why, sizeof why), 0);
        assert_string_equal(buf, "/run/user/1000/headroom/headroom.sock");
        assert_int_equal(hr_ctl_socket_path(&a, NULL, buf, sizeof buf, why, sizeof why), -ENXIO);
        assert_non_null(strstr(why, "XDG_RUNTIME_DIR is not set"));
        assert_int_equal(hr_ctl_socket_path(&a, "", buf, sizeof buf, why, sizeof why), -ENXIO);
        assert_int_equal(hr_ctl_socket_path(&a, "run/user", buf, sizeof buf, why, sizeof why), -ENXIO);
        assert_non_null(strstr(why, "not an absolute path"));
        memset(longdir, 'd', sizeof longdir - 1);
        longdir[0] = '/';
        longdir[sizeof longdir - 1] = '\0';
        assert_int_equal(hr_ctl_socket_path(&a, longdir, buf, sizeof buf, why, sizeof why), -ENAMETOOLONG);

        a.user = false;
        a.socket = "/tmp/x.sock";
        assert_int_equal(hr_ctl_socket_path(&a, NULL, buf, sizeof buf, why, sizeof why), 0);
        assert_string_equal(buf, "/tmp/x.sock");
        a.socket = longdir;
        assert_int_equal(hr_ctl_socket_path(&a, NULL, buf, sizeof buf, why, sizeof why), -ENAMETOOLONG);
}

static void test_color(void **state) {
        static const struct {
                bool tty;
                const char *term, *no_color;
                bool flag, want;
        } cases[] = {
                { true, "xterm-256color", NULL, false, true },
                { false, "xterm", NULL, false, false },
                { true, "dumb", NULL, false, false },
                { true, NULL, NULL, false, false },
                { true, "", NULL, false, false },
                { true, "xterm", "1", false, false },
                { true, "xterm", "", false, true }, /* no-color.org: only a non-empty NO_COLOR counts */
                { true, "xterm", NULL, true, false },
        };
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                if (hr_ctl_use_color(cases[i].tty, cases[i].term, cases[i].no_color, cases[i].flag) != cases[i].want)
                        fail_msg("colour case %zu", i);
}

static void test_exit_statuses(void **state) {
        (void) state;
        assert_int_equal(hr_ctl_exit_for_code("EPERM"), 4);
        assert_int_equal(hr_ctl_exit_for_code("EINVAL"), 1);
        assert_int_equal(hr_ctl_exit_for_code("ENOENT"), 1);
        assert_int_equal(hr_ctl_exit_for_code("EBUSY"), 1);
        assert_int_equal(hr_ctl_exit_for_code("E2BIG"), 1);
        assert_int_equal(hr_ctl_exit_for_code("EIO"), 1);
        assert_int_equal(hr_ctl_exit_for_code("ESOMETHINGNEW"), 1);
        assert_int_equal(hr_ctl_exit_for_connect(-ENOENT), 3);
        assert_int_equal(hr_ctl_exit_for_connect(-ECONNREFUSED), 3);
        assert_int_equal(hr_ctl_exit_for_connect(-ETIMEDOUT), 3);
        assert_int_equal(hr_ctl_exit_for_connect(-EACCES), 4);
        assert_int_equal(hr_ctl_exit_for_connect(-EPERM), 4);

        json_object *o = parse("{\"ok\":false,\"cmd\":\"reload\",\"error\":\"no\",\"code\":\"EPERM\"}");
        char why[256];
        assert_int_equal(hr_ctl_check_response(o, HR_CTL_RELOAD, why, sizeof why), 1);
        assert_int_equal(hr_ctl_refusal_exit(o), 4);
        json_object_put(o);
}

/* ---- requests ---- */

static void test_requests(void **state) {
        static const struct {
                const char *argv[3];
                const char *want;
        } cases[] = {
                { { "status" }, "{\"cmd\":\"status\"}" },
                { { "list" }, "{\"cmd\":\"list\"}" },
                { { "unfreeze", "4242" }, "{\"cmd\":\"unfreeze\",\"target\":4242}" },
                { { "unfreeze", "chrome" }, "{\"cmd\":\"unfreeze\",\"target\":\"chrome\"}" },
                { { "unfreeze", "a\"b/c" }, "{\"cmd\":\"unfreeze\",\"target\":\"a\\\"b/c\"}" },
                { { "reload" }, "{\"cmd\":\"reload\"}" },
                { { "foreground", "0" }, "{\"cmd\":\"foreground\",\"pid\":0}" },
                { { "foreground", "77" }, "{\"cmd\":\"foreground\",\"pid\":77}" },
                { { "events" }, "{\"cmd\":\"events\"}" },
                { { "metrics" }, "{\"cmd\":\"metrics\"}" },
        };
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *argv[4] = { (char *) "headroomctl" };
                int argc = 1;
                HrCtlArgs a;
                char why[256];

                for (size_t j = 0; j < 3 && cases[i].argv[j]; j++)
                        argv[argc++] = (char *) cases[i].argv[j];
                assert_int_equal(hr_ctl_parse_args(argc, argv, &a, why, sizeof why), 0);
                json_object *o = hr_ctl_request_new(&a);
                assert_non_null(o);
                assert_string_equal(hr_ctl_json_line(o), cases[i].want);
                json_object_put(o);
        }

        HrCtlArgs d = { .verb = HR_CTL_DOCTOR, .pid = -1 };
        assert_null(hr_ctl_request_new(&d));
}

/* ---- strict parsing ---- */

static void test_parse_line(void **state) {
        static const struct {
                const char *line;
                size_t len; /* 0: strlen */
                int want;
                const char *why;
        } cases[] = {
                { "{\"ok\":true}", 0, 0, NULL },
                { "{\"ok\":true}  \r", 0, 0, NULL },
                { "", 0, -EBADMSG, "empty line" },
                { "hello", 0, -EBADMSG, "not JSON" },
                { "{\"ok\":tru", 0, -EBADMSG, "ends in the middle" },
                { "{\"ok\":true} {}", 0, -EBADMSG, "not JSON" },
                { "{\"ok\":true}x", 0, -EBADMSG, "not JSON" },
                { "[1,2]", 0, -EBADMSG, "not a JSON object" },
                { "\"ok\"", 0, -EBADMSG, "not a JSON object" },
                { "null", 0, -EBADMSG, "not a JSON object" },
                { "{\"ok\":'yes'}", 0, -EBADMSG, "not JSON" },
                { "{\"ok\":true,}", 0, -EBADMSG, "not JSON" },
                { "{\"a\":\"\xff\"}", 0, -EBADMSG, "not JSON" },
                { "{\"ok\":true}\0{}", 14, -EBADMSG, "NUL" },
        };
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                json_object *o = NULL;
                char why[256] = "";
                size_t len = cases[i].len ? cases[i].len : strlen(cases[i].line);
                int r = hr_ctl_parse_line(cases[i].line, len, &o, why, sizeof why);

                if (r != cases[i].want)
                        fail_msg("case %zu (%s): %d, want %d (%s)", i, cases[i].line, r, cases[i].want, why);
                if (r < 0 && !strstr(why, cases[i].why))
                        fail_msg("case %zu: reason \"%s\" lacks \"%s\"", i, why, cases[i].why);
                if (r < 0)
                        assert_null(o);
                json_object_put(o);
        }
}

/* ---- responses ---- */

#define STATUS_JSON                                                                                               \
        "{\"ok\":true,\"cmd\":\"status\",\"version\":\"0.1.0\",\"mode\":\"system\",\"dry_run\":false,\"scope\":\"\"," \
        "\"uptime_sec\":7380,\"pid\":812,\"level\":\"HIGH\",\"score\":47.3,\"trend\":1.2,"                       \
        "\"components\":{\"mem_available\":{\"value\":7.32,\"points\":12.0},"                                      \
        "\"psi_some\":{\"value\":21.4,\"points\":38.0},\"psi_full\":{\"value\":2.1,\"points\":4.0},"              \
        "\"swap_fill\":{\"value\":75.59,\"points\":20.0},\"swap_io\":{\"value\":120,\"points\":10.0},"            \
        "\"refault\":{\"value\":0,\"points\":0}},"                                                                  \
        "\"mem\":{\"total_kib\":16384000,\"available_kib\":1200000,\"swap_total_kib\":8192000,"                    \
        "\"swap_free_kib\":2000000},"                                                                             \
        "\"triggers\":{\"memory\":\"/proc/pressure/memory\",\"some\":\"5.00%\",\"full\":\"2.50%\","               \
        "\"window_ms\":2000,\"armed\":true,\"fired\":12},"                                                        \
        "\"held\":{\"frozen\":3,\"checkpointed\":0,\"terminating\":0,\"warned\":1},"                              \
        "\"totals\":{\"frozen\":40,\"thawed\":37,\"terminated\":2,\"killed\":1,\"warned\":0,\"spared\":0,"        \
        "\"checkpointed\":0,\"restored\":0,\"failed\":0},"                                                        \
        "\"foreground\":{\"pid\":0,\"comm\":\"\"}}"

static const char status_text[] =
        "Level:      HIGH\n"
        "Score:      47.30 (trend +1.20/s)\n"
        "\n"
        "  COMPONENT       VALUE  UNIT         POINTS\n"
        "  psi_some        21.40  %             38.00\n"
        "  psi_full         2.10  %              4.00\n"
        "  swap_fill       75.59  %             20.00\n"
        "  swap_io        120.00  pages/s       10.00\n"
        "  refault          0.00  pages/s        0.00\n"
        "  mem_available    7.32  % available   12.00\n"
        "\n"
        "Memory:     1.1 GiB available of 15.6 GiB\n"
        "Swap:       5.9 GiB used of 7.8 GiB (1.9 GiB free)\n"
        "Triggers:   some 5.00%, full 2.50% per 2000 ms on /proc/pressure/memory; armed, fired 12 times\n"
        "Held:       3 frozen, 1 warned\n"
        "Totals:     40 frozen, 37 thawed, 2 terminated, 1 killed\n"
        "Foreground: none\n"
        "Mode:       system\n"
        "Dry run:    no\n"
        "Scope:      whole system\n"
        "Uptime:     2h 3min\n"
        "Daemon:     headroomd 0.1.0, pid 812\n";

/* A scope with a memory limit and two zram devices: the limit's file on the memory line, a line per device. */
static void test_status_zram_and_limit(void **state) {
        static const char json[] =
                "{\"ok\":true,\"version\":\"0.1.0\",\"mode\":\"system\",\"dry_run\":false,\"pid\":9,"
                "\"uptime_sec\":5,\"scope\":\"/a.scope\",\"level\":\"NORMAL\",\"score\":0,\"trend\":0,\"components\":{},"
                "\"mem\":{\"total_kib\":262144,\"available_kib\":131072,\"swap_total_kib\":0,\"swap_free_kib\":0,"
                "\"limit_file\":\"/sys/fs/cgroup/a.scope/memory.max\"},"
                "\"zram\":[{\"device\":\"zram0\",\"disksize\":1073741824,\"orig_data_size\":314572800,"
                "\"mem_used_total\":104857600,\"compression_ratio\":3.00},"
                "{\"device\":\"zram1\",\"disksize\":1073741824,\"orig_data_size\":0,\"mem_used_total\":0,"
                "\"compression_ratio\":null}],"
                "\"held\":{},\"totals\":{},\"foreground\":{\"pid\":0,\"comm\":\"\"}}";
        (void) state;
        char *s = render_response(json, HR_CTL_STATUS, false);
        assert_non_null(strstr(s, "Memory:     128.0 MiB available of 256.0 MiB (the scope's limit, "
                                  "/sys/fs/cgroup/a.scope/memory.max)\n"));
        assert_non_null(strstr(s, "Zram:       zram0: 300.0 MiB stored in 100.0 MiB (3.00:1), a 1.0 GiB disk\n"
                                  "            zram1: 0 KiB stored in 0 KiB, a 1.0 GiB disk\n"));
        free(s);
}

static void test_status_view(void **state) {
        char *s;

        (void) state;
        s = render_response(STATUS_JSON, HR_CTL_STATUS, false);
        assert_string_equal(s, status_text);
        assert_null(strchr(s, '\033'));
        free(s);

        s = render_response(STATUS_JSON, HR_CTL_STATUS, true);
        assert_non_null(strstr(s, "Level:      \033[1;33mHIGH\033[0m\n"));
        free(s);
}

/* A copy of STATUS_JSON with the first occurrence of from replaced by to. */
static char *status_with(const char *from, const char *to) {
        const char *base = STATUS_JSON, *p = strstr(base, from);
        char *out;

        if (!p)
                fail_msg("fixture lacks %s", from);
        out = malloc(strlen(base) + strlen(to) + 1);
        assert_non_null(out);
        memcpy(out, base, (size_t) (p - base));
        strcpy(out + (p - base), to);
        strcat(out, p + strlen(from));
        return out;
}

static void test_status_strict(void **state) {
        static const struct {
                const char *from, *to, *why; /* why NULL: still accepted */
        } cases[] = {
                { "\"level\":\"HIGH\",", "", "\"level\" is missing" },
                { "\"level\":\"HIGH\"", "\"level\":3", "\"level\" is not a string" },
                { "\"score\":47.3", "\"score\":\"47.3\"", "\"score\" is not a number" },
                { "\"score\":47.3", "\"score\":147.3", "outside 0..100" },
                { "\"trend\":1.2", "\"trend\":-1", NULL },
                { "\"trend\":1.2", "\"trend\":NaN", "\"trend\" is not a number" }, /* json-c lets NaN through */
                { "\"dry_run\":false", "\"dry_run\":0", "\"dry_run\" is not a boolean" },
                { "\"uptime_sec\":7380", "\"uptime_sec\":-1", "\"uptime_sec\" is not a non-negative integer" },
                { "\"uptime_sec\":7380", "\"uptime_sec\":7380.5", "\"uptime_sec\" is not a non-negative integer" },
                { "\"total_kib\":16384000", "\"total_kib\":1", "exceeds \"mem.total_kib\"" },
                { "\"swap_free_kib\":2000000", "\"swap_free_kib\":9000000", "exceeds \"mem.swap_total_kib\"" },
                { "\"available_kib\":1200000,", "", "\"mem.available_kib\" is missing" },
                { "\"psi_some\":{\"value\":21.4,", "\"psi_some\":{\"value\":null,",
                  "\"components.psi_some.value\" is not a number" },
                { "\"psi_some\":{\"value\":21.4,\"points\":38.0}", "\"psi_some\":7",
                  "\"components.psi_some\" is not an object" },
                { "\"held\":{\"frozen\":3", "\"held\":{\"frozen\":\"3\"", "\"held.frozen\" is not" },
                { "\"killed\":1", "\"killed\":true", "\"totals.killed\" is not" },
                { "\"foreground\":{\"pid\":0,", "\"foreground\":{", "\"foreground.pid\" is missing" },
                { "\"cmd\":\"status\"", "\"cmd\":\"list\"", "answers \"list\", not \"status\"" },
                { "\"cmd\":\"status\"", "\"cmd\":1", "\"cmd\" is not a string" },
                { "\"ok\":true", "\"ok\":\"yes\"", "\"ok\" is not a boolean" },
                { "\"ok\":true,", "", "\"ok\" is missing" },
                { "\"scope\":\"\"", "\"scope\":null", NULL },
                { "\"scope\":\"\"", "\"scope\":[]", "\"scope\" is not a string or null" },
                { "\"triggers\":{", "\"nottriggers\":{", NULL }, /* triggers are optional */
                { "\"triggers\":{\"memory\":\"/proc/pressure/memory\",", "\"triggers\":{\"memory\":5,",
                  "\"triggers.memory\" is not a string" },
                { "\"version\":\"0.1.0\",", "\"version\":\"0.1.0\",\"future\":{\"x\":[1]},", NULL },
                { "\"refault\":{\"value\":0,\"points\":0}", "\"refault\":{\"value\":0,\"points\":0},\"new\":{\"value\":1,\"points\":2}",
                  NULL },
        };
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *s = status_with(cases[i].from, cases[i].to), why[256] = "";
                json_object *o = parse(s);
                int r = hr_ctl_check_response(o, HR_CTL_STATUS, why, sizeof why);

                if (!cases[i].why && r != 0)
                        fail_msg("case %zu (%s): rejected: %s", i, cases[i].to, why);
                if (cases[i].why && (r != -EBADMSG || !strstr(why, cases[i].why)))
                        fail_msg("case %zu (%s): %d \"%s\", want \"%s\"", i, cases[i].to, r, why, cases[i].why);
                json_object_put(o);
                free(s);
        }
}

static void test_status_variants(void **state) {
        char *j, *s;

        (void) state;
        /* No swap, dry run, a scope, a foreground process, nothing held, an unknown component at the end. */
        j = status_with("\"swap_total_kib\":8192000,\"swap_free_kib\":2000000",
                        "\"swap_total_kib\":0,\"swap_free_kib\":0");
        s = render_response(j, HR_CTL_STATUS, false);
        assert_non_null(strstr(s, "Swap:       none\n"));
        free(s);
        free(j);

        j = status_with("\"dry_run\":false,\"scope\":\"\"", "\"dry_run\":true,\"scope\":\"app.slice/x\"");
        s = render_response(j, HR_CTL_STATUS, false);
        assert_non_null(strstr(s, "Dry run:    yes (observing only, acting on nothing)\n"));
        assert_non_null(strstr(s, "Scope:      app.slice/x\n"));
        free(s);
        free(j);

        j = status_with("\"foreground\":{\"pid\":0,\"comm\":\"\"}", "\"foreground\":{\"pid\":4242,\"comm\":\"fire\\u001bfox\"}");
        s = render_response(j, HR_CTL_STATUS, false);
        assert_non_null(strstr(s, "Foreground: 4242 (fire?fox)\n"));
        free(s);
        free(j);

        j = status_with("\"frozen\":3,\"checkpointed\":0,\"terminating\":0,\"warned\":1",
                        "\"frozen\":0,\"checkpointed\":0,\"terminating\":0,\"warned\":0");
        s = render_response(j, HR_CTL_STATUS, false);
        assert_non_null(strstr(s, "Held:       none\n"));
        free(s);
        free(j);

        j = status_with("\"refault\":{\"value\":0,\"points\":0}",
                        "\"refault\":{\"value\":0,\"points\":0},\"zswap\":{\"value\":3,\"unit\":\"MiB/s\",\"points\":1}");
        s = render_response(j, HR_CTL_STATUS, false);
        assert_non_null(strstr(s, "  mem_available    7.32  % available   12.00\n"
                                  "  zswap            3.00  MiB/s          1.00\n"));
        free(s);
        free(j);

        j = status_with("\"triggers\":{\"memory\":\"/proc/pressure/memory\",\"some\":\"5.00%\",\"full\":\"2.50%\","
                        "\"window_ms\":2000,\"armed\":true,\"fired\":12}",
                        "\"triggers\":{\"window_ms\":0,\"armed\":false,\"fired\":1}");
        s = render_response(j, HR_CTL_STATUS, false);
        assert_non_null(strstr(s, "Triggers:   not armed, fired 1 time\n"));
        free(s);
        free(j);
}

#define LIST_JSON                                                                                                  \
        "{\"ok\":true,\"cmd\":\"list\",\"processes\":["                                                            \
        "{\"pid\":4242,\"start_time\":123456,\"comm\":\"chrome\",\"state\":\"frozen\",\"method\":\"sigstop\","     \
        "\"priority\":85,\"age_sec\":42,\"cgroup\":\"/user.slice/a\",\"reason\":\"HIGH 47.30: psi_some 21.40% (38 pts); expendable-heavy\"}," \
        "{\"pid\":17,\"comm\":\"tracker-miner-f\",\"state\":\"checkpointed\",\"method\":\"cgroup\","             \
        "\"priority\":70,\"age_sec\":3725.87,\"reason\":\"CRITICAL 71.00: psi_full 30.00% (60 pts)\"}]}"

static void test_list_view(void **state) {
        char *s;

        (void) state;
        s = render_response(LIST_JSON, HR_CTL_LIST, false);
        assert_string_equal(s,
                            " PID  NAME             STATE         METHOD   PRIO      AGE  REASON\n"
                            "4242  chrome           frozen        sigstop    85      42s  HIGH 47.30: psi_some 21.40% (38 pts); expendable-heavy\n"
                            "  17  tracker-miner-f  checkpointed  cgroup     70  1h 2min  CRITICAL 71.00: psi_full 30.00% (60 pts)\n");
        free(s);

        s = render_response("{\"ok\":true,\"cmd\":\"list\",\"processes\":[]}", HR_CTL_LIST, false);
        assert_string_equal(s, "no processes held\n");
        free(s);

        /* A hostile name cannot reach the terminal, and still lines up (one column per character). */
        s = render_response("{\"ok\":true,\"processes\":[{\"pid\":1,\"comm\":\"\\u001b[2J\\u00e9\\u009b\",\"state\":\"frozen\","
                            "\"method\":\"none\",\"priority\":-5,\"age_sec\":0,\"reason\":\"r\\nr\"}]}",
                            HR_CTL_LIST, false);
        assert_string_equal(s, "PID  NAME    STATE   METHOD  PRIO  AGE  REASON\n"
                               "  1  ?[2J\xc3\xa9?  frozen  none      -5   0s  r?r\n");
        free(s);
}

static void test_list_strict(void **state) {
        static const struct {
                const char *json, *why;
        } cases[] = {
                { "{\"ok\":true}", "\"processes\" is missing" },
                { "{\"ok\":true,\"processes\":{}}", "\"processes\" is not an array" },
                { "{\"ok\":true,\"processes\":[1]}", "\"processes[0]\" is not an object" },
                { "{\"ok\":true,\"processes\":[{\"pid\":1,\"comm\":\"a\",\"state\":\"frozen\",\"method\":\"none\","
                  "\"priority\":1,\"age_sec\":0}]}",
                  "\"processes[0].reason\" is missing" },
                { "{\"ok\":true,\"processes\":[{\"pid\":\"1\",\"comm\":\"a\",\"state\":\"frozen\",\"method\":\"none\","
                  "\"priority\":1,\"age_sec\":0,\"reason\":\"\"}]}",
                  "\"processes[0].pid\" is not a non-negative integer" },
                { "{\"ok\":true,\"processes\":[{\"pid\":1,\"comm\":\"a\",\"state\":\"frozen\",\"method\":\"none\","
                  "\"priority\":1.5,\"age_sec\":0,\"reason\":\"\"}]}",
                  "\"processes[0].priority\" is not an integer" },
                { "{\"ok\":true,\"processes\":[{\"pid\":1,\"comm\":\"a\",\"state\":\"frozen\",\"method\":\"none\","
                  "\"priority\":1,\"age_sec\":-0.5,\"reason\":\"\"}]}",
                  "\"processes[0].age_sec\" is not a non-negative number" },
        };
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                json_object *o = parse(cases[i].json);
                char why[256] = "";
                int r = hr_ctl_check_response(o, HR_CTL_LIST, why, sizeof why);

                if (r != -EBADMSG || !strstr(why, cases[i].why))
                        fail_msg("case %zu: %d \"%s\", want \"%s\"", i, r, why, cases[i].why);
                json_object_put(o);
        }
}

static void test_small_views(void **state) {
        static const struct {
                HrCtlVerb verb;
                const char *json, *want;
        } cases[] = {
                { HR_CTL_UNFREEZE, "{\"ok\":true,\"cmd\":\"unfreeze\",\"thawed\":[4242,4250]}", "thawed 4242 4250\n" },
                { HR_CTL_UNFREEZE, "{\"ok\":true,\"thawed\":[]}", "thawed nothing\n" },
                { HR_CTL_RELOAD, "{\"ok\":true,\"cmd\":\"reload\",\"files\":3,\"rules\":41}", "reloaded: 3 files, 41 rules\n" },
                { HR_CTL_RELOAD, "{\"ok\":true,\"files\":1,\"rules\":1}", "reloaded: 1 file, 1 rule\n" },
                { HR_CTL_FOREGROUND, "{\"ok\":true,\"pid\":4242,\"comm\":\"firefox\"}", "foreground: 4242 (firefox)\n" },
                { HR_CTL_FOREGROUND, "{\"ok\":true,\"pid\":0,\"comm\":\"\"}", "foreground cleared\n" },
                { HR_CTL_METRICS, "{\"ok\":true,\"text\":\"# TYPE headroom_score gauge\\nheadroom_score 47.3\\n\"}",
                  "# TYPE headroom_score gauge\nheadroom_score 47.3\n" },
                { HR_CTL_EVENTS, "{\"ok\":true,\"cmd\":\"events\",\"subscribed\":true}", "" },
        };
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *s = render_response(cases[i].json, cases[i].verb, false);
                if (strcmp(s, cases[i].want) != 0)
                        fail_msg("case %zu: \"%s\", want \"%s\"", i, s, cases[i].want);
                free(s);
        }
}

static void test_small_strict(void **state) {
        static const struct {
                HrCtlVerb verb;
                const char *json, *why;
        } cases[] = {
                { HR_CTL_UNFREEZE, "{\"ok\":true,\"thawed\":[\"4242\"]}", "\"thawed[0]\" is not a non-negative integer" },
                { HR_CTL_UNFREEZE, "{\"ok\":true,\"thawed\":4242}", "\"thawed\" is not an array" },
                { HR_CTL_RELOAD, "{\"ok\":true,\"files\":3}", "\"rules\" is missing" },
                { HR_CTL_FOREGROUND, "{\"ok\":true,\"pid\":1}", "\"comm\" is missing" },
                { HR_CTL_METRICS, "{\"ok\":true,\"text\":[]}", "\"text\" is not a string" },
                { HR_CTL_EVENTS, "{\"ok\":true,\"subscribed\":false}", "\"subscribed\" is false" },
                { HR_CTL_RELOAD, "{\"ok\":false,\"error\":\"bad\"}", "\"code\" is missing" },
                { HR_CTL_RELOAD, "{\"ok\":false,\"code\":\"EINVAL\"}", "\"error\" is missing" },
                { HR_CTL_RELOAD, "{\"ok\":false,\"error\":\"x\",\"code\":\"EINVAL\",\"errors\":[1]}",
                  "\"errors[0]\" is not a string" },
                { HR_CTL_RELOAD, "{\"ok\":false,\"error\":\"x\",\"code\":22}", "\"code\" is not a string" },
        };
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                json_object *o = parse(cases[i].json);
                char why[256] = "";
                int r = hr_ctl_check_response(o, cases[i].verb, why, sizeof why);

                if (r != -EBADMSG || !strstr(why, cases[i].why))
                        fail_msg("case %zu: %d \"%s\", want \"%s\"", i, r, why, cases[i].why);
                json_object_put(o);
        }
}

static void test_refusals(void **state) {
        static const struct {
                const char *argv[3];
                bool user;
                const char *json, *want;
                int exit;
        } cases[] = {
                { { "reload" }, false, "{\"ok\":false,\"cmd\":\"reload\",\"error\":\"not allowed\",\"code\":\"EPERM\"}",
                  "headroomctl: reload: not allowed (EPERM); run it as root, e.g. with sudo\n", 4 },
                { { "reload" }, true, "{\"ok\":false,\"error\":\"not allowed\",\"code\":\"EPERM\"}",
                  "headroomctl: reload: not allowed (EPERM); run it as the daemon's user or as root\n", 4 },
                { { "unfreeze", "tracker-miner-fs-3" }, false,
                  "{\"ok\":false,\"error\":\"nothing held matches tracker-miner-fs-3\",\"code\":\"ENOENT\"}",
                  "headroomctl: unfreeze: nothing held matches tracker-miner-fs-3 (ENOENT); process names are at most "
                  "15 bytes: try \"tracker-miner-f\"\n", 1 },
                { { "unfreeze", "4242" }, false, "{\"ok\":false,\"error\":\"nothing held matches 4242\",\"code\":\"ENOENT\"}",
                  "headroomctl: unfreeze: nothing held matches 4242 (ENOENT)\n", 1 },
                { { "reload" }, false,
                  "{\"ok\":false,\"error\":\"configuration has 2 errors\",\"code\":\"EINVAL\",\"errors\":"
                  "[\"/etc/headroom/headroom.conf:3: unknown key \\\"x\\\"\",\"/etc/headroom/headroom.conf:9: bad value\"]}",
                  "headroomctl: reload: configuration has 2 errors (EINVAL); headroomd keeps its previous configuration\n"
                  "/etc/headroom/headroom.conf:3: unknown key \"x\"\n"
                  "/etc/headroom/headroom.conf:9: bad value\n", 1 },
                { { "status" }, false, "{\"ok\":false,\"error\":\"busy\\u001b[1m\",\"code\":\"EBUSY\"}",
                  "headroomctl: status: busy?[1m (EBUSY)\n", 1 },
        };
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *argv[4] = { (char *) "headroomctl" };
                int argc = 1;
                HrCtlArgs a;
                char why[256];
                Render r;

                for (size_t j = 0; j < 3 && cases[i].argv[j]; j++)
                        argv[argc++] = (char *) cases[i].argv[j];
                assert_int_equal(hr_ctl_parse_args(argc, argv, &a, why, sizeof why), 0);
                a.user = cases[i].user;
                json_object *o = parse(cases[i].json);
                assert_int_equal(hr_ctl_check_response(o, a.verb, why, sizeof why), 1);
                hr_ctl_print_refusal(o, &a, render_begin(&r));
                char *s = render_end(&r);
                if (strcmp(s, cases[i].want) != 0)
                        fail_msg("case %zu:\n%s\nwant\n%s", i, s, cases[i].want);
                assert_int_equal(hr_ctl_refusal_exit(o), cases[i].exit);
                free(s);
                json_object_put(o);
        }
}

/* ---- events ---- */

static void test_events(void **state) {
        static const struct {
                const char *json, *want;
        } cases[] = {
                { "{\"event\":\"level\",\"time\":1732276801.12,\"from\":\"NORMAL\",\"to\":\"HIGH\",\"score\":47.3,"
                  "\"why\":\"score held\"}",
                  "12:00:01 level NORMAL -> HIGH (score 47.3): score held\n" },
                { "{\"event\":\"level\",\"time\":1732276801,\"from\":\"HIGH\",\"to\":\"NORMAL\",\"score\":3}",
                  "12:00:01 level HIGH -> NORMAL (score 3.0)\n" },
                { "{\"event\":\"action\",\"time\":1732276801.13,\"type\":\"freeze\",\"pid\":4242,\"comm\":\"chrome\","
                  "\"priority\":85,\"level\":\"HIGH\",\"score\":47.3,\"reason\":\"psi_some\",\"why\":\"HIGH 47.30: psi_some 21.40% (38 pts)\"}",
                  "12:00:01 freeze 4242 (chrome, priority 85): HIGH 47.30: psi_some 21.40% (38 pts)\n" },
                { "{\"event\":\"action\",\"time\":1732276861,\"type\":\"kill\",\"pid\":9,\"comm\":\"leaker\","
                  "\"priority\":50,\"why\":\"x\",\"dry_run\":true}",
                  "12:01:01 would kill 9 (leaker, priority 50): x\n" },
                { "{\"event\":\"reload\",\"time\":1732276801,\"files\":2}",
                  "12:00:01 reload {\"event\":\"reload\",\"time\":1732276801,\"files\":2}\n" },
        };
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                json_object *o = parse(cases[i].json);
                char why[256] = "";
                Render r;

                if (hr_ctl_check_event(o, why, sizeof why) != 0)
                        fail_msg("case %zu rejected: %s", i, why);
                hr_ctl_print_event(o, false, render_begin(&r));
                char *s = render_end(&r);
                if (strcmp(s, cases[i].want) != 0)
                        fail_msg("case %zu: \"%s\", want \"%s\"", i, s, cases[i].want);
                free(s);
                json_object_put(o);
        }

        json_object *o = parse(cases[0].json);
        Render r;
        hr_ctl_print_event(o, true, render_begin(&r));
        char *s = render_end(&r);
        assert_string_equal(s, "12:00:01 level \033[1;32mNORMAL\033[0m -> \033[1;33mHIGH\033[0m (score 47.3): score held\n");
        free(s);
        json_object_put(o);
}

static void test_events_strict(void **state) {
        static const struct {
                const char *json, *why;
        } cases[] = {
                { "{\"time\":1}", "\"event\" is missing" },
                { "{\"event\":\"level\"}", "\"time\" is missing" },
                { "{\"event\":\"level\",\"time\":\"noon\"}", "\"time\" is not a number" },
                { "{\"event\":\"level\",\"time\":1,\"from\":\"A\",\"to\":\"B\"}", "\"score\" is missing" },
                { "{\"event\":\"action\",\"time\":1,\"type\":\"freeze\",\"pid\":-4,\"comm\":\"a\",\"priority\":1}",
                  "\"pid\" is not a non-negative integer" },
                { "{\"event\":\"action\",\"time\":1,\"type\":\"freeze\",\"pid\":4,\"comm\":\"a\",\"priority\":1,\"why\":2}",
                  "\"why\" is not a string" },
        };
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                json_object *o = parse(cases[i].json);
                char why[256] = "";
                int r = hr_ctl_check_event(o, why, sizeof why);

                if (r != -EBADMSG || !strstr(why, cases[i].why))
                        fail_msg("case %zu: %d \"%s\", want \"%s\"", i, r, why, cases[i].why);
                json_object_put(o);
        }
}

/* ---- small formatters ---- */

static void test_formatters(void **state) {
        static const struct {
                uint64_t v;
                const char *want;
        } kib[] = {
                { 0, "0 KiB" }, { 900, "900 KiB" }, { 1023, "1023 KiB" }, { 1024, "1.0 MiB" },
                { 524288, "512.0 MiB" }, { 1200000, "1.1 GiB" }, { 16384000, "15.6 GiB" },
                { 2147483648ULL, "2.0 TiB" },
        }, dur[] = {
                { 0, "0s" }, { 42, "42s" }, { 60, "1min" }, { 303, "5min 3s" }, { 3600, "1h" },
                { 7380, "2h 3min" }, { 86399, "23h 59min" }, { 86400, "1d" }, { 277200, "3d 5h" },
        };
        char buf[64];

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(kib); i++)
                assert_string_equal(hr_ctl_format_kib(kib[i].v, buf, sizeof buf), kib[i].want);
        for (size_t i = 0; i < ELEMENTSOF(dur); i++)
                assert_string_equal(hr_ctl_format_duration(dur[i].v, buf, sizeof buf), dur[i].want);

        assert_string_equal(hr_ctl_format_clock(1732276801.9, buf, sizeof buf), "12:00:01");
        assert_string_equal(hr_ctl_format_clock(-1.0, buf, sizeof buf), "??:??:??");
        assert_string_equal(hr_ctl_format_clock(1e300, buf, sizeof buf), "??:??:??");

        assert_string_equal(hr_ctl_level_color("NORMAL"), "\033[1;32m");
        assert_string_equal(hr_ctl_level_color("ELEVATED"), "\033[1;33m");
        assert_string_equal(hr_ctl_level_color("HIGH"), "\033[1;33m");
        assert_string_equal(hr_ctl_level_color("CRITICAL"), "\033[1;31m");
        assert_string_equal(hr_ctl_level_color("EMERGENCY"), "\033[1;31m");
        assert_string_equal(hr_ctl_level_color("PANIC"), "");

        assert_string_equal(hr_ctl_sanitize("plain", buf, sizeof buf), "plain");
        assert_string_equal(hr_ctl_sanitize("\033]0;x\007", buf, sizeof buf), "?]0;x?");
        assert_string_equal(hr_ctl_sanitize("a\xc2\x9b" "b\x7f", buf, sizeof buf), "a?b?");
        assert_string_equal(hr_ctl_sanitize("\xc3\xa9t\xc3\xa9", buf, sizeof buf), "\xc3\xa9t\xc3\xa9");
        assert_string_equal(hr_ctl_sanitize("abcdef", buf, 4), "abc");
}

static void test_json_line(void **state) {
        json_object *o = parse("{ \"ok\" : true, \"path\" : \"/run/x\", \"score\" : 47.30 }");

        (void) state;
        assert_string_equal(hr_ctl_json_line(o), "{\"ok\":true,\"path\":\"/run/x\",\"score\":47.30}");
        json_object_put(o);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_args),
                cmocka_unit_test(test_unfreeze_long_name),
                cmocka_unit_test(test_socket_path),
                cmocka_unit_test(test_color),
                cmocka_unit_test(test_exit_statuses),
                cmocka_unit_test(test_requests),
                cmocka_unit_test(test_parse_line),
                cmocka_unit_test(test_status_view),
                cmocka_unit_test(test_status_zram_and_limit),
                cmocka_unit_test(test_status_strict),
                cmocka_unit_test(test_status_variants),
                cmocka_unit_test(test_list_view),
                cmocka_unit_test(test_list_strict),
                cmocka_unit_test(test_small_views),
                cmocka_unit_test(test_small_strict),
                cmocka_unit_test(test_refusals),
                cmocka_unit_test(test_events),
                cmocka_unit_test(test_events_strict),
                cmocka_unit_test(test_formatters),
                cmocka_unit_test(test_json_line),
        };

        /* Event times are shown in local time: pin it. */
        (void) setenv("TZ", "UTC", 1);
        tzset();
        return cmocka_run_group_tests(tests, NULL, NULL);
}
