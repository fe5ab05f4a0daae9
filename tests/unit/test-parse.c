/* SPDX-License-Identifier: MIT */
/* Unit tests of parse/: PSI, meminfo, vmstat, swaps, zram mm_stat, loadavg and the strict number helpers. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/sample.h"
#include "parse/number.h"
#include "parse/parse.h"

#include "parse-expect.h"

static unsigned char sentinel[sizeof(HrSwaps)]; /* the largest result type */

/* The parsers behind one signature, so one runner checks the shared contract. */
#define WRAP(fn, T)                                                                     \
        static int fn##_v(const char *b, size_t n, void *ret, HrParseErr *e) {          \
                return fn(b, n, (T *) ret, e);                                          \
        }
WRAP(hr_parse_psi, HrPsi)
WRAP(hr_parse_meminfo, HrMeminfo)
WRAP(hr_parse_vmstat, HrVmstat)
WRAP(hr_parse_swaps, HrSwaps)
WRAP(hr_parse_zram_mm_stat, HrZramStat)
WRAP(hr_parse_loadavg, HrLoadavg)

static const Parser P_PSI = { "psi", hr_parse_psi_v, sizeof(HrPsi) };
static const Parser P_MEMINFO = { "meminfo", hr_parse_meminfo_v, sizeof(HrMeminfo) };
static const Parser P_VMSTAT = { "vmstat", hr_parse_vmstat_v, sizeof(HrVmstat) };
static const Parser P_SWAPS = { "swaps", hr_parse_swaps_v, sizeof(HrSwaps) };
static const Parser P_ZRAM = { "zram", hr_parse_zram_mm_stat_v, sizeof(HrZramStat) };
static const Parser P_LOADAVG = { "loadavg", hr_parse_loadavg_v, sizeof(HrLoadavg) };

/* The shared contract check; returns the code (the input copy is freed). */
static int run(const Parser *p, const char *name, const char *in, size_t len, int want_r, unsigned want_line,
               void *ret) {
        free(parse_check(p, sentinel, name, in, len, want_r, want_line, ret));
        return want_r;
}

/* ---- numbers ---------------------------------------------------------------------------------------- */

typedef struct NumCase {
        const char *name;
        const char *in;
        size_t len;
        int r;
        int64_t want; /* u64 cases above INT64_MAX use want_u */
        uint64_t want_u;
} NumCase;

static void test_u64(void **state) {
        static const NumCase cases[] = {
                { "zero", IN("0"), 0, .want_u = 0 },
                { "plain", IN("8347419"), 0, .want_u = 8347419 },
                { "leading zeros", IN("00012"), 0, .want_u = 12 },
                { "u64 max", IN("18446744073709551615"), 0, .want_u = UINT64_MAX },
                { "u64 max + 1", IN("18446744073709551616"), -ERANGE },
                { "u64 max * 10", IN("184467440737095516150"), -ERANGE },
                { "twenty nines", IN("99999999999999999999"), -ERANGE },
                { "empty", IN(""), -EINVAL },
                { "negative", IN("-1"), -EINVAL },
                { "plus sign", IN("+1"), -EINVAL },
                { "leading space", IN(" 1"), -EINVAL },
                { "trailing space", IN("1 "), -EINVAL },
                { "hex", IN("0x10"), -EINVAL },
                { "decimal point", IN("1.0"), -EINVAL },
                { "embedded NUL", IN("1\0"), -EINVAL },
        };
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const NumCase *c = &cases[i];
                uint64_t v = 0xa5a5a5a5a5a5a5a5u;
                EXPECT_I(c->name, hr_parse_u64(c->in, c->len, &v), c->r);
                EXPECT_U(c->name, v, c->r == 0 ? c->want_u : 0xa5a5a5a5a5a5a5a5u);
        }
        /* exactly n bytes are read */
        uint64_t v;
        assert_int_equal(hr_parse_u64("123", 2, &v), 0);
        assert_int_equal(v, 12);
}

static void test_i32(void **state) {
        static const NumCase cases[] = {
                { "zero", IN("0"), 0, 0 },
                { "minus zero", IN("-0"), 0, 0 },
                { "swap priority", IN("100"), 0, 100 },
                { "negative priority", IN("-2"), 0, -2 },
                { "i32 max", IN("2147483647"), 0, INT32_MAX },
                { "i32 min", IN("-2147483648"), 0, INT32_MIN },
                { "i32 max + 1", IN("2147483648"), -ERANGE },
                { "i32 min - 1", IN("-2147483649"), -ERANGE },
                { "beyond u64", IN("-99999999999999999999"), -ERANGE },
                { "empty", IN(""), -EINVAL },
                { "lone minus", IN("-"), -EINVAL },
                { "double minus", IN("--1"), -EINVAL },
                { "plus sign", IN("+1"), -EINVAL },
                { "garbage suffix", IN("12x"), -EINVAL },
        };
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const NumCase *c = &cases[i];
                int32_t v = 0x5a5a5a5a;
                EXPECT_I(c->name, hr_parse_i32(c->in, c->len, &v), c->r);
                EXPECT_I(c->name, v, c->r == 0 ? c->want : 0x5a5a5a5a);
        }
}

static void test_percent(void **state) {
        static const NumCase cases[] = {
                { "zero", IN("0.00"), 0, 0 },
                { "kernel format", IN("38.19"), 0, 3819 },
                { "hundred", IN("100.00"), 0, 10000 },
                { "integer", IN("100"), 0, 10000 },
                { "one decimal", IN("5.5"), 0, 550 },
                { "three decimals truncate", IN("12.345"), 0, 1234 },
                { "99.999 truncates", IN("99.999"), 0, 9999 },
                { "just above 100", IN("100.01"), -ERANGE },
                { "100.5", IN("100.5"), -ERANGE },
                { "101", IN("101.00"), -ERANGE },
                { "huge integer part", IN("18446744073709551616.00"), -ERANGE },
                { "negative", IN("-1.00"), -EINVAL },
                { "trailing dot", IN("1."), -EINVAL },
                { "leading dot", IN(".5"), -EINVAL },
                { "two dots", IN("1.2.3"), -EINVAL },
                { "letter in decimals", IN("1.x"), -EINVAL },
                { "exponent", IN("1e2"), -EINVAL },
                { "empty", IN(""), -EINVAL },
                { "leading space", IN(" 1.00"), -EINVAL },
                { "NUL in decimals", IN("1.0\0"), -EINVAL },
        };
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const NumCase *c = &cases[i];
                uint32_t v = 0x5a5a5a5a;
                EXPECT_I(c->name, hr_parse_percent_permyriad(c->in, c->len, &v), c->r);
                EXPECT_U(c->name, v, c->r == 0 ? (uint64_t) c->want : 0x5a5a5a5a);
        }
}

/* ---- PSI -------------------------------------------------------------------------------------------- */

typedef struct PsiCase {
        CASE_HEAD;
        HrPsi want;
} PsiCase;

#define PSI_SOME "some avg10=1.00 avg60=2.00 avg300=3.00 total=4\n"
#define PSI_FULL "full avg10=0.50 avg60=0.60 avg300=0.70 total=2\n"
#define WANT_SOME .some = { 100, 200, 300, 4 }
#define WANT_FULL .full = { 50, 60, 70, 2 }, .has_full = true

