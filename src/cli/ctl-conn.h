/* SPDX-License-Identifier: MIT */
/* headroomctl's connection to the control socket: connect with a bound wait, send a request line, read
 * response lines (JSON lines, '\n'-terminated) with a deadline or, for event streams, without one. */
#pragma once

#include <signal.h>
#include <stddef.h>

#include "shared/macros.h"

/* The longest response line accepted; a longer one is not a valid response. */
#define HR_CTL_LINE_MAX (16U * 1024U * 1024U)

typedef struct HrCtlConn {
        int fd;
        char *buf;                 /* received bytes, buf[start..len) not yet returned */
        size_t start, len, size;
        const sigset_t *poll_mask; /* signals let through while waiting (ppoll), or NULL for none */
} HrCtlConn;

#define HR_CTL_CONN_INIT { .fd = -EBADF }

/* Connects to the stream socket at path, waiting at most until deadline (CLOCK_MONOTONIC, usec_t) when
 * the daemon's backlog is full. Returns 0, or -errno from socket()/connect() (-ETIMEDOUT when it did not
 * get through in time). */
int hr_ctl_conn_open(HrCtlConn *c, const char *path, usec_t deadline);

/* Sends len bytes. Returns 0, -ETIMEDOUT, -EPIPE/-ECONNRESET (the daemon closed), or another -errno. */
int hr_ctl_conn_send(HrCtlConn *c, const char *data, size_t len, usec_t deadline);

/* The next line, without its '\n' and NUL-terminated, valid until the next call; deadline USEC_INFINITY
 * waits for ever. Returns 0, -ETIMEDOUT, -ECONNRESET (closed at a line boundary), -EBADMSG (closed inside
 * a line), -E2BIG (a line over HR_CTL_LINE_MAX), -EINTR (a signal in poll_mask arrived), -ENOMEM, or
 * another -errno. */
int hr_ctl_conn_read_line(HrCtlConn *c, usec_t deadline, char **ret_line, size_t *ret_len);

/* Closes and frees; safe to call twice. */
void hr_ctl_conn_done(HrCtlConn *c);
