/* SPDX-License-Identifier: MIT */
/* Shared basics for every layer: time and size types, cleanup attributes, small helpers. No I/O. */
#pragma once

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

typedef uint64_t usec_t;

#define USEC_PER_MSEC ((usec_t) 1000ULL)
#define USEC_PER_SEC ((usec_t) 1000000ULL)
#define USEC_INFINITY ((usec_t) UINT64_MAX)

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define CLAMP(x, lo, hi) ((x) < (lo) ? (lo) : (x) > (hi) ? (hi) : (x))

#define _unused_ __attribute__((unused))
#define _pure_ __attribute__((pure))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _cleanup_(f) __attribute__((cleanup(f)))
#define _fallthrough_ __attribute__((fallthrough))

static inline void hr_closep(int *fd) {
        if (*fd >= 0) {
                int saved = errno;
                (void) close(*fd);
                errno = saved;
        }
}
#define _cleanup_close_ _cleanup_(hr_closep)

static inline void hr_freep(void *p) {
        free(*(void **) p);
}
#define _cleanup_free_ _cleanup_(hr_freep)

/* Moves ownership out of a cleanup variable. */
#define TAKE_FD(fd)                      \
        ({                               \
                int _fd_ = (fd);         \
                (fd) = -EBADF;           \
                _fd_;                    \
        })
#define TAKE_PTR(p)                              \
        ({                                       \
                __typeof__(p) _p_ = (p);         \
                (p) = NULL;                      \
                _p_;                             \
        })

/* Closes fd if valid and returns -EBADF, so "fd = hr_close(fd);" always leaves it invalid. */
static inline int hr_close(int fd) {
        if (fd >= 0)
                (void) close(fd);
        return -EBADF;
}
