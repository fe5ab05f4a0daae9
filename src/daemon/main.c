/* SPDX-License-Identifier: MIT */
/* headroomd: argument parsing, start-up checks and self-protection, then the monitor's loop or a
 * single --once report. Thin by design: everything else lives in monitor.c and below. */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon/caps.h"
#include "daemon/config.h"
#include "daemon/log.h"
#include "daemon/monitor.h"
#include "daemon/record.h"
#include "daemon/report.h"
#include "io/self.h"

static bool arg_once, arg_json, arg_dry_run, arg_no_mlock;
static const char *arg_scope, *arg_root;
static unsigned arg_once_interval_ms = 500;
/* Config: --config FILE, --user, --check-config [FILE]. */
static const char *arg_config, *arg_check_file, *arg_record, *arg_replay, *arg_runtime_dir, *arg_socket, *arg_state_dir;
static bool arg_user, arg_check_config;

static void help(void) {
        printf("Usage: headroomd [OPTIONS]\n"
               "Watch memory pressure (PSI, swap, refaults, MemAvailable) and relieve it before the machine stalls.\n"
               "\n"
               "  -n, --dry-run            Run the loop in the foreground and act on nothing (observe mode)\n"
               "      --once               Take one measurement (two samples %u ms apart), print it, exit\n"
               "      --json               With --once: print one JSON object\n"
               "      --scope CGROUP       Read pressure from this cgroup2 directory (path under the cgroup2\n"
               "                           mount, or absolute) and act only inside it\n"
               "      --root DIR           Read /proc and /sys under DIR (fixture trees for tests)\n"
               "      --no-mlock           Do not lock the daemon's memory\n"
               "      --config FILE        Read FILE instead of /etc/headroom/headroom.conf and its drop-ins\n"
               "      --user               User mode: also read $XDG_CONFIG_HOME/headroom/headroom.conf{,.d/}\n"
               "      --check-config [FILE]\n"
               "                           Check the configuration (FILE, or what would be loaded) and exit\n"
               "      --runtime-dir DIR    Keep the registry of frozen processes in DIR (default /run/headroom,\n"
               "                           or $XDG_RUNTIME_DIR/headroom with --user)\n"
               "      --state-dir DIR      Keep incident clips in DIR/incidents (default /var/lib/headroom, or\n"
               "                           $XDG_STATE_HOME/headroom with --user)\n"
               "      --socket PATH        Serve the control socket at PATH (default: headroom.sock in the\n"
               "                           runtime directory; see headroomctl(1) and docs/protocol.md)\n"
               "      --record FILE        Append each planned tick's snapshot to FILE (JSON lines)\n"
               "      --replay FILE        Feed a recording through the classification and policy, print the\n"
               "                           decisions, exit\n"
               "  -v, --verbose            Log debug messages\n"
               "  -h, --help               Show this help\n"
               "      --version            Show the version\n",
               arg_once_interval_ms);
}

