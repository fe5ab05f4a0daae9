/* SPDX-License-Identifier: MIT */
/* Built-in configuration: defaults with the reason for each number, the built-in priority rules for the
 * common desktop and server, rule storage, and the HrMatchField / HrTier string tables. Pure. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/config.h"

/* A built-in rule: a list of comm names (fnmatch patterns, matched whole), or words of the command line, or
 * the tail of the executable's path (see HrWordMatch and HrRule.exe_tails), a priority (-1: leave it to the
 * default) and flags. comm is at most 15 bytes (TASK_COMM_LEN - 1): a longer program name appears truncated,
 * so names are given in the truncated form ("gnome-terminal-" for gnome-terminal-server). No regex: the
 * built-ins are matched without allocating, and without glibc's regex automata in the daemon's heap. */
typedef struct BuiltinRule {
        const char *name;
        const char *const *comm;
        const HrWordMatch *words;
        const char *const *exe_tails;
        int32_t priority;
        bool never_kill;
        bool build;
        bool kill_group;
} BuiltinRule;

#define LIST(...) ((const char *const[]) { __VA_ARGS__, NULL })
#define NAMES(...) .comm = LIST(__VA_ARGS__)
/* some word of the command line is one of these */
#define ARG(...) .words = &(const HrWordMatch) { .args = LIST(__VA_ARGS__) }
/* program `prog` (a word's last path component) with one of these words after it (`next`: right after it) */
#define PROG_ARG(prog_list, is_next, ...) \
        .words = &(const HrWordMatch) { .progs = prog_list, .args = LIST(__VA_ARGS__), .next = is_next }
/* the executable's path ends with one of these (from a '/'; '*' and '?' do not cross one) */
#define EXE_TAIL(...) .exe_tails = LIST(__VA_ARGS__)

/* Order matters where rules overlap: the first matching rule that sets a priority gives it. Critical
 * first, then protected (so VS Code's own "--type=renderer" processes stay with the editor), then the
 * browser renderers before the browser rule (a Chrome renderer also has comm "chrome"). */
