/* SPDX-License-Identifier: MIT */
/* systemd's service notifications (sd_notify(3)): READY, STATUS, WATCHDOG, STOPPING as one datagram each to
 * $NOTIFY_SOCKET. The protocol is stable and small; headroomd links statically and Debian ships libsystemd
 * only as a shared library, so it is spoken here. Outside systemd every call is a no-op. */
#pragma once

#include "shared/macros.h"

/* Sends `state` ("READY=1\nSTATUS=...") when $NOTIFY_SOCKET is set. 0 (also when not under systemd) or -errno. */
int hr_notify(const char *state);

/* The watchdog interval systemd expects pings within (WatchdogSec=), when it is meant for this process;
 * 0 when there is none. */
usec_t hr_notify_watchdog_usec(void);
