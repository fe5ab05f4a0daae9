/* SPDX-License-Identifier: MIT */
/* cgroup2 actuators: cgroup.freeze, cgroup.events, cgroup.kill, counting cgroup.procs and the one-line relief
 * knobs (cpu.weight, cpu.max, memory.high, memory.low), for a cgroup named by
 * its cgroup2 path and opened relative to the root's cgroup2 mount (kernel-interfaces.md §2.2, §2.5). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "io/cgctl.h"
#include "shared/macros.h"

/* Writes "<cgroup without its leading '/'>/<file>" (or just "<file>" for the root) to rel.
 * -EINVAL for NULL, "" or a ".." component; -ENOENT without a cgroup2 mount. */
static int cgroup_file(const HrSysroot *root, const char *cgroup, const char *file, char *rel, size_t size) {
        const char *sub, *p;
        int n;

        if (!cgroup || cgroup[0] == '\0')
                return -EINVAL;
        for (p = cgroup; *p;) {
                size_t l = strcspn(p, "/");
                if (l == 2 && p[0] == '.' && p[1] == '.')
                        return -EINVAL;
                p += l;
                while (*p == '/')
                        p++;
        }
        if (root->cgroup2_fd < 0)
                return -ENOENT;

        sub = cgroup;
        while (*sub == '/')
                sub++;
        if (sub[0] == '\0')
                n = snprintf(rel, size, "%s", file);
        else
                n = snprintf(rel, size, "%s%s%s", sub, sub[strlen(sub) - 1] == '/' ? "" : "/", file);
        if (n < 0 || (size_t) n >= size)
                return -ENAMETOOLONG;
        return 0;
}

/* One write() of a short value, as the kernel wants for these files. */
static int write_cgroup_file(const HrSysroot *root, const char *cgroup, const char *file, const char *value) {
        char rel[PATH_MAX];
        int r = cgroup_file(root, cgroup, file, rel, sizeof rel);

        return r < 0 ? r : hr_write_at(root->cgroup2_fd, rel, value);
}

int hr_cgroup_set_frozen(const HrSysroot *root, const char *cgroup, bool frozen) {
        return write_cgroup_file(root, cgroup, "cgroup.freeze", frozen ? "1" : "0");
}

int hr_cgroup_kill(const HrSysroot *root, const char *cgroup) {
        /* EOPNOTSUPP for a threaded cgroup */
        return write_cgroup_file(root, cgroup, "cgroup.kill", "1");
}

/* "0" or "1" over exactly n bytes. */
static int parse_flag(const char *s, size_t n, bool *ret) {
        if (n != 1 || (s[0] != '0' && s[0] != '1'))
                return -EBADMSG;
        *ret = s[0] == '1';
        return 0;
}

/* "populated 1\nfrozen 0\n": lines "key value", keys in any order, unknown keys tolerated. populated (4.5) is
 * required; frozen (5.2) reads as 0 when absent, since nothing can be frozen before the freezer existed.
 * A known key twice, a value other than 0/1 or a line without a single space is -EBADMSG. */
static int parse_events(const char *buf, size_t len, bool *ret_frozen, bool *ret_populated) {
        const char *p = buf, *end = buf + len;
        bool frozen = false, populated = false, seen_frozen = false, seen_populated = false;

        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                const char *eol = nl ? nl : end;
                const char *sp = memchr(p, ' ', (size_t) (eol - p));
                int r;

                if (eol == p) { /* blank line */
                        p = eol + 1;
                        continue;
                }
                if (!sp || sp == p)
                        return -EBADMSG;
                size_t kl = (size_t) (sp - p);
                const char *v = sp + 1;
                size_t vl = (size_t) (eol - v);
                if (kl == strlen("populated") && memcmp(p, "populated", kl) == 0) {
                        if (seen_populated)
                                return -EBADMSG;
                        if ((r = parse_flag(v, vl, &populated)) < 0)
                                return r;
                        seen_populated = true;
                } else if (kl == strlen("frozen") && memcmp(p, "frozen", kl) == 0) {
                        if (seen_frozen)
                                return -EBADMSG;
                        if ((r = parse_flag(v, vl, &frozen)) < 0)
                                return r;
                        seen_frozen = true;
                }
                p = nl ? nl + 1 : end;
        }
        if (!seen_populated)
                return -EBADMSG;
        if (ret_frozen)
                *ret_frozen = frozen;
        if (ret_populated)
                *ret_populated = populated;
        return 0;
}