static const BuiltinRule builtin_rules[] = {
        /* Critical (0-19): losing one of these loses the session, the machine or the way in. */
        { "init-and-systemd", NAMES("systemd", "systemd-?*", "(sd-pam)", "init", "udevd", "elogind", "seatd",
                                    "polkitd"), .priority = 5 },
        { "sshd", NAMES("sshd", "sshd-session"), .priority = 5 },
        { "display-server",
          NAMES("Xorg", "Xwayland", "X", "gnome-shell", "mutter", "kwin_wayland", "kwin_wayland_wr",
                "kwin_x11", "kwin", "sway", "Hyprland", "weston", "labwc", "wayfire", "river", "niri", "cage",
                "cosmic-comp", "gamescope", "xfwm4", "marco", "muffin", "openbox", "i3", "picom"),
          .priority = 10 },
        { "audio", NAMES("pipewire", "pipewire-pulse", "pipewire-media-", "wireplumber", "pulseaudio", "jackd",
                         "jackdbus"), .priority = 10 },
        { "session",
          NAMES("gdm", "gdm3", "gdm-session-wor", "gdm-wayland-ses", "gdm-x-session", "sddm", "sddm-helper",
                "lightdm", "gnome-session", "gnome-session-b", "gnome-session-c", "gnome-session-s",
                "ksmserver", "plasmashell", "xfce4-session", "lxsession", "lxqt-session", "mate-session",
                "cinnamon-sessio", "dbus-daemon", "dbus-broker", "dbus-broker-lau"),
          .priority = 10 },

        /* Protected (20-49): where the user's unsaved work and attention are. */
        { "terminals",
          NAMES("gnome-terminal-", "gnome-terminal", "konsole", "kitty", "alacritty", "foot", "footclient",
                "wezterm", "wezterm-gui", "xterm", "uxterm", "urxvt", "rxvt", "st", "terminator", "tilix",
                "xfce4-terminal", "lxterminal", "mate-terminal", "qterminal", "ptyxis", "kgx", "ghostty",
                "tmux", "tmux: server", "screen", "SCREEN", "zellij"),
          .priority = 30 },
        { "editors-and-ides",
          NAMES("code", "code-oss", "codium", "vscodium", "cursor", "emacs", "emacs-[0-9.]*", "vim",
                "vim.basic", "vim.gtk3", "nvim", "gvim", "vi", "nano", "kate", "kwrite", "gedit",
                "gnome-text-edit", "mousepad", "geany", "sublime_text", "zed", "zed-editor", "helix", "hx",
                "kak", "idea", "pycharm", "clion", "goland", "webstorm", "phpstorm", "rider", "rubymine",
                "rustrover", "datagrip"),
          .priority = 30 },
        { "jetbrains", ARG("*[Jj]et[Bb]rains*", "*com.intellij.idea.Main*"), .priority = 30 },

        /* Expendable heavy (80-100): the browser reloads a tab; an Electron app restarts a helper. */
        { "browser-renderer", ARG("--type=renderer"), .priority = 85 },
        { "firefox-content", ARG("-contentproc"), .priority = 85 },
        { "firefox-content-comm", NAMES("Web Content", "Isolated Web Co", "Isolated Servic", "WebExtensions"), .priority = 85 },

        /* The browser process itself (and Chrome's GPU and utility helpers, which share its name and are
         * restarted by it) is the user's main window: protected. */
        { "browser",
          NAMES("chrome", "chromium", "chromium-browse", "firefox", "firefox-esr", "firefox-bin", "GeckoMain",
                "librewolf", "brave", "msedge", "vivaldi-bin", "opera", "epiphany", "falkon"),
          .priority = 40 },
        /* Helpers of Electron apps (browsers' own are caught by the rule above). */
        { "electron-helper", ARG("--type=gpu-process", "--type=utility"), .priority = 85 },

        /* Expendable background (60-79): work that can wait for a calmer minute. */
        { "indexers",
          NAMES("tracker-miner-*", "tracker-extract*", "tracker3", "baloo_file", "baloo_file_extr",
                "baloorunner", "localsearch*", "updatedb*", "plocate-build", "mandb", "zeitgeist-daemo",
                "zeitgeist-fts"),
          .priority = 70 },
        { "updaters",
          NAMES("packagekitd", "gnome-software", "unattended-upgr", "update-notifier", "apt-check",
                "update-manager", "plasma-discove", "flatpak", "flatpak-system-", "aptd"),
          .priority = 70 },
        /* Package managers and firmware updates: freezing them only delays them, but a termination in the
         * middle of a transaction (or a firmware flash) can leave a broken system: never killed. */
        { "package-managers", NAMES("apt", "apt-get", "aptitude", "dpkg", "dnf", "yum", "zypper", "rpm",
                                    "pacman", "fwupd", "fwupdmgr"), .priority = 70,
          .never_kill = true },

        /* Build workloads: normal priority, recognised for spike handling (make room before the next peak
         * of an oscillating build instead of killing it). */
        { "compilers",
          NAMES("cc1", "cc1plus", "cc1obj", "f951", "lto1", "lto-wrapper", "collect2", "as", "gcc", "g++",
                "cc", "c++", "clang", "clang++", "clang-[0-9]*", "clang++-[0-9]*", "rustc", "javac", "kotlinc",
                "ghc", "swift-frontend"),
          .priority = -1, .build = true },
        { "linkers", NAMES("ld", "ld.bfd", "ld.lld", "ld.gold", "lld", "mold", "ld64.lld"), .priority = -1, .build = true },
        { "go-build", EXE_TAIL("/pkg/tool/?*/compile", "/pkg/tool/?*/link", "/pkg/tool/?*/asm", "/pkg/tool/?*/cgo"), .priority = -1, .build = true },
        { "go-build-cmd", PROG_ARG(LIST("go"), true, "build", "test", "install"), .priority = -1, .build = true },
        /* A build driver's compilers are in its process group: they go with it (a session leader never does). */
        { "build-drivers", NAMES("make", "gmake", "ninja", "samu", "cargo", "bazel", "buck2", "msbuild"), .priority = -1,
          .build = true, .kill_group = true },
        { "container-builds", NAMES("buildkitd", "buildkit-runc", "buildah"), .priority = -1, .build = true },
        { "container-build-cmd", PROG_ARG(LIST("podman", "docker"), false, "build", "buildx"), .priority = -1, .build = true },
};

