/* SPDX-License-Identifier: MIT */
/* Unit tests of parse/drm.c: DRM clients' fdinfo as i915, amdgpu (legacy and current keys), xe, msm and a discrete
 * i915 print it, non-DRM fdinfo, units, region classes, and malformed or hostile input, table-driven. */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parse/parse.h"
#include "shared/macros.h"

#include "parse-expect.h"

static int drm_v(const char *b, size_t n, void *r, HrParseErr *e) {
        return hr_parse_drm_fdinfo(b, n, r, e);
}

static const Parser P_DRM = { "drm fdinfo", drm_v, sizeof(HrDrmFdinfo) };

static unsigned char sentinel[sizeof(HrDrmFdinfo)];

/* ---- real-looking fdinfo ------------------------------------------------------------------------------- */

/* What every fd's fdinfo starts with (fs/proc/fd.c). */
#define FD_HEAD "pos:\t0\nflags:\t02100002\nmnt_id:\t24\nino:\t1049\n"

/* drm_print_memory_stats() for one region, i915's way (RESIDENT | PURGEABLE supported). */
#define I915_REGION(r, total, shared, resident)                                          \
        "drm-total-" r ":\t" total "\ndrm-shared-" r ":\t" shared "\ndrm-active-" r ":\t0\n" \
        "drm-resident-" r ":\t" resident "\ndrm-purgeable-" r ":\t0\n"

/* i915 on an Alder Lake laptop (integrated): system memory and stolen memory, engines after. */
static const char I915_IGPU[] = FD_HEAD "drm-driver:\ti915\ndrm-client-id:\t39\ndrm-pdev:\t0000:00:02.0\n"
        I915_REGION("system0", "40960 KiB", "8 KiB", "37708 KiB") I915_REGION("stolen-system0", "0", "0", "0")
        "drm-engine-render:\t2876153402 ns\ndrm-engine-copy:\t0 ns\ndrm-engine-video:\t0 ns\n"
        "drm-engine-capacity-video:\t2\ndrm-engine-video-enhance:\t0 ns\n";

/* i915 on a DG2 (Arc A770, discrete): system, local (VRAM) and stolen-local memory. */
static const char I915_DG2[] = FD_HEAD "drm-driver:\ti915\ndrm-client-id:\t12\ndrm-pdev:\t0000:03:00.0\n"
        I915_REGION("system0", "4 MiB", "0", "4 MiB") I915_REGION("local0", "1 GiB", "12 MiB", "1023 MiB")
        I915_REGION("stolen-local0", "0", "0", "0") "drm-engine-render:\t0 ns\n";

/* amdgpu 5.19 to 6.3: only its own legacy keys, "drm-memory-gtt: \t" with the blank, amd-* keys, pasid. An APU
 * (Renoir): "vram" is the carve-out. */
static const char AMDGPU_LEGACY[] = FD_HEAD "pasid:\t32779\ndrm-driver:\tamdgpu\ndrm-pdev:\t0000:05:00.0\n"
        "drm-client-id:\t412\ndrm-memory-vram:\t160780 KiB\ndrm-memory-gtt: \t12724 KiB\ndrm-memory-cpu: \t0 KiB\n"
        "amd-memory-visible-vram:\t160780 KiB\namd-evicted-vram:\t0 KiB\namd-evicted-visible-vram:\t0 KiB\n"
        "amd-requested-vram:\t160780 KiB\namd-requested-visible-vram:\t0 KiB\namd-requested-gtt:\t12724 KiB\n"
        "drm-engine-gfx:\t1151427154 ns\ndrm-engine-dma:\t2125130 ns\n";

