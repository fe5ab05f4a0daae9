/* SPDX-License-Identifier: MIT */
/* Fuzz target of the PSI parser (parse/psi.c): the error contract (negative errno, output untouched, a reason),
 * averages within 0..100.00%, and a success written back in the kernel's format parsing to the same values. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-util.h"
#include "parse/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define INPUT_MAX (64 * 1024)
#define POISON FUZZ_POISON

static bool poisoned(const void *p, size_t n) {
        return fuzz_poisoned(p, n, POISON);
}

static void check_line(const HrPsiLine *l) {
        if (l->avg10_permyriad > 10000 || l->avg60_permyriad > 10000 || l->avg300_permyriad > 10000)
                abort();
}

static int format_line(char *buf, size_t size, const char *kind, const HrPsiLine *l) {
        return snprintf(buf, size, "%s avg10=%u.%02u avg60=%u.%02u avg300=%u.%02u total=%" PRIu64 "\n", kind,
                        l->avg10_permyriad / 100, l->avg10_permyriad % 100, l->avg60_permyriad / 100,
                        l->avg60_permyriad % 100, l->avg300_permyriad / 100, l->avg300_permyriad % 100, l->total_usec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        HrPsi psi, again;
        HrParseErr err = { 12345, NULL };

        if (size > INPUT_MAX)
                return 0;
        memset(&psi, POISON, sizeof psi);
        int r = hr_parse_psi((const char *) data, size, &psi, &err);
        if (r < 0) {
                if (r != -EBADMSG && r != -EINVAL && r != -ERANGE)
                        abort();
                if (!poisoned(&psi, sizeof psi) || !err.why || !err.why[0])
                        abort();
                /* The same verdict without an error record. */
                if (hr_parse_psi((const char *) data, size, &psi, NULL) != r)
                        abort();
                return 0;
        }
        if (r != 0 || err.line != 12345 || err.why)
                abort(); /* err is written only on failure */
        check_line(&psi.some);
        if (psi.has_full)
                check_line(&psi.full);
        else if (psi.full.avg10_permyriad || psi.full.avg60_permyriad || psi.full.avg300_permyriad ||
                 psi.full.total_usec)
                abort(); /* no "full" line: its values stay zero */

        char text[256];
        int n = format_line(text, sizeof text, "some", &psi.some);
        if (psi.has_full)
                n += format_line(text + n, sizeof text - (size_t) n, "full", &psi.full);
        if (n <= 0 || (size_t) n >= sizeof text)
                abort();
        memset(&again, POISON, sizeof again);
        if (hr_parse_psi(text, (size_t) n, &again, NULL) != 0 || memcmp(&again.some, &psi.some, sizeof psi.some) != 0 ||
            again.has_full != psi.has_full || memcmp(&again.full, &psi.full, sizeof psi.full) != 0)
                abort();
        return 0;
}
