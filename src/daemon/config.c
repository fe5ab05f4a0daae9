/* SPDX-License-Identifier: MIT */
/* The configuration loader: one declarative key table over HrConfig, value parsers with bounds, the file
 * order (defaults, /etc, drop-ins, user), rule overrides by name, and "FILE:LINE: problem" for every error. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/config.h"
#include "daemon/hook.h"
#include "parse/ini.h"
#include "parse/parse.h"

#define CFG(f) .offset = offsetof(HrConfig, f), .size = sizeof(((HrConfig *) 0)->f)
#define RULE(f) .offset = offsetof(HrRule, f), .size = sizeof(((HrRule *) 0)->f)

#define SEC(n) ((int64_t) (n) * (int64_t) USEC_PER_SEC)
#define MSEC(n) ((int64_t) (n) * (int64_t) USEC_PER_MSEC)
#define MIB(n) ((int64_t) (n) * 1024)
#define GIB(n) ((int64_t) (n) * 1024 * 1024)

/* The pressure components: weight (0..1), and a ramp in the component's unit. */
#define COMPONENT(Name, comp, ramp_type, lo, hi, extra, what)                                                  \
        { "Pressure", Name "Weight", HR_CONF_FRACTION, HR_STORE_U32, CFG(pressure.weight_permille[comp]), 0,  \
          1000, .doc = "how far " what " alone can push the score (0 switches it off)" },                     \
        { "Pressure", Name "Start", ramp_type, HR_STORE_U64, CFG(pressure.ramp[comp].start), lo, hi,           \
          .flags = extra, .doc = what ": where it starts to count (0 points)" },                              \
        { "Pressure", Name "Full", ramp_type, HR_STORE_U64, CFG(pressure.ramp[comp].full), lo, hi,             \
          .flags = extra, .doc = what ": where it gives all 100 points" }

#define MATCHER(Key, field, what)                                                                              \
        { "Rule", Key, HR_CONF_REGEX, HR_STORE_NONE, RULE(re), 0, 0, .flags = HR_CONF_RULE | HR_CONF_MATCHER, \
          .arg = field, .doc = "regex on the " what }

