/* SPDX-License-Identifier: MIT */
/* The registry of what headroomd holds (frozen, checkpointed, terminating processes), written
 * atomically under the runtime directory on every change, so a restart after a crash can undo it. */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/policy.h"

typedef enum HrFreezeMethod {
        HR_FREEZE_NONE,    /* not frozen (terminating, checkpointed) */
        HR_FREEZE_CGROUP,  /* cgroup.freeze of `cgroup` */
        HR_FREEZE_SIGSTOP, /* SIGSTOP to the process */
        _HR_FREEZE_METHOD_MAX,
        _HR_FREEZE_METHOD_INVALID = -22,
} HrFreezeMethod;

typedef struct HrRegistryEntry {
        pid_t pid;
        uint64_t start_time;              /* (pid, start_time) is the identity */
        HrTrackedState state;
        HrFreezeMethod method;
        char cgroup[HR_ACTION_CGROUP_MAX]; /* the frozen cgroup (HR_FREEZE_CGROUP), or the process's */
        char comm[HR_COMM_MAX];
        int32_t priority;
        uint64_t since_unix_usec;         /* wall clock, for people reading it */
        char why[HR_ACTION_WHY_MAX];
} HrRegistryEntry;

typedef struct HrRegistry {
        HrRegistryEntry e[HR_TRACKED_MAX];
        unsigned n;
} HrRegistry;

/* The largest registry file loaded (-EFBIG beyond). A full registry of worst-case entries is ~0.7 MiB. */
#define HR_REGISTRY_FILE_MAX (4 * 1024 * 1024)

/* Writes r as JSON to path atomically: path.tmp (0600, not through a symlink), fsync, rename, fsync of the
 * directory. An empty registry is written too (so a stale one never survives). Returns 0 or -errno; on an
 * error path is as it was and the path.tmp it created is removed, except for an error of the final
 * directory fsync (the new content is in place, but may not survive a power cut). */
int hr_registry_save(const HrRegistry *r, const char *path);

/* Reads path. A missing file gives an empty registry and 0. A malformed file gives -EBADMSG with a one-line
 * reason in why (path not included), a file over HR_REGISTRY_FILE_MAX -EFBIG, an unreadable one -errno;
 * entries that are malformed on their own are skipped and counted in *ret_skipped (may be NULL), the rest
 * are kept: a duplicate (pid, start_time) replaces the earlier one, which counts as skipped, and entries
 * beyond HR_TRACKED_MAX are skipped. ret and *ret_skipped are written only on success; why (may be NULL)
 * gets "" on success. */
int hr_registry_load(const char *path, HrRegistry *ret, unsigned *ret_skipped, char *why, size_t why_size);

/* What hr_registry_load() does after reading the file: parses len bytes of buf (no NUL needed), with the
 * same results. Pure, fuzzed. -EFBIG beyond HR_REGISTRY_FILE_MAX. ret and *ret_skipped are written only on
 * success; why (may be NULL) gets "" on success, the reason on an error. */
int hr_registry_parse(const char *buf, size_t len, HrRegistry *ret, unsigned *ret_skipped, char *why, size_t why_size);

/* Writes r as the registry's JSON to fd (no fsync), without allocating. 0 or -errno (-EINVAL if r->n is
 * above HR_TRACKED_MAX). hr_registry_save() uses it; entries hr_registry_put() accepted load back equal. */
int hr_registry_write(const HrRegistry *r, int fd);

/* Adds or replaces (by pid and start_time) an entry. -ENOSPC when full. -EINVAL for an entry that loading
 * would skip: pid < 2, start_time 0, unknown state or method, a string without its NUL, priority outside
 * 0..100, a cgroup not "" or absolute or with a "." or ".." component, FROZEN with HR_FREEZE_NONE, or
 * HR_FREEZE_CGROUP with no cgroup. */
int hr_registry_put(HrRegistry *r, const HrRegistryEntry *e);

/* Removes the entry of (pid, start_time); returns 1 if one was removed, 0 if none. */
int hr_registry_remove(HrRegistry *r, pid_t pid, uint64_t start_time);

const HrRegistryEntry *hr_registry_find(const HrRegistry *r, pid_t pid, uint64_t start_time);

const char *hr_freeze_method_to_string(HrFreezeMethod m);
HrFreezeMethod hr_freeze_method_from_string(const char *s);
