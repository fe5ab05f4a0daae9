/* SPDX-License-Identifier: MIT */
/* The daemon's one clock: CLOCK_MONOTONIC in microseconds. Not for src/core, which gets "now" in its input. */
#pragma once

#include <time.h>

#include "shared/macros.h"

static inline usec_t hr_now(void) {
        struct timespec ts;
        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (usec_t) ts.tv_sec * USEC_PER_SEC + (usec_t) ts.tv_nsec / 1000;
}
