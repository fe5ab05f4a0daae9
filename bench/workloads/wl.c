/* SPDX-License-Identifier: MIT */
/* The workloads' shared helpers (wl.h): fill pattern, touching, option parsing, comm, clock, signals,
 * the --out file and a hand-written JSON writer (escaped strings, no dependencies beyond libc). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "wl.h"

const char *wl_prog = "hr-workload";
volatile sig_atomic_t wl_stop_signal;

/* Random bytes the pattern copies from, at a random offset per page (64 KiB: cheaper than generating
 * 1365 random bytes per page, which matters under TCG; lz4 compresses each page on its own, so pages
 * sharing a pool do not compress better). */
#define POOL_SIZE ((size_t) 65536)
static uint8_t pool[POOL_SIZE];
static uint64_t rng_state;

static uint64_t splitmix64(uint64_t *s) {
        uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
        z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
        return z ^ (z >> 31);
}

uint64_t wl_rand(void) {
        return splitmix64(&rng_state);
}

void wl_init(const char *prog) {
        struct timespec ts;

        wl_prog = prog;
        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        rng_state = (uint64_t) getpid() << 32 ^ (uint64_t) ts.tv_nsec ^ (uint64_t) ts.tv_sec << 20;
        for (size_t i = 0; i < POOL_SIZE; i += sizeof(uint64_t)) {
                uint64_t v = wl_rand();
                memcpy(pool + i, &v, sizeof v);
        }
}

void wl_reseed(void) {
        rng_state ^= (uint64_t) getpid() * UINT64_C(0x9e3779b97f4a7c15);
        (void) wl_rand();
}

void wl_err(const char *fmt, ...) {
        va_list ap;

        fprintf(stderr, "%s: ", wl_prog);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

size_t wl_page_size(void) {
        long p = sysconf(_SC_PAGESIZE);
        return p > 0 ? (size_t) p : 4096;
}

void wl_fill(void *p, size_t len) {
        uint8_t *b = p, *end = b + len;

        while (b < end) {
                size_t off = (uintptr_t) b % WL_PATTERN_PAGE;
                size_t seg = WL_PATTERN_PAGE - off;

                if (seg > (size_t) (end - b))
                        seg = (size_t) (end - b);
                if (off < WL_PATTERN_RANDOM) {
                        size_t n = WL_PATTERN_RANDOM - off;
                        uint64_t r = wl_rand();

                        if (n > seg)
                                n = seg;
                        /* A random window of the pool, its first 8 bytes fresh so no two pages are equal. */
                        memcpy(b, pool + r % (POOL_SIZE - WL_PATTERN_RANDOM), n);
                        r = wl_rand();
                        memcpy(b, &r, n < sizeof r ? n : sizeof r);
                        b += n;
                        seg -= n;
                }
                memset(b, 0, seg);
                b += seg;
        }
}

/* The first page-aligned address at or after p; *ret_end is p + len (the loop ends when they meet). */
static uintptr_t first_page(const void *p, size_t len, size_t page, uintptr_t *ret_end) {
        uintptr_t a = ((uintptr_t) p + page - 1) / page * page;

        *ret_end = (uintptr_t) p + len;
        return a;
}

void wl_touch_write(void *p, size_t len) {
        size_t page = wl_page_size();
        uintptr_t end, a = first_page(p, len, page, &end);

        for (; a < end; a += page)
                (*(volatile uint8_t *) a)++;
}

uint64_t wl_touch_read(const void *p, size_t len) {
        size_t page = wl_page_size();
        uintptr_t end, a = first_page(p, len, page, &end);
        uint64_t sum = 0;

        for (; a < end; a += page)
                sum += *(const volatile uint8_t *) a;
        return sum;
}

void *wl_map_anon(size_t len) {
        void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        return p == MAP_FAILED ? NULL : p;
}

int wl_parse_u64(const char *opt, const char *arg, uint64_t min, uint64_t max, uint64_t *ret) {
        char *end;
        unsigned long long v;

        errno = 0;
        if (!arg || arg[0] < '0' || arg[0] > '9') {
                wl_err("%s: '%s' is not a whole number", opt, arg ? arg : "");
                return -EINVAL;
        }
        v = strtoull(arg, &end, 10);
        if (*end != '\0') {
                wl_err("%s: '%s' is not a whole number", opt, arg);
                return -EINVAL;
        }
        if (errno == ERANGE || v < min || v > max) {
                wl_err("%s: %s is out of range (%" PRIu64 "..%" PRIu64 ")", opt, arg, min, max);
                return -EINVAL;
        }
        *ret = (uint64_t) v;
        return 0;
}

int wl_parse_double(const char *opt, const char *arg, double min, double max, double *ret) {
        char *end;
        double v;

        errno = 0;
        if (!arg || arg[0] == '\0') {
                wl_err("%s: '' is not a number", opt);
                return -EINVAL;
        }
        v = strtod(arg, &end);
        if (*end != '\0' || !isfinite(v)) {
                wl_err("%s: '%s' is not a number", opt, arg);
                return -EINVAL;
        }
        if (errno == ERANGE || v < min || v > max) {
                wl_err("%s: %s is out of range (%g..%g)", opt, arg, min, max);
                return -EINVAL;
        }
        *ret = v;
        return 0;
}

void wl_bad_option(int c, char **argv) {
        const char *arg = optind > 0 ? argv[optind - 1] : "?";

        if (c == ':')
                wl_err("%s needs a value (see --help)", arg);
        else if (optopt)
                wl_err("unknown option '-%c' (see --help)", optopt);
        else
                wl_err("unknown option '%s' (see --help)", arg);
}

int wl_set_name(const char *name) {
        if (!name || !*name)
                return 0;
        if (prctl(PR_SET_NAME, (unsigned long) name, 0UL, 0UL, 0UL) < 0)
                return -errno;
        return 0;
}

void wl_get_name(char buf[static 16]) {
        memset(buf, 0, 16);
        if (prctl(PR_GET_NAME, (unsigned long) buf, 0UL, 0UL, 0UL) < 0)
                buf[0] = '\0';
        buf[15] = '\0';
}

usec_t wl_now(void) {
        struct timespec ts;

        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (usec_t) ts.tv_sec * USEC_PER_SEC + (usec_t) ts.tv_nsec / 1000;
}

double wl_ms(usec_t u) {
        return (double) u / 1000.0;
}

static void on_stop(int sig) {
        wl_stop_signal = sig;
}

int wl_catch_stop_signals(void) {
        struct sigaction sa = { .sa_handler = on_stop };

        (void) sigemptyset(&sa.sa_mask);
        if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0)
                return -errno;
        return 0;
}

