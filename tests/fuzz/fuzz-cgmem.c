/* SPDX-License-Identifier: MIT */
/* Fuzz target of the cgroup memory parsers (parse/cgmem.c: a "max"-or-bytes value, one key of memory.stat) and of
 * the cgroup v1 mount lookup (parse/mountinfo.c), each fed the whole input: the first two against plain reference
 * implementations, all three against the error contract, and a success written back in the kernel's format parsing
 * the same. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-util.h"
#include "parse/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define INPUT_MAX (64 * 1024)
#define KEY_MAX 64
#define POISON 'Z'

/* The keys headroom reads (inactive_file on v2, total_inactive_file on v1), two others, a prefix of one, and one that
 * is never a token; the input's own first token is tried as well. */
static const char *const keys[] = {
        "inactive_file", "total_inactive_file", "anon", "hierarchical_memory_limit", "inactive", "a b",
};

/* memory (the one headroom looks up), its neighbours on hybrid machines (cpu and cpuacct share a mount), a named
 * hierarchy, and a prefix of memory that is no controller. */
static const char *const controllers[] = { "memory", "cpu", "cpuacct", "pids", "name=systemd", "mem" };

/* Whether p[0..n) still holds POISON (n ≤ PATH_MAX + 1): memcmp() against a poisoned copy, where a byte loop
 * (fuzz_poisoned()) would have the fuzzer trace a comparison per byte of the large buffers. */
static bool untouched(const char *p, size_t n) {
        static char ref[PATH_MAX + 1];

        if (ref[0] != POISON)
                memset(ref, POISON, sizeof ref);
        return n <= sizeof ref && memcmp(p, ref, n) == 0;
}

/* The lexer's blanks: tokens are what lies between them, lines what lies between '\n'. */
static bool blank(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* The next token of [*p, end) (false when none is left), *p moved past it. */
static bool token(const char **p, const char *end, const char **ret, size_t *ret_n) {
        while (*p < end && blank(**p))
                (*p)++;
        if (*p == end)
                return false;
        *ret = *p;
        while (*p < end && !blank(**p))
                (*p)++;
        *ret_n = (size_t) (*p - *ret);
        return true;
}

/* Decimal digits that fit: the value, or false. */
static bool decimal(const char *s, size_t n, uint64_t *ret) {
        uint64_t v = 0;

        if (n == 0)
                return false;
        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - (uint64_t) (s[i] - '0')) / 10)
                        return false;
                v = v * 10 + (uint64_t) (s[i] - '0');
        }
        *ret = v;
        return true;
}

/* What hr_parse_cgroup_bytes() should say: one token on the first line, "max" or a number, nothing after. */
static int ref_bytes(const char *buf, size_t len, uint64_t *ret) {
        const char *nl = memchr(buf, '\n', len), *end = nl ? nl : buf + len, *p = buf, *t, *u;
        size_t n, m;

        if (!token(&p, end, &t, &n))
                return -EBADMSG;
        if (n == 3 && memcmp(t, "max", 3) == 0)
                *ret = UINT64_MAX;
        else if (!decimal(t, n, ret))
                return -EINVAL;
        if (token(&p, end, &u, &m) || (nl && nl + 1 < buf + len))
                return -EINVAL;
        return 0;
}

/* What hr_parse_keyed_u64() should say: the first line whose first token is key decides. */
static int ref_keyed(const char *buf, size_t len, const char *key, uint64_t *ret, unsigned *ret_line) {
        const char *p = buf, *end = buf + len;
        size_t klen = strlen(key);

        for (unsigned line = 1; p < end; line++) {
                const char *nl = memchr(p, '\n', (size_t) (end - p)), *eol = nl ? nl : end, *q = p, *t, *v, *x;
                size_t n, vn, xn;

                p = nl ? nl + 1 : end;
                if (!token(&q, eol, &t, &n) || n != klen || memcmp(t, key, n) != 0)
                        continue;
                *ret_line = line;
                if (!token(&q, eol, &v, &vn) || !decimal(v, vn, ret) || token(&q, eol, &x, &xn))
                        return -EINVAL;
                return 0;
        }
        *ret_line = 0;
        return -ENOENT;
}