/* amdgpu 6.12 (a Phoenix APU): the standard keys, then the legacy ones that disagree with drm-resident-. */
static const char AMDGPU_612[] = FD_HEAD "drm-driver:\tamdgpu\ndrm-client-id:\t81\ndrm-pdev:\t0000:c4:00.0\n"
        "pasid:\t32770\n" I915_REGION("cpu", "0", "0", "0") I915_REGION("gtt", "25 MiB", "4 MiB", "24 MiB")
        I915_REGION("vram", "512 MiB", "18 MiB", "511 MiB")
        "drm-memory-vram:\t524288 KiB\ndrm-memory-gtt: \t25600 KiB\ndrm-memory-cpu: \t0 KiB\n"
        "amd-evicted-vram:\t0 KiB\namd-requested-vram:\t524288 KiB\namd-requested-gtt:\t25600 KiB\n"
        "drm-engine-gfx:\t13460452 ns\n";

/* xe on Lunar Lake (integrated): "system", "gtt", "stolen"; utilisation as cycles, whose drm-total-cycles-* are no
 * memory keys. */
static const char XE_LNL[] = FD_HEAD "drm-driver:\txe\ndrm-client-id:\t1862\ndrm-pdev:\t0000:00:02.0\n"
        "drm-total-system:\t0\ndrm-shared-system:\t0\ndrm-active-system:\t0\ndrm-resident-system:\t0\n"
        "drm-purgeable-system:\t0\ndrm-total-gtt:\t154392 KiB\ndrm-shared-gtt:\t14336 KiB\ndrm-active-gtt:\t0\n"
        "drm-resident-gtt:\t154392 KiB\ndrm-purgeable-gtt:\t0\ndrm-total-stolen:\t0\ndrm-shared-stolen:\t0\n"
        "drm-active-stolen:\t0\ndrm-resident-stolen:\t0\ndrm-purgeable-stolen:\t0\n"
        "drm-cycles-rcs:\t28257900\ndrm-total-cycles-rcs:\t7655183225\ndrm-cycles-bcs:\t0\n"
        "drm-total-cycles-bcs:\t7655183225\ndrm-cycles-vcs:\t0\ndrm-total-cycles-vcs:\t7655183225\n"
        "drm-engine-capacity-vcs:\t2\ndrm-cycles-ccs:\t0\ndrm-total-cycles-ccs:\t7655183225\n";

/* msm on a Chromebook (Adreno, no PCI: no drm-pdev), the reserved region name "memory", a client name. */
static const char MSM[] = FD_HEAD "drm-driver:\tmsm\ndrm-client-id:\t7\ndrm-client-name:\tchrome-gpu\n"
        "drm-engine-gpu:\t1536441400 ns\ndrm-cycles-gpu:\t713296584\ndrm-maxfreq-gpu:\t800000000 Hz\n"
        I915_REGION("memory", "58204 KiB", "8804 KiB", "58204 KiB");

/* A driver without DRM_GEM_OBJECT_RESIDENT (panfrost before 6.6): total and shared only, in bytes when not a
 * multiple of 1 KiB (print_size() of 6.5 went up a unit only for exact multiples). */
static const char NO_RESIDENT[] = FD_HEAD "drm-driver:\tpanfrost\ndrm-client-id:\t3\n"
        "drm-engine-fragment:\t12 ns\ndrm-total-memory:\t3147264\ndrm-shared-memory:\t1536\n";

/* ---- the table --------------------------------------------------------------------------------------------- */

typedef struct WantRegion {
        const char *name;
        HrDrmMemClass mem_class;
        HrDrmStat source;
        uint64_t resident_kib, shared_kib;
} WantRegion;

typedef struct DrmCase {
        CASE_HEAD;
        bool is_drm;
        const char *driver, *pdev;
        bool has_client_id;
        uint64_t client_id;
        unsigned n_regions, n_dropped;
        WantRegion reg[6];
        uint64_t system_kib, stolen_kib, device_kib, other_kib;  /* resident sums */
} DrmCase;

#define SYS HR_DRM_MEM_SYSTEM
#define STOL HR_DRM_MEM_STOLEN
#define DEV HR_DRM_MEM_DEVICE
#define OTH HR_DRM_MEM_OTHER
#define RES HR_DRM_STAT_RESIDENT
#define MEM HR_DRM_STAT_MEMORY
#define TOT HR_DRM_STAT_TOTAL
#define DRV(d) "drm-driver:\t" d "\n"
#define CLIENT(d, id) .is_drm = true, .driver = (d), .has_client_id = true, .client_id = (id)

