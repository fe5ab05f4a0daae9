/* SPDX-License-Identifier: MIT */
/* The whole configuration as plain data: pressure model, levels, triggers, action limits, priority
 * rules and the protect list. Built-in defaults need no file; daemon/config.c loads files over them. */
#pragma once

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/cgrelief.h"
#include "core/level.h"
#include "core/pressure.h"
#include "core/proc.h"

typedef enum HrMatchField {
        HR_MATCH_COMM,    /* Comm=    the 15-byte comm */
        HR_MATCH_CMDLINE, /* Cmdline= arguments joined by spaces */
        HR_MATCH_EXE,     /* Exe=     resolved executable path */
        HR_MATCH_CGROUP,  /* Cgroup=  cgroup2 path, "/user.slice/..." */
        HR_MATCH_USER,    /* User=    user name (or uid in decimal when unknown) */
        _HR_MATCH_MAX,
        _HR_MATCH_INVALID = -22,
} HrMatchField;

#define HR_RULE_NAME_MAX 64
#define HR_CONFIG_PATH_MAX 256
#define HR_CONFIG_HOOK_MAX 512

/* A [Rule NAME] or [Protect NAME] entry. Every given matcher must match (AND); a rule with none
 * matches nothing. Regexes are POSIX extended, unanchored unless the pattern anchors itself. */
/* A built-in rule's command-line matcher. The command line is taken as words split at spaces (as it is
 * stored: arguments joined by spaces). Without `progs`: some word matches one of `args`. With it: some word
 * whose last path component matches one of `progs` is followed by a word matching one of `args` (the next
 * word only, when `next`). Patterns are fnmatch(3) globs matched against whole words. */
typedef struct HrWordMatch {
        const char *const *progs;
        const char *const *args;
        bool next;
} HrWordMatch;

typedef struct HrRule {
        char name[HR_RULE_NAME_MAX];
        bool protect;                      /* [Protect]: never touched at any level */
        bool has[_HR_MATCH_MAX];
        regex_t re[_HR_MATCH_MAX];         /* compiled when has[i] */
        /* Built-in rules match comm against a static, NULL-terminated list of fnmatch(3) patterns instead
         * of a Comm= regex: the same decision for a fraction of the memory (glibc compiles a 60-name
         * alternation into tens of KiB). A Comm= setting in a file replaces the list. */
        const char *const *comm_globs;
        /* Likewise for the command line and the executable (HrWordMatch and exe_tails, below): glibc's regex
         * engine would hold its compiled automata and lazily built DFA tables, about 100 KiB of heap for the
         * six built-in command-line rules. A Cmdline= or Exe= setting in a file replaces them. */
        const HrWordMatch *cmdline_words;
        const char *const *exe_tails;
        int32_t priority;                  /* 0..100, -1 = not set (keep what a later source gives) */
        HrCheckpoint checkpoint;
        bool never_kill;
        bool freeze_only;
        bool build;                        /* a build workload (spike handling) */
        bool whole_cgroup;                 /* act on the process's whole cgroup */
        bool kill_group;                   /* terminating it also signals its process group (not session leaders) */
        bool builtin;                      /* one of the shipped defaults */
        char file[HR_CONFIG_PATH_MAX];     /* where it was defined, "" for built-ins */
        unsigned line;
} HrRule;

