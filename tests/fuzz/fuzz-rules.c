/* SPDX-License-Identifier: MIT */
/* Fuzz target of the built-in rules' matchers (core/classify.c: command-line words, executable path tails, comm
 * names): the input, cut at its first NUL, is the command line and the executable path of one process, and each
 * rule that replaced a regex must decide as that regex does (tests/builtin-regex.h); every built-in rule is run
 * over it as comm, cmdline and exe, so a long or odd subject must never read or write out of bounds. */
#include <regex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../builtin-regex.h"
#include "core/classify.h"
#include "core/config.h"
#include "shared/macros.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define INPUT_MAX (3 * HR_CMDLINE_MAX) /* past the matcher's word buffer, which a table never fills */

static HrConfig cfg;
static const HrRule *rule[ELEMENTSOF(builtin_regex)];
static regex_t re[ELEMENTSOF(builtin_regex)];

static void setup(void) {
        if (hr_config_init_default(&cfg) < 0)
                abort();
        for (size_t i = 0; i < ELEMENTSOF(builtin_regex); i++) {
                for (size_t k = 0; k < cfg.n_rules; k++)
                        if (strcmp(cfg.rules[k].name, builtin_regex[i].rule) == 0)
                                rule[i] = &cfg.rules[k];
                if (!rule[i] || regcomp(&re[i], builtin_regex[i].regex, REG_EXTENDED | REG_NOSUB) != 0)
                        abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static bool ready;
        static char s[INPUT_MAX + 1];

        if (!ready) {
                setup();
                ready = true;
        }
        if (size > INPUT_MAX)
                return 0;
        memcpy(s, data, size);
        s[size] = '\0'; /* a subject is a C string: it ends at the first NUL */

        /* Within a command line's length: the same answer as the regex the rule replaced. */
        for (size_t i = 0; i < ELEMENTSOF(builtin_regex) && strlen(s) < HR_CMDLINE_MAX; i++) {
                const char *field[_HR_MATCH_MAX] = { "x", "", "", "/", "alice" };
                field[builtin_regex[i].field] = s;
                bool want = regexec(&re[i], s, 0, NULL, 0) == 0;
                if (hr_rule_matches_subjects(rule[i], field) != want)
                        abort();
        }
        /* Every built-in rule over it as each field: no crash, and the same answer twice. */
        const char *all[_HR_MATCH_MAX] = { s, s, s, s, s };
        for (size_t k = 0; k < cfg.n_rules; k++)
                if (hr_rule_matches_subjects(&cfg.rules[k], all) != hr_rule_matches_subjects(&cfg.rules[k], all))
                        abort();
        return 0;
}
