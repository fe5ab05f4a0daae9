/* SPDX-License-Identifier: MIT */
/* The INI tokenizer in the systemd style: yields (section, name, key, value, line) and knows nothing
 * about keys. Pure over (buf, len); all strings it yields live in a scratch buffer the caller gives. */
#pragma once

#include <stddef.h>

#include "parse/parse.h"

/* One event. A header "[Rule firefox tabs]" yields section "Rule", name "firefox tabs", key NULL;
 * "[Pressure]" yields name "". Every "Key = Value" line yields its section, name, key and value
 * (trimmed; the value may be empty). `line` is 1-based: the first physical line of a continued line.
 * The strings are valid only during the callback. */
typedef struct HrIniItem {
        const char *section;
        const char *name;
        const char *key;   /* NULL: this is the header itself */
        const char *value; /* NULL on a header */
        unsigned line;
} HrIniItem;

/* Returns 0 to go on, or a negative errno to stop the parse (hr_ini_parse() returns it). */
typedef int (*hr_ini_item_fn)(const HrIniItem *item, void *userdata);

/* Called once per syntax error; `why` is a static string. Returns 0 to go on, negative to stop. */
typedef int (*hr_ini_error_fn)(unsigned line, const char *why, void *userdata);

/* Scratch the tokenizer needs for an input of len bytes: the current header and the current logical
 * line, each at most len bytes plus terminators. There is no other limit on line length. */
#define HR_INI_SCRATCH_SIZE(len) (2 * (size_t) (len) + 4)

/* Tokenizes buf, calling on_item for every header and assignment in order.
 *
 *   [Section]            [Section NAME WITH SPACES]
 *   # comment            ; comment        (only when '#' or ';' starts the line: values keep theirs)
 *   Key = value          Key=             (empty value)
 *   Key = a long \       (a trailing backslash joins the next line, replaced by a space, as systemd;
 *         continued       comment lines inside a continuation are skipped; "\\" at the end does not join)
 *
 * A leading UTF-8 BOM is skipped, "\r\n" ends a line like "\n". Syntax errors: a line that is neither
 * blank, comment, header nor Key=Value; a key before any section (or under a header that was itself
 * broken: those keys are skipped silently); "[" without its "]"; an empty section name; a NUL byte.
 * On each one on_error is called and parsing goes on with the next line; with on_error NULL the parse
 * stops at the first one and fills *err (err may be NULL).
 *
 * Returns 0 when there was no syntax error, -EBADMSG when there was at least one, -ENOBUFS when
 * scratch_size < HR_INI_SCRATCH_SIZE(len), or the first negative value a callback returned. */
int hr_ini_parse(const char *buf, size_t len, char *scratch, size_t scratch_size, hr_ini_item_fn on_item,
                 hr_ini_error_fn on_error, void *userdata, HrParseErr *err);
