/* SPDX-License-Identifier: MIT */
/* zram actuator (see zram.h): one write of "1" to block/zramN/compact under the root's sys/, then mm_stat again. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "io/zram.h"
#include "parse/parse.h"

int hr_zram_compact(const HrSysroot *root, unsigned index, HrZramStat *after) {
        char rel[64], buf[512];

        if (root->sys_fd < 0)
                return -ENOENT;
        (void) snprintf(rel, sizeof rel, "block/zram%u/compact", index);
        int r = hr_write_at(root->sys_fd, rel, "1");
        if (r < 0)
                return r;
        if (!after)
                return 0;
        (void) snprintf(rel, sizeof rel, "block/zram%u/mm_stat", index);
        ssize_t n = hr_read_at(root->sys_fd, rel, buf, sizeof buf);
        if (n < 0)
                return (int) n;
        return hr_parse_zram_mm_stat(buf, (size_t) n, after, NULL) < 0 ? -EBADMSG : 0;
}
