/* SPDX-License-Identifier: MIT */
/* Desktop notifications: one bounded notify-send run (daemon/child.h) per interval, summary and body from
 * the action, "and N more" for the actions held back meanwhile. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "daemon/desktop.h"
#include "daemon/log.h"
#include "shared/clock.h"

void hr_desktop_init(HrDesktop *d) {
        *d = (HrDesktop) {};
        hr_child_init(&d->child);
}

static void shown(HrChild *c, int code, int status) {
        HrDesktop *d = c->userdata;
        if (c->timed_out || code != CLD_EXITED || status != 0) {
                d->n_failed++;
                log_info("Desktop notification: %s %d (no notification service in this session?)",
                         c->timed_out ? "killed after its bound," : code == CLD_EXITED ? "exited with status" : "signal",
                         status);
        }
}

int hr_desktop_notify(HrDesktop *d, HrLoop *loop, const char *command, const HrAction *a, usec_t now) {
        char summary[128], body[HR_ACTION_WHY_MAX + 64], comm[HR_COMM_MAX];
        const char *verb, *urgency = "normal";

        switch (a->type) {
        case HR_ACTION_FREEZE:
                verb = "paused";
                break;
        case HR_ACTION_TERMINATE:
                verb = "closed";
                urgency = "critical";
                break;
        case HR_ACTION_KILL:
                verb = "killed";
                urgency = "critical";
                break;
        case HR_ACTION_CHECKPOINT:
                verb = "saved to disk and closed";
                urgency = "critical";
                break;
        case HR_ACTION_RESTORE:
                verb = "restored";
                break;
        default:
                return 0;
        }
        if (hr_child_running(&d->child) || (d->last_at && now - d->last_at < HR_DESKTOP_INTERVAL_USEC)) {
                d->held_back++;
                return 0;
        }
        (void) hr_log_safe(a->comm, comm, sizeof comm);
        (void) snprintf(summary, sizeof summary, "Memory pressure: %s %s", comm, verb);
        if (d->held_back > 0)
                (void) snprintf(body, sizeof body, "%s (and %u more action%s)", a->why, d->held_back,
                                d->held_back == 1 ? "" : "s");
        else
                (void) snprintf(body, sizeof body, "%s", a->why);
        char *const argv[] = { (char *) command, "--app-name=headroom", "--urgency", (char *) urgency,
                               "--icon=dialog-warning", summary, body, NULL };
        int r = hr_child_spawn(&d->child, loop, argv, NULL, -1, 5 * USEC_PER_SEC, shown, d);
        if (r < 0) {
                d->n_failed++;
                return log_info_errno(r, "Desktop notification: cannot run %s: %m", command);
        }
        d->last_at = now;
        d->held_back = 0;
        d->n_shown++;
        return 0;
}

void hr_desktop_done(HrDesktop *d) {
        hr_child_finish(&d->child, 0);
}
