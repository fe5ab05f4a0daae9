/* SPDX-License-Identifier: MIT */
/* Shared by the parser table tests: exact-length inputs, named expectations, the common row head, and
 * the runner that checks every parser's contract. */
#pragma once

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/parse.h"

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

static inline const char *errname(int r) {
        switch (r) {
        case 0:
                return "0";
        case -EBADMSG:
                return "-EBADMSG";
        case -EINVAL:
                return "-EINVAL";
        case -ERANGE:
                return "-ERANGE";
        case -ENOENT:
                return "-ENOENT";
        default:
                return "(other)";
        }
}

/* A parser behind one signature, with the size of its result. */
typedef struct Parser {
        const char *name;
        int (*fn)(const char *buf, size_t len, void *ret, HrParseErr *err);
        size_t size;
} Parser;

/* Parses an exact-size heap copy (ASan catches any read past len) and checks the shared contract: the
 * return code; on failure err.line and err.why are set, *ret is untouched (it is filled with SENTINEL
 * first and compared with `sentinel`, p->size bytes of it), and err == NULL gives the same outcome.
 * Returns the copy (the caller frees it: span results point into it). */
static inline char *parse_check(const Parser *p, const unsigned char *sentinel, const char *name, const char *in,
                                size_t len, int want_r, unsigned want_line, void *ret) {
        char *copy = malloc(len > 0 ? len : 1);
        HrParseErr err = { 0xdead, NULL };
        const char *bad = NULL;
        int r, r2;

        assert_non_null(copy);
        memcpy(copy, in, len);
        memset(ret, SENTINEL, p->size);
        r = p->fn(copy, len, ret, &err);
        if (r != want_r)
                bad = "wrong return code";
        else if (r < 0 && (!err.why || !*err.why))
                bad = "err.why not set";
        else if (r < 0 && err.line != want_line)
                bad = "wrong err.line";
        else if (r < 0 && memcmp(ret, sentinel, p->size) != 0)
                bad = "*ret written on failure";
        else if (r < 0 && ((r2 = p->fn(copy, len, ret, NULL)) != r || memcmp(ret, sentinel, p->size) != 0))
                bad = "different outcome with err == NULL";
        if (bad) {
                free(copy);
                fail_msg("%s case \"%s\": %s (r=%s want %s, line=%u want %u, why=%s)", p->name, name, bad,
                         errname(r), errname(want_r), err.line, want_line, err.why ? err.why : "(null)");
        }
        return copy;
}
