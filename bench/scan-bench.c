/* SPDX-License-Identifier: MIT */
/* Driver of bench/scan.sh: runs hr_procfs_scan on a root (a generated tree or "/") and reports the CPU time per scan,
 * or just runs a given number of scans (or none, the baseline) for callgrind to count. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "core/proc.h"
#include "io/procfs.h"
#include "io/sysroot.h"

static double cpu_ms(void) {
        struct timespec ts;
        (void) clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return (double) ts.tv_sec * 1e3 + (double) ts.tv_nsec / 1e6;
}

static double tv_ms(struct timeval tv) {
        return (double) tv.tv_sec * 1e3 + (double) tv.tv_usec / 1e3;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return x < y ? -1 : x > y;
}

/* reps scans; prints min, median and the user/system split of their total. */
static int timed(HrProcScanner *s, HrProcTable *t, const char *label, unsigned reps) {
        double *ms = calloc(reps, sizeof *ms);
        struct rusage r0, r1;
        unsigned files = 0;

        if (!ms)
                return -ENOMEM;
        (void) getrusage(RUSAGE_SELF, &r0);
        for (unsigned i = 0; i < reps; i++) {
                double t0 = cpu_ms();
                int r = hr_procfs_scan(s, (usec_t) (i + 1) * USEC_PER_SEC, t);
                ms[i] = cpu_ms() - t0;
                if (r < 0) {
                        free(ms);
                        return r;
                }
                files += s->stats.n_files;
        }
        (void) getrusage(RUSAGE_SELF, &r1);
        double user = tv_ms(r1.ru_utime) - tv_ms(r0.ru_utime), sys = tv_ms(r1.ru_stime) - tv_ms(r0.ru_stime);
        qsort(ms, reps, sizeof *ms, cmp_double);
        printf("%-34s %7.2f ms min %7.2f ms median  (user %.2f + sys %.2f ms per scan; %u files per scan)\n", label,
               ms[0], ms[reps / 2], user / reps, sys / reps, files / reps);
        free(ms);
        return 0;
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "root", required_argument, NULL, 'r' },  { "scans", required_argument, NULL, 's' },
                { "reps", required_argument, NULL, 'n' },  { "refresh", required_argument, NULL, 'f' },
                { "no-scan", no_argument, NULL, 'b' },     {},
        };
        const char *root_path = NULL;
        unsigned scans = 0, reps = 0, refresh = HR_PROCFS_REFRESH_SCANS;
        int baseline = 0, c, r;
        HrSysroot root;
        HrProcScanner s;
        HrProcTable t;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 'r':
                        root_path = optarg;
                        break;
                case 's':
                        scans = (unsigned) strtoul(optarg, NULL, 10);
                        break;
                case 'n':
                        reps = (unsigned) strtoul(optarg, NULL, 10);
                        break;
                case 'f':
                        refresh = (unsigned) strtoul(optarg, NULL, 10);
                        break;
                case 'b':
                        baseline = 1;
                        break;
                default:
                        fprintf(stderr, "usage: %s [--root DIR] (--scans N [--no-scan] | --reps N) [--refresh N]\n",
                                argv[0]);
                        return 2;
                }

        r = hr_sysroot_open(root_path, &root);
        if (r < 0) {
                fprintf(stderr, "%s: %s\n", root_path ? root_path : "/", strerror(-r));
                return 1;
        }
        r = hr_proc_scanner_open(&s, &root);
        if (r < 0) {
                fprintf(stderr, "scanner: %s\n", strerror(-r));
                return 1;
        }
        s.refresh_every = refresh;
        hr_proc_table_init(&t);

        if (!reps) {
                /* For callgrind: the first scan is cold, the others warm. */
                for (unsigned i = 0; i < scans && !baseline; i++) {
                        r = hr_procfs_scan(&s, (usec_t) (i + 1) * USEC_PER_SEC, &t);
                        if (r < 0) {
                                fprintf(stderr, "scan: %s\n", strerror(-r));
                                return 1;
                        }
                }
                printf("%zu processes\n", t.n);
        } else {
                double t0 = cpu_ms();
                r = hr_procfs_scan(&s, 0, &t);
                double cold = cpu_ms() - t0;
                if (r < 0) {
                        fprintf(stderr, "scan: %s\n", strerror(-r));
                        return 1;
                }
                printf("root %s: %u entries, %zu processes, %u kernel threads\n", root_path ? root_path : "/",
                       s.stats.n_entries, t.n, s.stats.n_kthreads);
                printf("%-34s %7.2f ms (%u files)\n", "cold scan (every file)", cold, s.stats.n_files);
                char label[64];
                (void) snprintf(label, sizeof label, "warm scan (refresh every %u)", refresh);
                if (timed(&s, &t, label, reps) < 0)
                        return 1;
                s.refresh_every = 1;
                if (timed(&s, &t, "full scan (every file, every scan)", reps) < 0)
                        return 1;
        }
        hr_proc_table_done(&t);
        hr_proc_scanner_close(&s);
        hr_sysroot_done(&root);
        return 0;
}
