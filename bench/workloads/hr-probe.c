/* SPDX-License-Identifier: MIT */
/* hr-probe: the interactive probe of the benchmarks: every interval it touches a slice of its anonymous
 * working set and re-reads a slice of a file-backed "code" set, and records how late each iteration ends. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "wl.h"

/* The time series' resolution. */
#define BUCKET_MSEC 100
#ifndef OVERLAYFS_SUPER_MAGIC
#define OVERLAYFS_SUPER_MAGIC 0x794c7630
#endif

static uint64_t arg_wss_mib, arg_code_mib, arg_interval_ms = 10, arg_sweep_ms = 100;
static double arg_duration_s;
static const char *arg_code_file, *arg_out, *arg_name, *arg_ready;
static bool arg_prepare;

static void help(void) {
        printf("Usage: hr-probe --wss MIB --code-mib MIB --code-file PATH --duration SEC --out FILE [OPTIONS]\n"
               "The interactive probe: every --interval-ms it writes one byte per page of a slice of its\n"
               "anonymous working set (--wss, about 3:1 compressible) and reads one byte per page of a slice of\n"
               "a file-backed code set (the first --code-mib of --code-file, mapped MAP_PRIVATE, PROT_READ;\n"
               "created if missing), so that both whole sets are swept every --sweep-ms. Each iteration's\n"
               "latency runs from its scheduled start to its end (CLOCK_MONOTONIC); after an overrun the\n"
               "schedule skips the missed slots. At the end (duration, SIGTERM, SIGINT) it writes one JSON\n"
               "object: percentiles, counts over 100 ms and 1 s, total stall, and a 100 ms time series.\n"
               "\n"
               "  --wss MIB            Anonymous working set\n"
               "  --code-mib MIB       File-backed working set (0: none)\n"
               "  --code-file PATH     Its file; created (random data) if missing, refused if smaller\n"
               "  --interval-ms MS     Iteration period (default %" PRIu64 ")\n"
               "  --sweep-ms MS        Both sets are touched whole once per this (default %" PRIu64 ")\n"
               "  --duration SEC       How long to measure (bounds the sample buffer)\n"
               "  --out FILE           Write the JSON to FILE (via FILE.partial; default stdout)\n"
               "  --name NAME          Process name (comm, first 15 bytes)\n"
               "  --ready-file PATH    Create PATH (holding the pid) when measuring starts\n"
               "  --prepare            Only create --code-file if missing (and check its size), then exit\n"
               "  --help               Show this help\n",
               arg_interval_ms, arg_sweep_ms);
}

static int parse_argv(int argc, char **argv) {
        enum { ARG_WSS = 0x100, ARG_CODE_MIB, ARG_CODE_FILE, ARG_INTERVAL, ARG_SWEEP, ARG_DURATION, ARG_OUT,
               ARG_NAME, ARG_READY, ARG_PREPARE };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "wss", required_argument, NULL, ARG_WSS },
                { "code-mib", required_argument, NULL, ARG_CODE_MIB },
                { "code-file", required_argument, NULL, ARG_CODE_FILE },
                { "interval-ms", required_argument, NULL, ARG_INTERVAL },
                { "sweep-ms", required_argument, NULL, ARG_SWEEP },
                { "duration", required_argument, NULL, ARG_DURATION },
                { "out", required_argument, NULL, ARG_OUT },
                { "name", required_argument, NULL, ARG_NAME },
                { "ready-file", required_argument, NULL, ARG_READY },
                { "prepare", no_argument, NULL, ARG_PREPARE },
                {}
        };
        bool have_duration = false;
        int c;

        opterr = 0;
        while ((c = getopt_long(argc, argv, ":h", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_WSS:
                        if (wl_parse_u64("--wss", optarg, 0, UINT64_C(1) << 20, &arg_wss_mib) < 0)
                                return -EINVAL;
                        break;
                case ARG_CODE_MIB:
                        if (wl_parse_u64("--code-mib", optarg, 0, UINT64_C(1) << 20, &arg_code_mib) < 0)
                                return -EINVAL;
                        break;
                case ARG_CODE_FILE:
                        arg_code_file = optarg;
                        break;
                case ARG_INTERVAL:
                        if (wl_parse_u64("--interval-ms", optarg, 1, 10000, &arg_interval_ms) < 0)
                                return -EINVAL;
                        break;
                case ARG_SWEEP:
                        if (wl_parse_u64("--sweep-ms", optarg, 1, 100000, &arg_sweep_ms) < 0)
                                return -EINVAL;
                        break;
                case ARG_DURATION:
                        if (wl_parse_double("--duration", optarg, 0.01, 86400, &arg_duration_s) < 0)
                                return -EINVAL;
                        have_duration = true;
                        break;
                case ARG_OUT:
                        arg_out = optarg;
                        break;
                case ARG_NAME:
                        arg_name = optarg;
                        break;
                case ARG_READY:
                        arg_ready = optarg;
                        break;
                case ARG_PREPARE:
                        arg_prepare = true;
                        break;
                default:
                        wl_bad_option(c, argv);
                        return -EINVAL;
                }
        }
        if (optind < argc) {
                wl_err("unexpected argument '%s' (see --help)", argv[optind]);
                return -EINVAL;
        }
        if (arg_code_mib > 0 && !arg_code_file) {
                wl_err("--code-mib needs --code-file (see --help)");
                return -EINVAL;
        }
        if (arg_prepare && (!arg_code_file || arg_code_mib == 0)) {
                wl_err("--prepare needs --code-file and --code-mib (see --help)");
                return -EINVAL;
        }
        if (!arg_prepare && !have_duration) {
                wl_err("--duration is required (see --help)");
                return -EINVAL;
        }
        return 1;
}

