/* SPDX-License-Identifier: MIT */
/* Unit tests of parse/ini.c: headers, Key=Value, comments, continuation, CRLF, errors with line numbers. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parse/ini.h"

/* Every event rendered into one string, so a case states what it expects in one line:
 *   header  "[Section|name]@LINE "
 *   item    "Key=value@LINE "        (section and name are checked by `sect` below)
 *   error   "!LINE "                 */
typedef struct Trace {
        char out[256 * 1024];
        size_t n;
        int stop_at; /* the callback returns -ECANCELED on this event (1-based); 0: never */
        int events;
} Trace;

static void put(Trace *t, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(t->out + t->n, sizeof t->out - t->n, fmt, ap);
        va_end(ap);
        assert_true(k >= 0 && (size_t) k < sizeof t->out - t->n);
        t->n += (size_t) k;
}

static int on_item(const HrIniItem *it, void *userdata) {
        Trace *t = userdata;
        assert_non_null(it->section);
        assert_non_null(it->name);
        if (it->key) {
                assert_non_null(it->value);
                put(t, "%s|%s|%s=%s@%u ", it->section, it->name, it->key, it->value, it->line);
        } else {
                assert_null(it->value);
                put(t, "[%s|%s]@%u ", it->section, it->name, it->line);
        }
        return ++t->events == t->stop_at ? -ECANCELED : 0;
}

static int on_error(unsigned line, const char *why, void *userdata) {
        Trace *t = userdata;
        assert_non_null(why);
        assert_true(strlen(why) > 0);
        put(t, "!%u ", line);
        return ++t->events == t->stop_at ? -ECANCELED : 0;
}

/* Parses an exact-size heap copy (ASan sees any read past len) with an exact-size scratch. */
static int parse(const char *in, size_t len, Trace *t) {
        char *copy = malloc(len ? len : 1), *scratch = malloc(HR_INI_SCRATCH_SIZE(len));
        assert_non_null(copy);
        assert_non_null(scratch);
        memcpy(copy, in, len);
        t->n = 0;
        t->out[0] = '\0';
        int r = hr_ini_parse(copy, len, scratch, HR_INI_SCRATCH_SIZE(len), on_item, on_error, t, NULL);
        free(scratch);
        free(copy);
        return r;
}

typedef struct Case {
        const char *name;
        const char *in;
        size_t len; /* 0: strlen(in) */
        int r;
        const char *want;
} Case;

#define S(x) x, sizeof(x) - 1 /* literal with embedded NULs */

