/* SPDX-License-Identifier: MIT */
/* GPU memory per process from DRM fdinfo (parse/drm.c): lists <pid>/fd, readlink()s each entry, reads
 * <pid>/fdinfo/<fd> of those that point into /dev/dri/ and sums their resident memory by class, each DRM client
 * once. What it costs and why:
 *
 *   <pid>/fd           one openat() + getdents64() (+ close) per process: 16 KiB of dirents is ~680 fds a call
 *   <pid>/fd/<n>       one readlinkat() per fd: a link's target is the only way to tell a DRM fd from the others
 *                      (d_type is DT_LNK for all). This is most of the cost: see bench/results/gpu-scan.md
 *   <pid>/fdinfo/<n>   openat() + read() + close() per DRM fd, usually one to four per GPU client process
 *
 * Counting once: fds that dup(), fork() or SCM_RIGHTS made of one open() share a drm_file, and show one drm-client-id
 * (unique per device, so the key is (drm-pdev, drm-client-id)). Kernels before 5.19 (amdgpu: 5.14) print no id: each
 * fd counts, and a dup()ed one counts twice. A client shared by two processes counts in each.
 *
 * Races: the process may exit, or close an fd, between any two calls: what is gone is skipped, never an error. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/gpumem.h"
#include "parse/parse.h"
#include "shared/macros.h"

#define DENTS_SIZE (16 * 1024)
#define BUF_SIZE (16 * 1024)      /* an fdinfo: i915 ~1 KiB, xe with every engine ~2 KiB */
#define DRI_PREFIX "/dev/dri/"

int hr_gpumem_open(HrGpuMem *g) {
        *g = (HrGpuMem) {};
        g->dents = malloc(DENTS_SIZE);
        g->buf = malloc(BUF_SIZE);
        if (!g->dents || !g->buf) {
                hr_gpumem_close(g);
                return -ENOMEM;
        }
        g->dents_size = DENTS_SIZE;
        g->buf_size = BUF_SIZE;
        return 0;
}

void hr_gpumem_close(HrGpuMem *g) {
        free(g->dents);
        free(g->buf);
        g->dents = g->buf = NULL;
        g->dents_size = g->buf_size = 0;
}