static const char *const match_field_table[_HR_MATCH_MAX] = {
        [HR_MATCH_COMM] = "comm",
        [HR_MATCH_CMDLINE] = "cmdline",
        [HR_MATCH_EXE] = "exe",
        [HR_MATCH_CGROUP] = "cgroup",
        [HR_MATCH_USER] = "user",
};

static const char *const tier_table[_HR_TIER_MAX] = {
        [HR_TIER_CRITICAL] = "critical",
        [HR_TIER_PROTECTED] = "protected",
        [HR_TIER_NORMAL] = "normal",
        [HR_TIER_BACKGROUND] = "background",
        [HR_TIER_HEAVY] = "heavy",
};

const char *hr_match_field_to_string(HrMatchField f) {
        return (unsigned) f < _HR_MATCH_MAX ? match_field_table[f] : NULL;
}

HrMatchField hr_match_field_from_string(const char *s) {
        for (unsigned i = 0; s && i < _HR_MATCH_MAX; i++)
                if (strcmp(s, match_field_table[i]) == 0)
                        return (HrMatchField) i;
        return _HR_MATCH_INVALID;
}

const char *hr_tier_to_string(HrTier t) {
        return (unsigned) t < _HR_TIER_MAX ? tier_table[t] : NULL;
}

static void rule_done(HrRule *r) {
        for (unsigned f = 0; f < _HR_MATCH_MAX; f++)
                if (r->has[f]) {
                        regfree(&r->re[f]);
                        r->has[f] = false;
                }
}

int hr_config_add_rule(HrConfig *c, const HrRule *r) {
        HrRule *n = realloc(c->rules, (c->n_rules + 1) * sizeof *n);
        if (!n)
                return -ENOMEM;
        c->rules = n;
        c->rules[c->n_rules++] = *r; /* regex_t moves by value: the caller must not regfree its copy */
        return 0;
}

static int add_builtin(HrConfig *c, const BuiltinRule *b) {
        HrRule r = {
                .priority = b->priority,
                .checkpoint = HR_CHECKPOINT_NO,
                .never_kill = b->never_kill,
                .build = b->build,
                .kill_group = b->kill_group,
                .builtin = true,
                .comm_globs = b->comm,
                .cmdline_words = b->words,
                .exe_tails = b->exe_tails,
        };

        (void) snprintf(r.name, sizeof r.name, "%s", b->name);
        return hr_config_add_rule(c, &r);
}

