/* SPDX-License-Identifier: MIT */
/* Tests of the configuration: defaults and built-in rules (core/config.c), the key table and value parsers,
 * rule overrides, load order over temp dirs standing in for /etc/headroom and XDG (daemon/config.c). */
#include <fnmatch.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/classify.h"
#include "core/config.h"
#include "daemon/config.h"
#include "../builtin-regex.h"

/* snprintf() into an array, failing the test on truncation. */
#define XSNPRINTF(buf, ...) assert_true((size_t) snprintf((buf), sizeof(buf), __VA_ARGS__) < sizeof(buf))

/* ---- helpers ---- */

static HrConfig cfg_default(void) {
        HrConfig c;
        assert_int_equal(hr_config_init_default(&c), 0);
        return c;
}

/* Loads one in-memory file over the defaults. Returns the loader's result; errors in *errors. */
static int load_text(const char *text, HrConfig *ret, HrConfErrors *errors) {
        HrConfLoader *l = hr_conf_loader_new();
        assert_non_null(l);
        assert_int_equal(hr_conf_loader_feed(l, "t.conf", text, strlen(text)), 0);
        int r = hr_conf_loader_finish(l, ret, errors);
        hr_conf_loader_free(l);
        return r;
}

/* The error lines joined by '\n'. */
static const char *joined(const HrConfErrors *e) {
        static char buf[16384];
        size_t n = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < e->n; i++) {
                int k = snprintf(buf + n, sizeof buf - n, "%s\n", e->lines[i]);
                assert_true(k >= 0 && (size_t) k < sizeof buf - n);
                n += (size_t) k;
        }
        return buf;
}

static const HrRule *rule_named(const HrConfig *c, const char *name) {
        for (size_t i = 0; i < c->n_rules; i++)
                if (strcmp(c->rules[i].name, name) == 0)
                        return &c->rules[i];
        return NULL;
}

static ssize_t rule_index(const HrConfig *c, const char *name) {
        const HrRule *r = rule_named(c, name);
        return r ? r - c->rules : -1;
}

typedef struct Fake {
        const char *comm, *cmdline, *exe, *cgroup, *user;
} Fake;

/* Every matcher of r must match, over the fields given directly (the table-based hr_rule_matches() is
 * checked against this in test_builtin_cases). */
static bool matches(const HrRule *r, const Fake *p) {
        const char *field[_HR_MATCH_MAX] = {
                [HR_MATCH_COMM] = p->comm ? p->comm : "",
                [HR_MATCH_CMDLINE] = p->cmdline ? p->cmdline : "",
                [HR_MATCH_EXE] = p->exe ? p->exe : "",
                [HR_MATCH_CGROUP] = p->cgroup ? p->cgroup : "/user.slice/user-1000.slice/session-2.scope",
                [HR_MATCH_USER] = p->user ? p->user : "alice",
        };
        return hr_rule_matches_subjects(r, field);
}

/* The first matching rule that sets a priority (NULL: the default applies); *flags_build gets the OR of
 * Build= over every matching rule, *never_kill likewise. */
static const HrRule *classify(const HrConfig *c, const Fake *p, bool *build, bool *never_kill) {
        const HrRule *first = NULL;
        *build = *never_kill = false;
        for (size_t i = 0; i < c->n_rules; i++) {
                const HrRule *r = &c->rules[i];
                if (!matches(r, p))
                        continue;
                *build |= r->build;
                *never_kill |= r->never_kill;
                if (!first && r->priority >= 0)
                        first = r;
        }
        return first;
}

/* ---- core/config.c ---- */

static void test_defaults(void **state) {
        HrConfig c = cfg_default();
        (void) state;

        assert_memory_equal(&c.pressure, &hr_pressure_config_default, sizeof c.pressure);
        assert_memory_equal(&c.level, &hr_level_config_default, sizeof c.level);
        assert_int_equal(c.trigger_some_permyriad, 500);
        assert_int_equal(c.trigger_full_permyriad, 250);
        assert_int_equal(c.trigger_window_usec, USEC_PER_SEC);
        assert_int_equal(c.default_priority, 50);
        assert_int_equal(c.foreground_adjust, -25);
        assert_true(c.actions.freeze_enabled);
        assert_false(c.actions.checkpoint_enabled);
        assert_int_equal(c.actions.terminate_grace_usec[HR_LEVEL_EMERGENCY], 0);
        assert_true(c.actions.terminate_grace_usec[HR_LEVEL_CRITICAL] < c.actions.terminate_grace_usec[HR_LEVEL_HIGH]);
        assert_true(c.n_rules >= 20);

        for (size_t i = 0; i < c.n_rules; i++) {
                const HrRule *r = &c.rules[i];
                bool any = (r->comm_globs && r->comm_globs[0]) || r->cmdline_words || r->exe_tails;
                for (unsigned f = 0; f < _HR_MATCH_MAX; f++)
                        any |= r->has[f];
                if (!any)
                        fail_msg("built-in rule %s has no matcher", r->name);
                assert_true(r->builtin);
                assert_false(r->protect);
                assert_true(r->priority == -1 || (r->priority >= 0 && r->priority <= 100));
                if (r->priority == -1 && !r->build)
                        fail_msg("built-in rule %s sets nothing", r->name);
                for (size_t j = 0; j < i; j++)
                        if (strcmp(c.rules[j].name, r->name) == 0)
                                fail_msg("built-in rule name %s twice", r->name);
        }
        hr_config_done(&c);
        assert_null(c.rules);
        assert_int_equal(c.n_rules, 0);
        hr_config_done(&c); /* safe on a zeroed config */
}

static void test_string_tables(void **state) {
        (void) state;
        for (int f = 0; f < _HR_MATCH_MAX; f++) {
                assert_non_null(hr_match_field_to_string((HrMatchField) f));
                assert_int_equal(hr_match_field_from_string(hr_match_field_to_string((HrMatchField) f)), f);
        }
        assert_null(hr_match_field_to_string(_HR_MATCH_MAX));
        assert_null(hr_match_field_to_string(_HR_MATCH_INVALID));
        assert_int_equal(hr_match_field_from_string("nope"), _HR_MATCH_INVALID);
        assert_int_equal(hr_match_field_from_string(NULL), _HR_MATCH_INVALID);
        for (int t = 0; t < _HR_TIER_MAX; t++)
                assert_non_null(hr_tier_to_string((HrTier) t));
        assert_null(hr_tier_to_string(_HR_TIER_MAX));
        assert_string_equal(hr_tier_to_string(hr_tier_of(5)), "critical");
        assert_string_equal(hr_tier_to_string(hr_tier_of(30)), "protected");
        assert_string_equal(hr_tier_to_string(hr_tier_of(50)), "normal");
        assert_string_equal(hr_tier_to_string(hr_tier_of(70)), "background");
        assert_string_equal(hr_tier_to_string(hr_tier_of(85)), "heavy");
}

typedef struct MatchCase {
        const char *what;
        Fake p;
        const char *rule;  /* the rule that gives the priority, NULL: none (the default) */
        HrTier tier;
        bool build, never_kill;
} MatchCase;