static const DrmCase cases[] = {
        { "i915 integrated", IN(I915_IGPU), CLIENT("i915", 39), .pdev = "0000:00:02.0", .n_regions = 2,
          .reg = { { "system0", SYS, RES, 37708, 8 }, { "stolen-system0", STOL, RES, 0, 0 } },
          .system_kib = 37708 },
        { "i915 DG2 discrete", IN(I915_DG2), CLIENT("i915", 12), .pdev = "0000:03:00.0", .n_regions = 3,
          .reg = { { "system0", SYS, RES, 4096, 0 }, { "local0", DEV, RES, 1047552, 12288 },
                   { "stolen-local0", DEV, RES, 0, 0 } },
          .system_kib = 4096, .device_kib = 1047552 },
        { "amdgpu legacy keys only", IN(AMDGPU_LEGACY), CLIENT("amdgpu", 412), .pdev = "0000:05:00.0",
          .n_regions = 3,
          .reg = { { "vram", DEV, MEM, 160780, 0 }, { "gtt", SYS, MEM, 12724, 0 }, { "cpu", SYS, MEM, 0, 0 } },
          .system_kib = 12724, .device_kib = 160780 },
        { "amdgpu 6.12: drm-resident- wins over drm-memory-", IN(AMDGPU_612), CLIENT("amdgpu", 81),
          .pdev = "0000:c4:00.0", .n_regions = 3,
          .reg = { { "cpu", SYS, RES, 0, 0 }, { "gtt", SYS, RES, 24576, 4096 }, { "vram", DEV, RES, 523264, 18432 } },
          .system_kib = 24576, .device_kib = 523264 },
        { "xe integrated, cycles keys skipped", IN(XE_LNL), CLIENT("xe", 1862), .pdev = "0000:00:02.0",
          .n_regions = 3,
          .reg = { { "system", SYS, RES, 0, 0 }, { "gtt", SYS, RES, 154392, 14336 }, { "stolen", STOL, RES, 0, 0 } },
          .system_kib = 154392 },
        { "msm: no pdev, region \"memory\"", IN(MSM), CLIENT("msm", 7), .pdev = "", .n_regions = 1,
          .reg = { { "memory", SYS, RES, 58204, 8804 } }, .system_kib = 58204 },
        { "no resident key: total, bytes rounded down", IN(NO_RESIDENT), CLIENT("panfrost", 3), .pdev = "",
          .n_regions = 1, .reg = { { "memory", SYS, TOT, 3073, 1 } }, .system_kib = 3073 },

        { "empty", IN(""), .pdev = "" },
        { "a regular file's fdinfo", IN("pos:\t0\nflags:\t0100000\nmnt_id:\t29\nino:\t1317\n"), .pdev = "" },
        { "an eventfd", IN("pos:\t0\nflags:\t02\nmnt_id:\t15\nino:\t1057\neventfd-count:                0\n"
                           "eventfd-id: 3\neventfd-semaphore: 0\n"),
          .pdev = "" },
        { "an inotify fd (colons further in)",
          IN("pos:\t0\nflags:\t00\nmnt_id:\t15\nino:\t1057\ninotify wd:1 ino:a0f sdev:800011 mask:fce ignored_mask:0 "
             "fhandle-bytes:8 fhandle-type:1 f_handle:0f0a000000000000\n"),
          .pdev = "" },
        { "amd- keys alone are no drm- keys", IN("amd-evicted-vram:\t0 KiB\n"), .pdev = "" },
        { "a drm- line without a colon is no key", IN("drm-driver i915\n"), .pdev = "" },
        { "driver alone", IN(DRV("vgem")), .is_drm = true, .driver = "vgem", .pdev = "" },
        { "driver only, no newline", IN("drm-driver:\tvkms"), .is_drm = true, .driver = "vkms", .pdev = "" },

        /* units */
        { "no unit: bytes", IN(DRV("d") "drm-resident-system:\t4096\n"), .is_drm = true, .driver = "d", .pdev = "",
          .n_regions = 1, .reg = { { "system", SYS, RES, 4, 0 } }, .system_kib = 4 },
        { "B", IN(DRV("d") "drm-resident-system:\t2047 B\n"), .is_drm = true, .driver = "d", .pdev = "",
          .n_regions = 1, .reg = { { "system", SYS, RES, 1, 0 } }, .system_kib = 1 },
        { "under 1 KiB is 0", IN(DRV("d") "drm-resident-system:\t1023\n"), .is_drm = true, .driver = "d", .pdev = "",
          .n_regions = 1, .reg = { { "system", SYS, RES, 0, 0 } } },
        { "MiB and GiB", IN(DRV("d") "drm-resident-gtt:\t3 MiB\ndrm-resident-vram:\t2 GiB\n"), .is_drm = true,
          .driver = "d", .pdev = "", .n_regions = 2,
          .reg = { { "gtt", SYS, RES, 3072, 0 }, { "vram", DEV, RES, 2097152, 0 } }, .system_kib = 3072,
          .device_kib = 2097152 },
        { "the largest size: 2^50 KiB", IN(DRV("d") "drm-resident-system:\t1125899906842624 KiB\n"), .is_drm = true,
          .driver = "d", .pdev = "", .n_regions = 1, .reg = { { "system", SYS, RES, UINT64_C(1) << 50, 0 } },
          .system_kib = UINT64_C(1) << 50 },
        { "2^30 GiB", IN(DRV("d") "drm-resident-system:\t1073741824 GiB\n"), .is_drm = true, .driver = "d",
          .pdev = "", .n_regions = 1, .reg = { { "system", SYS, RES, UINT64_C(1) << 50, 0 } },
          .system_kib = UINT64_C(1) << 50 },
        { "sums past 2^50 KiB", IN(DRV("d")
          "drm-resident-system0:\t1 GiB\ndrm-resident-system1:\t1125899906842624 KiB\n"
          "drm-resident-system2:\t1125899906842624 KiB\n"),
          .is_drm = true, .driver = "d", .pdev = "", .n_regions = 3,
          .reg = { { "system0", SYS, RES, 1048576, 0 }, { "system1", SYS, RES, UINT64_C(1) << 50, 0 },
                   { "system2", SYS, RES, UINT64_C(1) << 50, 0 } },
          .system_kib = (UINT64_C(1) << 51) + 1048576 },
        { "u64 max bytes is 2^54 KiB: too large", IN(DRV("d") "drm-total-system:\t18446744073709551615\n"), -ERANGE,
          2 },

        /* layout */
        { "CRLF and blanks", IN("drm-driver:   i915  \r\ndrm-client-id:\t 5 \r\ndrm-resident-system0:  8  KiB \r\n"),
          CLIENT("i915", 5), .pdev = "", .n_regions = 1, .reg = { { "system0", SYS, RES, 8, 0 } }, .system_kib = 8 },
        { "no blank after the colon", IN("drm-driver:i915\ndrm-resident-system0:8KiB\n"), -EINVAL, 2 },
        { "no blank after the colon, bytes", IN("drm-driver:i915\ndrm-resident-system0:8\n"), .is_drm = true,
          .driver = "i915", .pdev = "", .n_regions = 1, .reg = { { "system0", SYS, RES, 0, 0 } } },
        { "drm keys before drm-driver", IN("drm-resident-gtt:\t1 MiB\ndrm-client-id:\t9\ndrm-driver:\tamdgpu\n"),
          CLIENT("amdgpu", 9), .pdev = "", .n_regions = 1, .reg = { { "gtt", SYS, RES, 1024, 0 } },
          .system_kib = 1024 },
        { "only drm-shared-: resident 0", IN(DRV("d") "drm-shared-gtt:\t1 MiB\n"), .is_drm = true, .driver = "d",
          .pdev = "", .n_regions = 1, .reg = { { "gtt", SYS, TOT, 0, 1024 } } },
        { "memory without resident beats total",
          IN(DRV("d") "drm-total-vram:\t9 MiB\ndrm-memory-vram:\t5 MiB\n"), .is_drm = true, .driver = "d", .pdev = "",
          .n_regions = 1, .reg = { { "vram", DEV, MEM, 5120, 0 } }, .device_kib = 5120 },
        { "resident beats memory in any order",
          IN(DRV("d") "drm-resident-vram:\t5 MiB\ndrm-memory-vram:\t9 MiB\n"), .is_drm = true, .driver = "d",
          .pdev = "", .n_regions = 1, .reg = { { "vram", DEV, RES, 5120, 0 } }, .device_kib = 5120 },
        { "unknown region names are other",
          IN(DRV("amdgpu") "drm-resident-gds:\t4 KiB\ndrm-resident-doorbell:\t8 KiB\ndrm-resident-systemx:\t1 KiB\n"),
          .is_drm = true, .driver = "amdgpu", .pdev = "", .n_regions = 3,
          .reg = { { "gds", OTH, RES, 4, 0 }, { "doorbell", OTH, RES, 8, 0 }, { "systemx", OTH, RES, 1, 0 } },
          .other_kib = 13 },
        { "unknown drm- keys tolerated",
          IN(DRV("d") "drm-client-name:\tmy app with blanks\ndrm-engine-render:\tjunk\ndrm-purgeable-system:\tjunk\n"
             "drm-active-system:\t\ndrm-total-cycles-rcs:\tjunk\ndrm-futurekey:\t\1\n"),
          .is_drm = true, .driver = "d", .pdev = "" },
        { "31-byte region name kept, 32-byte dropped",
          IN(DRV("d") "drm-resident-system0123456789012345678901234:\t1 KiB\n"
             "drm-resident-system01234567890123456789012345:\t2 KiB\n"),
          .is_drm = true, .driver = "d", .pdev = "", .n_regions = 1, .n_dropped = 1,
          .reg = { { "system0123456789012345678901234", SYS, RES, 1, 0 } }, .system_kib = 1 },
        { "driver name cut to 31 bytes", IN(DRV("a_driver_with_a_very_long_name_0123456789")), .is_drm = true,
          .driver = "a_driver_with_a_very_long_name_", .pdev = "" },
        { "client id 0 and u64 max", IN(DRV("d") "drm-client-id:\t18446744073709551615\n"),
          CLIENT("d", UINT64_MAX), .pdev = "" },
        { "31-byte pdev", IN(DRV("d") "drm-pdev:\t0123456789012345678901234567890\n"), .is_drm = true, .driver = "d",
          .pdev = "0123456789012345678901234567890" },

        /* errors */
        { "memory keys without drm-driver", IN(FD_HEAD "drm-total-system0:\t4 KiB\n"), -EBADMSG, 5 },
        { "client id without drm-driver", IN("pos:\t0\ndrm-client-id:\t3\n"), -EBADMSG, 2 },
        { "unknown drm- key without drm-driver", IN("drm-engine-render:\t0 ns\n"), -EBADMSG, 1 },
        { "repeated driver", IN(DRV("i915") DRV("i915")), -EINVAL, 2 },
        { "repeated client id", IN(DRV("d") "drm-client-id:\t1\ndrm-client-id:\t1\n"), -EINVAL, 3 },
        { "repeated pdev", IN(DRV("d") "drm-pdev:\t0000:00:02.0\ndrm-pdev:\t0000:00:02.0\n"), -EINVAL, 3 },
        { "repeated memory key", IN(DRV("d") "drm-resident-gtt:\t1 KiB\ndrm-total-gtt:\t1 KiB\n"
                                    "drm-resident-gtt:\t1 KiB\n"), -EINVAL, 4 },
        { "repeated legacy key", IN(DRV("d") "drm-memory-gtt: \t1 KiB\ndrm-memory-gtt: \t1 KiB\n"), -EINVAL, 3 },
        { "empty driver", IN("drm-driver:\t\n"), -EINVAL, 1 },
        { "two-word driver", IN("drm-driver:\ti915 extra\n"), -EINVAL, 1 },
        { "NUL in driver", IN("drm-driver:\ti9\00015\n"), -EINVAL, 1 },
        { "client id not a number", IN(DRV("d") "drm-client-id:\tabc\n"), -EINVAL, 2 },
        { "negative client id", IN(DRV("d") "drm-client-id:\t-1\n"), -EINVAL, 2 },
        { "empty client id", IN(DRV("d") "drm-client-id:\n"), -EINVAL, 2 },
        { "client id with a unit", IN(DRV("d") "drm-client-id:\t4 KiB\n"), -EINVAL, 2 },
        { "client id past u64", IN(DRV("d") "drm-client-id:\t18446744073709551616\n"), -ERANGE, 2 },
        { "32-byte pdev", IN(DRV("d") "drm-pdev:\t01234567890123456789012345678901\n"), -EINVAL, 2 },
        { "empty pdev", IN(DRV("d") "drm-pdev:\t \n"), -EINVAL, 2 },
        { "empty region name", IN(DRV("d") "drm-resident-:\t1 KiB\n"), -EINVAL, 2 },
        { "blank in region name", IN(DRV("d") "drm-resident-sys tem0:\t1 KiB\n"), -EINVAL, 2 },
        { "blank before the colon", IN(DRV("d") "drm-resident-gtt :\t1 KiB\n"), -EINVAL, 2 },
        { "NUL in region name", IN(DRV("d") "drm-resident-gt\0t:\t1 KiB\n"), -EINVAL, 2 },
        { "empty size", IN(DRV("d") "drm-resident-gtt:\t\n"), -EINVAL, 2 },
        { "unit without number", IN(DRV("d") "drm-resident-gtt:\tKiB\n"), -EINVAL, 2 },
        { "unknown unit kB", IN(DRV("d") "drm-resident-gtt:\t4 kB\n"), -EINVAL, 2 },
        { "unit glued on", IN(DRV("d") "drm-resident-gtt:\t4KiB\n"), -EINVAL, 2 },
        { "a word after the unit", IN(DRV("d") "drm-resident-gtt:\t4 KiB x\n"), -EINVAL, 2 },
        { "negative size", IN(DRV("d") "drm-resident-gtt:\t-4 KiB\n"), -EINVAL, 2 },
        { "hex size", IN(DRV("d") "drm-resident-gtt:\t0x10 KiB\n"), -EINVAL, 2 },
        { "NUL in size", IN(DRV("d") "drm-resident-gtt:\t4\0 KiB\n"), -EINVAL, 2 },
        { "size past u64", IN(DRV("d") "drm-resident-gtt:\t18446744073709551616\n"), -ERANGE, 2 },
        { "2^50 + 1 KiB", IN(DRV("d") "drm-resident-gtt:\t1125899906842625 KiB\n"), -ERANGE, 2 },
        { "2^40 + 1 MiB", IN(DRV("d") "drm-resident-gtt:\t1099511627777 MiB\n"), -ERANGE, 2 },
        { "2^30 + 1 GiB", IN(DRV("d") "drm-resident-gtt:\t1073741825 GiB\n"), -ERANGE, 2 },
        { "u64 max GiB", IN(DRV("d") "drm-resident-gtt:\t18446744073709551615 GiB\n"), -ERANGE, 2 },
        { "a bad shared key fails too", IN(DRV("d") "drm-shared-gtt:\tlots\n"), -EINVAL, 2 },
        { "the first failing line is reported", IN(DRV("d") "drm-resident-gtt:\tx\ndrm-client-id:\ty\n"), -EINVAL, 2 },
};