int hr_config_init_default(HrConfig *c) {
        int r;

        *c = (HrConfig) {
                .pressure = hr_pressure_config_default,
                .level = hr_level_config_default,
                .cgroups = hr_cgrelief_config_default,
                /* A fragmented zsmalloc pool holds RAM for nothing; a pass costs milliseconds, once per episode. */
                .zram_compact = true,
                /* Only with a tenth of RAM in clean cache while anon pages refault at 1000/s, once per 10 min. */
                .drop_caches = true,
                /* A hibernate image costs a minute and a reboot-like resume: only when asked for, and only after
                 * EMERGENCY has held long enough that nothing headroom ended has brought the machine back. */
                .hibernate = false,
                .hibernate_after_usec = 30 * USEC_PER_SEC,
                /* Wake on 5% "some" or 2.5% "full" stall within 1 s: well under the psi_some ramp start and
                 * at the psi_full one, so the loop is awake before the score moves (unprivileged kernels
                 * widen the window to 2 s). */
                .trigger_some_permyriad = 500,
                .trigger_full_permyriad = 250,
                .trigger_window_usec = USEC_PER_SEC,
                .actions = {
                        /* Freezing is reversible and costs the user nothing while pressure lasts. */
                        .freeze_enabled = true,
                        /* Enough to stop a storm of new tabs within a second of ELEVATED ticks, few enough
                         * that one misjudged tick does not stop half the desktop. */
                        .freeze_max_per_tick = 4,
                        /* A frozen process's pages are the coldest there are: out to (zram) swap at HIGH, before
                         * the kernel's reclaim takes the working sets of the running ones instead. */
                        .page_out_enabled = true,
                        /* A paused compiler costs seconds; a killed one costs the build. */
                        .pause_builds_enabled = true,
                        /* Recovery in small batches: what a thaw faults back in must not re-create the
                         * pressure that froze it. */
                        .thaw_max_per_tick = 2,
                        /* MemAvailable must exceed what a batch brings back by 256 MiB: room for the page
                         * cache the thawed processes fault in as they resume. */
                        .thaw_margin_kib = 256 * 1024,
                        /* Two seconds between batches: one avg10 update (every 2 s) to show the effect. */
                        .thaw_min_interval_usec = 2 * USEC_PER_SEC,
                        .terminate_enabled = true,
                        .terminate_grace_usec = {
                                /* At HIGH the machine still works: ten seconds to save state and exit. */
                                [HR_LEVEL_NORMAL] = 10 * USEC_PER_SEC,
                                [HR_LEVEL_ELEVATED] = 10 * USEC_PER_SEC,
                                [HR_LEVEL_HIGH] = 10 * USEC_PER_SEC,
                                /* At CRITICAL it is close to stalling: three seconds to flush, then SIGKILL. */
                                [HR_LEVEL_CRITICAL] = 3 * USEC_PER_SEC,
                                /* At EMERGENCY there is no time: SIGKILL at once. */
                                [HR_LEVEL_EMERGENCY] = 0,
                        },
                        /* Smoothed (EWMA) growth of 4 MiB/s held over scans: idle applications do not grow
                         * at all and busy ones plateau, while a leak at that rate takes 14 GiB an hour. Under
                         * pressure the fastest such grower is the one making it. */
                        .runaway_growth_kib_per_sec = 4 * 1024,
                        .kill_enabled = true,
                        /* Half the avg10 window: long enough for the freed memory to show in the stall rate
                         * and for avg10 to fall by ~40%, short enough not to leave a second runaway alone. */
                        .kill_cooldown_usec = 5 * USEC_PER_SEC,
                        /* Three seconds between the warning and SIGTERM, only when someone hears it (a hook,
                         * a subscriber): enough to drop caches or close tabs, short of a stall at CRITICAL. */
                        .warn_usec = 3 * USEC_PER_SEC,
                        /* Opt-in: CRIU needs root, the criu binary and applications that restore cleanly. */
                        .checkpoint_enabled = false,
                        /* On disk: an image on a tmpfs under /run would free no memory at all. */
                        .checkpoint_dir = "/var/lib/headroom/checkpoints",
                        /* A dump writes the process's memory to disk: about 1 GiB in a few seconds on an
                         * SSD; thirty seconds covers a large one on a slow disk under pressure. */
                        .checkpoint_timeout_usec = 30 * USEC_PER_SEC,
                        /* Opt-in: a desktop that pauses a browser tab may not want to say so every time. */
                        .notify_desktop = false,
                        .notify_command = "/usr/bin/notify-send",
                },
                /* design.md: 50-59 is "normal", anything unrecognised. */
                .default_priority = 50,
                /* design.md: the foreground application moves a tier and a half towards protected. */
                .foreground_adjust = -25,
        };

        for (size_t i = 0; i < ELEMENTSOF(builtin_rules); i++) {
                r = add_builtin(c, &builtin_rules[i]);
                if (r < 0) {
                        hr_config_done(c);
                        return r;
                }
        }
        return 0;
}

void hr_config_done(HrConfig *c) {
        for (size_t i = 0; i < c->n_rules; i++)
                rule_done(&c->rules[i]);
        free(c->rules);
        *c = (HrConfig) {};
}
