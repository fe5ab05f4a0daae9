/* SPDX-License-Identifier: MIT */
/* Fuzz target of the registry file (daemon/registry.c): hr_registry_parse() over the input, then its
 * contract checked whatever the bytes: an error leaves the output untouched and says why in one line; a
 * success holds only entries hr_registry_put() accepts, no two with one identity, and writes back (through
 * hr_registry_write(), into a memfd) to a file that parses to the same registry with nothing skipped. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "daemon/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define INPUT_MAX (1024 * 1024)
#define POISON 0xa5

/* Large: not on the stack. */
static HrRegistry got, again, check;
static char out[HR_REGISTRY_FILE_MAX];

static int memfd = -1;

static bool poisoned(const HrRegistry *r) {
        static HrRegistry ref;
        static bool have_ref;
        if (!have_ref) {
                memset(&ref, POISON, sizeof ref);
                have_ref = true;
        }
        return memcmp(r, &ref, sizeof *r) == 0;
}

static bool entry_equal(const HrRegistryEntry *a, const HrRegistryEntry *b) {
        return a->pid == b->pid && a->start_time == b->start_time && a->state == b->state && a->method == b->method &&
               strcmp(a->cgroup, b->cgroup) == 0 && strcmp(a->comm, b->comm) == 0 && a->priority == b->priority &&
               a->since_unix_usec == b->since_unix_usec && strcmp(a->why, b->why) == 0;
}

/* Writes r into the memfd and reads it back into out; the length, or 0 if the memfd failed (not a finding). */
static size_t write_back(const HrRegistry *r) {
        if (memfd < 0) {
                memfd = memfd_create("fuzz-registry", MFD_CLOEXEC);
                if (memfd < 0)
                        return 0;
        }
        if (ftruncate(memfd, 0) < 0 || lseek(memfd, 0, SEEK_SET) != 0)
                return 0;
        if (hr_registry_write(r, memfd) < 0)
                abort(); /* writing to a memfd does not fail */
        size_t n = 0;
        for (;;) {
                ssize_t k = pread(memfd, out + n, sizeof out - n, (off_t) n);
                if (k < 0)
                        return 0;
                if (k == 0)
                        break;
                n += (size_t) k;
                if (n == sizeof out)
                        abort(); /* a registry always writes far below the cap */
        }
        return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char why[128];
        unsigned skipped = 0xdead;

        if (size > INPUT_MAX)
                return 0;

        memset(&got, POISON, sizeof got);
        memset(why, 'x', sizeof why);
        int r = hr_registry_parse((const char *) data, size, &got, &skipped, why, sizeof why);
        if (!memchr(why, '\0', sizeof why) || strchr(why, '\n'))
                abort();
        if (r < 0) {
                if (r != -EBADMSG && r != -ENOMEM && r != -EFBIG)
                        abort();
                if (!why[0] || !poisoned(&got) || skipped != 0xdead)
                        abort();
                return 0;
        }
        if (r != 0 || why[0] || got.n > HR_TRACKED_MAX || skipped == 0xdead)
                abort();

        /* Every entry is one put() accepts, and no two share an identity. */
        memset(&check, 0, sizeof check);
        for (unsigned i = 0; i < got.n; i++) {
                if (hr_registry_put(&check, &got.e[i]) != 0)
                        abort();
                if (hr_registry_find(&check, got.e[i].pid, got.e[i].start_time) != &check.e[i])
                        abort();
        }
        if (check.n != got.n)
                abort();

        /* Written back, it parses to the same registry. */
        size_t n = write_back(&got);
        if (n == 0)
                return 0;
        memset(&again, POISON, sizeof again);
        skipped = 0xdead;
        if (hr_registry_parse(out, n, &again, &skipped, why, sizeof why) != 0 || skipped != 0 || again.n != got.n)
                abort();
        for (unsigned i = 0; i < got.n; i++)
                if (!entry_equal(&got.e[i], &again.e[i]))
                        abort();
        return 0;
}
