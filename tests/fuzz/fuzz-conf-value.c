/* SPDX-License-Identifier: MIT */
/* Fuzz target of the configuration's value parser (daemon/config.c hr_conf_parse_value) over every key of
 * hr_conf_items: the first byte picks the key, the second the size of the reason buffer, the rest is the value.
 * Checks: a failure is a negative errno that leaves the field alone with a reason inside its buffer; a success
 * stays within the key's bounds and formats (hr_conf_format_value) to text that parses back to the same bytes. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define VALUE_MAX 4096
#define WHY_MAX 256

static HrConfig cfg, cfg_copy, cfg_again;
static HrRule rule, rule_copy, rule_again;


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static char value[VALUE_MAX + 1], why[WHY_MAX + 16], text[1024], text2[1024];

        if (size < 2 || size - 2 > VALUE_MAX)
                return 0;
        if (!cfg.rules && hr_config_init_default(&cfg) < 0)
                return 0;

        const HrConfItem *it = &hr_conf_items[data[0] % hr_conf_n_items];
        size_t why_size = data[1] < 0x80 ? WHY_MAX : (size_t) (data[1] & 0x3f);
        memcpy(value, data + 2, size - 2);
        value[size - 2] = '\0';

        bool is_rule = it->flags & HR_CONF_RULE;
        rule = (HrRule) { .priority = -1, .checkpoint = HR_CHECKPOINT_AUTO };
        void *base = is_rule ? (void *) &rule : (void *) &cfg;
        void *copy = is_rule ? (void *) &rule_copy : (void *) &cfg_copy;
        void *again = is_rule ? (void *) &rule_again : (void *) &cfg_again;
        size_t base_size = is_rule ? sizeof rule : sizeof cfg;
        memcpy(copy, base, base_size);

        memset(why, 'Z', sizeof why);
        int r = hr_conf_parse_value(it, value, base, why, why_size);
        for (size_t i = why_size; i < sizeof why; i++)
                if (why[i] != 'Z')
                        abort(); /* written past why_size */
        if (r < 0) {
                if (r == -ENOMEM)
                        return 0;
                if (why_size > 0 && !memchr(why, '\0', why_size))
                        abort();
                if (why_size > 1 && !why[0])
                        abort(); /* a failure says why */
                if (memcmp(base, copy, base_size) != 0)
                        abort(); /* the field is written only on success */
                return 0;
        }
        if (r != 0)
                abort();

        if (it->type == HR_CONF_REGEX) {
                HrMatchField f = (HrMatchField) it->arg;
                if (rule.has[f] != (value[0] != '\0'))
                        abort();
                if (rule.has[f])
                        regfree(&rule.re[f]);
                return 0;
        }
        if (it->store != HR_STORE_NONE) {
                int64_t v = hr_conf_item_value(it, base);
                if (v < it->min || v > it->max)
                        abort();
        }

        /* Formatted, it parses back to the same bytes, and formats the same again. */
        if (hr_conf_format_value(it, base, text, sizeof text) != 0)
                abort();
        memcpy(again, copy, base_size);
        r = hr_conf_parse_value(it, text, again, why, WHY_MAX);
        if (r != 0 && !(r < 0 && it->type == HR_CONF_COMMAND))
                abort(); /* a command may stop being runnable between the two: not a finding */
        if (r == 0) {
                if (memcmp((char *) again + it->offset, (char *) base + it->offset, it->size) != 0)
                        abort();
                if (hr_conf_format_value(it, again, text2, sizeof text2) != 0 || strcmp(text, text2) != 0)
                        abort();
        }
        memcpy(base, copy, base_size);
        return 0;
}