static const MatchCase match_cases[] = {
        /* critical */
        { "audio server", { "pipewire", "/usr/bin/pipewire" }, "audio", HR_TIER_CRITICAL },
        { "pulse shim", { "pipewire-pulse", "/usr/bin/pipewire-pulse" }, "audio", HR_TIER_CRITICAL },
        { "wireplumber", { "wireplumber" }, "audio", HR_TIER_CRITICAL },
        { "pulseaudio", { "pulseaudio", "/usr/bin/pulseaudio --daemonize=no" }, "audio", HR_TIER_CRITICAL },
        { "gnome-shell", { "gnome-shell", "/usr/bin/gnome-shell" }, "display-server", HR_TIER_CRITICAL },
        { "kwin", { "kwin_wayland", "/usr/bin/kwin_wayland --xwayland" }, "display-server", HR_TIER_CRITICAL },
        { "Hyprland", { "Hyprland" }, "display-server", HR_TIER_CRITICAL },
        { "Xorg", { "Xorg", "/usr/lib/xorg/Xorg vt2 -displayfd 3" }, "display-server", HR_TIER_CRITICAL },
        { "Xwayland", { "Xwayland" }, "display-server", HR_TIER_CRITICAL },
        { "gnome-session-binary, truncated", { "gnome-session-b" }, "session", HR_TIER_CRITICAL },
        { "gdm-session-worker, truncated", { "gdm-session-wor" }, "session", HR_TIER_CRITICAL },
        { "plasmashell", { "plasmashell" }, "session", HR_TIER_CRITICAL },
        { "dbus-broker-launch, truncated", { "dbus-broker-lau" }, "session", HR_TIER_CRITICAL },
        { "sshd", { "sshd", "sshd: alice [priv]" }, "sshd", HR_TIER_CRITICAL },
        { "systemd --user", { "systemd", "/lib/systemd/systemd --user" }, "init-and-systemd", HR_TIER_CRITICAL },
        { "journald, truncated", { "systemd-journal" }, "init-and-systemd", HR_TIER_CRITICAL },
        { "logind", { "systemd-logind" }, "init-and-systemd", HR_TIER_CRITICAL },
        { "oomd", { "systemd-oomd" }, "init-and-systemd", HR_TIER_CRITICAL },
        /* protected */
        { "gnome-terminal-server, truncated", { "gnome-terminal-" }, "terminals", HR_TIER_PROTECTED },
        { "kitty", { "kitty" }, "terminals", HR_TIER_PROTECTED },
        { "tmux server", { "tmux: server", "tmux" }, "terminals", HR_TIER_PROTECTED },
        { "emacs", { "emacs", "emacs --daemon" }, "editors-and-ides", HR_TIER_PROTECTED },
        { "nvim", { "nvim" }, "editors-and-ides", HR_TIER_PROTECTED },
        { "VS Code main", { "code", "/usr/share/code/code" }, "editors-and-ides", HR_TIER_PROTECTED },
        { "VS Code's own renderer stays with the editor", { "code", "/usr/share/code/code --type=renderer" },
          "editors-and-ides", HR_TIER_PROTECTED },
        { "IntelliJ under java", { "java", "/opt/jetbrains/idea/jbr/bin/java -cp x com.intellij.idea.Main" },
          "jetbrains", HR_TIER_PROTECTED },
        { "chrome browser process", { "chrome", "/opt/google/chrome/chrome" }, "browser", HR_TIER_PROTECTED },
        { "chrome GPU process stays with the browser", { "chrome", "/opt/google/chrome/chrome --type=gpu-process" },
          "browser", HR_TIER_PROTECTED },
        { "firefox parent", { "firefox-esr", "/usr/lib/firefox-esr/firefox-esr" }, "browser", HR_TIER_PROTECTED },
        /* expendable heavy */
        { "chrome renderer", { "chrome", "/opt/google/chrome/chrome --type=renderer --lang=en-US --renderer-client-id=7" },
          "browser-renderer", HR_TIER_HEAVY },
        { "chromium renderer", { "chromium", "/usr/lib/chromium/chromium --type=renderer --enable-crash-reporter" },
          "browser-renderer", HR_TIER_HEAVY },
        { "firefox content process",
          { "Isolated Web Co", "/usr/lib/firefox-esr/firefox-esr -contentproc -childID 3 -isForBrowser 12 tab" },
          "firefox-content", HR_TIER_HEAVY },
        { "firefox content by comm", { "Web Content", "" }, "firefox-content-comm", HR_TIER_HEAVY },
        { "electron renderer", { "slack", "/usr/lib/slack/slack --type=renderer --enable-sandbox" }, "browser-renderer",
          HR_TIER_HEAVY },
        { "electron GPU helper", { "discord", "/opt/discord/Discord --type=gpu-process --field-trial-handle=1" },
          "electron-helper", HR_TIER_HEAVY },
        { "electron utility helper", { "signal-desktop", "/opt/Signal/signal-desktop --type=utility" },
          "electron-helper", HR_TIER_HEAVY },
        /* expendable background */
        { "tracker miner, truncated", { "tracker-miner-f" }, "indexers", HR_TIER_BACKGROUND },
        { "baloo", { "baloo_file" }, "indexers", HR_TIER_BACKGROUND },
        { "localsearch", { "localsearch-3" }, "indexers", HR_TIER_BACKGROUND },
        { "updatedb.plocate, truncated", { "updatedb.plocat" }, "indexers", HR_TIER_BACKGROUND },
        { "packagekitd", { "packagekitd" }, "updaters", HR_TIER_BACKGROUND },
        { "unattended-upgrade, truncated", { "unattended-upgr" }, "updaters", HR_TIER_BACKGROUND },
        { "gnome-software", { "gnome-software" }, "updaters", HR_TIER_BACKGROUND },
        { "apt is never killed", { "apt", "apt full-upgrade" }, "package-managers", HR_TIER_BACKGROUND,
          .never_kill = true },
        { "fwupd is never killed", { "fwupd" }, "package-managers", HR_TIER_BACKGROUND, .never_kill = true },
        /* builds: flagged, normal priority */
        { "cc1plus", { "cc1plus" }, NULL, HR_TIER_NORMAL, .build = true },
        { "clang", { "clang-14" }, NULL, HR_TIER_NORMAL, .build = true },
        { "rustc", { "rustc" }, NULL, HR_TIER_NORMAL, .build = true },
        { "ld.lld", { "ld.lld" }, NULL, HR_TIER_NORMAL, .build = true },
        { "ld.gold", { "ld.gold" }, NULL, HR_TIER_NORMAL, .build = true },
        { "mold", { "mold" }, NULL, HR_TIER_NORMAL, .build = true },
        { "go compile", { "compile", "/usr/lib/go-1.19/pkg/tool/linux_amd64/compile -o x", "/usr/lib/go-1.19/pkg/tool/linux_amd64/compile" },
          NULL, HR_TIER_NORMAL, .build = true },
        { "go build", { "go", "go build ./..." }, NULL, HR_TIER_NORMAL, .build = true },
        { "javac", { "javac" }, NULL, HR_TIER_NORMAL, .build = true },
        { "buildkitd", { "buildkitd" }, NULL, HR_TIER_NORMAL, .build = true },
        { "podman build", { "podman", "/usr/bin/podman build -t app ." }, NULL, HR_TIER_NORMAL, .build = true },
        { "docker buildx build", { "docker", "docker --context x buildx build ." }, NULL, HR_TIER_NORMAL, .build = true },
        { "ninja", { "ninja" }, NULL, HR_TIER_NORMAL, .build = true },
        { "make", { "make", "make -j16" }, NULL, HR_TIER_NORMAL, .build = true },
        /* nothing: near misses of anchored names */
        { "bash", { "bash", "-bash" }, NULL, HR_TIER_NORMAL },
        { "pipewire lookalike", { "pipewire-foo" }, NULL, HR_TIER_NORMAL },
        { "ld.so", { "ld-linux-x86-64" }, NULL, HR_TIER_NORMAL },
        { "Xorg lookalike", { "Xorgish" }, NULL, HR_TIER_NORMAL },
        { "renderer as a substring", { "app", "/usr/bin/app --type=rendererx" }, NULL, HR_TIER_NORMAL },
        { "podman run", { "podman", "podman run -it debian" }, NULL, HR_TIER_NORMAL },
        { "sshd lookalike", { "sshd2" }, NULL, HR_TIER_NORMAL },
};