/* Writes bytes of pattern data to PATH.tmp.PID, flushes it to disk (so its pages start clean and can be
 * dropped like a program's text), and renames it to PATH: a killed run never leaves a short code file. */
static int create_code_file(const char *path, size_t bytes) {
        size_t chunk = WL_MIB;
        char *tmp = NULL;
        uint8_t *buf;
        int fd, r = 0;

        if (asprintf(&tmp, "%s.tmp.%d", path, (int) getpid()) < 0)
                return -ENOMEM;
        buf = malloc(chunk);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (!buf || fd < 0) {
                r = buf ? -errno : -ENOMEM;
                goto out_free;
        }
        for (size_t done = 0; done < bytes && r == 0; done += chunk) {
                size_t n = bytes - done < chunk ? bytes - done : chunk;

                wl_fill(buf, n);
                for (size_t w = 0; w < n; ) {
                        ssize_t k = write(fd, buf + w, n - w);
                        if (k < 0 && errno == EINTR)
                                continue;
                        if (k <= 0) {
                                r = k < 0 ? -errno : -EIO;
                                break;
                        }
                        w += (size_t) k;
                }
        }
        if (r == 0 && fdatasync(fd) < 0)
                r = -errno;
        if (close(fd) < 0 && r == 0)
                r = -errno;
        if (r == 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0)
                (void) unlink(tmp);
out_free:
        free(buf);
        free(tmp);
        return r;
}

/* Opens the code file, creating it if missing; *ret_created says which. Returns an fd or -errno. */
static int open_code_file(size_t bytes, bool *ret_created) {
        struct statfs sfs;
        struct stat st;
        bool created = false;
        int fd, r;

        fd = open(arg_code_file, O_RDONLY | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT) {
                r = create_code_file(arg_code_file, bytes);
                if (r < 0) {
                        wl_err("cannot create %s: %s", arg_code_file, strerror(-r));
                        return r;
                }
                created = true;
                fd = open(arg_code_file, O_RDONLY | O_CLOEXEC);
        }
        if (fd < 0) {
                r = -errno;
                wl_err("cannot open %s: %s", arg_code_file, strerror(errno));
                return r;
        }
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t) st.st_size < bytes) {
                wl_err("%s is not a regular file of at least %" PRIu64 " MiB (remove it to have it recreated)",
                       arg_code_file, arg_code_mib);
                (void) close(fd);
                return -EINVAL;
        }
        /* Code lives on a disk: on tmpfs (or an overlay whose upper layer is tmpfs, as in the VM when the
         * guest created the file) its pages are swap-backed shared memory, not droppable file pages. */
        if (fstatfs(fd, &sfs) == 0) {
                if (sfs.f_type == TMPFS_MAGIC)
                        wl_err("warning: %s is on tmpfs: its pages are swap-backed, not file-backed like code",
                               arg_code_file);
                else if (sfs.f_type == OVERLAYFS_SUPER_MAGIC && created)
                        wl_err("warning: created %s on an overlay; if its upper layer is tmpfs (the VM's), its pages "
                               "are swap-backed: create it on the host first (--prepare)", arg_code_file);
        }
        *ret_created = created;
        return fd;
}

