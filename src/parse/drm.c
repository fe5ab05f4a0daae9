/* SPDX-License-Identifier: MIT */
/* Parser of a DRM client's /proc/PID/fdinfo/N (kernel Documentation/gpu/drm-usage-stats.rst): who the client is and,
 * per memory region, how much of its buffers is resident. An i915 client (the keys drm_show_memory_stats() prints):
 *
 *   pos:	0
 *   flags:	02100002
 *   mnt_id:	24
 *   ino:	1049
 *   drm-driver:	i915
 *   drm-client-id:	39
 *   drm-pdev:	0000:00:02.0
 *   drm-total-system0:	37708 KiB
 *   drm-shared-system0:	8 KiB
 *   drm-active-system0:	0
 *   drm-resident-system0:	37708 KiB
 *   drm-purgeable-system0:	0
 *   drm-total-stolen-system0:	0
 *   drm-engine-render:	2876153402 ns
 */
#include <errno.h>

#include "parse/lex.h"
#include "parse/number.h"
#include "parse/parse.h"

static const char *const stat_prefix[_HR_DRM_STAT_MAX] = {
        [HR_DRM_STAT_TOTAL] = "total-",
        [HR_DRM_STAT_SHARED] = "shared-",
        [HR_DRM_STAT_RESIDENT] = "resident-",
        [HR_DRM_STAT_MEMORY] = "memory-",
};

static const char *const mem_class_names[_HR_DRM_MEM_MAX] = {
        [HR_DRM_MEM_SYSTEM] = "system",
        [HR_DRM_MEM_STOLEN] = "stolen",
        [HR_DRM_MEM_DEVICE] = "device",
        [HR_DRM_MEM_OTHER] = "other",
};

const char *hr_drm_mem_class_to_string(HrDrmMemClass c) {
        return c >= 0 && c < _HR_DRM_MEM_MAX ? mem_class_names[c] : NULL;
}

static bool has_prefix(HrSpan s, const char *lit) {
        size_t l = strlen(lit);
        return s.n >= l && memcmp(s.p, lit, l) == 0;
}

/* s is lit alone or followed by a decimal instance number: "system", "system0", "vram1". */
static bool is_instance_of(HrSpan s, const char *lit) {
        if (!has_prefix(s, lit))
                return false;
        for (size_t i = strlen(lit); i < s.n; i++)
                if (s.p[i] < '0' || s.p[i] > '9')
                        return false;
        return true;
}

HrDrmMemClass hr_drm_region_class(const char *name, size_t n) {
        HrSpan s = { name, n };

        if (is_instance_of(s, "system") || is_instance_of(s, "gtt") || is_instance_of(s, "cpu") ||
            hr_span_eq(s, "memory"))
                return HR_DRM_MEM_SYSTEM;
        if (is_instance_of(s, "stolen") || is_instance_of(s, "stolen-system"))
                return HR_DRM_MEM_STOLEN;
        if (is_instance_of(s, "vram") || is_instance_of(s, "local") || is_instance_of(s, "stolen-local"))
                return HR_DRM_MEM_DEVICE;
        return HR_DRM_MEM_OTHER;
}

static bool has_nul_or_blank(HrSpan s) {
        for (size_t i = 0; i < s.n; i++)
                if (s.p[i] == '\0' || hr_is_space(s.p[i]))
                        return true;
        return false;
}

/* A value "<uint>[ unit]": bytes without a unit, else B, KiB, MiB or GiB; rounded down to KiB. */
static int parse_size(HrSpan v, uint64_t *ret_kib) {
        HrSpan num, unit, extra;
        int shift = -10; /* KiB = value << shift: bytes unless a unit says otherwise */
        uint64_t n;
        int r;

        if (!hr_next_token(&v, &num))
                return -EINVAL;
        r = hr_parse_u64(num.p, num.n, &n);
        if (r < 0)
                return r;
        if (hr_next_token(&v, &unit)) {
                if (hr_next_token(&v, &extra))
                        return -EINVAL;
                if (hr_span_eq(unit, "KiB"))
                        shift = 0;
                else if (hr_span_eq(unit, "MiB"))
                        shift = 10;
                else if (hr_span_eq(unit, "GiB"))
                        shift = 20;
                else if (!hr_span_eq(unit, "B"))
                        return -EINVAL;
        }
        if (shift < 0)
                n >>= -shift;
        else if (n > HR_DRM_KIB_MAX >> shift)
                return -ERANGE;
        else
                n <<= shift;
        if (n > HR_DRM_KIB_MAX)
                return -ERANGE;
        *ret_kib = n;
        return 0;
}

/* One token into dst (HR_DRM_NAME_MAX bytes); with cut, a longer one is cut to fit, else it is -EINVAL. */
static int copy_word(HrSpan v, char *dst, bool cut) {
        HrSpan w, extra;

        if (!hr_next_token(&v, &w) || hr_next_token(&v, &extra) || memchr(w.p, '\0', w.n))
                return -EINVAL;
        if (w.n >= HR_DRM_NAME_MAX) {
                if (!cut)
                        return -EINVAL;
                w.n = HR_DRM_NAME_MAX - 1;
        }
        memcpy(dst, w.p, w.n);
        dst[w.n] = '\0';
        return 0;
}

