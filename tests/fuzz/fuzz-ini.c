/* SPDX-License-Identifier: MIT */
/* Fuzz target of the configuration: the INI tokenizer alone (with its invariants checked), then the whole
 * loader (key table, value parsers, regexes, rule overrides, cross-checks) over the same bytes. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config.h"
#include "parse/ini.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define INPUT_MAX (64 * 1024)

typedef struct Seen {
        unsigned last_line;
} Seen;

static bool blank(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* What every item must satisfy, whatever the input. */
static int on_item(const HrIniItem *it, void *userdata) {
        Seen *s = userdata;
        if (it->line == 0 || it->line <= s->last_line)
                abort(); /* lines strictly increase: one event per logical line */
        s->last_line = it->line;
        if (!it->section[0] || strchr(it->section, '\n') || strchr(it->name, '\n'))
                abort();
        if (it->key) {
                size_t k = strlen(it->key), v = strlen(it->value);
                if (k == 0 || blank(it->key[0]) || blank(it->key[k - 1]) || strchr(it->key, '=') ||
                    strchr(it->key, '\n') || strchr(it->value, '\n'))
                        abort();
                if (v > 0 && (blank(it->value[0]) || blank(it->value[v - 1])))
                        abort();
        }
        return 0;
}

static int on_error(unsigned line, const char *why, void *userdata) {
        Seen *s = userdata;
        if (line == 0 || !why || !why[0] || line < s->last_line)
                abort();
        s->last_line = line;
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *buf = (const char *) data;

        if (size > INPUT_MAX)
                return 0;

        char *scratch = malloc(HR_INI_SCRATCH_SIZE(size));
        if (!scratch)
                return 0;
        Seen seen = {};
        int r = hr_ini_parse(buf, size, scratch, HR_INI_SCRATCH_SIZE(size), on_item, on_error, &seen, NULL);
        if (r != 0 && r != -EBADMSG)
                abort();
        HrParseErr err = {};
        seen = (Seen) {};
        r = hr_ini_parse(buf, size, scratch, HR_INI_SCRATCH_SIZE(size), on_item, NULL, &seen, &err);
        if (r == -EBADMSG && (err.line == 0 || !err.why))
                abort();
        free(scratch);

        /* With the built-in rules (compiling them is most of a run's cost) for inputs with an odd first byte,
         * so overrides of built-ins are covered too; over a rule-less copy of the defaults otherwise. */
        static HrConfig bare;
        static bool have_bare;
        if (!have_bare) {
                if (hr_config_init_default(&bare) < 0)
                        return 0;
                for (size_t i = 0; i < bare.n_rules; i++)
                        for (unsigned f = 0; f < _HR_MATCH_MAX; f++)
                                if (bare.rules[i].has[f])
                                        regfree(&bare.rules[i].re[f]);
                free(bare.rules);
                bare.rules = NULL;
                bare.n_rules = 0;
                have_bare = true;
        }
        HrConfig base = bare;
        HrConfLoader *l = size > 0 && (data[0] & 1) ? hr_conf_loader_new() : hr_conf_loader_new_over(&base);
        if (!l)
                return 0;
        HrConfig c;
        HrConfErrors errors = {};
        if (hr_conf_loader_feed(l, "fuzz.conf", buf, size) == 0) {
                r = hr_conf_loader_finish(l, &c, &errors);
                if (r == 0) {
                        if (errors.n != 0)
                                abort();
                        hr_config_done(&c);
                } else if (r == -EINVAL) {
                        if (errors.n == 0)
                                abort();
                        for (size_t i = 0; i < errors.n; i++)
                                if (strncmp(errors.lines[i], "fuzz.conf:", 10) != 0 && errors.lines[i][0] != '(')
                                        abort();
                }
                hr_conf_errors_done(&errors);
        }
        hr_conf_loader_free(l);
        return 0;
}