static const PsiCase psi_cases[] = {
        { "6.18 cgroup memory, thrashing",
          IN("some avg10=38.19 avg60=10.39 avg300=2.57 total=8347419\n"
             "full avg10=38.19 avg60=10.39 avg300=2.57 total=8347419\n"),
          .want = { .some = { 3819, 1039, 257, 8347419 }, .full = { 3819, 1039, 257, 8347419 }, .has_full = true } },
        { "6.18 /proc/pressure/io",
          IN("some avg10=0.00 avg60=0.53 avg300=0.48 total=2445761\n"
             "full avg10=0.00 avg60=0.51 avg300=0.46 total=2356269\n"),
          .want = { .some = { 0, 53, 48, 2445761 }, .full = { 0, 51, 46, 2356269 }, .has_full = true } },
        { "6.18 /proc/pressure/cpu, full always 0",
          IN("some avg10=0.59 avg60=0.36 avg300=0.43 total=2809598\n"
             "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"),
          .want = { .some = { 59, 36, 43, 2809598 }, .has_full = true } },
        { "old system cpu: no full line", IN(PSI_SOME), .want = { WANT_SOME } },
        { "no trailing newline", IN("some avg10=1.00 avg60=2.00 avg300=3.00 total=4"), .want = { WANT_SOME } },
        { "CRLF", IN("some avg10=1.00 avg60=2.00 avg300=3.00 total=4\r\n"
                     "full avg10=0.50 avg60=0.60 avg300=0.70 total=2\r\n"), .want = { WANT_SOME, WANT_FULL } },
        { "unknown line tolerated", IN(PSI_SOME "partial avg10=9.00 avg60=9.00 avg300=9.00 total=9\n" PSI_FULL),
          .want = { WANT_SOME, WANT_FULL } },
        { "unknown key tolerated", IN("some avg10=1.00 avg60=2.00 avg300=3.00 total=4 max=99.00 new=x\n"),
          .want = { WANT_SOME } },
        { "full before some, keys reordered", IN(PSI_FULL "some total=4 avg300=3.00 avg60=2.00 avg10=1.00\n"),
          .want = { WANT_SOME, WANT_FULL } },
        { "blank lines and extra blanks", IN("\n  some\tavg10=1.00  avg60=2.00 avg300=3.00 total=4  \n\n"),
          .want = { WANT_SOME } },
        { "avg10 with 1 decimal", IN("some avg10=5.5 avg60=2.00 avg300=3.00 total=4\n"),
          .want = { .some = { 550, 200, 300, 4 } } },
        { "avg10 with 3 decimals", IN("some avg10=12.345 avg60=2.00 avg300=3.00 total=4\n"),
          .want = { .some = { 1234, 200, 300, 4 } } },
        { "avg10 = 100.00", IN("some avg10=100.00 avg60=2.00 avg300=3.00 total=4\n"),
          .want = { .some = { 10000, 200, 300, 4 } } },
        { "total = u64 max", IN("some avg10=1.00 avg60=2.00 avg300=3.00 total=18446744073709551615\n"),
          .want = { .some = { 100, 200, 300, UINT64_MAX } } },

        { "empty", IN(""), -EBADMSG, 0 },
        { "newline only", IN("\n"), -EBADMSG, 0 },
        { "only a full line (like irq)", IN(PSI_FULL), -EBADMSG, 0 },
        { "wrong file (meminfo)", IN("MemTotal: 1 kB\n"), -EBADMSG, 0 },
        { "duplicate some", IN(PSI_SOME PSI_SOME), -EINVAL, 2 },
        { "duplicate full", IN(PSI_SOME PSI_FULL PSI_FULL), -EINVAL, 3 },
        { "duplicate avg10", IN("some avg10=1.00 avg60=2.00 avg10=1.00 avg300=3.00 total=4\n"), -EINVAL, 1 },
        { "total missing", IN("some avg10=1.00 avg60=2.00 avg300=3.00\n"), -EBADMSG, 1 },
        { "some without fields", IN("some\n"), -EBADMSG, 1 },
        { "avg10 > 100", IN("some avg10=100.01 avg60=2.00 avg300=3.00 total=4\n"), -ERANGE, 1 },
        { "avg60 = 250", IN("some avg10=1.00 avg60=250.00 avg300=3.00 total=4\n"), -ERANGE, 1 },
        { "negative avg", IN("some avg10=-1.00 avg60=2.00 avg300=3.00 total=4\n"), -EINVAL, 1 },
        { "negative total", IN("some avg10=1.00 avg60=2.00 avg300=3.00 total=-4\n"), -EINVAL, 1 },
        { "total overflows u64", IN("some avg10=1.00 avg60=2.00 avg300=3.00 total=18446744073709551616\n"),
          -ERANGE, 1 },
        { "malformed full line", IN(PSI_SOME "full avg10=0.50 avg60=abc avg300=0.70 total=2\n"), -EINVAL, 2 },
        { "token without '='", IN("some avg10 1.00 avg60=2.00 avg300=3.00 total=4\n"), -EINVAL, 1 },
        { "empty value", IN("some avg10= avg60=2.00 avg300=3.00 total=4\n"), -EINVAL, 1 },
        { "trailing dot", IN("some avg10=1. avg60=2.00 avg300=3.00 total=4\n"), -EINVAL, 1 },
        { "hex total", IN("some avg10=1.00 avg60=2.00 avg300=3.00 total=0x10\n"), -EINVAL, 1 },
        { "NUL inside a value", IN("some avg10=1.00 avg60=2\0.00 avg300=3.00 total=4\n"), -EINVAL, 1 },
        { "NUL instead of newline", IN("some avg10=1.00 avg60=2.00 avg300=3.00 total=4\0" PSI_FULL), -EINVAL, 1 },
};

static void test_psi(void **state) {
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(psi_cases); i++) {
                const PsiCase *c = &psi_cases[i];
                const HrPsiLine *w[2] = { &c->want.some, &c->want.full };
                HrPsi psi;
                if (run(&P_PSI, c->name, c->in, c->len, c->r, c->line, &psi) < 0)
                        continue;
                const HrPsiLine *g[2] = { &psi.some, &psi.full };
                EXPECT_U(c->name, psi.has_full, c->want.has_full);
                for (size_t k = 0; k < 2; k++) {
                        EXPECT_U(c->name, g[k]->avg10_permyriad, w[k]->avg10_permyriad);
                        EXPECT_U(c->name, g[k]->avg60_permyriad, w[k]->avg60_permyriad);
                        EXPECT_U(c->name, g[k]->avg300_permyriad, w[k]->avg300_permyriad);
                        EXPECT_U(c->name, g[k]->total_usec, w[k]->total_usec);
                }
        }
}

/* ---- meminfo ---------------------------------------------------------------------------------------- */