static void test_builtin_rules_match(void **state) {
        HrConfig c = cfg_default();
        (void) state;

        for (size_t i = 0; i < ELEMENTSOF(match_cases); i++) {
                const MatchCase *m = &match_cases[i];
                bool build, never_kill;
                assert_true(strlen(m->p.comm) <= 15); /* a real comm */
                const HrRule *r = classify(&c, &m->p, &build, &never_kill);
                int32_t prio = r ? r->priority : c.default_priority;
                if ((r == NULL) != (m->rule == NULL) || (r && strcmp(r->name, m->rule) != 0))
                        fail_msg("case \"%s\": rule %s, want %s", m->what, r ? r->name : "(none)",
                                 m->rule ? m->rule : "(none)");
                if (hr_tier_of(prio) != m->tier)
                        fail_msg("case \"%s\": tier %s (priority %d), want %s", m->what, hr_tier_to_string(hr_tier_of(prio)),
                                 prio, hr_tier_to_string(m->tier));
                if (build != m->build || never_kill != m->never_kill)
                        fail_msg("case \"%s\": build=%d never_kill=%d, want %d %d", m->what, build, never_kill, m->build,
                                 m->never_kill);

                /* The same through core/classify.c on a one-process table. */
                char arena[8192];
                size_t used = 1;
                arena[0] = '\0';
                uint32_t off[4];
                const char *strs[4] = { m->p.cmdline, m->p.exe, "/user.slice/user-1000.slice/session-2.scope", "alice" };
                for (int k = 0; k < 4; k++) {
                        size_t n = strs[k] ? strlen(strs[k]) : 0;
                        assert_true(used + n + 1 <= sizeof arena);
                        off[k] = n ? (uint32_t) used : 0;
                        if (n) {
                                memcpy(arena + used, strs[k], n + 1);
                                used += n + 1;
                        }
                }
                HrProc proc = { .pid = 4242, .ppid = 1000, .state = 'S', .cmdline_off = off[0], .exe_off = off[1],
                                .cgroup_off = off[2], .user_off = off[3], .rule = -1 };
                snprintf(proc.comm, sizeof proc.comm, "%s", m->p.comm);
                HrProcTable t = { .procs = &proc, .n = 1, .cap = 1, .arena = arena, .arena_used = used,
                                  .arena_cap = sizeof arena };
                HrClassifyInput in = { .self_pid = 99 };
                hr_classify(&c, &in, &t);
                const char *got = proc.rule >= 0 ? c.rules[proc.rule].name : NULL;
                if ((got == NULL) != (m->rule == NULL) || (got && strcmp(got, m->rule) != 0) ||
                    hr_tier_of(proc.priority) != m->tier || !!(proc.flags & HR_PROC_BUILD) != m->build ||
                    !!(proc.flags & HR_PROC_NEVER_KILL) != m->never_kill)
                        fail_msg("case \"%s\" via hr_classify: rule %s, priority %d, flags 0x%x", m->what,
                                 got ? got : "(none)", proc.priority, proc.flags);
                for (size_t k = 0; k < c.n_rules; k++)
                        assert_int_equal(hr_rule_matches(&c.rules[k], &t, &proc), matches(&c.rules[k], &m->p));
        }
        hr_config_done(&c);
}

/* The built-ins' word and path-tail matchers decide exactly as the regexes they replaced (tests/builtin-regex.h,
 * which also says where the reference differs on purpose): every command line and executable path built from a
 * vocabulary of near misses gets the same answer from both. */
static void test_builtin_words_as_regex(void **state) {
        static const char *const words[] = {
                "--type=renderer", "--type=rendererx", "x--type=renderer", "--type=gpu-process", "--type=utility",
                "--type=utilityx", "-contentproc", "--contentproc", "/opt/JetBrains/idea", "jetbrains", "JETBRAINS",
                "com.intellij.idea.Main", "comXintellij.idea.Main", "go", "/usr/bin/go", "cargo", "ago", "go/",
                "build", "buildx", "builds", "test", "install", "docker", "/usr/bin/podman", "podmanx", "-t",
                "img", "=", "",
        };
        static const char *const exes[] = {
                "/usr/lib/go/pkg/tool/linux_amd64/compile", "/pkg/tool/x/link", "/pkg/tool//compile",
                "/pkg/tool/a/b/compile", "/x/pkg/tool/y/asm", "/x/pkg/tool/y/cgo2", "pkg/tool/y/cgo",
                "/x/apkg/tool/y/asm", "/pkg/tool/y/asm/", "/usr/bin/compile", "",
        };
        HrConfig c = cfg_default();
        unsigned seed = 1;
        (void) state;

        for (size_t i = 0; i < ELEMENTSOF(builtin_regex); i++) {
                const HrRule *r = rule_named(&c, builtin_regex[i].rule);
                regex_t re;
                assert_non_null(r);
                assert_int_equal(regcomp(&re, builtin_regex[i].regex, REG_EXTENDED | REG_NOSUB), 0);
                for (unsigned n = 0; n < 20000; n++) {
                        char s[512] = "";
                        const char *field[_HR_MATCH_MAX] = { "x", "", "", "/", "alice" };
                        if (builtin_regex[i].field == HR_MATCH_EXE) {
                                seed = seed * 1103515245u + 12345u;
                                snprintf(s, sizeof s, "%s", exes[(seed >> 16) % ELEMENTSOF(exes)]);
                        } else {
                                seed = seed * 1103515245u + 12345u;
                                unsigned k = 1 + (seed >> 16) % 5;
                                for (unsigned w = 0; w < k; w++) {
                                        seed = seed * 1103515245u + 12345u;
                                        const char *word = words[(seed >> 16) % ELEMENTSOF(words)];
                                        size_t l = strlen(s);
                                        snprintf(s + l, sizeof s - l, "%s%s", w ? " " : "", word);
                                }
                        }
                        field[builtin_regex[i].field] = s;
                        bool want = regexec(&re, s, 0, NULL, 0) == 0;
                        if (hr_rule_matches_subjects(r, field) != want)
                                fail_msg("%s on \"%s\": %s, the regex says %s", builtin_regex[i].rule, s,
                                         want ? "no match" : "a match", want ? "a match" : "none");
                }
                regfree(&re);
        }

        /* Longer than any command line the table holds: a word past the matcher's buffer is cut, not overrun. */
        static char big[3 * HR_CMDLINE_MAX];
        memset(big, 'a', sizeof big - 1);
        memcpy(big + sizeof big - 1 - strlen(" --type=renderer"), " --type=renderer", strlen(" --type=renderer"));
        const char *field[_HR_MATCH_MAX] = { "x", big, big, "/", "alice" };
        assert_true(hr_rule_matches_subjects(rule_named(&c, "browser-renderer"), field));
        assert_false(hr_rule_matches_subjects(rule_named(&c, "firefox-content"), field));
        assert_false(hr_rule_matches_subjects(rule_named(&c, "go-build"), field));
        hr_config_done(&c);
}

/* Every comm pattern is anchored at both ends: a comm is matched whole, never as a substring. */
static void test_builtin_comm_anchored(void **state) {
        HrConfig c = cfg_default();
        (void) state;
        for (size_t i = 0; i < c.n_rules; i++)
                if (c.rules[i].has[HR_MATCH_COMM] || c.rules[i].comm_globs) {
                        Fake p = { .comm = "x" };
                        assert_false(matches(&c.rules[i], &p));
                        /* A name inside a longer comm does not match either. */
                        Fake q = { .comm = "xsshdx" };
                        assert_false(matches(&c.rules[i], &q));
                }
        hr_config_done(&c);
}

/* ---- the key table ---- */

static size_t store_size(HrConfStore s) {
        switch (s) {
        case HR_STORE_BOOL:
                return sizeof(bool);
        case HR_STORE_U32:
        case HR_STORE_I32:
                return 4;
        case HR_STORE_U64:
        case HR_STORE_I64:
                return 8;
        default:
                return 0;
        }
}

static void test_table_shape(void **state) {
        (void) state;
        assert_true(hr_conf_n_items > 50);
        for (size_t i = 0; i < hr_conf_n_items; i++) {
                const HrConfItem *it = &hr_conf_items[i];
                assert_non_null(it->section);
                assert_non_null(it->key);
                assert_non_null(it->doc);
                assert_non_null(hr_conf_type_to_string(it->type));
                if (it->store != HR_STORE_NONE && store_size(it->store) != it->size)
                        fail_msg("%s=: field of %zu bytes, stored as %zu", it->key, it->size, store_size(it->store));
                if (it->store != HR_STORE_NONE && it->min > it->max)
                        fail_msg("%s=: bounds %lld..%lld", it->key, (long long) it->min, (long long) it->max);
                assert_ptr_equal(hr_conf_item_find(it->section, it->key), it); /* unique */
                if (it->flags & HR_CONF_MATCHER)
                        assert_ptr_equal(hr_conf_item_find("Protect", it->key), it);
                /* systemd-style CamelCase keys */
                assert_true(it->key[0] >= 'A' && it->key[0] <= 'Z');
                assert_null(strchr(it->key, '_'));
        }
        assert_null(hr_conf_item_find("Pressure", "Nope"));
        assert_null(hr_conf_item_find("Nope", "Enable"));
}

/* Every numeric default formats to text that parses back to itself, and lies inside its bounds; so do the
 * bounds; one step outside them is -ERANGE with "out of range MIN..MAX". */