const HrConfItem hr_conf_items[] = {
        COMPONENT("PsiSome", HR_COMP_PSI_SOME, HR_CONF_PERCENT, 0, 10000, 0,
                  "PSI memory some (share of time some task stalled)"),
        COMPONENT("PsiFull", HR_COMP_PSI_FULL, HR_CONF_PERCENT, 0, 10000, 0,
                  "PSI memory full (share of time all tasks stalled)"),
        COMPONENT("SwapFill", HR_COMP_SWAP_FILL, HR_CONF_PERCENT, 0, 10000, 0, "swap used (% of swap size)"),
        COMPONENT("SwapIo", HR_COMP_SWAP_IO, HR_CONF_INT, 0, 1000000000, 0, "swap-in + swap-out (pages/s)"),
        COMPONENT("Refault", HR_COMP_REFAULT, HR_CONF_INT, 0, 1000000000, 0, "workingset refaults (pages/s)"),
        COMPONENT("MemAvailable", HR_COMP_MEM_AVAILABLE, HR_CONF_PERCENT, 0, 10000, HR_CONF_INVERT,
                  "MemAvailable (% of MemTotal still available)"),
        { "Pressure", "SwapCredit", HR_CONF_FRACTION, HR_STORE_U32, CFG(pressure.swap_credit_permille), 0, 1000,
          .doc = "share of free swap counted as available memory by the MemAvailable component" },

        { "Pressure", "ElevatedScore", HR_CONF_POINTS, HR_STORE_U32, CFG(level.enter_centi[HR_LEVEL_ELEVATED]), 1,
          10000, .doc = "score (0-100) that enters ELEVATED" },
        { "Pressure", "HighScore", HR_CONF_POINTS, HR_STORE_U32, CFG(level.enter_centi[HR_LEVEL_HIGH]), 1, 10000,
          .doc = "score that enters HIGH" },
        { "Pressure", "CriticalScore", HR_CONF_POINTS, HR_STORE_U32, CFG(level.enter_centi[HR_LEVEL_CRITICAL]), 1,
          10000, .doc = "score that enters CRITICAL" },
        { "Pressure", "EmergencyScore", HR_CONF_POINTS, HR_STORE_U32, CFG(level.enter_centi[HR_LEVEL_EMERGENCY]),
          1, 10000, .doc = "score that enters EMERGENCY" },
        { "Pressure", "Hysteresis", HR_CONF_POINTS, HR_STORE_U32, CFG(level.hysteresis_centi), 0, 5000,
          .doc = "a level is left only this many points below its bound" },
        { "Pressure", "HoldSamples", HR_CONF_INT, HR_STORE_U32, CFG(level.hold_samples), 1, 20,
          .doc = "consecutive samples a score must hold before the level goes up" },
        { "Pressure", "CalmSec", HR_CONF_DURATION, HR_STORE_U64, CFG(level.calm_usec), SEC(1), SEC(3600),
          .doc = "calm needed before stepping down one level" },
        { "Pressure", "SpikeTrend", HR_CONF_POINTS, HR_STORE_I32, CFG(level.spike_trend_centi_per_sec), 100,
          100000, .doc = "a rise of this many points per second goes straight up" },
        { "Pressure", "SpikePsiFull", HR_CONF_PERCENT, HR_STORE_U32, CFG(level.spike_psi_full_permyriad), 1, 10000,
          .doc = "PSI full at or above this goes straight up" },
        { "Pressure", "TickNormalSec", HR_CONF_DURATION, HR_STORE_U64, CFG(level.tick_usec[HR_LEVEL_NORMAL]),
          MSEC(10), SEC(60), .doc = "longest sleep at NORMAL (shorter as MemAvailable falls)" },
        { "Pressure", "TickElevatedSec", HR_CONF_DURATION, HR_STORE_U64, CFG(level.tick_usec[HR_LEVEL_ELEVATED]),
          MSEC(10), SEC(60), .doc = "sampling interval at ELEVATED" },
        { "Pressure", "TickHighSec", HR_CONF_DURATION, HR_STORE_U64, CFG(level.tick_usec[HR_LEVEL_HIGH]), MSEC(10),
          SEC(60), .doc = "sampling interval at HIGH" },
        { "Pressure", "TickCriticalSec", HR_CONF_DURATION, HR_STORE_U64, CFG(level.tick_usec[HR_LEVEL_CRITICAL]),
          MSEC(10), SEC(60), .doc = "sampling interval at CRITICAL" },
        { "Pressure", "TickEmergencySec", HR_CONF_DURATION, HR_STORE_U64, CFG(level.tick_usec[HR_LEVEL_EMERGENCY]),
          MSEC(10), SEC(60), .doc = "sampling interval at EMERGENCY" },
        { "Pressure", "TickMinSec", HR_CONF_DURATION, HR_STORE_U64, CFG(level.tick_min_usec), MSEC(10), SEC(10),
          .doc = "shortest interval between two samples" },
        { "Pressure", "TickPendingSec", HR_CONF_DURATION, HR_STORE_U64, CFG(level.tick_pending_usec), MSEC(10),
          SEC(10), .doc = "interval while an escalation is pending or calm is counted" },
        { "Pressure", "FillRateMiBPerSec", HR_CONF_SIZE, HR_STORE_U64, CFG(level.fill_rate_kib_per_sec), 0,
          GIB(1024), .doc = "fastest plausible fall of MemAvailable, for the NORMAL sleep (0: off)" },
        { "Pressure", "TriggerSome", HR_CONF_PERCENT, HR_STORE_U32, CFG(trigger_some_permyriad), 1, 10000,
          .doc = "kernel PSI trigger: wake on this share of some-stall within the window" },
        { "Pressure", "TriggerFull", HR_CONF_PERCENT, HR_STORE_U32, CFG(trigger_full_permyriad), 1, 10000,
          .doc = "kernel PSI trigger: wake on this share of full-stall within the window" },
        { "Pressure", "TriggerWindowSec", HR_CONF_DURATION, HR_STORE_U64, CFG(trigger_window_usec), MSEC(500),
          SEC(10), .doc = "PSI trigger window (the kernel allows 500ms..10s; 2s multiples unprivileged)" },

        { "Freeze", "Enable", HR_CONF_BOOL, HR_STORE_BOOL, CFG(actions.freeze_enabled), 0, 1,
          .doc = "freeze expendable processes under pressure" },
        { "Freeze", "MaxPerTick", HR_CONF_INT, HR_STORE_U32, CFG(actions.freeze_max_per_tick), 1, 1000,
          .doc = "new freezes per decision" },
        { "Freeze", "PageOut", HR_CONF_BOOL, HR_STORE_BOOL, CFG(actions.page_out_enabled), 0, 1,
          .doc = "at HIGH and above, push frozen processes' memory out to swap (needs swap)" },
        { "Freeze", "PauseBuilds", HR_CONF_BOOL, HR_STORE_BOOL, CFG(actions.pause_builds_enabled), 0, 1,
          .doc = "spike mode: pause a build's growing workers (Build= rules) while a sibling runs, never end them first" },

        { "Cgroup", "Throttle", HR_CONF_BOOL, HR_STORE_BOOL, CFG(cgroups.throttle_enabled), 0, 1,
          .doc = "ELEVATED and up: lower cpu.weight (and set cpu.max) of expendable app cgroups; given back after" },
        { "Cgroup", "CpuWeight", HR_CONF_INT, HR_STORE_U32, CFG(cgroups.cpu_weight), 1, 10000,
          .doc = "cpu.weight of a throttled cgroup (the kernel's default is 100)" },
        { "Cgroup", "CpuQuota", HR_CONF_PERCENT, HR_STORE_U32, CFG(cgroups.cpu_quota_permyriad), 0, 10000,
          .doc = "cpu.max of a throttled cgroup, as a share of one CPU (0%: cpu.weight only)" },
        { "Cgroup", "Cap", HR_CONF_BOOL, HR_STORE_BOOL, CFG(cgroups.cap_enabled), 0, 1,
          .doc = "HIGH and up: memory.high on expendable app cgroups, so the kernel reclaims from them first" },
        { "Cgroup", "CapShare", HR_CONF_PERCENT, HR_STORE_U32, CFG(cgroups.cap_permyriad), 100, 10000,
          .doc = "memory.high at this share of what the cgroup holds" },
        { "Cgroup", "CapMinMiB", HR_CONF_SIZE, HR_STORE_U64, CFG(cgroups.cap_min_kib), 0, GIB(1024),
          .doc = "never a memory.high below this" },
        { "Cgroup", "Protect", HR_CONF_BOOL, HR_STORE_BOOL, CFG(cgroups.protect_enabled), 0, 1,
          .doc = "memory.low on the app cgroups of critical processes and of the foreground application" },
        { "Cgroup", "ProtectHard", HR_CONF_BOOL, HR_STORE_BOOL, CFG(cgroups.protect_hard), 0, 1,
          .doc = "protect with memory.min instead of memory.low: never reclaimed, executable pages included" },
        { "Cgroup", "Reclaim", HR_CONF_BOOL, HR_STORE_BOOL, CFG(cgroups.reclaim_enabled), 0, 1,
          .doc = "NORMAL: memory.reclaim steps from idle expendable app cgroups, stopped where the pages come back" },
        { "Cgroup", "ReclaimIdleSec", HR_CONF_DURATION, HR_STORE_U64, CFG(cgroups.reclaim_idle_usec), SEC(1), SEC(86400),
          .doc = "every process of the cgroup idle (no CPU, no fault) this long before its first step" },
        { "Cgroup", "ReclaimIntervalSec", HR_CONF_DURATION, HR_STORE_U64, CFG(cgroups.reclaim_interval_usec), SEC(1),
          SEC(86400), .doc = "between two steps on one cgroup" },
        { "Cgroup", "ReclaimStepMiB", HR_CONF_SIZE, HR_STORE_U64, CFG(cgroups.reclaim_step_kib), MIB(1), GIB(64),
          .doc = "a step at most this, and a tenth of what the cgroup holds" },
        { "Cgroup", "ReclaimCoolSec", HR_CONF_DURATION, HR_STORE_U64, CFG(cgroups.reclaim_cool_usec), SEC(1), SEC(86400),
          .doc = "after a step of which a quarter refaulted: no reclaim from that cgroup for this long" },
        { "Cgroup", "ProtectMax", HR_CONF_PERCENT, HR_STORE_U32, CFG(cgroups.protect_max_permyriad), 0, 10000,
          .doc = "all memory.low together at most this share of MemTotal" },

        { "Kernel", "ZramCompact", HR_CONF_BOOL, HR_STORE_BOOL, CFG(zram_compact), 0, 1,
          .doc = "ELEVATED and up: compact a zram pool with 4 MiB and a tenth of it fragmented, once per episode" },
        { "Kernel", "DropCaches", HR_CONF_BOOL, HR_STORE_BOOL, CFG(drop_caches), 0, 1,
          .doc = "HIGH and up: drop clean page cache when a tenth of RAM is clean cache and anon pages refault at 1000/s; once per 10 min" },
        { "Kernel", "MglruMinTtlMs", HR_CONF_INT, HR_STORE_U32, CFG(mglru_min_ttl_ms), 0, 60000,
          .flags = HR_CONF_FIXED, .doc = "MGLRU's min_ttl_ms while headroomd runs (0: leave the kernel's setting)" },
        { "Kernel", "Hibernate", HR_CONF_BOOL, HR_STORE_BOOL, CFG(hibernate), 0, 1,
          .doc = "EMERGENCY held for HibernateAfterSec hibernates the machine, once per run of headroomd" },
        { "Kernel", "HibernateAfterSec", HR_CONF_DURATION, HR_STORE_U64, CFG(hibernate_after_usec), SEC(1), SEC(3600),
          .doc = "how long EMERGENCY must hold before Hibernate=yes acts" },
        { "Kernel", "HibernateCommand", HR_CONF_COMMAND, HR_STORE_NONE, CFG(hibernate_command), 0, 0,
          .doc = "what hibernates (empty: /usr/bin/systemctl hibernate)" },

        { "Thaw", "MaxPerTick", HR_CONF_INT, HR_STORE_U32, CFG(actions.thaw_max_per_tick), 1, 1000,
          .doc = "thaws per decision while recovering" },
        { "Thaw", "MarginMiB", HR_CONF_SIZE, HR_STORE_U64, CFG(actions.thaw_margin_kib), 0, GIB(1024),
          .doc = "MemAvailable must exceed what a batch brings back by this much" },
        { "Thaw", "IntervalSec", HR_CONF_DURATION, HR_STORE_U64, CFG(actions.thaw_min_interval_usec), 0, SEC(600),
          .doc = "time between two thaw batches" },

        { "Terminate", "Enable", HR_CONF_BOOL, HR_STORE_BOOL, CFG(actions.terminate_enabled), 0, 1,
          .doc = "terminate (SIGTERM, grace, SIGKILL) at HIGH and CRITICAL" },
        { "Terminate", "GraceSec", HR_CONF_DURATION, HR_STORE_U64, CFG(actions.terminate_grace_usec[HR_LEVEL_HIGH]),
          0, SEC(600), .doc = "SIGTERM to SIGKILL at HIGH (and below)" },
        { "Terminate", "GraceCriticalSec", HR_CONF_DURATION, HR_STORE_U64,
          CFG(actions.terminate_grace_usec[HR_LEVEL_CRITICAL]), 0, SEC(600), .doc = "SIGTERM to SIGKILL at CRITICAL" },
        { "Terminate", "GraceEmergencySec", HR_CONF_DURATION, HR_STORE_U64,
          CFG(actions.terminate_grace_usec[HR_LEVEL_EMERGENCY]), 0, SEC(60), .doc = "SIGTERM to SIGKILL at EMERGENCY" },
        { "Terminate", "WarnSec", HR_CONF_DURATION, HR_STORE_U64, CFG(actions.warn_usec), 0, SEC(60),
          .doc = "between the warning and SIGTERM, when someone hears it (a hook, a subscriber); 0: no warning" },
        { "Terminate", "WarnHook", HR_CONF_COMMAND, HR_STORE_NONE, CFG(actions.warn_hook), 0, 0,
          .doc = "run before a terminate with the victim's pid, name and reason, for WarnSec at most" },
        { "Terminate", "RunawayMiBPerSec", HR_CONF_SIZE, HR_STORE_I64, CFG(actions.runaway_growth_kib_per_sec),
          MIB(1), GIB(1024), .doc = "growth that makes an expendable-heavy process a runaway at HIGH" },

        { "Kill", "Enable", HR_CONF_BOOL, HR_STORE_BOOL, CFG(actions.kill_enabled), 0, 1,
          .doc = "SIGKILL the top candidate at EMERGENCY" },
        { "Kill", "CooldownSec", HR_CONF_DURATION, HR_STORE_U64, CFG(actions.kill_cooldown_usec), 0, SEC(600),
          .doc = "after a kill, wait this long before the next" },

        { "Checkpoint", "Enable", HR_CONF_BOOL, HR_STORE_BOOL, CFG(actions.checkpoint_enabled), 0, 1,
          .doc = "checkpoint (CRIU) processes marked for it instead of terminating them" },
        { "Checkpoint", "Directory", HR_CONF_PATH, HR_STORE_NONE, CFG(actions.checkpoint_dir), 0, 0,
          .flags = HR_CONF_FIXED, .doc = "where checkpoint images go (on disk, not tmpfs)" },
        { "Checkpoint", "TimeoutSec", HR_CONF_DURATION, HR_STORE_U64, CFG(actions.checkpoint_timeout_usec), SEC(1),
          SEC(600), .doc = "a criu dump or restore taking longer is killed (a dump then falls back to terminate)" },

        { "Notify", "Desktop", HR_CONF_BOOL, HR_STORE_BOOL, CFG(actions.notify_desktop), 0, 1,
          .doc = "user mode: show a desktop notification when something is frozen, ended or restored" },
        { "Notify", "Command", HR_CONF_PATH, HR_STORE_NONE, CFG(actions.notify_command), 0, 0,
          .doc = "the program that shows it, taking notify-send's arguments (libnotify-bin)" },

        { "Priorities", "Default", HR_CONF_INT, HR_STORE_I32, CFG(default_priority), 0, 100,
          .doc = "priority of unmatched processes (higher = more expendable)" },
        { "Priorities", "ForegroundAdjust", HR_CONF_INT, HR_STORE_I32, CFG(foreground_adjust), -100, 100,
          .doc = "added to the foreground application's priority" },

        MATCHER("Comm", HR_MATCH_COMM, "comm (15 bytes at most: longer names are truncated)"),
        MATCHER("Cmdline", HR_MATCH_CMDLINE, "command line, arguments joined by spaces"),
        MATCHER("Exe", HR_MATCH_EXE, "executable path"),
        MATCHER("Cgroup", HR_MATCH_CGROUP, "cgroup2 path (/user.slice/...)"),
        MATCHER("User", HR_MATCH_USER, "user name (the uid in decimal when it has none)"),
        { "Rule", "Priority", HR_CONF_INT, HR_STORE_I32, RULE(priority), 0, 100, .flags = HR_CONF_RULE,
          .doc = "0-100, higher = more expendable" },
        { "Rule", "Checkpoint", HR_CONF_CHECKPOINT, HR_STORE_NONE, RULE(checkpoint), 0, 0, .flags = HR_CONF_RULE,
          .doc = "checkpoint with CRIU at CRITICAL instead of terminating: yes, no or auto" },
        { "Rule", "NeverKill", HR_CONF_BOOL, HR_STORE_BOOL, RULE(never_kill), 0, 1, .flags = HR_CONF_RULE,
          .doc = "may be frozen, never terminated or killed" },
        { "Rule", "FreezeOnly", HR_CONF_BOOL, HR_STORE_BOOL, RULE(freeze_only), 0, 1, .flags = HR_CONF_RULE,
          .doc = "freezing is the only action allowed" },
        { "Rule", "Build", HR_CONF_BOOL, HR_STORE_BOOL, RULE(build), 0, 1, .flags = HR_CONF_RULE,
          .doc = "a build workload (spike handling)" },
        { "Rule", "WholeCgroup", HR_CONF_BOOL, HR_STORE_BOOL, RULE(whole_cgroup), 0, 1, .flags = HR_CONF_RULE,
          .doc = "act on the process's whole cgroup" },
        { "Rule", "KillGroup", HR_CONF_BOOL, HR_STORE_BOOL, RULE(kill_group), 0, 1, .flags = HR_CONF_RULE,
          .doc = "terminating it also terminates the rest of its process group (never a session leader)" },
};

