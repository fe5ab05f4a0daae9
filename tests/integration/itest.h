/* SPDX-License-Identifier: MIT */
/* Shared by the real-kernel integration tests: skipping with a reason, cgroups the test creates (memory-
 * limited where asked), zram swap set up and torn down, children in those cgroups, and headroomd's log. */
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Skips with the reason on stderr; main() returns 77 (meson's SKIP) when every test skipped. */
static unsigned itest_n_skipped;
#define ITEST_SKIP(...)                                      \
        do {                                                 \
                fprintf(stderr, "SKIP: " __VA_ARGS__);       \
                fputc('\n', stderr);                         \
                itest_n_skipped++;                           \
                skip();                                      \
        } while (0)
/* HR_TEST_FILTER=GLOB runs only the matching tests (cmocka's filter), for reproducing one of them. */
static inline void itest_filter(void) {
        if (getenv("HR_TEST_FILTER"))
                cmocka_set_test_filter(getenv("HR_TEST_FILTER"));
}

/* main()'s exit status from the run's result (a function: a macro would run the tests twice). */
static inline int itest_result(int r, unsigned n_tests) {
        if (getenv("HR_TEST_FILTER")) /* a run of some tests only: skipped ones are not counted */
                return r;
        return r == 0 && itest_n_skipped == n_tests ? 77 : r;
}

static inline double itest_now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static inline void itest_sleep_ms(long ms) {
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

static inline int __attribute__((format(printf, 2, 3))) itest_write(const char *path, const char *fmt, ...) {
        char *buf = NULL;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&buf, fmt, ap); /* any length: a config text is longer than a cgroup value */
        va_end(ap);
        if (n < 0)
                return -ENOMEM;
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) {
                int e = -errno;
                free(buf);
                return e;
        }
        ssize_t w = write(fd, buf, (size_t) n);
        int e = w < 0 ? -errno : w != n ? -EIO : 0;
        close(fd);
        free(buf);
        return e;
}

static inline int itest_read(const char *path, char *buf, size_t size) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t n = read(fd, buf, size - 1);
        close(fd);
        if (n < 0)
                return -errno;
        buf[n] = '\0';
        return 0;
}