static char *run_check(const DrmCase *c, HrDrmFdinfo *f) {
        char *copy = parse_check(&P_DRM, sentinel, c->name, c->in, c->len, c->r, c->line, f);
        if (c->r < 0)
                return copy;
        EXPECT_U(c->name, f->is_drm, c->is_drm);
        EXPECT_S(c->name, f->driver, c->driver ? c->driver : "");
        EXPECT_S(c->name, f->pdev, c->pdev);
        EXPECT_U(c->name, f->has_client_id, c->has_client_id);
        EXPECT_U(c->name, f->client_id, c->client_id);
        EXPECT_U(c->name, f->n_regions, c->n_regions);
        EXPECT_U(c->name, f->n_dropped, c->n_dropped);
        for (unsigned i = 0; i < c->n_regions && i < ELEMENTSOF(c->reg); i++) {
                const HrDrmRegion *g = &f->region[i];
                const WantRegion *w = &c->reg[i];
                EXPECT_S(c->name, g->name, w->name);
                EXPECT_I(c->name, g->mem_class, w->mem_class);
                EXPECT_I(c->name, g->source, w->source);
                EXPECT_U(c->name, g->resident_kib, w->resident_kib);
                EXPECT_U(c->name, g->kib[HR_DRM_STAT_SHARED], w->shared_kib);
                EXPECT_U(c->name, g->resident_kib, g->kib[g->source]);
        }
        EXPECT_U(c->name, f->resident_kib[HR_DRM_MEM_SYSTEM], c->system_kib);
        EXPECT_U(c->name, f->resident_kib[HR_DRM_MEM_STOLEN], c->stolen_kib);
        EXPECT_U(c->name, f->resident_kib[HR_DRM_MEM_DEVICE], c->device_kib);
        EXPECT_U(c->name, f->resident_kib[HR_DRM_MEM_OTHER], c->other_kib);
        if (!f->is_drm && (f->driver[0] || f->pdev[0] || f->has_client_id || f->client_id || f->n_regions ||
                           f->n_dropped || f->shared_kib[HR_DRM_MEM_SYSTEM] || f->shared_kib[HR_DRM_MEM_DEVICE]))
                fail_msg("case \"%s\": not a DRM fd, yet something is set", c->name);
        return copy;
}