static void check_bytes(const char *buf, size_t size) {
        static char text[64];
        uint64_t v, want = 0, again;
        HrParseErr err = { 12345, NULL };

        memset(&v, FUZZ_POISON, sizeof v);
        int r = hr_parse_cgroup_bytes(buf, size, &v, &err);
        if (r != ref_bytes(buf, size, &want) || hr_parse_cgroup_bytes(buf, size, &again, NULL) != r)
                abort();
        if (r < 0) {
                if (!fuzz_poisoned(&v, sizeof v, FUZZ_POISON) || !err.why || !err.why[0] || err.line != 1)
                        abort();
                return;
        }
        if (err.why || v != want)
                abort();

        /* Printed back (the kernel's "max", or the digits; with and without a newline, padded) it parses the same. */
        const char *const around[][2] = { { "", "\n" }, { "", "" }, { "  ", " \t\n" } };
        for (size_t k = 0; k < sizeof around / sizeof around[0]; k++) {
                char num[32];
                if (v == UINT64_MAX && k == 0)
                        strcpy(num, "max");
                else
                        snprintf(num, sizeof num, "%" PRIu64, v);
                int n = snprintf(text, sizeof text, "%s%s%s", around[k][0], num, around[k][1]);
                memset(&again, FUZZ_POISON, sizeof again);
                if (n <= 0 || hr_parse_cgroup_bytes(text, (size_t) n, &again, NULL) != 0 || again != v)
                        abort();
        }
}

static void check_keyed(const char *buf, size_t size, const char *key) {
        static char text[INPUT_MAX + 3 * KEY_MAX + 128];
        uint64_t v, want = 0, again;
        unsigned want_line;
        HrParseErr err = { 12345, NULL };
        size_t klen = strlen(key);

        memset(&v, FUZZ_POISON, sizeof v);
        int r = hr_parse_keyed_u64(buf, size, key, &v, &err);
        if (r != ref_keyed(buf, size, key, &want, &want_line) || hr_parse_keyed_u64(buf, size, key, &again, NULL) != r)
                abort();
        if (r < 0) {
                if (!fuzz_poisoned(&v, sizeof v, FUZZ_POISON) || !err.why || !err.why[0] || err.line != want_line)
                        abort();
        } else if (err.why || v != want)
                abort();

        /* Another "key N" line after the input changes nothing the input decided (the first occurrence wins), and
         * is the answer where the key was absent. */
        memcpy(text, buf, size);
        size_t n = size + (size_t) sprintf(text + size, "\n%s 7\n", key);
        memset(&again, FUZZ_POISON, sizeof again);
        err = (HrParseErr) { 12345, NULL };
        int k = hr_parse_keyed_u64(text, n, key, &again, &err);
        if (r == -ENOENT) {
                bool token_key = klen > 0 && !strpbrk(key, " \t\r\v\f\n");
                if (token_key ? k != 0 || again != 7 : k != -ENOENT)
                        abort();
        } else if (k != r || (r == 0 ? again != v : err.line != want_line))
                abort();
        if (r < 0)
                return;

        /* Written back as "key value" after lines that hold the key but not as their first token (longer keys, the
         * key as a value, a blank line), and before a later duplicate, it parses the same. */
        n = (size_t) snprintf(text, sizeof text, "%sx 1\nx%s 2\n%sx %s 3\n\n \t\n%s\t %" PRIu64 "\n%s 4\n", key,
                              key, key, key, key, v, key);
        memset(&again, FUZZ_POISON, sizeof again);
        if (hr_parse_keyed_u64(text, n, key, &again, NULL) != 0 || again != v)
                abort();
}

