/* SPDX-License-Identifier: MIT */
/* Clearing large, mostly idle state without making it resident: only the pages that hold something are written. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* memset(p, 0, n), except that a 4 KiB block already all zero is only read, never written. The daemon's state
 * (the monitor, the executor, cgroup relief) is hundreds of KiB of fixed-size tables, almost all of it unused
 * most of the time; it lives in the zero-filled bss, and a plain memset or compound-literal assignment would
 * dirty every page of it, making it resident (and, under mlockall, locked) for nothing. Reading an untouched
 * anonymous page maps the shared zero page, which is not counted as resident. The memory must be initialised
 * (static, calloc'd, or cleared before): it is read first, and memcheck rightly objects to reading garbage. */
static inline void hr_zero_sparse(void *p, size_t n) {
        enum { BLOCK = 4096 };
        unsigned char *b = p, *end = b + n;

        while (b < end) {
                /* up to the next block boundary, so that whole pages are tested alone */
                size_t len = BLOCK - ((uintptr_t) b & (BLOCK - 1));
                if (len > (size_t) (end - b))
                        len = (size_t) (end - b);
                size_t i = 0;
                while (i < len && b[i] == 0)
                        i++;
                if (i < len)
                        memset(b + i, 0, len - i);
                b += len;
        }
}
