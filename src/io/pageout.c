/* SPDX-License-Identifier: MIT */
/* process_madvise(MADV_PAGEOUT) over a pidfd, in batches of IOV_MAX ranges (io/pageout.h). */
#include <errno.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "io/pageout.h"
#include "shared/macros.h"

#ifndef SYS_process_madvise
#define SYS_process_madvise 440
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define BATCH 1024 /* IOV_MAX on Linux */

int hr_page_out(int pidfd, const HrRange *ranges, size_t n, uint64_t *ret_bytes) {
        struct iovec iov[BATCH];
        uint64_t done = 0;

        for (size_t i = 0; i < n;) {
                size_t k = 0;
                uint64_t want = 0;
                for (; k < BATCH && i + k < n; k++) {
                        iov[k] = (struct iovec) { .iov_base = (void *) (uintptr_t) ranges[i + k].start,
                                                  .iov_len = (size_t) ranges[i + k].len };
                        want += ranges[i + k].len;
                }
                long r = syscall(SYS_process_madvise, pidfd, iov, k, MADV_PAGEOUT, 0u);
                if (r < 0) {
                        int e = errno;
                        /* The first range failed (unmapped since the maps were read, or one the kernel will not
                         * page out): skip it alone and go on. */
                        if (e != ENOMEM && e != EFAULT && e != EINVAL)
                                return -e;
                        i++;
                        continue;
                }
                done += (uint64_t) r;
                if ((uint64_t) r >= want) {
                        i += k;
                        continue;
                }
                /* Stopped part-way: the range where it stopped is skipped, the rest of the batch goes again. */
                uint64_t left = (uint64_t) r;
                size_t j = 0;
                while (j < k && left >= iov[j].iov_len)
                        left -= iov[j++].iov_len;
                i += j + 1;
        }
        *ret_bytes = done;
        return 0;
}