const size_t hr_conf_n_items = ELEMENTSOF(hr_conf_items);

typedef struct Section {
        const char *name;
        bool named;   /* [Rule NAME] */
        bool protect; /* [Protect NAME] */
} Section;

static const Section sections[] = {
        { "Pressure" }, { "Freeze" },     { "Cgroup" },     { "Kernel" },     { "Thaw" },       { "Terminate" },
        { "Kill" },     { "Checkpoint" }, { "Notify" },   { "Priorities" }, { "Rule", .named = true },
        { "Protect", .named = true, .protect = true },
};

static const char *const type_table[_HR_CONF_TYPE_MAX] = {
        [HR_CONF_BOOL] = "boolean",     [HR_CONF_INT] = "integer",   [HR_CONF_PERCENT] = "percentage",
        [HR_CONF_FRACTION] = "fraction", [HR_CONF_POINTS] = "points", [HR_CONF_DURATION] = "duration",
        [HR_CONF_SIZE] = "size",         [HR_CONF_PATH] = "path",     [HR_CONF_REGEX] = "regex",
        [HR_CONF_CHECKPOINT] = "yes|no|auto", [HR_CONF_COMMAND] = "command",
};

static const char *const checkpoint_table[_HR_CHECKPOINT_MAX] = {
        [HR_CHECKPOINT_NO] = "no",
        [HR_CHECKPOINT_YES] = "yes",
        [HR_CHECKPOINT_AUTO] = "auto",
};

const char *hr_conf_type_to_string(HrConfType t) {
        return (unsigned) t < _HR_CONF_TYPE_MAX ? type_table[t] : NULL;
}

static const Section *section_find(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(sections); i++)
                if (strcmp(sections[i].name, name) == 0)
                        return &sections[i];
        return NULL;
}

const HrConfItem *hr_conf_item_find(const char *section, const char *key) {
        if (strcmp(section, "Protect") == 0)
                section = "Rule";
        for (size_t i = 0; i < ELEMENTSOF(hr_conf_items); i++)
                if (strcmp(hr_conf_items[i].section, section) == 0 && strcmp(hr_conf_items[i].key, key) == 0)
                        return &hr_conf_items[i];
        return NULL;
}

/* ---- Value parsers: text -> int64 in the type's unit ---- */

/* "12", "12.5": digits with up to `decimals` fractional digits, scaled by 10^decimals. */
static int parse_decimal(const char *s, size_t n, unsigned decimals, uint64_t *ret, char *why, size_t why_size) {
        const char *dot = memchr(s, '.', n);
        size_t ni = dot ? (size_t) (dot - s) : n, nf = dot ? n - ni - 1 : 0;
        uint64_t ip, frac = 0, scale = 1;
        int r;

        for (unsigned i = 0; i < decimals; i++)
                scale *= 10;
        if (ni == 0 || (dot && nf == 0)) {
                (void) snprintf(why, why_size, "not a number");
                return -EINVAL;
        }
        r = hr_parse_u64(s, ni, &ip);
        if (r == -ERANGE || (r == 0 && ip > UINT64_MAX / scale / 16)) {
                (void) snprintf(why, why_size, "number too large");
                return -ERANGE;
        }
        if (r < 0) {
                (void) snprintf(why, why_size, "not a number");
                return -EINVAL;
        }
        if (nf > decimals) {
                if (decimals == 0)
                        (void) snprintf(why, why_size, "expected a whole number");
                else
                        (void) snprintf(why, why_size, "at most %u decimal%s", decimals, decimals == 1 ? "" : "s");
                return -EINVAL;
        }
        for (size_t i = 0; i < nf; i++) {
                char c = dot[1 + i];
                if (c < '0' || c > '9') {
                        (void) snprintf(why, why_size, "not a number");
                        return -EINVAL;
                }
                frac = frac * 10 + (uint64_t) (c - '0');
        }
        for (size_t i = nf; i < decimals; i++)
                frac *= 10;
        *ret = ip * scale + frac;
        return 0;
}

static int parse_bool(const char *s, int64_t *ret, char *why, size_t why_size) {
        static const char *const yes[] = { "yes", "true", "on", "1", "y", "t" };
        static const char *const no[] = { "no", "false", "off", "0", "n", "f" };
        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                if (strcasecmp(s, yes[i]) == 0) {
                        *ret = 1;
                        return 0;
                }
                if (strcasecmp(s, no[i]) == 0) {
                        *ret = 0;
                        return 0;
                }
        }
        (void) snprintf(why, why_size, "expected yes or no");
        return -EINVAL;
}

static int parse_int(const char *s, int64_t *ret, char *why, size_t why_size) {
        bool neg = s[0] == '-';
        const char *d = s + (neg || s[0] == '+');
        uint64_t v;
        int r = hr_parse_u64(d, strlen(d), &v);

        if (r == -ERANGE || (r == 0 && v > (uint64_t) INT64_MAX)) {
                (void) snprintf(why, why_size, "number too large");
                return -ERANGE;
        }
        if (r < 0) {
                (void) snprintf(why, why_size, "not an integer");
                return -EINVAL;
        }
        *ret = neg ? -(int64_t) v : (int64_t) v;
        return 0;
}

static int parse_scaled(const char *s, unsigned decimals, int64_t *ret, char *why, size_t why_size) {
        uint64_t v;
        int r = parse_decimal(s, strlen(s), decimals, &v, why, why_size);
        if (r < 0)
                return r;
        *ret = (int64_t) v;
        return 0;
}

static int parse_percent(const char *s, int64_t *ret, char *why, size_t why_size) {
        size_t n = strlen(s);
        uint64_t v;
        int r;

        if (n < 2 || s[n - 1] != '%') {
                (void) snprintf(why, why_size, "expected a percentage like 5%% or 2.5%%");
                return -EINVAL;
        }
        r = parse_decimal(s, n - 1, 2, &v, why, why_size);
        if (r == -EINVAL && strcmp(why, "not a number") == 0)
                (void) snprintf(why, why_size, "expected a percentage like 5%% or 2.5%%");
        if (r < 0)
                return r;
        *ret = (int64_t) v;
        return 0;
}

typedef struct Unit {
        const char *name;
        uint64_t mult;
} Unit;