/* "drm-<stat>-<region>: <size>" into f. Returns 0 (also for a key that is not a memory key), or the error. */
static int memory_key(HrDrmFdinfo *f, HrSpan key, HrSpan val, const char **ret_why) {
        HrSpan name = {};
        HrDrmRegion *reg = NULL;
        uint64_t kib;
        int s, r;

        if (has_prefix(key, "total-cycles-")) /* utilisation (xe, 6.13+), not memory */
                return 0;
        for (s = 0; s < _HR_DRM_STAT_MAX; s++)
                if (has_prefix(key, stat_prefix[s])) {
                        size_t l = strlen(stat_prefix[s]);
                        name = (HrSpan) { key.p + l, key.n - l };
                        break;
                }
        if (s == _HR_DRM_STAT_MAX) /* drm-engine-, drm-active-, drm-purgeable-, drm-client-name, ... */
                return 0;
        if (name.n == 0 || has_nul_or_blank(name)) {
                *ret_why = "empty region name, or a blank or NUL in it";
                return -EINVAL;
        }
        r = parse_size(val, &kib);
        if (r < 0) {
                *ret_why = r == -ERANGE ? "size out of range" : "size is not \"<uint>[ B|KiB|MiB|GiB]\"";
                return r;
        }

        if (name.n >= HR_DRM_NAME_MAX) {
                f->n_dropped++;
                return 0;
        }
        for (unsigned i = 0; i < f->n_regions; i++)
                if (hr_span_eq(name, f->region[i].name)) {
                        reg = &f->region[i];
                        break;
                }
        if (!reg) {
                if (f->n_regions == HR_DRM_REGIONS_MAX) {
                        f->n_dropped++;
                        return 0;
                }
                reg = &f->region[f->n_regions++];
                memcpy(reg->name, name.p, name.n);
                reg->name[name.n] = '\0';
                reg->mem_class = hr_drm_region_class(name.p, name.n);
        }
        if (reg->seen & (1u << s)) {
                *ret_why = "repeated memory key";
                return -EINVAL;
        }
        reg->seen |= (uint8_t) (1u << s);
        reg->kib[s] = kib;
        return 0;
}

int hr_parse_drm_fdinfo(const char *buf, size_t len, HrDrmFdinfo *ret, HrParseErr *err) {
        HrSpan cur = { buf, len }, line;
        HrDrmFdinfo f = {};
        unsigned lineno = 0, first_drm = 0;
        bool has_pdev = false;
        int r;

        while (hr_next_line(&cur, &line)) {
                const char *colon = memchr(line.p, ':', line.n);
                const char *why = NULL;

                lineno++;
                if (!colon || (size_t) (colon - line.p) < 4 || memcmp(line.p, "drm-", 4) != 0)
                        continue; /* pos:, flags:, mnt_id:, ino:, pasid:, amd-*, i915-*, or no key at all */
                HrSpan key = { line.p + 4, (size_t) (colon - line.p) - 4 };
                HrSpan val = { colon + 1, line.n - (size_t) (colon - line.p) - 1 };
                if (first_drm == 0)
                        first_drm = lineno;

                if (hr_span_eq(key, "driver")) {
                        if (f.is_drm)
                                return hr_parse_fail(err, lineno, "repeated drm-driver", -EINVAL);
                        if (copy_word(val, f.driver, /* cut= */ true) < 0)
                                return hr_parse_fail(err, lineno, "drm-driver is not one word", -EINVAL);
                        f.is_drm = true;
                } else if (hr_span_eq(key, "client-id")) {
                        HrSpan tok, extra;
                        if (f.has_client_id)
                                return hr_parse_fail(err, lineno, "repeated drm-client-id", -EINVAL);
                        if (!hr_next_token(&val, &tok) || hr_next_token(&val, &extra))
                                return hr_parse_fail(err, lineno, "drm-client-id is not one number", -EINVAL);
                        r = hr_parse_u64(tok.p, tok.n, &f.client_id);
                        if (r < 0)
                                return hr_parse_fail(err, lineno, "malformed drm-client-id", r);
                        f.has_client_id = true;
                } else if (hr_span_eq(key, "pdev")) {
                        if (has_pdev)
                                return hr_parse_fail(err, lineno, "repeated drm-pdev", -EINVAL);
                        if (copy_word(val, f.pdev, /* cut= */ false) < 0)
                                return hr_parse_fail(err, lineno, "drm-pdev is not one word of 1..31 bytes", -EINVAL);
                        has_pdev = true;
                } else {
                        r = memory_key(&f, key, val, &why);
                        if (r < 0)
                                return hr_parse_fail(err, lineno, why, r);
                }
        }

        if (!f.is_drm) {
                if (first_drm > 0)
                        return hr_parse_fail(err, first_drm, "drm- keys without drm-driver", -EBADMSG);
                *ret = (HrDrmFdinfo) {};
                return 0;
        }
        /* Resident, else the legacy alias, else the total (drivers without DRM_GEM_OBJECT_RESIDENT). Each size is at
         * most 2^50 KiB and there are at most 16 regions: the sums fit. */
        for (unsigned i = 0; i < f.n_regions; i++) {
                HrDrmRegion *g = &f.region[i];
                g->source = (g->seen & (1u << HR_DRM_STAT_RESIDENT)) ? HR_DRM_STAT_RESIDENT
                            : (g->seen & (1u << HR_DRM_STAT_MEMORY)) ? HR_DRM_STAT_MEMORY
                                                                      : HR_DRM_STAT_TOTAL;
                g->resident_kib = g->kib[g->source];
                f.resident_kib[g->mem_class] += g->resident_kib;
                f.shared_kib[g->mem_class] += g->kib[HR_DRM_STAT_SHARED];
        }
        *ret = f;
        return 0;
}
