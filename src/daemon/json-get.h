/* SPDX-License-Identifier: MIT */
/* Strict field readers over json-c objects, shared by the registry and the --record/--replay reader:
 * the type must match and integers must lie in the given bounds. */
#pragma once

#include <errno.h>
#include <json-c/json.h>
#include <stdint.h>

/* The integer at key within [lo, hi]: 0, -EBADMSG (absent or not an integer), -ERANGE. */
static inline int hr_json_get_i64(json_object *o, const char *key, int64_t lo, int64_t hi, int64_t *ret) {
        json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
                return -EBADMSG;
        int64_t x = json_object_get_int64(v);
        if (x < lo || x > hi)
                return -ERANGE;
        *ret = x;
        return 0;
}

/* A non-negative integer at key: 0, -EBADMSG, -ERANGE (negative). */
static inline int hr_json_get_u64(json_object *o, const char *key, uint64_t *ret) {
        json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
                return -EBADMSG;
        if (json_object_get_int64(v) < 0)
                return -ERANGE;
        *ret = json_object_get_uint64(v);
        return 0;
}