/* Excerpt of a 6.18 /proc/meminfo: every known key plus unknown look-alikes ("Active", "HugePages_Total"). */
static const char meminfo_618[] =
        "MemTotal:       24684084 kB\n" "MemFree:        24541236 kB\n"
        "MemAvailable:   24451480 kB\n" "Buffers:            1080 kB\n"
        "Cached:            23552 kB\n" "SwapCached:            0 kB\n"
        "Active:            12764 kB\n" "Inactive:           7256 kB\n"
        "Active(anon):       1508 kB\n" "Inactive(anon):     2760 kB\n"
        "Active(file):      11256 kB\n" "Inactive(file):     4496 kB\n"
        "Unevictable:       11364 kB\n" "Mlocked:           10456 kB\n"
        "SwapTotal:       2097148 kB\n" "SwapFree:        2097148 kB\n"
        "Zswap:                 0 kB\n" "Zswapped:              0 kB\n"
        "Dirty:               132 kB\n" "AnonPages:          6712 kB\n"
        "Shmem:              8872 kB\n" "Committed_AS:      51800 kB\n"
        "VmallocTotal:   34359738367 kB\n" "HugePages_Total:       0\n"
        "HugePages_Free:        0\n" "Hugepagesize:       2048 kB\n"
        "DirectMap4k:       30720 kB\n" "DirectMap2M:     2066432 kB\n"
        "DirectMap1G:    25165824 kB\n";

static void test_meminfo_real(void **state) {
        static const uint64_t want[_HR_MEM_FIELD_MAX] = {
                [HR_MEM_TOTAL] = 24684084, [HR_MEM_FREE] = 24541236, [HR_MEM_AVAILABLE] = 24451480,
                [HR_MEM_BUFFERS] = 1080, [HR_MEM_CACHED] = 23552, [HR_MEM_ACTIVE_ANON] = 1508,
                [HR_MEM_INACTIVE_ANON] = 2760, [HR_MEM_ACTIVE_FILE] = 11256, [HR_MEM_INACTIVE_FILE] = 4496,
                [HR_MEM_MLOCKED] = 10456, [HR_MEM_SWAP_TOTAL] = 2097148, [HR_MEM_SWAP_FREE] = 2097148,
                [HR_MEM_DIRTY] = 132, [HR_MEM_ANON_PAGES] = 6712, [HR_MEM_SHMEM] = 8872,
                [HR_MEM_COMMITTED_AS] = 51800,
        };
        HrMeminfo m;
        (void) state;
        assert_int_equal(run(&P_MEMINFO, "6.18", meminfo_618, sizeof meminfo_618 - 1, 0, 0, &m), 0);
        assert_int_equal(m.present, (1u << _HR_MEM_FIELD_MAX) - 1);
        for (int f = 0; f < _HR_MEM_FIELD_MAX; f++)
                EXPECT_U(hr_meminfo_field_to_string((HrMeminfoField) f), m.kib[f], want[f]);
}

typedef struct MemCase {
        CASE_HEAD;
        uint64_t total, avail, swap_total, swap_free, cached;
} MemCase;

#define MI_REQ "MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 500 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n"
#define MI_REQ_BITS \
        ((1u << HR_MEM_TOTAL) | (1u << HR_MEM_FREE) | (1u << HR_MEM_AVAILABLE) | (1u << HR_MEM_SWAP_TOTAL) | \
         (1u << HR_MEM_SWAP_FREE))

static const MemCase mem_cases[] = {
        { "required keys only, zero swap", IN(MI_REQ), 0, 0, 1000, 500 },
        { "unknown keys tolerated", IN(MI_REQ "HugePages_Total:       0\nDirectMap2M:     2066432 kB\n"
                                       "NewKey: 5 MB\nno colon at all\n"), 0, 0, 1000, 500 },
        { "optional key read", IN(MI_REQ "Cached: 77 kB\n"), 0, 0, 1000, 500, .cached = 77 },
        { "no trailing newline", IN("MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 500 kB\n"
                                    "SwapTotal: 8 kB\nSwapFree: 8 kB"), 0, 0, 1000, 500, 8, 8 },
        { "CRLF", IN("MemTotal: 1000 kB\r\nMemFree: 100 kB\r\nMemAvailable: 500 kB\r\nSwapTotal: 9 kB\r\n"
                     "SwapFree: 3 kB\r\n"), 0, 0, 1000, 500, 9, 3 },
        { "MemAvailable == MemTotal", IN("MemTotal: 7 kB\nMemFree: 7 kB\nMemAvailable: 7 kB\nSwapTotal: 0 kB\n"
                                         "SwapFree: 0 kB\n"), 0, 0, 7, 7 },

        { "empty", IN(""), -EBADMSG, 0 },
        { "wrong file (vmstat)", IN("pswpin 1\npswpout 2\n"), -EBADMSG, 0 },
        { "MemAvailable missing (pre-3.14)", IN("MemTotal: 1000 kB\nMemFree: 100 kB\nSwapTotal: 0 kB\n"
                                                "SwapFree: 0 kB\n"), -EBADMSG, 0 },
        { "MemAvailable > MemTotal", IN("MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 1001 kB\n"
                                        "SwapTotal: 0 kB\nSwapFree: 0 kB\n"), -EINVAL, 0 },
        { "MemFree > MemTotal", IN("MemTotal: 1000 kB\nMemFree: 2000 kB\nMemAvailable: 500 kB\n"
                                   "SwapTotal: 0 kB\nSwapFree: 0 kB\n"), -EINVAL, 0 },
        { "SwapFree > SwapTotal", IN("MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 500 kB\n"
                                     "SwapTotal: 10 kB\nSwapFree: 11 kB\n"), -EINVAL, 0 },
        { "MemTotal zero", IN("MemTotal: 0 kB\nMemFree: 0 kB\nMemAvailable: 0 kB\nSwapTotal: 0 kB\n"
                              "SwapFree: 0 kB\n"), -EINVAL, 0 },
        { "duplicate key", IN(MI_REQ "MemFree: 100 kB\n"), -EINVAL, 6 },
        { "non-kB unit", IN("MemTotal: 1000 MB\n"), -EINVAL, 1 },
        { "value missing", IN(MI_REQ "Cached:\n"), -EINVAL, 6 },
        { "negative value", IN(MI_REQ "Cached: -5 kB\n"), -EINVAL, 6 },
        { "value overflows u64", IN(MI_REQ "Cached: 18446744073709551616 kB\n"), -ERANGE, 6 },
        { "trailing garbage", IN(MI_REQ "Cached: 5 kB extra\n"), -EINVAL, 6 },
        { "NUL inside number", IN(MI_REQ "Cached: 5\0 kB\n"), -EINVAL, 6 },
};

static void test_meminfo(void **state) {
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(mem_cases); i++) {
                const MemCase *c = &mem_cases[i];
                HrMeminfo m;
                if (run(&P_MEMINFO, c->name, c->in, c->len, c->r, c->line, &m) < 0)
                        continue;
                EXPECT_U(c->name, m.present & MI_REQ_BITS, MI_REQ_BITS);
                EXPECT_U(c->name, m.kib[HR_MEM_TOTAL], c->total);
                EXPECT_U(c->name, m.kib[HR_MEM_AVAILABLE], c->avail);
                EXPECT_U(c->name, m.kib[HR_MEM_SWAP_TOTAL], c->swap_total);
                EXPECT_U(c->name, m.kib[HR_MEM_SWAP_FREE], c->swap_free);
                EXPECT_U(c->name, hr_meminfo_get(&m, HR_MEM_CACHED), c->cached);
                EXPECT_U(c->name, hr_meminfo_has(&m, HR_MEM_CACHED), c->cached > 0);
        }
}

