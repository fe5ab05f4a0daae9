/* SPDX-License-Identifier: MIT */
/* Integration tests of real actions on real children in a cgroup the test creates: headroomd --scope
 * (not a dry run) under real pressure freezes the expendable children, kills the leaker, never touches
 * the compositor or a protected process, and thaws the rest once pressure is gone; SIGTERM thaws
 * everything; a SIGKILLed daemon leaves its children frozen and a restart thaws them from its registry;
 * a build driver with KillGroup= takes its process group with it, never a shell in another group. */
#include <dirent.h>
#include <setjmp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "itest.h"

#define N_TABS 3

static struct {
        ItestCgroup cg;
        bool zram_ours;
        char dir[256];        /* temp dir: configs, runtime dir, program copies */
        pid_t tabs[N_TABS];   /* expendable heavy: "chrome ... --type=renderer" */
        pid_t indexer;        /* expendable background: "tracker-miner-fs-3" */
        pid_t shell;          /* critical: "gnome-shell" */
        pid_t keeper;         /* on the test config's protect list */
        pid_t leaker;         /* normal priority, growing 8 MiB/s */
        pid_t make;           /* KillGroup=: a process group leader "make"... */
        pid_t cc[2];          /* ... and two "cc1" in its group */
        pid_t sh;             /* "shell": a session leader (its own session and group) */
        pid_t coop;           /* "coop": idle, 1.5 GiB, sheds it on SIGUSR1 (the warning tests) */
        pid_t ckpt;           /* "ckpt": idle, checkpointed with CRIU */
        pid_t restored;       /* ckpt's pid once CRIU restored it (not our child) */
        char app[600];        /* a child cgroup named like an app scope ("" if none) */
        char app2[600];       /* a second one (test_cgroup_relief's compositor) */
        pid_t daemon;
        ItestLog log;
} env;

/* Starts a copy of the test hog named `name` inside the test's cgroup: hog MODE SECONDS [ARG]. */
/* pgrp: 0 leaves the process group alone, SPAWN_SESSION makes it a session leader (setsid), SPAWN_GROUP the
 * leader of a process group of its own, else it joins pgrp. Returns once the child runs the hog. */
#define SPAWN_SESSION (-1)
#define SPAWN_GROUP (-2)
static pid_t spawn_in(const char *name, const char *mode, const char *secs, const char *arg, pid_t pgrp) {
        char exe[512];
        snprintf(exe, sizeof exe, "%s/%s", env.dir, name);
        if (access(exe, X_OK) < 0) {
                char cmd[1200];
                snprintf(cmd, sizeof cmd, "cp '%s' '%s'", getenv("HR_HOG"), exe);
                if (system(cmd) != 0)
                        return -1;
        }
        /* Closed on exec: the parent returns once the child is in its cgroup and running the hog, so a test that
         * moves it elsewhere next (an app scope) is never undone by the child's own late cgroup entry. */
        int ready[2];
        if (pipe2(ready, O_CLOEXEC) < 0)
                return -1;
        pid_t pid = fork();
        if (pid != 0) {
                char c;
                (void) close(ready[1]);
                while (pid > 0 && read(ready[0], &c, 1) < 0 && errno == EINTR)
                        ;
                (void) close(ready[0]);
                return pid;
        }
        (void) close(ready[0]);
        if (pgrp == SPAWN_SESSION ? setsid() < 0 : pgrp != 0 && setpgid(0, pgrp == SPAWN_GROUP ? 0 : pgrp) < 0)
                _exit(89);
        if (pgrp == SPAWN_SESSION) { /* a session of its own, and no pipes to the test runner (CRIU dumps what it holds) */
                int null_fd = open("/dev/null", O_RDWR);
                if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(null_fd, 1) < 0 || dup2(null_fd, 2) < 0)
                        _exit(88);
        }
        if (itest_cgroup_enter(&env.cg) < 0)
                _exit(90);
        execl(exe, name, mode, secs, arg, (char *) NULL);
        _exit(91);
}

static pid_t spawn(const char *name, const char *mode, const char *secs, const char *arg) {
        return spawn_in(name, mode, secs, arg, 0);
}

static pid_t spawn_daemon(const char *config) {
        char rt[300], rec[300];
        snprintf(rt, sizeof rt, "%s/run", env.dir);
        snprintf(rec, sizeof rec, "%s/record.jsonl", env.dir); /* what the policy saw, for a failure's report */
        char state[300];
        snprintf(state, sizeof state, "%s/state", env.dir); /* incident clips */
        const char *args[] = { "--no-mlock", "--scope", env.cg.v2, "--config", config, "--runtime-dir", rt,
                               "--record", rec, "--state-dir", state, NULL };
        return itest_spawn_daemon(&env.log, args);
}