static void test_fdinfo(void **state) {
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                HrDrmFdinfo f;
                free(run_check(&cases[i], &f));
        }
}

/* The kept values of the real samples, key by key: total, shared, and resident vs the legacy alias. */
static void test_fdinfo_all_keys(void **state) {
        HrDrmFdinfo f;
        (void) state;

        assert_int_equal(hr_parse_drm_fdinfo(AMDGPU_612, sizeof AMDGPU_612 - 1, &f, NULL), 0);
        const HrDrmRegion *vram = &f.region[2];
        assert_string_equal(vram->name, "vram");
        assert_int_equal(vram->seen, 0xf);
        assert_int_equal(vram->kib[HR_DRM_STAT_TOTAL], 524288);
        assert_int_equal(vram->kib[HR_DRM_STAT_SHARED], 18432);
        assert_int_equal(vram->kib[HR_DRM_STAT_RESIDENT], 523264);
        assert_int_equal(vram->kib[HR_DRM_STAT_MEMORY], 524288);
        assert_int_equal(f.shared_kib[HR_DRM_MEM_SYSTEM], 4096);
        assert_int_equal(f.shared_kib[HR_DRM_MEM_DEVICE], 18432);

        assert_int_equal(hr_parse_drm_fdinfo(AMDGPU_LEGACY, sizeof AMDGPU_LEGACY - 1, &f, NULL), 0);
        assert_int_equal(f.region[1].seen, 1u << HR_DRM_STAT_MEMORY);
        assert_int_equal(f.region[1].kib[HR_DRM_STAT_TOTAL], 0);
}