static int parse_argv(int argc, char **argv) {
        enum { ARG_ONCE = 0x100, ARG_JSON, ARG_SCOPE, ARG_ROOT, ARG_VERSION, ARG_NO_MLOCK, ARG_ONCE_INTERVAL,
               ARG_CONFIG, ARG_USER, ARG_CHECK_CONFIG, ARG_RECORD, ARG_REPLAY, ARG_RUNTIME_DIR, ARG_SOCKET, ARG_STATE_DIR };
        static const struct option options[] = {
                { "dry-run", no_argument, NULL, 'n' },
                { "once", no_argument, NULL, ARG_ONCE },
                { "json", no_argument, NULL, ARG_JSON },
                { "scope", required_argument, NULL, ARG_SCOPE },
                { "root", required_argument, NULL, ARG_ROOT },
                { "no-mlock", no_argument, NULL, ARG_NO_MLOCK },
                { "once-interval-ms", required_argument, NULL, ARG_ONCE_INTERVAL },
                { "config", required_argument, NULL, ARG_CONFIG },
                { "user", no_argument, NULL, ARG_USER },
                { "check-config", optional_argument, NULL, ARG_CHECK_CONFIG },
                { "record", required_argument, NULL, ARG_RECORD },
                { "runtime-dir", required_argument, NULL, ARG_RUNTIME_DIR },
                { "socket", required_argument, NULL, ARG_SOCKET },
                { "state-dir", required_argument, NULL, ARG_STATE_DIR },
                { "replay", required_argument, NULL, ARG_REPLAY },
                { "verbose", no_argument, NULL, 'v' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                {},
        };
        int c;

        while ((c = getopt_long(argc, argv, "nvh", options, NULL)) >= 0) {
                switch (c) {
                case 'n':
                        arg_dry_run = true;
                        break;
                case ARG_ONCE:
                        arg_once = true;
                        break;
                case ARG_JSON:
                        arg_json = true;
                        break;
                case ARG_SCOPE:
                        arg_scope = optarg;
                        break;
                case ARG_ROOT:
                        arg_root = optarg;
                        break;
                case ARG_NO_MLOCK:
                        arg_no_mlock = true;
                        break;
                case ARG_ONCE_INTERVAL: {
                        char *end;
                        unsigned long v = strtoul(optarg, &end, 10);
                        if (*optarg == '\0' || *end != '\0' || v > 60000) {
                                log_error("--once-interval-ms: expected 0..60000, got '%s'", optarg);
                                return -EINVAL;
                        }
                        arg_once_interval_ms = (unsigned) v;
                        break;
                }
                case ARG_CONFIG:
                        arg_config = optarg;
                        break;
                case ARG_USER:
                        arg_user = true;
                        break;
                case ARG_RECORD:
                        arg_record = optarg;
                        break;
                case ARG_RUNTIME_DIR:
                        arg_runtime_dir = optarg;
                        break;
                case ARG_STATE_DIR:
                        arg_state_dir = optarg;
                        break;
                case ARG_SOCKET:
                        if (optarg[0] != '/') {
                                log_error("--socket %s: expected an absolute path", optarg);
                                return -EINVAL;
                        }
                        arg_socket = optarg;
                        break;
                case ARG_REPLAY:
                        arg_replay = optarg;
                        break;
                case ARG_CHECK_CONFIG:
                        /* "--check-config FILE" as well as "--check-config=FILE". */
                        arg_check_config = true;
                        if (optarg)
                                arg_check_file = optarg;
                        else if (optind < argc && argv[optind][0] != '-')
                                arg_check_file = argv[optind++];
                        break;
                case 'v':
                        hr_log_set_max_level(LOG_DEBUG);
                        break;
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("headroomd %s\n", HR_VERSION);
                        return 0;
                default:
                        fprintf(stderr, "Try 'headroomd --help'.\n");
                        return -EINVAL;
                }
        }
        if (optind < argc) {
                log_error("Unexpected argument '%s'. Try 'headroomd --help'.", argv[optind]);
                return -EINVAL;
        }
        if (arg_check_file && arg_config) {
                log_error("--check-config FILE and --config FILE name two files; give one");
                return -EINVAL;
        }
        if (arg_json && !arg_once) {
                log_error("--json needs --once");
                return -EINVAL;
        }
        if (arg_root && !arg_dry_run && !arg_once && !arg_replay) {
                log_error("--root reads a fixture tree: it needs --dry-run (actions only act on the real system)");
                return -EINVAL;
        }
        return 1;
}

static int run_once(HrMonitor *m) {
        int r = hr_monitor_tick(m, hr_now());
        if (r < 0)
                return r;
        if (arg_once_interval_ms > 0) {
                struct timespec ts = { .tv_sec = arg_once_interval_ms / 1000,
                                       .tv_nsec = (long) (arg_once_interval_ms % 1000) * 1000000L };
                (void) nanosleep(&ts, NULL);
                r = hr_monitor_tick(m, hr_now());
                if (r < 0)
                        return r;
        }
        if (arg_json) {
                json_object *o = hr_report_json(m);
                if (!o)
                        return log_error_errno(-ENOMEM, "Cannot build the JSON report: %m");
                puts(json_object_to_json_string_ext(o, isatty(STDOUT_FILENO) ? JSON_C_TO_STRING_PRETTY
                                                                               : JSON_C_TO_STRING_PLAIN));
                json_object_put(o);
        } else
                hr_report_text(m, stdout);
        return fflush(stdout) == 0 ? 0 : -EIO;
}

/* Config: --check-config prints every error as FILE:LINE: problem on stderr, or "configuration OK". */
static int check_config(const HrConfPaths *paths) {
        HrConfErrors errors = {};
        HrConfig cfg;
        size_t n_files = 0;
        int r;

        r = hr_conf_load(paths, &cfg, &errors, &n_files);
        for (size_t i = 0; i < errors.n; i++)
                fprintf(stderr, "%s\n", errors.lines[i]);
        hr_conf_errors_done(&errors);
        if (r == -EINVAL)
                return r;
        if (r < 0)
                return log_error_errno(r, "Cannot load the configuration: %m");
        size_t n_builtin = 0;
        for (size_t i = 0; i < cfg.n_rules; i++)
                n_builtin += cfg.rules[i].builtin;
        printf("configuration OK: %zu file%s read, %zu rules (%zu built-in)\n", n_files, n_files == 1 ? "" : "s",
               cfg.n_rules, n_builtin);
        hr_config_done(&cfg);
        return fflush(stdout) == 0 ? 0 : -EIO;
}

/* Loads the configuration into *ret, or logs every error and fails. */
static int load_config(const HrConfPaths *paths, HrConfig *ret) {
        HrConfErrors errors = {};
        int r;

        r = hr_conf_load(paths, ret, &errors, NULL);
        for (size_t i = 0; i < errors.n; i++)
                log_error("%s", errors.lines[i]);
        hr_conf_errors_done(&errors);
        if (r == -EINVAL)
                return log_error_errno(r, "Invalid configuration, not starting (check with --check-config)");
        if (r < 0)
                return log_error_errno(r, "Cannot load the configuration: %m");
        return 0;
}

static void hr_fclosep(FILE **f) {
        if (*f)
                (void) fclose(*f);
}

static void protect_self(void) {
        int adj, r;

        if (!arg_no_mlock) {
                r = hr_self_lock_memory(64);
                if (r < 0)
                        log_warning_errno(r, "mlockall() failed (%m; needs CAP_IPC_LOCK or a larger "
                                          "RLIMIT_MEMLOCK), continuing unlocked");
        }
        r = hr_self_lower_oom_score_adj(-1000, &adj);
        if (r < 0)
                log_warning_errno(r, "Cannot lower our oom_score_adj (%m), continuing");
        else if (r > 0)
                log_info("oom_score_adj %d (-1000 needs CAP_SYS_RESOURCE or OOMScoreAdjust= in the unit)", adj);
        else
                log_debug("oom_score_adj %d", adj);
}

static int run(int argc, char **argv) {
        HrMonitorOptions o;
        static HrMonitor m; /* large (two samples): static, not on the stack */
        static HrConfPaths conf_paths; /* config: the monitor re-reads these on SIGHUP */
        HrConfig config = {};
        _cleanup_(hr_fclosep) FILE *record = NULL;
        int r;

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r;

        r = hr_conf_paths_init(&conf_paths, arg_user, arg_check_file ? arg_check_file : arg_config);
        if (r < 0)
                log_warning_errno(r, "--user: no $XDG_CONFIG_HOME or $HOME (%m), reading no user configuration");
        if (arg_check_config)
                return check_config(&conf_paths);

        r = load_config(&conf_paths, &config);
        if (r < 0)
                return r;
        if (arg_replay) {
                /* The same classification and policy over a recording: same file, same output. */
                r = hr_replay(arg_replay, &config, stdout);
                hr_config_done(&config);
                return r;
        }
        if (arg_record) {
                record = fopen(arg_record, "we");
                if (!record) {
                        r = log_error_errno(-errno, "--record %s: cannot open: %m", arg_record);
                        hr_config_done(&config);
                        return r;
                }
        }

        static char runtime_dir[PATH_MAX];
        if (arg_runtime_dir)
                (void) snprintf(runtime_dir, sizeof runtime_dir, "%s", arg_runtime_dir);
        else if (arg_user) {
                const char *x = getenv("XDG_RUNTIME_DIR");
                if (!x || x[0] != '/') {
                        hr_config_done(&config);
                        return log_error_errno(-ENOENT, "--user: XDG_RUNTIME_DIR is not set; give --runtime-dir");
                }
                (void) snprintf(runtime_dir, sizeof runtime_dir, "%s/headroom", x);
        } else
                (void) snprintf(runtime_dir, sizeof runtime_dir, "/run/headroom");

        hr_monitor_options_default(&o);
        o.conf_paths = &conf_paths;
        o.runtime_dir = runtime_dir;
        /* The control socket, unless this run only measures (--once) or reads a fixture tree (--root). */
        static char socket_path[PATH_MAX];
        (void) snprintf(socket_path, sizeof socket_path, "%s", arg_socket ? arg_socket : runtime_dir);
        if (!arg_socket)
                (void) snprintf(socket_path + strlen(socket_path), sizeof socket_path - strlen(socket_path),
                                "/headroom.sock");
        o.socket_path = arg_once || (arg_root && !arg_socket) ? NULL : socket_path;
        o.user_mode = arg_user;
        /* Incident clips: in the state directory (made if missing), unless this run only measures. */
        static char incident_dir[PATH_MAX];
        const char *xdg_state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
        if (arg_state_dir)
                (void) snprintf(incident_dir, sizeof incident_dir, "%s/incidents", arg_state_dir);
        else if (!arg_user)
                (void) snprintf(incident_dir, sizeof incident_dir, "/var/lib/headroom/incidents");
        else if (xdg_state && xdg_state[0] == '/')
                (void) snprintf(incident_dir, sizeof incident_dir, "%s/headroom/incidents", xdg_state);
        else if (home && home[0] == '/')
                (void) snprintf(incident_dir, sizeof incident_dir, "%s/.local/state/headroom/incidents", home);
        if (incident_dir[0] && !arg_once && !arg_root) {
                char parent[PATH_MAX];
                (void) snprintf(parent, sizeof parent, "%s", incident_dir);
                *strrchr(parent, '/') = '\0';
                for (char *p = parent + 1; *p; p++)
                        if (*p == '/') {
                                *p = '\0';
                                (void) mkdir(parent, 0755);
                                *p = '/';
                        }
                if (mkdir(parent, 0700) < 0 && errno != EEXIST)
                        log_warning_errno(-errno, "%s: cannot create the state directory (%m); no incident clips",
                                          parent);
                o.incident_dir = incident_dir;
        }
        o.root = arg_root;
        o.scope = arg_scope;
        o.dry_run = arg_dry_run || arg_once; /* --once measures; it never acts */
        o.record = record;

        /* System mode keeps only its capabilities from here on (daemon/caps.h): before the monitor opens triggers,
         * sockets and directories, so start-up needs no more than a reload or the pressure path will. */
        if (!arg_once) {
                r = hr_caps_drop(&config, arg_user);
                if (r < 0) {
                        hr_config_done(&config);
                        return r;
                }
        }
        r = hr_monitor_init(&m, &o, &config);
        if (r < 0) {
                hr_monitor_done(&m);
                return r;
        }
        if (arg_once)
                r = run_once(&m);
        else {
                protect_self();
                r = hr_monitor_run(&m);
        }
        hr_monitor_done(&m);
        return r;
}

int main(int argc, char **argv) {
        int r = run(argc, argv);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