/* On a failure: the leaker as the policy saw it in the last recorded ticks. */
static void report_leaker(void) {
        char cmd[600], buf[512];
        int status = 0;
        snprintf(cmd, sizeof cmd, "grep -o '{\"pid\":[^}]*\"comm\":\"leaker\"[^}]*}' '%s/record.jsonl' | tail -3 >&2",
                 env.dir);
        (void) !system(cmd);
        /* How it ended (if it did), and whether the kernel's OOM killer got there first. */
        if (env.leaker > 0 && waitpid(env.leaker, &status, WNOHANG) == env.leaker) {
                fprintf(stderr, "leaker ended: %s %d\n", WIFSIGNALED(status) ? "signal" : "exit",
                        WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
                env.leaker = 0;
        }
        snprintf(cmd, sizeof cmd, "%s/memory.oom_control", env.cg.v1[0] ? env.cg.v1 : env.cg.v2);
        if (env.cg.v1[0] && itest_read(cmd, buf, sizeof buf) == 0)
                fprintf(stderr, "%s:\n%s", cmd, buf);
        snprintf(cmd, sizeof cmd, "%s/memory.events", env.cg.v2);
        if (!env.cg.v1[0] && itest_read(cmd, buf, sizeof buf) == 0)
                fprintf(stderr, "%s:\n%s", cmd, buf);
}

/* Waits until every pid is (or is not) stopped, up to `seconds`. */
static bool wait_states(const pid_t *pids, unsigned n, bool stopped, double seconds) {
        double end = itest_now() + seconds;
        for (;;) {
                unsigned ok = 0;
                for (unsigned i = 0; i < n; i++)
                        ok += (itest_proc_state(pids[i]) == 'T') == stopped;
                if (ok == n)
                        return true;
                if (itest_now() > end)
                        return false;
                itest_sleep_ms(50);
        }
}

static void stop_daemon(int sig, int want_status) {
        int status = 0;
        assert_int_equal(kill(env.daemon, sig), 0);
        assert_int_equal(waitpid(env.daemon, &status, 0), env.daemon);
        env.daemon = 0;
        if (want_status >= 0) {
                assert_true(WIFEXITED(status));
                assert_int_equal(WEXITSTATUS(status), want_status);
        } else
                assert_true(WIFSIGNALED(status) && WTERMSIG(status) == -want_status);
}

static const char *config(const char *name, const char *text) {
        static char path[2][300];
        static unsigned k;
        char *p = path[k++ % 2];
        snprintf(p, sizeof path[0], "%s/%s", env.dir, name);
        assert_int_equal(itest_write(p, "%s", text), 0);
        return p;
}

/* Protects "keeper"; calm counts 5 s per level instead of 20 so the test sees the thaw soon. */
#define PROTECT_KEEPER "[Protect keeper]\nComm=^keeper$\n"
#define FAST_CALM "[Pressure]\nCalmSec=5s\n"
/* A leaker growing 8 MiB/s is a runaway by the default 4 MiB/s; 1 MiB/s leaves room for a slow start
 * under reclaim, while idle children (what they hold over their age, well under 1 MiB/s) stay out. */
#define RUNAWAY_1M "[Terminate]\nRunawayMiBPerSec=1\n"

/* Makes this idle machine look ELEVATED (MemAvailable at ~98% counts 30 points) and nothing higher. */
#define LOOKS_ELEVATED                                                                              \
        "[Pressure]\nSwapCredit=0\n"                                                                \
        "MemAvailableStart=100%\nMemAvailableFull=99.99%\nMemAvailableWeight=0.3\n"                 \
        "PsiSomeWeight=0\nPsiFullWeight=0\nSwapFillWeight=0\nSwapIoWeight=0\nRefaultWeight=0\n"

static int setup(void **state) {
        (void) state;
        memset(&env, 0, sizeof env);
        env.log.fd = -1;
        return 0;
}

static int teardown(void **state) {
        (void) state;
        itest_reap(&env.daemon, SIGKILL);
        for (unsigned i = 0; i < N_TABS; i++)
                itest_reap(&env.tabs[i], SIGKILL);
        itest_reap(&env.indexer, SIGKILL);
        itest_reap(&env.shell, SIGKILL);
        itest_reap(&env.keeper, SIGKILL);
        itest_reap(&env.leaker, SIGKILL);
        itest_reap(&env.make, SIGKILL);
        itest_reap(&env.cc[0], SIGKILL);
        itest_reap(&env.cc[1], SIGKILL);
        itest_reap(&env.sh, SIGKILL);
        itest_reap(&env.coop, SIGKILL);
        itest_reap(&env.ckpt, SIGKILL);
        if (env.restored > 0) { /* by the pid we started: CRIU gave it back that pid */
                (void) kill(env.restored, SIGKILL);
                for (int i = 0; i < 100 && kill(env.restored, 0) == 0; i++)
                        itest_sleep_ms(20);
                env.restored = 0;
        }
        if (env.log.fd >= 0)
                close(env.log.fd);
        if (env.app[0]) {
                char path[700];
                snprintf(path, sizeof path, "%s/cgroup.freeze", env.app);
                (void) itest_write(path, "0");
                (void) rmdir(env.app);
                env.app[0] = '\0';
        }
        if (env.app2[0]) {
                (void) rmdir(env.app2);
                env.app2[0] = '\0';
        }
        itest_cgroup_remove(&env.cg);
        itest_swap_teardown(&env.zram_ours);
        if (env.dir[0] && getenv("HR_TEST_KEEP")) /* a run to look into afterwards */
                fprintf(stderr, "kept %s\n", env.dir);
        else if (env.dir[0]) {
                char cmd[400];
                snprintf(cmd, sizeof cmd, "rm -rf '%s'", env.dir);
                (void) !system(cmd);
        }
        return 0;
}

/* The cgroup (memory-limited when limit_mib > 0) and the idle children every test has. */
static void prepare(int limit_mib) {
        char name[64];
        const char *why;

        if (geteuid() != 0)
                ITEST_SKIP("needs root to create cgroups and signal");
        if (access("/proc/pressure/memory", R_OK) < 0)
                ITEST_SKIP("kernel without PSI (boot with psi=1)");
        snprintf(name, sizeof name, "hr-atest-%d", (int) getpid());
        why = itest_cgroup_make(&env.cg, name, limit_mib);
        if (why)
                ITEST_SKIP("%s", why);
        if (limit_mib > 0) {
                why = itest_swap_ensure(&env.zram_ours);
                if (why)
                        ITEST_SKIP("%s", why);
                /* The kernel's OOM killer is the competitor, not the subject: in a v1 memory cgroup it
                 * may kill the leaker within a second of the limit (seen once in CI, before the daemon's
                 * first sample after the PSI trigger). With it off the leaker waits at the limit, stalled
                 * (PSI full), until the daemon acts; the teardown's SIGKILL still ends it if it does not. */
                if (env.cg.v1[0]) {
                        char path[600];
                        snprintf(path, sizeof path, "%s/memory.oom_control", env.cg.v1);
                        if (itest_write(path, "1") < 0)
                                ITEST_SKIP("cannot disable the kernel OOM killer in %s", env.cg.v1);
                }
        }
        snprintf(env.dir, sizeof env.dir, "/tmp/hr-atest-XXXXXX");
        assert_non_null(mkdtemp(env.dir));
        for (unsigned i = 0; i < N_TABS; i++) {
                env.tabs[i] = spawn("chrome", "=24", "600", "--type=renderer");
                assert_true(env.tabs[i] > 0);
        }
        env.shell = spawn("gnome-shell", "=16", "600", NULL);
        env.keeper = spawn("keeper", "=16", "600", NULL);
        assert_true(env.shell > 0 && env.keeper > 0);
}

/* Neither the compositor nor the protected process was named in any action, or stopped. */
static void expect_untouched(void) {
        assert_null(strstr(env.log.buf, "gnome-shell"));
        assert_null(strstr(env.log.buf, "keeper"));
        assert_int_not_equal(itest_proc_state(env.shell), 'T');
        assert_int_not_equal(itest_proc_state(env.keeper), 'T');
        assert_true(itest_proc_state(env.shell) != 0 && itest_proc_state(env.keeper) != 0);
}

static void expect_tabs_frozen(void) {
        bool ok = itest_log_wait(&env.log, "freeze ", N_TABS, 30) && wait_states(env.tabs, N_TABS, true, 5);
        if (!ok)
                fprintf(stderr, "headroomd log:\n%s\n", env.log.buf);
        assert_true(ok);
        assert_null(strstr(env.log.buf, "terminate "));
        assert_null(strstr(env.log.buf, "kill "));
        expect_untouched();
}

static void test_sigterm_thaws_everything(void **state) {
        (void) state;
        prepare(0);
        env.daemon = spawn_daemon(config("elevated.conf", LOOKS_ELEVATED PROTECT_KEEPER));
        expect_tabs_frozen();
        stop_daemon(SIGTERM, 0);
        assert_true(wait_states(env.tabs, N_TABS, false, 5));
}

/* One request over the daemon's control socket (in its runtime directory); the reply line, or "". */
static const char *control(const char *line) {
        static char reply[8192];
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int n = snprintf(sa.sun_path, sizeof sa.sun_path, "%s/run/headroom.sock", env.dir);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        size_t len = 0;
        reply[0] = '\0';
        if (n < 0 || (size_t) n >= sizeof sa.sun_path || fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0 ||
            send(fd, line, strlen(line), MSG_NOSIGNAL) < 0 || send(fd, "\n", 1, MSG_NOSIGNAL) < 0) {
                if (fd >= 0)
                        close(fd);
                return reply;
        }
        double end = itest_now() + 10;
        while (len + 1 < sizeof reply && !memchr(reply, '\n', len) && itest_now() < end) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                if (poll(&p, 1, 100) <= 0)
                        continue;
                ssize_t k = recv(fd, reply + len, sizeof reply - len - 1, 0);
                if (k <= 0)
                        break;
                len += (size_t) k;
                reply[len] = '\0';
        }
        close(fd);
        return reply;
}

/* `unfreeze chrome` over the socket: the frozen tabs are thawed at once and left alone while the pressure
 * (as configured) stays: an unfreeze by hand is not undone by the next tick. */