typedef struct Probe {
        uint8_t *wss, *code;
        size_t wss_pages, code_pages, page;
        uint64_t slices, slice;
        uint32_t *samples;      /* latency of each iteration, usec */
        size_t n_samples, max_samples;
        uint32_t *buckets;      /* per BUCKET_MSEC of run time: the longest iteration overlapping it, usec */
        size_t n_buckets;
        uint64_t missed, sink;
} Probe;

/* Touches slice k (of p->slices) of both sets. */
static void touch_slice(Probe *p) {
        uint64_t k = p->slice;
        size_t a0 = (size_t) (k * p->wss_pages / p->slices), a1 = (size_t) ((k + 1) * p->wss_pages / p->slices);
        size_t c0 = (size_t) (k * p->code_pages / p->slices), c1 = (size_t) ((k + 1) * p->code_pages / p->slices);

        if (a1 > a0)
                wl_touch_write(p->wss + a0 * p->page, (a1 - a0) * p->page);
        if (c1 > c0)
                p->sink += wl_touch_read(p->code + c0 * p->page, (c1 - c0) * p->page);
        p->slice = (k + 1) % p->slices;
}

static void record(Probe *p, usec_t t0, usec_t sched, usec_t end) {
        usec_t lat = end - sched;
        uint32_t v = lat > UINT32_MAX ? UINT32_MAX : (uint32_t) lat;
        size_t b0 = (size_t) ((sched - t0) / (BUCKET_MSEC * USEC_PER_MSEC));
        size_t b1 = (size_t) ((end - t0) / (BUCKET_MSEC * USEC_PER_MSEC));

        p->samples[p->n_samples++] = v;
        if (b1 >= p->n_buckets)
                b1 = p->n_buckets - 1;
        for (size_t b = b0 < b1 ? b0 : b1; b <= b1; b++)
                if (p->buckets[b] < v)
                        p->buckets[b] = v;
}

static int cmp_u32(const void *a, const void *b) {
        uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
        return x < y ? -1 : x > y;
}

/* Nearest rank: the smallest sample with at least pct percent of the samples at or below it. */
static double percentile_ms(const uint32_t *sorted, size_t n, unsigned pct) {
        size_t rank = (n * pct + 99) / 100;
        return (double) sorted[rank > 0 ? rank - 1 : 0] / 1000.0;
}

static double tv_ms(struct timeval tv) {
        return (double) tv.tv_sec * 1e3 + (double) tv.tv_usec / 1e3;
}

