/* SPDX-License-Identifier: MIT */
/* Loading the configuration: the declarative key table over HrConfig (section, key, type, field, bounds,
 * reload), value parsers, file locations and order, rule overrides by name, and every error collected. */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"

/* How a value is written in the file; each type parses into the field's unit and formats back. */
typedef enum HrConfType {
        HR_CONF_BOOL,       /* yes/no, true/false, on/off, 1/0 */
        HR_CONF_INT,        /* decimal integer */
        HR_CONF_PERCENT,    /* "5%", "2.5%" (two decimals) -> permyriad */
        HR_CONF_FRACTION,   /* "0.6" (three decimals) -> permille */
        HR_CONF_POINTS,     /* score points "20", "20.5" -> centi-points */
        HR_CONF_DURATION,   /* "20s", "500ms", "1min 30s", bare number = seconds -> usec */
        HR_CONF_SIZE,       /* "256M", "1G", "512K", bare number = MiB -> KiB */
        HR_CONF_PATH,       /* absolute path */
        HR_CONF_REGEX,      /* POSIX extended regex; empty removes the matcher */
        HR_CONF_CHECKPOINT, /* yes/no/auto */
        HR_CONF_COMMAND,    /* absolute program path and arguments split at blanks, no shell; "" = none */
        _HR_CONF_TYPE_MAX,
} HrConfType;

/* Where the parsed value is stored. */
typedef enum HrConfStore {
        HR_STORE_NONE, /* types that own their storage (path, command, regex, checkpoint) */
        HR_STORE_BOOL,
        HR_STORE_U32,
        HR_STORE_I32,
        HR_STORE_U64,
        HR_STORE_I64,
} HrConfStore;

enum {
        HR_CONF_FIXED = 1u << 0,   /* a reload may not change it: the running value stays until restart */
        HR_CONF_INVERT = 1u << 1,  /* stored as 10000 - value (MemAvailable: % available -> shortfall) */
        HR_CONF_MATCHER = 1u << 2, /* a rule matcher: also allowed in [Protect NAME] */
        HR_CONF_RULE = 1u << 3,    /* offset is into HrRule ([Rule NAME] / [Protect NAME]) */
};

typedef struct HrConfItem {
        const char *section; /* "Pressure"; "Rule" for the keys of [Rule NAME] and [Protect NAME] */
        const char *key;     /* "PsiSomeStart" */
        HrConfType type;
        HrConfStore store;
        size_t offset;       /* into HrConfig, or into HrRule with HR_CONF_RULE */
        size_t size;         /* of the field: checked against `store` by the tests */
        int64_t min, max;    /* bounds in the type's unit, as written (before HR_CONF_INVERT) */
        unsigned flags;
        int arg;             /* HR_CONF_REGEX: the HrMatchField */
        const char *doc;     /* one line for the example config and --help-like listings */
} HrConfItem;

extern const HrConfItem hr_conf_items[];
extern const size_t hr_conf_n_items;

const char *hr_conf_type_to_string(HrConfType t);

/* Finds an item; for section "Rule" or "Protect" the rule keys. NULL when unknown. */
const HrConfItem *hr_conf_item_find(const char *section, const char *key);

/* Parses value into the item's field of base (an HrConfig, or an HrRule with HR_CONF_RULE). Returns 0;
 * -EINVAL with a reason in why ("not an integer", "bad regex: ..."); -ERANGE with "out of range 0..100".
 * The field is written only on success. */
int hr_conf_parse_value(const HrConfItem *it, const char *value, void *base, char *why, size_t why_size);

/* A numeric item's value in base as the file writes it (an HR_CONF_INVERT item turned back: what its min
 * and max bound); a checkpoint item's HrCheckpoint; 0 for the other types that own their storage. */
int64_t hr_conf_item_value(const HrConfItem *it, const void *base);

/* Formats the item's field of base as text that hr_conf_parse_value() reads back to the same value.
 * Returns 0, -ENOSPC, or -EOPNOTSUPP for regexes (only the compiled form is kept). */
int hr_conf_format_value(const HrConfItem *it, const void *base, char *buf, size_t size);

