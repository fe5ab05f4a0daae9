/* SPDX-License-Identifier: MIT */
/* Shared by the parser table tests: exact-length inputs, named expectations, the common row head. */
#pragma once

#include <inttypes.h>
#include <stdint.h>
#include <string.h>

/* Every input is given with its exact length, so embedded NULs count and the parser sees no terminator. */
#define IN(s) .in = (s), .len = sizeof(s) - 1

#define SENTINEL 0xA5

static inline void expect_u(const char *name, const char *what, uint64_t got, uint64_t want) {
        if (got != want)
                fail_msg("case \"%s\": %s = %" PRIu64 ", want %" PRIu64, name, what, got, want);
}
static inline void expect_i(const char *name, const char *what, int64_t got, int64_t want) {
        if (got != want)
                fail_msg("case \"%s\": %s = %" PRId64 ", want %" PRId64, name, what, got, want);
}
static inline void expect_s(const char *name, const char *what, const char *got, const char *want) {
        if (strcmp(got, want) != 0)
                fail_msg("case \"%s\": %s = \"%s\", want \"%s\"", name, what, got, want);
}
#define EXPECT_U(name, got, want) expect_u((name), #got, (got), (want))
#define EXPECT_I(name, got, want) expect_i((name), #got, (got), (want))
#define EXPECT_S(name, got, want) expect_s((name), #got, (got), (want))

/* First fields of every table row: the input, the expected return code and, on failure, err.line. */
#define CASE_HEAD              \
        const char *name, *in; \
        size_t len;            \
        int r;                 \
        unsigned line
