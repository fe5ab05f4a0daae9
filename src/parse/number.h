/* SPDX-License-Identifier: MIT */
/* Internal to parse/: strict numbers. All return 0, -EINVAL (not a number) or -ERANGE. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

int hr_parse_i32(const char *s, size_t n, int32_t *ret);

/* "38.19" -> 3819. Accepts 0..100 with any number of decimals (extra ones are truncated). */
int hr_parse_percent_permyriad(const char *s, size_t n, uint32_t *ret);
