/* SPDX-License-Identifier: MIT */
/* What the parser fuzz targets share: the poison byte an output is filled with before a call, and the check
 * that a failed call left it untouched. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FUZZ_POISON 0xa5

static inline bool fuzz_poisoned(const void *p, size_t n, uint8_t poison) {
        const uint8_t *b = p;
        for (size_t i = 0; i < n; i++)
                if (b[i] != poison)
                        return false;
        return true;
}
