/* SPDX-License-Identifier: MIT */
/* Logging for the daemon layer: one line per message to stderr, with syslog priority prefixes when
 * stderr is the journal, wall-clock time stamps otherwise; under systemd, entries go to the journal's native
 * socket with structured fields. Formats into static buffers: no allocation. */
#pragma once

#include <stdbool.h>
#include <syslog.h>

#include "shared/macros.h"

void hr_log_set_max_level(int level); /* LOG_DEBUG .. LOG_ERR; default LOG_INFO */
int hr_log_get_max_level(void);
void hr_log_set_ident(const char *ident);

/* Returns -abs(err) when err != 0, else 0, so "return log_error_errno(r, ...)" works. %m prints err. */
int hr_log_internal(int level, int err, const char *fmt, ...) _printf_(3, 4);

/* Structured journal fields for the messages logged while they are set (a decision: its action, target,
 * level and score): HEADROOM_ACTION, HEADROOM_TARGET_PID, HEADROOM_TARGET_COMM, HEADROOM_LEVEL,
 * HEADROOM_SCORE. Strings are not copied: they must outlive the messages. NULL clears them. */
typedef struct HrLogFields {
        const char *action;  /* NULL: none */
        int target_pid;      /* 0: none */
        const char *target_comm;
        const char *level;
        int score_centi;     /* < 0: none */
} HrLogFields;
void hr_log_set_fields(const HrLogFields *f);

/* Copies s into buf with control bytes as '?': names chosen by whoever runs a process (comm, cgroup)
 * must not forge log lines. Returns buf. */
const char *hr_log_safe(const char *s, char *buf, size_t size);

#define log_debug(...) hr_log_internal(LOG_DEBUG, 0, __VA_ARGS__)
#define log_info(...) hr_log_internal(LOG_INFO, 0, __VA_ARGS__)
#define log_notice(...) hr_log_internal(LOG_NOTICE, 0, __VA_ARGS__)
#define log_warning(...) hr_log_internal(LOG_WARNING, 0, __VA_ARGS__)
#define log_error(...) hr_log_internal(LOG_ERR, 0, __VA_ARGS__)
#define log_warning_errno(e, ...) hr_log_internal(LOG_WARNING, (e), __VA_ARGS__)
#define log_error_errno(e, ...) hr_log_internal(LOG_ERR, (e), __VA_ARGS__)
#define log_info_errno(e, ...) hr_log_internal(LOG_INFO, (e), __VA_ARGS__)
