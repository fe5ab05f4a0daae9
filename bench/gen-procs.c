/* SPDX-License-Identifier: MIT */
/* Writes a synthetic process tree, DIR/proc/<pid>/{stat,status,cmdline,cgroup,oom_score,oom_score_adj,exe} and
 * DIR/etc/passwd, for bench/scan.sh: N processes with desktop- and server-like names, sizes and cgroups. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake-proc.h"

/* The patterns below are printf formats held in a table. */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

typedef struct Kind {
        const char *comm, *exe, *args, *cgroup;
        uid_t uid;
        uint64_t anon_kib;
        int oom_score_adj;
} Kind;

/* Weighted by repetition: mostly browser tabs, workers and services, as a busy host has. */
static const Kind kinds[] = {
        { "Isolated Web Co", "/usr/lib/firefox/firefox",
          "-contentproc\0-childID\0%u\0-isForBrowser\0-prefsLen\0" "31337\0-prefMapSize\0" "244859\0-jsInitLen\0"
          "234236\0-parentBuildID\0" "20240101000000\0-greomni\0/usr/lib/firefox/omni.ja\0-appomni\0"
          "/usr/lib/firefox/browser/omni.ja\0-appDir\0/usr/lib/firefox/browser\0{3f1f7f2e-5c1b-4f0e-9a9e-%08x}\0"
          "%u\0true\0tab\0",
          "/user.slice/user-1000.slice/user@1000.service/app.slice/app-firefox-%u.scope", 1000, 180000, 233 },
        { "chrome", "/opt/google/chrome/chrome",
          "--type=renderer\0--crashpad-handler-pid=%u\0--enable-crash-reporter=,\0--change-stack-guard-on-fork=enable"
          "\0--lang=en-US\0--num-raster-threads=4\0--enable-main-frame-before-activation\0--renderer-client-id=%u\0"
          "--time-ticks-at-unix-epoch=-1700000000000000\0--launch-time-ticks=%08x\0--shared-files=v8_context_"
          "snapshot_data:100\0--field-trial-handle=3,i,1234567890,9876543210,262144\0",
          "/user.slice/user-1000.slice/user@1000.service/app.slice/app-google-chrome-%u.scope", 1000, 120000, 300 },
        { "node", "/usr/bin/node",
          "/home/alice/src/app/node_modules/.bin/webpack\0--watch\0--mode=development\0%u\0%08x\0%u\0",
          "/user.slice/user-1000.slice/user@1000.service/app.slice/app-code-%u.scope", 1000, 250000, 0 },
        { "php-fpm8.2", "/usr/sbin/php-fpm8.2", "php-fpm: pool www %u %08x %u\0", "/system.slice/php8.2-fpm.service",
          33, 40000, 0 },
        { "postgres", "/usr/lib/postgresql/15/bin/postgres", "postgres: 15/main: app appdb 10.0.%u.%08x(%u) idle\0",
          "/system.slice/system-postgresql.slice/postgresql@15-main.service", 106, 30000, 0 },
        { "python3", "/usr/bin/python3.11",
          "/usr/bin/python3\0-m\0celery\0-A\0tasks\0worker\0--concurrency=%u\0--hostname=w%08x@host\0%u\0",
          "/system.slice/celery.service", 1001, 90000, 0 },
        { "bash", "/usr/bin/bash", "-bash\0%u\0%08x\0%u\0", "/user.slice/user-1000.slice/session-%u.scope", 1000,
          2000, 0 },
        { "sleep", "/usr/bin/sleep", "infinity\0%u\0%08x\0%u\0", "/system.slice/cron.service", 0, 200, 0 },
};

/* cmdline arguments are NUL-separated: each pattern is printf pieces separated by "\0" and ends in "\0\0" (its
 * explicit "\0" and the literal's own). Argument 0 is the exe. */