static void stop_set(sigset_t *set, bool with_chld) {
        (void) sigemptyset(set);
        (void) sigaddset(set, SIGTERM);
        (void) sigaddset(set, SIGINT);
        if (with_chld)
                (void) sigaddset(set, SIGCHLD);
}

static bool chld_blocked;

int wl_block_signals(bool with_chld) {
        sigset_t set;

        stop_set(&set, with_chld);
        if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
                return -errno;
        chld_blocked = with_chld;
        return 0;
}

void wl_child_reset_signals(void) {
        sigset_t empty;

        (void) signal(SIGTERM, SIG_DFL);
        (void) signal(SIGINT, SIG_DFL);
        (void) sigemptyset(&empty);
        (void) sigprocmask(SIG_SETMASK, &empty, NULL);
}

int wl_wait_signal(usec_t deadline) {
        sigset_t set;

        stop_set(&set, chld_blocked);
        for (;;) {
                struct timespec ts;
                usec_t now = wl_now();
                int sig;

                if (deadline == 0)
                        sig = sigwaitinfo(&set, NULL);
                else {
                        if (now >= deadline)
                                return 0;
                        ts.tv_sec = (time_t) ((deadline - now) / USEC_PER_SEC);
                        ts.tv_nsec = (long) ((deadline - now) % USEC_PER_SEC * 1000);
                        sig = sigtimedwait(&set, NULL, &ts);
                }
                if (sig > 0)
                        return sig;
                if (errno == EAGAIN)
                        return 0;
                /* EINTR: another signal (SIGCONT after a stop): wait on. */
        }
}

int wl_sleep_until(usec_t deadline) {
        struct timespec ts = {
                .tv_sec = (time_t) (deadline / USEC_PER_SEC),
                .tv_nsec = (long) (deadline % USEC_PER_SEC * 1000),
        };
        int r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        return r == 0 ? 0 : -r;
}

const char *wl_signal_name(int sig, char buf[static 16]) {
        const char *abbrev = sigabbrev_np(sig);

        if (abbrev)
                (void) snprintf(buf, 16, "SIG%.12s", abbrev);
        else
                (void) snprintf(buf, 16, "SIG%d", sig);
        return buf;
}

int64_t wl_self_status_kib(const char *key) {
        char buf[4096];
        size_t klen = strlen(key);
        ssize_t n;
        int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return -1;
        n = read(fd, buf, sizeof buf - 1);
        (void) close(fd);
        if (n <= 0)
                return -1;
        buf[n] = '\0';
        /* "VmRSS:\t   12345 kB" */
        for (char *line = buf; *line; ) {
                char *nl = strchr(line, '\n');

                if (strncmp(line, key, klen) == 0 && line[klen] == ':')
                        return (int64_t) strtoll(line + klen + 1, NULL, 10);
                if (!nl)
                        break;
                line = nl + 1;
        }
        return -1;
}

int wl_ready_file(const char *path) {
        char buf[32];
        int fd, len;

        if (!path)
                return 0;
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        len = snprintf(buf, sizeof buf, "%d\n", (int) getpid());
        if (write(fd, buf, (size_t) len) != len) {
                int r = errno ? -errno : -EIO;
                (void) close(fd);
                return r;
        }
        return close(fd) < 0 ? -errno : 0;
}