static void test_unfreeze_by_request(void **state) {
        (void) state;
        prepare(0);
        env.daemon = spawn_daemon(config("elevated.conf", LOOKS_ELEVATED PROTECT_KEEPER));
        expect_tabs_frozen();
        const char *r = control("{\"cmd\":\"unfreeze\",\"target\":\"chrome\"}");
        if (!strstr(r, "\"ok\":true"))
                fprintf(stderr, "reply: %s\nheadroomd log:\n%s\n", r, env.log.buf);
        assert_non_null(strstr(r, "\"ok\":true"));
        assert_non_null(strstr(r, "\"thawed\":["));
        assert_true(wait_states(env.tabs, N_TABS, false, 5));
        /* Still ELEVATED, ticking every second or so: not frozen again. */
        itest_sleep_ms(3000);
        for (unsigned i = 0; i < N_TABS; i++)
                assert_int_not_equal(itest_proc_state(env.tabs[i]), 'T');
        r = control("{\"cmd\":\"list\"}");
        for (unsigned i = 0; i < N_TABS; i++) {
                char needle[32];
                snprintf(needle, sizeof needle, "\"pid\":%d,", (int) env.tabs[i]);
                assert_null(strstr(r, needle));
        }
        /* Nothing frozen by that name any more. */
        r = control("{\"cmd\":\"unfreeze\",\"target\":\"chrome\"}");
        assert_non_null(strstr(r, "\"code\":\"ENOENT\""));
        stop_daemon(SIGTERM, 0);
}

/* User mode with [Notify] Desktop=yes: the freezes are shown as one desktop notification (a stand-in for
 * notify-send records its arguments), not one per process. */
static void test_desktop_notification(void **state) {
        char script[400], text[1200], got[4096];
        (void) state;
        prepare(0);
        snprintf(script, sizeof script, "%s/notify.sh", env.dir);
        assert_int_equal(itest_write(script, "#!/bin/sh\nfor a; do printf '%%s|' \"$a\"; done >> \"$0.log\"\necho >> \"$0.log\"\n"), 0);
        assert_int_equal(chmod(script, 0755), 0);
        snprintf(text, sizeof text, "%s[Notify]\nDesktop=yes\nCommand=%s\n", LOOKS_ELEVATED PROTECT_KEEPER, script);
        char rt[300], state_dir[300];
        snprintf(rt, sizeof rt, "%s/run", env.dir);
        snprintf(state_dir, sizeof state_dir, "%s/state", env.dir);
        const char *args[] = { "--user", "--no-mlock", "--scope", env.cg.v2, "--config", config("notify.conf", text),
                               "--runtime-dir", rt, "--state-dir", state_dir, NULL };
        env.daemon = itest_spawn_daemon(&env.log, args);
        expect_tabs_frozen();
        char log[500];
        snprintf(log, sizeof log, "%s.log", script);
        double end = itest_now() + 10;
        while (itest_read(log, got, sizeof got) < 0 && itest_now() < end)
                itest_sleep_ms(100);
        itest_sleep_ms(500);
        assert_int_equal(itest_read(log, got, sizeof got), 0);
        if (!strstr(got, "Memory pressure: chrome paused|"))
                fprintf(stderr, "notify.sh got: %s\nheadroomd log:\n%s\n", got, env.log.buf);
        assert_non_null(strstr(got, "--app-name=headroom|--urgency|normal|"));
        assert_non_null(strstr(got, "Memory pressure: chrome paused|ELEVATED "));
        assert_null(strchr(strchr(got, '\n') + 1, '\n')); /* one notification for the four freezes */
        stop_daemon(SIGTERM, 0);
}

static void test_restart_after_crash_thaws(void **state) {
        char reg[300], buf[64 * 1024];
        (void) state;
        prepare(0);
        env.daemon = spawn_daemon(config("elevated.conf", LOOKS_ELEVATED PROTECT_KEEPER));
        expect_tabs_frozen();

        /* A crash: nothing runs the daemon's shutdown. The children stay frozen... */
        stop_daemon(SIGKILL, -SIGKILL);
        itest_sleep_ms(300);
        for (unsigned i = 0; i < N_TABS; i++)
                assert_int_equal(itest_proc_state(env.tabs[i]), 'T');
        /* ... and the registry on disk names each of them. */
        snprintf(reg, sizeof reg, "%s/run/registry.json", env.dir);
        assert_int_equal(itest_read(reg, buf, sizeof buf), 0);
        for (unsigned i = 0; i < N_TABS; i++) {
                char want[32];
                snprintf(want, sizeof want, "\"pid\":%d", (int) env.tabs[i]);
                if (!strstr(buf, want))
                        snprintf(want, sizeof want, "\"pid\": %d", (int) env.tabs[i]);
                assert_non_null(strstr(buf, want));
        }

        /* The restart (calm: nothing to freeze) thaws them from the registry. */
        env.daemon = spawn_daemon(config("calm.conf", PROTECT_KEEPER));
        bool ok = itest_log_wait(&env.log, "Previous run: thawed", N_TABS, 15) &&
                  wait_states(env.tabs, N_TABS, false, 5);
        if (!ok)
                fprintf(stderr, "headroomd log:\n%s\n", env.log.buf);
        assert_true(ok);
        stop_daemon(SIGTERM, 0);
}

/* The issue's scenario under real pressure: a leaker in a 256 MiB cgroup next to idle tabs, an
 * indexer, the compositor and a protected process. */
static void test_real_pressure_relief(void **state) {
        char needle[64];
        (void) state;
        prepare(256);
        env.indexer = spawn("tracker-miner-fs-3", "=24", "600", NULL);
        assert_true(env.indexer > 0);
        env.daemon = spawn_daemon(config("relief.conf", FAST_CALM RUNAWAY_1M PROTECT_KEEPER));
        assert_true(itest_log_wait(&env.log, "Started", 1, 10));
        env.leaker = spawn("leaker", "+8", "300", NULL);
        assert_true(env.leaker > 0);

        /* Expendable first: the tabs and the indexer are frozen; the leaker is the one terminated, as the scope's
         * MemAvailable under its 256 MiB limit runs out (or earlier, on a PSI spike), before the kernel's memcg
         * reclaim gives up (with the OOM killer off that left it asleep in the OOM wait, no stall PSI counts). */
        pid_t needle_pid = env.leaker;
        snprintf(needle, sizeof needle, " %d (leaker, priority 50", (int) env.leaker);
        bool ok = itest_log_wait(&env.log, needle, 1, 120);
        if (ok) {
                int status = 0;
                /* It is our child: reap it once the daemon's signal has ended it. */
                double end = itest_now() + 30;
                while (waitpid(env.leaker, &status, WNOHANG) == 0 && itest_now() < end)
                        itest_sleep_ms(50);
                ok = WIFSIGNALED(status) && (WTERMSIG(status) == SIGKILL || WTERMSIG(status) == SIGTERM);
                if (ok)
                        env.leaker = 0;
        }
        if (!ok) {
                fprintf(stderr, "headroomd log:\n%s\n", env.log.buf);
                report_leaker();
        }
        assert_true(ok);
        assert_true(strstr(env.log.buf, "freeze ") != NULL);
        expect_untouched();

        /* Pressure gone: one level down per 5 s of calm, then everything frozen is thawed. */
        ok = itest_log_wait(&env.log, "-> NORMAL", 1, 90);
        pid_t frozen[N_TABS + 1];
        memcpy(frozen, env.tabs, sizeof env.tabs);
        frozen[N_TABS] = env.indexer;
        ok = ok && wait_states(frozen, N_TABS + 1, false, 30);
        if (!ok)
                fprintf(stderr, "headroomd log:\n%s\n", env.log.buf);
        assert_true(ok);
        for (unsigned i = 0; i <= N_TABS; i++)
                assert_true(itest_proc_state(frozen[i]) != 0); /* thawed, not killed */
        expect_untouched();
        stop_daemon(SIGTERM, 0);
        fprintf(stderr, "%s", env.log.buf);

        /* The flight recorder kept the episode: a clip naming the kill (written by the stop at the latest). */
        char cmd[1200];
        snprintf(cmd, sizeof cmd, "grep -lE '(kill|terminate) %d \\(leaker' '%s'/state/incidents/incident-*.json",
                 (int) needle_pid, env.dir);
        assert_int_equal(system(cmd), 0);
}