static void test_table_round_trip(void **state) {
        HrConfig c = cfg_default();
        (void) state;

        for (size_t i = 0; i < hr_conf_n_items; i++) {
                const HrConfItem *it = &hr_conf_items[i];
                char text[300], why[256];
                if (it->flags & HR_CONF_RULE)
                        continue;
                assert_int_equal(hr_conf_format_value(it, &c, text, sizeof text), 0);

                HrConfig d = c;
                d.rules = NULL;
                d.n_rules = 0;
                memset((char *) &d + it->offset, 0x5A, it->size);
                if (hr_conf_parse_value(it, text, &d, why, sizeof why) != 0)
                        fail_msg("%s=%s: default does not parse back: %s", it->key, text, why);
                bool same = it->type == HR_CONF_PATH || it->type == HR_CONF_COMMAND
                                    ? strcmp((char *) &d + it->offset, (char *) &c + it->offset) == 0
                                    : memcmp((char *) &d + it->offset, (char *) &c + it->offset, it->size) == 0;
                if (!same)
                        fail_msg("%s=%s: default does not round-trip", it->key, text);
                if (it->store == HR_STORE_NONE)
                        continue;

                const int64_t edge[2] = { it->min, it->max };
                for (int e = 0; e < 2; e++) {
                        char lo[40], hi[40];
                        assert_int_equal(hr_conf_format_raw(it, edge[e], text, sizeof text), 0);
                        if (hr_conf_parse_value(it, text, &d, why, sizeof why) != 0)
                                fail_msg("%s=%s: bound does not parse: %s", it->key, text, why);
                        char back[300];
                        assert_int_equal(hr_conf_format_value(it, &d, back, sizeof back), 0);
                        assert_string_equal(back, text);

                        if (it->type == HR_CONF_BOOL)
                                continue;
                        int64_t out = e == 0 ? edge[0] - 1 : edge[1] + 1;
                        if (out < 0 && it->type != HR_CONF_INT)
                                continue; /* not writable in this type: "-1%" is a syntax error */
                        assert_int_equal(hr_conf_format_raw(it, out, text, sizeof text), 0);
                        int r = hr_conf_parse_value(it, text, &d, why, sizeof why);
                        if (r != -ERANGE)
                                fail_msg("%s=%s: r = %d, want -ERANGE", it->key, text, r);
                        assert_int_equal(hr_conf_format_raw(it, it->min, lo, sizeof lo), 0);
                        assert_int_equal(hr_conf_format_raw(it, it->max, hi, sizeof hi), 0);
                        char want[128];
                        XSNPRINTF(want, "out of range %s..%s", lo, hi);
                        assert_string_equal(why, want);
                }
        }
        hr_config_done(&c);
}

typedef struct ValueCase {
        const char *section, *key, *value;
        int r;
        const char *want; /* r == 0: the value formatted back; r < 0: the reason */
} ValueCase;

static const ValueCase value_cases[] = {
        /* booleans */
        { "Freeze", "Enable", "yes", 0, "yes" },
        { "Freeze", "Enable", "no", 0, "no" },
        { "Freeze", "Enable", "true", 0, "yes" },
        { "Freeze", "Enable", "false", 0, "no" },
        { "Freeze", "Enable", "1", 0, "yes" },
        { "Freeze", "Enable", "0", 0, "no" },
        { "Freeze", "Enable", "on", 0, "yes" },
        { "Freeze", "Enable", "off", 0, "no" },
        { "Freeze", "Enable", "YES", 0, "yes" },
        { "Freeze", "Enable", "maybe", -EINVAL, "expected yes or no" },
        { "Freeze", "Enable", "", -EINVAL, "expected yes or no" },
        /* integers */
        { "Rule", "Priority", "85", 0, "85" },
        { "Rule", "Priority", "0", 0, "0" },
        { "Rule", "Priority", "100", 0, "100" },
        { "Rule", "Priority", "150", -ERANGE, "out of range 0..100" },
        { "Rule", "Priority", "-1", -ERANGE, "out of range 0..100" },
        { "Rule", "Priority", "99999999999999999999999", -ERANGE, "out of range 0..100" },
        { "Rule", "Priority", "abc", -EINVAL, "not an integer" },
        { "Rule", "Priority", "5x", -EINVAL, "not an integer" },
        { "Rule", "Priority", "", -EINVAL, "not an integer" },
        { "Priorities", "ForegroundAdjust", "-30", 0, "-30" },
        { "Priorities", "ForegroundAdjust", "-101", -ERANGE, "out of range -100..100" },
        { "Freeze", "MaxPerTick", "0", -ERANGE, "out of range 1..1000" },
        /* percentages */
        { "Pressure", "PsiSomeStart", "5%", 0, "5%" },
        { "Pressure", "TriggerFull", "2.5%", 0, "2.5%" },
        { "Pressure", "TriggerFull", "2.50%", 0, "2.5%" },
        { "Pressure", "TriggerFull", "0.01%", 0, "0.01%" },
        { "Pressure", "PsiSomeFull", "100%", 0, "100%" },
        { "Pressure", "PsiSomeFull", "100.01%", -ERANGE, "out of range 0%..100%" },
        { "Pressure", "PsiSomeFull", "2.555%", -EINVAL, "at most 2 decimals" },
        { "Pressure", "PsiSomeFull", "5", -EINVAL, "expected a percentage like 5% or 2.5%" },
        { "Pressure", "PsiSomeFull", "%", -EINVAL, "expected a percentage like 5% or 2.5%" },
        { "Pressure", "PsiSomeFull", ".5%", -EINVAL, "expected a percentage like 5% or 2.5%" },
        { "Pressure", "PsiSomeFull", "5.%", -EINVAL, "expected a percentage like 5% or 2.5%" },
        { "Pressure", "PsiSomeFull", "-5%", -EINVAL, "expected a percentage like 5% or 2.5%" },
        { "Pressure", "TriggerSome", "0%", -ERANGE, "out of range 0.01%..100%" },
        { "Pressure", "MemAvailableStart", "20%", 0, "20%" },
        /* fractions (weights) */
        { "Pressure", "SwapIoWeight", "0.4", 0, "0.4" },
        { "Pressure", "SwapIoWeight", "1", 0, "1" },
        { "Pressure", "SwapIoWeight", "1.0", 0, "1" },
        { "Pressure", "SwapIoWeight", "0.125", 0, "0.125" },
        { "Pressure", "SwapIoWeight", "0", 0, "0" },
        { "Pressure", "SwapIoWeight", "1.5", -ERANGE, "out of range 0..1" },
        { "Pressure", "SwapIoWeight", "0.0001", -EINVAL, "at most 3 decimals" },
        { "Pressure", "SwapIoWeight", "40%", -EINVAL, "not a number" },
        /* points */
        { "Pressure", "ElevatedScore", "25", 0, "25" },
        { "Pressure", "ElevatedScore", "20.5", 0, "20.5" },
        { "Pressure", "ElevatedScore", "0", -ERANGE, "out of range 0.01..100" },
        { "Pressure", "ElevatedScore", "101", -ERANGE, "out of range 0.01..100" },
        /* durations */
        { "Pressure", "CalmSec", "20s", 0, "20s" },
        { "Pressure", "CalmSec", "20", 0, "20s" },
        { "Pressure", "CalmSec", "1min", 0, "1min" },
        { "Pressure", "CalmSec", "1min 30s", 0, "90s" },
        { "Pressure", "CalmSec", "1m30s", 0, "90s" },
        { "Pressure", "CalmSec", "1.5s", 0, "1500ms" },
        { "Pressure", "CalmSec", "2 minutes", 0, "2min" },
        { "Pressure", "CalmSec", "1h", 0, "1h" },
        { "Pressure", "CalmSec", "2h", -ERANGE, "out of range 1s..1h" },
        { "Pressure", "CalmSec", "500ms", -ERANGE, "out of range 1s..1h" },
        { "Pressure", "TickHighSec", "500ms", 0, "500ms" },
        { "Pressure", "TickHighSec", "250000us", 0, "250ms" },
        { "Pressure", "CalmSec", "5x", -EINVAL, "unknown time unit 'x' (use us, ms, s, min, h, d)" },
        { "Pressure", "CalmSec", "", -EINVAL, "expected a duration like 20s, 500ms or 1min" },
        { "Pressure", "CalmSec", "-1s", -EINVAL, "expected a duration like 20s, 500ms or 1min" },
        { "Pressure", "CalmSec", "s", -EINVAL, "expected a duration like 20s, 500ms or 1min" },
        { "Pressure", "CalmSec", "1s 2", -EINVAL, "expected a duration like 20s, 500ms or 1min" },
        { "Pressure", "CalmSec", "99999999999999999999d", -ERANGE, "out of range 1s..1h" },
        { "Terminate", "GraceEmergencySec", "0", 0, "0" },
        /* sizes (bare number: MiB) */
        { "Thaw", "MarginMiB", "256", 0, "256" },
        { "Thaw", "MarginMiB", "256M", 0, "256" },
        { "Thaw", "MarginMiB", "1G", 0, "1024" },
        { "Thaw", "MarginMiB", "1GiB", 0, "1024" },
        { "Thaw", "MarginMiB", "1 G", 0, "1024" },
        { "Thaw", "MarginMiB", "512K", 0, "512K" },
        { "Thaw", "MarginMiB", "0", 0, "0" },
        { "Thaw", "MarginMiB", "2T", -ERANGE, "out of range 0..1048576" },
        { "Thaw", "MarginMiB", "5Q", -EINVAL, "unknown size suffix 'Q' (use K, M, G or T)" },
        { "Thaw", "MarginMiB", "M", -EINVAL, "expected a size like 256M or 1G" },
        { "Thaw", "MarginMiB", "1.5G", -EINVAL, "expected a size like 256M or 1G" },
        { "Terminate", "RunawayMiBPerSec", "512K", -ERANGE, "out of range 1..1048576" },
        /* paths */
        { "Checkpoint", "Directory", "/srv/criu", 0, "/srv/criu" },
        { "Checkpoint", "Directory", "relative/dir", -EINVAL, "not an absolute path" },
        { "Checkpoint", "Directory", "", -EINVAL, "not an absolute path" },
        { "Terminate", "WarnHook", "notify-send hi", -EINVAL, "the program must be an absolute path (no shell runs it)" },
        { "Terminate", "WarnHook", "/nonexistent/hook --x", -ENOENT, "/nonexistent/hook: cannot run it (No such file or directory)" },
        { "Terminate", "WarnHook", "/bin/true 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16", -E2BIG, "too many words (at most 16)" },
        { "Terminate", "WarnHook", "/bin/true --quiet", 0, "/bin/true --quiet" },
        { "Terminate", "WarnHook", "", 0, "" },
        /* checkpoint */
        { "Rule", "Checkpoint", "auto", 0, "auto" },
        { "Rule", "Checkpoint", "yes", 0, "yes" },
        { "Rule", "Checkpoint", "off", 0, "no" },
        { "Rule", "Checkpoint", "later", -EINVAL, "expected yes, no or auto" },
};

