/* SPDX-License-Identifier: MIT */
/* Cost of io/gpumem.c, for bench/results/gpu-scan.md: the "any DRM device?" early-out, the per-process fd walk over
 * children it starts (each holding --fds descriptors of /dev/null), the walk over every process of the live /proc, the
 * DRM path (fdinfo read + parse) on a fake tree, and the parser alone. Wall time (CLOCK_MONOTONIC), min and median. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "io/gpumem.h"
#include "io/sysroot.h"
#include "parse/parse.h"

static double now_us(void) {
        struct timespec ts;
        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec * 1e6 + (double) ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return x < y ? -1 : x > y;
}

/* Sorts v and prints min and median divided by per. */
static void report(const char *label, double *v, unsigned n, double per, const char *unit) {
        qsort(v, n, sizeof *v, cmp_double);
        printf("%-52s %9.3f %s min %9.3f %s median\n", label, v[0] / per, unit, v[n / 2] / per, unit);
}

/* ---- children ---------------------------------------------------------------------------------------- */

static pid_t *kids;
static unsigned n_kids;
static int release_fd = -1; /* write end: closing it lets the children exit */

/* Starts n children that open fds descriptors of /dev/null each and wait. Returns 0 or -errno. */
static int start_children(unsigned n, unsigned fds) {
        int ready[2], release[2];
        pid_t parent = getpid();

        if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(release, O_CLOEXEC) < 0)
                return -errno;
        kids = calloc(n, sizeof *kids);
        if (!kids)
                return -ENOMEM;
        for (unsigned i = 0; i < n; i++) {
                pid_t p = fork();
                if (p < 0)
                        return -errno;
                if (p == 0) {
                        char c;
                        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                        if (getppid() != parent)
                                _exit(1);
                        close(release[1]);
                        close(ready[0]);
                        for (unsigned k = 0; k < fds; k++)
                                if (open("/dev/null", O_RDONLY) < 0)
                                        _exit(1);
                        if (write(ready[1], "x", 1) != 1)
                                _exit(1);
                        if (read(release[0], &c, 1) < 0) /* EOF when the parent closes the write end */
                                _exit(1);
                        _exit(0);
                }
                kids[n_kids++] = p;
        }
        close(ready[1]);
        close(release[0]);
        release_fd = release[1];
        for (unsigned i = 0; i < n; i++) {
                char c;
                if (read(ready[0], &c, 1) != 1) {
                        close(ready[0]);
                        return -EIO;
                }
        }
        close(ready[0]);
        return 0;
}

static void stop_children(void) {
        if (release_fd >= 0)
                close(release_fd);
        release_fd = -1;
        for (unsigned i = 0; i < n_kids; i++)
                (void) waitpid(kids[i], NULL, 0);
        n_kids = 0;
        free(kids);
        kids = NULL;
}

/* ---- a fake tree for the DRM path ------------------------------------------------------------------------ */

static const char I915[] = "pos:\t0\nflags:\t02100002\nmnt_id:\t24\nino:\t1049\ndrm-driver:\ti915\n"
        "drm-client-id:\t%u\ndrm-pdev:\t0000:00:02.0\n"
        "drm-total-system0:\t40960 KiB\ndrm-shared-system0:\t8 KiB\ndrm-active-system0:\t0\n"
        "drm-resident-system0:\t37708 KiB\ndrm-purgeable-system0:\t0\ndrm-total-stolen-system0:\t0\n"
        "drm-shared-stolen-system0:\t0\ndrm-active-stolen-system0:\t0\ndrm-resident-stolen-system0:\t0\n"
        "drm-purgeable-stolen-system0:\t0\ndrm-engine-render:\t2876153402 ns\ndrm-engine-copy:\t0 ns\n"
        "drm-engine-video:\t0 ns\ndrm-engine-capacity-video:\t2\ndrm-engine-video-enhance:\t0 ns\n";

/* <dir>/proc/1/{fd,fdinfo}/: fds-4 links to /dev/null, then 4 to /dev/dri/renderD128 (clients 1, 1, 2, 3), and
 * <dir>/dev/dri/renderD128. */
