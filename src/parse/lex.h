/* SPDX-License-Identifier: MIT */
/* Internal to parse/: a cursor over (buf, len) yielding lines and whitespace-separated tokens. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "parse/parse.h"

typedef struct HrSpan {
        const char *p;
        size_t n;
} HrSpan;

static inline bool hr_is_space(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Yields the next line (without '\n') and advances *cur. Returns false at the end. */
static inline bool hr_next_line(HrSpan *cur, HrSpan *ret_line) {
        if (cur->n == 0)
                return false;
        const char *nl = memchr(cur->p, '\n', cur->n);
        size_t l = nl ? (size_t) (nl - cur->p) : cur->n;
        *ret_line = (HrSpan) { cur->p, l };
        cur->p += nl ? l + 1 : l;
        cur->n -= nl ? l + 1 : l;
        return true;
}

/* Yields the next token separated by blanks. Returns false when none is left. */
static inline bool hr_next_token(HrSpan *cur, HrSpan *ret_tok) {
        while (cur->n > 0 && hr_is_space(*cur->p)) {
                cur->p++;
                cur->n--;
        }
        if (cur->n == 0)
                return false;
        size_t l = 0;
        while (l < cur->n && !hr_is_space(cur->p[l]))
                l++;
        *ret_tok = (HrSpan) { cur->p, l };
        cur->p += l;
        cur->n -= l;
        return true;
}

static inline bool hr_span_eq(HrSpan s, const char *lit) {
        size_t n = strlen(lit);
        return s.n == n && memcmp(s.p, lit, n) == 0;
}

static inline bool hr_span_blank(HrSpan s) {
        for (size_t i = 0; i < s.n; i++)
                if (!hr_is_space(s.p[i]))
                        return false;
        return true;
}

/* Fills *err (when given) and returns r: the one failure path of every parser. */
static inline int hr_parse_fail(HrParseErr *err, unsigned line, const char *why, int r) {
        if (err)
                *err = (HrParseErr) { line, why };
        return r;
}

/* Index of key in a table of n names (NULL entries skipped), or -1. */
static inline int hr_span_lookup(HrSpan key, const char *const *names, int n) {
        for (int i = 0; i < n; i++)
                if (names[i] && hr_span_eq(key, names[i]))
                        return i;
        return -1;
}
