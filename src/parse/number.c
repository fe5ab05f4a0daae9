/* SPDX-License-Identifier: MIT */
/* Strict number parsing for the kernel text parsers: decimal u64, signed i32 and 2-decimal percentages. */
#include <errno.h>
#include <limits.h>

#include "parse/number.h"
#include "parse/parse.h"

int hr_parse_u64(const char *s, size_t n, uint64_t *ret) {
        uint64_t v = 0;

        if (n == 0)
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -EINVAL;
                unsigned d = (unsigned) (s[i] - '0');
                if (v > (UINT64_MAX - d) / 10)
                        return -ERANGE;
                v = v * 10 + d;
        }
        *ret = v;
        return 0;
}

int hr_parse_i32(const char *s, size_t n, int32_t *ret) {
        bool neg = n > 0 && s[0] == '-';
        uint64_t v;
        int r;

        r = hr_parse_u64(s + neg, n - neg, &v);
        if (r < 0)
                return r;
        if (v > (uint64_t) INT32_MAX + neg)
                return -ERANGE;
        *ret = neg ? (int32_t) -(int64_t) v : (int32_t) v;
        return 0;
}

int hr_parse_percent_permyriad(const char *s, size_t n, uint32_t *ret) {
        const char *dot = memchr(s, '.', n);
        size_t ni = dot ? (size_t) (dot - s) : n;
        uint64_t ip, frac = 0;
        int r;

        r = hr_parse_u64(s, ni, &ip);
        if (r < 0)
                return r;
        if (dot) {
                size_t nf = n - ni - 1;
                if (nf == 0)
                        return -EINVAL;
                for (size_t i = 0; i < nf; i++) {
                        char c = dot[1 + i];
                        if (c < '0' || c > '9')
                                return -EINVAL;
                        if (i < 2)
                                frac = frac * 10 + (uint64_t) (c - '0');
                }
                if (nf == 1)
                        frac *= 10;
        }
        if (ip > 100 || (ip == 100 && frac > 0))
                return -ERANGE;
        *ret = (uint32_t) (ip * 100 + frac);
        return 0;
}
