/* SPDX-License-Identifier: MIT */
/* Fuzz target of the DRM fdinfo parser (parse/drm.c): the error contract, bounded NUL-terminated names, region
 * classes and the resident rule, sums that add up, and a success written back (keys reordered, sizes in other units)
 * parsing the same. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-util.h"
#include "parse/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define INPUT_MAX (64 * 1024)
#define POISON FUZZ_POISON

static HrDrmFdinfo f, again;

static bool poisoned(const void *p, size_t n) {
        return fuzz_poisoned(p, n, POISON);
}

static const char *const stat_key[_HR_DRM_STAT_MAX] = { "total", "shared", "resident", "memory" };

/* A name as the parser keeps it: terminated within its array, and (unless empty is allowed) one word. */
static bool good_name(const char *s, bool allow_empty) {
        const char *end = memchr(s, '\0', HR_DRM_NAME_MAX);
        if (!end || (!allow_empty && end == s))
                return false;
        for (; s < end; s++)
                if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\v' || *s == '\f' || *s == '\n')
                        return false;
        return true;
}

static void check_success(const HrDrmFdinfo *d) {
        uint64_t res[_HR_DRM_MEM_MAX] = {}, shared[_HR_DRM_MEM_MAX] = {};

        if (!d->is_drm) {
                if (d->driver[0] || d->pdev[0] || d->has_client_id || d->client_id || d->n_regions || d->n_dropped)
                        abort();
                for (int c = 0; c < _HR_DRM_MEM_MAX; c++)
                        if (d->resident_kib[c] || d->shared_kib[c])
                                abort();
                return;
        }
        if (!good_name(d->driver, false) || !good_name(d->pdev, true) || d->n_regions > HR_DRM_REGIONS_MAX)
                abort();
        if (!d->has_client_id && d->client_id)
                abort();
        for (unsigned i = 0; i < d->n_regions; i++) {
                const HrDrmRegion *g = &d->region[i];
                if (!good_name(g->name, false) || strchr(g->name, ':') ||
                    g->mem_class != hr_drm_region_class(g->name, strlen(g->name)) || g->seen == 0 ||
                    g->seen >= 1u << _HR_DRM_STAT_MAX)
                        abort();
                for (unsigned k = 0; k < i; k++)
                        if (strcmp(d->region[k].name, g->name) == 0)
                                abort();
                for (int s = 0; s < _HR_DRM_STAT_MAX; s++)
                        if (g->kib[s] > HR_DRM_KIB_MAX || (!(g->seen & (1u << s)) && g->kib[s]))
                                abort();
                HrDrmStat want = (g->seen & (1u << HR_DRM_STAT_RESIDENT)) ? HR_DRM_STAT_RESIDENT
                                 : (g->seen & (1u << HR_DRM_STAT_MEMORY)) ? HR_DRM_STAT_MEMORY
                                                                           : HR_DRM_STAT_TOTAL;
                if (g->source != want || g->resident_kib != g->kib[want])
                        abort();
                res[g->mem_class] += g->resident_kib;
                shared[g->mem_class] += g->kib[HR_DRM_STAT_SHARED];
        }
        for (int c = 0; c < _HR_DRM_MEM_MAX; c++)
                if (res[c] != d->resident_kib[c] || shared[c] != d->shared_kib[c])
                        abort();
}