/* systemd's time units (systemd.time(7)): "m" is minutes, "ms" milliseconds. */
static const Unit time_units[] = {
        { "us", 1 },
        { "usec", 1 },
        { "ms", USEC_PER_MSEC },
        { "msec", USEC_PER_MSEC },
        { "s", USEC_PER_SEC },
        { "sec", USEC_PER_SEC },
        { "second", USEC_PER_SEC },
        { "seconds", USEC_PER_SEC },
        { "m", 60 * USEC_PER_SEC },
        { "min", 60 * USEC_PER_SEC },
        { "minute", 60 * USEC_PER_SEC },
        { "minutes", 60 * USEC_PER_SEC },
        { "h", 3600 * USEC_PER_SEC },
        { "hr", 3600 * USEC_PER_SEC },
        { "hour", 3600 * USEC_PER_SEC },
        { "hours", 3600 * USEC_PER_SEC },
        { "d", 86400 * USEC_PER_SEC },
        { "day", 86400 * USEC_PER_SEC },
        { "days", 86400 * USEC_PER_SEC },
};

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}
static bool is_alpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* "20s", "500ms", "1min 30s", "1.5s"; a bare number is seconds. */
static int parse_duration(const char *s, int64_t *ret, char *why, size_t why_size) {
        uint64_t total = 0;
        bool any = false;
        const char *p = s;

        while (*p) {
                while (*p == ' ' || *p == '\t')
                        p++;
                if (!*p)
                        break;
                const char *num = p;
                while (is_digit(*p) || *p == '.')
                        p++;
                size_t nn = (size_t) (p - num);
                while (*p == ' ' || *p == '\t')
                        p++;
                const char *unit = p;
                while (is_alpha(*p))
                        p++;
                size_t nu = (size_t) (p - unit);
                uint64_t mult = 0;

                if (nn == 0)
                        goto bad;
                if (nu == 0) {
                        if (any || *p)
                                goto bad; /* a bare number only on its own */
                        mult = USEC_PER_SEC;
                }
                for (size_t i = 0; nu > 0 && i < ELEMENTSOF(time_units); i++)
                        if (strlen(time_units[i].name) == nu && strncmp(time_units[i].name, unit, nu) == 0)
                                mult = time_units[i].mult;
                if (mult == 0) {
                        (void) snprintf(why, why_size, "unknown time unit '%.*s' (use us, ms, s, min, h, d)", (int) MIN(nu, 16u),
                                        unit);
                        return -EINVAL;
                }

                /* Up to six decimals: microseconds of a second. */
                uint64_t v;
                int r = parse_decimal(num, nn, 6, &v, why, why_size);
                if (r == -EINVAL)
                        goto bad;
                if (r < 0)
                        return r;
                unsigned __int128 us = (unsigned __int128) v * mult / 1000000;
                if (us > INT64_MAX || total + (uint64_t) us > INT64_MAX) {
                        (void) snprintf(why, why_size, "duration too long");
                        return -ERANGE;
                }
                total += (uint64_t) us;
                any = true;
        }
        if (!any)
                goto bad;
        *ret = (int64_t) total;
        return 0;
bad:
        (void) snprintf(why, why_size, "expected a duration like 20s, 500ms or 1min");
        return -EINVAL;
}

/* "256M", "1G", "512K", "2T" (also "MiB", "MB"); a bare number is MiB. Result in KiB. */
static int parse_size(const char *s, int64_t *ret, char *why, size_t why_size) {
        size_t n = strlen(s), k = n;
        uint64_t mult = 1024, v;
        int r;

        while (k > 0 && (is_alpha(s[k - 1])))
                k--;
        const char *suffix = s + k;
        if (*suffix) {
                static const struct {
                        const char *name;
                        uint64_t kib;
                } sfx[] = { { "K", 1 }, { "M", 1024 }, { "G", 1024 * 1024 }, { "T", 1024 * 1024 * 1024 } };
                mult = 0;
                for (size_t i = 0; i < ELEMENTSOF(sfx); i++)
                        if (strncasecmp(suffix, sfx[i].name, 1) == 0 &&
                            (suffix[1] == '\0' || strcasecmp(suffix + 1, "iB") == 0 || strcasecmp(suffix + 1, "B") == 0))
                                mult = sfx[i].kib;
                if (mult == 0) {
                        (void) snprintf(why, why_size, "unknown size suffix '%.16s' (use K, M, G or T)", suffix);
                        return -EINVAL;
                }
        }
        while (k > 0 && s[k - 1] == ' ')
                k--;
        r = parse_decimal(s, k, 0, &v, why, why_size);
        if (r == -EINVAL)
                (void) snprintf(why, why_size, "expected a size like 256M or 1G");
        if (r < 0)
                return r;
        if (v > (uint64_t) INT64_MAX / mult) {
                (void) snprintf(why, why_size, "size too large");
                return -ERANGE;
        }
        *ret = (int64_t) (v * mult);
        return 0;
}

static int parse_checkpoint(const char *s, HrCheckpoint *ret, char *why, size_t why_size) {
        int64_t b;
        for (unsigned i = 0; i < _HR_CHECKPOINT_MAX; i++)
                if (strcasecmp(s, checkpoint_table[i]) == 0) {
                        *ret = (HrCheckpoint) i;
                        return 0;
                }
        if (parse_bool(s, &b, why, why_size) == 0) {
                *ret = b ? HR_CHECKPOINT_YES : HR_CHECKPOINT_NO;
                return 0;
        }
        (void) snprintf(why, why_size, "expected yes, no or auto");
        return -EINVAL;
}

static int parse_number(const HrConfItem *it, const char *s, int64_t *ret, char *why, size_t why_size) {
        switch (it->type) {
        case HR_CONF_BOOL:
                return parse_bool(s, ret, why, why_size);
        case HR_CONF_INT:
                return parse_int(s, ret, why, why_size);
        case HR_CONF_PERCENT:
                return parse_percent(s, ret, why, why_size);
        case HR_CONF_FRACTION:
                return parse_scaled(s, 3, ret, why, why_size);
        case HR_CONF_POINTS:
                return parse_scaled(s, 2, ret, why, why_size);
        case HR_CONF_DURATION:
                return parse_duration(s, ret, why, why_size);
        case HR_CONF_SIZE:
                return parse_size(s, ret, why, why_size);
        default:
                (void) snprintf(why, why_size, "not a number type");
                return -EINVAL;
        }
}

/* ---- Formatting: int64 in the type's unit -> text that parses back ---- */

/* v / 10^decimals with the fraction's trailing zeros dropped: 250 (2) -> "2.5". */
static int format_scaled(int64_t v, unsigned decimals, const char *suffix, char *buf, size_t size) {
        uint64_t scale = 1, a = v < 0 ? (uint64_t) -(v + 1) + 1 : (uint64_t) v;
        char frac[24] = "";
        int n;

        for (unsigned i = 0; i < decimals; i++)
                scale *= 10;
        uint64_t f = a % scale;
        if (f > 0) {
                unsigned d = decimals;
                while (f % 10 == 0) {
                        f /= 10;
                        d--;
                }
                (void) snprintf(frac, sizeof frac, ".%0*" PRIu64, (int) d, f);
        }
        n = snprintf(buf, size, "%s%" PRIu64 "%s%s", v < 0 ? "-" : "", a / scale, frac, suffix);
        return n < 0 || (size_t) n >= size ? -ENOSPC : 0;
}

static int format_duration(int64_t v, char *buf, size_t size) {
        static const Unit out[] = {
                { "d", 86400 * USEC_PER_SEC }, { "h", 3600 * USEC_PER_SEC }, { "min", 60 * USEC_PER_SEC },
                { "s", USEC_PER_SEC },         { "ms", USEC_PER_MSEC },      { "us", 1 },
        };
        int n;

        if (v <= 0)
                n = snprintf(buf, size, "0");
        else {
                size_t i = 0;
                while ((uint64_t) v % out[i].mult != 0)
                        i++;
                n = snprintf(buf, size, "%" PRIu64 "%s", (uint64_t) v / out[i].mult, out[i].name);
        }
        return n < 0 || (size_t) n >= size ? -ENOSPC : 0;
}

/* Bare MiB (the unit the keys are named in) when whole, else KiB with its suffix. */
static int format_size(int64_t kib, char *buf, size_t size) {
        int n;

        if (kib % 1024 == 0)
                n = snprintf(buf, size, "%" PRId64, kib / 1024);
        else
                n = snprintf(buf, size, "%" PRId64 "K", kib);
        return n < 0 || (size_t) n >= size ? -ENOSPC : 0;
}

int hr_conf_format_raw(const HrConfItem *it, int64_t v, char *buf, size_t size) {
        int n;

        switch (it->type) {
        case HR_CONF_BOOL:
                n = snprintf(buf, size, "%s", v ? "yes" : "no");
                break;
        case HR_CONF_INT:
                n = snprintf(buf, size, "%" PRId64, v);
                break;
        case HR_CONF_PERCENT:
                return format_scaled(v, 2, "%", buf, size);
        case HR_CONF_FRACTION:
                return format_scaled(v, 3, "", buf, size);
        case HR_CONF_POINTS:
                return format_scaled(v, 2, "", buf, size);
        case HR_CONF_DURATION:
                return format_duration(v, buf, size);
        case HR_CONF_SIZE:
                return format_size(v, buf, size);
        case HR_CONF_CHECKPOINT:
                n = snprintf(buf, size, "%s", (uint64_t) v < _HR_CHECKPOINT_MAX ? checkpoint_table[v] : "?");
                break;
        default:
                return -EOPNOTSUPP;
        }
        return n < 0 || (size_t) n >= size ? -ENOSPC : 0;
}

int64_t hr_conf_item_value(const HrConfItem *it, const void *base) {
        const char *p = (const char *) base + it->offset;
        int64_t v = 0;

        switch (it->store) {
        case HR_STORE_BOOL:
                v = *(const bool *) p;
                break;
        case HR_STORE_U32:
                v = *(const uint32_t *) p;
                break;
        case HR_STORE_I32:
                v = *(const int32_t *) p;
                break;
        case HR_STORE_U64:
                v = (int64_t) *(const uint64_t *) p;
                break;
        case HR_STORE_I64:
                v = *(const int64_t *) p;
                break;
        case HR_STORE_NONE:
                if (it->type == HR_CONF_CHECKPOINT)
                        v = *(const HrCheckpoint *) p;
                break;
        }
        return it->flags & HR_CONF_INVERT ? 10000 - v : v;
}