static inline bool itest_find_cgroup2(char *ret, size_t size) {
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

/* State letter of /proc/PID/stat (after the last ')'), or 0 when gone. */
static inline char itest_proc_state(pid_t pid) {
        char path[64], buf[1024];
        snprintf(path, sizeof path, "/proc/%d/stat", (int) pid);
        if (itest_read(path, buf, sizeof buf) < 0)
                return 0;
        char *p = strrchr(buf, ')');
        return p && p[1] == ' ' ? p[2] : 0;
}

/* ---- swap: an existing one, or zram0 set up here and torn down after ---- */

static inline const char *itest_swap_ensure(bool *ours) {
        char buf[4096];
        *ours = false;
        if (itest_read("/proc/swaps", buf, sizeof buf) == 0 && strchr(buf, '\n') && strchr(buf, '\n')[1])
                return NULL;
        if (itest_read("/sys/block/zram0/initstate", buf, sizeof buf) < 0)
                return "no swap and no /sys/block/zram0 (modprobe zram)";
        if (buf[0] != '0')
                return "no swap, and zram0 is initialised for something else";
        (void) itest_write("/sys/block/zram0/comp_algorithm", "lz4");
        if (itest_write("/sys/block/zram0/disksize", "1G") < 0)
                return "cannot size zram0";
        *ours = true;
        if (system("mkswap /dev/zram0 >/dev/null 2>&1") != 0 || system("swapon /dev/zram0") != 0)
                return "mkswap/swapon /dev/zram0 failed";
        return NULL;
}

static inline void itest_swap_teardown(bool *ours) {
        if (!*ours)
                return;
        (void) !system("swapoff /dev/zram0 2>/dev/null");
        (void) itest_write("/sys/block/zram0/reset", "1");
        *ours = false;
}

/* ---- cgroups the test creates ---- */

typedef struct ItestCgroup {
        char v2[512]; /* the cgroup2 directory */
        char v1[512]; /* its v1 memory twin on hybrid systems ("" otherwise) */
} ItestCgroup;

/* Creates <cgroup2>/<name>; with limit_mib > 0 also limits its memory: cgroup2 memory.max where the
 * controller exists (full v2, the VM), else a v1 memory cgroup twin (hybrid hosts). NULL or a reason. */
static inline const char *itest_cgroup_make(ItestCgroup *cg, const char *name, int limit_mib) {
        char mnt[256], buf[512], path[700];

        memset(cg, 0, sizeof *cg);
        if (!itest_find_cgroup2(mnt, sizeof mnt))
                return "no cgroup2 mount";
        snprintf(path, sizeof path, "%s/cgroup.controllers", mnt);
        bool v2_memory = itest_read(path, buf, sizeof buf) == 0 && strstr(buf, "memory");
        if (limit_mib > 0 && v2_memory) {
                snprintf(path, sizeof path, "%s/cgroup.subtree_control", mnt);
                (void) itest_write(path, "+memory");
        }
        snprintf(cg->v2, sizeof cg->v2, "%s/%s", mnt, name);
        if (mkdir(cg->v2, 0755) < 0) {
                cg->v2[0] = '\0';
                return "cannot create a cgroup2 directory";
        }
        snprintf(path, sizeof path, "%s/memory.pressure", cg->v2);
        if (access(path, R_OK) < 0)
                return "no memory.pressure in cgroup2 (PSI disabled? boot with psi=1)";
        if (limit_mib <= 0)
                return NULL;
        if (v2_memory) {
                snprintf(path, sizeof path, "%s/memory.max", cg->v2);
                return itest_write(path, "%dM", limit_mib) < 0 ? "cannot set memory.max" : NULL;
        }
        if (access("/sys/fs/cgroup/memory/cgroup.procs", F_OK) < 0)
                return "no memory controller in cgroup2 and no v1 memory hierarchy";
        snprintf(cg->v1, sizeof cg->v1, "/sys/fs/cgroup/memory/%s", name);
        if (mkdir(cg->v1, 0755) < 0) {
                cg->v1[0] = '\0';
                return "cannot create a v1 memory cgroup";
        }
        snprintf(path, sizeof path, "%s/memory.limit_in_bytes", cg->v1);
        return itest_write(path, "%dM", limit_mib) < 0 ? "cannot set memory.limit_in_bytes" : NULL;
}

/* Moves the calling process into the cgroup (both twins). For a child before exec. */
static inline int itest_cgroup_enter(const ItestCgroup *cg) {
        char path[600];
        snprintf(path, sizeof path, "%s/cgroup.procs", cg->v2);
        if (itest_write(path, "0") < 0)
                return -1;
        if (cg->v1[0]) {
                snprintf(path, sizeof path, "%s/cgroup.procs", cg->v1);
                if (itest_write(path, "0") < 0)
                        return -1;
        }
        return 0;
}

/* Removes the cgroups (empty by now: the test reaped its children). */
static inline void itest_cgroup_remove(ItestCgroup *cg) {
        if (cg->v2[0] && rmdir(cg->v2) < 0 && errno != ENOENT)
                fprintf(stderr, "cleanup: rmdir %s: %s\n", cg->v2, strerror(errno));
        if (cg->v1[0] && rmdir(cg->v1) < 0 && errno != ENOENT)
                fprintf(stderr, "cleanup: rmdir %s: %s\n", cg->v1, strerror(errno));
        cg->v2[0] = cg->v1[0] = '\0';
}

/* Ends a child the test started, by its PID (unreaped, so never reused before this waitpid()). */
static inline void itest_reap(pid_t *pid, int sig) {
        if (*pid <= 0)
                return;
        (void) kill(*pid, sig);
        (void) kill(*pid, SIGCONT);
        (void) waitpid(*pid, NULL, 0);
        *pid = 0;
}

/* ---- headroomd's log, read from a pipe on its stderr ---- */

typedef struct ItestLog {
        int fd;
        char buf[256 * 1024];
        size_t len;
} ItestLog;

static inline unsigned itest_log_count(const ItestLog *l, const char *needle) {
        unsigned n = 0;
        for (const char *p = l->buf; (p = strstr(p, needle)); p++)
                n++;
        return n;
}

/* Reads until needle has appeared `count` times, or the deadline. */
static inline bool itest_log_wait(ItestLog *l, const char *needle, unsigned count, double seconds) {
        double end = itest_now() + seconds;
        for (;;) {
                if (itest_log_count(l, needle) >= count)
                        return true;
                double left = end - itest_now();
                if (left <= 0 || l->fd < 0)
                        return false;
                struct pollfd pfd = { .fd = l->fd, .events = POLLIN };
                if (poll(&pfd, 1, (int) (left * 1000) + 1) <= 0)
                        continue;
                if (l->len + 1 >= sizeof l->buf)
                        return false;
                ssize_t k = read(l->fd, l->buf + l->len, sizeof l->buf - 1 - l->len);
                if (k <= 0)
                        return false;
                l->len += (size_t) k;
                l->buf[l->len] = '\0';
        }
}

/* Starts argv[0] = $HEADROOMD with the given arguments (NULL-terminated), stderr into l. */
static inline pid_t itest_spawn_daemon(ItestLog *l, const char *const *args) {
        const char *argv[32] = { "headroomd" };
        unsigned n = 1;
        int p[2];

        for (; args && *args && n < 31; args++)
                argv[n++] = *args;
        argv[n] = NULL;
        if (pipe2(p, O_CLOEXEC) < 0)
                return -1;
        pid_t pid = fork();
        if (pid == 0) {
                dup2(p[1], STDERR_FILENO);
                execv(getenv("HEADROOMD"), (char *const *) argv);
                _exit(93);
        }
        close(p[1]);
        if (l->fd >= 0)
                close(l->fd);
        l->fd = p[0];
        l->len = 0;
        l->buf[0] = '\0';
        return pid;
}
