/* SPDX-License-Identifier: MIT */
/* Test workload: holds N MiB of anonymous memory that compresses about 3:1 (a third random bytes,
 * the rest zero) and keeps touching every page for S seconds, so a memory limit makes it swap.
 * With N prefixed by '+' ("+8") it instead grows by N MiB per second until S seconds pass (a leak).
 * An idle hog ("=N") sheds its memory on SIGUSR1, as a cooperative application does when warned. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double now_sec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* Fills [from, to) of p with 3:1-compressible data. */
static void fill(unsigned char *p, size_t from, size_t to, size_t page, uint64_t *x) {
        for (size_t off = from; off < to; off += page)
                for (size_t i = 0; i < page / 3; i += 8) {
                        *x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
                        memcpy(p + off + i, x, 8);
                }
}

static volatile sig_atomic_t shed;

static void on_usr1(int sig) {
        (void) sig;
        shed = 1;
}

static void touch(unsigned char *p, size_t len, size_t page) {
        for (size_t off = 0; off < len; off += page)
                p[off + page - 1]++;
}

/* hog N S: hold N MiB and touch it all for S seconds (thrashes under a limit).
 * hog +N S: leak: grow by N MiB per second for S seconds, touching what it holds.
 * hog =N S: idle: fill N MiB once, then sleep S seconds (a background tab). */
int main(int argc, char **argv) {
        /* Extra arguments are ignored: tests use them to look like other programs ("--type=renderer"). */
        if (argc < 3) {
                fprintf(stderr, "usage: hog [+|=]MIB SECONDS [IGNORED...]\n");
                return 2;
        }
        char mode = argv[1][0] == '+' || argv[1][0] == '=' ? argv[1][0] : 'h';
        size_t mib = strtoul(argv[1] + (mode != 'h'), NULL, 10);
        double seconds = strtod(argv[2], NULL);
        size_t page = (size_t) sysconf(_SC_PAGESIZE);
        size_t len = mode == '+' ? (size_t) ((double) mib * (seconds + 1)) << 20 : mib << 20;
        uint64_t x = 0x9e3779b97f4a7c15ULL ^ (uint64_t) getpid();

        unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) {
                perror("hog: mmap");
                return 1;
        }
        double start = now_sec(), end = start + seconds;
        unsigned long passes = 0;

        if (mode == '=') {
                struct sigaction sa = { .sa_handler = on_usr1 };
                sigaction(SIGUSR1, &sa, NULL);
                fill(p, 0, len, page, &x);
                struct timespec ts = { .tv_sec = (time_t) seconds, .tv_nsec = 0 };
                for (;;) {
                        if (shed && len > 0) { /* also when it came before the sleep */
                                munmap(p, len);
                                len = 0;
                                printf("hog: shed %zu MiB\n", mib);
                                fflush(stdout);
                        }
                        if (nanosleep(&ts, &ts) == 0)
                                break;
                }
        } else if (mode == '+') {
                size_t held = 0;
                while (now_sec() < end) {
                        size_t want = (size_t) ((now_sec() - start) * (double) (mib << 20)) & ~(page - 1);
                        want = want > len ? len : want;
                        if (want > held) {
                                fill(p, held, want, page, &x);
                                held = want;
                        }
                        touch(p, held, page);
                        passes++;
                        struct timespec ts = { .tv_sec = 0, .tv_nsec = 50 * 1000 * 1000 };
                        nanosleep(&ts, NULL);
                }
        } else {
                fill(p, 0, len, page, &x);
                while (now_sec() < end) {
                        touch(p, len, page);
                        passes++;
                }
        }
        printf("hog: %c%zu MiB, %lu passes\n", mode, mib, passes);
        return 0;
}
