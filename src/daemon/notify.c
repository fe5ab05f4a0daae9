/* SPDX-License-Identifier: MIT */
/* sd_notify(3)'s datagram to $NOTIFY_SOCKET (a path, or "@name" in the abstract namespace) and the
 * WATCHDOG_USEC/WATCHDOG_PID pair, read once per call. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/notify.h"

int hr_notify(const char *state) {
        const char *path = getenv("NOTIFY_SOCKET");
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        size_t n;

        if (!path || !path[0])
                return 0;
        n = strlen(path);
        if ((path[0] != '/' && path[0] != '@') || n >= sizeof sa.sun_path)
                return -EINVAL;
        memcpy(sa.sun_path, path, n);
        if (path[0] == '@')
                sa.sun_path[0] = '\0'; /* abstract namespace */

        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        ssize_t k = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *) &sa,
                           (socklen_t) (offsetof(struct sockaddr_un, sun_path) + n));
        int r = k < 0 ? -errno : 0;
        (void) close(fd);
        return r;
}

usec_t hr_notify_watchdog_usec(void) {
        const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
        char *end;

        if (!usec)
                return 0;
        if (pid && strtol(pid, &end, 10) != (long) getpid())
                return 0;
        unsigned long long v = strtoull(usec, &end, 10);
        return *usec && !*end ? (usec_t) v : 0;
}