/* ---- vmstat ----------------------------------------------------------------------------------------- */

/* 6.18 key layout, with counters from a memcg thrash on zram (refault_anon equals pswpin). */
static const char vmstat_618[] =
        "nr_free_pages 1005669\n"
        "workingset_nodes 8672\n"
        "workingset_refault_anon 1163354\n"
        "workingset_refault_file 31043\n"
        "workingset_activate_anon 0\n"
        "pswpin 1163354\n"
        "pswpout 1160942\n"
        "allocstall_normal 0\n"
        "pgmajfault 941\n"
        "pgsteal_kswapd 0\npgsteal_direct 0\npgsteal_khugepaged 0\npgsteal_proactive 0\n"
        "pgscan_kswapd 0\npgscan_direct 0\npgscan_khugepaged 0\npgscan_proactive 0\n"
        "pgscan_direct_throttle 0\n"
        "pgscan_anon 2300000\npgscan_file 4000\npgsteal_anon 1160942\npgsteal_file 3900\n"
        "oom_kill 2\n"
        "nr_unstable 0\n";

typedef struct VmCase {
        CASE_HEAD;
        uint64_t pswpin, pswpout, refaults;
        uint32_t present;
} VmCase;

#define VM_REQ "pswpin 11\npswpout 22\n"
#define VM_BIT(f) (1u << HR_VM_##f)
#define VM_REQ_BITS (VM_BIT(PSWPIN) | VM_BIT(PSWPOUT))

static const VmCase vm_cases[] = {
        { "6.18 layout", IN(vmstat_618), 0, 0, 1163354, 1160942, 1163354 + 31043,
          ((1u << _HR_VM_FIELD_MAX) - 1) & ~VM_BIT(WORKINGSET_REFAULT) },
        { "required only", IN(VM_REQ), 0, 0, 11, 22, 0, VM_REQ_BITS },
        { "pre-5.9 single workingset_refault", IN("workingset_refault 500\n" VM_REQ), 0, 0, 11, 22, 500,
          VM_REQ_BITS | VM_BIT(WORKINGSET_REFAULT) },
        { "refault anon only", IN("workingset_refault_anon 7\n" VM_REQ), 0, 0, 11, 22, 7,
          VM_REQ_BITS | VM_BIT(WORKINGSET_REFAULT_ANON) },
        { "unknown counters and garbage lines tolerated",
          IN("nr_free_pages 1\n" VM_REQ "~~~ garbage ~~~\npswpin_extra 5\n\n"), 0, 0, 11, 22, 0, VM_REQ_BITS },
        { "no trailing newline", IN("pswpin 11\npswpout 22"), 0, 0, 11, 22, 0, VM_REQ_BITS },
        { "CRLF", IN("pswpin 11\r\npswpout 22\r\n"), 0, 0, 11, 22, 0, VM_REQ_BITS },

        { "empty", IN(""), -EBADMSG, 0 },
        { "pswpin missing", IN("pswpout 22\nworkingset_refault_anon 1\n"), -EBADMSG, 0 },
        { "only a look-alike name", IN("pswpin_extra 5\npswpout 22\n"), -EBADMSG, 0 },
        { "trailing garbage after value", IN(VM_REQ "oom_kill 5 6\n"), -EINVAL, 3 },
        { "garbage suffix on value", IN("pswpin 12abc\npswpout 22\n"), -EINVAL, 1 },
        { "value missing", IN("pswpin\npswpout 22\n"), -EINVAL, 1 },
        { "negative value", IN("pswpin -1\npswpout 22\n"), -EINVAL, 1 },
        { "value overflows u64", IN("pswpin 18446744073709551616\npswpout 22\n"), -ERANGE, 1 },
        { "duplicate counter", IN(VM_REQ "pswpout 23\n"), -EINVAL, 3 },
        { "NUL inside value", IN("pswpin 1\0 1\npswpout 22\n"), -EINVAL, 1 },
};

static void test_vmstat(void **state) {
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(vm_cases); i++) {
                const VmCase *c = &vm_cases[i];
                HrVmstat v;
                if (run(&P_VMSTAT, c->name, c->in, c->len, c->r, c->line, &v) < 0)
                        continue;
                EXPECT_U(c->name, v.present, c->present);
                EXPECT_U(c->name, hr_vmstat_get(&v, HR_VM_PSWPIN), c->pswpin);
                EXPECT_U(c->name, hr_vmstat_get(&v, HR_VM_PSWPOUT), c->pswpout);
                EXPECT_U(c->name, hr_vmstat_refaults(&v), c->refaults);
        }
        HrVmstat v;
        assert_int_equal(hr_parse_vmstat(vmstat_618, sizeof vmstat_618 - 1, &v, NULL), 0);
        assert_int_equal(hr_vmstat_get(&v, HR_VM_PGSCAN_ANON), 2300000);
        assert_int_equal(hr_vmstat_get(&v, HR_VM_OOM_KILL), 2);
        assert_int_equal(hr_vmstat_get(&v, HR_VM_WORKINGSET_REFAULT), 0); /* absent reads as 0 */
}

/* ---- swaps ------------------------------------------------------------------------------------------ */

#define SW_HDR "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"

typedef struct SwapCase {
        CASE_HEAD;
        unsigned n_dev;
        uint64_t size, used;
        HrSwapDev dev0;
} SwapCase;