static int make_tree(char *dir, unsigned fds) {
        char p[4096], info[2048];

        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return -errno;
        const char *mk[] = { "proc", "proc/1", "proc/1/fd", "proc/1/fdinfo", "dev", "dev/dri" };
        for (size_t i = 0; i < sizeof mk / sizeof *mk; i++) {
                snprintf(p, sizeof p, "%s/%s", dir, mk[i]);
                if (mkdir(p, 0755) < 0)
                        return -errno;
        }
        snprintf(p, sizeof p, "%s/dev/dri/renderD128", dir);
        int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        close(fd);
        for (unsigned i = 0; i < fds; i++) {
                bool drm = i + 4 >= fds;
                snprintf(p, sizeof p, "%s/proc/1/fd/%u", dir, i);
                if (symlink(drm ? "/dev/dri/renderD128" : "/dev/null", p) < 0)
                        return -errno;
                if (!drm)
                        continue;
                unsigned id = i + 4 == fds ? 1 : i + 4 - fds; /* 1, 1, 2, 3 */
                int n = snprintf(info, sizeof info, I915, id);
                snprintf(p, sizeof p, "%s/proc/1/fdinfo/%u", dir, i);
                fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
                if (fd < 0 || write(fd, info, (size_t) n) != n)
                        return -EIO;
                close(fd);
        }
        return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st;
        (void) flag;
        (void) ftw;
        return remove(path);
}

