/* SPDX-License-Identifier: MIT */
/* Integration tests of real actions on real children in a cgroup the test creates: headroomd --scope
 * (not a dry run) freezes expendable children and never a protected one; SIGTERM thaws them all; a
 * SIGKILLed daemon leaves them frozen and a restart thaws them from its registry. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define N_TABS 3

typedef struct Env {
        char cg[512];         /* the test's cgroup2 directory */
        char dir[256];        /* temp dir: config, runtime dir, program copies */
        pid_t tabs[N_TABS];   /* expendable: "chrome --type=renderer" */
        pid_t shell;          /* critical: "gnome-shell" */
        pid_t daemon;
        int daemon_err;
        char log[128 * 1024];
        size_t log_len;
} Env;

static Env env;
static unsigned n_skipped;

#define SKIP_BECAUSE(...)                                    \
        do {                                                 \
                fprintf(stderr, "SKIP: " __VA_ARGS__);       \
                fputc('\n', stderr);                         \
                n_skipped++;                                 \
                skip();                                      \
        } while (0)

static double now_sec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static int write_str(const char *path, const char *s) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        ssize_t n = write(fd, s, strlen(s));
        int e = n < 0 ? -errno : 0;
        close(fd);
        return e;
}

/* State letter of /proc/PID/stat (after the last ')'), or 0. */
static char proc_state(pid_t pid) {
        char path[64], buf[1024];
        snprintf(path, sizeof path, "/proc/%d/stat", (int) pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0)
                return 0;
        buf[n] = '\0';
        char *p = strrchr(buf, ')');
        return p && p[1] == ' ' ? p[2] : 0;
}

/* Waits until every pid is (or is not) stopped, up to `seconds`. */
static bool wait_states(const pid_t *pids, unsigned n, bool stopped, double seconds) {
        double end = now_sec() + seconds;
        for (;;) {
                unsigned ok = 0;
                for (unsigned i = 0; i < n; i++)
                        ok += (proc_state(pids[i]) == 'T') == stopped;
                if (ok == n)
                        return true;
                if (now_sec() > end)
                        return false;
                struct timespec ts = { .tv_nsec = 50 * 1000 * 1000 };
                nanosleep(&ts, NULL);
        }
}

static bool find_cgroup2(char *ret, size_t size) {
        FILE *f = fopen("/proc/self/mountinfo", "re");
        char line[1024], mnt[256];
        bool found = false;
        if (!f)
                return false;
        while (!found && fgets(line, sizeof line, f))
                if (strstr(line, " - cgroup2 ") && sscanf(line, "%*s %*s %*s %*s %255s", mnt) == 1) {
                        snprintf(ret, size, "%s", mnt);
                        found = true;
                }
        fclose(f);
        return found;
}

/* Starts a copy of the test hog (idle: 1 MiB, then sleeps) named `name`, with `arg` on its command line,
 * inside the test's cgroup. */
static pid_t spawn(const char *name, const char *arg) {
        char exe[512], procs[600];
        snprintf(exe, sizeof exe, "%s/%s", env.dir, name);
        if (access(exe, X_OK) < 0) {
                char cmd[1200];
                snprintf(cmd, sizeof cmd, "cp '%s' '%s'", getenv("HR_HOG"), exe);
                if (system(cmd) != 0)
                        return -1;
        }
        pid_t pid = fork();
        if (pid != 0)
                return pid;
        snprintf(procs, sizeof procs, "%s/cgroup.procs", env.cg);
        if (write_str(procs, "0") < 0)
                _exit(90);
        execl(exe, name, "=1", "600", arg, (char *) NULL);
        _exit(91);
}

static pid_t spawn_daemon(const char *config) {
        char rt[300];
        int p[2];
        snprintf(rt, sizeof rt, "%s/run", env.dir);
        if (pipe2(p, O_CLOEXEC) < 0)
                return -1;
        pid_t pid = fork();
        if (pid == 0) {
                dup2(p[1], STDERR_FILENO);
                execl(getenv("HEADROOMD"), "headroomd", "--no-mlock", "--scope", env.cg, "--config", config,
                      "--runtime-dir", rt, (char *) NULL);
                _exit(93);
        }
        close(p[1]);
        if (env.daemon_err >= 0)
                close(env.daemon_err);
        env.daemon_err = p[0];
        env.log_len = 0;
        env.log[0] = '\0';
        return pid;
}

/* Reads the daemon's log until it contains `count` occurrences of needle, or the deadline. */
static bool wait_log_n(const char *needle, unsigned count, double seconds) {
        double end = now_sec() + seconds;
        for (;;) {
                unsigned n = 0;
                for (const char *p = env.log; (p = strstr(p, needle)); p++)
                        n++;
                if (n >= count)
                        return true;
                double left = end - now_sec();
                if (left <= 0)
                        return false;
                struct pollfd pfd = { .fd = env.daemon_err, .events = POLLIN };
                if (poll(&pfd, 1, (int) (left * 1000) + 1) <= 0)
                        continue;
                ssize_t k = read(env.daemon_err, env.log + env.log_len, sizeof env.log - 1 - env.log_len);
                if (k <= 0)
                        return false;
                env.log_len += (size_t) k;
                env.log[env.log_len] = '\0';
        }
}

static void reap(pid_t *pid, int sig) {
        if (*pid <= 0)
                return;
        /* Our own unreaped child: its PID cannot be reused before this waitpid(). */
        (void) kill(*pid, SIGCONT);
        (void) kill(*pid, sig);
        (void) waitpid(*pid, NULL, 0);
        *pid = 0;
}

/* A config that makes this idle machine look ELEVATED (MemAvailable at 98% counts as 30 points) and
 * nothing higher, so the expendable-heavy tier is frozen and nobody is terminated. */