static void test_values(void **state) {
        (void) state;

        for (size_t i = 0; i < ELEMENTSOF(value_cases); i++) {
                const ValueCase *v = &value_cases[i];
                const HrConfItem *it = hr_conf_item_find(v->section, v->key);
                HrConfig c = {};
                HrRule rule = {};
                char why[256] = "", out[300];
                if (!it)
                        fail_msg("[%s] %s=: no such key", v->section, v->key);
                void *base = it->flags & HR_CONF_RULE ? (void *) &rule : (void *) &c;
                unsigned char before[512];
                memcpy(before, (char *) base + it->offset, it->size);

                int r = hr_conf_parse_value(it, v->value, base, why, sizeof why);
                if (r != v->r)
                        fail_msg("%s=%s: r = %d, want %d (%s)", v->key, v->value, r, v->r, why);
                if (r == 0) {
                        assert_int_equal(hr_conf_format_value(it, base, out, sizeof out), 0);
                        if (strcmp(out, v->want) != 0)
                                fail_msg("%s=%s: reads back as %s, want %s", v->key, v->value, out, v->want);
                } else {
                        if (strcmp(why, v->want) != 0)
                                fail_msg("%s=%s: \"%s\", want \"%s\"", v->key, v->value, why, v->want);
                        if (memcmp(before, (char *) base + it->offset, it->size) != 0)
                                fail_msg("%s=%s: field written on failure", v->key, v->value);
                }
        }
}

static void test_mem_available_is_inverted(void **state) {
        HrConfig c;
        HrConfErrors e;
        (void) state;
        assert_int_equal(load_text("[Pressure]\nMemAvailableStart=20%\nMemAvailableFull=5%\n", &c, &e), 0);
        assert_int_equal(c.pressure.ramp[HR_COMP_MEM_AVAILABLE].start, 8000); /* shortfall */
        assert_int_equal(c.pressure.ramp[HR_COMP_MEM_AVAILABLE].full, 9500);
        hr_config_done(&c);
        hr_conf_errors_done(&e);
}

static void test_regex_values(void **state) {
        HrRule r = {};
        const HrConfItem *it = hr_conf_item_find("Rule", "Cmdline");
        char why[256];
        (void) state;

        assert_int_equal(hr_conf_parse_value(it, "--type=(renderer|utility);#x", &r, why, sizeof why), 0);
        assert_true(r.has[HR_MATCH_CMDLINE]);
        assert_int_equal(regexec(&r.re[HR_MATCH_CMDLINE], "a --type=utility;#x", 0, NULL, 0), 0);
        /* A bad one keeps the previous regex. */
        assert_int_equal(hr_conf_parse_value(it, "(unclosed", &r, why, sizeof why), -EINVAL);
        assert_non_null(strstr(why, "bad regex: "));
        assert_true(strlen(why) > strlen("bad regex: "));
        assert_true(r.has[HR_MATCH_CMDLINE]);
        assert_int_equal(regexec(&r.re[HR_MATCH_CMDLINE], "--type=renderer;#x", 0, NULL, 0), 0);
        /* Replacing frees the old one (ASan/valgrind would see a leak otherwise). */
        assert_int_equal(hr_conf_parse_value(it, "^x$", &r, why, sizeof why), 0);
        assert_int_equal(regexec(&r.re[HR_MATCH_CMDLINE], "x", 0, NULL, 0), 0);
        /* Empty removes it. */
        assert_int_equal(hr_conf_parse_value(it, "", &r, why, sizeof why), 0);
        assert_false(r.has[HR_MATCH_CMDLINE]);
        assert_int_equal(hr_conf_format_value(it, &r, why, sizeof why), -EOPNOTSUPP);

        /* Patterns glibc would expand into gigabytes are refused before regcomp() sees them... */
        static const char *const huge[] = {
                "(a{1,32767}){1,2}", "(a{,32767}){,2}", "a{20001}", "(x{200}){200}", "((a{10}){10}){201}",
                "((((((((((((((((a+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)", "([ab]{150}|c){150}",
        };
        for (size_t i = 0; i < ELEMENTSOF(huge); i++) {
                assert_int_equal(hr_conf_parse_value(it, huge[i], &r, why, sizeof why), -EINVAL);
                assert_string_equal(why, "bad regex: too large once its repetitions are expanded (more than 20000 "
                                         "positions)");
                assert_false(r.has[HR_MATCH_CMDLINE]);
        }
        char deep[80] = "", *p = deep;
        for (int i = 0; i < 33; i++)
                *p++ = '(';
        *p++ = 'a';
        for (int i = 0; i < 33; i++)
                *p++ = ')';
        *p = '\0';
        assert_int_equal(hr_conf_parse_value(it, deep, &r, why, sizeof why), -EINVAL);
        assert_string_equal(why, "bad regex: groups nested deeper than 32");
        /* ...while real ones, repetitions and brackets included, pass. */
        static const char *const fine[] = {
                "^[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}$", "[]{}[:alpha:]]{3}x{2,}", "a{20000}",
                "(x{100}){100}", "^(chrome|chromium)( .*)? --type=(renderer|gpu-process)( |$)", "a{,5}b{3,}c+d*",
                "\\{99999\\}", "[[:digit:][.-.]]+",
        };
        for (size_t i = 0; i < ELEMENTSOF(fine); i++) {
                if (hr_conf_parse_value(it, fine[i], &r, why, sizeof why) != 0)
                        fail_msg("%s: %s", fine[i], why);
                assert_true(r.has[HR_MATCH_CMDLINE]);
        }
        regfree(&r.re[HR_MATCH_CMDLINE]);
}

/* ---- loading ---- */

