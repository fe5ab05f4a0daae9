/* SPDX-License-Identifier: MIT */
/* Fuzz target of the whole-file configuration load (daemon/config.c hr_conf_load): the input, split at lines
 * "--", becomes headroom.conf and a drop-in in a temporary system directory, then the same in a user directory.
 * Checks hr_conf_load against feeding the same texts to a loader by hand (same verdict, errors and values), the
 * error lines' form, and that hr_conf_keep_fixed() puts back every fixed key. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define INPUT_MAX (64 * 1024)
#define PARTS 4

static char tmpdir[] = "/tmp/hr-fuzz-conf-XXXXXX";
static char paths[PARTS][PATH_MAX];
static HrConfig defaults;

static void remove_tmpdir(void) {
        static const char *const dirs[] = { "sys/headroom.conf.d", "user/headroom.conf.d", "sys", "user", "" };
        char p[PATH_MAX];
        for (size_t i = 0; i < PARTS; i++)
                (void) unlink(paths[i]);
        for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
                (void) snprintf(p, sizeof p, "%s/%s", tmpdir, dirs[i]);
                (void) rmdir(p);
        }
}

static bool setup(void) {
        static int state; /* 0: not yet, 1: ready, -1: failed */
        static const char *const rel[PARTS] = { "sys/headroom.conf", "sys/headroom.conf.d/10-fuzz.conf",
                                                "user/headroom.conf", "user/headroom.conf.d/10-fuzz.conf" };
        char p[PATH_MAX];

        if (state)
                return state > 0;
        state = -1;
        if (!mkdtemp(tmpdir) || hr_config_init_default(&defaults) < 0)
                return false;
        (void) atexit(remove_tmpdir);
        (void) snprintf(p, sizeof p, "%s/sys", tmpdir);
        (void) mkdir(p, 0700);
        (void) snprintf(p, sizeof p, "%s/sys/headroom.conf.d", tmpdir);
        (void) mkdir(p, 0700);
        (void) snprintf(p, sizeof p, "%s/user", tmpdir);
        (void) mkdir(p, 0700);
        (void) snprintf(p, sizeof p, "%s/user/headroom.conf.d", tmpdir);
        if (mkdir(p, 0700) < 0)
                return false;
        for (size_t i = 0; i < PARTS; i++)
                (void) snprintf(paths[i], sizeof paths[i], "%s/%s", tmpdir, rel[i]);
        state = 1;
        return true;
}

static bool write_file(const char *path, const uint8_t *p, size_t n) {
        FILE *f = fopen(path, "we");
        if (!f)
                return false;
        bool ok = fwrite(p, 1, n, f) == n;
        return fclose(f) == 0 && ok;
}

static void check_errors(const HrConfErrors *e) {
        for (size_t i = 0; i < e->n; i++) {
                bool known = e->lines[i][0] == '(';
                for (size_t k = 0; k < PARTS && !known; k++)
                        known = strncmp(e->lines[i], paths[k], strlen(paths[k])) == 0 &&
                                e->lines[i][strlen(paths[k])] == ':';
                if (!known || strchr(e->lines[i], '\n'))
                        abort();
        }
}

static bool rules_equal(const HrRule *a, const HrRule *b) {
        return strcmp(a->name, b->name) == 0 && a->protect == b->protect &&
               memcmp(a->has, b->has, sizeof a->has) == 0 &&
               a->priority == b->priority && a->checkpoint == b->checkpoint && a->never_kill == b->never_kill &&
               a->freeze_only == b->freeze_only && a->build == b->build && a->whole_cgroup == b->whole_cgroup &&
               a->kill_group == b->kill_group && a->builtin == b->builtin && strcmp(a->file, b->file) == 0 &&
               a->line == b->line && (a->comm_globs == NULL) == (b->comm_globs == NULL) &&
               (a->cmdline_words == NULL) == (b->cmdline_words == NULL) && (a->exe_tails == NULL) == (b->exe_tails == NULL);
}

