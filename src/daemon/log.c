/* SPDX-License-Identifier: MIT */
/* Log sink: stderr, journal-style "<N>" prefixes under systemd (JOURNAL_STREAM), time stamps on a
 * terminal or file; under systemd the native journal protocol (one datagram of FIELD=value lines, see
 * systemd's "Native Journal Protocol") carries the decision fields, stderr being the fallback.
 * %m is expanded from the error passed in, not from errno. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "daemon/log.h"

static int max_level = LOG_INFO;
static const char *ident = "headroomd";
static int journal = -1; /* unknown until the first message */
static int journal_fd = -1;
static struct sockaddr_un journal_addr = { .sun_family = AF_UNIX };
static HrLogFields fields;
static bool have_fields;

void hr_log_set_fields(const HrLogFields *f) {
        have_fields = f != NULL;
        if (f)
                fields = *f;
}

/* The native protocol's socket: $HR_JOURNAL_SOCKET (tests) or systemd's. */
static void journal_open(void) {
        const char *path = getenv("HR_JOURNAL_SOCKET");
        if (!path)
                path = "/run/systemd/journal/socket";
        if (strlen(path) >= sizeof journal_addr.sun_path)
                return;
        memcpy(journal_addr.sun_path, path, strlen(path) + 1);
        journal_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

/* One entry to the journal: MESSAGE (one line, as on stderr), priority, identifier and the fields set.
 * false when it could not be sent (stderr then carries it). */
static bool journal_send(int level, const char *msg, size_t len) {
        static char dgram[4096];
        int n;

        if (journal_fd < 0)
                return false;
        n = snprintf(dgram, sizeof dgram, "PRIORITY=%d\nSYSLOG_IDENTIFIER=%s\nMESSAGE=%.*s\n", level, ident,
                     (int) len, msg);
        if (have_fields && n > 0 && (size_t) n < sizeof dgram) {
                if (fields.action)
                        n += snprintf(dgram + n, sizeof dgram - (size_t) n, "HEADROOM_ACTION=%s\n", fields.action);
                if (fields.target_pid > 0 && (size_t) n < sizeof dgram)
                        n += snprintf(dgram + n, sizeof dgram - (size_t) n, "HEADROOM_TARGET_PID=%d\n", fields.target_pid);
                if (fields.target_comm && (size_t) n < sizeof dgram) {
                        char safe[64];
                        n += snprintf(dgram + n, sizeof dgram - (size_t) n, "HEADROOM_TARGET_COMM=%s\n",
                                      hr_log_safe(fields.target_comm, safe, sizeof safe));
                }
                if (fields.level && (size_t) n < sizeof dgram)
                        n += snprintf(dgram + n, sizeof dgram - (size_t) n, "HEADROOM_LEVEL=%s\n", fields.level);
                if (fields.score_centi >= 0 && (size_t) n < sizeof dgram)
                        n += snprintf(dgram + n, sizeof dgram - (size_t) n, "HEADROOM_SCORE=%d.%02d\n",
                                      fields.score_centi / 100, fields.score_centi % 100);
        }
        if (n < 0 || (size_t) n >= sizeof dgram)
                return false;
        return sendto(journal_fd, dgram, (size_t) n, MSG_NOSIGNAL, (struct sockaddr *) &journal_addr,
                      sizeof journal_addr) == n;
}

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
        if (journal < 0) {
                journal = getenv("JOURNAL_STREAM") != NULL;
                if (journal)
                        journal_open();
        }

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
        int saved = errno;
        /* The message without its "<N>" prefix goes to the journal natively; stderr if that fails. */
        size_t prefix = journal ? strcspn(line, ">") + 1 : 0;
        if (!(journal && journal_send(level, line + prefix, n - prefix))) {
                line[n++] = '\n';
                (void) !write(STDERR_FILENO, line, n);
        }
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