int hr_cgroup_events(const HrSysroot *root, const char *cgroup, bool *ret_frozen, bool *ret_populated) {
        char rel[PATH_MAX], buf[1024];
        ssize_t n;
        int r = cgroup_file(root, cgroup, "cgroup.events", rel, sizeof rel);

        if (r < 0)
                return r;
        n = hr_read_at(root->cgroup2_fd, rel, buf, sizeof buf);
        if (n == -EFBIG)
                return -EBADMSG; /* two short lines on every kernel so far */
        if (n < 0)
                return (int) n;
        if (memchr(buf, '\0', (size_t) n))
                return -EBADMSG;
        return parse_events(buf, (size_t) n, ret_frozen, ret_populated);
}

int hr_cgroup_events_open(const HrSysroot *root, const char *cgroup) {
        char rel[PATH_MAX];
        int fd, r = cgroup_file(root, cgroup, "cgroup.events", rel, sizeof rel);

        if (r < 0)
                return r;
        fd = openat(root->cgroup2_fd, rel, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        return fd < 0 ? -errno : fd;
}

int hr_cgroup_events_read(int fd, bool *ret_frozen, bool *ret_populated) {
        char buf[1024];
        ssize_t n;

        do
                n = pread(fd, buf, sizeof buf, 0);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        if ((size_t) n == sizeof buf || memchr(buf, '\0', (size_t) n))
                return -EBADMSG;
        return parse_events(buf, (size_t) n, ret_frozen, ret_populated);
}

int hr_cgroup_count_procs(const HrSysroot *root, const char *cgroup) {
        /* "4242\n4250\n": one PID a line, unordered; may be long (the root cgroup), so it is counted as it streams. */
        char rel[PATH_MAX], buf[4096];
        unsigned long count = 0;
        bool in_line = false;
        int r = cgroup_file(root, cgroup, "cgroup.procs", rel, sizeof rel);

        if (r < 0)
                return r;
        _cleanup_close_ int fd = openat(root->cgroup2_fd, rel, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        for (;;) {
                ssize_t k = read(fd, buf, sizeof buf);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                for (ssize_t i = 0; i < k; i++) {
                        if (buf[i] == '\n') {
                                count += in_line;
                                in_line = false;
                        } else
                                in_line = true;
                }
        }
        count += in_line; /* a last line without '\n' */
        return count > INT_MAX ? -EOVERFLOW : (int) count;
}

ssize_t hr_cgroup_read_file(const HrSysroot *root, const char *cgroup, const char *file, char *buf, size_t size) {
        char rel[PATH_MAX];
        int r = cgroup_file(root, cgroup, file, rel, sizeof rel);

        if (r < 0)
                return r;
        return hr_read_at(root->cgroup2_fd, rel, buf, size);
}

int hr_cgroup_read_value(const HrSysroot *root, const char *cgroup, const char *file, char *buf, size_t size) {
        ssize_t n = hr_cgroup_read_file(root, cgroup, file, buf, size);
        if (n < 0)
                return (int) n;
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
                buf[--n] = '\0';
        return memchr(buf, '\n', (size_t) n) ? -EBADMSG : 0;
}

int hr_cgroup_write_value(const HrSysroot *root, const char *cgroup, const char *file, const char *value) {
        return write_cgroup_file(root, cgroup, file, value);
}
