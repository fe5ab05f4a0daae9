/* SPDX-License-Identifier: MIT */
/* What parse/drm.c makes of one DRM client's /proc/PID/fdinfo/N (kernel Documentation/gpu/drm-usage-stats.rst):
 * the client's identity and, per memory region, how much of its buffers is resident and where that memory is. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HR_DRM_NAME_MAX 32          /* driver, pdev and region names: 31 bytes + NUL */
#define HR_DRM_REGIONS_MAX 16       /* regions kept per client; i915, xe and amdgpu print at most 5 */
#define HR_DRM_KIB_MAX (UINT64_C(1) << 50) /* 1 EiB: a larger size is -ERANGE, so sums never overflow */

/* Where a region's memory lives, from its name. */
typedef enum HrDrmMemClass {
        HR_DRM_MEM_SYSTEM,      /* "system", "system0" (i915, xe), "gtt" (amdgpu, xe), "cpu" (amdgpu), "memory" (the
                                 * name the spec reserves for system memory: msm, panfrost, v3d): pages of system
                                 * RAM, returned to the kernel when the buffer is freed */
        HR_DRM_MEM_STOLEN,      /* "stolen" (xe), "stolen-system0" (i915): RAM the firmware set aside for an
                                 * integrated GPU at boot; freeing a buffer there gives the kernel nothing back */
        HR_DRM_MEM_DEVICE,      /* "vram", "vram0" (amdgpu, xe), "local0", "stolen-local0" (i915): the card's own
                                 * memory (an APU's "vram" is a boot-time carve-out of RAM, also never returned) */
        HR_DRM_MEM_OTHER,       /* anything else: amdgpu's "gds", "gws", "oa", "doorbell", "mmio", unknown names */
        _HR_DRM_MEM_MAX,
        _HR_DRM_MEM_INVALID = -22,
} HrDrmMemClass;

/* The per-region keys, and the bit of each in HrDrmRegion.seen. */
typedef enum HrDrmStat {
        HR_DRM_STAT_TOTAL,      /* "drm-total-<region>": every buffer, instantiated or not, shared or private */
        HR_DRM_STAT_SHARED,     /* "drm-shared-<region>": buffers with more than one handle (a subset of total) */
        HR_DRM_STAT_RESIDENT,   /* "drm-resident-<region>": buffers whose backing store is present */
        HR_DRM_STAT_MEMORY,     /* "drm-memory-<region>": deprecated, amdgpu only; an alias of resident */
        _HR_DRM_STAT_MAX,
        _HR_DRM_STAT_INVALID = -22,
} HrDrmStat;

typedef struct HrDrmRegion {
        char name[HR_DRM_NAME_MAX];     /* "system0", "gtt", "vram", "memory", ... */
        HrDrmMemClass mem_class;        /* from the name, hr_drm_region_class() */
        uint8_t seen;                   /* 1u << HrDrmStat of each key given */
        uint64_t kib[_HR_DRM_STAT_MAX]; /* as given, rounded down to KiB; 0 where not seen */
        HrDrmStat source;               /* the key resident_kib comes from: RESIDENT, else MEMORY, else TOTAL */
        uint64_t resident_kib;          /* kib[source]; 0 (source TOTAL) when the region has only drm-shared- */
} HrDrmRegion;

typedef struct HrDrmFdinfo {
        bool is_drm;                    /* a "drm-driver:" line: the fd is a DRM (or accel) client; if false, all
                                         * below is zero */
        bool has_client_id;             /* "drm-client-id:" (5.19+; amdgpu 5.14+) */
        uint64_t client_id;             /* one drm_file: fds that dup(), fork() or SCM_RIGHTS shared show the same */
        char driver[HR_DRM_NAME_MAX];   /* "i915", "amdgpu", "xe", "msm"; cut to 31 bytes */
        char pdev[HR_DRM_NAME_MAX];     /* "0000:00:02.0"; "" for a device that is not PCI. With client_id: the
                                         * identity of the client (ids may be unique per device only) */
        unsigned n_regions;
        unsigned n_dropped;             /* memory keys not counted: of a 17th region, or a name past 31 bytes */
        HrDrmRegion region[HR_DRM_REGIONS_MAX];  /* in order of first appearance */
        uint64_t resident_kib[_HR_DRM_MEM_MAX];  /* sums of region[].resident_kib per HrDrmMemClass */
        uint64_t shared_kib[_HR_DRM_MEM_MAX];    /* sums of region[].kib[HR_DRM_STAT_SHARED] per HrDrmMemClass */
} HrDrmFdinfo;

/* The class of a region name (n bytes, no NUL needed): "system" and "gtt" alone or with a decimal instance, "cpu"
 * and "memory" are SYSTEM; "stolen" and "stolen-system*" STOLEN; "vram", "local" (with an instance) and
 * "stolen-local*" DEVICE; the rest OTHER. */
HrDrmMemClass hr_drm_region_class(const char *name, size_t n);

/* RAM on the machine, counted in MemTotal: SYSTEM and STOLEN (an integrated GPU's stolen memory is RAM, though
 * reserved). Only SYSTEM memory comes back when its owner dies. */
static inline bool hr_drm_mem_class_is_ram(HrDrmMemClass c) {
        return c == HR_DRM_MEM_SYSTEM || c == HR_DRM_MEM_STOLEN;
}

/* "system", "stolen", "device", "other"; NULL out of range. */
const char *hr_drm_mem_class_to_string(HrDrmMemClass c);