static void report(Probe *p, FILE *f, usec_t setup, usec_t ran, const struct rusage *r0, const struct rusage *r1,
                   int stop_sig) {
        usec_t interval = arg_interval_ms * USEC_PER_MSEC, stall = 0;
        uint64_t over_100ms = 0, over_1s = 0, late = 0, sum = 0;
        int64_t rss = wl_self_status_kib("VmRSS"), swap = wl_self_status_kib("VmSwap");
        size_t n = p->n_samples, used;
        char sig[16];
        WlJson j;

        for (size_t i = 0; i < n; i++) {
                usec_t v = p->samples[i];
                sum += v;
                over_100ms += v > 100 * USEC_PER_MSEC;
                over_1s += v > USEC_PER_SEC;
                if (v > interval) {
                        late++;
                        stall += v - interval;
                }
        }
        qsort(p->samples, n, sizeof *p->samples, cmp_u32);

        wl_json_begin(&j, f);
        wl_json_common(&j);
        wl_json_u64(&j, "interval_ms", arg_interval_ms);
        wl_json_u64(&j, "sweep_ms", arg_sweep_ms);
        wl_json_u64(&j, "wss_mib", arg_wss_mib);
        wl_json_u64(&j, "code_mib", arg_code_mib);
        wl_json_str(&j, "code_file", arg_code_file);
        wl_json_num(&j, "duration_s", arg_duration_s, 3);
        wl_json_num(&j, "setup_ms", wl_ms(setup), 1);
        wl_json_num(&j, "ran_ms", wl_ms(ran), 1);
        wl_json_str(&j, "ended_by", stop_sig ? wl_signal_name(stop_sig, sig) : "duration");
        wl_json_u64(&j, "iterations", n);
        wl_json_u64(&j, "missed_slots", p->missed);
        if (n > 0) {
                wl_json_num(&j, "p50_ms", percentile_ms(p->samples, n, 50), 3);
                wl_json_num(&j, "p90_ms", percentile_ms(p->samples, n, 90), 3);
                wl_json_num(&j, "p99_ms", percentile_ms(p->samples, n, 99), 3);
                wl_json_num(&j, "max_ms", (double) p->samples[n - 1] / 1000.0, 3);
                wl_json_num(&j, "mean_ms", (double) sum / (double) n / 1000.0, 3);
        } else {
                wl_json_null(&j, "p50_ms");
                wl_json_null(&j, "p90_ms");
                wl_json_null(&j, "p99_ms");
                wl_json_null(&j, "max_ms");
                wl_json_null(&j, "mean_ms");
        }
        wl_json_u64(&j, "over_100ms", over_100ms);
        wl_json_u64(&j, "over_1s", over_1s);
        wl_json_u64(&j, "late_iterations", late);
        wl_json_num(&j, "stall_ms", wl_ms(stall), 1);
        wl_json_num(&j, "cpu_ms",
                    tv_ms(r1->ru_utime) - tv_ms(r0->ru_utime) + tv_ms(r1->ru_stime) - tv_ms(r0->ru_stime), 1);
        wl_json_i64(&j, "major_faults", (int64_t) (r1->ru_majflt - r0->ru_majflt));
        wl_json_i64(&j, "minor_faults", (int64_t) (r1->ru_minflt - r0->ru_minflt));
        if (rss >= 0)
                wl_json_num(&j, "rss_mib", (double) rss / 1024.0, 1);
        else
                wl_json_null(&j, "rss_mib");
        if (swap >= 0)
                wl_json_num(&j, "swap_mib", (double) swap / 1024.0, 1);
        else
                wl_json_null(&j, "swap_mib");

        used = (size_t) (ran / (BUCKET_MSEC * USEC_PER_MSEC)) + 1;
        if (used > p->n_buckets)
                used = p->n_buckets;
        wl_json_object_begin(&j, "series");
        wl_json_u64(&j, "bucket_ms", BUCKET_MSEC);
        wl_json_array_begin(&j, "t_ms");
        for (size_t b = 0; b < used; b++)
                wl_json_u64(&j, NULL, (uint64_t) b * BUCKET_MSEC);
        wl_json_array_end(&j);
        wl_json_array_begin(&j, "max_ms");
        for (size_t b = 0; b < used; b++)
                wl_json_num(&j, NULL, (double) p->buckets[b] / 1000.0, 2);
        wl_json_array_end(&j);
        wl_json_object_end(&j);
        wl_json_end(&j);
}

static int prepare(void) {
        bool created;
        WlOut out;
        WlJson j;
        int fd, r;

        r = wl_out_open(&out, arg_out);
        if (r < 0) {
                wl_err("cannot open %s.partial: %s", arg_out, strerror(-r));
                return r;
        }
        fd = open_code_file((size_t) arg_code_mib * WL_MIB, &created);
        if (fd < 0)
                return fd;
        (void) close(fd);
        wl_json_begin(&j, out.f);
        wl_json_common(&j);
        wl_json_str(&j, "code_file", arg_code_file);
        wl_json_u64(&j, "code_mib", arg_code_mib);
        wl_json_bool(&j, "created", created);
        wl_json_end(&j);
        return wl_out_close(&out);
}