static void test_rules_in_order_and_overrides(void **state) {
        HrConfig c;
        HrConfErrors e;
        (void) state;

        const char *text = "[Rule first]\nComm=^one$\nPriority=80\n"
                           "[Rule audio]\nPriority=20\n"          /* edits the built-in, keeps its matcher */
                           "[Rule second]\nCmdline=two\nNeverKill=yes\nCheckpoint=auto\nKillGroup=yes\n"
                           "[Protect keep]\nUser=^root$\n"
                           "[Rule first]\nPriority=81\n"          /* continues "first" */
                           "[Rule browser-renderer]\nCmdline=\nComm=^renderer$\n"; /* replaces a matcher */
        assert_int_equal(load_text(text, &c, &e), 0);
        assert_int_equal(e.n, 0);

        /* user rules first, in file order */
        assert_string_equal(c.rules[0].name, "first");
        assert_string_equal(c.rules[1].name, "second");
        assert_string_equal(c.rules[2].name, "keep");
        assert_true(c.rules[2].protect);
        assert_false(c.rules[0].builtin);
        assert_true(c.rules[3].builtin);

        const HrRule *first = rule_named(&c, "first");
        assert_int_equal(first->priority, 81);
        assert_true(first->has[HR_MATCH_COMM]);
        assert_string_equal(first->file, "t.conf");
        assert_int_equal(first->line, 13); /* its last header */

        const HrRule *second = rule_named(&c, "second");
        assert_int_equal(second->priority, -1);
        assert_true(second->never_kill);
        assert_int_equal(second->checkpoint, HR_CHECKPOINT_AUTO);
        assert_true(second->kill_group);
        assert_false(first->kill_group);
        /* Built in: a build driver's group goes with it, a browser's renderers do not take the browser. */
        assert_true(rule_named(&c, "build-drivers")->kill_group);
        assert_false(rule_named(&c, "browser-renderer")->kill_group);
        assert_false(rule_named(&c, "browser")->kill_group);
        assert_false(rule_named(&c, "compilers")->kill_group);

        const HrRule *audio = rule_named(&c, "audio");
        assert_int_equal(audio->priority, 20);
        assert_false(audio->builtin);
        assert_string_equal(audio->file, "t.conf");
        Fake pw = { .comm = "pipewire" };
        assert_true(matches(audio, &pw));
        assert_true(rule_index(&c, "audio") > rule_index(&c, "keep")); /* keeps its built-in position */

        const HrRule *br = rule_named(&c, "browser-renderer");
        assert_false(br->has[HR_MATCH_CMDLINE]);
        assert_null(br->cmdline_words); /* the built-in's words went with the empty Cmdline= */
        assert_true(br->has[HR_MATCH_COMM]);
        Fake rn = { .comm = "renderer", .cmdline = "renderer --no-type" };
        assert_true(matches(br, &rn));

        /* one rule per name */
        for (size_t i = 0; i < c.n_rules; i++)
                for (size_t j = 0; j < i; j++)
                        if (c.rules[i].protect == c.rules[j].protect)
                                assert_string_not_equal(c.rules[i].name, c.rules[j].name);
        hr_config_done(&c);
        hr_conf_errors_done(&e);
}

static void test_values_load(void **state) {
        HrConfig c;
        HrConfErrors e;
        (void) state;

        const char *text = "[Pressure]\nPsiSomeWeight=0.5\nPsiSomeStart=10%\nHighScore=45\nCalmSec=30s\n"
                           "TriggerSome=10%\nTriggerWindowSec=2s\n"
                           "[Freeze]\nEnable=no\n[Thaw]\nMarginMiB=1G\n[Terminate]\nGraceSec=15s\n"
                           "[Kill]\nCooldownSec=1min\n[Checkpoint]\nDirectory=/srv/ckpt\n"
                           "[Priorities]\nDefault=55\nForegroundAdjust=-30\n";
        assert_int_equal(load_text(text, &c, &e), 0);
        assert_int_equal(c.pressure.weight_permille[HR_COMP_PSI_SOME], 500);
        assert_int_equal(c.pressure.ramp[HR_COMP_PSI_SOME].start, 1000);
        assert_int_equal(c.level.enter_centi[HR_LEVEL_HIGH], 4500);
        assert_int_equal(c.level.calm_usec, 30 * USEC_PER_SEC);
        assert_int_equal(c.trigger_some_permyriad, 1000);
        assert_int_equal(c.trigger_window_usec, 2 * USEC_PER_SEC);
        assert_false(c.actions.freeze_enabled);
        assert_int_equal(c.actions.thaw_margin_kib, 1024 * 1024);
        /* GraceSec= covers HIGH and below */
        assert_int_equal(c.actions.terminate_grace_usec[HR_LEVEL_HIGH], 15 * USEC_PER_SEC);
        assert_int_equal(c.actions.terminate_grace_usec[HR_LEVEL_NORMAL], 15 * USEC_PER_SEC);
        assert_int_equal(c.actions.terminate_grace_usec[HR_LEVEL_ELEVATED], 15 * USEC_PER_SEC);
        assert_int_equal(c.actions.terminate_grace_usec[HR_LEVEL_CRITICAL], 3 * USEC_PER_SEC);
        assert_int_equal(c.actions.kill_cooldown_usec, 60 * USEC_PER_SEC);
        assert_string_equal(c.actions.checkpoint_dir, "/srv/ckpt");
        assert_int_equal(c.default_priority, 55);
        assert_int_equal(c.foreground_adjust, -30);
        hr_config_done(&c);
        hr_conf_errors_done(&e);
}

typedef struct ErrCase {
        const char *name, *text, *want;
} ErrCase;

static const ErrCase err_cases[] = {
        { "unknown section", "[Frobnicate]\nA=1\n[Kill]\nEnable=no\n", "t.conf:1: unknown section [Frobnicate]\n" },
        { "section case", "[pressure]\n", "t.conf:1: unknown section [pressure] (did you mean [Pressure]?)\n" },
        { "unknown key", "[Pressure]\nPsiSomeWieght=1\n", "t.conf:2: unknown key PsiSomeWieght= in [Pressure]\n" },
        { "key case", "[Kill]\nenable=no\n", "t.conf:2: unknown key enable= in [Kill] (did you mean Enable=?)\n" },
        { "bad value", "[Kill]\nEnable=sometimes\n", "t.conf:2: Enable=sometimes: expected yes or no\n" },
        { "out of range", "[Rule x]\nComm=^x$\nPriority=150\n", "t.conf:3: Priority=150: out of range 0..100\n" },
        { "bad regex: no cascade into 'no matcher'", "[Rule x]\nComm=(\n",
          "t.conf:2: Comm=(: bad regex: Unmatched ( or \\(\n" },
        { "rule with no matcher", "[Rule x]\nPriority=10\n",
          "t.conf:1: [Rule x] has no matcher: set at least one of Comm=, Cmdline=, Exe=, Cgroup=, User=\n" },
        { "protect with no matcher", "[Protect p]\n",
          "t.conf:1: [Protect p] has no matcher: set at least one of Comm=, Cmdline=, Exe=, Cgroup=, User=\n" },
        { "emptied built-in", "[Rule sshd]\nComm=\n",
          "t.conf:1: [Rule sshd] has no matcher: set at least one of Comm=, Cmdline=, Exe=, Cgroup=, User=\n" },
        { "rule without a name", "[Rule]\nComm=x\n", "t.conf:1: [Rule] needs a name: [Rule NAME]\n" },
        { "name where none is taken", "[Kill now]\nEnable=no\n", "t.conf:1: [Kill] takes no name (got 'now')\n" },
        { "long rule name",
          "[Rule aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]\nComm=x\n",
          "t.conf:1: [Rule aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...]: name longer than 63 bytes\n" },
        { "action keys not in [Protect]", "[Protect p]\nComm=x\nPriority=1\n",
          "t.conf:3: Priority= is not allowed in [Protect]: it takes Comm=, Cmdline=, Exe=, Cgroup= and User= only "
          "(protected processes are never touched)\n" },
        { "KillGroup= not in [Protect]", "[Protect p]\nComm=x\nKillGroup=yes\n",
          "t.conf:3: KillGroup= is not allowed in [Protect]: it takes Comm=, Cmdline=, Exe=, Cgroup= and User= only "
          "(protected processes are never touched)\n" },
        { "KillGroup= is a boolean", "[Rule x]\nComm=^x$\nKillGroup=maybe\n", "t.conf:3: KillGroup=maybe: expected yes or no\n" },
        { "syntax", "[Kill]\nEnable\n",
          "t.conf:2: expected [Section], Key=Value or a comment ('#' or ';' at the start of the line)\n" },
        { "key before a section", "Enable=no\n", "t.conf:1: Key=Value before any [Section] header\n" },
        { "ramp upside down", "[Pressure]\nPsiSomeFull=4%\n", "t.conf:2: PsiSomeFull=4%: must be above PsiSomeStart=5%\n" },
        { "ramp: the later key is named", "[Pressure]\nPsiFullStart=30%\n",
          "t.conf:2: PsiFullStart=30%: must be below PsiFullFull=25%\n" },
        { "inverted ramp", "[Pressure]\nMemAvailableFull=20%\n",
          "t.conf:2: MemAvailableFull=20%: must be below MemAvailableStart=15%\n" },
        { "levels out of order", "[Pressure]\nCriticalScore=90\n",
          "t.conf:2: CriticalScore=90: must be below EmergencyScore=80\n" },
        { "hysteresis past the first bound", "[Pressure]\nHysteresis=20\n",
          "t.conf:2: Hysteresis=20: must be below ElevatedScore=20\n" },
        { "a later fix clears it", "[Pressure]\nHighScore=15\nElevatedScore=10\n", "" },
        { "errors sorted by line, all collected",
          "[Pressure]\nHighScore=15\nNope=1\n[Rule a]\nPriority=5\n[Rule b]\nExe=(x\n",
          "t.conf:2: HighScore=15: must be above ElevatedScore=20\n"
          "t.conf:3: unknown key Nope= in [Pressure]\n"
          "t.conf:4: [Rule a] has no matcher: set at least one of Comm=, Cmdline=, Exe=, Cgroup=, User=\n"
          "t.conf:7: Exe=(x: bad regex: Unmatched ( or \\(\n" },
        { "long values are shortened",
          "[Kill]\nEnable=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
          "t.conf:2: Enable=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...: expected yes or no\n" },
};