static void store(const HrConfItem *it, void *base, int64_t v) {
        char *p = (char *) base + it->offset;

        if (it->flags & HR_CONF_INVERT)
                v = 10000 - v;
        switch (it->store) {
        case HR_STORE_BOOL:
                *(bool *) p = v != 0;
                break;
        case HR_STORE_U32:
                *(uint32_t *) p = (uint32_t) v;
                break;
        case HR_STORE_I32:
                *(int32_t *) p = (int32_t) v;
                break;
        case HR_STORE_U64:
                *(uint64_t *) p = (uint64_t) v;
                break;
        case HR_STORE_I64:
                *(int64_t *) p = v;
                break;
        case HR_STORE_NONE:
                break;
        }
}

int hr_conf_format_value(const HrConfItem *it, const void *base, char *buf, size_t size) {
        if (it->type == HR_CONF_REGEX)
                return -EOPNOTSUPP;
        if (it->type == HR_CONF_PATH || it->type == HR_CONF_COMMAND) {
                int n = snprintf(buf, size, "%s", (const char *) base + it->offset);
                return n < 0 || (size_t) n >= size ? -ENOSPC : 0;
        }
        return hr_conf_format_raw(it, hr_conf_item_value(it, base), buf, size);
}

#define REGEX_COST_MAX 20000u
#define REGEX_DEPTH_MAX 32
#define REGEX_EMPTY_REPEAT_MAX 256u
#define REGEX_EMPTY_REPEAT_DEPTH 3u
#define REGEX_OPTIONAL_MAX 256u

/* A built-in rule's name list, command-line words or executable tail, replaced (or, empty, removed) by a
 * setting of the same field in a file. */
static void drop_builtin_matcher(HrRule *rule, HrMatchField f) {
        if (f == HR_MATCH_COMM)
                rule->comm_globs = NULL;
        else if (f == HR_MATCH_CMDLINE)
                rule->cmdline_words = NULL;
        else if (f == HR_MATCH_EXE)
                rule->exe_tails = NULL;
}

/* glibc's regcomp() expands bounded repetitions by copying: "(a{1,32767}){1,2}" takes seconds and
 * gigabytes, which a memory-pressure daemon must never do on a reload. This estimates the positions the
 * compiled pattern has (alternatives add up, "{m,n}" multiplies by max(m, n), "+" doubles) in one pass,
 * without validating the syntax (regcomp does that). A repetition of what can match the empty string
 * ("y?++++++++++++", "a?+?+?+?+?+?+?+?+", "(y?){1,5000}", "(^)+++") costs its epsilon closures far more
 * than its positions (seconds from a dozen characters): past REGEX_EMPTY_REPEAT_MAX positions, or more than
 * REGEX_EMPTY_REPEAT_DEPTH quantifiers stacked on it, it is -E2BIG too; so are the n - m optional copies of
 * "{m,n}" past REGEX_OPTIONAL_MAX positions, nested ones whose closures grow with their square ("a{1,16383}":
 * 2 GiB). Returns 0, -E2BIG, or -ELOOP when groups nest deeper than REGEX_DEPTH_MAX. */
static int regex_cost(const char *p, uint64_t *ret) {
        struct Frame {
                uint64_t sum;    /* positions so far in this group */
                uint64_t last;   /* positions of the last atom, for a quantifier after it */
                bool alt_empty;  /* an earlier alternative of the group can match "" */
                bool prev_empty; /* so can the atoms of this alternative before the last one */
                bool last_empty; /* so can the last atom */
                unsigned last_reps; /* quantifiers over "" stacked on the last atom (and inside it) */
                unsigned max_reps;  /* the most of those in this group so far */
        } st[REGEX_DEPTH_MAX + 1] = { { .prev_empty = true, .last_empty = true } };
        size_t d = 0;

        for (size_t i = 0; p[i]; i++) {
                struct Frame *f = &st[d];
                uint64_t atom = 1;
                unsigned reps = 0;
                bool empty = false;
                switch (p[i]) {
                case '(':
                        if (d == REGEX_DEPTH_MAX)
                                return -ELOOP;
                        st[++d] = (struct Frame) { .prev_empty = true, .last_empty = true };
                        continue;
                case ')':
                        if (d == 0)
                                break; /* a literal ')' in ERE */
                        atom = st[d].sum + 1;
                        empty = st[d].alt_empty || (st[d].prev_empty && st[d].last_empty);
                        reps = MAX(st[d].max_reps, st[d].last_reps);
                        f = &st[--d];
                        break;
                case '^':
                case '$':
                        empty = true;
                        break;
                case '|':
                        f->alt_empty |= f->prev_empty && f->last_empty;
                        f->prev_empty = f->last_empty = true;
                        f->max_reps = MAX(f->max_reps, f->last_reps);
                        f->last_reps = 0;
                        f->sum += 1;
                        f->last = 0;
                        continue;
                case '*':
                case '?':
                        if (f->last_empty &&
                            (f->last > REGEX_EMPTY_REPEAT_MAX || ++f->last_reps > REGEX_EMPTY_REPEAT_DEPTH))
                                return -E2BIG;
                        f->last_empty = true;
                        continue;
                case '+':
                        if (f->last_empty &&
                            (2 * f->last > REGEX_EMPTY_REPEAT_MAX || ++f->last_reps > REGEX_EMPTY_REPEAT_DEPTH))
                                return -E2BIG;
                        f->sum += f->last;
                        f->last *= 2;
                        goto check;
                case '{': {
                        /* "{m}", "{m,}", "{m,n}" and glibc's "{,n}" and "{,}"; anything else counts as a literal. */
                        size_t j = i + 1;
                        uint64_t m = 0, n = 0;
                        bool comma = false, dm = false, dn = false;
                        for (; p[j] >= '0' && p[j] <= '9' && m <= REGEX_COST_MAX; j++, dm = true)
                                m = m * 10 + (uint64_t) (p[j] - '0');
                        if (p[j] == ',') {
                                comma = true;
                                for (j++; p[j] >= '0' && p[j] <= '9' && n <= REGEX_COST_MAX; j++, dn = true)
                                        n = n * 10 + (uint64_t) (p[j] - '0');
                        }
                        if ((dm || dn || comma) && p[j] == '}') { /* glibc reads "{,}" as "{0,}" */
                                uint64_t mult = MAX(MAX(m, n), comma && !dn ? m + 1 : 1);
                                if (comma && dn && n > m && (n - m) * f->last > REGEX_OPTIONAL_MAX)
                                        return -E2BIG;
                                if (f->last_empty && (f->last * mult > REGEX_EMPTY_REPEAT_MAX ||
                                                      ++f->last_reps > REGEX_EMPTY_REPEAT_DEPTH))
                                        return -E2BIG;
                                f->last_empty |= m == 0;
                                f->sum += f->last * (mult - 1);
                                f->last *= mult;
                                i = j;
                                goto check;
                        }
                        break;
                }
                case '[': {
                        /* A bracket expression is one position: skip to its closing ']'. */
                        size_t j = i + 1;
                        if (p[j] == '^')
                                j++;
                        if (p[j] == ']')
                                j++;
                        while (p[j] && p[j] != ']') {
                                if (p[j] == '[' && (p[j + 1] == ':' || p[j + 1] == '.' || p[j + 1] == '=')) {
                                        char end = p[j + 1];
                                        const char *close = p + j + 2;
                                        while (*close && !(close[0] == end && close[1] == ']'))
                                                close++;
                                        if (!*close)
                                                break;
                                        j = (size_t) (close - p) + 2;
                                } else
                                        j++;
                        }
                        i = p[j] ? j : j - 1;
                        break;
                }
                case '\\':
                        if (p[i + 1])
                                i++;
                        break;
                default:
                        break;
                }
                f->prev_empty = f->prev_empty && f->last_empty;
                f->max_reps = MAX(f->max_reps, f->last_reps);
                f->sum += atom;
                f->last = atom;
                f->last_empty = empty;
                f->last_reps = reps;
        check:
                if (f->sum > REGEX_COST_MAX || f->last > REGEX_COST_MAX)
                        return -E2BIG;
        }
        uint64_t total = 0;
        for (size_t k = 0; k <= d; k++)
                total += st[k].sum;
        if (total > REGEX_COST_MAX)
                return -E2BIG;
        *ret = total;
        return 0;
}

