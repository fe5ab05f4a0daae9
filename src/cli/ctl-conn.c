/* SPDX-License-Identifier: MIT */
/* headroomctl's connection to the control socket (cli/ctl-conn.h): AF_UNIX stream, non-blocking after
 * connect, every wait a ppoll() bounded by the caller's deadline. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include "cli/ctl-conn.h"
#include "shared/clock.h"

/* The ppoll() timeout until deadline: NULL for none, zero once it has passed. */
static struct timespec *timeout_until(usec_t deadline, struct timespec *ts) {
        usec_t now, left;

        if (deadline == USEC_INFINITY)
                return NULL;
        now = hr_now();
        left = deadline > now ? deadline - now : 0;
        ts->tv_sec = (time_t) (left / USEC_PER_SEC);
        ts->tv_nsec = (long) (left % USEC_PER_SEC) * 1000L;
        return ts;
}

/* Waits for events on c->fd: 0 when ready, -ETIMEDOUT, -EINTR (a signal in poll_mask), -errno. */
static int wait_fd(HrCtlConn *c, short events, usec_t deadline) {
        for (;;) {
                struct pollfd p = { .fd = c->fd, .events = events };
                struct timespec ts;
                int r = ppoll(&p, 1, timeout_until(deadline, &ts), c->poll_mask);

                if (r > 0)
                        return 0; /* readable, writable, or hung up: the next read or send tells which */
                if (r == 0)
                        return -ETIMEDOUT;
                if (errno != EINTR)
                        return -errno;
                if (c->poll_mask)
                        return -EINTR;
        }
}

int hr_ctl_conn_open(HrCtlConn *c, const char *path, usec_t deadline) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        size_t len = strlen(path);
        struct timeval tv;
        struct timespec ts;
        _cleanup_close_ int fd = -EBADF;

        if (len >= sizeof sa.sun_path)
                return -ENAMETOOLONG;
        memcpy(sa.sun_path, path, len + 1);

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        /* A blocking connect() to a daemon whose backlog is full waits up to SO_SNDTIMEO, then fails EAGAIN. */
        if (timeout_until(deadline, &ts)) {
                tv = (struct timeval) { .tv_sec = ts.tv_sec, .tv_usec = ts.tv_nsec / 1000 };
                if (tv.tv_sec == 0 && tv.tv_usec == 0)
                        tv.tv_usec = 1; /* zero would mean no limit */
                if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0)
                        return -errno;
        }
        if (connect(fd, (struct sockaddr *) &sa, (socklen_t) (offsetof(struct sockaddr_un, sun_path) + len + 1)) < 0)
                return errno == EAGAIN || errno == EINPROGRESS ? -ETIMEDOUT : -errno;
        int flags = fcntl(fd, F_GETFL);
        if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
                return -errno;

        c->fd = TAKE_FD(fd);
        c->start = c->len = 0;
        return 0;
}

int hr_ctl_conn_send(HrCtlConn *c, const char *data, size_t len, usec_t deadline) {
        while (len > 0) {
                ssize_t n = send(c->fd, data, len, MSG_NOSIGNAL);

                if (n < 0) {
                        int r;

                        if (errno == EINTR)
                                continue;
                        if (errno != EAGAIN)
                                return -errno;
                        r = wait_fd(c, POLLOUT, deadline);
                        if (r < 0)
                                return r;
                        continue;
                }
                data += n;
                len -= (size_t) n;
        }
        return 0;
}

int hr_ctl_conn_read_line(HrCtlConn *c, usec_t deadline, char **ret_line, size_t *ret_len) {
        size_t scanned = 0; /* bytes after start known to hold no '\n' */

        for (;;) {
                size_t unscanned = c->len - c->start - scanned;
                char *nl = unscanned > 0 ? memchr(c->buf + c->start + scanned, '\n', unscanned) : NULL;
                ssize_t n;
                int r;

                if (nl) {
                        *nl = '\0';
                        *ret_line = c->buf + c->start;
                        *ret_len = (size_t) (nl - *ret_line);
                        c->start = (size_t) (nl - c->buf) + 1;
                        return 0;
                }
                scanned = c->len - c->start;
                if (scanned > HR_CTL_LINE_MAX)
                        return -E2BIG;

                /* Room to read: move the partial line to the front, grow when full. */
                if (c->start > 0) {
                        memmove(c->buf, c->buf + c->start, c->len - c->start);
                        c->len -= c->start;
                        c->start = 0;
                }
                if (c->len == c->size) {
                        size_t size = c->size ? c->size * 2 : 8192;
                        char *b = realloc(c->buf, size);
                        if (!b)
                                return -ENOMEM;
                        c->buf = b;
                        c->size = size;
                }

                n = read(c->fd, c->buf + c->len, c->size - c->len);
                if (n > 0) {
                        c->len += (size_t) n;
                        continue;
                }
                if (n == 0)
                        return c->len > c->start ? -EBADMSG : -ECONNRESET;
                if (errno == EINTR)
                        continue;
                if (errno != EAGAIN)
                        return -errno;
                r = wait_fd(c, POLLIN, deadline);
                if (r < 0)
                        return r;
        }
}

void hr_ctl_conn_done(HrCtlConn *c) {
        c->fd = hr_close(c->fd);
        free(c->buf);
        c->buf = NULL;
        c->start = c->len = c->size = 0;
}