static void test_errors(void **state) {
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(err_cases); i++) {
                const ErrCase *ec = &err_cases[i];
                HrConfig c = { .n_rules = 12345 };
                HrConfErrors e;
                int r = load_text(ec->text, &c, &e);
                const char *got = joined(&e);
                if (strcmp(got, ec->want) != 0)
                        fail_msg("case \"%s\":\n got: %s\nwant: %s", ec->name, got, ec->want);
                if (r != (*ec->want ? -EINVAL : 0))
                        fail_msg("case \"%s\": r = %d", ec->name, r);
                if (r < 0)
                        assert_int_equal(c.n_rules, 12345); /* untouched */
                else
                        hr_config_done(&c);
                hr_conf_errors_done(&e);
        }
}

static void test_error_cap(void **state) {
        size_t n = HR_CONF_ERRORS_MAX + 50;
        char *text = malloc(n * 8 + 16);
        size_t k = 0;
        HrConfig c;
        HrConfErrors e;
        (void) state;

        assert_non_null(text);
        k += (size_t) sprintf(text, "[Kill]\n");
        for (size_t i = 0; i < n; i++)
                k += (size_t) sprintf(text + k, "Nope=1\n");
        assert_int_equal(load_text(text, &c, &e), -EINVAL);
        assert_int_equal(e.n, HR_CONF_ERRORS_MAX);
        assert_string_equal(e.lines[e.n - 1], "(51 more errors not shown)");
        hr_conf_errors_done(&e);
        free(text);
}

/* ---- files: load order ---- */

static char tmp_root[PATH_MAX];

static void write_file(const char *rel, const char *text) {
        char path[PATH_MAX * 2];
        XSNPRINTF(path, "%s/%s", tmp_root, rel);
        /* parents */
        for (char *s = strchr(path + strlen(tmp_root) + 1, '/'); s; s = strchr(s + 1, '/')) {
                *s = '\0';
                (void) mkdir(path, 0755);
                *s = '/';
        }
        FILE *f = fopen(path, "we");
        assert_non_null(f);
        assert_int_equal(fputs(text, f) >= 0, 1);
        assert_int_equal(fclose(f), 0);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st;
        (void) flag;
        (void) ftw;
        return remove(p);
}