/* Makes this idle machine look CRITICAL (70 points from MemAvailable, below EMERGENCY's 80), with no
 * runaway (a child that just filled its memory has a high lifetime growth). */
#define LOOKS_CRITICAL                                                                              \
        "[Pressure]\nSwapCredit=0\n"                                                                \
        "MemAvailableStart=100%\nMemAvailableFull=99.99%\nMemAvailableWeight=0.7\n"                 \
        "PsiSomeWeight=0\nPsiFullWeight=0\nSwapFillWeight=0\nSwapIoWeight=0\nRefaultWeight=0\n"    \
        "[Terminate]\nRunawayMiBPerSec=1048576\n"

/* Waits for the child to end and reaps it: true when a signal the daemon sends ended it. */
static bool reaped_by_signal(pid_t *pid, double seconds) {
        double end = itest_now() + seconds;
        int status = 0;
        pid_t r;
        while ((r = waitpid(*pid, &status, WNOHANG)) == 0 && itest_now() < end)
                itest_sleep_ms(50);
        if (r != *pid)
                return false;
        *pid = 0;
        return WIFSIGNALED(status) && (WTERMSIG(status) == SIGTERM || WTERMSIG(status) == SIGKILL);
}

/* A tab alone in a cgroup named like an app scope is frozen with the cgroup freezer, which cgroup.events
 * confirms; the daemon's stop thaws the cgroup the same way. */
static void test_freeze_by_cgroup(void **state) {
        char path[700], buf[256], needle[64];
        (void) state;
        prepare(0);
        snprintf(env.app, sizeof env.app, "%s/app-hrtest-1.scope", env.cg.v2);
        assert_int_equal(mkdir(env.app, 0755), 0);
        snprintf(path, sizeof path, "%s/cgroup.procs", env.app);
        assert_int_equal(itest_write(path, "%d", (int) env.tabs[0]), 0);

        env.daemon = spawn_daemon(config("elevated.conf", LOOKS_ELEVATED PROTECT_KEEPER));
        snprintf(needle, sizeof needle, "freeze %d (chrome", (int) env.tabs[0]);
        bool ok = itest_log_wait(&env.log, needle, 1, 30) && itest_log_wait(&env.log, "[cgroup]", 1, 5) &&
                  itest_log_wait(&env.log, "app-hrtest-1.scope: frozen", 1, 5);
        if (!ok)
                fprintf(stderr, "headroomd log:\n%s\n", env.log.buf);
        assert_true(ok);
        snprintf(path, sizeof path, "%s/cgroup.events", env.app);
        assert_int_equal(itest_read(path, buf, sizeof buf), 0);
        assert_non_null(strstr(buf, "frozen 1"));
        /* The others share the test's cgroup: SIGSTOP for them. */
        assert_true(wait_states(env.tabs + 1, N_TABS - 1, true, 5));

        stop_daemon(SIGTERM, 0);
        assert_int_equal(itest_read(path, buf, sizeof buf), 0);
        assert_non_null(strstr(buf, "frozen 0"));
        assert_true(wait_states(env.tabs + 1, N_TABS - 1, false, 5));
}

/* ---- page-out: a frozen process's memory out to swap ---- */

/* HIGH (50 points from MemAvailable) with no runaway (the tabs just filled their memory). */
#define LOOKS_HIGH                                                                                  \
        "[Pressure]\nSwapCredit=0\n"                                                                \
        "MemAvailableStart=100%\nMemAvailableFull=99.99%\nMemAvailableWeight=0.5\n"                 \
        "PsiSomeWeight=0\nPsiFullWeight=0\nSwapFillWeight=0\nSwapIoWeight=0\nRefaultWeight=0\n"    \
        "[Terminate]\nRunawayMiBPerSec=1048576\n"

/* RssAnon of a process in KiB (UINT64_MAX if gone). */
static uint64_t rss_anon_kib(pid_t pid) {
        char path[64], buf[4096], *p;
        snprintf(path, sizeof path, "/proc/%d/status", (int) pid);
        if (itest_read(path, buf, sizeof buf) < 0 || !(p = strstr(buf, "RssAnon:")))
                return UINT64_MAX;
        return strtoull(p + 8, NULL, 10);
}

/* At HIGH the frozen tabs are paged out one after another (process_madvise on the daemon's worker): each one's
 * anonymous memory leaves RAM for the (zram) swap while it stays frozen, and it runs on after the stop. */
static void test_page_out(void **state) {
        char needle[64];
        const char *why;
        (void) state;
        prepare(0);
        why = itest_swap_ensure(&env.zram_ours);
        if (why)
                ITEST_SKIP("%s", why);
        uint64_t before = 0;
        for (double end = itest_now() + 10; itest_now() < end; itest_sleep_ms(50)) /* the tab fills its 24 MiB */
                if ((before = rss_anon_kib(env.tabs[0])) != UINT64_MAX && before >= 20 * 1024)
                        break;
        assert_true(before != UINT64_MAX && before >= 20 * 1024);

        env.daemon = spawn_daemon(config("high.conf", LOOKS_HIGH PROTECT_KEEPER));
        snprintf(needle, sizeof needle, "page-out %d (chrome", (int) env.tabs[0]);
        bool ok = itest_log_wait(&env.log, "MiB after", N_TABS, 60) && itest_log_wait(&env.log, needle, 2, 5);
        if (!ok)
                fprintf(stderr, "headroomd log:\n%s\n", env.log.buf);
        assert_true(ok);
        assert_null(strstr(env.log.buf, "failed after"));
        assert_int_equal(itest_proc_state(env.tabs[0]), 'T');
        uint64_t after = rss_anon_kib(env.tabs[0]);
        fprintf(stderr, "tab %d: RssAnon %llu KiB before, %llu KiB after its page-out\n", (int) env.tabs[0],
                (unsigned long long) before, (unsigned long long) after);
        assert_true(after < before / 4);
        /* Once per freeze: no second page-out of the same process. */
        assert_int_equal(itest_log_count(&env.log, needle), 2); /* "started" and its result */
        expect_untouched();

        stop_daemon(SIGTERM, 0);
        assert_true(wait_states(env.tabs, N_TABS, false, 5));
        itest_sleep_ms(300); /* running again, it faults its memory back in from swap as it touches it */
        assert_true(rss_anon_kib(env.tabs[0]) != UINT64_MAX);
}

/* ---- cgroup relief on a real cgroup2 tree (the VM: this host's cgroup2 has no controllers) ---- */

/* A cgroup file's first line ("" if unreadable). */
static const char *cg_value(const char *dir, const char *file) {
        static char buf[256];
        char path[800];
        snprintf(path, sizeof path, "%s/%s", dir, file);
        if (itest_read(path, buf, sizeof buf) < 0)
                buf[0] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        return buf;
}

/* A child of the current env.cg.v2 holding one spawned process; returns its pid. */
static pid_t spawn_in_child(const char *parent, char *dir, size_t size, const char *unit, const char *name, const char *mode,
                            const char *arg) {
        char saved[sizeof env.cg.v2];
        snprintf(dir, size, "%s/%s", parent, unit);
        assert_int_equal(mkdir(dir, 0755), 0);
        memcpy(saved, env.cg.v2, sizeof saved);
        snprintf(env.cg.v2, sizeof env.cg.v2, "%s", dir);
        pid_t pid = spawn(name, mode, "600", arg);
        memcpy(env.cg.v2, saved, sizeof saved);
        assert_true(pid > 0);
        return pid;
}

/* At HIGH an expendable app cgroup is throttled (cpu.weight, cpu.max) and capped (memory.high), and a critical one
 * protected (memory.low): the kernel takes the values. A crash leaves them set; the next start gives them back; a
 * clean stop gives back what that run set. */
