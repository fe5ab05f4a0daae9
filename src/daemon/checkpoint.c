/* SPDX-License-Identifier: MIT */
/* CRIU runs: `criu dump` of a pinned victim into <Directory>/<pid>-<start>, `criu restore --restore-detached`
 * from there, each a bounded helper (daemon/child.h); the reason of a failure is criu's last "Error" line. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/caps.h"
#include "daemon/checkpoint.h"
#include "daemon/log.h"
#include "shared/clock.h"
#include "shared/zero.h"

/* How much of the end of criu's log is searched for its reason. */
#define LOG_TAIL 16384

void hr_criu_init(HrCriu *c, hr_criu_done_fn done, void *userdata) {
        hr_zero_sparse(c, sizeof *c);
        c->done = done;
        c->userdata = userdata;
}

void hr_criu_attach(HrCriu *c, HrLoop *loop) {
        c->loop = loop;
}

const char *hr_criu_path(void) {
        static const char *const where[] = { "/usr/sbin/criu", "/usr/bin/criu", "/sbin/criu", "/usr/local/sbin/criu" };
        for (size_t i = 0; i < ELEMENTSOF(where); i++)
                if (access(where[i], X_OK) == 0)
                        return where[i];
        return NULL;
}

const char *hr_criu_unavailable(void) {
        if (!hr_criu_path())
                return "criu is not installed (apt install criu)";
        if (geteuid() != 0)
                return "checkpointing needs root: criu ptraces and recreates whole process trees (not in user mode)";
        return hr_caps_criu_unavailable(); /* what system mode kept for it at start */
}

const char *hr_criu_unlikely(pid_t pid) {
        char path[64], target[64];
        const char *why = NULL;
        struct dirent *de;

        (void) snprintf(path, sizeof path, "/proc/%d/fd", (int) pid);
        DIR *d = opendir(path);
        if (!d)
                return "its open files cannot be read";
        while (!why && (de = readdir(d))) {
                ssize_t n = readlinkat(dirfd(d), de->d_name, target, sizeof target - 1);
                if (n <= 0)
                        continue;
                target[n] = '\0';
                if (strncmp(target, "socket:", 7) == 0)
                        why = "it holds sockets (display, D-Bus, network) whose peers would not be there after a restore";
                else if (strncmp(target, "/dev/pts/", 9) == 0 || strncmp(target, "/dev/tty", 8) == 0)
                        why = "it holds a terminal";
        }
        (void) closedir(d);
        return why;
}

int hr_criu_images_dir(const char *base, pid_t pid, uint64_t start_time, char *buf, size_t size) {
        int n = snprintf(buf, size, "%s/%d-%llu", base, (int) pid, (unsigned long long) start_time);
        return n < 0 || (size_t) n >= size ? -ENAMETOOLONG : 0;
}

bool hr_criu_has_images(const char *dir) {
        char path[PATH_MAX + 32];
        (void) snprintf(path, sizeof path, "%s/inventory.img", dir);
        return access(path, R_OK) == 0;
}

/* Removes the files of dir (only *.img with keep_logs), then dir itself when it is empty. Unlinking while
 * reading a directory may skip entries on some file systems (9p): a few passes until one removes nothing. */
static void remove_files(const char *dir, bool keep_logs) {
        for (unsigned pass = 0; pass < 4; pass++) {
                struct dirent *de;
                unsigned removed = 0;
                DIR *d = opendir(dir);

                if (!d)
                        return;
                while ((de = readdir(d))) {
                        size_t n = strlen(de->d_name);
                        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                                continue;
                        if (keep_logs && !(n > 4 && strcmp(de->d_name + n - 4, ".img") == 0))
                                continue;
                        removed += unlinkat(dirfd(d), de->d_name, 0) == 0;
                }
                (void) closedir(d);
                if (removed == 0)
                        break;
        }
        (void) rmdir(dir);
}

void hr_criu_remove_images(const char *dir) {
        remove_files(dir, false);
}

/* mkdir -p, 0700 for what it creates. */
static int mkdir_p(const char *path) {
        char buf[PATH_MAX];
        size_t n = strlen(path);

        if (n == 0 || n >= sizeof buf)
                return -ENAMETOOLONG;
        memcpy(buf, path, n + 1);
        for (char *p = buf + 1; *p; p++) {
                if (*p != '/')
                        continue;
                *p = '\0';
                if (mkdir(buf, 0700) < 0 && errno != EEXIST)
                        return -errno;
                *p = '/';
        }
        return mkdir(buf, 0700) < 0 && errno != EEXIST ? -errno : 0;
}

/* criu's reason: the last "Error" line of its log, from "Error" on, or "". */
static void log_reason(const char *dir, const char *log, char *why, size_t size) {
        char path[PATH_MAX + 32], buf[LOG_TAIL + 1];
        ssize_t n;

        why[0] = '\0';
        (void) snprintf(path, sizeof path, "%s/%s", dir, log);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return;
        off_t end = lseek(fd, 0, SEEK_END);
        n = pread(fd, buf, LOG_TAIL, end > LOG_TAIL ? end - LOG_TAIL : 0);
        (void) close(fd);
        if (n <= 0)
                return;
        buf[n] = '\0';
        for (char *line = buf, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                char *e = strstr(line, "Error");
                if (e)
                        (void) snprintf(why, size, "%s", e);
        }
}