/* A size in KiB as the kernel could print it: bytes, B, KiB, MiB or GiB, picked by the value and a salt. */
static int print_size(char *out, size_t size, uint64_t kib, unsigned salt) {
        switch (salt % 5) {
        case 0:
                if (kib <= UINT64_MAX / 1024)
                        return snprintf(out, size, "%" PRIu64, kib * 1024 + salt % 1024); /* rounds down to kib */
                break;
        case 1:
                if (kib <= UINT64_MAX / 1024)
                        return snprintf(out, size, "%" PRIu64 " B", kib * 1024);
                break;
        case 2:
                if (kib % 1024 == 0)
                        return snprintf(out, size, "%" PRIu64 " MiB", kib / 1024);
                break;
        case 3:
                if (kib % (1024 * 1024) == 0)
                        return snprintf(out, size, "%" PRIu64 " GiB", kib / (1024 * 1024));
                break;
        }
        return snprintf(out, size, "%" PRIu64 " KiB", kib);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        /* A key and its drm-active- line take at most 113 bytes. */
        static char text[HR_DRM_REGIONS_MAX * _HR_DRM_STAT_MAX * 160 + 256];
        HrParseErr err = { 12345, NULL };
        size_t n = 0;

        if (size > INPUT_MAX)
                return 0;
        memset(&f, POISON, sizeof f);
        int r = hr_parse_drm_fdinfo((const char *) data, size, &f, &err);
        if (r < 0) {
                if (r != -EBADMSG && r != -EINVAL && r != -ERANGE)
                        abort();
                if (!poisoned(&f, sizeof f) || !err.why || !err.why[0] || err.line == 0)
                        abort();
                if (hr_parse_drm_fdinfo((const char *) data, size, &f, NULL) != r || !poisoned(&f, sizeof f))
                        abort();
                return 0;
        }
        if (r != 0 || err.why)
                abort();
        check_success(&f);
        if (!f.is_drm)
                return 0;

        /* Written back, regions last to first, keys in another order, with the fd's own lines around: the same
         * client, the same regions in reverse, no drops. */
        n += (size_t) snprintf(text + n, sizeof text - n, "pos:\t0\nflags:\t02100002\n");
        for (unsigned i = f.n_regions; i-- > 0;) {
                const HrDrmRegion *g = &f.region[i];
                for (int s = _HR_DRM_STAT_MAX; s-- > 0;) {
                        if (!(g->seen & (1u << s)))
                                continue;
                        n += (size_t) snprintf(text + n, sizeof text - n, "drm-%s-%s:%s", stat_key[s], g->name,
                                               s == HR_DRM_STAT_MEMORY ? " \t" : "\t");
                        unsigned salt = (unsigned) (i * 7 + (unsigned) s) + data[0];
                        n += (size_t) print_size(text + n, sizeof text - n, g->kib[s], salt);
                        n += (size_t) snprintf(text + n, sizeof text - n, "\ndrm-active-%s:\t0\n", g->name);
                }
                if (i == f.n_regions / 2) {
                        n += (size_t) snprintf(text + n, sizeof text - n, "drm-driver:\t%s\n", f.driver);
                        if (f.has_client_id)
                                n += (size_t) snprintf(text + n, sizeof text - n, "drm-client-id:\t%" PRIu64 "\n",
                                                       f.client_id);
                        if (f.pdev[0])
                                n += (size_t) snprintf(text + n, sizeof text - n, "drm-pdev:\t%s\n", f.pdev);
                }
        }
        if (f.n_regions == 0) {
                n += (size_t) snprintf(text + n, sizeof text - n, "drm-driver:\t%s\n", f.driver);
                if (f.has_client_id)
                        n += (size_t) snprintf(text + n, sizeof text - n, "drm-client-id:\t%" PRIu64 "\n", f.client_id);
                if (f.pdev[0])
                        n += (size_t) snprintf(text + n, sizeof text - n, "drm-pdev:\t%s\n", f.pdev);
        }
        n += (size_t) snprintf(text + n, sizeof text - n, "drm-engine-render:\t12 ns\ndrm-total-cycles-rcs:\t9\n");
        if (n >= sizeof text)
                abort();

        memset(&again, POISON, sizeof again);
        if (hr_parse_drm_fdinfo(text, n, &again, NULL) != 0)
                abort();
        check_success(&again);
        if (!again.is_drm || strcmp(again.driver, f.driver) != 0 || strcmp(again.pdev, f.pdev) != 0 ||
            again.has_client_id != f.has_client_id || again.client_id != f.client_id ||
            again.n_regions != f.n_regions || again.n_dropped != 0)
                abort();
        for (unsigned i = 0; i < f.n_regions; i++) {
                const HrDrmRegion *a = &f.region[i], *b = &again.region[f.n_regions - 1 - i];
                if (strcmp(a->name, b->name) != 0 || a->mem_class != b->mem_class || a->seen != b->seen ||
                    a->source != b->source || a->resident_kib != b->resident_kib ||
                    memcmp(a->kib, b->kib, sizeof a->kib) != 0)
                        abort();
        }
        for (int c = 0; c < _HR_DRM_MEM_MAX; c++)
                if (again.resident_kib[c] != f.resident_kib[c] || again.shared_kib[c] != f.shared_kib[c])
                        abort();
        return 0;
}
