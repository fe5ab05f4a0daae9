/* SPDX-License-Identifier: MIT */
/* Shared by the benchmark workloads (bench/workloads): the ~3:1 fill pattern, page touching, option parsing,
 * the process name, the clock, stop signals, the --out file and the one-line JSON result writer. */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

typedef uint64_t usec_t;

#define USEC_PER_MSEC ((usec_t) 1000)
#define USEC_PER_SEC ((usec_t) 1000000)
#define WL_MIB ((size_t) 1 << 20)

/* Exit statuses shared by every program. */
enum {
        WL_EXIT_OK = 0,         /* a normal end: duration over, work done, or SIGTERM/SIGINT */
        WL_EXIT_SETUP = 1,      /* could not set up (memory, fork, files) */
        WL_EXIT_USAGE = 2,      /* bad command line */
};

/* The program's name for messages ("hr-leak"), set by wl_init(). */
extern const char *wl_prog;

/* Sets wl_prog and seeds the fill pattern's random pool (per process: pid and clock). Call first in main(). */
void wl_init(const char *prog);

/* Mixes the pid into the generator: call in a forked child, so its pages differ from its siblings'. */
void wl_reseed(void);

/* "PROG: message" on stderr, one line. */
void wl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- fill pattern and touching ---- */

/* The pattern's period: zram compresses anonymous memory one 4 KiB page at a time. */
#define WL_PATTERN_PAGE ((size_t) 4096)
/* Bytes of each pattern page that are random (the first third); the rest is zero. lz4 stores them
 * as literals and the zeros as one match: ~1.4 KiB per 4 KiB page, about 2.9:1. */
#define WL_PATTERN_RANDOM (WL_PATTERN_PAGE / 3)

/* Writes [p, p + len) with the pattern, keyed to the absolute address: in every 4 KiB-aligned page the
 * first WL_PATTERN_RANDOM bytes are random, the rest zero, so any page of a filled range compresses the
 * same however the range was cut into allocations. Every page is written (first touch). */
void wl_fill(void *p, size_t len);

/* One read-modify-write per page-aligned page in [p, p + len): the byte at each page's offset 0, which is
 * in the random third, so the pattern's compressibility is kept. */
void wl_touch_write(void *p, size_t len);

/* One read per page (each page's offset 0) in [p, p + len); returns a sum so the reads cannot be dropped. */
uint64_t wl_touch_read(const void *p, size_t len);

/* A private anonymous mapping of len bytes (untouched), or NULL with errno set. */
void *wl_map_anon(size_t len);

size_t wl_page_size(void);

/* A small, fast generator for choices (not for the pattern's bytes). */
uint64_t wl_rand(void);

/* ---- options ---- */

/* Parse a decimal number for option opt ("--rate") within [min, max]. On error prints one line
 * ("hr-leak: --rate: 'x' is not a number") and returns -EINVAL; *ret is written only on success. */
int wl_parse_u64(const char *opt, const char *arg, uint64_t min, uint64_t max, uint64_t *ret);
int wl_parse_double(const char *opt, const char *arg, double min, double max, double *ret);

/* Reports getopt_long's '?' or ':' (with opterr = 0 and optstring starting with ':') as one line. */
void wl_bad_option(int c, char **argv);

/* ---- process name ---- */

/* Sets comm (PR_SET_NAME: the kernel keeps the first 15 bytes). NULL or "" keeps the current one.
 * Returns 0 or -errno. */
int wl_set_name(const char *name);

/* The current comm (up to 15 bytes and NUL) into buf[16]. */
void wl_get_name(char buf[static 16]);

/* ---- time and signals ---- */

usec_t wl_now(void);                    /* CLOCK_MONOTONIC */
double wl_ms(usec_t u);                 /* microseconds as milliseconds */

/* The last stop signal (SIGTERM, SIGINT) caught by wl_catch_stop_signals()'s handler, or 0. */
extern volatile sig_atomic_t wl_stop_signal;

/* Handles SIGTERM and SIGINT by setting wl_stop_signal (no SA_RESTART, so sleeps return EINTR).
 * Returns 0 or -errno. */
int wl_catch_stop_signals(void);

/* Blocks SIGTERM and SIGINT (and SIGCHLD if with_chld) for wl_wait_signal(); returns 0 or -errno. */
int wl_block_signals(bool with_chld);

/* Restores the default disposition and an empty mask in a forked child. */
void wl_child_reset_signals(void);

/* Waits for one of the signals wl_block_signals() blocked, until the monotonic deadline (0: forever).
 * Returns the signal number, or 0 at the deadline. */
int wl_wait_signal(usec_t deadline);

/* Sleeps until the monotonic deadline; returns early (-EINTR) when a handled signal arrives. */
int wl_sleep_until(usec_t deadline);

/* "SIGTERM" for SIGTERM; "SIG<n>" for a number without a name. buf holds at least 16 bytes. */
const char *wl_signal_name(int sig, char buf[static 16]);

/* ---- status ---- */

/* A "Key:  N kB" line of /proc/self/status in KiB, or -1. */
int64_t wl_self_status_kib(const char *key);

/* Creates (truncates) path and writes our pid into it; returns 0 or -errno. NULL path: nothing. */
int wl_ready_file(const char *path);

/* ---- the result: one JSON line to stdout or --out FILE ---- */

typedef struct WlOut {
        FILE *f;
        char *path;             /* the final name, NULL for stdout */
        char *partial;          /* path + ".partial", written and renamed over path at the end */
} WlOut;

/* Opens the destination at setup time, so a bad --out fails early: NULL means stdout. Returns 0 or -errno. */
int wl_out_open(WlOut *o, const char *path);

/* Flushes and closes; renames PATH.partial to PATH. Returns 0 or -errno, having said why on stderr. */
int wl_out_close(WlOut *o);

#define WL_JSON_DEPTH 8

typedef struct WlJson {
        FILE *f;
        unsigned depth;
        bool comma[WL_JSON_DEPTH];      /* the container at each depth already has a member */
} WlJson;

/* Values with a key are object members; with key NULL they are array elements. */
void wl_json_begin(WlJson *j, FILE *f);         /* "{" */
void wl_json_end(WlJson *j);                    /* "}\n" and fflush */
void wl_json_object_begin(WlJson *j, const char *key);
void wl_json_object_end(WlJson *j);
void wl_json_array_begin(WlJson *j, const char *key);
void wl_json_array_end(WlJson *j);
void wl_json_str(WlJson *j, const char *key, const char *v);   /* NULL: null; escaped, invalid UTF-8 as U+FFFD */
void wl_json_u64(WlJson *j, const char *key, uint64_t v);
void wl_json_i64(WlJson *j, const char *key, int64_t v);
void wl_json_num(WlJson *j, const char *key, double v, int decimals);  /* not finite: null */
void wl_json_bool(WlJson *j, const char *key, bool v);
void wl_json_null(WlJson *j, const char *key);

/* The members every program starts with: "program", "pid", "name" (the comm as the kernel holds it). */
void wl_json_common(WlJson *j);