/* Past 16 regions the keys are dropped and counted; known regions keep taking keys. */
static void test_fdinfo_many_regions(void **state) {
        char buf[4096];
        size_t n = (size_t) snprintf(buf, sizeof buf, "drm-driver:\td\n");
        HrDrmFdinfo f;
        (void) state;

        for (unsigned i = 0; i < HR_DRM_REGIONS_MAX + 3; i++)
                n += (size_t) snprintf(buf + n, sizeof buf - n, "drm-resident-system%u:\t1 KiB\n", i);
        n += (size_t) snprintf(buf + n, sizeof buf - n, "drm-total-system0:\t7 KiB\ndrm-total-system18:\t7 KiB\n");
        assert_true(n < sizeof buf);
        assert_int_equal(hr_parse_drm_fdinfo(buf, n, &f, NULL), 0);
        assert_int_equal(f.n_regions, HR_DRM_REGIONS_MAX);
        assert_int_equal(f.n_dropped, 4);
        assert_int_equal(f.resident_kib[HR_DRM_MEM_SYSTEM], HR_DRM_REGIONS_MAX);
        assert_int_equal(f.region[0].kib[HR_DRM_STAT_TOTAL], 7);
        assert_string_equal(f.region[15].name, "system15");
}

/* Every prefix of a real sample either parses or fails with the documented codes, never reads past it. */
static void test_fdinfo_prefixes(void **state) {
        static const char *const samples[] = { I915_IGPU, AMDGPU_612, XE_LNL, MSM };
        (void) state;

        for (size_t s = 0; s < ELEMENTSOF(samples); s++) {
                size_t len = strlen(samples[s]);
                for (size_t n = 0; n <= len; n++) {
                        char *copy = malloc(n ? n : 1);
                        HrDrmFdinfo f;
                        assert_non_null(copy);
                        memcpy(copy, samples[s], n);
                        int r = hr_parse_drm_fdinfo(copy, n, &f, NULL);
                        free(copy);
                        if (r != 0 && r != -EINVAL && r != -EBADMSG)
                                fail_msg("sample %zu cut at %zu: r=%d", s, n, r);
                }
        }
}

