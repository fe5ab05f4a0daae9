/* SPDX-License-Identifier: MIT */
/* Fuzz target of the /proc/swaps parser (parse/swaps.c): the error contract, bounded and NUL-terminated device
 * names, totals that add up, used within size, and a success written back (names re-escaped) parsing the same. */
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

static HrSwaps sw, again;

static bool poisoned(const void *p, size_t n) {
        return fuzz_poisoned(p, n, POISON);
}

/* The kernel's escaping of a file name: blanks, backslash and anything unprintable as \ooo. */
static size_t escape(const char *s, char *out) {
        size_t o = 0;
        for (; *s; s++) {
                unsigned char c = (unsigned char) *s;
                if (c <= ' ' || c == '\\' || c >= 0x7f)
                        o += (size_t) sprintf(out + o, "\\%03o", c);
                else
                        out[o++] = (char) c;
        }
        out[o] = '\0';
        return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static char text[HR_SWAPS_MAX * (HR_SWAP_NAME_MAX * 4 + 96) + 64];
        HrParseErr err = { 12345, NULL };

        if (size > INPUT_MAX)
                return 0;
        memset(&sw, POISON, sizeof sw);
        int r = hr_parse_swaps((const char *) data, size, &sw, &err);
        if (r < 0) {
                if (r != -EBADMSG && r != -EINVAL && r != -ERANGE)
                        abort();
                if (!poisoned(&sw, sizeof sw) || !err.why || !err.why[0] || err.line == 0)
                        abort();
                if (hr_parse_swaps((const char *) data, size, &sw, NULL) != r)
                        abort();
                return 0;
        }
        if (r != 0 || err.why || sw.n_dev > HR_SWAPS_MAX ||
            sw.n_dev != (sw.n_total < HR_SWAPS_MAX ? sw.n_total : HR_SWAPS_MAX))
                abort();
        if (sw.used_kib > sw.size_kib)
                abort();
        uint64_t total = 0, used = 0;
        for (unsigned i = 0; i < sw.n_dev; i++) {
                const HrSwapDev *d = &sw.dev[i];
                if (!memchr(d->name, '\0', sizeof d->name) || d->used_kib > d->size_kib)
                        abort();
                total += d->size_kib;
                used += d->used_kib;
        }
        if (sw.n_total == sw.n_dev && (total != sw.size_kib || used != sw.used_kib))
                abort();
        if (total > sw.size_kib || used > sw.used_kib)
                abort();

        /* Written back: the listed devices, names escaped again, parse to the same devices. */
        size_t n = (size_t) sprintf(text, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
        for (unsigned i = 0; i < sw.n_dev; i++) {
                const HrSwapDev *d = &sw.dev[i];
                if (!d->name[0])
                        return 0; /* a raw NUL byte made the name empty: it cannot be written back */
                n += escape(d->name, text + n);
                n += (size_t) sprintf(text + n, "  %s\t%" PRIu64 "\t%" PRIu64 "\t%" PRId32 "\n",
                                      d->is_file ? "file" : "partition", d->size_kib, d->used_kib, d->priority);
        }
        memset(&again, POISON, sizeof again);
        if (hr_parse_swaps(text, n, &again, NULL) != 0 || again.n_dev != sw.n_dev || again.n_total != sw.n_dev)
                abort();
        for (unsigned i = 0; i < sw.n_dev; i++) {
                const HrSwapDev *a = &sw.dev[i], *b = &again.dev[i];
                if (strcmp(a->name, b->name) != 0 || a->is_file != b->is_file || a->size_kib != b->size_kib ||
                    a->used_kib != b->used_kib || a->priority != b->priority)
                        abort();
        }
        return 0;
}