static const SwapCase swap_cases[] = {
        { "6.18 header only: zero swap", IN(SW_HDR), 0, 0, 0 },
        { "6.18 zram", IN(SW_HDR "/dev/zram0                              partition\t2097148\t\t0\t\t100\n"), 0, 0,
          1, 2097148, 0, { "/dev/zram0", false, 2097148, 0, 100 } },
        { "file with \\040 in its name", IN(SW_HDR "/swap\\040file file 1024 10 -2\n"), 0, 0, 1, 1024, 10,
          { "/swap file", true, 1024, 10, -2 } },
        { "escaped backslash and tab", IN(SW_HDR "/a\\134b\\011c file 4 0 -1\n"), 0, 0, 1, 4, 0,
          { "/a\\b\tc", true, 4, 0, -1 } },
        { "two devices summed", IN(SW_HDR "/dev/zram0 partition 100 40 100\n/swapfile file 50 5 -2\n"), 0, 0, 2,
          150, 45, { "/dev/zram0", false, 100, 40, 100 } },
        { "header without newline", IN("Filename Type Size Used Priority"), 0, 0, 0 },
        { "CRLF and blank line", IN("Filename\tType\tSize\tUsed\tPriority\r\n\r\n/dev/sda2 partition 8 8 -2\r\n"),
          0, 0, 1, 8, 8, { "/dev/sda2", false, 8, 8, -2 } },
        { "long name truncated",
          IN(SW_HDR "/0123456789/0123456789/0123456789/0123456789/0123456789/0123456789 file 1 0 0\n"), 0, 0, 1, 1,
          0, { "/0123456789/0123456789/0123456789/0123456789/0123456789/0123456", true, 1, 0, 0 } },
        { "priority i32 min", IN(SW_HDR "/s file 1 0 -2147483648\n"), 0, 0, 1, 1, 0, { "/s", true, 1, 0, INT32_MIN } },

        { "empty", IN(""), -EBADMSG, 1 },
        { "header missing", IN("/dev/zram0 partition 100 0 100\n"), -EBADMSG, 1 },
        { "bad escape \\09", IN(SW_HDR "/swap\\09x file 1 0 0\n"), -EINVAL, 2 },
        { "escape cut short", IN(SW_HDR "/swap\\04 file 1 0 0\n"), -EINVAL, 2 },
        { "escape \\000", IN(SW_HDR "/swap\\000 file 1 0 0\n"), -EINVAL, 2 },
        { "escape \\400 above 255", IN(SW_HDR "/swap\\400 file 1 0 0\n"), -EINVAL, 2 },
        { "Used > Size", IN(SW_HDR "/dev/zram0 partition 100 101 100\n"), -EINVAL, 2 },
        { "four columns", IN(SW_HDR "/dev/zram0 partition 100 0\n"), -EINVAL, 2 },
        { "negative size", IN(SW_HDR "/dev/zram0 partition -100 0 100\n"), -EINVAL, 2 },
        { "priority garbage", IN(SW_HDR "/dev/zram0 partition 100 0 high\n"), -EINVAL, 2 },
        { "size overflows u64", IN(SW_HDR "/s file 18446744073709551616 0 0\n"), -ERANGE, 2 },
        { "priority overflows i32", IN(SW_HDR "/s file 1 0 2147483648\n"), -ERANGE, 2 },
        { "sum of sizes overflows", IN(SW_HDR "/a file 18446744073709551615 0 0\n/b file 1 0 0\n"), -ERANGE, 3 },
        { "NUL inside number", IN(SW_HDR "/s file 1\0 0 0\n"), -EINVAL, 2 },
};

static void test_swaps(void **state) {
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(swap_cases); i++) {
                const SwapCase *c = &swap_cases[i];
                HrSwaps sw;
                if (run(&P_SWAPS, c->name, c->in, c->len, c->r, c->line, &sw) < 0)
                        continue;
                EXPECT_U(c->name, sw.n_dev, c->n_dev);
                EXPECT_U(c->name, sw.n_total, c->n_dev);
                EXPECT_U(c->name, sw.size_kib, c->size);
                EXPECT_U(c->name, sw.used_kib, c->used);
                if (c->n_dev == 0)
                        continue;
                EXPECT_S(c->name, sw.dev[0].name, c->dev0.name);
                EXPECT_U(c->name, sw.dev[0].is_file, c->dev0.is_file);
                EXPECT_U(c->name, sw.dev[0].size_kib, c->dev0.size_kib);
                EXPECT_U(c->name, sw.dev[0].used_kib, c->dev0.used_kib);
                EXPECT_I(c->name, sw.dev[0].priority, c->dev0.priority);
        }
}

static void test_swaps_many(void **state) {
        char buf[4096];
        size_t n = (size_t) snprintf(buf, sizeof buf, "%s", SW_HDR);
        HrSwaps sw;
        (void) state;
        for (unsigned i = 0; i < HR_SWAPS_MAX + 4; i++)
                n += (size_t) snprintf(buf + n, sizeof buf - n, "/dev/sw%u partition %u %u %d\n", i, 1000 + i, i,
                                       -(int) i);
        assert_true(n < sizeof buf);
        assert_int_equal(run(&P_SWAPS, "20 devices", buf, n, 0, 0, &sw), 0);
        assert_int_equal(sw.n_dev, HR_SWAPS_MAX);
        assert_int_equal(sw.n_total, HR_SWAPS_MAX + 4);
        assert_int_equal(sw.size_kib, 20 * 1000 + 19 * 20 / 2); /* every device summed, listed or not */
        assert_int_equal(sw.used_kib, 19 * 20 / 2);
        assert_string_equal(sw.dev[HR_SWAPS_MAX - 1].name, "/dev/sw15");
        assert_int_equal(sw.dev[HR_SWAPS_MAX - 1].priority, -15);
}

/* ---- zram mm_stat ----------------------------------------------------------------------------------- */

typedef struct ZramCase {
        CASE_HEAD;
        unsigned n_cols;
        uint64_t col[9];
} ZramCase;

static const ZramCase zram_cases[] = {
        { "6.18, 9 columns", IN("152231936 39213322 40505344 0 40546304 0 0 1 1\n"), 0, 0, 9,
          { 152231936, 39213322, 40505344, 0, 40546304, 0, 0, 1, 1 } },
        { "6.18 idle, %8llu padding", IN("       0        0        0        0        0        0        0        0"
                                         "        0\n"), 0, 0, 9 },
        { "7 columns", IN("10 5 6 0 7 1 2\n"), 0, 0, 7, { 10, 5, 6, 0, 7, 1, 2 } },
        { "3 columns", IN("10 5 6\n"), 0, 0, 3, { 10, 5, 6 } },
        { "10th column ignored", IN("1 2 3 4 5 6 7 8 9 10\n"), 0, 0, 9, { 1, 2, 3, 4, 5, 6, 7, 8, 9 } },
        { "no trailing newline", IN("1 2 3"), 0, 0, 3, { 1, 2, 3 } },
        { "CRLF", IN("1 2 3\r\n"), 0, 0, 3, { 1, 2, 3 } },
        { "u64 max", IN("18446744073709551615 0 0\n"), 0, 0, 3, { UINT64_MAX } },

        { "empty", IN(""), -EBADMSG, 1 },
        { "newline only", IN("\n"), -EBADMSG, 1 },
        { "2 columns", IN("10 5\n"), -EBADMSG, 1 },
        { "garbage", IN("lzo-rle [lz4] zstd\n"), -EINVAL, 1 },
        { "garbage after 3 columns", IN("1 2 3 x\n"), -EINVAL, 1 },
        { "negative", IN("1 -2 3\n"), -EINVAL, 1 },
        { "overflows u64", IN("18446744073709551616 0 0\n"), -ERANGE, 1 },
        { "NUL inside", IN("1 2\0 3\n"), -EINVAL, 1 },
};

static void test_zram(void **state) {
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(zram_cases); i++) {
                const ZramCase *c = &zram_cases[i];
                HrZramStat z;
                if (run(&P_ZRAM, c->name, c->in, c->len, c->r, c->line, &z) < 0)
                        continue;
                const uint64_t got[9] = { z.orig_data_bytes, z.compr_data_bytes, z.mem_used_total_bytes,
                                          z.mem_limit_bytes, z.mem_used_max_bytes, z.same_pages,
                                          z.pages_compacted, z.huge_pages, z.huge_pages_since };
                EXPECT_U(c->name, z.n_cols, c->n_cols);
                for (size_t k = 0; k < 9; k++)
                        EXPECT_U(c->name, got[k], c->col[k]);
        }
}

/* ---- loadavg ---------------------------------------------------------------------------------------- */

