/* SPDX-License-Identifier: MIT */
/* The sampler: opens PSI, meminfo, vmstat, swaps, loadavg and zram mm_stat once, then each sample is a
 * pread() per file into one preallocated buffer, parsed in place. No allocation per sample. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "io/sensors.h"
#include "shared/macros.h"

#define SENSOR_BUF_SIZE (64 * 1024)

/* Opens `path` (relative to dirfd) and keeps `display`, the path relative to the root, for messages. The name is
 * a copy on the heap, made once when the sources are opened: an inline PATH_MAX buffer per file would give each
 * of the twenty files a page of its own. */
static int open_file(HrSensorFile *f, int dirfd, const char *path, const char *display) {
        f->rel = strdup(display);
        if (!f->rel)
                return -ENOMEM;
        f->fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        return f->fd < 0 ? -errno : 0;
}

static void close_file(HrSensorFile *f) {
        f->fd = hr_close(f->fd);
        free(f->rel);
        f->rel = NULL;
}

static void sensor_file_init(HrSensorFile *f) {
        f->fd = -EBADF;
        f->rel = NULL;
}

/* "zram<N>" exactly; N into *ret. */
static bool zram_name(const char *name, unsigned *ret) {
        uint64_t v;
        if (strncmp(name, "zram", 4) != 0 || name[4] == '\0' || hr_parse_u64(name + 4, strlen(name + 4), &v) < 0 ||
            v > UINT_MAX)
                return false;
        *ret = (unsigned) v;
        return true;
}