static void test_cgroup_relief(void **state) {
        char mnt[256], path[700], buf[256], name[64];
        (void) state;
        if (geteuid() != 0)
                ITEST_SKIP("needs root to create cgroups");
        if (!itest_find_cgroup2(mnt, sizeof mnt))
                ITEST_SKIP("no cgroup2 mount");
        snprintf(path, sizeof path, "%s/cgroup.controllers", mnt);
        if (itest_read(path, buf, sizeof buf) < 0 || !strstr(buf, "cpu") || !strstr(buf, "memory"))
                ITEST_SKIP("cgroup2 here has no cpu and memory controllers (a hybrid host): vm-actions runs this");
        snprintf(path, sizeof path, "%s/cgroup.subtree_control", mnt);
        (void) itest_write(path, "+cpu +memory");
        snprintf(name, sizeof name, "hr-ctest-%d", (int) getpid());
        snprintf(env.cg.v2, sizeof env.cg.v2, "%s/%s", mnt, name);
        assert_int_equal(mkdir(env.cg.v2, 0755), 0);
        snprintf(path, sizeof path, "%s/cgroup.subtree_control", env.cg.v2);
        if (itest_write(path, "+cpu +memory") < 0)
                ITEST_SKIP("cannot enable cpu and memory below %s", env.cg.v2);
        snprintf(env.dir, sizeof env.dir, "/tmp/hr-atest-XXXXXX");
        assert_non_null(mkdtemp(env.dir));

        env.tabs[0] = spawn_in_child(env.cg.v2, env.app, sizeof env.app, "app-tab-1.scope", "chrome", "=24",
                                     "--type=renderer");
        env.shell = spawn_in_child(env.cg.v2, env.app2, sizeof env.app2, "compositor.service", "gnome-shell", "=16", NULL);
        assert_string_equal(cg_value(env.app, "cpu.weight"), "100");
        assert_string_equal(cg_value(env.app, "memory.high"), "max");
        itest_sleep_ms(300); /* both have touched their memory */

        /* A scoped daemon leaves the machine's own knobs alone (MGLRU's min_ttl_ms: the VM's 6.1 has MGLRU). */
        char ttl0[32] = "";
        bool mglru = itest_read("/sys/kernel/mm/lru_gen/min_ttl_ms", ttl0, sizeof ttl0) == 0;
        ttl0[strcspn(ttl0, "\n")] = '\0';
        /* Freezing off: a frozen cgroup is not capped (it cannot grow; page-out reclaims it). */
        env.daemon = spawn_daemon(config("high.conf", LOOKS_HIGH "[Kernel]\nMglruMinTtlMs=1234\n[Freeze]\nEnable=no\n"));
        bool ok = itest_log_wait(&env.log, "throttle /", 1, 30) && itest_log_wait(&env.log, "cap /", 1, 10) &&
                  itest_log_wait(&env.log, "protect /", 1, 10);
        if (!ok)
                fprintf(stderr, "headroomd log:\n%s\n", env.log.buf);
        assert_true(ok);
        fprintf(stderr, "set: cpu.weight %s, ", cg_value(env.app, "cpu.weight"));
        fprintf(stderr, "cpu.max %s, ", cg_value(env.app, "cpu.max"));
        fprintf(stderr, "memory.high %s, ", cg_value(env.app, "memory.high"));
        fprintf(stderr, "compositor memory.low %s\n", cg_value(env.app2, "memory.low"));
        assert_string_equal(cg_value(env.app, "cpu.weight"), "10");
        assert_string_equal(cg_value(env.app, "cpu.max"), "50000 100000");
        uint64_t high = strtoull(cg_value(env.app, "memory.high"), NULL, 10);
        assert_true(high >= 16u << 20 && high < 64u << 20); /* what it holds, at least 16 MiB */
        uint64_t low = strtoull(cg_value(env.app2, "memory.low"), NULL, 10);
        assert_true(low >= 8u << 20); /* what the compositor holds (its 16 MiB, rounded by the kernel to pages) */

        if (mglru) {
                assert_string_equal(cg_value("/sys/kernel/mm/lru_gen", "min_ttl_ms"), ttl0);
                assert_non_null(strstr(env.log.buf, "MglruMinTtlMs=1234: not with --scope"));
        }

        /* A crash: the values stay; the next start (calm) gives them back before anything else. */
        stop_daemon(SIGKILL, -SIGKILL);
        assert_string_equal(cg_value(env.app, "cpu.weight"), "10");
        env.daemon = spawn_daemon(config("calm.conf", "[Cgroup]\nProtect=no\n"));
        ok = itest_log_wait(&env.log, "Started", 1, 20);
        if (!ok || !strstr(env.log.buf, "back its cpu.weight=100"))
                fprintf(stderr, "headroomd log:\n%s\n", env.log.buf);
        assert_true(ok);
        assert_non_null(strstr(env.log.buf, "back its cpu.weight=100"));
        assert_string_equal(cg_value(env.app, "cpu.weight"), "100");
        assert_string_equal(cg_value(env.app, "cpu.max"), "max 100000");
        assert_string_equal(cg_value(env.app, "memory.high"), "max");
        assert_string_equal(cg_value(env.app2, "memory.low"), "0");
        assert_int_not_equal(itest_proc_state(env.tabs[0]), 'T');
        if (mglru)
                assert_string_equal(cg_value("/sys/kernel/mm/lru_gen", "min_ttl_ms"), ttl0);

        /* At NORMAL: the compositor protected; the idle tab's cold pages reclaimed in a step (memory.reclaim), which
         * the kernel takes out of its memory.current. Protection set by this run is given back by its clean stop. */
        stop_daemon(SIGTERM, 0);
        uint64_t tab_before = strtoull(cg_value(env.app, "memory.current"), NULL, 10);
        env.daemon = spawn_daemon(
                config("normal.conf", "[Cgroup]\nReclaimIdleSec=1s\nReclaimIntervalSec=1s\nProtectHard=yes\n"));
        ok = itest_log_wait(&env.log, "protect /", 1, 90) && /* at its first plan (--record: every tick) */
             itest_log_wait(&env.log, "reclaim /", 1, 60);
        if (!ok)
                fprintf(stderr, "headroomd log:\n%s\n", env.log.buf);
        assert_true(ok);
        assert_true(strtoull(cg_value(env.app2, "memory.min"), NULL, 10) > 0); /* ProtectHard=yes */
        assert_string_equal(cg_value(env.app2, "memory.low"), "0");
        uint64_t tab_after = strtoull(cg_value(env.app, "memory.current"), NULL, 10);
        fprintf(stderr, "reclaim: the idle tab's memory.current %llu -> %llu\n", (unsigned long long) tab_before,
                (unsigned long long) tab_after);
        assert_true(tab_after < tab_before);
        stop_daemon(SIGTERM, 0);
        assert_string_equal(cg_value(env.app2, "memory.min"), "0");
        snprintf(path, sizeof path, "%s/run/cgroups", env.dir);
        assert_int_equal(access(path, F_OK), -1); /* nothing left to give back */
}

/* ---- emergency hibernate ---- */

/* Hibernate=yes: EMERGENCY held for HibernateAfterSec runs the command, once; with every other family off nothing
 * else is touched. The command here only leaves a mark. */
