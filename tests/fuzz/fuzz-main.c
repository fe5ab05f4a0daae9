/* SPDX-License-Identifier: MIT */
/* A plain driver for the fuzz targets: replays every file given (or every file of every directory given)
 * through LLVMFuzzerTestOneInput, so each corpus stays a regression test in `meson test` without libFuzzer. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path) {
        FILE *f = fopen(path, "re");
        if (!f) {
                fprintf(stderr, "%s: %s\n", path, strerror(errno));
                return -1;
        }
        size_t cap = 1 << 16, n = 0;
        uint8_t *buf = malloc(cap);
        for (;;) {
                if (!buf) {
                        fclose(f);
                        return -1;
                }
                n += fread(buf + n, 1, cap - n, f);
                if (n < cap)
                        break;
                cap *= 2;
                uint8_t *b = realloc(buf, cap);
                if (!b)
                        free(buf);
                buf = b;
        }
        fclose(f);
        /* An exact-size copy, so ASan sees a read one byte past the input. */
        uint8_t *exact = malloc(n ? n : 1);
        if (!exact) {
                free(buf);
                return -1;
        }
        memcpy(exact, buf, n);
        free(buf);
        printf("%s (%zu bytes)\n", path, n);
        (void) LLVMFuzzerTestOneInput(exact, n);
        free(exact);
        return 0;
}

int main(int argc, char **argv) {
        size_t runs = 0;

        for (int i = 1; i < argc; i++) {
                struct stat st;
                if (stat(argv[i], &st) < 0) {
                        fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
                        return EXIT_FAILURE;
                }
                if (!S_ISDIR(st.st_mode)) {
                        if (run_file(argv[i]) < 0)
                                return EXIT_FAILURE;
                        runs++;
                        continue;
                }
                struct dirent **list;
                int n = scandir(argv[i], &list, NULL, alphasort);
                if (n < 0) {
                        fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
                        return EXIT_FAILURE;
                }
                for (int k = 0; k < n; k++) {
                        char path[4096];
                        if (list[k]->d_name[0] != '.' &&
                            snprintf(path, sizeof path, "%s/%s", argv[i], list[k]->d_name) < (int) sizeof path &&
                            stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
                                if (run_file(path) < 0)
                                        return EXIT_FAILURE;
                                runs++;
                        }
                        free(list[k]);
                }
                free(list);
        }
        printf("%zu input(s) replayed\n", runs);
        return runs > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
