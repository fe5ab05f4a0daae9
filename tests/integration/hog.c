/* SPDX-License-Identifier: MIT */
/* Test workload: holds N MiB of anonymous memory that compresses about 3:1 (a third random bytes,
 * the rest zero) and keeps touching every page for S seconds, so a memory limit makes it swap. */
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

int main(int argc, char **argv) {
        if (argc != 3) {
                fprintf(stderr, "usage: hog MIB SECONDS\n");
                return 2;
        }
        size_t mib = strtoul(argv[1], NULL, 10);
        double seconds = strtod(argv[2], NULL);
        size_t len = mib << 20, page = (size_t) sysconf(_SC_PAGESIZE);
        uint64_t x = 0x9e3779b97f4a7c15ULL ^ (uint64_t) getpid();

        unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
                perror("hog: mmap");
                return 1;
        }
        for (size_t off = 0; off < len; off += page)
                for (size_t i = 0; i < page / 3; i += 8) {
                        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                        memcpy(p + off + i, &x, 8);
                }
        double end = now_sec() + seconds;
        unsigned long passes = 0;
        while (now_sec() < end) {
                for (size_t off = 0; off < len; off += page)
                        p[off + page - 1]++;
                passes++;
        }
        printf("hog: %zu MiB, %lu passes\n", mib, passes);
        return 0;
}
