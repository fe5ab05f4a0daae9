/* SPDX-License-Identifier: MIT */
/* Fuzz target of the strict number parsers (parse/number.c): hr_parse_u64, hr_parse_i32 and
 * hr_parse_percent_permyriad against plain reference implementations, and their outputs printed back. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse/number.h"
#include "parse/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define INPUT_MAX 256

/* Digits only, at least one; the first problem from the left decides: -EINVAL at a non-digit, -ERANGE at the digit
 * that goes past UINT64_MAX ("18446744073709551616x" is -ERANGE, as hr_parse_u64 has it). */
static int ref_u64(const char *s, size_t n, uint64_t *ret) {
        unsigned __int128 v = 0;

        if (n == 0)
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -EINVAL;
                v = v * 10 + (unsigned) (s[i] - '0');
                if (v > UINT64_MAX)
                        return -ERANGE;
        }
        *ret = (uint64_t) v;
        return 0;
}

static int ref_i32(const char *s, size_t n, int32_t *ret) {
        bool neg = n > 0 && s[0] == '-';
        uint64_t v;
        int r = ref_u64(s + neg, n - neg, &v);
        if (r < 0)
                return r;
        if (neg ? v > (uint64_t) INT32_MAX + 1 : v > INT32_MAX)
                return -ERANGE;
        *ret = (int32_t) (neg ? -(int64_t) v : (int64_t) v);
        return 0;
}

/* "I[.F]" with I digits and F at least one digit; the value truncated to 1/100, at most 100.00. */
static int ref_percent(const char *s, size_t n, uint32_t *ret) {
        size_t dot = 0;
        while (dot < n && s[dot] != '.')
                dot++;
        uint64_t ip;
        int r = ref_u64(s, dot, &ip);
        if (r < 0)
                return r;
        unsigned frac = 0;
        if (dot < n) {
                if (dot + 1 == n)
                        return -EINVAL;
                for (size_t i = dot + 1; i < n; i++)
                        if (s[i] < '0' || s[i] > '9')
                                return -EINVAL;
                frac = (unsigned) (s[dot + 1] - '0') * 10 + (dot + 2 < n ? (unsigned) (s[dot + 2] - '0') : 0);
        }
        if (ip > 100 || (ip == 100 && frac > 0))
                return -ERANGE;
        *ret = (uint32_t) ip * 100 + frac;
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *s = (const char *) data;
        char text[32];

        if (size > INPUT_MAX)
                return 0;

        uint64_t u = 0x5a5a, ru = 0x5a5a;
        int r = hr_parse_u64(s, size, &u), rr = ref_u64(s, size, &ru);
        if (r != rr || u != ru || (r < 0 && u != 0x5a5a))
                abort();
        if (r == 0) {
                uint64_t again;
                int n = snprintf(text, sizeof text, "%" PRIu64, u);
                if (hr_parse_u64(text, (size_t) n, &again) != 0 || again != u)
                        abort();
        }

        int32_t i = 0x5a5a, ri = 0x5a5a;
        r = hr_parse_i32(s, size, &i);
        rr = ref_i32(s, size, &ri);
        if (r != rr || i != ri)
                abort();
        if (r == 0) {
                int32_t again;
                int n = snprintf(text, sizeof text, "%" PRId32, i);
                if (hr_parse_i32(text, (size_t) n, &again) != 0 || again != i)
                        abort();
        }

        uint32_t p = 0x5a5a, rp = 0x5a5a;
        r = hr_parse_percent_permyriad(s, size, &p);
        rr = ref_percent(s, size, &rp);
        if (r != rr || p != rp || (r == 0 && p > 10000))
                abort();
        if (r == 0) {
                uint32_t again;
                int n = snprintf(text, sizeof text, "%u.%02u", p / 100, p % 100);
                if (hr_parse_percent_permyriad(text, (size_t) n, &again) != 0 || again != p)
                        abort();
        }
        return 0;
}
