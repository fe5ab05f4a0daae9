/* SPDX-License-Identifier: MIT */
/* The action list the policy returns: what to do to whom and why, fixed-size so planning never
 * allocates. Every action names its target by (pid, start_time) so the executor can pin it. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/level.h"
#include "core/pressure.h"
#include "core/proc.h"

typedef enum HrActionType {
        HR_ACTION_FREEZE,
        HR_ACTION_THAW,
        HR_ACTION_TERMINATE,  /* SIGTERM, grace, then SIGKILL + process_mrelease */
        HR_ACTION_KILL,       /* SIGKILL + process_mrelease at once */
        HR_ACTION_CHECKPOINT, /* CRIU dump, then kill */
        HR_ACTION_RESTORE,    /* CRIU restore */
        HR_ACTION_WARN,       /* about to be terminated: tell listeners and run the hook, then wait grace_usec */
        HR_ACTION_SPARE,      /* a warned process survives: the pressure fell (or it shed memory) meanwhile */
        HR_ACTION_PAGE_OUT,   /* a frozen process's memory pushed out to swap (process_madvise MADV_PAGEOUT) */
        _HR_ACTION_TYPE_MAX,
        _HR_ACTION_TYPE_INVALID = -22,
} HrActionType;

/* Which signal crossed which bound: the first reason a process is acted on. */
typedef enum HrReason {
        HR_REASON_PSI_SOME,
        HR_REASON_PSI_FULL,
        HR_REASON_SWAP,
        HR_REASON_REFAULT,
        HR_REASON_MEM_AVAILABLE,
        HR_REASON_RUNAWAY,    /* growing fast at HIGH */
        HR_REASON_RECOVERY,   /* pressure fell: thaw/restore */
        HR_REASON_GONE,       /* a tracked process exited: forget it */
        HR_REASON_SPIKE,      /* spike mode: a build's growing worker paused (FREEZE), or resumed (THAW) */
        _HR_REASON_MAX,
        _HR_REASON_INVALID = -22,
} HrReason;

#define HR_ACTIONS_MAX 64
#define HR_ACTION_WHY_MAX 160
#define HR_ACTION_CGROUP_MAX 256

typedef struct HrAction {
        HrActionType type;
        pid_t pid;
        uint64_t start_time;
        char comm[HR_COMM_MAX];
        int32_t priority;
        bool whole_cgroup;                  /* act on cgroup below, not only the process */
        bool kill_group;                    /* TERMINATE/KILL/CHECKPOINT: also signal its process group */
        bool checkpoint_auto;               /* CHECKPOINT: marked "auto" (only where a restore is likely) */
        char cgroup[HR_ACTION_CGROUP_MAX];  /* the process's cgroup2 path ("" if none) */
        uint64_t freeable_kib;
        usec_t grace_usec;                  /* TERMINATE (and CHECKPOINT, should it fall back to terminating):
                                             * SIGTERM -> SIGKILL; WARN: the warning's window */
        HrReason reason;
        char why[HR_ACTION_WHY_MAX];        /* one line, e.g. "CRITICAL 63.10: psi_full 18.20% (72 pts);
                                             * expendable-heavy, frees 812 MiB, growing 40 MiB/s" */
} HrAction;

typedef struct HrActionList {
        HrAction items[HR_ACTIONS_MAX];
        unsigned n;
} HrActionList;

const char *hr_action_type_to_string(HrActionType t);
HrActionType hr_action_type_from_string(const char *s);
const char *hr_reason_to_string(HrReason r);

/* The reason a pressure component stands for (swap fill and swap I/O are both "swap"). */
HrReason hr_reason_of_component(HrComponent c);
HrReason hr_reason_from_string(const char *s);
