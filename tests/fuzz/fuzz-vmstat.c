/* SPDX-License-Identifier: MIT */
/* Fuzz target of the /proc/vmstat parser (parse/vmstat.c): the error contract, pswpin/pswpout present on a
 * success, absent counters zero, and the known counters written back parsing to the same struct. */
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

static bool poisoned(const void *p, size_t n) {
        return fuzz_poisoned(p, n, POISON);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static char text[_HR_VM_FIELD_MAX * 64];
        HrVmstat v, again;
        HrParseErr err = { 12345, NULL };

        if (size > INPUT_MAX)
                return 0;
        memset(&v, POISON, sizeof v);
        int r = hr_parse_vmstat((const char *) data, size, &v, &err);
        if (r < 0) {
                if (r != -EBADMSG && r != -EINVAL && r != -ERANGE)
                        abort();
                if (!poisoned(&v, sizeof v) || !err.why || !err.why[0])
                        abort();
                if (hr_parse_vmstat((const char *) data, size, &v, NULL) != r)
                        abort();
                return 0;
        }
        if (r != 0 || err.why || err.line != 12345)
                abort();
        if ((v.present >> _HR_VM_FIELD_MAX) || !hr_vmstat_has(&v, HR_VM_PSWPIN) || !hr_vmstat_has(&v, HR_VM_PSWPOUT))
                abort();
        for (unsigned f = 0; f < _HR_VM_FIELD_MAX; f++)
                if (!hr_vmstat_has(&v, (HrVmstatField) f) && v.v[f] != 0)
                        abort();

        size_t n = 0;
        for (unsigned f = _HR_VM_FIELD_MAX; f-- > 0;)
                if (hr_vmstat_has(&v, (HrVmstatField) f))
                        n += (size_t) snprintf(text + n, sizeof text - n, "%s %" PRIu64 "\nunknown_%u 1\n",
                                               hr_vmstat_field_names[f], v.v[f], f);
        memset(&again, POISON, sizeof again);
        if (hr_parse_vmstat(text, n, &again, NULL) != 0 || memcmp(&again, &v, sizeof v) != 0)
                abort();
        return 0;
}
