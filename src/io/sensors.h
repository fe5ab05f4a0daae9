/* SPDX-License-Identifier: MIT */
/* The sampler: keeps every pressure source open and fills an HrSample in place with pread(),
 * never allocating after hr_sensors_open(). System-wide, or PSI and the memory limit of one cgroup with --scope. */
#pragma once

#include <stdbool.h>

#include "core/sample.h"
#include "io/sysroot.h"
#include "parse/parse.h"

typedef struct HrSensorFile {
        int fd;                       /* -EBADF when absent */
        char *rel;                    /* path relative to the root, for messages; NULL when never opened */
} HrSensorFile;

typedef struct HrSensors {
        const HrSysroot *root;
        HrSensorFile psi[_HR_PSI_RESOURCE_MAX];
        HrSensorFile meminfo, vmstat, swaps, loadavg;
        HrSensorFile zram[HR_ZRAM_MAX];
        unsigned zram_index[HR_ZRAM_MAX];
        uint64_t zram_disksize[HR_ZRAM_MAX];
        unsigned n_zram;
        char scope_rel[PATH_MAX];     /* "" when system-wide */
        /* The scope's memory limit, usage and stat (v2, or its v1 memory twin on a hybrid machine); fd -EBADF
         * when system-wide or the scope has no memory controller. */
        HrSensorFile mem_limit, mem_usage, mem_stat;
        bool mem_v1;
        char *buf;                    /* one read buffer for every file */
        size_t buf_size;
} HrSensors;

/* Where a sample failed: the file and, for malformed content, the line and reason. */
typedef struct HrSensorError {
        const char *rel;      /* points into HrSensors; valid while it is open */
        HrParseErr parse;     /* .why NULL when the failure was the read itself */
} HrSensorError;

/* Opens every source. scope_rel is a directory relative to the root (see hr_sysroot_resolve_scope) or
 * NULL. Missing PSI, swaps, zram or loadavg are not errors (has_psi / n_zram / has_loadavg say so);
 * missing meminfo or vmstat are. */
int hr_sensors_open(HrSensors *s, const HrSysroot *root, const char *scope_rel);
void hr_sensors_close(HrSensors *s);

/* Marks every file closed, so hr_sensors_close() is safe on a never-opened HrSensors. */
void hr_sensors_init_closed(HrSensors *s);

/* Reads everything into *out (stamped with `now`). On failure returns a negative errno, fills *err
 * and leaves *out in an unspecified state: keep the previous good sample. */
int hr_sensors_sample(HrSensors *s, usec_t now, HrSample *out, HrSensorError *err);

/* The file the scope's memory limit is read from, NULL when there is none (system-wide, or no memory controller
 * for the scope in v2 nor a v1 twin). */
const char *hr_sensors_scope_limit_rel(const HrSensors *s);

/* The PSI file memory pressure is read from ("proc/pressure/memory" or "<scope>/memory.pressure"). */
const char *hr_sensors_memory_psi_rel(const HrSensors *s);
