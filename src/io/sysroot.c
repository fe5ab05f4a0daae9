/* SPDX-License-Identifier: MIT */
/* Opens the system root (or a fixture) as dirfds, finds the cgroup2 mount (and v1 memory's), resolves --scope,
 * and reads small pseudo-files in one go. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/sysroot.h"
#include "parse/parse.h"
#include "shared/macros.h"

ssize_t hr_pread_all(int fd, char *buf, size_t size) {
        size_t n = 0;

        if (size < 2)
                return -EINVAL;
        for (;;) {
                ssize_t k = pread(fd, buf + n, size - 1 - n, (off_t) n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                n += (size_t) k;
                if (n == size - 1) {
                        char c;
                        k = pread(fd, &c, 1, (off_t) n);
                        if (k > 0)
                                return -EFBIG;
                        break;
                }
        }
        buf[n] = '\0';
        return (ssize_t) n;
}

ssize_t hr_read_at(int dirfd, const char *rel, char *buf, size_t size) {
        _cleanup_close_ int fd = openat(dirfd, rel, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        return hr_pread_all(fd, buf, size);
}

const char *hr_sysroot_display(const HrSysroot *r, const char *rel, char *buf, size_t size) {
        (void) snprintf(buf, size, "%s/%s", r->path, rel);
        return buf;
}

static int find_cgroup2(HrSysroot *r) {
        char buf[16384];
        ssize_t n = hr_read_at(r->proc_fd, "self/mountinfo", buf, sizeof buf);
        char mnt[PATH_MAX];
        int fd;

        /* A hybrid machine keeps the memory controller in v1: a scope's limit is on its twin there. */
        if (n >= 0 && hr_parse_mountinfo_cgroup1(buf, (size_t) n, "memory", mnt, sizeof mnt, NULL) == 0)
                (void) snprintf(r->cgroup1_memory, sizeof r->cgroup1_memory, "%s", mnt + (mnt[0] == '/'));
        else if (n == -EFBIG && faccessat(r->root_fd, "sys/fs/cgroup/memory/memory.usage_in_bytes", F_OK, 0) == 0)
                (void) snprintf(r->cgroup1_memory, sizeof r->cgroup1_memory, "sys/fs/cgroup/memory");
        if (n == -EFBIG) {
                /* Huge mount tables: fall back to the two standard places. */
                const char *cand[] = { "sys/fs/cgroup/unified/cgroup.procs", "sys/fs/cgroup/cgroup.procs" };
                for (unsigned i = 0; i < ELEMENTSOF(cand); i++)
                        if (faccessat(r->root_fd, cand[i], F_OK, 0) == 0) {
                                size_t l = strlen(cand[i]) - strlen("/cgroup.procs");
                                memcpy(r->cgroup2, cand[i], l);
                                r->cgroup2[l] = '\0';
                                goto open_it;
                        }
                return -ENOENT;
        }
        if (n < 0)
                return (int) n;
        if (hr_parse_mountinfo_cgroup2(buf, (size_t) n, mnt, sizeof mnt, NULL) < 0)
                return -ENOENT;
        /* Relative to the root: strip the leading '/'. */
        (void) snprintf(r->cgroup2, sizeof r->cgroup2, "%s", mnt + (mnt[0] == '/'));
open_it:
        fd = openat(r->root_fd, r->cgroup2[0] ? r->cgroup2 : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
                r->cgroup2[0] = '\0';
                return -errno;
        }
        r->cgroup2_fd = fd;
        return 0;
}

int hr_sysroot_open(const char *root, HrSysroot *ret) {
        HrSysroot r = { .root_fd = -EBADF, .proc_fd = -EBADF, .sys_fd = -EBADF, .cgroup2_fd = -EBADF };

        if (!root || root[0] == '\0')
                root = "/";
        if (strcmp(root, "/") != 0) {
                size_t l = strlen(root);
                while (l > 1 && root[l - 1] == '/')
                        l--;
                if (l >= sizeof r.path)
                        return -ENAMETOOLONG;
                memcpy(r.path, root, l);
                r.path[l] = '\0';
        }
        r.root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (r.root_fd < 0)
                return -errno;
        r.proc_fd = openat(r.root_fd, "proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (r.proc_fd < 0) {
                int e = -errno;
                hr_sysroot_done(&r);
                return e;
        }
        r.sys_fd = openat(r.root_fd, "sys", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (r.sys_fd < 0)
                r.sys_fd = -EBADF;
        (void) find_cgroup2(&r); /* optional: no cgroup2 means no --scope */
        *ret = r;
        return 0;
}

void hr_sysroot_done(HrSysroot *r) {
        r->root_fd = hr_close(r->root_fd);
        r->proc_fd = hr_close(r->proc_fd);
        r->sys_fd = hr_close(r->sys_fd);
        r->cgroup2_fd = hr_close(r->cgroup2_fd);
}

int hr_sysroot_resolve_scope(const HrSysroot *r, const char *scope, char *ret_rel, size_t size) {
        size_t ml = strlen(r->cgroup2);
        const char *sub;
        char rel[PATH_MAX];
        int n;

        if (r->cgroup2_fd < 0)
                return -ENOENT;
        if (!scope || scope[0] == '\0')
                return -EINVAL;
        if (strstr(scope, "/../") || strncmp(scope, "../", 3) == 0 || strcmp(scope, "..") == 0 ||
            (strlen(scope) >= 3 && strcmp(scope + strlen(scope) - 3, "/..") == 0))
                return -EINVAL;

        /* A filesystem path under the mount, or a cgroup path relative to it. */
        if (scope[0] == '/' && ml > 0 && strncmp(scope + 1, r->cgroup2, ml) == 0 &&
            (scope[1 + ml] == '/' || scope[1 + ml] == '\0'))
                sub = scope + 1 + ml;
        else
                sub = scope;
        while (*sub == '/')
                sub++;

        if (sub[0] == '\0')
                n = snprintf(rel, sizeof rel, "%s", ml ? r->cgroup2 : ".");
        else
                n = snprintf(rel, sizeof rel, "%s%s%s", r->cgroup2, ml ? "/" : "", sub);
        if (n < 0 || (size_t) n >= sizeof rel)
                return -ENAMETOOLONG;
        while (n > 1 && rel[n - 1] == '/')
                rel[--n] = '\0';

        char probe[PATH_MAX + 32];
        if ((size_t) snprintf(probe, sizeof probe, "%s/memory.pressure", rel) >= sizeof probe)
                return -ENAMETOOLONG;
        struct stat st;
        if (fstatat(r->root_fd, rel, &st, 0) < 0)
                return -errno;
        if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;
        if (faccessat(r->root_fd, probe, R_OK, 0) < 0)
                return errno == ENOENT ? -EOPNOTSUPP : -errno; /* PSI off for this cgroup */
        if ((size_t) n >= size)
                return -ENAMETOOLONG;
        memcpy(ret_rel, rel, (size_t) n + 1);
        return 0;
}

int hr_write_at(int dirfd, const char *rel, const char *value) {
        _cleanup_close_ int fd = openat(dirfd, rel, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);
        size_t len = strlen(value);
        ssize_t n;
        if (fd < 0)
                return -errno;
        do
                n = write(fd, value, len);
        while (n < 0 && errno == EINTR);
        return n < 0 ? -errno : (size_t) n != len ? -EIO : 0;
}