int hr_gpumem_has_devices(const HrSysroot *root) {
        union {
                struct dirent64 de;
                char b[2048];
        } u;

        _cleanup_close_ int fd = openat(root->root_fd, "dev/dri", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
        for (;;) {
                ssize_t k = getdents64(fd, u.b, sizeof u.b);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        return 0;
                for (size_t off = 0; off < (size_t) k;) {
                        const struct dirent64 *de = (const struct dirent64 *) (u.b + off);
                        off += de->d_reclen;
                        if (strncmp(de->d_name, "card", 4) == 0 || strncmp(de->d_name, "renderD", 7) == 0)
                                return 1;
                }
        }
}

static bool gone(int r) {
        return r == -ENOENT || r == -ESRCH;
}

static uint64_t sat_add(uint64_t a, uint64_t b) {
        return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* Writes v in decimal at p, returns the length. */
static size_t put_u32(char *p, uint32_t v) {
        char digits[10];
        size_t nd = 0, o = 0;

        do {
                digits[nd++] = (char) ('0' + v % 10);
                v /= 10;
        } while (v > 0);
        while (nd > 0)
                p[o++] = digits[--nd];
        return o;
}

/* openat() + read() of dirfd/rel into g->buf, NUL-terminated: procfs returns a whole seq_file in the first read when
 * it fits, so a short read is the end. The length, -EFBIG when it does not fit, or -errno. */
static ssize_t read_small(HrGpuMem *g, int dirfd, const char *rel) {
        size_t n = 0;

        _cleanup_close_ int fd = openat(dirfd, rel, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        for (;;) {
                size_t want = g->buf_size - 1 - n;
                if (want == 0)
                        return -EFBIG;
                ssize_t k = read(fd, g->buf + n, want);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                n += (size_t) k;
                if ((size_t) k < want)
                        break;
        }
        g->buf[n] = '\0';
        return (ssize_t) n;
}

/* Reads and adds the fdinfo at rel ("<pid>/fdinfo/<fd>") to u, unless its client was counted already. */
static void count_fd(HrGpuMem *g, int proc_fd, const char *rel, HrGpuMemUsage *u) {
        const HrDrmFdinfo *f = &g->info;
        ssize_t n;

        n = read_small(g, proc_fd, rel);
        if (n < 0) {
                if (!gone((int) n)) /* closed since the readlink: nothing to count */
                        u->n_failed++;
                return;
        }
        if (hr_parse_drm_fdinfo(g->buf, (size_t) n, &g->info, NULL) < 0) {
                u->n_failed++;
                return;
        }
        if (!f->is_drm) /* a DRM node without usage stats (kernels before 5.14, drivers that print none) */
                return;
        if (f->has_client_id) {
                for (unsigned i = 0; i < g->n_clients; i++)
                        if (g->clients[i].id == f->client_id && strcmp(g->clients[i].pdev, f->pdev) == 0)
                                return;
                if (g->n_clients < HR_GPUMEM_CLIENTS_MAX) {
                        HrGpuMemClient *c = &g->clients[g->n_clients++];
                        c->id = f->client_id;
                        memcpy(c->pdev, f->pdev, sizeof c->pdev);
                }
        }
        u->n_clients++;
        u->system_kib = sat_add(u->system_kib, f->resident_kib[HR_DRM_MEM_SYSTEM]);
        u->system_shared_kib = sat_add(u->system_shared_kib, f->shared_kib[HR_DRM_MEM_SYSTEM]);
        u->stolen_kib = sat_add(u->stolen_kib, f->resident_kib[HR_DRM_MEM_STOLEN]);
        u->device_kib = sat_add(u->device_kib, f->resident_kib[HR_DRM_MEM_DEVICE]);
        u->other_kib = sat_add(u->other_kib, f->resident_kib[HR_DRM_MEM_OTHER]);
}

int hr_gpumem_read(HrGpuMem *g, int proc_fd, pid_t pid, HrGpuMemUsage *ret) {
        HrGpuMemUsage u = {};
        char rel[64]; /* "<pid>/fdinfo/<fd>": at most 10 + 8 + the fd's name */
        size_t plen;

        if (pid <= 0 || !g->dents)
                return -EINVAL;
        plen = put_u32(rel, (uint32_t) pid);
        memcpy(rel + plen, "/fd", sizeof "/fd");
        _cleanup_close_ int dfd = openat(proc_fd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0) {
                if (gone(-errno)) {
                        *ret = u;
                        return 0;
                }
                return -errno;
        }
        memcpy(rel + plen, "/fdinfo/", sizeof "/fdinfo/" - 1);
        plen += sizeof "/fdinfo/" - 1;
        g->n_clients = 0;

        for (;;) {
                ssize_t k = getdents64(dfd, g->dents, g->dents_size);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        if (gone(-errno))
                                break;
                        return -errno;
                }
                if (k == 0)
                        break;
                for (size_t off = 0; off < (size_t) k;) {
                        const struct dirent64 *de = (const struct dirent64 *) (g->dents + off);
                        char link[sizeof DRI_PREFIX + 16];
                        off += de->d_reclen;
                        if (de->d_name[0] < '0' || de->d_name[0] > '9') /* ".", ".." */
                                continue;
                        if (u.n_fds == HR_GPUMEM_FDS_MAX) {
                                u.truncated = true;
                                goto done;
                        }
                        u.n_fds++;
                        /* Cut to fit: only the prefix matters. Fails (ENOENT) for an fd closed since the listing. */
                        ssize_t n = readlinkat(dfd, de->d_name, link, sizeof link);
                        if (n < (ssize_t) (sizeof DRI_PREFIX - 1) ||
                            memcmp(link, DRI_PREFIX, sizeof DRI_PREFIX - 1) != 0)
                                continue;
                        u.n_drm_fds++;
                        size_t nl = strlen(de->d_name);
                        if (plen + nl >= sizeof rel) {
                                u.n_failed++;
                                continue;
                        }
                        memcpy(rel + plen, de->d_name, nl + 1);
                        count_fd(g, proc_fd, rel, &u);
                }
        }
done:
        *ret = u;
        return 0;
}
