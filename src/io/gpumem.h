/* SPDX-License-Identifier: MIT */
/* GPU memory per process: which of a process's fds are DRM device nodes and what their fdinfo says is resident,
 * each DRM client counted once; and the check that spares a machine without a GPU the walk altogether. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "io/sysroot.h"
#include "parse/drm.h"

#define HR_GPUMEM_FDS_MAX 4096      /* fd entries examined per process; the rest are not looked at */
#define HR_GPUMEM_CLIENTS_MAX 64    /* distinct clients told apart per process; past that each fd counts */

/* What one process holds in GPU buffers, in KiB, by where the memory is (parse/drm.h, HrDrmMemClass). */
typedef struct HrGpuMemUsage {
        uint64_t system_kib;        /* resident in system RAM ("system*", "gtt", "cpu", "memory" regions): comes
                                     * back when the process dies, but for buffers shared with another process */
        uint64_t system_shared_kib; /* drm-shared- of those regions: buffers with a handle elsewhere too (exported
                                     * to the compositor, say); sized whole, resident or not */
        uint64_t stolen_kib;        /* stolen memory: RAM of an integrated GPU, never returned to the kernel */
        uint64_t device_kib;        /* VRAM of a discrete card (or an APU's carve-out) */
        uint64_t other_kib;
        unsigned n_fds;             /* fd entries looked at */
        unsigned n_drm_fds;         /* of them, links to /dev/dri/ */
        unsigned n_clients;         /* DRM clients counted (fds of one client-id, and pdev, count once) */
        unsigned n_failed;          /* DRM fds whose fdinfo was unreadable or malformed: not counted */
        bool truncated;             /* more than HR_GPUMEM_FDS_MAX fds: the sums are a lower bound */
} HrGpuMemUsage;

typedef struct HrGpuMemClient {
        uint64_t id;
        char pdev[HR_DRM_NAME_MAX];
} HrGpuMemClient;

/* Buffers reused by every call: once open, reading a process allocates nothing. */
typedef struct HrGpuMem {
        char *dents;                /* getdents64() of <pid>/fd */
        size_t dents_size;
        char *buf;                  /* one fdinfo */
        size_t buf_size;
        HrDrmFdinfo info;           /* the fdinfo parsed */
        HrGpuMemClient clients[HR_GPUMEM_CLIENTS_MAX];  /* of the process being read */
        unsigned n_clients;
} HrGpuMem;

/* 0 or -ENOMEM; on failure nothing is left to close. */
int hr_gpumem_open(HrGpuMem *g);

/* Frees the buffers; idempotent, also after a failed open. */
void hr_gpumem_close(HrGpuMem *g);

/* Whether <root>/dev/dri holds a DRM node (card* or renderD*): 1, or 0 when it holds none or does not exist (a
 * headless machine, a container without the GPU, most fixtures), or a negative errno when it cannot be listed. One
 * openat() (failing, on a headless machine), or openat() + getdents64() + close(); no allocation. Drivers can load
 * after the daemon starts (and GPUs come and go with eGPUs and vfio): re-check now and then, not once. */
int hr_gpumem_has_devices(const HrSysroot *root);

/* The GPU memory of pid: lists <proc_fd>/<pid>/fd (proc_fd: <root>/proc, as HrProcScanner.proc_fd), readlink()s each
 * entry, and for those pointing into /dev/dri/ reads and parses <pid>/fdinfo/<fd>, counting each (pdev, client-id)
 * once. Returns 0 and fills *ret; a process that is gone (or exits mid-walk) is no error: zeros, or what was read.
 * A DRM fd whose fdinfo fails to parse is skipped (ret->n_failed). -EACCES or -EPERM when the fd directory is not ours
 * to list (another user's process without CAP_SYS_PTRACE), another negative errno on other failures; *ret is then
 * untouched. Cost: one readlink() per fd, plus one fdinfo read per DRM fd (bench/results/gpu-scan.md). */
int hr_gpumem_read(HrGpuMem *g, int proc_fd, pid_t pid, HrGpuMemUsage *ret);