int hr_conf_parse_value(const HrConfItem *it, const char *value, void *base, char *why, size_t why_size) {
        char lo[32], hi[32];
        int64_t v;
        int r;

        switch (it->type) {
        case HR_CONF_REGEX: {
                HrRule *rule = base;
                HrMatchField f = (HrMatchField) it->arg;
                regex_t re;

                if (!*value) {
                        /* Empty: remove the matcher (systemd's "empty assignment resets"). */
                        if (rule->has[f])
                                regfree(&rule->re[f]);
                        rule->has[f] = false;
                        drop_builtin_matcher(rule, f);
                        return 0;
                }
                uint64_t cost;
                r = regex_cost(value, &cost);
                if (r == -ELOOP) {
                        (void) snprintf(why, why_size, "bad regex: groups nested deeper than %d", REGEX_DEPTH_MAX);
                        return -EINVAL;
                }
                if (r < 0) {
                        (void) snprintf(why, why_size,
                                        "bad regex: too large once its repetitions are expanded (more than %u positions)",
                                        REGEX_COST_MAX);
                        return -EINVAL;
                }
                r = regcomp(&re, value, REG_EXTENDED | REG_NOSUB);
                if (r != 0) {
                        char err[128];
                        (void) regerror(r, &re, err, sizeof err);
                        (void) snprintf(why, why_size, "bad regex: %s", err);
                        return r == REG_ESPACE ? -ENOMEM : -EINVAL;
                }
                if (rule->has[f])
                        regfree(&rule->re[f]);
                rule->re[f] = re;
                rule->has[f] = true;
                drop_builtin_matcher(rule, f); /* a built-in's own matcher gives way to the regex */
                return 0;
        }
        case HR_CONF_PATH: {
                size_t n = strlen(value);
                if (value[0] != '/') {
                        (void) snprintf(why, why_size, "not an absolute path");
                        return -EINVAL;
                }
                if (n >= it->size) {
                        (void) snprintf(why, why_size, "path longer than %zu bytes", it->size - 1);
                        return -ERANGE;
                }
                memcpy((char *) base + it->offset, value, n + 1);
                return 0;
        }
        case HR_CONF_COMMAND: {
                char words[HR_CONFIG_HOOK_MAX], *argv[HR_HOOK_WORDS_MAX + 1];
                const char *bad;
                size_t n = strlen(value);
                if (n >= it->size) {
                        (void) snprintf(why, why_size, "command longer than %zu bytes", it->size - 1);
                        return -ERANGE;
                }
                if (n > 0) {
                        r = hr_hook_split(value, words, sizeof words, argv, ELEMENTSOF(argv), &bad);
                        if (r < 0) {
                                (void) snprintf(why, why_size, "%s", bad);
                                return r;
                        }
                        if (access(argv[0], X_OK) < 0) {
                                (void) snprintf(why, why_size, "%s: cannot run it (%s)", argv[0], strerror(errno));
                                return -errno;
                        }
                }
                memcpy((char *) base + it->offset, value, n + 1);
                return 0;
        }
        case HR_CONF_CHECKPOINT: {
                HrCheckpoint c;
                r = parse_checkpoint(value, &c, why, why_size);
                if (r < 0)
                        return r;
                *(HrCheckpoint *) ((char *) base + it->offset) = c;
                return 0;
        }
        default:
                break;
        }

        r = parse_number(it, value, &v, why, why_size);
        if (r == -ERANGE || (r == 0 && (v < it->min || v > it->max))) {
                if (hr_conf_format_raw(it, it->min, lo, sizeof lo) < 0 || hr_conf_format_raw(it, it->max, hi, sizeof hi) < 0)
                        (void) snprintf(why, why_size, "out of range");
                else
                        (void) snprintf(why, why_size, "out of range %s..%s", lo, hi);
                return -ERANGE;
        }
        if (r < 0)
                return r;
        store(it, base, v);
        return 0;
}

/* ---- Errors ---- */

void hr_conf_errors_done(HrConfErrors *e) {
        for (size_t i = 0; i < e->n; i++)
                free(e->lines[i]);
        free(e->lines);
        *e = (HrConfErrors) {};
}

static int errors_add(HrConfErrors *e, const char *line) {
        if (e->n >= HR_CONF_ERRORS_MAX) {
                e->dropped++;
                return 0;
        }
        if (e->n == e->cap) {
                size_t cap = e->cap ? 2 * e->cap : 8;
                char **n = realloc(e->lines, cap * sizeof *n);
                if (!n)
                        return -ENOMEM;
                e->lines = n;
                e->cap = cap;
        }
        char *s = strdup(line);
        if (!s)
                return -ENOMEM;
        e->lines[e->n++] = s;
        return 0;
}

static int errors_addf(HrConfErrors *e, const char *fmt, ...) _printf_(2, 3);
static int errors_addf(HrConfErrors *e, const char *fmt, ...) {
        char line[1024];
        va_list ap;

        va_start(ap, fmt);
        (void) vsnprintf(line, sizeof line, fmt, ap);
        va_end(ap);
        return errors_add(e, line);
}

/* A value as it appears in a message: at most 60 bytes, then "...". */
static const char *shorten(const char *v, char buf[static 72]) {
        size_t n = strlen(v);
        if (n <= 60)
                return v;
        (void) snprintf(buf, 72, "%.57s...", v);
        return buf;
}

/* ---- The loader ---- */

typedef struct Where {
        unsigned file; /* 1-based into files; 0: never set (the default) */
        unsigned line;
} Where;

/* Sort key of an error line, so the errors read in file order whatever check found them. */
typedef struct ErrKey {
        unsigned file, line;
        size_t seq;
} ErrKey;

/* What the loader knows of a rule beyond HrRule. */
typedef struct RuleMeta {
        unsigned file;     /* 1-based into files, of the header that defined it last; 0: built-in */
        bool bad_matcher;  /* a matcher failed to parse: "no matcher" would only repeat that error */
} RuleMeta;

struct HrConfLoader {
        HrConfig cfg;             /* defaults, then every file; built-in rules in cfg.rules */
        HrRule *user;             /* rules new in the files, in file order */
        size_t n_user;
        RuleMeta *user_meta;      /* parallel to user */
        RuleMeta *builtin_meta;   /* parallel to cfg.rules */
        HrConfErrors errors;
        ErrKey *keys;             /* parallel to errors.lines */
        size_t keys_cap;
        char **files;
        size_t n_files;
        Where where[ELEMENTSOF(hr_conf_items)];
        int oom;

        /* The file and section being parsed. */
        const char *name;
        const Section *sect;      /* NULL: before any header or under a broken one */
        bool rule_in_user;
        size_t rule_idx;
};

/* Adds one complete error line, sorted later by (file, line). Returns l->oom. */
static int loader_add(HrConfLoader *l, unsigned file, unsigned line, const char *fmt, ...) _printf_(4, 5);
static int loader_add(HrConfLoader *l, unsigned file, unsigned line, const char *fmt, ...) {
        char msg[1024];
        size_t before = l->errors.n;
        va_list ap;

        va_start(ap, fmt);
        (void) vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        if (errors_add(&l->errors, msg) < 0)
                return l->oom = -ENOMEM;
        if (l->errors.n == before)
                return l->oom; /* past HR_CONF_ERRORS_MAX: counted only */
        if (l->keys_cap < l->errors.cap) {
                ErrKey *k = realloc(l->keys, l->errors.cap * sizeof *k);
                if (!k)
                        return l->oom = -ENOMEM;
                l->keys = k;
                l->keys_cap = l->errors.cap;
        }
        l->keys[before] = (ErrKey) { file, line, before };
        return l->oom;
}

/* An error at a line of the file being parsed. */
static void loader_error(HrConfLoader *l, unsigned line, const char *fmt, ...) _printf_(3, 4);
static void loader_error(HrConfLoader *l, unsigned line, const char *fmt, ...) {
        char msg[900];
        va_list ap;

        va_start(ap, fmt);
        (void) vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        (void) loader_add(l, (unsigned) l->n_files, line, "%s:%u: %s", l->name, line, msg);
}

