/* SPDX-License-Identifier: MIT */
/* Desktop notifications in user mode: what headroom froze, ended or restored, shown through the desktop's
 * notification service (org.freedesktop.Notifications) by running notify-send, at most one per interval. */
#pragma once

#include <stdbool.h>

#include "core/action.h"
#include "daemon/child.h"

#define HR_DESKTOP_INTERVAL_USEC (10 * USEC_PER_SEC)

typedef struct HrDesktop {
        HrChild child;
        usec_t last_at;         /* last notification shown (0: never) */
        unsigned held_back;     /* actions since, not shown on their own */
        uint64_t n_shown, n_failed;
} HrDesktop;

void hr_desktop_init(HrDesktop *d);

/* Tells the user about a (freeze, terminate, kill, checkpoint, restore; others are ignored) by running
 * `command` (an absolute path: notify-send or anything taking its arguments) with an app name, an urgency,
 * a summary and a body. At most one per HR_DESKTOP_INTERVAL_USEC; the ones in between are counted into
 * the next. 0, or -errno when it could not be started. */
int hr_desktop_notify(HrDesktop *d, HrLoop *loop, const char *command, const HrAction *a, usec_t now);

void hr_desktop_done(HrDesktop *d);