int wl_out_open(WlOut *o, const char *path) {
        int fd;

        *o = (WlOut) { .f = stdout };
        if (!path)
                return 0;
        o->path = strdup(path);
        if (!o->path || asprintf(&o->partial, "%s.partial", path) < 0) {
                free(o->path);
                *o = (WlOut) { .f = stdout };
                return -ENOMEM;
        }
        fd = open(o->partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || !(o->f = fdopen(fd, "w"))) {
                int r = -errno;
                if (fd >= 0)
                        (void) close(fd);
                free(o->path);
                free(o->partial);
                *o = (WlOut) { .f = stdout };
                return r;
        }
        return 0;
}

int wl_out_close(WlOut *o) {
        int r = 0;

        if (!o->path) {
                if (fflush(stdout) == 0)
                        return 0;
                r = -errno;
                wl_err("cannot write the result: %s", strerror(-r));
                return r;
        }
        if (fclose(o->f) != 0)
                r = -errno;
        else if (rename(o->partial, o->path) < 0)
                r = -errno;
        if (r < 0)
                wl_err("cannot write the result to %s: %s", o->path, strerror(-r));
        free(o->path);
        free(o->partial);
        *o = (WlOut) { .f = stdout };
        return r;
}

/* ---- JSON ---- */

static void json_sep(WlJson *j, const char *key) {
        if (j->comma[j->depth])
                fputc(',', j->f);
        j->comma[j->depth] = true;
        if (key)
                fprintf(j->f, "\"%s\":", key);         /* keys are our own literals */
}

static void json_open(WlJson *j, const char *key, char c) {
        json_sep(j, key);
        fputc(c, j->f);
        if (j->depth + 1 < WL_JSON_DEPTH)
                j->depth++;
        j->comma[j->depth] = false;
}

static void json_close(WlJson *j, char c) {
        fputc(c, j->f);
        if (j->depth > 0)
                j->depth--;
}

void wl_json_begin(WlJson *j, FILE *f) {
        *j = (WlJson) { .f = f };
        fputc('{', f);
}

void wl_json_end(WlJson *j) {
        fputs("}\n", j->f);
        (void) fflush(j->f);
}

void wl_json_object_begin(WlJson *j, const char *key) {
        json_open(j, key, '{');
}

void wl_json_object_end(WlJson *j) {
        json_close(j, '}');
}

void wl_json_array_begin(WlJson *j, const char *key) {
        json_open(j, key, '[');
}

void wl_json_array_end(WlJson *j) {
        json_close(j, ']');
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s) {
        size_t n;
        uint32_t cp;

        if (s[0] < 0x80)
                return 1;
        if ((s[0] & 0xe0) == 0xc0)
                n = 2, cp = s[0] & 0x1fu;
        else if ((s[0] & 0xf0) == 0xe0)
                n = 3, cp = s[0] & 0x0fu;
        else if ((s[0] & 0xf8) == 0xf0)
                n = 4, cp = s[0] & 0x07u;
        else
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80)      /* also stops at the NUL */
                        return 0;
                cp = cp << 6 | (s[i] & 0x3fu);
        }
        if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return n;
}

void wl_json_str(WlJson *j, const char *key, const char *v) {
        const unsigned char *s = (const unsigned char *) v;

        json_sep(j, key);
        if (!v) {
                fputs("null", j->f);
                return;
        }
        fputc('"', j->f);
        while (*s) {
                size_t n;

                if (*s == '"' || *s == '\\') {
                        fputc('\\', j->f);
                        fputc(*s++, j->f);
                } else if (*s < 0x20 || *s == 0x7f) {
                        fprintf(j->f, "\\u%04x", *s++);
                } else if ((n = utf8_len(s)) > 0) {
                        (void) fwrite(s, 1, n, j->f);
                        s += n;
                } else {
                        fputs("\\ufffd", j->f);
                        s++;
                }
        }
        fputc('"', j->f);
}

void wl_json_u64(WlJson *j, const char *key, uint64_t v) {
        json_sep(j, key);
        fprintf(j->f, "%" PRIu64, v);
}

void wl_json_i64(WlJson *j, const char *key, int64_t v) {
        json_sep(j, key);
        fprintf(j->f, "%" PRId64, v);
}

void wl_json_num(WlJson *j, const char *key, double v, int decimals) {
        json_sep(j, key);
        if (isfinite(v))
                fprintf(j->f, "%.*f", decimals, v);
        else
                fputs("null", j->f);
}

void wl_json_bool(WlJson *j, const char *key, bool v) {
        json_sep(j, key);
        fputs(v ? "true" : "false", j->f);
}

void wl_json_null(WlJson *j, const char *key) {
        json_sep(j, key);
        fputs("null", j->f);
}

void wl_json_common(WlJson *j) {
        char name[16];

        wl_get_name(name);
        wl_json_str(j, "program", wl_prog);
        wl_json_i64(j, "pid", (int64_t) getpid());
        wl_json_str(j, "name", name);
}
