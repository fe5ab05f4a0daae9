/* SPDX-License-Identifier: MIT */
/* The machine-wide kernel knobs of [Kernel] on a real kernel, in the VM only (HR_VM=1; they act on the whole machine):
 * a zram pool compacted (io/zram.c), MGLRU's min_ttl_ms set and given back, also after a "crash"
 * (daemon/sysknob.c), and the clean page cache dropped (hr_write_at on /proc/sys/vm/drop_caches). */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/sysknob.h"
#include "core/zram.h"
#include "io/zram.h"
#include "itest.h"
#include "parse/parse.h"

static HrSysroot root;

static int setup(void **state) {
        (void) state;
        return hr_sysroot_open(NULL, &root) == 0 ? 0 : -1;
}

static int teardown(void **state) {
        (void) state;
        hr_sysroot_done(&root);
        return 0;
}

static void vm_only(void) {
        if (!getenv("HR_VM") || strcmp(getenv("HR_VM"), "1") != 0)
                ITEST_SKIP("machine-wide kernel knobs: the VM only (vm-kernel-knobs runs this)");
        if (geteuid() != 0)
                ITEST_SKIP("needs root");
}

static uint64_t meminfo_kib(const char *key) {
        char buf[8192], *p;
        if (itest_read("/proc/meminfo", buf, sizeof buf) < 0 || !(p = strstr(buf, key)))
                return 0;
        return strtoull(p + strlen(key) + 1, NULL, 10);
}

/* zram0 (swap in the VM), fragmented on purpose: 64 MiB paged out into it, then every other page freed, leaving
 * zsmalloc pages half empty. Compaction gives them back: the pool shrinks. */
static void test_zram_compact(void **state) {
        char buf[512];
        HrZramStat before = {}, after = {};
        const size_t size = 64u << 20, page = (size_t) sysconf(_SC_PAGESIZE);
        (void) state;
        vm_only();
        ssize_t n = hr_read_at(root.sys_fd, "block/zram0/mm_stat", buf, sizeof buf);
        if (n < 0)
                ITEST_SKIP("no zram0 in this VM");
        unsigned char *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        assert_true(m != MAP_FAILED);
        for (size_t i = 0; i < size; i++) /* compressible, but not same-filled (those take no pool space) */
                m[i] = (unsigned char) ((i * 2654435761u) >> 24 & 0x0f);
        assert_int_equal(madvise(m, size, MADV_PAGEOUT), 0);
        for (size_t off = 0; off < size; off += 2 * page)
                assert_int_equal(madvise(m + off, page, MADV_DONTNEED), 0); /* frees its slot in the pool */
        n = hr_read_at(root.sys_fd, "block/zram0/mm_stat", buf, sizeof buf);
        assert_true(n > 0);
        assert_int_equal(hr_parse_zram_mm_stat(buf, (size_t) n, &before, NULL), 0);
        assert_int_equal(hr_zram_compact(&root, 0, &after), 0);
        fprintf(stderr, "zram0: pool %llu bytes before, %llu after compaction (pages_compacted %llu -> %llu)\n",
                (unsigned long long) before.mem_used_total_bytes, (unsigned long long) after.mem_used_total_bytes,
                (unsigned long long) before.pages_compacted, (unsigned long long) after.pages_compacted);
        assert_true(after.pages_compacted >= before.pages_compacted);
        assert_true(after.mem_used_total_bytes <= before.mem_used_total_bytes);
        if (hr_zram_fragmented_bytes(&before) >= (4u << 20))
                assert_true(after.mem_used_total_bytes < before.mem_used_total_bytes);
        assert_int_equal(munmap(m, size), 0);
}