static int cmp_keys(const void *a, const void *b) {
        const ErrKey *x = a, *y = b;
        if (x->file != y->file)
                return x->file < y->file ? -1 : 1;
        if (x->line != y->line)
                return x->line < y->line ? -1 : 1;
        return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Orders the error lines by file (in reading order), then line; stable. */
static int sort_errors(HrConfLoader *l) {
        size_t n = l->errors.n;
        if (n < 2)
                return 0;
        char **sorted = malloc(n * sizeof *sorted);
        if (!sorted)
                return -ENOMEM;
        qsort(l->keys, n, sizeof *l->keys, cmp_keys);
        for (size_t i = 0; i < n; i++)
                sorted[i] = l->errors.lines[l->keys[i].seq];
        memcpy(l->errors.lines, sorted, n * sizeof *sorted);
        free(sorted);
        for (size_t i = 0; i < n; i++)
                l->keys[i].seq = i;
        return 0;
}

static HrRule *current_rule(HrConfLoader *l) {
        return l->rule_in_user ? &l->user[l->rule_idx] : &l->cfg.rules[l->rule_idx];
}

static RuleMeta *current_meta(HrConfLoader *l) {
        return l->rule_in_user ? &l->user_meta[l->rule_idx] : &l->builtin_meta[l->rule_idx];
}

static void rule_free_regexes(HrRule *r) {
        for (unsigned f = 0; f < _HR_MATCH_MAX; f++)
                if (r->has[f]) {
                        regfree(&r->re[f]);
                        r->has[f] = false;
                }
}

static void rule_set_origin(HrConfLoader *l, HrRule *r, unsigned line) {
        (void) snprintf(r->file, sizeof r->file, "%s", l->name);
        r->line = line;
}

/* [Rule NAME] / [Protect NAME]: continue the rule of that name if there is one (a user rule or a
 * built-in: its keys then override the earlier values), else start a new user rule. */
static int open_rule(HrConfLoader *l, const char *name, bool protect, unsigned line) {
        for (size_t i = 0; i < l->n_user; i++)
                if (l->user[i].protect == protect && strcmp(l->user[i].name, name) == 0) {
                        l->rule_in_user = true;
                        l->rule_idx = i;
                        rule_set_origin(l, &l->user[i], line);
                        l->user_meta[i].file = (unsigned) l->n_files;
                        return 0;
                }
        for (size_t i = 0; i < l->cfg.n_rules; i++)
                if (l->cfg.rules[i].protect == protect && strcmp(l->cfg.rules[i].name, name) == 0) {
                        l->rule_in_user = false;
                        l->rule_idx = i;
                        l->cfg.rules[i].builtin = false; /* now defined by a file */
                        rule_set_origin(l, &l->cfg.rules[i], line);
                        l->builtin_meta[i].file = (unsigned) l->n_files;
                        return 0;
                }

        RuleMeta *m = realloc(l->user_meta, (l->n_user + 1) * sizeof *m);
        if (!m)
                return -ENOMEM;
        l->user_meta = m;
        m[l->n_user] = (RuleMeta) { .file = (unsigned) l->n_files };
        HrRule *n = realloc(l->user, (l->n_user + 1) * sizeof *n);
        if (!n)
                return -ENOMEM;
        l->user = n;
        n[l->n_user] = (HrRule) { .protect = protect, .priority = -1, .checkpoint = HR_CHECKPOINT_NO };
        (void) snprintf(n[l->n_user].name, sizeof n[l->n_user].name, "%s", name);
        rule_set_origin(l, &n[l->n_user], line);
        l->rule_in_user = true;
        l->rule_idx = l->n_user++;
        return 0;
}

static int on_header(HrConfLoader *l, const HrIniItem *it) {
        const Section *s = section_find(it->section);

        l->sect = NULL;
        if (!s) {
                for (size_t i = 0; i < ELEMENTSOF(sections); i++)
                        if (strcasecmp(sections[i].name, it->section) == 0) {
                                loader_error(l, it->line, "unknown section [%s] (did you mean [%s]?)", it->section,
                                             sections[i].name);
                                return 0;
                        }
                loader_error(l, it->line, "unknown section [%s]", it->section);
                return 0;
        }
        if (s->named && !*it->name) {
                loader_error(l, it->line, "[%s] needs a name: [%s NAME]", s->name, s->name);
                return 0;
        }
        if (!s->named && *it->name) {
                char sb[72];
                loader_error(l, it->line, "[%s] takes no name (got '%s')", s->name, shorten(it->name, sb));
                return 0;
        }
        if (s->named) {
                if (strlen(it->name) >= HR_RULE_NAME_MAX) {
                        char sb[72];
                        loader_error(l, it->line, "[%s %s]: name longer than %d bytes", s->name, shorten(it->name, sb),
                                     HR_RULE_NAME_MAX - 1);
                        return 0;
                }
                int r = open_rule(l, it->name, s->protect, it->line);
                if (r < 0)
                        return r;
        }
        l->sect = s;
        return 0;
}

static int on_item(const HrIniItem *it, void *userdata) {
        HrConfLoader *l = userdata;
        char why[256], vb[72];
        int r;

        if (!it->key)
                r = on_header(l, it);
        else if (!l->sect)
                r = 0; /* the broken header was reported */
        else {
                const HrConfItem *item = hr_conf_item_find(l->sect->name, it->key);
                if (!item) {
                        for (size_t i = 0; i < ELEMENTSOF(hr_conf_items); i++)
                                if (strcmp(hr_conf_items[i].section, l->sect->protect ? "Rule" : l->sect->name) == 0 &&
                                    strcasecmp(hr_conf_items[i].key, it->key) == 0) {
                                        loader_error(l, it->line, "unknown key %s= in [%s] (did you mean %s=?)",
                                                     shorten(it->key, vb), l->sect->name, hr_conf_items[i].key);
                                        return l->oom;
                                }
                        loader_error(l, it->line, "unknown key %s= in [%s]", shorten(it->key, vb), l->sect->name);
                        return l->oom;
                }
                if (l->sect->protect && !(item->flags & HR_CONF_MATCHER)) {
                        loader_error(l, it->line, "%s= is not allowed in [Protect]: it takes Comm=, Cmdline=, Exe=, "
                                     "Cgroup= and User= only (protected processes are never touched)",
                                     item->key);
                        return l->oom;
                }
                void *base = item->flags & HR_CONF_RULE ? (void *) current_rule(l) : (void *) &l->cfg;
                r = hr_conf_parse_value(item, it->value, base, why, sizeof why);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        loader_error(l, it->line, "%s=%s: %s", item->key, shorten(it->value, vb), why);
                        if (item->flags & HR_CONF_MATCHER)
                                current_meta(l)->bad_matcher = true;
                } else
                        l->where[item - hr_conf_items] = (Where) { (unsigned) l->n_files, it->line };
                r = 0;
        }
        return r < 0 ? r : l->oom;
}

static int on_syntax_error(unsigned line, const char *why, void *userdata) {
        HrConfLoader *l = userdata;
        loader_error(l, line, "%s", why);
        return l->oom;
}

HrConfLoader *hr_conf_loader_new_over(HrConfig *base) {
        HrConfLoader *l = calloc(1, sizeof *l);
        if (!l) {
                hr_config_done(base);
                return NULL;
        }
        l->cfg = *base;
        *base = (HrConfig) {};
        l->builtin_meta = calloc(l->cfg.n_rules ? l->cfg.n_rules : 1, sizeof *l->builtin_meta);
        if (!l->builtin_meta)
                return hr_conf_loader_free(l);
        return l;
}

HrConfLoader *hr_conf_loader_new(void) {
        HrConfig c;
        if (hr_config_init_default(&c) < 0)
                return NULL;
        return hr_conf_loader_new_over(&c);
}

HrConfLoader *hr_conf_loader_free(HrConfLoader *l) {
        if (!l)
                return NULL;
        for (size_t i = 0; i < l->n_user; i++)
                rule_free_regexes(&l->user[i]);
        free(l->user);
        free(l->user_meta);
        free(l->builtin_meta);
        hr_config_done(&l->cfg);
        hr_conf_errors_done(&l->errors);
        free(l->keys);
        for (size_t i = 0; i < l->n_files; i++)
                free(l->files[i]);
        free(l->files);
        free(l);
        return NULL;
}

size_t hr_conf_loader_n_files(const HrConfLoader *l) {
        return l->n_files;
}

int hr_conf_loader_feed(HrConfLoader *l, const char *name, const char *buf, size_t len) {
        _cleanup_free_ char *scratch = NULL;
        char **files;
        int r;

        files = realloc(l->files, (l->n_files + 1) * sizeof *files);
        if (!files)
                return -ENOMEM;
        l->files = files;
        files[l->n_files] = strdup(name);
        if (!files[l->n_files])
                return -ENOMEM;
        l->name = files[l->n_files++];
        l->sect = NULL;

        scratch = malloc(HR_INI_SCRATCH_SIZE(len));
        if (!scratch)
                return -ENOMEM;
        r = hr_ini_parse(buf, len, scratch, HR_INI_SCRATCH_SIZE(len), on_item, on_syntax_error, l, NULL);
        if (r == -ENOMEM || l->oom)
                return -ENOMEM;
        return 0;
}

#define CONF_FILE_MAX (16u * 1024 * 1024)

/* Reads a whole file. -EISDIR, -EFBIG past CONF_FILE_MAX, -errno. */
static int read_file(const char *path, char **ret, size_t *ret_len) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = 0;
        struct stat st;

        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        for (;;) {
                if (len == cap) {
                        if (cap >= CONF_FILE_MAX)
                                return -EFBIG;
                        cap = cap ? 2 * cap : 4096;
                        char *n = realloc(buf, cap);
                        if (!n)
                                return -ENOMEM;
                        buf = n;
                }
                ssize_t k = read(fd, buf + len, cap - len);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                len += (size_t) k;
        }
        *ret = TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}

int hr_conf_loader_feed_file(HrConfLoader *l, const char *path, bool must_exist) {
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        int r;

        r = read_file(path, &buf, &len);
        if (r == -ENOENT && !must_exist)
                return 0;
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                return loader_add(l, (unsigned) l->n_files, UINT_MAX, "%s: cannot read: %s", path,
                                  r == -EFBIG ? "larger than 16 MiB" : strerror(-r));
        }
        return hr_conf_loader_feed(l, path, buf, len);
}

