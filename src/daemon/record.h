/* SPDX-License-Identifier: MIT */
/* --record / --replay: each tick's snapshot as one JSON line, and a replay that feeds such a file
 * through the same classification and policy and prints the decisions. Same file, same output. */
#pragma once

#include <stdio.h>

#include "core/classify.h"
#include "core/config.h"
#include "core/policy.h"

/* Appends one JSON line for this tick: time, level, pressure, memory, foreground and the process
 * table (unclassified facts only: the replay classifies with its own config). Returns 0 or -errno. */
int hr_record_write(FILE *f, const HrSnapshot *snap, const HrClassifyInput *in);

/* Reads a recording and prints, for every tick whose plan is not empty or whose level changed, the
 * tick and each planned action with its reason. Commits each plan as --dry-run does. Errors name
 * path:line and return -EBADMSG (or -errno for I/O). */
int hr_replay(const char *path, const HrConfig *c, FILE *out);

/* One planned action as a log/replay line: "FREEZE 1234 (chrome, priority 85, 812 MiB): why". */
void hr_action_format(const HrAction *a, char *buf, size_t size);