/* min_ttl_ms: set, given back at "stop"; set again and given back by the next "start" after a "crash". */
static void test_mglru_min_ttl(void **state) {
        char dir[] = "/tmp/hr-knobs-XXXXXX", ttl0[32], now[32];
        HrSysKnob k, k2;
        (void) state;
        vm_only();
        if (itest_read("/sys/kernel/mm/lru_gen/min_ttl_ms", ttl0, sizeof ttl0) < 0)
                ITEST_SKIP("no MGLRU in this kernel");
        ttl0[strcspn(ttl0, "\n")] = '\0';
        assert_non_null(mkdtemp(dir));
        assert_int_equal(hr_sysknob_init(&k, &root, "sys/kernel/mm/lru_gen/min_ttl_ms", dir, "ttl"), 0);
        assert_int_equal(hr_sysknob_set(&k, "1000"), 0);
        assert_int_equal(itest_read("/sys/kernel/mm/lru_gen/min_ttl_ms", now, sizeof now), 0);
        unsigned long v = strtoul(now, NULL, 10); /* kept in jiffies: 1234 reads back 1236 at HZ=250 */
        assert_true(v >= 990 && v <= 1010);
        assert_int_equal(hr_sysknob_restore(&k), 0);
        assert_int_equal(itest_read("/sys/kernel/mm/lru_gen/min_ttl_ms", now, sizeof now), 0);
        now[strcspn(now, "\n")] = '\0';
        assert_string_equal(now, ttl0);

        assert_int_equal(hr_sysknob_set(&k, "777"), 0); /* and then the daemon dies */
        assert_int_equal(hr_sysknob_init(&k2, &root, "sys/kernel/mm/lru_gen/min_ttl_ms", dir, "ttl"), 0);
        assert_int_equal(hr_sysknob_recover(&k2), 1);
        assert_int_equal(itest_read("/sys/kernel/mm/lru_gen/min_ttl_ms", now, sizeof now), 0);
        now[strcspn(now, "\n")] = '\0';
        assert_string_equal(now, ttl0);
        assert_int_equal(rmdir(dir), 0); /* the journal went with the give-back */
}

/* drop_caches=1 after reading a large file into the cache: the kernel takes it and the clean cache shrinks. The
 * guest's own files are tmpfs (shmem: not dropped); the host root comes over 9p with cache=loose, whose pages are
 * ordinary clean page cache. */
static void test_drop_caches(void **state) {
        char path[512] = "", chunk[65536];
        (void) state;
        vm_only();
        /* A large library most machines here have (clang comes with the fuzz targets' dependencies). */
        static const char *const patterns[] = { "/usr/lib/x86_64-linux-gnu/libLLVM*.so*", "/usr/lib/llvm-*/lib/lib*.so*",
                                                "/usr/lib/jvm/*/lib/modules" };
        for (size_t i = 0; i < sizeof patterns / sizeof patterns[0] && !path[0]; i++) {
                glob_t g;
                if (glob(patterns[i], 0, NULL, &g) != 0)
                        continue;
                for (size_t j = 0; j < g.gl_pathc && !path[0]; j++) {
                        struct stat st;
                        if (stat(g.gl_pathv[j], &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= (32 << 20))
                                (void) snprintf(path, sizeof path, "%s", g.gl_pathv[j]);
                }
                globfree(&g);
        }
        if (!path[0])
                ITEST_SKIP("no file of 32 MiB or more under /usr/lib to read into the page cache");
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        ssize_t n;
        uint64_t total = 0;
        while ((n = read(fd, chunk, sizeof chunk)) > 0 && total < (64u << 20))
                total += (uint64_t) n;
        close(fd);
        uint64_t before = meminfo_kib("Cached:");
        fprintf(stderr, "read %llu MiB of %s\n", (unsigned long long) (total >> 20), path);
        assert_int_equal(hr_write_at(root.proc_fd, "sys/vm/drop_caches", "1"), 0);
        uint64_t after = meminfo_kib("Cached:");
        fprintf(stderr, "Cached: %llu KiB before drop_caches, %llu after\n", (unsigned long long) before,
                (unsigned long long) after);
        assert_true(after + total / 1024 / 2 < before); /* at least half of what was read went */
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_zram_compact),
                cmocka_unit_test(test_mglru_min_ttl),
                cmocka_unit_test(test_drop_caches),
        };
        itest_filter();
        return itest_result(cmocka_run_group_tests(tests, setup, teardown), sizeof tests / sizeof tests[0]);
}