static int run(void) {
        static Probe probe;
        Probe *p = &probe;
        size_t wss_bytes = (size_t) arg_wss_mib * WL_MIB, code_bytes = (size_t) arg_code_mib * WL_MIB;
        usec_t interval = arg_interval_ms * USEC_PER_MSEC, duration, t_setup, t0, end_at, next;
        struct rusage r0, r1;
        bool created;
        WlOut out;
        int r;

        r = wl_set_name(arg_name);
        if (r < 0) {
                wl_err("cannot set the process name: %s", strerror(-r));
                return r;
        }
        if (arg_prepare)
                return prepare();
        r = wl_out_open(&out, arg_out);
        if (r < 0) {
                wl_err("cannot open %s.partial: %s", arg_out, strerror(-r));
                return r;
        }
        r = wl_catch_stop_signals();
        if (r < 0) {
                wl_err("cannot handle SIGTERM: %s", strerror(-r));
                return r;
        }
        t_setup = wl_now();
        p->page = wl_page_size();
        p->slices = arg_sweep_ms / arg_interval_ms > 0 ? arg_sweep_ms / arg_interval_ms : 1;

        if (code_bytes > 0) {
                int fd = open_code_file(code_bytes, &created);
                if (fd < 0)
                        return fd;
                p->code = mmap(NULL, code_bytes, PROT_READ, MAP_PRIVATE, fd, 0);
                r = -errno;
                (void) close(fd);
                if (p->code == MAP_FAILED) {
                        wl_err("cannot map %s: %s", arg_code_file, strerror(-r));
                        return r;
                }
                p->code_pages = code_bytes / p->page;
        }
        if (wss_bytes > 0) {
                p->wss = wl_map_anon(wss_bytes);
                if (!p->wss) {
                        r = -errno;
                        wl_err("cannot map the %" PRIu64 " MiB working set: %s", arg_wss_mib, strerror(errno));
                        return r;
                }
                wl_fill(p->wss, wss_bytes);
                p->wss_pages = wss_bytes / p->page;
        }

        /* The sample buffer and the series, bounded by the duration, touched now: nothing is allocated in
         * the loop. Neither is locked: the probe is reclaimed like any application. */
        duration = (usec_t) (arg_duration_s * (double) USEC_PER_SEC);
        p->max_samples = (size_t) (duration / interval) + 2;
        p->n_buckets = (size_t) (duration / (BUCKET_MSEC * USEC_PER_MSEC)) + 2;
        p->samples = wl_map_anon(p->max_samples * sizeof *p->samples);
        p->buckets = wl_map_anon(p->n_buckets * sizeof *p->buckets);
        if (!p->samples || !p->buckets) {
                r = -errno;
                wl_err("cannot map the sample buffer: %s", strerror(errno));
                return r;
        }
        memset(p->samples, 0, p->max_samples * sizeof *p->samples);
        memset(p->buckets, 0, p->n_buckets * sizeof *p->buckets);

        /* Warm both sets once (the code file is read in), so the first sweep measures a running program. */
        if (p->code)
                p->sink += wl_touch_read(p->code, code_bytes);
        r = wl_ready_file(arg_ready);
        if (r < 0) {
                wl_err("cannot create %s: %s", arg_ready, strerror(-r));
                return r;
        }

        (void) getrusage(RUSAGE_SELF, &r0);
        t0 = next = wl_now();
        end_at = t0 + duration;
        while (!wl_stop_signal && next < end_at && p->n_samples < p->max_samples) {
                usec_t end;

                while (!wl_stop_signal && wl_now() < next)
                        (void) wl_sleep_until(next);
                if (wl_stop_signal)
                        break;
                touch_slice(p);
                end = wl_now();
                record(p, t0, next, end);
                next += interval;
                if (end >= next) {
                        /* Overran: the next slot on the grid after now; the skipped ones are counted. */
                        usec_t resume = t0 + ((end - t0) / interval + 1) * interval;
                        p->missed += (resume - next) / interval;
                        next = resume;
                }
        }
        (void) getrusage(RUSAGE_SELF, &r1);

        report(p, out.f, t0 - t_setup, wl_now() - t0, &r0, &r1, wl_stop_signal);
        return wl_out_close(&out);
}

int main(int argc, char **argv) {
        int r;

        wl_init("hr-probe");
        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? WL_EXIT_USAGE : WL_EXIT_OK;
        return run() < 0 ? WL_EXIT_SETUP : WL_EXIT_OK;
}