static void test_hibernate(void **state) {
        char conf[1600], marker[400];
        (void) state;
        prepare(0);
        snprintf(marker, sizeof marker, "%s/hibernated", env.dir);
        snprintf(conf, sizeof conf,
                 "[Pressure]\nSwapCredit=0\nMemAvailableStart=100%%\nMemAvailableFull=99.99%%\nMemAvailableWeight=1\n"
                 "PsiSomeWeight=0\nPsiFullWeight=0\nSwapFillWeight=0\nSwapIoWeight=0\nRefaultWeight=0\n"
                 "[Freeze]\nEnable=no\n[Terminate]\nEnable=no\n[Kill]\nEnable=no\n"
                 "[Kernel]\nHibernate=yes\nHibernateAfterSec=2s\nHibernateCommand=/usr/bin/touch %s\n%s",
                 marker, PROTECT_KEEPER);
        env.daemon = spawn_daemon(config("hibernate.conf", conf));
        bool ok = itest_log_wait(&env.log, "-> EMERGENCY", 1, 30) && itest_log_wait(&env.log, "hibernating", 1, 30);
        for (double end = itest_now() + 5; ok && access(marker, F_OK) < 0 && itest_now() < end;)
                itest_sleep_ms(50);
        if (!ok || access(marker, F_OK) < 0)
                fprintf(stderr, "headroomd log:\n%s\n", env.log.buf);
        assert_true(ok);
        assert_int_equal(access(marker, F_OK), 0);
        assert_true(itest_log_wait(&env.log, "Hibernate command done", 1, 10));
        itest_sleep_ms(3000); /* still EMERGENCY: never a second time */
        assert_int_equal(itest_log_count(&env.log, "hibernating"), 1);
        assert_true(wait_states(env.tabs, N_TABS, false, 1));
        expect_untouched();
        stop_daemon(SIGTERM, 0);
}

/* ---- the warning before the end ---- */

/* A /proc/meminfo value in KiB (0 if missing). */
static uint64_t meminfo_kib(const char *key) {
        char buf[8192], *p;
        if (itest_read("/proc/meminfo", buf, sizeof buf) < 0 || !(p = strstr(buf, key)))
                return 0;
        return strtoull(p + strlen(key) + 1, NULL, 10);
}

/* The child's resident memory in MiB (0 if gone). */
static uint64_t rss_mib(pid_t pid) {
        char path[64], buf[4096], *p;
        snprintf(path, sizeof path, "/proc/%d/status", (int) pid);
        if (itest_read(path, buf, sizeof buf) < 0 || !(p = strstr(buf, "VmRSS:")))
                return 0;
        return strtoull(p + 6, NULL, 10) / 1024;
}

#define COOP_MIB 1536

/* A [Pressure] section that is CRITICAL (70 points from MemAvailable) while a child holds size_mib and
 * calm once that is freed: the MemAvailable ramp sits between now and now + size_mib, a third of it from
 * either edge, so the rest of the machine would have to move that much to change the outcome. */
/* The MemAvailable ramp placed so that size_mib held by the test's process is worth weight x 100 points. */
static const char *pressure_weighted(unsigned size_mib, double weight) {
        static char text[512];
        uint64_t total = meminfo_kib("MemTotal"), avail = meminfo_kib("MemAvailable");
        uint64_t start = avail + (uint64_t) size_mib * 1024 * 2 / 3, full = avail + (uint64_t) size_mib * 1024 / 3;
        assert_true(total > 0 && start < total);
        snprintf(text, sizeof text,
                 "[Pressure]\nSwapCredit=0\nMemAvailableStart=%.2f%%\nMemAvailableFull=%.2f%%\nMemAvailableWeight=%.2f\n"
                 "PsiSomeWeight=0\nPsiFullWeight=0\nSwapFillWeight=0\nSwapIoWeight=0\nRefaultWeight=0\n",
                 100.0 * (double) start / (double) total, 100.0 * (double) full / (double) total, weight);
        return text;
}

/* CRITICAL (70 points) while the test's process holds size_mib. */
static const char *pressure_from(unsigned size_mib) {
        return pressure_weighted(size_mib, 0.7);
}

/* CRITICAL while "coop" holds its memory, calm once it sheds it; the warning hook is `hook`. */
static const char *coop_config(const char *hook) {
        static char text[2048];
        snprintf(text, sizeof text,
                 "%s[Freeze]\nEnable=no\n"
                 "[Terminate]\nRunawayMiBPerSec=1048576\nWarnSec=4s\nWarnHook=/bin/sh %s/%s\n"
                 "[Rule coop]\nComm=^coop$\nPriority=95\n" PROTECT_KEEPER,
                 pressure_from(COOP_MIB), env.dir, hook);
        return config("coop.conf", text);
}

/* Starts "coop" and waits until it holds its memory. */
static void spawn_coop(void) {
        char n[16];
        snprintf(n, sizeof n, "=%d", COOP_MIB);
        env.coop = spawn("coop", n, "600", NULL);
        assert_true(env.coop > 0);
        double end = itest_now() + 60;
        while (rss_mib(env.coop) < COOP_MIB && itest_now() < end)
                itest_sleep_ms(100);
        assert_true(rss_mib(env.coop) >= COOP_MIB);
}

/* Warned, the hook tells "coop" to shed its memory (SIGUSR1): the pressure falls within the window and
 * it is spared, never signalled by the daemon. */
static void test_warning_spares(void **state) {
        char needle[64], hooklog[300], buf[4096];
        (void) state;
        prepare(0);
        snprintf(hooklog, sizeof hooklog, "%s/hook.log", env.dir);
        (void) config("shed.sh", "echo \"$HEADROOM_PID $HEADROOM_COMM $*\" >> \"${0%/*}/hook.log\"; kill -USR1 \"$1\"\n");
        spawn_coop();
        env.daemon = spawn_daemon(coop_config("shed.sh"));

        snprintf(needle, sizeof needle, "warn %d (coop, priority 95", (int) env.coop);
        bool ok = itest_log_wait(&env.log, needle, 1, 30);
        snprintf(needle, sizeof needle, "spare %d (coop, priority 95", (int) env.coop);
        ok = ok && itest_log_wait(&env.log, needle, 1, 30);
        if (!ok) {
                fprintf(stderr, "headroomd log:\n%s\n", env.log.buf);
                if (itest_read(hooklog, buf, sizeof buf) == 0)
                        fprintf(stderr, "hook.log: %s\n", buf);
        }
        assert_true(ok);
        assert_true(strstr(env.log.buf, "SIGTERM in 4.0 s unless the pressure falls") != NULL);
        /* The hook ran with the victim's pid, name and reason, and the victim lives, unstopped. */
        assert_int_equal(itest_read(hooklog, buf, sizeof buf), 0);
        snprintf(needle, sizeof needle, "%d coop %d coop CRITICAL ", (int) env.coop, (int) env.coop);
        if (!strstr(buf, needle))
                fprintf(stderr, "hook.log: %s\n", buf);
        assert_non_null(strstr(buf, needle));
        assert_true(itest_proc_state(env.coop) == 'S');
        assert_true(rss_mib(env.coop) < COOP_MIB / 4);
        assert_null(strstr(env.log.buf, "terminate "));
        assert_null(strstr(env.log.buf, "SIGKILL "));
        expect_untouched();
        stop_daemon(SIGTERM, 0);
}

/* Warned, "coop" ignores it (the hook only logs, then hangs): after the window it is terminated, and the
 * hung hook is killed at its bound. */
static void test_warning_then_terminate(void **state) {
        char needle[64];
        (void) state;
        prepare(0);
        (void) config("ignore.sh", "echo \"$*\" >> \"${0%/*}/hook.log\"; exec sleep 60\n");
        spawn_coop();
        env.daemon = spawn_daemon(coop_config("ignore.sh"));

        snprintf(needle, sizeof needle, "warn %d (coop, priority 95", (int) env.coop);
        bool ok = itest_log_wait(&env.log, needle, 1, 30);
        double warned = itest_now();
        snprintf(needle, sizeof needle, "terminate %d (coop, priority 95", (int) env.coop);
        ok = ok && itest_log_wait(&env.log, needle, 1, 30);
        double terminated = itest_now();
        ok = ok && reaped_by_signal(&env.coop, 15);
        ok = ok && itest_log_wait(&env.log, "killed after", 1, 10);
        if (!ok)
                fprintf(stderr, "headroomd log:\n%s\n", env.log.buf);
        assert_true(ok);
        /* Not before its window (4 s; the log lines are read as they come, so allow for polling). */
        assert_true(terminated - warned > 3.0);
        assert_null(strstr(env.log.buf, "spare "));
        expect_untouched();
        stop_daemon(SIGTERM, 0);
}

