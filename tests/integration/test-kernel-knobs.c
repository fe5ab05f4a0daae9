/* SPDX-License-Identifier: MIT */
/* The machine-wide kernel knobs of [Kernel] on a real kernel, in the VM only (HR_VM=1; they act on the whole machine):
 * a zram pool compacted (io/zram.c), MGLRU's min_ttl_ms set and given back, also after a "crash"
 * (daemon/sysknob.c), and the clean page cache dropped (hr_write_at on /proc/sys/vm/drop_caches). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/sysknob.h"
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

/* zram0 (swap in the VM) with some pages in it: compaction is accepted and never grows the pool. */
static void test_zram_compact(void **state) {
        char buf[512];
        HrZramStat before = {}, after = {};
        (void) state;
        vm_only();
        ssize_t n = hr_read_at(root.sys_fd, "block/zram0/mm_stat", buf, sizeof buf);
        if (n < 0)
                ITEST_SKIP("no zram0 in this VM");
        assert_int_equal(hr_parse_zram_mm_stat(buf, (size_t) n, &before, NULL), 0);
        assert_int_equal(hr_zram_compact(&root, 0, &after), 0);
        fprintf(stderr, "zram0: pool %llu bytes before, %llu after compaction (pages_compacted %llu -> %llu)\n",
                (unsigned long long) before.mem_used_total_bytes, (unsigned long long) after.mem_used_total_bytes,
                (unsigned long long) before.pages_compacted, (unsigned long long) after.pages_compacted);
        assert_true(after.pages_compacted >= before.pages_compacted);
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
        assert_int_equal(hr_sysknob_set(&k, "1234"), 0);
        assert_int_equal(itest_read("/sys/kernel/mm/lru_gen/min_ttl_ms", now, sizeof now), 0);
        assert_int_equal(strtoul(now, NULL, 10), 1234);
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

/* drop_caches=1 after reading a file into the cache: the kernel takes it and the clean cache shrinks. */
static void test_drop_caches(void **state) {
        char path[] = "/tmp/hr-knobs-cache-XXXXXX", chunk[65536];
        (void) state;
        vm_only();
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        memset(chunk, 'x', sizeof chunk);
        for (unsigned i = 0; i < 64 * 16; i++) /* 64 MiB */
                assert_int_equal(write(fd, chunk, sizeof chunk), (ssize_t) sizeof chunk);
        assert_int_equal(fsync(fd), 0); /* clean, so droppable */
        close(fd);
        uint64_t before = meminfo_kib("Cached:");
        assert_int_equal(hr_write_at(root.proc_fd, "sys/vm/drop_caches", "1"), 0);
        uint64_t after = meminfo_kib("Cached:");
        fprintf(stderr, "Cached: %llu KiB before drop_caches, %llu after\n", (unsigned long long) before,
                (unsigned long long) after);
        assert_true(after + 32 * 1024 < before); /* most of the 64 MiB went */
        assert_int_equal(unlink(path), 0);
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
