/* SPDX-License-Identifier: MIT */
/* How the monitor's state is shown: log fragments, the --once text view and the --once --json object. */
#pragma once

#include <stddef.h>
#include <stdio.h>

#include "core/pressure.h"

typedef struct HrMonitor HrMonitor;
struct json_object;

/* "psi_some 12.30% (19.63 pts) psi_full ..." for log lines. No allocation. */
void hr_report_components_line(const HrPressure *p, char *buf, size_t size);

/* "+1.25" / "-0.50" for a value in hundredths, sign always shown. Returns buf. */
const char *hr_format_centi_signed(int32_t v, char *buf, size_t size);

/* "level NORMAL, score 0.00; MemAvailable 23.1 GiB of 23.5 GiB, swap 0 B of 0 B, PSI memory some 0.00%". */
void hr_report_status_line(const HrMonitor *m, char *buf, size_t size);

/* The whole state as one JSON object (caller puts it). NULL on allocation failure. */
struct json_object *hr_report_json(const HrMonitor *m);

/* A readable multi-line view of the same, for --once without --json. */
void hr_report_text(const HrMonitor *m, FILE *f);