static const Case cases[] = {
        { "empty", "", 0, 0, "" },
        { "blank lines only", "\n\n  \n\t\n", 0, 0, "" },
        { "one section", "[Pressure]\nPsiSomeWeight=1\n", 0, 0, "[Pressure|]@1 Pressure||PsiSomeWeight=1@2 " },
        { "no final newline", "[A]\nk=v", 0, 0, "[A|]@1 A||k=v@2 " },
        { "header with a name", "[Rule firefox]\nComm=x\n", 0, 0, "[Rule|firefox]@1 Rule|firefox|Comm=x@2 " },
        { "name with inner spaces kept, outer trimmed", "[ Rule   my  big rule  ]\n", 0, 0, "[Rule|my  big rule]@1 " },
        { "whitespace around key and value", "[A]\n  Key \t=  a value  with spaces \t\n", 0, 0,
          "[A|]@1 A||Key=a value  with spaces@2 " },
        { "empty value", "[A]\nKey=\nOther =   \n", 0, 0, "[A|]@1 A||Key=@2 A||Other=@3 " },
        { "'=' inside the value", "[A]\nCmdline=--type=renderer a=b\n", 0, 0, "[A|]@1 A||Cmdline=--type=renderer a=b@2 " },
        { "';' and '#' inside a value are not comments", "[Rule x]\nCmdline=^a;b#c ;d #e$\n", 0, 0,
          "[Rule|x]@1 Rule|x|Cmdline=^a;b#c ;d #e$@2 " },
        { "comments at line start, also indented", "# c\n; c\n[A]\n   # k=v\n\t; k=v\nk=v\n", 0, 0, "[A|]@3 A||k=v@6 " },
        { "continuation joins with a space", "[A]\nk=one \\\n   two\nl=3\n", 0, 0, "[A|]@1 A||k=one     two@2 A||l=3@4 " },
        { "continuation over three lines", "[A]\nk=a\\\nb\\\nc\n", 0, 0, "[A|]@1 A||k=a b c@2 " },
        { "comment lines inside a continuation are skipped", "[A]\nk=a\\\n# no\n; no\nb\n", 0, 0,
          "[A|]@1 A||k=a b@2 " },
        { "an escaped backslash does not continue", "[A]\nk=a\\\\\nl=b\n", 0, 0, "[A|]@1 A||k=a\\\\@2 A||l=b@3 " },
        { "three backslashes continue", "[A]\nk=a\\\\\\\nb\n", 0, 0, "[A|]@1 A||k=a\\\\ b@2 " },
        { "continuation at the end of input", "[A]\nk=a\\", 0, 0, "[A|]@1 A||k=a@2 " },
        { "continuation into a blank line ends it", "[A]\nk=a\\\n\nl=b\n", 0, 0, "[A|]@1 A||k=a@2 A||l=b@4 " },
        { "a key can be continued", "[A]\nLong\\\nKey=v\n", 0, 0, "[A|]@1 A||Long Key=v@2 " },
        { "CRLF", "[A]\r\nk=v\r\nl = w \r\n", 0, 0, "[A|]@1 A||k=v@2 A||l=w@3 " },
        { "CRLF continuation", "[A]\r\nk=a\\\r\nb\r\n", 0, 0, "[A|]@1 A||k=a b@2 " },
        { "UTF-8 BOM", "\xEF\xBB\xBF[A]\nk=v\n", 0, 0, "[A|]@1 A||k=v@2 " },
        { "sections repeat", "[A]\nk=1\n[B x]\nk=2\n[A]\nk=3\n", 0, 0,
          "[A|]@1 A||k=1@2 [B|x]@3 B|x|k=2@4 [A|]@5 A||k=3@6 " },
        { "']' inside a header name", "[Rule a]b]\n", 0, 0, "[Rule|a]b]@1 " },

        /* Errors: reported with their line, parsing goes on. */
        { "neither header nor Key=Value", "[A]\nk=v\ngarbage here\nl=w\n", 0, -EBADMSG, "[A|]@1 A||k=v@2 !3 A||l=w@4 " },
        { "key before any section", "k=v\n\n[A]\nl=w\n", 0, -EBADMSG, "!1 [A|]@3 A||l=w@4 " },
        { "unterminated header, its keys skipped", "[A\nk=v\nl=w\n[B]\nm=x\n", 0, -EBADMSG, "!1 [B|]@4 B||m=x@5 " },
        { "inline comment after a header is not allowed", "[A] # c\nk=v\n", 0, -EBADMSG, "!1 " },
        { "empty section name", "[]\nk=v\n[  ]\n", 0, -EBADMSG, "!1 !3 " },
        { "missing key", "[A]\n=v\n  = w\n", 0, -EBADMSG, "[A|]@1 !2 !3 " },
        { "lone '['", "[", 0, -EBADMSG, "!1 " },
        { "NUL byte: the line is dropped", S("[A]\nk=v\0x\nl=w\n"), -EBADMSG, "[A|]@1 !2 A||l=w@3 " },
        { "NUL byte ends a continuation", S("[A]\nk=a\\\n\0\nl=w\n"), -EBADMSG, "[A|]@1 !3 A||l=w@4 " },
        { "error line numbers count continued lines", "[A]\nk=a\\\nb\\\nc\nbad\n", 0, -EBADMSG, "[A|]@1 A||k=a b c@2 !5 " },
        { "error inside a continuation names its first line", "[A]\nbad\\\nstill bad\n", 0, -EBADMSG, "[A|]@1 !2 " },
        { "several errors", "x\n[A]\ny\nk=v\n[B\nz\n", 0, -EBADMSG, "!1 [A|]@2 !3 A||k=v@4 !5 !6 " },
};

static void test_cases(void **state) {
        static Trace t;
        (void) state;

        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                const Case *c = &cases[i];
                size_t len = c->len ? c->len : strlen(c->in);
                t = (Trace) {};
                int r = parse(c->in, len, &t);
                const char *name = c->name;
                if (r != c->r)
                        fail_msg("case \"%s\": r = %d, want %d (trace: %s)", name, r, c->r, t.out);
                if (strcmp(t.out, c->want) != 0)
                        fail_msg("case \"%s\":\n got: %s\nwant: %s", name, t.out, c->want);
        }
}

