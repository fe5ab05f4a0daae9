/* SPDX-License-Identifier: MIT */
/* Fuzz target of the /proc/loadavg parser (parse/loadavg.c): the error contract, the bounds of what it keeps (a
 * pid, tasks at least running), and a success written back in the kernel's format parsing the same. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-util.h"
#include "parse/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define INPUT_MAX 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static HrLoadavg la, again;
        HrParseErr err = { 12345, NULL };
        char text[128];

        if (size > INPUT_MAX)
                return 0;
        memset(&la, FUZZ_POISON, sizeof la);
        int r = hr_parse_loadavg((const char *) data, size, &la, &err);
        if (r < 0) {
                if (r != -EBADMSG && r != -EINVAL && r != -ERANGE)
                        abort();
                if (!fuzz_poisoned(&la, sizeof la, FUZZ_POISON) || !err.why || !err.why[0] || err.line != 1)
                        abort();
                if (hr_parse_loadavg((const char *) data, size, &la, NULL) != r)
                        abort();
                return 0;
        }
        if (r != 0 || err.why || la.last_pid < 0)
                abort();

        int n = snprintf(text, sizeof text, "0.00 0.00 0.00 1/%" PRIu32 " %" PRId32 "\n", la.tasks ? la.tasks : 1,
                         la.last_pid);
        memset(&again, FUZZ_POISON, sizeof again);
        if (n <= 0 || hr_parse_loadavg(text, (size_t) n, &again, NULL) != 0 || again.last_pid != la.last_pid ||
            again.tasks != (la.tasks ? la.tasks : 1))
                abort();
        return 0;
}
