/* SPDX-License-Identifier: MIT */
/* hr_zero_sparse() (shared/zero.h): it clears like memset, whatever the alignment and wherever the non-zero bytes
 * are, and on memory that is still untouched it writes nothing, so the pages stay unbacked (resident size checked
 * on the real kernel through /proc/self/statm). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "shared/zero.h"

static bool all_zero(const unsigned char *p, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (p[i])
                        return false;
        return true;
}

static void test_clears(void **state) {
        enum { N = 5 * 4096 + 123 };
        static unsigned char buf[N + 64];
        (void) state;

        /* every offset in the first block, lengths across block edges, one non-zero byte anywhere */
        for (size_t off = 0; off < 64; off += 7)
                for (size_t len = 0; len <= N; len += len < 8200 ? 511 : 4096)
                        for (size_t at = 0; at < len; at += len / 5 + 1) {
                                memset(buf, 0, sizeof buf);
                                buf[off + at] = 0x5a;
                                buf[off + len - 1] = 0xa5;
                                if (off > 0)
                                        buf[off - 1] = 0x11; /* outside: must stay */
                                buf[off + len] = 0x22;
                                hr_zero_sparse(buf + off, len);
                                assert_true(all_zero(buf + off, len));
                                if (off > 0)
                                        assert_int_equal(buf[off - 1], 0x11);
                                assert_int_equal(buf[off + len], 0x22);
                        }
        /* garbage everywhere */
        memset(buf, 0xff, sizeof buf);
        hr_zero_sparse(buf + 3, N);
        assert_true(all_zero(buf + 3, N));
        assert_int_equal(buf[2], 0xff);
        assert_int_equal(buf[N + 3], 0xff);
}

static long resident_pages(void) {
        long size = 0, rss = -1;
        FILE *f = fopen("/proc/self/statm", "re");
        if (!f)
                return -1;
        if (fscanf(f, "%ld %ld", &size, &rss) != 2)
                rss = -1;
        fclose(f);
        return rss;
}

static void test_untouched_stays_unbacked(void **state) {
        const size_t n = 64u << 20;
        long page = sysconf(_SC_PAGESIZE);
        (void) state;

        if (resident_pages() < 0)
                skip();
        unsigned char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        assert_true(p != MAP_FAILED);
        (void) madvise(p, n, MADV_NOHUGEPAGE); /* a huge zero page would make the numbers coarse, not wrong */
        p[n / 2] = 1;                           /* one page with something in it */

        long before = resident_pages();
        hr_zero_sparse(p, n);
        long grew = resident_pages() - before;
        assert_int_equal(p[n / 2], 0);
        /* 16384 pages read: at most a few became resident (the one written was already) */
        if (grew > 16)
                fail_msg("hr_zero_sparse over 64 MiB of untouched memory made %ld pages resident", grew);

        /* memset, for contrast: the same range becomes resident, so the measurement can see it */
        memset(p, 0, n);
        assert_true(resident_pages() - before >= (long) (n / (size_t) page) / 2);
        munmap(p, n);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_clears),
                cmocka_unit_test(test_untouched_stays_unbacked),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
