/* SPDX-License-Identifier: MIT */
/* headroomctl's reading and rendering of daemon responses: strict parsing of one JSON line, the fields each
 * verb relies on, and the human views (status, list, unfreeze, reload, foreground, events). Pure: it writes
 * only to the FILE it is given; event times are shown in the local time zone (TZ). */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/ctl-args.h"

/* Parses one line (without its '\n') as exactly one JSON object: strict JSON, valid UTF-8, nothing after it
 * but blanks. "Strict" is json-c's JSON_TOKENER_STRICT, which still lets single-quoted keys and NaN through;
 * the field checks reject non-finite numbers. Returns 0 and a new object in *ret, or -EBADMSG with why set. */
int hr_ctl_parse_line(const char *line, size_t len, json_object **ret, char *why, size_t why_size);

/* Checks a response to verb: "ok" is a boolean; "cmd", when present, names verb; a refusal has "error" and
 * "code" strings (reload: "errors", when present, an array of strings); a success has every field the
 * verb's view uses, with the right types (unknown fields are ignored). Returns 0 for ok:true, 1 for ok:false,
 * -EBADMSG with why naming the field. */
int hr_ctl_check_response(json_object *o, HrCtlVerb verb, char *why, size_t why_size);

/* Checks one line of an event stream: "event" a string, "time" a number, and for "level" and "action" events
 * the fields their line shows. Other events pass. Returns 0 or -EBADMSG with why set. */
int hr_ctl_check_event(json_object *o, char *why, size_t why_size);

/* The human view of a checked ok:true response (hr_ctl_check_response() returned 0); metrics prints "text"
 * unchanged. */
void hr_ctl_print_response(json_object *o, HrCtlVerb verb, bool color, FILE *out);

/* One line for a checked event: "12:00:01 level NORMAL -> HIGH (score 47.3): score held". */
void hr_ctl_print_event(json_object *o, bool color, FILE *out);

/* A checked refusal (hr_ctl_check_response() returned 1) as lines for stderr, each starting with
 * "headroomctl: VERB: ": the daemon's error and code, reload's error lines, and a hint where one helps. */
void hr_ctl_print_refusal(json_object *o, const HrCtlArgs *a, FILE *err);

/* The exit status for a checked refusal: hr_ctl_exit_for_code() of its "code". */
int hr_ctl_refusal_exit(json_object *o);

/* Compact one-line JSON of o, as --json prints it. */
const char *hr_ctl_json_line(json_object *o);

/* Sizes from KiB: "900 KiB", "512.0 MiB", "1.1 GiB", "2.0 TiB". */
const char *hr_ctl_format_kib(uint64_t kib, char *buf, size_t size);
/* Durations: "42s", "5min 3s", "2h 3min", "3d 4h". */
const char *hr_ctl_format_duration(uint64_t sec, char *buf, size_t size);
/* Seconds since the epoch as local "HH:MM:SS" ("??:??:??" when it cannot be represented). */
const char *hr_ctl_format_clock(double epoch_sec, char *buf, size_t size);
/* The ANSI colour for a level name (green, yellow, red), or "" for an unknown one. */
const char *hr_ctl_level_color(const char *level);
/* Copies s with control characters (C0, DEL, C1) replaced by '?', so a process name cannot drive the
 * terminal. Truncates to fit; returns buf. */
const char *hr_ctl_sanitize(const char *s, char *buf, size_t size);