typedef struct LoadavgCase {
        CASE_HEAD;
        uint32_t tasks;
        int32_t last_pid;
} LoadavgCase;

static const LoadavgCase loadavg_cases[] = {
        { "6.18", IN("0.52 0.41 0.38 2/1234 56789\n"), 0, 0, 1234, 56789 },
        { "idle, no newline", IN("0.00 0.00 0.00 1/97 4194303"), 0, 0, 97, 4194303 },
        { "busy", IN("123.45 99.01 12.00 17/40000 1\n"), 0, 0, 40000, 1 },

        { "empty", IN(""), -EBADMSG, 1 },
        { "two averages", IN("0.52 0.41 2/1234 56789\n"), -EBADMSG, 1 },
        { "an average without decimals", IN("1 0.41 0.38 2/1234 56789\n"), -EBADMSG, 1 },
        { "no slash", IN("0.52 0.41 0.38 1234 56789\n"), -EBADMSG, 1 },
        { "more running than tasks", IN("0.52 0.41 0.38 9/8 56789\n"), -EINVAL, 1 },
        { "empty tasks", IN("0.52 0.41 0.38 2/ 56789\n"), -EINVAL, 1 },
        { "last pid missing", IN("0.52 0.41 0.38 2/1234\n"), -EBADMSG, 1 },
        { "last pid negative", IN("0.52 0.41 0.38 2/1234 -5\n"), -EINVAL, 1 },
        { "last pid beyond a pid", IN("0.52 0.41 0.38 2/1234 2147483648\n"), -EINVAL, 1 },
        { "trailing field", IN("0.52 0.41 0.38 2/1234 56789 x\n"), -EINVAL, 1 },
};

static void test_loadavg(void **state) {
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(loadavg_cases); i++) {
                const LoadavgCase *c = &loadavg_cases[i];
                HrLoadavg la;
                if (run(&P_LOADAVG, c->name, c->in, c->len, c->r, c->line, &la) < 0)
                        continue;
                EXPECT_U(c->name, la.tasks, c->tasks);
                EXPECT_U(c->name, (uint64_t) la.last_pid, (uint64_t) c->last_pid);
        }
}

/* ---- /proc/PID/maps: what a page-out advises ---------------------------------------------------------- */

static void test_maps(void **state) {
        static const char maps[] =
                "55d4c3800000-55d4c3a00000 r-xp 00000000 08:01 1234                       /usr/bin/x\n"
                "55d4c3a00000-55d4c3a10000 rw-p 00200000 08:01 1234                       /usr/bin/x\n"
                "55d4c3a10000-55d4c3a31000 rw-p 00000000 00:00 0                          [heap]\n"
                "7f2a1c000000-7f2a1c021000 rw-p 00000000 00:00 0 \n"
                "7f2a1c021000-7f2a1c100000 ---p 00000000 00:00 0 \n"
                "7f2a20000000-7f2a20100000 rw-s 00000000 00:05 99                         /dev/shm/x (deleted)\n"
                "7ffd1e5a0000-7ffd1e5c1000 rw-p 00000000 00:00 0                          [stack]\n"
                "7ffd1e5fb000-7ffd1e5ff000 r--p 00000000 00:00 0                          [vvar]\n"
                "7ffd1e5ff000-7ffd1e601000 r-xp 00000000 00:00 0                          [vdso]\n";
        HrRange r[8];
        size_t n = 99;
        uint64_t bytes = 0;
        HrParseErr e = {};
        (void) state;

        assert_int_equal(hr_parse_maps_ranges(maps, sizeof maps - 1, r, ELEMENTSOF(r), &n, &bytes, &e), 0);
        assert_int_equal(n, 3); /* data + heap merged, the anonymous mapping, the stack */
        assert_true(r[0].start == 0x55d4c3a00000 && r[0].len == 0x31000);
        assert_true(r[1].start == 0x7f2a1c000000 && r[1].len == 0x21000);
        assert_true(r[2].start == 0x7ffd1e5a0000 && r[2].len == 0x21000);
        assert_true(bytes == 0x31000 + 0x21000 + 0x21000);

        /* Only what fits is listed; the count and size say so. */
        assert_int_equal(hr_parse_maps_ranges(maps, sizeof maps - 1, r, 1, &n, &bytes, &e), 0);
        assert_true(n == 1 && bytes == 0x31000);

        static const struct {
                const char *in;
                int r;
                unsigned line;
        } bad[] = {
                { "55d4c3a00000 rw-p 00000000 00:00 0\n", -EINVAL, 1 },
                { "2000-1000 rw-p 00000000 00:00 0\n", -EINVAL, 1 },
                { "1000-2000 rwxq 00000000 00:00 0\n", -EINVAL, 1 },
                { "1000-2000 rw-p 0\n", -EINVAL, 1 },
                { "1000-2000 rw-p 00000000 00:00 0\n800-900 rw-p 00000000 00:00 0\n", -EINVAL, 2 },
                { "1000-2000 rw-p 00000000 00:00 0\n10000000000000000-10000000000000001 rw-p 0 00:00 0\n", -EINVAL, 2 },
                { "1000-20G0 rw-p 00000000 00:00 0\n", -EINVAL, 1 },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                size_t n2 = 77;
                uint64_t b2 = 77;
                HrParseErr e2 = {};
                assert_int_equal(hr_parse_maps_ranges(bad[i].in, strlen(bad[i].in), r, ELEMENTSOF(r), &n2, &b2, &e2),
                                 bad[i].r);
                assert_true(n2 == 77 && b2 == 77 && e2.why && e2.line == bad[i].line);
        }
        /* Empty: nothing to advise, not an error (a kernel thread, a zombie). */
        assert_int_equal(hr_parse_maps_ranges("", 0, r, ELEMENTSOF(r), &n, &bytes, NULL), 0);
        assert_true(n == 0 && bytes == 0);
}

/* ---- shared contract: NULL input, truncation and byte mutations ------------------------------------- */

static const Parser *const parsers[] = { &P_PSI, &P_MEMINFO, &P_VMSTAT, &P_SWAPS, &P_ZRAM, &P_LOADAVG };

static void test_null_buffer(void **state) {
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(parsers); i++) {
                HrSwaps ret; /* the largest result type */
                expect_i(parsers[i]->name, "r of (NULL, 0)", parsers[i]->fn(NULL, 0, &ret, NULL), -EBADMSG);
        }
}

/* Any input gives 0 or a documented errno, never a crash, and never a partial *ret. */
static void check_any(const Parser *p, const char *what, const char *in, size_t len, size_t at) {
        HrSwaps ret; /* the largest result type */
        char *copy = malloc(len > 0 ? len : 1);
        HrParseErr err = { 0, NULL };

        assert_non_null(copy);
        memcpy(copy, in, len);
        memset(&ret, SENTINEL, sizeof ret);
        int r = p->fn(copy, len, &ret, &err);
        free(copy);
        if (r != 0 && r != -EBADMSG && r != -EINVAL && r != -ERANGE)
                fail_msg("%s %s at %zu: unexpected %d", p->name, what, at, r);
        if (r < 0 && (!err.why || memcmp(&ret, sentinel, p->size) != 0))
                fail_msg("%s %s at %zu: %s: err.why unset or *ret written", p->name, what, at, errname(r));
}