static void test_long_values(void **state) {
        /* A regex far past any line limit (libinih: 200), with ';' and '#', in one line and continued. */
        size_t n = 100000;
        char *re = malloc(n + 1), *in = malloc(2 * n + 64), *want = malloc(2 * n + 64);
        static Trace t;
        (void) state;

        assert_non_null(re);
        assert_non_null(in);
        assert_non_null(want);
        for (size_t i = 0; i < n; i++)
                re[i] = "ab;c#d|(e)"[i % 10];
        re[n] = '\0';

        snprintf(in, 2 * n + 64, "[Rule big]\nCmdline=^%s$\n", re);
        snprintf(want, 2 * n + 64, "[Rule|big]@1 Rule|big|Cmdline=^%s$@2 ", re);
        t = (Trace) {};
        assert_int_equal(parse(in, strlen(in), &t), 0);
        assert_string_equal(t.out, want);

        /* The same value split into two halves by a continuation. */
        snprintf(in, 2 * n + 64, "[Rule big]\nCmdline=^%.*s\\\n%s$\n", (int) (n / 2), re, re + n / 2);
        snprintf(want, 2 * n + 64, "[Rule|big]@1 Rule|big|Cmdline=^%.*s %s$@2 ", (int) (n / 2), re, re + n / 2);
        t = (Trace) {};
        assert_int_equal(parse(in, strlen(in), &t), 0);
        assert_string_equal(t.out, want);

        free(re);
        free(in);
        free(want);
}

static void test_stop_at_first_error(void **state) {
        const char in[] = "[A]\nk=v\nbad\nworse\n";
        char scratch[HR_INI_SCRATCH_SIZE(sizeof in)];
        HrParseErr err = {};
        static Trace t;
        (void) state;

        t = (Trace) {};
        assert_int_equal(hr_ini_parse(in, sizeof in - 1, scratch, sizeof scratch, on_item, NULL, &t, &err), -EBADMSG);
        assert_int_equal(err.line, 3);
        assert_non_null(err.why);
        assert_string_equal(t.out, "[A|]@1 A||k=v@2 ");

        /* err may be NULL. */
        assert_int_equal(hr_ini_parse(in, sizeof in - 1, scratch, sizeof scratch, on_item, NULL, &t, NULL), -EBADMSG);
}

static void test_callback_stops(void **state) {
        const char in[] = "[A]\nk=1\nl=2\nbad\nm=3\n";
        char scratch[HR_INI_SCRATCH_SIZE(sizeof in)];
        static Trace t;
        (void) state;

        for (int stop = 1; stop <= 4; stop++) {
                t = (Trace) { .stop_at = stop };
                assert_int_equal(hr_ini_parse(in, sizeof in - 1, scratch, sizeof scratch, on_item, on_error, &t, NULL),
                                 -ECANCELED);
                assert_int_equal(t.events, stop);
        }
}

static void test_scratch_too_small(void **state) {
        const char in[] = "[A]\nk=v\n";
        char scratch[HR_INI_SCRATCH_SIZE(sizeof in)];
        static Trace t;
        (void) state;

        t = (Trace) {};
        assert_int_equal(hr_ini_parse(in, sizeof in - 1, scratch, HR_INI_SCRATCH_SIZE(sizeof in - 1) - 1, on_item,
                                      on_error, &t, NULL),
                         -ENOBUFS);
        assert_int_equal(hr_ini_parse(in, sizeof in - 1, NULL, 0, on_item, on_error, &t, NULL), -ENOBUFS);
        assert_int_equal(t.events, 0);
}

/* Every prefix of a realistic file parses without crashing, and with the right number of events. */
static void test_every_prefix(void **state) {
        const char in[] = "# headroom\n[Pressure]\nPsiSomeStart = 5%\n\n[Rule chrome tabs]\r\nCmdline=--type=renderer \\\n"
                          "  --foo\nPriority=85\n[Protect me]\nUser=^alice$\n";
        static Trace t;
        (void) state;

        for (size_t len = 0; len <= sizeof in - 1; len++) {
                t = (Trace) {};
                int r = parse(in, len, &t);
                assert_true(r == 0 || r == -EBADMSG);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cases),
                cmocka_unit_test(test_long_values),
                cmocka_unit_test(test_stop_at_first_error),
                cmocka_unit_test(test_callback_stops),
                cmocka_unit_test(test_scratch_too_small),
                cmocka_unit_test(test_every_prefix),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