static size_t format_args(char *out, size_t size, const char *exe, const char *pattern, unsigned a, unsigned b) {
        size_t n = 0;
        int k = snprintf(out, size, "%s", exe);
        n = (size_t) k + 1; /* keep the NUL */
        for (const char *piece = pattern; n < size;) {
                size_t pl = strlen(piece);
                k = snprintf(out + n, size - n, piece, a, b, a);
                if (k < 0 || (size_t) k >= size - n)
                        break;
                n += (size_t) k + 1;
                if (piece[pl + 1] == '\0')
                        break;
                piece += pl + 1;
        }
        return n;
}

int main(int argc, char **argv) {
        char path[4096], cmdline[2048], cgroup[256], comm[16];
        unsigned n;
        int proc_fd, etc_fd;

        if (argc != 3 || (n = (unsigned) strtoul(argv[2], NULL, 10)) == 0) {
                fprintf(stderr, "usage: %s DIR N\n", argv[0]);
                return 2;
        }
        (void) snprintf(path, sizeof path, "%s/proc", argv[1]);
        if (mkdir(path, 0755) < 0 && errno != EEXIST) {
                perror(path);
                return 1;
        }
        proc_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        (void) snprintf(path, sizeof path, "%s/etc", argv[1]);
        if (mkdir(path, 0755) < 0 && errno != EEXIST) {
                perror(path);
                return 1;
        }
        etc_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (proc_fd < 0 || etc_fd < 0) {
                perror(argv[1]);
                return 1;
        }

        /* A passwd of a few dozen accounts, as a Debian host has. */
        static char passwd[16384];
        size_t pl = 0;
        static const char *const sys[] = { "root:x:0:0:root:/root:/bin/bash", "daemon:x:1:1::/usr/sbin:/usr/sbin/nologin",
                                           "www-data:x:33:33::/var/www:/usr/sbin/nologin",
                                           "postgres:x:106:113::/var/lib/postgresql:/bin/bash",
                                           "alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash",
                                           "celery:x:1001:1001::/srv/celery:/bin/sh" };
        for (size_t i = 0; i < sizeof sys / sizeof *sys; i++)
                pl += (size_t) snprintf(passwd + pl, sizeof passwd - pl, "%s\n", sys[i]);
        for (unsigned u = 0; u < 40; u++)
                pl += (size_t) snprintf(passwd + pl, sizeof passwd - pl, "svc%u:x:%u:%u::/nonexistent:/usr/sbin/nologin\n",
                                        u, 200 + u, 200 + u);
        if (fake_write(etc_fd, "passwd", passwd, pl) < 0) {
                perror("passwd");
                return 1;
        }

        for (unsigned i = 0; i < n; i++) {
                pid_t pid = (pid_t) (300 + i * 3);
                const Kind *k = &kinds[(i * 7) % (sizeof kinds / sizeof *kinds)];
                (void) snprintf(comm, sizeof comm, "%s", k->comm);
                (void) snprintf(cgroup, sizeof cgroup, k->cgroup, 1000 + i % 50);
                size_t cl = format_args(cmdline, sizeof cmdline, k->exe, k->args, i, i * 2654435761u);
                FakeProc p = {
                        .pid = pid,
                        .ppid = i < 50 ? 1 : (pid_t) (300 + (i % 50) * 3),
                        .comm = comm,
                        .uid = k->uid,
                        .start = 1000 + i,
                        .minflt = 1000 + i,
                        .utime = i % 97,
                        .anon_kib = k->anon_kib + (i % 64) * 4,
                        .file_kib = 20000 + (i % 8) * 1024,
                        .shmem_kib = (i % 4) * 512,
                        .swap_kib = (i % 3) * 1024,
                        .cmdline = cmdline,
                        .cmdline_len = cl,
                        .cgroup = cgroup,
                        .exe = k->exe,
                        .oom_score = 600 + (int) (i % 400),
                        .oom_score_adj = k->oom_score_adj,
                };
                int r = fake_proc_write(proc_fd, &p);
                if (r < 0) {
                        fprintf(stderr, "pid %d: %s\n", (int) pid, strerror(-r));
                        return 1;
                }
        }
        close(proc_fd);
        close(etc_fd);
        return 0;
}