/* ---- main -------------------------------------------------------------------------------------------- */

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "procs", required_argument, NULL, 'p' },
                { "fds", required_argument, NULL, 'f' },
                { "reps", required_argument, NULL, 'r' },
                {}
        };
        unsigned procs = 200, fds = 64, reps = 20;
        HrSysroot root, fake;
        HrGpuMem g;
        HrGpuMemUsage u;
        int c, r;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
                switch (c) {
                case 'p':
                        procs = (unsigned) strtoul(optarg, NULL, 10);
                        break;
                case 'f':
                        fds = (unsigned) strtoul(optarg, NULL, 10);
                        break;
                case 'r':
                        reps = (unsigned) strtoul(optarg, NULL, 10);
                        break;
                default:
                        fprintf(stderr, "usage: gpu-scan [--procs N] [--fds N] [--reps N]\n");
                        return 2;
                }
        }
        if (procs == 0 || reps == 0 || fds < 4) {
                fprintf(stderr, "gpu-scan: --procs and --reps > 0, --fds >= 4\n");
                return 2;
        }
        struct rlimit rl = { fds + 64, fds + 64 };
        (void) setrlimit(RLIMIT_NOFILE, &rl); /* as root; otherwise the default 1024 must do */

        double *v = calloc(reps > 1000 ? reps : 1000, sizeof *v);
        if (!v || hr_sysroot_open(NULL, &root) < 0 || hr_gpumem_open(&g) < 0) {
                fprintf(stderr, "gpu-scan: setup failed\n");
                return 1;
        }

        /* 1. The early-out on this machine. */
        r = hr_gpumem_has_devices(&root);
        printf("this machine: hr_gpumem_has_devices() = %d (%s)\n", r,
               r == 1 ? "DRM nodes in /dev/dri" : r == 0 ? "no DRM node: the walk would be skipped" : strerror(-r));
        for (unsigned i = 0; i < 1000; i++) {
                double t0 = now_us();
                for (unsigned k = 0; k < 100; k++)
                        (void) hr_gpumem_has_devices(&root);
                v[i] = now_us() - t0;
        }
        report("has_devices, live root (1000 x 100 calls)", v, 1000, 100, "us");

        /* 2. The walk over children holding fds descriptors of /dev/null each (3 more: stdio). */
        r = start_children(procs, fds);
        if (r < 0) {
                fprintf(stderr, "gpu-scan: starting children: %s\n", strerror(-r));
                stop_children();
                return 1;
        }
        unsigned seen_fds = 0;
        for (unsigned i = 0; i < reps; i++) {
                double t0 = now_us();
                seen_fds = 0;
                for (unsigned k = 0; k < n_kids; k++) {
                        if (hr_gpumem_read(&g, root.proc_fd, kids[k], &u) < 0) {
                                fprintf(stderr, "gpu-scan: reading %d failed\n", (int) kids[k]);
                                stop_children();
                                return 1;
                        }
                        seen_fds += u.n_fds;
                }
                v[i] = now_us() - t0;
        }
        printf("%u children, %u fds each seen (%u opened + stdio and the pipes), %u passes\n", n_kids,
               seen_fds / n_kids, fds, reps);
        char label[128];
        snprintf(label, sizeof label, "walk, per process (%u fds)", seen_fds / n_kids);
        report(label, v, reps, n_kids, "us");
        snprintf(label, sizeof label, "walk, per fd");
        report(label, v, reps, (double) seen_fds, "us");
        stop_children();

        /* 3. Every process of the live /proc, as one tick would. */
        {
                unsigned n_pids = 0, n_fds_total = 0;
                for (unsigned i = 0; i < reps; i++) {
                        DIR *d = opendir("/proc");
                        struct dirent *de;
                        static pid_t pids[65536];
                        unsigned n = 0;
                        if (!d)
                                return 1;
                        while ((de = readdir(d)) && n < 65536)
                                if (de->d_name[0] >= '1' && de->d_name[0] <= '9')
                                        pids[n++] = (pid_t) atoi(de->d_name);
                        closedir(d);
                        double t0 = now_us();
                        n_fds_total = 0;
                        for (unsigned k = 0; k < n; k++)
                                if (hr_gpumem_read(&g, root.proc_fd, pids[k], &u) == 0)
                                        n_fds_total += u.n_fds;
                        v[i] = now_us() - t0;
                        n_pids = n;
                }
                snprintf(label, sizeof label, "live /proc, whole pass (%u entries, %u fds)", n_pids, n_fds_total);
                report(label, v, reps, 1e3, "ms");
        }

        /* 4. The DRM path on a fake tree: 4 of the fds are DRM (3 clients), fdinfo on tmpfs or disk, not procfs. */
        char dir[] = "/tmp/hr-gpu-scan-XXXXXX";
        if (!mkdtemp(dir) || make_tree(dir, fds) < 0 || hr_sysroot_open(dir, &fake) < 0) {
                fprintf(stderr, "gpu-scan: fake tree in %s failed\n", dir);
                return 1;
        }
        printf("fake tree %s: has_devices() = %d\n", dir, hr_gpumem_has_devices(&fake));
        for (unsigned i = 0; i < 1000; i++) {
                double t0 = now_us();
                for (unsigned k = 0; k < 100; k++)
                        (void) hr_gpumem_has_devices(&fake);
                v[i] = now_us() - t0;
        }
        report("has_devices, a dev/dri with renderD128", v, 1000, 100, "us");
        for (unsigned i = 0; i < reps; i++) {
                double t0 = now_us();
                for (unsigned k = 0; k < 100; k++)
                        (void) hr_gpumem_read(&g, fake.proc_fd, 1, &u);
                v[i] = now_us() - t0;
        }
        snprintf(label, sizeof label, "fake process, %u fds, %u DRM (%u clients)", u.n_fds, u.n_drm_fds, u.n_clients);
        report(label, v, reps, 100, "us");
        printf("  its sums: system %llu KiB, stolen %llu KiB, failed %u\n", (unsigned long long) u.system_kib,
               (unsigned long long) u.stolen_kib, u.n_failed);
        hr_sysroot_done(&fake);
        if (nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
                fprintf(stderr, "gpu-scan: could not remove %s\n", dir);

        /* 5. The parser alone on the i915 sample. */
        {
                char info[2048];
                int n = snprintf(info, sizeof info, I915, 39u);
                HrDrmFdinfo f;
                for (unsigned i = 0; i < reps; i++) {
                        double t0 = now_us();
                        for (unsigned k = 0; k < 10000; k++)
                                if (hr_parse_drm_fdinfo(info, (size_t) n, &f, NULL) < 0)
                                        return 1;
                        v[i] = now_us() - t0;
                }
                snprintf(label, sizeof label, "hr_parse_drm_fdinfo, i915 sample (%d bytes)", n);
                report(label, v, reps, 10000, "us");
        }

        hr_gpumem_close(&g);
        hr_sysroot_done(&root);
        free(v);
        return 0;
}
