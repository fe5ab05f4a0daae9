/* SPDX-License-Identifier: MIT */
/* Checkpoint and restore with CRIU: a victim's process tree dumped to images on disk (it dies with the
 * dump), restored when the pressure is gone; each criu run bounded and watched on the loop, and every
 * failure reported with criu's own reason. */
#pragma once

#include <limits.h>
#include <stdbool.h>

#include "core/action.h"
#include "daemon/child.h"

/* criu runs at once (dumps and restores together). */
#define HR_CRIU_RUNS_MAX 4

typedef enum HrCriuOp {
        HR_CRIU_DUMP,
        HR_CRIU_RESTORE,
} HrCriuOp;

typedef struct HrCriuRun HrCriuRun;

/* Called once a run has ended. ok: criu succeeded; why: its reason otherwise (one line). For a dump the
 * callee owns run->victim_pidfd (the pinned victim; closed or taken over with hr_criu_take_victim). */
typedef void (*hr_criu_done_fn)(void *userdata, HrCriuRun *run, bool ok, const char *why);

struct HrCriuRun {
        HrChild child;
        HrCriuOp op;
        HrAction action;   /* the CHECKPOINT or RESTORE it carries out */
        int victim_pidfd;  /* DUMP: the victim, pinned; -EBADF otherwise */
        char dir[PATH_MAX];
        struct HrCriu *owner;
};

typedef struct HrCriu {
        HrLoop *loop;
        HrCriuRun runs[HR_CRIU_RUNS_MAX];
        unsigned n_runs;   /* slots set up so far (on first need: the table stays untouched until then) */
        hr_criu_done_fn done;
        void *userdata;
        uint64_t n_dumped, n_restored, n_failed;
} HrCriu;

void hr_criu_init(HrCriu *c, hr_criu_done_fn done, void *userdata);
void hr_criu_attach(HrCriu *c, HrLoop *loop);

/* The criu binary, or NULL when it is not installed. */
const char *hr_criu_path(void);

/* Why checkpointing cannot work here at all (criu missing, not root), or NULL. */
const char *hr_criu_unavailable(void);

/* For Checkpoint=auto: whether a restore is likely to work. A process holding sockets (its display,
 * D-Bus, the network) or a terminal is not: its peers will not be there after a restore. NULL when it is,
 * else the reason. */
const char *hr_criu_unlikely(pid_t pid);

/* "<base>/<pid>-<start_time>": where the images of one process instance go. 0 or -ENAMETOOLONG. */
int hr_criu_images_dir(const char *base, pid_t pid, uint64_t start_time, char *buf, size_t size);

/* Whether dir holds a complete dump (criu's inventory.img). */
bool hr_criu_has_images(const char *dir);

/* Removes dir and the files in it (criu's images are flat). Best effort. */
void hr_criu_remove_images(const char *dir);

/* Dumps the tree of a->pid into the images directory under base (created 0700), for at most `bound`.
 * Takes over victim_pidfd on success (the caller keeps it on an error). 0 or -errno, with a reason in why. */
int hr_criu_dump(HrCriu *c, const HrAction *a, int victim_pidfd, const char *base, usec_t bound, char *why,
                 size_t why_size);

/* Restores the tree dumped in dir (detached: it does not become our child), for at most `bound`. */
int hr_criu_restore(HrCriu *c, const HrAction *a, const char *dir, usec_t bound, char *why, size_t why_size);

/* Shutdown: lets running criu finish (up to its bound), then kills what is left; callbacks run. */
void hr_criu_finish(HrCriu *c);