static void open_zram(HrSensors *s) {
        DIR *d;
        struct dirent *de;
        int dfd;

        if (s->root->sys_fd < 0)
                return;
        dfd = openat(s->root->sys_fd, "block", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return;
        d = fdopendir(dfd);
        if (!d) {
                (void) close(dfd);
                return;
        }
        while ((de = readdir(d)) && s->n_zram < HR_ZRAM_MAX) {
                unsigned idx;
                char rel[NAME_MAX + 32], display[NAME_MAX + 40], buf[64];
                HrSensorFile *f = &s->zram[s->n_zram];

                if (!zram_name(de->d_name, &idx))
                        continue;
                /* opened relative to sys/, named relative to the root */
                (void) snprintf(rel, sizeof rel, "block/%s/mm_stat", de->d_name);
                (void) snprintf(display, sizeof display, "sys/%s", rel);
                if (open_file(f, s->root->sys_fd, rel, display) < 0) {
                        close_file(f);
                        continue;
                }
                (void) snprintf(rel, sizeof rel, "block/%s/disksize", de->d_name);
                uint64_t size = 0;
                ssize_t n = hr_read_at(s->root->sys_fd, rel, buf, sizeof buf);
                if (n > 0) {
                        size_t l = (size_t) n;
                        while (l > 0 && (buf[l - 1] == '\n' || buf[l - 1] == ' '))
                                l--;
                        if (hr_parse_u64(buf, l, &size) < 0)
                                size = 0;
                }
                s->zram_index[s->n_zram] = idx;
                s->zram_disksize[s->n_zram] = size;
                s->n_zram++;
        }
        (void) closedir(d);
}

/* The scope's own memory files (v2 memory.max etc.), or, when cgroup2 has no memory controller there, those of the
 * same path under a v1 memory hierarchy (how systemd lays out a hybrid machine). All three or none. */
static void open_scope_memory(HrSensors *s) {
        static const char *const v2[] = { "/memory.max", "/memory.current", "/memory.stat" };
        static const char *const v1[] = { "/memory.limit_in_bytes", "/memory.usage_in_bytes", "/memory.stat" };
        HrSensorFile *f[] = { &s->mem_limit, &s->mem_usage, &s->mem_stat };
        const char *const *names = v2;
        char dir[PATH_MAX], probe[PATH_MAX + 16];
        int n;

        n = snprintf(probe, sizeof probe, "%s/memory.max", s->scope_rel);
        if (n < 0 || (size_t) n >= sizeof probe)
                return;
        if (faccessat(s->root->root_fd, probe, F_OK, 0) == 0)
                n = snprintf(dir, sizeof dir, "%s", s->scope_rel);
        else {
                /* The cgroup path below the cgroup2 mount ("" for its root), under the v1 memory mount. */
                size_t ml = strlen(s->root->cgroup2);
                const char *sub = s->scope_rel;
                if (ml > 0 && strncmp(sub, s->root->cgroup2, ml) == 0 && (sub[ml] == '/' || sub[ml] == '\0'))
                        sub += ml;
                while (*sub == '/')
                        sub++;
                if (!s->root->cgroup1_memory[0])
                        return;
                n = snprintf(dir, sizeof dir, "%s%s%s", s->root->cgroup1_memory, *sub ? "/" : "", sub);
                names = v1;
                s->mem_v1 = true;
        }
        if (n < 0 || (size_t) n >= sizeof dir)
                return;
        for (unsigned i = 0; i < ELEMENTSOF(v2); i++) {
                n = snprintf(probe, sizeof probe, "%s%s", dir, names[i]);
                if (n < 0 || (size_t) n >= sizeof probe || open_file(f[i], s->root->root_fd, probe, probe) < 0) {
                        for (unsigned j = 0; j <= i; j++)
                                close_file(f[j]);
                        s->mem_v1 = false;
                        return;
                }
        }
}

/* Every file the sampler may hold, whether open or not. */
static void each_file(HrSensors *s, void (*fn)(HrSensorFile *f)) {
        for (unsigned i = 0; i < _HR_PSI_RESOURCE_MAX; i++)
                fn(&s->psi[i]);
        fn(&s->meminfo);
        fn(&s->vmstat);
        fn(&s->swaps);
        fn(&s->loadavg);
        fn(&s->mem_limit);
        fn(&s->mem_usage);
        fn(&s->mem_stat);
        for (unsigned i = 0; i < HR_ZRAM_MAX; i++)
                fn(&s->zram[i]);
}

void hr_sensors_init_closed(HrSensors *s) {
        *s = (HrSensors) {}; /* small since the file names moved to the heap; may be uninitialised (a reload's) */
        each_file(s, sensor_file_init);
}

int hr_sensors_open(HrSensors *s, const HrSysroot *root, const char *scope_rel) {
        static const char *const psi_file[_HR_PSI_RESOURCE_MAX] = {
                [HR_PSI_MEMORY] = "memory",
                [HR_PSI_CPU] = "cpu",
                [HR_PSI_IO] = "io",
        };
        int r;

        hr_sensors_init_closed(s);
        s->root = root;

        if (scope_rel && scope_rel[0]) {
                if (strlen(scope_rel) >= sizeof s->scope_rel)
                        return -ENAMETOOLONG;
                strcpy(s->scope_rel, scope_rel);
        }

        s->buf = malloc(SENSOR_BUF_SIZE);
        if (!s->buf)
                return -ENOMEM;
        s->buf_size = SENSOR_BUF_SIZE;

        for (unsigned i = 0; i < _HR_PSI_RESOURCE_MAX; i++) {
                char path[PATH_MAX + 32];
                if (s->scope_rel[0]) {
                        (void) snprintf(path, sizeof path, "%s/%s.pressure", s->scope_rel, psi_file[i]);
                        r = open_file(&s->psi[i], root->root_fd, path, path);
                } else {
                        (void) snprintf(path, sizeof path, "proc/pressure/%s", psi_file[i]);
                        r = open_file(&s->psi[i], root->proc_fd, path + 5, path);
                }
                if (r == -ENOMEM)
                        goto fail;
                if (r < 0)
                        s->psi[i].fd = -EBADF; /* PSI off or absent: the caller reports it once */
        }

        r = open_file(&s->meminfo, root->proc_fd, "meminfo", "proc/meminfo");
        if (r < 0)
                goto fail;
        r = open_file(&s->vmstat, root->proc_fd, "vmstat", "proc/vmstat");
        if (r < 0)
                goto fail;
        r = open_file(&s->swaps, root->proc_fd, "swaps", "proc/swaps");
        if (r == -ENOMEM)
                goto fail;
        if (r < 0)
                s->swaps.fd = -EBADF; /* kernels without CONFIG_SWAP */
        r = open_file(&s->loadavg, root->proc_fd, "loadavg", "proc/loadavg");
        if (r == -ENOMEM)
                goto fail;
        if (r < 0)
                s->loadavg.fd = -EBADF; /* only a hint: when new processes appear */

        open_zram(s);
        if (s->scope_rel[0])
                open_scope_memory(s);
        return 0;
fail:
        hr_sensors_close(s);
        return r;
}

void hr_sensors_close(HrSensors *s) {
        each_file(s, close_file);
        s->n_zram = 0;
        free(s->buf);
        s->buf = NULL;
}

const char *hr_sensors_scope_limit_rel(const HrSensors *s) {
        return s->mem_limit.fd >= 0 ? s->mem_limit.rel : NULL;
}

const char *hr_sensors_memory_psi_rel(const HrSensors *s) {
        return s->psi[HR_PSI_MEMORY].rel;
}

/* Each parser behind one signature, so every file goes through sample_file(). */
typedef int (*ParseFn)(const char *buf, size_t len, void *ret, HrParseErr *err);
static int parse_psi(const char *b, size_t n, void *r, HrParseErr *e) { return hr_parse_psi(b, n, r, e); }
static int parse_meminfo(const char *b, size_t n, void *r, HrParseErr *e) { return hr_parse_meminfo(b, n, r, e); }
static int parse_vmstat(const char *b, size_t n, void *r, HrParseErr *e) { return hr_parse_vmstat(b, n, r, e); }
static int parse_swaps(const char *b, size_t n, void *r, HrParseErr *e) { return hr_parse_swaps(b, n, r, e); }
static int parse_loadavg(const char *b, size_t n, void *r, HrParseErr *e) { return hr_parse_loadavg(b, n, r, e); }
static int parse_bytes(const char *b, size_t n, void *r, HrParseErr *e) { return hr_parse_cgroup_bytes(b, n, r, e); }
static int parse_mm_stat(const char *b, size_t n, void *r, HrParseErr *e) { return hr_parse_zram_mm_stat(b, n, r, e); }

static int sample_file(HrSensors *s, const HrSensorFile *f, ParseFn parse, void *dst, HrSensorError *err) {
        HrParseErr pe = {};
        ssize_t n;
        int r;

        n = hr_pread_all(f->fd, s->buf, s->buf_size);
        if (n < 0) {
                *err = (HrSensorError) { .rel = f->rel };
                return (int) n;
        }
        r = parse(s->buf, (size_t) n, dst, &pe);
        if (r < 0) {
                *err = (HrSensorError) { .rel = f->rel, .parse = pe };
                return r;
        }
        return 0;
}

/* v1 says "no limit" with the page counter's maximum (0x7ffffffffffff000 on x86-64): anything this large is none. */
#define NO_LIMIT_BYTES (UINT64_C(1) << 62)

/* The scope's limit, usage and inactive file cache into out->scope_mem, then its view of meminfo. */
static int sample_scope_memory(HrSensors *s, HrSample *out, HrSensorError *err) {
        uint64_t limit, usage, inactive = 0;
        HrParseErr pe = {};
        int r;

        out->scope_mem = (HrScopeMem) {};
        if (s->mem_limit.fd < 0)
                return 0;
        r = sample_file(s, &s->mem_limit, parse_bytes, &limit, err);
        if (r < 0)
                return r;
        r = sample_file(s, &s->mem_usage, parse_bytes, &usage, err);
        if (r < 0)
                return r;
        ssize_t n = hr_pread_all(s->mem_stat.fd, s->buf, s->buf_size);
        if (n < 0) {
                *err = (HrSensorError) { .rel = s->mem_stat.rel };
                return (int) n;
        }
        r = hr_parse_keyed_u64(s->buf, (size_t) n, s->mem_v1 ? "total_inactive_file" : "inactive_file", &inactive, &pe);
        if (r < 0 && r != -ENOENT) {
                *err = (HrSensorError) { .rel = s->mem_stat.rel, .parse = pe };
                return r;
        }
        if (limit >= NO_LIMIT_BYTES || usage >= NO_LIMIT_BYTES || limit / 1024 >= hr_meminfo_get(&out->meminfo, HR_MEM_TOTAL))
                return 0; /* no limit, or one the machine cannot reach */
        out->scope_mem = (HrScopeMem) {
                .limited = true,
                .limit_kib = limit / 1024,
                .usage_kib = usage / 1024,
                .inactive_file_kib = inactive / 1024,
        };
        hr_sample_apply_scope_limit(out);
        return 0;
}

int hr_sensors_sample(HrSensors *s, usec_t now, HrSample *out, HrSensorError *err) {
        int r;

        out->at = now;
        for (unsigned i = 0; i < _HR_PSI_RESOURCE_MAX; i++) {
                out->has_psi[i] = false;
                if (s->psi[i].fd < 0)
                        continue;
                r = sample_file(s, &s->psi[i], parse_psi, &out->psi[i], err);
                if (r < 0)
                        return r;
                out->has_psi[i] = true;
        }

        r = sample_file(s, &s->meminfo, parse_meminfo, &out->meminfo, err);
        if (r < 0)
                return r;
        r = sample_file(s, &s->vmstat, parse_vmstat, &out->vmstat, err);
        if (r < 0)
                return r;

        out->swaps = (HrSwaps) {};
        if (s->swaps.fd >= 0) {
                r = sample_file(s, &s->swaps, parse_swaps, &out->swaps, err);
                if (r < 0)
                        return r;
        }

        out->has_loadavg = false;
        if (s->loadavg.fd >= 0) {
                r = sample_file(s, &s->loadavg, parse_loadavg, &out->loadavg, err);
                if (r < 0)
                        return r;
                out->has_loadavg = true;
        }

        r = sample_scope_memory(s, out, err);
        if (r < 0)
                return r;

        out->n_zram = 0;
        for (unsigned i = 0; i < s->n_zram; i++) {
                HrZramDev *z = &out->zram[i];
                r = sample_file(s, &s->zram[i], parse_mm_stat, &z->stat, err);
                if (r < 0)
                        return r;
                z->index = s->zram_index[i];
                z->disksize_bytes = s->zram_disksize[i];
                out->n_zram = i + 1;
        }
        return 0;
}