/* Per-action-family switches and limits ([Freeze], [Thaw], [Terminate], [Kill], [Checkpoint]). */
typedef struct HrActionConfig {
        bool freeze_enabled;
        unsigned freeze_max_per_tick;      /* new freezes per plan */
        bool page_out_enabled;             /* HIGH and up: push frozen processes' memory out to swap */
        bool pause_builds_enabled;         /* spike mode: pause a build's growing workers instead of ending them */
        unsigned thaw_max_per_tick;        /* thaws per plan while recovering */
        uint64_t thaw_margin_kib;          /* MemAvailable must exceed what a thaw brings back by this */
        usec_t thaw_min_interval_usec;     /* between two thaw batches */
        bool terminate_enabled;
        usec_t terminate_grace_usec[_HR_LEVEL_MAX]; /* SIGTERM -> SIGKILL, by level (0 at EMERGENCY) */
        int64_t runaway_growth_kib_per_sec;/* HIGH terminates an expendable-heavy process growing this fast */
        bool kill_enabled;
        usec_t kill_cooldown_usec;         /* after a kill, let PSI averages catch up before the next */
        usec_t warn_usec;                  /* a warned victim's window to shed memory (0: no warning) */
        char warn_hook[HR_CONFIG_HOOK_MAX];/* run with the victim's pid, name and reason ("" : none) */
        bool checkpoint_enabled;
        char checkpoint_dir[HR_CONFIG_PATH_MAX];
        usec_t checkpoint_timeout_usec;    /* a criu dump or restore that takes longer is killed */
        bool notify_desktop;               /* user mode: a desktop notification per freeze, kill, restore */
        char notify_command[HR_CONFIG_PATH_MAX]; /* what shows it (notify-send's arguments) */
} HrActionConfig;

typedef struct HrConfig {
        HrPressureConfig pressure;
        HrLevelConfig level;
        uint32_t trigger_some_permyriad;
        uint32_t trigger_full_permyriad;
        usec_t trigger_window_usec;
        HrActionConfig actions;
        HrCgReliefConfig cgroups;          /* [Cgroup]: throttle, cap and protect app cgroups */
        bool zram_compact;                 /* [Kernel] ZramCompact=: compact fragmented zram pools at ELEVATED+ */
        bool drop_caches;                  /* [Kernel] DropCaches=: drop clean page cache at HIGH+ when it helps */
        uint32_t mglru_min_ttl_ms;         /* [Kernel] MglruMinTtlMs=: set while running (0: leave the kernel's) */
        bool hibernate;                    /* [Kernel] Hibernate=: sustained EMERGENCY hibernates, once (off) */
        usec_t hibernate_after_usec;       /* EMERGENCY held this long first */
        char hibernate_command[HR_CONFIG_HOOK_MAX]; /* "" : /usr/bin/systemctl hibernate */
        int32_t default_priority;          /* unmatched processes: 50 */
        int32_t foreground_adjust;         /* added to the foreground application's priority: -25 */
        HrRule *rules;                     /* user rules in file order, then built-ins; protect entries too */
        size_t n_rules;
} HrConfig;

/* Tier boundaries from design.md. */
#define HR_TIER_CRITICAL_MAX 19
#define HR_TIER_PROTECTED_MAX 49
#define HR_TIER_NORMAL_MAX 59
#define HR_TIER_BACKGROUND_MAX 79

typedef enum HrTier {
        HR_TIER_CRITICAL,   /* 0-19 */
        HR_TIER_PROTECTED,  /* 20-49 */
        HR_TIER_NORMAL,     /* 50-59 */
        HR_TIER_BACKGROUND, /* 60-79 expendable background */
        HR_TIER_HEAVY,      /* 80-100 expendable heavy */
        _HR_TIER_MAX,
} HrTier;

static inline HrTier hr_tier_of(int32_t priority) {
        return priority <= HR_TIER_CRITICAL_MAX    ? HR_TIER_CRITICAL
               : priority <= HR_TIER_PROTECTED_MAX  ? HR_TIER_PROTECTED
               : priority <= HR_TIER_NORMAL_MAX     ? HR_TIER_NORMAL
               : priority <= HR_TIER_BACKGROUND_MAX ? HR_TIER_BACKGROUND
                                                    : HR_TIER_HEAVY;
}

/* Fills *c with the built-in defaults, including the built-in rules (compiled). Returns 0 or -ENOMEM. */
int hr_config_init_default(HrConfig *c);

/* Frees the rules' regexes and the rule array; leaves *c zeroed. Safe on a zeroed HrConfig. */
void hr_config_done(HrConfig *c);

/* Appends a rule (takes ownership of its compiled regexes). Returns 0 or -ENOMEM. */
int hr_config_add_rule(HrConfig *c, const HrRule *r);

const char *hr_match_field_to_string(HrMatchField f);
HrMatchField hr_match_field_from_string(const char *s);
const char *hr_tier_to_string(HrTier t);