static void test_region_class(void **state) {
        static const struct {
                const char *name;
                HrDrmMemClass want;
        } t[] = {
                { "system", SYS },      { "system0", SYS },        { "system12", SYS },       { "gtt", SYS },
                { "gtt1", SYS },        { "cpu", SYS },            { "memory", SYS },         { "stolen", STOL },
                { "stolen-system", STOL }, { "stolen-system0", STOL }, { "vram", DEV },       { "vram0", DEV },
                { "vram1", DEV },       { "local0", DEV },         { "local", DEV },          { "stolen-local0", DEV },
                { "gds", OTH },         { "gws", OTH },            { "oa", OTH },             { "doorbell", OTH },
                { "mmio", OTH },        { "systemx", OTH },        { "system-0", OTH },       { "memory0", OTH },
                { "stolen-", OTH },     { "stolenx", OTH },        { "vramx", OTH },          { "", OTH },
                { "sys", OTH },         { "SYSTEM", OTH },
        };
        (void) state;

        for (size_t i = 0; i < ELEMENTSOF(t); i++) {
                HrDrmMemClass c = hr_drm_region_class(t[i].name, strlen(t[i].name));
                if (c != t[i].want)
                        fail_msg("region \"%s\": class %d, want %d", t[i].name, c, t[i].want);
        }
        /* Only n bytes count. */
        assert_int_equal(hr_drm_region_class("system0 and more", 7), SYS);
        assert_int_equal(hr_drm_region_class("vram", 3), OTH);

        assert_true(hr_drm_mem_class_is_ram(SYS));
        assert_true(hr_drm_mem_class_is_ram(STOL));
        assert_false(hr_drm_mem_class_is_ram(DEV));
        assert_false(hr_drm_mem_class_is_ram(OTH));
        assert_string_equal(hr_drm_mem_class_to_string(SYS), "system");
        assert_string_equal(hr_drm_mem_class_to_string(STOL), "stolen");
        assert_string_equal(hr_drm_mem_class_to_string(DEV), "device");
        assert_string_equal(hr_drm_mem_class_to_string(OTH), "other");
        assert_null(hr_drm_mem_class_to_string(_HR_DRM_MEM_MAX));
        assert_null(hr_drm_mem_class_to_string(_HR_DRM_MEM_INVALID));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_fdinfo),
                cmocka_unit_test(test_fdinfo_all_keys),
                cmocka_unit_test(test_fdinfo_many_regions),
                cmocka_unit_test(test_fdinfo_prefixes),
                cmocka_unit_test(test_region_class),
        };
        memset(sentinel, SENTINEL, sizeof sentinel);
        return cmocka_run_group_tests(tests, NULL, NULL);
}
