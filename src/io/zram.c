/* SPDX-License-Identifier: MIT */
/* zram actuator (see zram.h): one write of "1" to block/zramN/compact under the root's sys/, then mm_stat again. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "io/zram.h"
#include "parse/parse.h"
#include "shared/macros.h"

int hr_zram_compact(const HrSysroot *root, unsigned index, HrZramStat *after) {
        char rel[64], buf[512];
        ssize_t k;

        if (root->sys_fd < 0)
                return -ENOENT;
        (void) snprintf(rel, sizeof rel, "block/zram%u/compact", index);
        _cleanup_close_ int fd = openat(root->sys_fd, rel, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        do
                k = write(fd, "1", 1);
        while (k < 0 && errno == EINTR);
        if (k < 0)
                return -errno;
        if (!after)
                return 0;
        (void) snprintf(rel, sizeof rel, "block/zram%u/mm_stat", index);
        ssize_t n = hr_read_at(root->sys_fd, rel, buf, sizeof buf);
        if (n < 0)
                return (int) n;
        return hr_parse_zram_mm_stat(buf, (size_t) n, after, NULL) < 0 ? -EBADMSG : 0;
}