static void write_configs(char *pressed, char *calm, size_t size) {
        snprintf(pressed, size, "%s/pressed.conf", env.dir);
        snprintf(calm, size, "%s/calm.conf", env.dir);
        assert_int_equal(write_str(pressed, "[Pressure]\nMemAvailableStart=100%\nMemAvailableFull=99.99%\n"
                                            "MemAvailableWeight=0.3\nPsiSomeWeight=0\nPsiFullWeight=0\n"
                                            "SwapFillWeight=0\nSwapIoWeight=0\nRefaultWeight=0\n"),
                         0);
        assert_int_equal(write_str(calm, "# built-in defaults\n"), 0);
}

static int setup(void **state) {
        (void) state;
        memset(&env, 0, sizeof env);
        env.daemon_err = -1;
        return 0;
}

static int teardown(void **state) {
        (void) state;
        reap(&env.daemon, SIGKILL);
        for (unsigned i = 0; i < N_TABS; i++)
                reap(&env.tabs[i], SIGKILL);
        reap(&env.shell, SIGKILL);
        if (env.daemon_err >= 0)
                close(env.daemon_err);
        if (env.cg[0] && rmdir(env.cg) < 0 && errno != ENOENT)
                fprintf(stderr, "cleanup: rmdir %s: %s\n", env.cg, strerror(errno));
        if (env.dir[0]) {
                char cmd[400];
                snprintf(cmd, sizeof cmd, "rm -rf '%s'", env.dir);
                (void) !system(cmd);
        }
        return 0;
}

static void prepare(void) {
        char mnt[256];
        if (geteuid() != 0)
                SKIP_BECAUSE("needs root to create cgroups and signal");
        if (!find_cgroup2(mnt, sizeof mnt))
                SKIP_BECAUSE("no cgroup2 mount");
        snprintf(env.cg, sizeof env.cg, "%s/hr-atest-%d", mnt, (int) getpid());
        if (mkdir(env.cg, 0755) < 0) {
                env.cg[0] = '\0';
                SKIP_BECAUSE("cannot create a cgroup2 directory");
        }
        snprintf(env.dir, sizeof env.dir, "/tmp/hr-atest-XXXXXX");
        assert_non_null(mkdtemp(env.dir));
        for (unsigned i = 0; i < N_TABS; i++) {
                env.tabs[i] = spawn("chrome", "--type=renderer");
                assert_true(env.tabs[i] > 0);
        }
        env.shell = spawn("gnome-shell", "0");
        assert_true(env.shell > 0);
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

/* Frozen by the daemon: the tabs, never the compositor. */
static void expect_tabs_frozen(void) {
        bool ok = wait_log_n("freeze ", N_TABS, 30) && wait_states(env.tabs, N_TABS, true, 5);
        if (!ok)
                fprintf(stderr, "headroomd log:\n%s\n", env.log);
        assert_true(ok);
        assert_int_not_equal(proc_state(env.shell), 'T');
        assert_null(strstr(env.log, "gnome-shell"));
        assert_null(strstr(env.log, "terminate "));
        assert_null(strstr(env.log, "kill "));
}

static void test_sigterm_thaws_everything(void **state) {
        char pressed[300], calm[300];
        (void) state;
        prepare();
        write_configs(pressed, calm, sizeof pressed);

        env.daemon = spawn_daemon(pressed);
        expect_tabs_frozen();
        stop_daemon(SIGTERM, 0);
        assert_true(wait_states(env.tabs, N_TABS, false, 5));
}

static void test_restart_after_crash_thaws(void **state) {
        char pressed[300], calm[300], reg[300], buf[64 * 1024];
        (void) state;
        prepare();
        write_configs(pressed, calm, sizeof pressed);

        env.daemon = spawn_daemon(pressed);
        expect_tabs_frozen();

        /* A crash: nothing runs the daemon's shutdown. The children stay frozen... */
        stop_daemon(SIGKILL, -SIGKILL);
        struct timespec ts = { .tv_nsec = 300 * 1000 * 1000 };
        nanosleep(&ts, NULL);
        for (unsigned i = 0; i < N_TABS; i++)
                assert_int_equal(proc_state(env.tabs[i]), 'T');
        /* ... and the registry on disk names each of them. */
        snprintf(reg, sizeof reg, "%s/run/registry.json", env.dir);
        int fd = open(reg, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        assert_true(n > 0);
        buf[n] = '\0';
        for (unsigned i = 0; i < N_TABS; i++) {
                char want[32];
                snprintf(want, sizeof want, "\"pid\":%d", (int) env.tabs[i]);
                if (!strstr(buf, want))
                        snprintf(want, sizeof want, "\"pid\": %d", (int) env.tabs[i]);
                assert_non_null(strstr(buf, want));
        }

        /* The restart (calm: nothing to freeze) thaws them from the registry. */
        env.daemon = spawn_daemon(calm);
        bool ok = wait_log_n("Previous run: thawed", N_TABS, 15) && wait_states(env.tabs, N_TABS, false, 5);
        if (!ok)
                fprintf(stderr, "headroomd log:\n%s\n", env.log);
        assert_true(ok);
        stop_daemon(SIGTERM, 0);
        (void) wait_log_n("Stopped after", 1, 5);
        fprintf(stderr, "restarted headroomd's log:\n%s\n", env.log);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_sigterm_thaws_everything, setup, teardown),
                cmocka_unit_test_setup_teardown(test_restart_after_crash_thaws, setup, teardown),
        };
        int r = cmocka_run_group_tests(tests, NULL, NULL);
        return r == 0 && n_skipped == sizeof tests / sizeof tests[0] ? 77 : r;
}