static int setup_tmp(void **state) {
        (void) state;
        XSNPRINTF(tmp_root, "%s/hr-test-config-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        return mkdtemp(tmp_root) ? 0 : -1;
}

static int teardown_tmp(void **state) {
        (void) state;
        return nftw(tmp_root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void test_load_order(void **state) {
        char sys[PATH_MAX + 8], user[PATH_MAX + 8], file[PATH_MAX + 32];
        HrConfPaths p = {};
        HrConfig c;
        HrConfErrors e;
        size_t n_files;
        (void) state;

        XSNPRINTF(sys, "%s/etc", tmp_root);
        XSNPRINTF(user, "%s/xdg", tmp_root);
        write_file("etc/headroom.conf", "[Priorities]\nDefault=51\nForegroundAdjust=-10\n[Rule main]\nComm=^a$\n");
        write_file("etc/headroom.conf.d/20-b.conf", "[Priorities]\nDefault=53\n[Rule b]\nComm=^b$\n");
        write_file("etc/headroom.conf.d/10-a.conf", "[Priorities]\nDefault=52\n[Rule a]\nComm=^a$\n[Rule main]\nPriority=11\n");
        write_file("etc/headroom.conf.d/.hidden.conf", "garbage\n");
        write_file("etc/headroom.conf.d/notes.txt", "garbage\n");
        write_file("etc/headroom.conf.d/x.conf.bak", "garbage\n");
        write_file("xdg/headroom.conf", "[Priorities]\nDefault=61\n[Rule user]\nUser=^me$\n");
        write_file("xdg/headroom.conf.d/a.conf", "[Priorities]\nForegroundAdjust=-40\n[Rule b]\nPriority=12\nComm=^bb$\n");
        write_file("other.conf", "[Priorities]\nDefault=70\n[Rule other]\nComm=^o$\n");

        /* system mode: /etc files only */
        p.system_dir = sys;
        assert_int_equal(hr_conf_load(&p, &c, &e, &n_files), 0);
        assert_int_equal(n_files, 3);
        assert_int_equal(c.default_priority, 53);   /* 20-b.conf read last */
        assert_int_equal(c.foreground_adjust, -10);
        assert_string_equal(c.rules[0].name, "main");
        assert_string_equal(c.rules[1].name, "a");  /* 10-a.conf before 20-b.conf */
        assert_string_equal(c.rules[2].name, "b");
        assert_true(c.rules[3].builtin);
        assert_int_equal(c.rules[0].priority, 11);
        XSNPRINTF(file, "%s/headroom.conf.d/10-a.conf", sys);
        assert_string_equal(c.rules[0].file, file); /* where it was last defined */
        hr_config_done(&c);
        hr_conf_errors_done(&e);

        /* user mode: then the user's files */
        p.user_dir = user;
        assert_int_equal(hr_conf_load(&p, &c, &e, &n_files), 0);
        assert_int_equal(n_files, 5);
        assert_int_equal(c.default_priority, 61);
        assert_int_equal(c.foreground_adjust, -40);
        assert_string_equal(c.rules[3].name, "user");
        assert_int_equal(rule_named(&c, "b")->priority, 12);
        hr_config_done(&c);
        hr_conf_errors_done(&e);

        /* --config FILE: instead of the /etc files, the user's still after it */
        XSNPRINTF(file, "%s/other.conf", tmp_root);
        p.config_file = file;
        assert_int_equal(hr_conf_load(&p, &c, &e, &n_files), 0);
        assert_int_equal(n_files, 3);
        assert_int_equal(c.default_priority, 61);
        assert_null(rule_named(&c, "main"));
        assert_string_equal(c.rules[0].name, "other");
        assert_string_equal(c.rules[1].name, "user");
        assert_string_equal(c.rules[2].name, "b");
        hr_config_done(&c);
        hr_conf_errors_done(&e);

        /* a missing --config FILE is an error; missing /etc and XDG files are not */
        XSNPRINTF(file, "%s/missing.conf", tmp_root);
        HrConfPaths q = { .config_file = file };
        assert_int_equal(hr_conf_load(&q, &c, &e, NULL), -EINVAL);
        assert_int_equal(e.n, 1);
        assert_non_null(strstr(e.lines[0], "missing.conf: cannot read: No such file or directory"));
        hr_conf_errors_done(&e);

        XSNPRINTF(file, "%s/nowhere", tmp_root);
        HrConfPaths none = { .system_dir = file, .user_dir = file };
        assert_int_equal(hr_conf_load(&none, &c, &e, &n_files), 0);
        assert_int_equal(n_files, 0);
        assert_true(c.n_rules > 0 && c.rules[0].builtin);
        hr_config_done(&c);
        hr_conf_errors_done(&e);
}

static void test_load_errors_across_files(void **state) {
        char sys[PATH_MAX + 8];
        HrConfPaths p = {};
        HrConfig c = { .n_rules = 777 };
        HrConfErrors e;
        (void) state;

        XSNPRINTF(sys, "%s/bad", tmp_root);
        write_file("bad/headroom.conf", "[Pressure]\nHighScore=15\n");
        write_file("bad/headroom.conf.d/a.conf", "[Rule r]\nComm=(\n");
        write_file("bad/headroom.conf.d/b.conf", "[Rule s]\nPriority=3\n[Kill]\nEnable=perhaps\n");
        write_file("bad/headroom.conf.d/c.conf/keep", ""); /* a directory named *.conf */
        p.system_dir = sys;
        assert_int_equal(hr_conf_load(&p, &c, &e, NULL), -EINVAL);
        assert_int_equal(c.n_rules, 777);
        char want[4 * PATH_MAX];
        XSNPRINTF(want,
                 "%1$s/headroom.conf:2: HighScore=15: must be above ElevatedScore=20\n"
                 "%1$s/headroom.conf.d/a.conf:2: Comm=(: bad regex: Unmatched ( or \\(\n"
                 "%1$s/headroom.conf.d/b.conf:1: [Rule s] has no matcher: set at least one of Comm=, Cmdline=, Exe=, Cgroup=, User=\n"
                 "%1$s/headroom.conf.d/b.conf:4: Enable=perhaps: expected yes or no\n"
                 "%1$s/headroom.conf.d/c.conf: cannot read: Is a directory\n",
                 sys);
        assert_string_equal(joined(&e), want);
        hr_conf_errors_done(&e);
}

static void test_paths_init(void **state) {
        HrConfPaths p;
        (void) state;

        assert_int_equal(hr_conf_paths_init(&p, false, NULL), 0);
        assert_string_equal(p.system_dir, "/etc/headroom");
        assert_null(p.user_dir);
        assert_null(p.config_file);

        setenv("XDG_CONFIG_HOME", "/x/cfg", 1);
        setenv("HOME", "/home/me", 1);
        assert_int_equal(hr_conf_paths_init(&p, true, "/f.conf"), 0);
        assert_string_equal(p.user_dir, "/x/cfg/headroom");
        assert_string_equal(p.config_file, "/f.conf");

        unsetenv("XDG_CONFIG_HOME");
        assert_int_equal(hr_conf_paths_init(&p, true, NULL), 0);
        assert_string_equal(p.user_dir, "/home/me/.config/headroom");

        setenv("XDG_CONFIG_HOME", "relative", 1); /* invalid per the XDG spec: ignored */
        assert_int_equal(hr_conf_paths_init(&p, true, NULL), 0);
        assert_string_equal(p.user_dir, "/home/me/.config/headroom");

        unsetenv("XDG_CONFIG_HOME");
        unsetenv("HOME");
        assert_int_equal(hr_conf_paths_init(&p, true, NULL), -ENOENT);
        assert_null(p.user_dir);
        assert_string_equal(p.system_dir, "/etc/headroom");
}

static void test_keep_fixed(void **state) {
        HrConfig running = cfg_default(), fresh = cfg_default();
        HrConfErrors notes = {};
        (void) state;

        assert_int_equal(hr_conf_keep_fixed(&running, &fresh, &notes), 0);
        snprintf(fresh.actions.checkpoint_dir, sizeof fresh.actions.checkpoint_dir, "/elsewhere");
        fresh.default_priority = 60; /* reloadable */
        assert_int_equal(hr_conf_keep_fixed(&running, &fresh, &notes), 1);
        assert_string_equal(fresh.actions.checkpoint_dir, "/var/lib/headroom/checkpoints");
        assert_int_equal(fresh.default_priority, 60);
        assert_int_equal(notes.n, 1);
        assert_string_equal(notes.lines[0], "[Checkpoint] Directory=/elsewhere: cannot change on reload, keeping "
                                            "/var/lib/headroom/checkpoints until restart");
        hr_conf_errors_done(&notes);
        hr_config_done(&running);
        hr_config_done(&fresh);
}

/* ---- the shipped example: every key, with its real default ---- */

static char *read_source(const char *rel, size_t *ret_len) {
        const char *root = getenv("HR_SOURCE_ROOT");
        char path[PATH_MAX];
        if (!root || !*root)
                root = HR_SOURCE_ROOT_FALLBACK;
        XSNPRINTF(path, "%s/%s", root, rel);
        FILE *f = fopen(path, "re");
        if (!f)
                fail_msg("%s: %s", path, strerror(errno));
        char *buf = malloc(1 << 20);
        assert_non_null(buf);
        size_t n = fread(buf, 1, (1 << 20) - 1, f);
        fclose(f);
        buf[n] = '\0';
        *ret_len = n;
        return buf;
}

static void test_example(void **state) {
        size_t len;
        char *text = read_source("etc/headroom.conf.example", &len);
        char *docs = read_source("docs/configuration.md", &len);
        HrConfig def = cfg_default(), c;
        HrConfErrors e;
        (void) state;

        /* As shipped (all commented out): valid, and the defaults. */
        assert_int_equal(load_text(text, &c, &e), 0);
        assert_int_equal(e.n, 0);
        hr_config_done(&c);
        hr_conf_errors_done(&e);

        /* Uncommented ("#Key=" -> "Key=", "#[Rule" -> "[Rule"): still valid, every value is the default,
         * and every key of the table appears in its section. */
        char *un = malloc(strlen(text) + 1), *o = un;
        assert_non_null(un);
        for (const char *s = text; *s;) {
                const char *nl = strchr(s, '\n');
                size_t n = nl ? (size_t) (nl - s) + 1 : strlen(s);
                if (s[0] == '#' && ((s[1] >= 'A' && s[1] <= 'Z') || s[1] == '[')) {
                        s++;
                        n--;
                }
                memcpy(o, s, n);
                o += n;
                s += n;
        }
        *o = '\0';
        if (load_text(un, &c, &e) != 0)
                fail_msg("uncommented example:\n%s", joined(&e));
        for (size_t i = 0; i < hr_conf_n_items; i++) {
                const HrConfItem *it = &hr_conf_items[i];
                char a[300], b[300], needle[128];
                XSNPRINTF(needle, "\n#%s=", it->key);
                if (!strstr(text, needle))
                        fail_msg("%s= is missing from etc/headroom.conf.example", it->key);
                XSNPRINTF(needle, "`%s=`", it->key);
                if (!strstr(docs, needle))
                        fail_msg("%s= is missing from docs/configuration.md", it->key);
                if (it->flags & HR_CONF_RULE)
                        continue;
                assert_int_equal(hr_conf_format_value(it, &def, a, sizeof a), 0);
                assert_int_equal(hr_conf_format_value(it, &c, b, sizeof b), 0);
                if (strcmp(a, b) != 0)
                        fail_msg("[%s] %s=: the example says %s, the default is %s", it->section, it->key, b, a);
        }
        assert_non_null(rule_named(&c, "nightly-render"));
        assert_non_null(rule_named(&c, "ci-runner"));
        assert_true(rule_named(&c, "recording")->protect);

        /* Every built-in rule is in the docs' table. */
        for (size_t i = 0; i < def.n_rules; i++) {
                char needle[96];
                XSNPRINTF(needle, "| `%s` |", def.rules[i].name);
                if (!strstr(docs, needle))
                        fail_msg("built-in rule %s is missing from docs/configuration.md", def.rules[i].name);
        }
        hr_config_done(&c);
        hr_conf_errors_done(&e);
        hr_config_done(&def);
        free(un);
        free(text);
        free(docs);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_defaults),
                cmocka_unit_test(test_string_tables),
                cmocka_unit_test(test_builtin_rules_match),
                cmocka_unit_test(test_builtin_comm_anchored),
                cmocka_unit_test(test_builtin_words_as_regex),
                cmocka_unit_test(test_table_shape),
                cmocka_unit_test(test_table_round_trip),
                cmocka_unit_test(test_values),
                cmocka_unit_test(test_mem_available_is_inverted),
                cmocka_unit_test(test_regex_values),
                cmocka_unit_test(test_rules_in_order_and_overrides),
                cmocka_unit_test(test_values_load),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_error_cap),
                cmocka_unit_test(test_load_order),
                cmocka_unit_test(test_load_errors_across_files),
                cmocka_unit_test(test_paths_init),
                cmocka_unit_test(test_keep_fixed),
                cmocka_unit_test(test_example),
        };
        return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
