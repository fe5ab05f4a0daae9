/* SPDX-License-Identifier: MIT */
/* Fuzz target of the /proc/PID/maps parser (parse/maps.c): the error contract (count and size untouched, a reason
 * with a line), ranges in address order, non-empty, not touching (adjacent ones merged), within what was asked for,
 * their size summed right, and a success written back in the kernel's format parsing to the same ranges. */
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
#define RANGES 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static HrRange r[RANGES], again[RANGES];
        static char text[RANGES * 64 + 1];
        HrParseErr err = { 0, NULL };
        size_t n = 12345, n2;
        uint64_t bytes = 54321, bytes2;

        if (size > INPUT_MAX)
                return 0;
        int rc = hr_parse_maps_ranges((const char *) data, size, r, RANGES, &n, &bytes, &err);
        if (rc < 0) {
                if (rc != -EINVAL || n != 12345 || bytes != 54321 || !err.why || !err.why[0] || err.line == 0)
                        abort();
                return 0;
        }
        if (rc != 0 || n > RANGES)
                abort();
        uint64_t sum = 0;
        for (size_t i = 0; i < n; i++) {
                if (r[i].len == 0 || r[i].start + r[i].len < r[i].start)
                        abort();
                if (i > 0 && r[i - 1].start + r[i - 1].len >= r[i].start)
                        abort();
                sum += r[i].len;
        }
        if (n < RANGES && sum != bytes)
                abort();

        size_t o = 0;
        for (size_t i = 0; i < n; i++)
                o += (size_t) snprintf(text + o, sizeof text - o, "%" PRIx64 "-%" PRIx64 " rw-p 00000000 00:00 0\n",
                                       r[i].start, r[i].start + r[i].len);
        if (hr_parse_maps_ranges(text, o, again, RANGES, &n2, &bytes2, NULL) != 0 || n2 != n ||
            memcmp(again, r, n * sizeof r[0]) != 0)
                abort();
        return 0;
}
