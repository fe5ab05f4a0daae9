/* SPDX-License-Identifier: MIT */
/* The root every reader works under ("/" or a fixture tree), held as directory fds, plus small
 * read helpers. Nothing in io/ names an absolute path: everything is relative to an HrSysroot. */
#pragma once

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct HrSysroot {
        int root_fd;
        int proc_fd;
        int sys_fd;               /* -EBADF when <root>/sys is absent (fixtures) */
        char path[PATH_MAX];      /* the root as given, "" for "/", for messages */
        char cgroup2[PATH_MAX];   /* cgroup2 mount point relative to the root, "" when not mounted */
        int cgroup2_fd;           /* -EBADF when not mounted */
        char cgroup1_memory[PATH_MAX]; /* the v1 memory controller's mount relative to the root, "" when none */
} HrSysroot;

/* Opens root (NULL or "/" for the real system). Only /proc is required. */
int hr_sysroot_open(const char *root, HrSysroot *ret);
void hr_sysroot_done(HrSysroot *r);

/* Formats "<root>/<rel>" for messages into buf; always NUL-terminated. Returns buf. */
const char *hr_sysroot_display(const HrSysroot *r, const char *rel, char *buf, size_t size);

/* Resolves --scope: a filesystem path under the cgroup2 mount ("/sys/fs/cgroup/unified/x"), a cgroup path
 * ("/x" or "x", relative to the mount). Writes the directory relative to the root (no leading '/').
 * -ENOENT when there is no cgroup2 mount or no such directory, -ENOTDIR when it is not a directory,
 * -EOPNOTSUPP when it lacks memory.pressure (PSI off for it), -EINVAL for "" or a ".." component. */
int hr_sysroot_resolve_scope(const HrSysroot *r, const char *scope, char *ret_rel, size_t size);

/* One read of a whole small file relative to dirfd into buf (NUL-terminated). Returns the length,
 * -EFBIG if it did not fit in size-1 bytes, or a negative errno. */
ssize_t hr_read_at(int dirfd, const char *rel, char *buf, size_t size);

/* One write() of value to a (pseudo-)file relative to dirfd, as the kernel wants for its knobs; O_TRUNC as a shell's
 * "echo v > file": the kernel ignores it, a fixture file is left holding v alone. 0, -EIO (a short write), -errno. */
int hr_write_at(int dirfd, const char *rel, const char *value);

/* pread(fd, ..., 0) of a kept-open pseudo-file, same contract as hr_read_at. Allocates nothing. */
ssize_t hr_pread_all(int fd, char *buf, size_t size);