/* Every value of the config (not regexes) as text, for comparisons. */
static void config_equal(const HrConfig *a, const HrConfig *b) {
        char ta[1024], tb[1024];
        for (size_t i = 0; i < hr_conf_n_items; i++) {
                const HrConfItem *it = &hr_conf_items[i];
                if (it->flags & HR_CONF_RULE)
                        continue;
                if (hr_conf_format_value(it, a, ta, sizeof ta) != 0 ||
                    hr_conf_format_value(it, b, tb, sizeof tb) != 0 ||
                    strcmp(ta, tb) != 0)
                        abort();
        }
        if (a->n_rules != b->n_rules)
                abort();
        for (size_t i = 0; i < a->n_rules; i++)
                if (!rules_equal(&a->rules[i], &b->rules[i]))
                        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const uint8_t *part[PARTS] = {};
        size_t len[PARTS] = {}, n_parts = 0;

        if (!setup())
                abort(); /* no temporary directory: nothing would be tested */
        if (size > INPUT_MAX)
                return 0;

        /* Split at "\n--\n": at most PARTS parts, the last keeps any further separators. */
        const uint8_t *p = data, *end = data + size;
        while (n_parts < PARTS) {
                const uint8_t *sep = NULL;
                if (n_parts < PARTS - 1)
                        for (const uint8_t *q = p; q + 4 <= end && !sep; q++)
                                if (memcmp(q, "\n--\n", 4) == 0)
                                        sep = q;
                part[n_parts] = p;
                len[n_parts] = sep ? (size_t) (sep - p) + 1 : (size_t) (end - p);
                n_parts++;
                if (!sep)
                        break;
                p = sep + 4;
        }
        for (size_t i = 0; i < PARTS; i++) {
                if (i < n_parts) {
                        if (!write_file(paths[i], part[i], len[i]))
                                return 0;
                } else
                        (void) unlink(paths[i]);
        }

        HrConfPaths cp = { .system_dir = NULL, .user_dir = NULL };
        char sys[PATH_MAX], user[PATH_MAX];
        (void) snprintf(sys, sizeof sys, "%s/sys", tmpdir);
        (void) snprintf(user, sizeof user, "%s/user", tmpdir);
        cp.system_dir = sys;
        cp.user_dir = user;

        HrConfig c = {}, byhand = {};
        HrConfErrors errors = {}, errors2 = {};
        size_t n_files = 12345;
        int r = hr_conf_load(&cp, &c, &errors, &n_files);
        if (r == -ENOMEM) {
                hr_conf_errors_done(&errors);
                return 0;
        }
        if (r != 0 && r != -EINVAL)
                abort();
        if ((r == 0) != (errors.n == 0) || n_files != n_parts)
                abort();
        check_errors(&errors);

        /* The same texts fed by hand, in the same order, under the same names. */
        HrConfLoader *l = hr_conf_loader_new();
        if (!l)
                abort();
        for (size_t i = 0; i < n_parts; i++)
                if (hr_conf_loader_feed(l, paths[i], (const char *) part[i], len[i]) < 0)
                        abort();
        int r2 = hr_conf_loader_finish(l, &byhand, &errors2);
        hr_conf_loader_free(l);
        if (r2 != r || errors2.n != errors.n || errors2.dropped != errors.dropped)
                abort();
        for (size_t i = 0; i < errors.n; i++)
                if (strcmp(errors.lines[i], errors2.lines[i]) != 0)
                        abort();

        if (r == 0) {
                config_equal(&c, &byhand);
                /* A reload keeps every fixed key as it runs. */
                HrConfErrors notes = {};
                (void) hr_conf_keep_fixed(&defaults, &c, &notes);
                hr_conf_errors_done(&notes);
                char ta[1024], tb[1024];
                for (size_t i = 0; i < hr_conf_n_items; i++) {
                        const HrConfItem *it = &hr_conf_items[i];
                        if (!(it->flags & HR_CONF_FIXED) || (it->flags & HR_CONF_RULE))
                                continue;
                        if (hr_conf_format_value(it, &defaults, ta, sizeof ta) != 0 ||
                            hr_conf_format_value(it, &c, tb, sizeof tb) != 0 || strcmp(ta, tb) != 0)
                                abort();
                }
                hr_config_done(&c);
                hr_config_done(&byhand);
        }
        hr_conf_errors_done(&errors);
        hr_conf_errors_done(&errors2);
        return 0;
}
