/* SPDX-License-Identifier: MIT */
/* The kernel-level relief decisions: zram compaction (core/zram.c, and what io/zram.c writes and reads back on a
 * fake sys/ tree) and the page cache drop (core/pagecache.c). The real device's side shows in the VM benchmark's
 * logs ("zramN: compacted at ..."). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "core/pagecache.h"
#include "core/zram.h"
#include "io/zram.h"

#define MIB(x) ((uint64_t) (x) << 20)

static void test_wanted(void **state) {
        static const struct {
                HrLevel level;
                uint64_t used_mib, compr_mib;
                bool done, want;
        } cases[] = {
                { HR_LEVEL_ELEVATED, 100, 80, false, true },   /* 20 MiB fragmented: a fifth of the pool */
                { HR_LEVEL_EMERGENCY, 100, 80, false, true },
                { HR_LEVEL_NORMAL, 100, 80, false, false },    /* calm: not worth waking the pool */
                { HR_LEVEL_HIGH, 100, 80, true, false },       /* once per episode */
                { HR_LEVEL_HIGH, 100, 97, false, false },      /* 3 MiB: under the 4 MiB floor */
                { HR_LEVEL_HIGH, 1000, 950, false, false },    /* 50 MiB but only a twentieth */
                { HR_LEVEL_HIGH, 0, 0, false, false },         /* empty */
                { HR_LEVEL_HIGH, 10, 20, false, false },       /* inconsistent counters: nothing fragmented */
        };
        (void) state;
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                HrZramStat st = { .mem_used_total_bytes = MIB(cases[i].used_mib), .compr_data_bytes = MIB(cases[i].compr_mib) };
                if (hr_zram_compact_wanted(cases[i].level, &st, cases[i].done) != cases[i].want)
                        fail_msg("case %zu: want %d", i, cases[i].want);
        }
        HrZramStat st = { .mem_used_total_bytes = MIB(10), .compr_data_bytes = MIB(20) };
        assert_int_equal(hr_zram_fragmented_bytes(&st), 0);
}

static void put(const char *root, const char *rel, const char *text) {
        char p[512];
        (void) snprintf(p, sizeof p, "%s/%s", root, rel);
        FILE *f = fopen(p, "we");
        assert_non_null(f);
        fputs(text, f);
        assert_int_equal(fclose(f), 0);
}

static void test_compact_io(void **state) {
        char tmp[256], p[512], buf[64];
        HrSysroot root;
        HrZramStat after = {};
        (void) state;
        (void) snprintf(tmp, sizeof tmp, "%s/hr-zram-XXXXXX", getenv("TMPDIR") ?: "/tmp");
        assert_non_null(mkdtemp(tmp));
        const char *dirs[] = { "proc", "proc/sys", "proc/sys/vm", "sys", "sys/block", "sys/block/zram0" };
        for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
                (void) snprintf(p, sizeof p, "%s/%s", tmp, dirs[i]);
                assert_int_equal(mkdir(p, 0755), 0);
        }
        put(tmp, "sys/block/zram0/compact", "");
        put(tmp, "sys/block/zram0/mm_stat", "314572800 104857600 110100480 0 120000000 12 34 0 0\n");
        assert_int_equal(hr_sysroot_open(tmp, &root), 0);

        assert_int_equal(hr_zram_compact(&root, 0, &after), 0);
        (void) snprintf(p, sizeof p, "%s/sys/block/zram0/compact", tmp);
        FILE *f = fopen(p, "re");
        assert_non_null(f);
        assert_non_null(fgets(buf, sizeof buf, f));
        fclose(f);
        assert_string_equal(buf, "1");
        assert_int_equal(after.mem_used_total_bytes, 110100480);
        assert_int_equal(after.pages_compacted, 34);
        assert_int_equal(hr_zram_compact(&root, 1, NULL), -ENOENT); /* no zram1 */
        put(tmp, "sys/block/zram0/mm_stat", "garbage\n");
        assert_int_equal(hr_zram_compact(&root, 0, &after), -EBADMSG);
        /* The page cache drop's write (what the daemon does with DropCaches=): "1", alone in the file. */
        put(tmp, "proc/sys/vm/drop_caches", "0\n");
        assert_int_equal(hr_write_at(root.proc_fd, "sys/vm/drop_caches", "1"), 0);
        (void) snprintf(p, sizeof p, "%s/proc/sys/vm/drop_caches", tmp);
        f = fopen(p, "re");
        assert_non_null(f);
        assert_non_null(fgets(buf, sizeof buf, f));
        fclose(f);
        assert_string_equal(buf, "1");
        assert_int_equal(hr_write_at(root.proc_fd, "sys/vm/nothing", "1"), -ENOENT);
        hr_sysroot_done(&root);
        (void) snprintf(p, sizeof p, "rm -rf '%s'", tmp);
        assert_int_equal(system(p), 0);
}