/* ---- checkpoint and restore ---- */

#define CKPT_MIB 256

/* Whether dir has an entry whose name starts with prefix. */
static bool has_entry(const char *dir, const char *prefix) {
        struct dirent *de;
        bool found = false;
        DIR *d = opendir(dir);
        while (d && !found && (de = readdir(d)))
                found = strncmp(de->d_name, prefix, strlen(prefix)) == 0;
        if (d)
                closedir(d);
        return found;
}

/* CRITICAL while "ckpt" holds its memory; it is marked Checkpoint=yes and checkpointing is on. No restore
 * (nothing fits under a margin of 1 TiB): that is the next daemon's, from the registry. */
static const char *ckpt_config(const char *images) {
        static char text[2048];
        snprintf(text, sizeof text,
                 "%sCalmSec=2s\n[Freeze]\nEnable=no\n[Thaw]\nMarginMiB=1T\n[Terminate]\nRunawayMiBPerSec=1048576\n"
                 "[Checkpoint]\nEnable=yes\nDirectory=%s\nTimeoutSec=180s\n"
                 "[Rule ckpt]\nComm=^ckpt$\nPriority=95\nCheckpoint=yes\n"
                 PROTECT_KEEPER,
                 pressure_from(CKPT_MIB), images);
        return config("ckpt.conf", text);
}

/* Where the checkpoint images go: under the VM the root is a tmpfs overlay, where images would free no
 * memory; its results share is the host's disk. */
static void ckpt_images(char *buf, size_t size) {
        const char *vm = getenv("HR_VM") ? getenv("HR_VM_RESULTS") : NULL;
        snprintf(buf, size, "%s/images", vm ? vm : env.dir);
}

/* Starts "ckpt" holding mib MiB and waits until it does; returns its pid (env.ckpt). */
static pid_t spawn_ckpt(unsigned mib) {
        char n[16];
        snprintf(n, sizeof n, "=%u", mib);
        env.ckpt = spawn_in("ckpt", n, "600", NULL, SPAWN_SESSION);
        assert_true(env.ckpt > 0);
        double end = itest_now() + 60;
        while (rss_mib(env.ckpt) < mib && itest_now() < end)
                itest_sleep_ms(100);
        assert_true(rss_mib(env.ckpt) >= mib);
        return env.ckpt;
}

/* Waits for the daemon to choose pid for its checkpoint and for the outcome: true when criu dumped it
 * ("Checkpointed"), false when it was terminated instead (the log says why). */
static bool ckpt_outcome(pid_t pid) {
        char needle[96];
        snprintf(needle, sizeof needle, "checkpoint %d (ckpt, priority 95", (int) pid);
        bool ok = itest_log_wait(&env.log, needle, 1, 30);
        snprintf(needle, sizeof needle, "Checkpointed %d (ckpt", (int) pid);
        /* Under TCG, 256 MiB through 9p took seconds alone and over 30 s beside other work: room for it. */
        double stop = itest_now() + 200;
        while (ok && !strstr(env.log.buf, needle) && !strstr(env.log.buf, "terminating instead") && itest_now() < stop)
                (void) itest_log_wait(&env.log, "\n", itest_log_count(&env.log, "\n") + 1, 1);
        if (!ok || (!strstr(env.log.buf, needle) && !strstr(env.log.buf, "terminating instead")))
                fprintf(stderr, "headroomd log:\n%s\n", env.log.buf);
        assert_true(ok);
        return strstr(env.log.buf, needle) != NULL;
}

/* A new daemon (calm: nothing more to do) finds pid's checkpoint in the registry and restores it (env.restored
 * then names it for the teardown). */
static void restore_calm(pid_t pid, const char *images) {
        char calm[600], needle[96];
        env.log.len = 0;
        env.log.buf[0] = '\0';
        snprintf(calm, sizeof calm, "[Pressure]\nCalmSec=2s\n[Checkpoint]\nEnable=yes\nDirectory=%s\nTimeoutSec=180s\n"
                 PROTECT_KEEPER, images);
        env.daemon = spawn_daemon(config("calm.conf", calm));
        snprintf(needle, sizeof needle, "Restored %d (ckpt, priority 95", (int) pid);
        bool ok = itest_log_wait(&env.log, "waits in its checkpoint", 1, 20) && itest_log_wait(&env.log, needle, 1, 200);
        if (!ok)
                fprintf(stderr, "headroomd log:\n%s\n", env.log.buf);
        assert_true(ok);
        env.restored = pid;
}

/* Checkpoint=yes at CRITICAL: with a working CRIU (the VM's 6.1 kernel) the process is dumped to disk and
 * dies; a restarted daemon adopts the checkpoint from the registry and restores it, same pid, same memory,
 * once the pressure allows. Where CRIU fails (criu 3.17 on this host's 6.18 kernel: the vDSO) the log
 * gives criu's own reason and the process is terminated instead. */
static void test_checkpoint(void **state) {
        char images[400], dir[500], comm[64], path[64];
        bool in_vm = getenv("HR_VM") != NULL;
        int status = 0;
        (void) state;
        prepare(0);
        ckpt_images(images, sizeof images);
        pid_t pid = spawn_ckpt(CKPT_MIB);
        bool ok;

        env.daemon = spawn_daemon(ckpt_config(images));
        if (!ckpt_outcome(pid)) {
                /* No working CRIU here: the reason is criu's own, and the process still had to go. */
                const char *line = strstr(env.log.buf, "terminating instead");
                while (line && line > env.log.buf && line[-1] != '\n')
                        line--;
                fprintf(stderr, "no working CRIU here: %.*s\n", line ? (int) strcspn(line, "\n") : 0, line ? line : "");
                assert_false(in_vm);
                assert_true(strstr(env.log.buf, "criu exited with status") || strstr(env.log.buf, "cannot checkpoint ("));
                ok = reaped_by_signal(&env.ckpt, 15);
                if (!ok)
                        fprintf(stderr, "headroomd log:\n%s\n", env.log.buf);
                assert_true(ok);
                stop_daemon(SIGTERM, 0);
                return;
        }

        /* Dumped: the original died with the dump (SIGKILL from criu), the images are on disk. */
        assert_int_equal(waitpid(env.ckpt, &status, 0), env.ckpt);
        env.ckpt = 0;
        assert_true(WIFSIGNALED(status));
        snprintf(dir, sizeof dir, "%d-", (int) pid);
        if (!has_entry(images, dir)) {
                char cmd[600];
                fprintf(stderr, "headroomd log:\n%s\n", env.log.buf);
                snprintf(cmd, sizeof cmd, "ls -laR '%s' >&2", images);
                (void) !system(cmd);
        }
        assert_true(has_entry(images, dir));
        stop_daemon(SIGTERM, 0);

        restore_calm(pid, images);
        snprintf(path, sizeof path, "/proc/%d/comm", (int) pid);
        assert_int_equal(itest_read(path, comm, sizeof comm), 0);
        assert_string_equal(comm, "ckpt\n");
        assert_true(rss_mib(pid) >= CKPT_MIB * 9 / 10);
        /* The images went with the restore. */
        assert_false(has_entry(images, dir));
        stop_daemon(SIGTERM, 0);
        for (const char *l = env.log.buf; (l = strstr(l, "Restored ")); l++)
                fprintf(stderr, "CRIU works here: %.*s\n", (int) strcspn(l, "\n"), l);
}

