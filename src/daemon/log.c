/* SPDX-License-Identifier: MIT */
/* Log sink: stderr, journal-style "<N>" prefixes under systemd (JOURNAL_STREAM), time stamps on a
 * terminal or file. %m is expanded from the error passed in, not from errno. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/log.h"

static int max_level = LOG_INFO;
static const char *ident = "headroomd";
static int journal = -1; /* unknown until the first message */

void hr_log_set_max_level(int level) {
        max_level = level;
}

int hr_log_get_max_level(void) {
        return max_level;
}

void hr_log_set_ident(const char *s) {
        ident = s;
}

/* Replaces each %m in fmt by strerror(err) into out; other directives pass through. */
static void expand_m(const char *fmt, int err, char *out, size_t size) {
        size_t o = 0;
        for (const char *p = fmt; *p && o + 1 < size; p++) {
                if (p[0] == '%' && p[1] == '%') {
                        if (o + 2 < size) {
                                out[o++] = '%';
                                out[o++] = '%';
                        }
                        p++;
                } else if (p[0] == '%' && p[1] == 'm') {
                        const char *e = strerror(abs(err));
                        for (; *e && o + 1 < size; e++) {
                                if (*e == '%' && o + 2 < size)
                                        out[o++] = '%';
                                out[o++] = *e;
                        }
                        p++;
                } else
                        out[o++] = *p;
        }
        out[o] = '\0';
}

int hr_log_internal(int level, int err, const char *fmt, ...) {
        static char fbuf[512], line[2048];
        size_t n = 0;
        va_list ap;

        if (level > max_level)
                return err == 0 ? 0 : -abs(err);
        if (journal < 0)
                journal = getenv("JOURNAL_STREAM") != NULL;

        if (journal)
                n = (size_t) snprintf(line, sizeof line, "<%d>", level);
        else {
                struct timespec ts;
                struct tm tm;
                (void) clock_gettime(CLOCK_REALTIME, &ts);
                (void) localtime_r(&ts.tv_sec, &tm);
                n = (size_t) snprintf(line, sizeof line, "%02d:%02d:%02d.%03ld %s: ", tm.tm_hour, tm.tm_min,
                                      tm.tm_sec, ts.tv_nsec / 1000000, ident);
        }
        expand_m(fmt, err, fbuf, sizeof fbuf);
        va_start(ap, fmt);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        int k = vsnprintf(line + n, sizeof line - n - 1, fbuf, ap);
#pragma GCC diagnostic pop
        va_end(ap);
        if (k > 0)
                n += MIN((size_t) k, sizeof line - n - 2);
        line[n++] = '\n';
        int saved = errno;
        (void) !write(STDERR_FILENO, line, n);
        errno = saved;
        return err == 0 ? 0 : -abs(err);
}

const char *hr_log_safe(const char *s, char *buf, size_t size) {
        size_t i = 0;
        if (size == 0)
                return buf;
        for (; s[i] && i + 1 < size; i++)
                buf[i] = (unsigned char) s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
        buf[i] = '\0';
        return buf;
}