static void run_done(HrChild *ch, int code, int status) {
        HrCriuRun *run = ch->userdata;
        HrCriu *c = run->owner;
        char why[PATH_MAX + 512] = "", what[320], reason[200];
        bool ok = !ch->timed_out && code == CLD_EXITED && status == 0;
        const char *log = run->op == HR_CRIU_DUMP ? "dump.log" : "restore.log";

        if (!ok) {
                log_reason(run->dir, log, reason, sizeof reason);
                if (ch->timed_out)
                        (void) snprintf(what, sizeof what, "criu did not finish within its bound and was killed");
                else if (code == CLD_EXITED)
                        (void) snprintf(what, sizeof what, "criu exited with status %d: %s", status,
                                        reason[0] ? reason : "no error in its log");
                else
                        (void) snprintf(what, sizeof what, "criu died of signal %d", status);
                (void) snprintf(why, sizeof why, "%s (criu's log: %s/%s)", what, run->dir, log);
                c->n_failed++;
        } else if (run->op == HR_CRIU_DUMP)
                c->n_dumped++;
        else
                c->n_restored++;

        /* Tidied before it is reported: whoever reads the report finds the directory as it stays. */
        if (run->op == HR_CRIU_DUMP && !ok)
                remove_files(run->dir, /* keep_logs= */ true); /* the images are useless; the log says why */
        else if (run->op == HR_CRIU_RESTORE && ok)
                hr_criu_remove_images(run->dir);
        if (c->done)
                c->done(c->userdata, run, ok, why);
        run->victim_pidfd = -EBADF; /* the callee's now */
}

static HrCriuRun *free_run(HrCriu *c) {
        for (unsigned i = 0; i < c->n_runs; i++)
                if (!hr_child_running(&c->runs[i].child))
                        return &c->runs[i];
        if (c->n_runs >= HR_CRIU_RUNS_MAX)
                return NULL;
        HrCriuRun *run = &c->runs[c->n_runs++];
        hr_child_init(&run->child);
        run->victim_pidfd = -EBADF;
        return run;
}

static int start(HrCriu *c, HrCriuRun *run, char *const argv[], usec_t bound, char *why, size_t why_size) {
        int null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
        /* criu alone gets the capabilities system mode keeps for it (daemon/caps.h), for the spawn only. */
        int r = hr_caps_lend(true);
        if (r < 0)
                (void) snprintf(why, why_size, "cannot lend criu its capabilities: %s", strerror(-r));
        else {
                r = hr_child_spawn(&run->child, c->loop, argv, NULL, null_fd, bound, run_done, run);
                if (r < 0)
                        (void) snprintf(why, why_size, "cannot start %s: %s", argv[0], strerror(-r));
        }
        (void) hr_caps_lend(false);
        if (null_fd >= 0)
                (void) close(null_fd);
        return r;
}

int hr_criu_dump(HrCriu *c, const HrAction *a, int victim_pidfd, const char *base, usec_t bound, char *why,
                 size_t why_size) {
        const char *criu = hr_criu_path(), *no = hr_criu_unavailable();
        HrCriuRun *run = free_run(c);
        char pid_arg[16];
        int r;

        if (no || !run) {
                (void) snprintf(why, why_size, "%s", no ? no : "too many criu runs at once");
                return no ? -EOPNOTSUPP : -EBUSY;
        }
        run->op = HR_CRIU_DUMP;
        run->action = *a;
        run->owner = c;
        r = hr_criu_images_dir(base, a->pid, a->start_time, run->dir, sizeof run->dir);
        if (r == 0) {
                remove_files(run->dir, false); /* a stale one of the same instance cannot exist, but be sure */
                r = mkdir_p(run->dir);
        }
        if (r < 0) {
                (void) snprintf(why, why_size, "Directory=%s: cannot create %s: %s", base, run->dir, strerror(-r));
                return r;
        }
        (void) snprintf(pid_arg, sizeof pid_arg, "%d", (int) a->pid);
        /* --shell-job: the session and group leaders of a desktop or terminal process are outside its tree. */
        char *const argv[] = { (char *) criu, "dump", "--tree", pid_arg, "--images-dir", run->dir,
                               "--log-file", "dump.log", "-v2", "--shell-job", NULL };
        r = start(c, run, argv, bound, why, why_size);
        if (r < 0) {
                hr_criu_remove_images(run->dir);
                return r;
        }
        run->victim_pidfd = victim_pidfd;
        return 0;
}

int hr_criu_restore(HrCriu *c, const HrAction *a, const char *dir, usec_t bound, char *why, size_t why_size) {
        const char *criu = hr_criu_path(), *no = hr_criu_unavailable();
        HrCriuRun *run = free_run(c);

        if (no || !run) {
                (void) snprintf(why, why_size, "%s", no ? no : "too many criu runs at once");
                return no ? -EOPNOTSUPP : -EBUSY;
        }
        run->op = HR_CRIU_RESTORE;
        run->action = *a;
        run->owner = c;
        run->victim_pidfd = -EBADF;
        (void) snprintf(run->dir, sizeof run->dir, "%s", dir);
        char *const argv[] = { (char *) criu, "restore", "--images-dir", run->dir, "--log-file", "restore.log",
                               "-v2", "--shell-job", "--restore-detached", NULL };
        return start(c, run, argv, bound, why, why_size);
}

void hr_criu_finish(HrCriu *c) {
        for (unsigned i = 0; i < c->n_runs; i++)
                hr_child_finish(&c->runs[i].child, 10 * USEC_PER_SEC);
}