/* A checkpoint victim we hold frozen: "ckpt" is frozen (SIGSTOP) at HIGH, then the pressure rises to CRITICAL
 * (a reload) and it is chosen for its checkpoint. It is thawed first: with a working CRIU (the VM) it is dumped
 * and restored running, not stopped; where CRIU fails (this host) the SIGTERM that replaces the checkpoint
 * reaches a process that can act on it, and it dies of that SIGTERM, not of the SIGKILL after its grace. */
static void test_checkpoint_frozen(void **state) {
        char needle[96], images[400], text[2048];
        const unsigned mib = 64;
        bool in_vm = getenv("HR_VM") != NULL;
        int status = 0;
        (void) state;
        prepare(0);
        ckpt_images(images, sizeof images);
        pid_t pid = spawn_ckpt(mib);

        /* HIGH (50 points): frozen, nothing ended (no runaway). */
        char tail[1024];
        snprintf(tail, sizeof tail,
                 "CalmSec=2s\n[Thaw]\nMarginMiB=1T\n[Terminate]\nRunawayMiBPerSec=1048576\nGraceCriticalSec=20s\n"
                 "[Checkpoint]\nEnable=yes\nDirectory=%s\nTimeoutSec=180s\n"
                 "[Rule ckpt]\nComm=^ckpt$\nPriority=95\nCheckpoint=yes\n" PROTECT_KEEPER,
                 images);
        snprintf(text, sizeof text, "%s%s", pressure_weighted(mib, 0.5), tail);
        const char *conf = config("ckpt-frozen.conf", text);
        env.daemon = spawn_daemon(conf);
        snprintf(needle, sizeof needle, "freeze %d (ckpt, priority 95", (int) pid);
        bool ok = itest_log_wait(&env.log, needle, 1, 30) && wait_states(&pid, 1, true, 5);
        if (!ok)
                fprintf(stderr, "headroomd log:\n%s\n", env.log.buf);
        assert_true(ok);

        /* CRITICAL: its checkpoint. */
        snprintf(text, sizeof text, "%s%s", pressure_weighted(mib, 0.7), tail);
        (void) config("ckpt-frozen.conf", text);
        assert_int_equal(kill(env.daemon, SIGHUP), 0);
        if (!ckpt_outcome(pid)) {
                /* No working CRIU: terminated instead, and it could act on the SIGTERM (it was thawed for it). */
                assert_false(in_vm);
                double end = itest_now() + 15; /* under the 20 s grace: a SIGKILL would come after */
                pid_t r;
                while ((r = waitpid(env.ckpt, &status, WNOHANG)) == 0 && itest_now() < end)
                        itest_sleep_ms(50);
                if (r != env.ckpt || !WIFSIGNALED(status) || WTERMSIG(status) != SIGTERM)
                        fprintf(stderr, "ckpt: %s; headroomd log:\n%s\n",
                                r != env.ckpt ? "still there" : WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "exited",
                                env.log.buf);
                assert_int_equal(r, env.ckpt);
                env.ckpt = 0;
                assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
                stop_daemon(SIGTERM, 0);
                return;
        }

        /* Dumped (criu killed it), then restored by a calm daemon from the registry: running, not stopped. */
        assert_int_equal(waitpid(env.ckpt, &status, 0), env.ckpt);
        env.ckpt = 0;
        stop_daemon(SIGTERM, 0);
        restore_calm(pid, images);
        itest_sleep_ms(500);
        char state_now = itest_proc_state(pid);
        fprintf(stderr, "restored ckpt %d: state %c\n", (int) pid, state_now);
        assert_true(state_now != 0 && state_now != 'T' && state_now != 't');
        stop_daemon(SIGTERM, 0);
}

/* KillGroup=: "make" is terminated at CRITICAL and the two "cc1" of its process group go with it; the
 * "shell", a session leader in the same cgroup, is named in no action and lives. */
static void test_kill_group(void **state) {
        char needle[128];
        (void) state;

        if (geteuid() != 0)
                ITEST_SKIP("needs root to create cgroups and signal");
        if (access("/proc/pressure/memory", R_OK) < 0)
                ITEST_SKIP("kernel without PSI (boot with psi=1)");
        snprintf(needle, sizeof needle, "hr-atest-%d", (int) getpid());
        const char *why = itest_cgroup_make(&env.cg, needle, 0);
        if (why)
                ITEST_SKIP("%s", why);
        snprintf(env.dir, sizeof env.dir, "/tmp/hr-atest-XXXXXX");
        assert_non_null(mkdtemp(env.dir));

        env.sh = spawn_in("shell", "=4", "600", NULL, SPAWN_SESSION);
        assert_true(env.sh > 0);
        env.make = spawn_in("make", "=4", "600", NULL, SPAWN_GROUP);
        assert_true(env.make > 0);
        assert_int_equal(getpgid(env.make), env.make);
        for (unsigned i = 0; i < 2; i++) {
                env.cc[i] = spawn_in("cc1", "=4", "600", NULL, env.make);
                assert_true(env.cc[i] > 0);
        }
        assert_int_equal(getpgid(env.cc[0]), env.make);
        assert_int_equal(getpgid(env.cc[1]), env.make);
        assert_int_equal(getsid(env.sh), env.sh);

        env.daemon = spawn_daemon(config("group.conf", LOOKS_CRITICAL
                                         "[Rule test-make]\nComm=^make$\nPriority=90\nKillGroup=yes\n"
                                         "[Rule test-shell]\nComm=^shell$\nPriority=30\n"));

        /* make is the victim, and its group goes with it. */
        snprintf(needle, sizeof needle, "terminate %d (make, priority 90", (int) env.make);
        bool ok = itest_log_wait(&env.log, needle, 1, 30);
        for (unsigned i = 0; ok && i < 2; i++) {
                snprintf(needle, sizeof needle, "SIGTERM %d (cc1, priority 50) with its process group leader %d (make): CRITICAL",
                         (int) env.cc[i], (int) env.make);
                ok = itest_log_wait(&env.log, needle, 1, 5);
        }
        ok = ok && reaped_by_signal(&env.make, 15) && reaped_by_signal(&env.cc[0], 15) &&
             reaped_by_signal(&env.cc[1], 15);
        if (!ok)
                fprintf(stderr, "headroomd log:\n%s\n", env.log.buf);
        assert_true(ok);

        /* The shell, in another group and a session leader, is never named and still runs. */
        itest_sleep_ms(1000);
        assert_null(strstr(env.log.buf, "(shell"));
        char st = itest_proc_state(env.sh);
        assert_true(st != 0 && st != 'Z' && st != 'T');
        stop_daemon(SIGTERM, 0);
        fprintf(stderr, "%s", env.log.buf);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_sigterm_thaws_everything, setup, teardown),
                cmocka_unit_test_setup_teardown(test_restart_after_crash_thaws, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unfreeze_by_request, setup, teardown),
                cmocka_unit_test_setup_teardown(test_desktop_notification, setup, teardown),
                cmocka_unit_test_setup_teardown(test_real_pressure_relief, setup, teardown),
                cmocka_unit_test_setup_teardown(test_kill_group, setup, teardown),
                cmocka_unit_test_setup_teardown(test_freeze_by_cgroup, setup, teardown),
                cmocka_unit_test_setup_teardown(test_page_out, setup, teardown),
                cmocka_unit_test_setup_teardown(test_cgroup_relief, setup, teardown),
                cmocka_unit_test_setup_teardown(test_hibernate, setup, teardown),
                cmocka_unit_test_setup_teardown(test_checkpoint, setup, teardown),
                cmocka_unit_test_setup_teardown(test_checkpoint_frozen, setup, teardown),
                cmocka_unit_test_setup_teardown(test_warning_spares, setup, teardown),
                cmocka_unit_test_setup_teardown(test_warning_then_terminate, setup, teardown),
        };
        itest_filter();
        return itest_result(cmocka_run_group_tests(tests, NULL, NULL), sizeof tests / sizeof tests[0]);
}
