/* SPDX-License-Identifier: MIT */
/* `headroomctl doctor`: what this kernel and this process's privileges let headroom do, probed without the daemon. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* One line of the report each, in this order. */
typedef enum HrDoctorFeature {
        HR_DOCTOR_KERNEL,          /* uname release (<root>/proc/sys/kernel/osrelease under a fixture root) */
        HR_DOCTOR_PROC,            /* /proc readable: self/status, meminfo, vmstat, mountinfo; hidepid, subset=pid */
        HR_DOCTOR_PSI,             /* /proc/pressure/{memory,cpu,io} */
        HR_DOCTOR_PSI_TRIGGER,     /* which trigger windows this process may register on /proc/pressure/memory */
        HR_DOCTOR_CGROUP2,         /* unified, hybrid or legacy; the cgroup2 root's controllers */
        HR_DOCTOR_FREEZER,         /* cgroup.freeze in a non-root cgroup (5.2) */
        HR_DOCTOR_RECLAIM,         /* memory.reclaim in a cgroup with the memory controller (5.19) */
        HR_DOCTOR_CGROUP_RELIEF,   /* cpu.weight/cpu.max, memory.high, memory.low: the cpu and memory controllers */
        HR_DOCTOR_PIDFD,           /* pidfd_open(2) (5.3) */
        HR_DOCTOR_MRELEASE,        /* process_mrelease(2) (5.15) */
        HR_DOCTOR_MGLRU,           /* /sys/kernel/mm/lru_gen/enabled (6.1) */
        HR_DOCTOR_ZRAM,            /* /sys/block/zram* and whether they swap */
        HR_DOCTOR_SWAP,            /* /proc/swaps */
        HR_DOCTOR_CRIU,            /* the criu binary and `criu check` */
        HR_DOCTOR_PRIVILEGES,      /* uid and CapEff: what system mode would lack */
        HR_DOCTOR_HIBERNATE,       /* [Kernel] Hibernate=: "disk" in /sys/power/state, swap for the image, systemctl */
        _HR_DOCTOR_FEATURE_MAX,
        _HR_DOCTOR_FEATURE_INVALID = -EINVAL,
} HrDoctorFeature;

typedef enum HrDoctorState {
        HR_DOCTOR_YES,
        HR_DOCTOR_PARTIAL,
        HR_DOCTOR_NO,
        _HR_DOCTOR_STATE_MAX,
        _HR_DOCTOR_STATE_INVALID = -EINVAL,
} HrDoctorState;

#define HR_DOCTOR_TEXT_MAX 512

typedef struct HrDoctorItem {
        HrDoctorFeature feature;
        const char *name;                  /* static: "kernel", "psi", "psi-trigger", ... */
        HrDoctorState state;
        bool essential;                    /* headroomd cannot run without it (hr_doctor_run() returns 1) */
        char detail[HR_DOCTOR_TEXT_MAX];   /* what was seen; never empty */
        char fix[HR_DOCTOR_TEXT_MAX];      /* how to enable it; "" when state is yes */
} HrDoctorItem;

/* "yes", "partial", "no"; NULL out of range. */
const char *hr_doctor_state_to_string(HrDoctorState s);
/* "kernel", "proc", "psi", ...; NULL out of range. */
const char *hr_doctor_feature_to_string(HrDoctorFeature f);

/* Probes every feature under root ("" or "/" = the real system; else a fixture tree, where nothing is registered,
 * called or run: trigger windows, pidfd, process_mrelease are inferred from the tree's kernel release and CapEff,
 * and criu is only looked for). Writes items[i] for feature i, in enum order, at most max of them. On the real
 * root it opens and closes a PSI trigger and may run `criu check` for at most 5 s (as root only).
 * Returns the number written (min(max, _HR_DOCTOR_FEATURE_MAX)), -EINVAL for NULL arguments, or the negative errno
 * of opening root. A missing or odd file makes its feature no/partial with the reason, never an error. */
int hr_doctor_probe(const char *root, HrDoctorItem *items, size_t max);

/* True when every essential item (proc, psi, pidfd) is not `no`. */
bool hr_doctor_essentials_ok(const HrDoctorItem *items, size_t n);

/* Probes every feature under root ("" = the real system; a fixture tree for tests) and prints one line per feature
 * ("name  state  detail", the fix on an indented line below when not yes, then one summary line), or with json one
 * JSON object {"features":[{"name","state","essential","detail","fix"}...],"essentials_ok":bool} where fix is null
 * when there is nothing to do. Colours the state (green yes, yellow partial, red no) only when color is true.
 * Returns 0 when every essential feature is available, 1 otherwise (also when root cannot be opened: the reason
 * goes to stderr). */
int hr_doctor_run(const char *root, bool json, bool color, FILE *out);
