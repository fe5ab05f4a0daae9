/* SPDX-License-Identifier: MIT */
/* Fuzz target of the /proc/meminfo parser (parse/meminfo.c): the error contract, the required-field mask and
 * cross-field invariants of a success, and its known fields written back parsing to the same struct. */
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

static const HrMeminfoField required[] = { HR_MEM_TOTAL, HR_MEM_FREE, HR_MEM_AVAILABLE, HR_MEM_SWAP_TOTAL,
                                           HR_MEM_SWAP_FREE };

static bool poisoned(const void *p, size_t n) {
        return fuzz_poisoned(p, n, POISON);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static char text[_HR_MEM_FIELD_MAX * 64];
        HrMeminfo m, again;
        HrParseErr err = { 12345, NULL };

        if (size > INPUT_MAX)
                return 0;
        memset(&m, POISON, sizeof m);
        int r = hr_parse_meminfo((const char *) data, size, &m, &err);
        if (r < 0) {
                if (r != -EBADMSG && r != -EINVAL && r != -ERANGE)
                        abort();
                if (!poisoned(&m, sizeof m) || !err.why || !err.why[0])
                        abort();
                if (hr_parse_meminfo((const char *) data, size, &m, NULL) != r)
                        abort();
                return 0;
        }
        if (r != 0 || err.why || err.line != 12345)
                abort();
        if (m.present >> _HR_MEM_FIELD_MAX)
                abort();
        for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
                if (!hr_meminfo_has(&m, required[i]))
                        abort();
        for (unsigned f = 0; f < _HR_MEM_FIELD_MAX; f++)
                if (!hr_meminfo_has(&m, (HrMeminfoField) f) && m.kib[f] != 0)
                        abort(); /* absent fields read as zero */
        uint64_t total = m.kib[HR_MEM_TOTAL];
        if (total == 0 || m.kib[HR_MEM_AVAILABLE] > total || m.kib[HR_MEM_FREE] > total ||
            m.kib[HR_MEM_SWAP_FREE] > m.kib[HR_MEM_SWAP_TOTAL])
                abort();

        /* Written back, in reverse order (the parser goes by key, not position). */
        size_t n = 0;
        for (unsigned f = _HR_MEM_FIELD_MAX; f-- > 0;)
                if (hr_meminfo_has(&m, (HrMeminfoField) f))
                        n += (size_t) snprintf(text + n, sizeof text - n, "%s:%*s%" PRIu64 " kB\n",
                                               hr_meminfo_field_names[f], (int) (f % 7) + 1, "", m.kib[f]);
        memset(&again, POISON, sizeof again);
        if (hr_parse_meminfo(text, n, &again, NULL) != 0 || memcmp(&again, &m, sizeof m) != 0)
                abort();
        return 0;
}