static void sample_at(HrSample *s, usec_t at, uint64_t cached_mib, uint64_t shmem_mib, uint64_t dirty_mib,
                      uint64_t refault_anon, bool has_anon) {
        memset(s, 0, sizeof *s);
        s->at = at;
        s->meminfo.kib[HR_MEM_TOTAL] = 16384 * 1024;
        s->meminfo.kib[HR_MEM_CACHED] = cached_mib * 1024;
        s->meminfo.kib[HR_MEM_SHMEM] = shmem_mib * 1024;
        s->meminfo.kib[HR_MEM_DIRTY] = dirty_mib * 1024;
        s->meminfo.present = (1u << HR_MEM_TOTAL) | (1u << HR_MEM_CACHED) | (1u << HR_MEM_SHMEM) | (1u << HR_MEM_DIRTY);
        if (has_anon) {
                s->vmstat.v[HR_VM_WORKINGSET_REFAULT_ANON] = refault_anon;
                s->vmstat.present = 1u << HR_VM_WORKINGSET_REFAULT_ANON;
        }
}

static void test_drop_cache(void **state) {
        static HrSample a, b;
        const usec_t T = 1000 * USEC_PER_SEC;
        (void) state;
        /* 4 GiB cached, 1 GiB of it shmem and dirty: 3 GiB clean of 16 GiB; 2000 anon refaults/s: drop. */
        sample_at(&a, T, 4096, 768, 256, 10000, true);
        sample_at(&b, T + USEC_PER_SEC, 4096, 768, 256, 12000, true);
        assert_int_equal(hr_clean_cache_kib(&b.meminfo), 3072 * 1024);
        assert_true(hr_drop_cache_wanted(HR_LEVEL_HIGH, &a, &b, 0));
        assert_true(hr_drop_cache_wanted(HR_LEVEL_EMERGENCY, &a, &b, 0));
        assert_false(hr_drop_cache_wanted(HR_LEVEL_ELEVATED, &a, &b, 0));           /* only from HIGH */
        assert_false(hr_drop_cache_wanted(HR_LEVEL_HIGH, NULL, &b, 0));             /* no rate yet */
        assert_false(hr_drop_cache_wanted(HR_LEVEL_HIGH, &a, &b, T - 60 * USEC_PER_SEC)); /* a minute ago: not again */
        assert_true(hr_drop_cache_wanted(HR_LEVEL_HIGH, &a, &b, T - 600 * USEC_PER_SEC));
        /* 500 refaults/s: the working sets are not being evicted. */
        sample_at(&b, T + USEC_PER_SEC, 4096, 768, 256, 10500, true);
        assert_false(hr_drop_cache_wanted(HR_LEVEL_HIGH, &a, &b, 0));
        /* 1.5 GiB clean: under a tenth of RAM, not worth it. */
        sample_at(&b, T + USEC_PER_SEC, 2048, 512, 0, 12000, true);
        assert_false(hr_drop_cache_wanted(HR_LEVEL_HIGH, &a, &b, 0));
        /* A pre-5.9 kernel: one refault counter, anon not told apart. */
        sample_at(&a, T, 4096, 0, 0, 0, false);
        sample_at(&b, T + USEC_PER_SEC, 4096, 0, 0, 0, false);
        assert_false(hr_drop_cache_wanted(HR_LEVEL_HIGH, &a, &b, 0));
        /* More shmem and dirty than cached (counters taken apart in time): nothing clean. */
        sample_at(&b, T, 100, 200, 0, 0, true);
        assert_int_equal(hr_clean_cache_kib(&b.meminfo), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_wanted),
                cmocka_unit_test(test_compact_io),
                cmocka_unit_test(test_drop_cache),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