/* The cgroup v1 lookup of one controller: the contract into a large buffer and small ones, then a round trip. */
static void check_mountinfo(const char *buf, size_t size, const char *controller, bool sizes_too, size_t pick) {
        static char big[PATH_MAX + 1], small[80], again[PATH_MAX + 1], text[PATH_MAX * 4 + 512];
        HrParseErr err = { 12345, NULL };

        memset(big, POISON, sizeof big);
        int r = hr_parse_mountinfo_cgroup1(buf, size, controller, big, sizeof big - 1, &err);
        if (r < 0) {
                if (r != -ENOENT && r != -ENAMETOOLONG)
                        abort();
                if (!err.why || !err.why[0] || !untouched(big, sizeof big) || (r == -ENOENT) != (err.line == 0))
                        abort();
        } else if (r != 0 || err.why || big[sizeof big - 1] != POISON || !memchr(big, '\0', sizeof big - 1))
                abort();
        size_t len = r == 0 ? strlen(big) : 0;
        if (r == 0 && len == 0)
                abort(); /* a mount point is never empty */

        /* Small sizes (none, one byte, around the answer's length, one picked by the input): the same answer where
         * it fits, -ENAMETOOLONG where it does not, nothing written past size. */
        const size_t sizes[] = { 0, 1, len, len + 1, len + 2, pick % sizeof small };
        for (size_t i = 0; sizes_too && i < sizeof sizes / sizeof sizes[0]; i++) {
                size_t s = sizes[i];
                if (s >= sizeof small)
                        continue;
                memset(small, POISON, sizeof small);
                int k = hr_parse_mountinfo_cgroup1(buf, size, controller, small, s, NULL);
                if (!untouched(small + s, sizeof small - s))
                        abort();
                bool fits = r == 0 && len < s;
                if (r == -ENOENT ? k != -ENOENT : fits ? k != 0 || strcmp(small, big) != 0 : k != -ENAMETOOLONG)
                        abort();
                if (k < 0 && !untouched(small, sizeof small))
                        abort();
        }
        if (r < 0)
                return;

        /* Written back as the kernel escapes a path (\ooo for space, tab, newline and backslash; \r, \v and \f stay
         * raw), after a cgroup2 line and a v1 line with the controller only as part of options, it parses the same. */
        size_t n = (size_t) snprintf(text, sizeof text,
                                     "41 31 0:38 / /sys/fs/cgroup/unified rw shared:9 - cgroup2 cgroup2 rw,%s\n"
                                     "34 31 0:31 / /sys/fs/cgroup/x rw shared:7 - cgroup cgroup rw,%sx,x%s\n"
                                     "35 31 0:32 / ", controller, controller, controller);
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char) big[i];
                if (c == ' ' || c == '\t' || c == '\n' || c == '\\')
                        n += (size_t) sprintf(text + n, "\\%03o", c);
                else
                        text[n++] = (char) c;
        }
        n += (size_t) sprintf(text + n, " rw - cgroup cgroup rw,%s\n", controller);
        memset(again, POISON, sizeof again);
        if (hr_parse_mountinfo_cgroup1(text, n, controller, again, sizeof again, NULL) != 0 || strcmp(again, big) != 0)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *buf = (const char *) data;
        char key[KEY_MAX], out[16];
        HrParseErr err = { 12345, NULL };

        if (size > INPUT_MAX)
                return 0;

        check_bytes(buf, size);

        /* Every key of the table, and the input's own first token (up to a NUL), so random input finds its key. */
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
                check_keyed(buf, size, keys[i]);
        size_t s = 0, n = 0;
        while (s < size && blank(buf[s]))
                s++;
        while (s + n < size && n + 1 < sizeof key && buf[s + n] && buf[s + n] != '\n' && !blank(buf[s + n]))
                n++;
        memcpy(key, buf + s, n);
        key[n] = '\0';
        check_keyed(buf, size, key);

        /* Every controller; the small sizes for one, picked by the first byte (they cost six parses each). */
        size_t pick = size ? data[0] : 0, n_ctl = sizeof controllers / sizeof controllers[0];
        for (size_t i = 0; i < n_ctl; i++)
                check_mountinfo(buf, size, controllers[i], i == pick % n_ctl, pick / n_ctl);

        /* No controller named: -EINVAL whatever the input, the output untouched. */
        memset(out, POISON, sizeof out);
        if (hr_parse_mountinfo_cgroup1(buf, size, "", out, sizeof out, &err) != -EINVAL || !err.why || !err.why[0] ||
            !untouched(out, sizeof out))
                abort();
        return 0;
}
