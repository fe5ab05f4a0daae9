/* SPDX-License-Identifier: MIT */
/* Fuzz target of the zram mm_stat parser (parse/zram.c): the error contract, 3..9 columns counted, columns
 * beyond those present zero, and a success written back parsing to the same struct. */
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        HrZramStat z, again;
        HrParseErr err = { 12345, NULL };

        if (size > INPUT_MAX)
                return 0;
        memset(&z, POISON, sizeof z);
        int r = hr_parse_zram_mm_stat((const char *) data, size, &z, &err);
        if (r < 0) {
                if (r != -EBADMSG && r != -EINVAL && r != -ERANGE)
                        abort();
                if (!poisoned(&z, sizeof z) || !err.why || !err.why[0] || err.line != 1)
                        abort();
                if (hr_parse_zram_mm_stat((const char *) data, size, &z, NULL) != r)
                        abort();
                return 0;
        }
        if (r != 0 || err.why || z.n_cols < 3 || z.n_cols > 9)
                abort();
        const uint64_t col[9] = { z.orig_data_bytes,  z.compr_data_bytes,  z.mem_used_total_bytes,
                                  z.mem_limit_bytes,  z.mem_used_max_bytes, z.same_pages,
                                  z.pages_compacted,  z.huge_pages,         z.huge_pages_since };
        char text[9 * 24 + 8];
        size_t n = 0;
        for (unsigned i = 0; i < 9; i++) {
                if (i >= z.n_cols && col[i] != 0)
                        abort();
                if (i < z.n_cols)
                        n += (size_t) snprintf(text + n, sizeof text - n, "%s%" PRIu64, i ? "  " : "", col[i]);
        }
        text[n++] = '\n';
        memset(&again, POISON, sizeof again);
        if (hr_parse_zram_mm_stat(text, n, &again, NULL) != 0 || memcmp(&again, &z, sizeof z) != 0)
                abort();
        return 0;
}