static int cmp_names(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

int hr_conf_loader_feed_dropins(HrConfLoader *l, const char *dir) {
        DIR *d = opendir(dir);
        char **names = NULL;
        size_t n = 0, cap = 0;
        struct dirent *de;
        int r = 0;

        if (!d) {
                if (errno == ENOENT)
                        return 0;
                return loader_add(l, (unsigned) l->n_files, UINT_MAX, "%s: cannot read: %s", dir, strerror(errno));
        }
        while ((de = readdir(d))) {
                size_t k = strlen(de->d_name);
                if (de->d_name[0] == '.' || k <= 5 || strcmp(de->d_name + k - 5, ".conf") != 0)
                        continue;
                if (n == cap) {
                        cap = cap ? 2 * cap : 16;
                        char **nn = realloc(names, cap * sizeof *nn);
                        if (!nn) {
                                r = -ENOMEM;
                                goto out;
                        }
                        names = nn;
                }
                names[n] = strdup(de->d_name);
                if (!names[n]) {
                        r = -ENOMEM;
                        goto out;
                }
                n++;
        }
        if (n > 0)
                qsort(names, n, sizeof *names, cmp_names);
        for (size_t i = 0; i < n && r >= 0; i++) {
                char path[PATH_MAX];
                int k = snprintf(path, sizeof path, "%s/%s", dir, names[i]);
                if (k < 0 || (size_t) k >= sizeof path)
                        r = loader_add(l, (unsigned) l->n_files, UINT_MAX, "%s/%s: cannot read: path too long", dir,
                                       names[i]);
                else
                        r = hr_conf_loader_feed_file(l, path, /* must_exist= */ false);
        }
out:
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
        (void) closedir(d);
        return r;
}

/* Requires stored(a) < stored(b); reports at whichever of the two was set last. */
static void check_order(HrConfLoader *l, const char *section, const char *ka, const char *kb) {
        const HrConfItem *a = hr_conf_item_find(section, ka), *b = hr_conf_item_find(section, kb);
        if (!a || !b)
                return; /* a typo in the table below: test_cross_checks catches it */
        int64_t va = hr_conf_item_value(a, &l->cfg), vb = hr_conf_item_value(b, &l->cfg);
        bool inv = a->flags & HR_CONF_INVERT; /* both or neither */
        int64_t sa = inv ? 10000 - va : va, sb = inv ? 10000 - vb : vb;
        char ta[32], tb[32];

        if (sa < sb)
                return;
        Where wa = l->where[a - hr_conf_items], wb = l->where[b - hr_conf_items];
        bool b_last = wb.file > wa.file || (wb.file == wa.file && wb.line >= wa.line);
        Where w = b_last ? wb : wa;
        if (w.file == 0)
                return; /* the defaults are consistent; the tests say so */
        (void) hr_conf_format_raw(a, va, ta, sizeof ta);
        (void) hr_conf_format_raw(b, vb, tb, sizeof tb);
        const char *name = l->files[w.file - 1];
        if (b_last)
                (void) loader_add(l, w.file, w.line, "%s:%u: %s=%s: must be %s %s=%s", name, w.line, kb, tb,
                                  inv ? "below" : "above", ka, ta);
        else
                (void) loader_add(l, w.file, w.line, "%s:%u: %s=%s: must be %s %s=%s", name, w.line, ka, ta,
                                  inv ? "above" : "below", kb, tb);
}

static void check_rule(HrConfLoader *l, const HrRule *r, const RuleMeta *m) {
        if (r->builtin || m->bad_matcher || r->comm_globs || r->cmdline_words || r->exe_tails)
                return;
        for (unsigned f = 0; f < _HR_MATCH_MAX; f++)
                if (r->has[f])
                        return;
        (void) loader_add(l, m->file, r->line,
                          "%s:%u: [%s %s] has no matcher: set at least one of Comm=, Cmdline=, Exe=, Cgroup=, User=",
                          r->file, r->line, r->protect ? "Protect" : "Rule", r->name);
}

int hr_conf_loader_finish(HrConfLoader *l, HrConfig *ret, HrConfErrors *ret_errors) {
        static const char *const ramps[][2] = {
                { "PsiSomeStart", "PsiSomeFull" }, { "PsiFullStart", "PsiFullFull" },
                { "SwapFillStart", "SwapFillFull" }, { "SwapIoStart", "SwapIoFull" },
                { "RefaultStart", "RefaultFull" }, { "MemAvailableStart", "MemAvailableFull" },
                { "Hysteresis", "ElevatedScore" }, { "ElevatedScore", "HighScore" },
                { "HighScore", "CriticalScore" },   { "CriticalScore", "EmergencyScore" },
        };
        HrActionConfig *a = &l->cfg.actions;
        int r = 0;

        /* GraceSec= covers HIGH and the levels below it (which do not terminate today). */
        a->terminate_grace_usec[HR_LEVEL_NORMAL] = a->terminate_grace_usec[HR_LEVEL_HIGH];
        a->terminate_grace_usec[HR_LEVEL_ELEVATED] = a->terminate_grace_usec[HR_LEVEL_HIGH];

        for (size_t i = 0; i < ELEMENTSOF(ramps); i++)
                check_order(l, "Pressure", ramps[i][0], ramps[i][1]);
        for (size_t i = 0; i < l->n_user; i++)
                check_rule(l, &l->user[i], &l->user_meta[i]);
        for (size_t i = 0; i < l->cfg.n_rules; i++)
                check_rule(l, &l->cfg.rules[i], &l->builtin_meta[i]);
        if (!l->oom && sort_errors(l) < 0)
                l->oom = -ENOMEM;
        if (l->errors.dropped > 0) {
                l->errors.n--; /* make room: the last line gives way to the count */
                free(l->errors.lines[l->errors.n]);
                l->errors.dropped++;
                if (errors_addf(&l->errors, "(%zu more errors not shown)", l->errors.dropped) < 0)
                        l->oom = -ENOMEM;
        }

        if (l->oom)
                r = -ENOMEM;
        else if (l->errors.n > 0)
                r = -EINVAL;
        else {
                size_t n = l->n_user + l->cfg.n_rules;
                HrRule *rules = n > 0 ? malloc(n * sizeof *rules) : NULL;
                if (n > 0 && !rules)
                        r = -ENOMEM;
                else {
                        if (l->n_user > 0)
                                memcpy(rules, l->user, l->n_user * sizeof *rules);
                        if (l->cfg.n_rules > 0)
                                memcpy(rules + l->n_user, l->cfg.rules, l->cfg.n_rules * sizeof *rules);
                        free(l->user);
                        free(l->cfg.rules);
                        l->user = NULL;
                        l->n_user = 0;
                        *ret = l->cfg;
                        ret->rules = rules;
                        ret->n_rules = n;
                        l->cfg = (HrConfig) {};
                }
        }
        if (ret_errors) {
                *ret_errors = l->errors;
                l->errors = (HrConfErrors) {};
        }
        return r;
}

int hr_conf_load(const HrConfPaths *p, HrConfig *ret, HrConfErrors *ret_errors, size_t *ret_n_files) {
        HrConfLoader *l = hr_conf_loader_new();
        char path[PATH_MAX];
        int r = 0;

        if (ret_errors)
                *ret_errors = (HrConfErrors) {};
        if (!l)
                return -ENOMEM;

        const char *dirs[2] = { p->config_file ? NULL : p->system_dir, p->user_dir };
        if (p->config_file)
                r = hr_conf_loader_feed_file(l, p->config_file, /* must_exist= */ true);
        for (size_t i = 0; i < ELEMENTSOF(dirs) && r >= 0; i++) {
                if (!dirs[i])
                        continue;
                int k = snprintf(path, sizeof path, "%s/headroom.conf", dirs[i]);
                if (k < 0 || (size_t) k >= sizeof path - 2) {
                        r = loader_add(l, (unsigned) l->n_files, UINT_MAX, "%s: cannot read: path too long", dirs[i]);
                        continue;
                }
                r = hr_conf_loader_feed_file(l, path, /* must_exist= */ false);
                if (r < 0)
                        break;
                strcat(path, ".d");
                r = hr_conf_loader_feed_dropins(l, path);
        }
        if (ret_n_files)
                *ret_n_files = l->n_files;
        if (r >= 0)
                r = hr_conf_loader_finish(l, ret, ret_errors);
        hr_conf_loader_free(l);
        return r;
}

int hr_conf_paths_init(HrConfPaths *p, bool user_mode, const char *config_file) {
        const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
        int n;

        *p = (HrConfPaths) { .system_dir = HR_CONF_SYSTEM_DIR, .config_file = config_file };
        if (!user_mode)
                return 0;
        /* The XDG base directory spec: a relative XDG_CONFIG_HOME is invalid and ignored. */
        if (xdg && xdg[0] == '/')
                n = snprintf(p->user_dir_buf, sizeof p->user_dir_buf, "%s/headroom", xdg);
        else if (home && home[0] == '/')
                n = snprintf(p->user_dir_buf, sizeof p->user_dir_buf, "%s/.config/headroom", home);
        else
                return -ENOENT;
        if (n < 0 || (size_t) n >= sizeof p->user_dir_buf)
                return -ENAMETOOLONG;
        p->user_dir = p->user_dir_buf;
        return 0;
}

size_t hr_conf_keep_fixed(const HrConfig *running, HrConfig *fresh, HrConfErrors *notes) {
        size_t n = 0;

        for (size_t i = 0; i < ELEMENTSOF(hr_conf_items); i++) {
                const HrConfItem *it = &hr_conf_items[i];
                char was[HR_CONFIG_PATH_MAX + 8], now[HR_CONFIG_PATH_MAX + 8];

                if (!(it->flags & HR_CONF_FIXED) || (it->flags & HR_CONF_RULE))
                        continue;
                if (memcmp((const char *) running + it->offset, (const char *) fresh + it->offset, it->size) == 0)
                        continue;
                (void) hr_conf_format_value(it, running, was, sizeof was);
                (void) hr_conf_format_value(it, fresh, now, sizeof now);
                memcpy((char *) fresh + it->offset, (const char *) running + it->offset, it->size);
                if (notes)
                        (void) errors_addf(notes, "[%s] %s=%s: cannot change on reload, keeping %s until restart",
                                           it->section, it->key, now, was);
                n++;
        }
        return n;
}
