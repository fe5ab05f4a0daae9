/* SPDX-License-Identifier: MIT */
/* Fuzz target of the mountinfo parser (parse/mountinfo.c): the cgroup2 mount point into buffers of every small
 * size and a large one, always NUL-terminated and consistent between sizes, -ENOENT/-ENAMETOOLONG with a
 * reason otherwise, the output untouched on failure; a success written back (escaped) parses the same. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-util.h"
#include "parse/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define INPUT_MAX (64 * 1024)
#define POISON 'Z'

static bool poisoned(const char *p, size_t n) {
        return fuzz_poisoned(p, n, POISON);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static char big[PATH_MAX + 1], small[80], text[PATH_MAX * 4 + 128];
        const char *buf = (const char *) data;
        HrParseErr err = { 12345, NULL };

        if (size > INPUT_MAX)
                return 0;
        memset(big, POISON, sizeof big);
        int r = hr_parse_mountinfo_cgroup2(buf, size, big, sizeof big - 1, &err);
        if (r < 0) {
                if (r != -ENOENT && r != -ENAMETOOLONG)
                        abort();
                if (!err.why || !err.why[0] || !poisoned(big, sizeof big))
                        abort();
        } else if (r != 0 || err.why || big[sizeof big - 1] != POISON || !memchr(big, '\0', sizeof big - 1))
                abort();
        size_t len = r == 0 ? strlen(big) : 0;
        if (r == 0 && len == 0)
                abort(); /* a mount point is never empty */

        /* Small sizes (none, one byte, around the answer's length, one picked by the input): the same answer where
         * it fits, -ENAMETOOLONG where it does not, nothing written past size. */
        const size_t sizes[] = { 0, 1, len, len + 1, len + 2, size ? data[0] % sizeof small : 2 };
        for (size_t k_size = 0; k_size < sizeof sizes / sizeof sizes[0]; k_size++) {
                size_t s = sizes[k_size];
                if (s >= sizeof small)
                        continue;
                memset(small, POISON, sizeof small);
                int k = hr_parse_mountinfo_cgroup2(buf, size, small, s, NULL);
                if (!poisoned(small + s, sizeof small - s))
                        abort();
                bool fits = r == 0 && len < s;
                if (r == -ENOENT ? k != -ENOENT : fits ? k != 0 || strcmp(small, big) != 0 : k != -ENAMETOOLONG)
                        abort();
                if (k < 0 && !poisoned(small, sizeof small))
                        abort();
        }
        if (r < 0)
                return 0;

        /* Written back as the kernel escapes it, after a line that is not cgroup2, it parses the same. */
        size_t n = (size_t) snprintf(text, sizeof text, "22 1 0:21 / /proc rw,relatime - proc proc rw\n"
                                                       "41 31 0:38 / ");
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char) big[i];
                if (c <= ' ' || c == '\\' || c >= 0x7f)
                        n += (size_t) sprintf(text + n, "\\%03o", c);
                else
                        text[n++] = (char) c;
        }
        n += (size_t) sprintf(text + n, " rw,nosuid shared:9 - cgroup2 cgroup2 rw,nsdelegate\n");
        static char again[PATH_MAX + 1];
        if (hr_parse_mountinfo_cgroup2(text, n, again, sizeof again, NULL) != 0 || strcmp(again, big) != 0)
                abort();
        return 0;
}