/* Formats a value of the item's type (in its written unit): "5%", "20s". Returns 0 or -ENOSPC. */
int hr_conf_format_raw(const HrConfItem *it, int64_t v, char *buf, size_t size);

/* Error lines "FILE:LINE: problem", in the order found. */
typedef struct HrConfErrors {
        char **lines;
        size_t n, cap;
        size_t dropped; /* past HR_CONF_ERRORS_MAX */
} HrConfErrors;

#define HR_CONF_ERRORS_MAX 1000

void hr_conf_errors_done(HrConfErrors *e);

/* Where the files are. The loading order is: built-in defaults; config_file if given, else
 * system_dir/headroom.conf and then system_dir/headroom.conf.d/NAME.conf in lexical order; then, in user
 * mode, user_dir/headroom.conf and user_dir/headroom.conf.d/NAME.conf. Missing files and directories are
 * skipped (a missing config_file is an error). Tests point these anywhere. */
typedef struct HrConfPaths {
        const char *system_dir;  /* "/etc/headroom"; NULL: none */
        const char *config_file; /* --config FILE: read instead of system_dir's files; NULL: not given */
        const char *user_dir;    /* user mode: "$XDG_CONFIG_HOME/headroom"; NULL: system mode */
        char user_dir_buf[PATH_MAX];
} HrConfPaths;

#define HR_CONF_SYSTEM_DIR "/etc/headroom"

/* The real locations: /etc/headroom, and with user_mode $XDG_CONFIG_HOME/headroom (~/.config/headroom
 * when unset). Returns 0, or -ENOENT in user mode when neither XDG_CONFIG_HOME nor HOME is set (then
 * user_dir stays NULL), -ENAMETOOLONG. */
int hr_conf_paths_init(HrConfPaths *p, bool user_mode, const char *config_file);

/* A loader collects files over the defaults. Opaque. */
typedef struct HrConfLoader HrConfLoader;

/* Starts from hr_config_init_default(). NULL on -ENOMEM. */
HrConfLoader *hr_conf_loader_new(void);

/* Starts from *base instead (its rules count as the built-ins), taking it over: *base is zeroed, also on
 * failure (NULL). For tests and the fuzzer, which skip compiling the built-in rules on every run. */
HrConfLoader *hr_conf_loader_new_over(HrConfig *base);
HrConfLoader *hr_conf_loader_free(HrConfLoader *l);

/* Parses one file's text over what is loaded so far. `name` prefixes its error lines. Syntax and value
 * errors are collected, not returned; returns 0, or -ENOMEM. */
int hr_conf_loader_feed(HrConfLoader *l, const char *name, const char *buf, size_t len);

/* Reads and feeds a file. A missing file is skipped unless must_exist; any other failure is collected
 * as "PATH: problem". Returns 0 or -ENOMEM. */
int hr_conf_loader_feed_file(HrConfLoader *l, const char *path, bool must_exist);

/* Feeds dir/NAME.conf in lexical order of NAME (hidden files skipped). A missing directory is skipped. */
int hr_conf_loader_feed_dropins(HrConfLoader *l, const char *dir);

/* Number of files read so far. */
size_t hr_conf_loader_n_files(const HrConfLoader *l);

/* Runs the cross-field checks (ramps, level order, rules without matchers) and hands over the result:
 * user rules in file order, then the built-ins. Returns 0 with *ret filled when no error was found,
 * -EINVAL otherwise (*ret untouched), -ENOMEM. The errors move to *ret_errors (may be NULL) either way.
 * The loader is spent afterwards: free it. */
int hr_conf_loader_finish(HrConfLoader *l, HrConfig *ret, HrConfErrors *ret_errors);

/* All of the above over p. *ret_n_files (may be NULL) gets the number of files read. */
int hr_conf_load(const HrConfPaths *p, HrConfig *ret, HrConfErrors *ret_errors, size_t *ret_n_files);

/* For a reload: every HR_CONF_FIXED value that differs between the running config and the fresh one is
 * set back to the running value in fresh, with a note in *notes. Returns the number of such keys. */
size_t hr_conf_keep_fixed(const HrConfig *running, HrConfig *fresh, HrConfErrors *notes);