static void test_truncate_and_mutate(void **state) {
        static const struct {
                const Parser *p;
                const char *in;
        } samples[] = {
                { &P_PSI, "some avg10=38.19 avg60=10.39 avg300=2.57 total=8347419\n"
                          "full avg10=38.19 avg60=10.39 avg300=2.57 total=8347419\n" },
                { &P_MEMINFO, meminfo_618 },
                { &P_VMSTAT, vmstat_618 },
                { &P_SWAPS, SW_HDR "/dev/zram0 partition\t2097148\t\t12\t\t100\n/swap\\040file file 1024 10 -2\n" },
                { &P_ZRAM, "152231936 39213322 40505344 0 40546304 0 0 1 1\n" },
                { &P_LOADAVG, "0.52 0.41 0.38 2/1234 56789\n" },
        };
        static const char bytes[] = { '\0', '\n', '\r', ' ', '-', '.', '9', 'x', '\\', '=', ':' };
        char buf[2048];
        (void) state;

        for (size_t s = 0; s < ELEMENTSOF(samples); s++) {
                size_t len = strlen(samples[s].in);
                assert_true(len <= sizeof buf);
                for (size_t n = 0; n <= len; n++)
                        check_any(samples[s].p, "prefix", samples[s].in, n, n);
                for (size_t i = 0; i < len; i++)
                        for (size_t b = 0; b < sizeof bytes; b++) {
                                memcpy(buf, samples[s].in, len);
                                buf[i] = bytes[b];
                                check_any(samples[s].p, "mutation", buf, len, i);
                        }
        }
}

/* ---- live files of the running kernel --------------------------------------------------------------- */

/* Reads a whole file and parses it, which must succeed; skips the test when the file cannot be opened. */
static void parse_live(const Parser *p, const char *path, void *ret) {
        static char buf[65536];
        size_t n = 0;
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                print_message("%s: %s, skipping\n", path, strerror(errno));
                skip();
        }
        for (ssize_t k; (k = read(fd, buf + n, sizeof buf - n)) != 0; n += (size_t) k)
                assert_true(k > 0 && n + (size_t) k < sizeof buf);
        close(fd);
        assert_int_equal(run(p, path, buf, n, 0, 0, ret), 0);
}

/* mountinfo: where cgroup2 is, with octal escapes, optional fields, and lines that are not ours. */
static void test_mountinfo_cgroup2(void **state) {
        static const struct {
                const char *name, *in;
                int want_r;
                const char *want_path;
        } cases[] = {
                { "hybrid", "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
                            "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n",
                  0, "/sys/fs/cgroup/unified" },
                { "unified with optional fields", "29 23 0:26 / /sys/fs/cgroup rw,nosuid shared:4 master:1 - cgroup2 cgroup2 rw,nsdelegate\n",
                  0, "/sys/fs/cgroup" },
                { "escaped space", "41 31 0:38 / /mnt/my\\040cg rw - cgroup2 none rw\n", 0, "/mnt/my cg" },
                { "first of two", "1 0 0:1 / /a rw - cgroup2 x rw\n2 0 0:2 / /b rw - cgroup2 y rw\n", 0, "/a" },
                { "no trailing newline", "41 31 0:38 / /cg rw - cgroup2 cgroup2 rw", 0, "/cg" },
                { "legacy only", "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n", -ENOENT, NULL },
                { "empty", "", -ENOENT, NULL },
                { "garbage line then cgroup2", "garbage\n- cgroup2\n41 31 0:38 / /cg rw - cgroup2 c rw\n", 0, "/cg" },
                { "escaped NUL rejected", "41 31 0:38 / /a\\000b rw - cgroup2 c rw\n", -ENAMETOOLONG, NULL },
        };
        (void) state;

        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                char out[64];
                memset(out, 'Z', sizeof out);
                HrParseErr err = {};
                int r = hr_parse_mountinfo_cgroup2(cases[i].in, strlen(cases[i].in), out, sizeof out, &err);
                if (r != cases[i].want_r)
                        fail_msg("mountinfo case \"%s\": r=%d want %d", cases[i].name, r, cases[i].want_r);
                if (cases[i].want_path && strcmp(out, cases[i].want_path) != 0)
                        fail_msg("mountinfo case \"%s\": path \"%s\" want \"%s\"", cases[i].name, out,
                                 cases[i].want_path);
                if (r < 0 && !err.why)
                        fail_msg("mountinfo case \"%s\": no reason given", cases[i].name);
        }

        /* Too small a buffer is an error, never a truncated path. */
        char small[8];
        const char *in = "41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n";
        assert_int_equal(hr_parse_mountinfo_cgroup2(in, strlen(in), small, sizeof small, NULL), -ENAMETOOLONG);
}

/* mountinfo: a v1 hierarchy by controller, as a whole option among the super options. */
static void test_mountinfo_cgroup1(void **state) {
        static const struct {
                const char *name, *in, *ctl;
                int want_r;
                const char *want_path;
        } cases[] = {
                { "hybrid", "32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"
                            "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
                            "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n",
                  "memory", 0, "/sys/fs/cgroup/memory" },
                { "co-mounted", "33 31 0:30 / /sys/fs/cgroup/cpu,cpuacct rw shared:2 - cgroup cgroup rw,cpu,cpuacct\n",
                  "cpuacct", 0, "/sys/fs/cgroup/cpu,cpuacct" },
                { "a prefix is not the controller", "33 31 0:30 / /cg rw - cgroup cgroup rw,cpuacct\n", "cpu", -ENOENT, NULL },
                { "named hierarchy is not a controller", "40 31 0:37 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd\n",
                  "memory", -ENOENT, NULL },
                { "cgroup2 is not v1", "41 31 0:38 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,memory\n", "memory", -ENOENT, NULL },
                { "source field missing", "35 31 0:32 / /m rw - cgroup\n", "memory", -ENOENT, NULL },
                { "empty", "", "memory", -ENOENT, NULL },
                { "no controller named", "35 31 0:32 / /m rw - cgroup cgroup rw,memory\n", "", -EINVAL, NULL },
                { "a raw \\r is part of the path (the kernel escapes only space, tab, newline, backslash)",
                  "35 31 0:32 / /m\rx rw - cgroup cgroup rw,memory\n", "memory", 0, "/m\rx" },
        };
        (void) state;

        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                char out[64];
                memset(out, 'Z', sizeof out);
                HrParseErr err = {};
                int r = hr_parse_mountinfo_cgroup1(cases[i].in, strlen(cases[i].in), cases[i].ctl, out, sizeof out, &err);
                if (r != cases[i].want_r)
                        fail_msg("mountinfo v1 case \"%s\": r=%d want %d", cases[i].name, r, cases[i].want_r);
                if (cases[i].want_path && strcmp(out, cases[i].want_path) != 0)
                        fail_msg("mountinfo v1 case \"%s\": path \"%s\" want \"%s\"", cases[i].name, out,
                                 cases[i].want_path);
                if (r < 0 && (!err.why || out[0] != 'Z'))
                        fail_msg("mountinfo v1 case \"%s\": no reason given, or the output written", cases[i].name);
        }
}

