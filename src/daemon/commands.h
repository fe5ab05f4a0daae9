/* SPDX-License-Identifier: MIT */
/* What the control socket's commands do to the monitor, and the events the monitor broadcasts. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "core/action.h"
#include "core/level.h"
#include "daemon/control.h"

struct HrMonitor;
struct json_object;

/* The control socket's handler (hr_control_handler) with the monitor as userdata. */
int hr_commands_handle(void *userdata, const HrControlClient *peer, const char *cmd, struct json_object *req,
                       struct json_object *resp, char *err, size_t err_size);

/* Prometheus text exposition of the monitor's counters and gauges into buf (truncated to size). */
void hr_commands_metrics(const struct HrMonitor *m, char *buf, size_t size);

/* Events for subscribers (nothing is built when there are none). */
void hr_commands_event_level(struct HrMonitor *m, HrLevel from, HrLevel to, const char *why);
void hr_commands_event_action(struct HrMonitor *m, const HrAction *a, HrLevel level, bool dry_run);