/* A cgroup's memory values: bytes or "max"; one key of memory.stat. */
static void test_cgroup_memory_files(void **state) {
        static const struct {
                const char *in;
                int want_r;
                uint64_t want;
        } bytes[] = {
                { "268435456\n", 0, 268435456 }, { "max\n", 0, UINT64_MAX }, { "0", 0, 0 },
                { "9223372036854771712\n", 0, UINT64_C(9223372036854771712) },
                { "", -EBADMSG, 0 }, { "\n", -EBADMSG, 0 }, { "-1\n", -EINVAL, 0 }, { "12k\n", -EINVAL, 0 },
                { "max max\n", -EINVAL, 0 }, { "1\n2\n", -EINVAL, 0 }, { "99999999999999999999\n", -EINVAL, 0 },
        };
        (void) state;

        for (size_t i = 0; i < sizeof bytes / sizeof bytes[0]; i++) {
                uint64_t v = 7;
                HrParseErr err = {};
                int r = hr_parse_cgroup_bytes(bytes[i].in, strlen(bytes[i].in), &v, &err);
                if (r != bytes[i].want_r || (r == 0 && v != bytes[i].want) || (r < 0 && (v != 7 || !err.why)))
                        fail_msg("cgroup bytes \"%s\": r=%d v=%llu", bytes[i].in, r, (unsigned long long) v);
        }

        const char *stat = "anon 4096\nfile 8192\ninactive_file 1024\ntotal_inactive_file 2048\n";
        uint64_t v = 7;
        HrParseErr err = {};
        assert_int_equal(hr_parse_keyed_u64(stat, strlen(stat), "inactive_file", &v, NULL), 0);
        assert_int_equal(v, 1024);
        assert_int_equal(hr_parse_keyed_u64(stat, strlen(stat), "total_inactive_file", &v, NULL), 0);
        assert_int_equal(v, 2048);
        assert_int_equal(hr_parse_keyed_u64(stat, strlen(stat), "inactive", &v, &err), -ENOENT); /* whole keys */
        assert_non_null(err.why);
        assert_int_equal(hr_parse_keyed_u64("a 1\nkey x\n", 11, "key", &v, &err), -EINVAL);
        assert_int_equal(err.line, 2);
        assert_int_equal(hr_parse_keyed_u64("key 1 2\n", 8, "key", &v, NULL), -EINVAL);
        assert_int_equal(hr_parse_keyed_u64("key\n", 4, "key", &v, NULL), -EINVAL);
        assert_int_equal(v, 2048); /* untouched by the failures */
}

static void test_live_psi(void **state) {
        static const char *const res[] = { "memory", "cpu", "io" };
        char path[64];
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(res); i++) {
                HrPsi a, b;
                snprintf(path, sizeof path, "/proc/pressure/%s", res[i]);
                parse_live(&P_PSI, path, &a);
                parse_live(&P_PSI, path, &b);
                assert_true(a.has_full || strcmp(res[i], "cpu") == 0); /* system cpu lacks "full" before 5.13 */
                assert_true(a.some.avg10_permyriad <= 10000 && a.some.avg60_permyriad <= 10000 &&
                            a.some.avg300_permyriad <= 10000);
                assert_true(a.full.total_usec <= a.some.total_usec); /* full stalls are also some stalls */
                assert_true(b.some.total_usec >= a.some.total_usec && b.full.total_usec >= a.full.total_usec);
        }
}

static void test_live_meminfo(void **state) {
        struct sysinfo si;
        HrMeminfo m;
        (void) state;
        parse_live(&P_MEMINFO, "/proc/meminfo", &m);
        assert_int_equal(m.present & MI_REQ_BITS, MI_REQ_BITS);
        assert_int_equal(sysinfo(&si), 0);
        uint64_t total = (uint64_t) si.totalram * si.mem_unit / 1024, kib = m.kib[HR_MEM_TOTAL];
        assert_true(kib >= total - total / 100 && kib <= total + total / 100);
}

static void test_live_vmstat(void **state) {
        HrVmstat a, b;
        (void) state;
        parse_live(&P_VMSTAT, "/proc/vmstat", &a);
        parse_live(&P_VMSTAT, "/proc/vmstat", &b);
        assert_true(hr_vmstat_has(&a, HR_VM_WORKINGSET_REFAULT_ANON) || hr_vmstat_has(&a, HR_VM_WORKINGSET_REFAULT));
        assert_int_equal(a.present, b.present);
        for (int f = 0; f < _HR_VM_FIELD_MAX; f++) /* every tracked counter is cumulative */
                if (b.v[f] < a.v[f])
                        fail_msg("%s went backwards", hr_vmstat_field_to_string((HrVmstatField) f));
}

static void test_live_swaps(void **state) {
        HrSwaps sw;
        uint64_t listed = 0;
        (void) state;
        parse_live(&P_SWAPS, "/proc/swaps", &sw);
        assert_int_equal(sw.n_dev, MIN(sw.n_total, (unsigned) HR_SWAPS_MAX));
        assert_true(sw.used_kib <= sw.size_kib);
        for (unsigned i = 0; i < sw.n_dev; i++) {
                assert_true(sw.dev[i].name[0] != '\0');
                listed += sw.dev[i].size_kib;
        }
        assert_true(listed <= sw.size_kib);
}

static void test_live_loadavg(void **state) {
        HrLoadavg la;
        (void) state;
        parse_live(&P_LOADAVG, "/proc/loadavg", &la);
        assert_true(la.tasks > 0 && la.last_pid > 0);
}

static void test_live_zram(void **state) {
        HrZramStat z;
        (void) state;
        parse_live(&P_ZRAM, "/sys/block/zram0/mm_stat", &z);
        assert_true(z.n_cols >= 3);
}

static int setup(void **state) {
        (void) state;
        memset(sentinel, SENTINEL, sizeof sentinel);
        return 0;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_u64),
                cmocka_unit_test(test_i32),
                cmocka_unit_test(test_percent),
                cmocka_unit_test(test_psi),
                cmocka_unit_test(test_meminfo_real),
                cmocka_unit_test(test_meminfo),
                cmocka_unit_test(test_vmstat),
                cmocka_unit_test(test_swaps),
                cmocka_unit_test(test_swaps_many),
                cmocka_unit_test(test_zram),
                cmocka_unit_test(test_loadavg),
                cmocka_unit_test(test_maps),
                cmocka_unit_test(test_null_buffer),
                cmocka_unit_test(test_truncate_and_mutate),
                cmocka_unit_test(test_mountinfo_cgroup2),
                cmocka_unit_test(test_mountinfo_cgroup1),
                cmocka_unit_test(test_cgroup_memory_files),
                cmocka_unit_test(test_live_psi),
                cmocka_unit_test(test_live_meminfo),
                cmocka_unit_test(test_live_vmstat),
                cmocka_unit_test(test_live_swaps),
                cmocka_unit_test(test_live_loadavg),
                cmocka_unit_test(test_live_zram),
        };
        return cmocka_run_group_tests(tests, setup, NULL);
}
