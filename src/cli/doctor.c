/* SPDX-License-Identifier: MIT */
/* headroomctl doctor: probes of the kernel interfaces and privileges headroom uses (docs: kernel-interfaces.md),
 * each a yes/partial/no with what was seen and how to enable it, and the report as text or JSON. */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/doctor.h"
#include "shared/clock.h"
#include "shared/macros.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_process_mrelease
#define SYS_process_mrelease 448
#endif
#ifndef CAP_CHECKPOINT_RESTORE
#define CAP_CHECKPOINT_RESTORE 40
#endif

#define MOUNTINFO_MAX (256u * 1024u)     /* bytes of /proc/self/mountinfo looked at */
#define CGROUP_SCAN_MAX 256              /* entries of the cgroup2 root looked at */
#define ZRAM_MAX 16                      /* zram devices listed */
#define CRIU_CHECK_USEC (5 * USEC_PER_SEC)

static const char *const state_names[_HR_DOCTOR_STATE_MAX] = {
        [HR_DOCTOR_YES] = "yes",
        [HR_DOCTOR_PARTIAL] = "partial",
        [HR_DOCTOR_NO] = "no",
};

static const char *const feature_names[_HR_DOCTOR_FEATURE_MAX] = {
        [HR_DOCTOR_KERNEL] = "kernel",
        [HR_DOCTOR_PROC] = "proc",
        [HR_DOCTOR_PSI] = "psi",
        [HR_DOCTOR_PSI_TRIGGER] = "psi-trigger",
        [HR_DOCTOR_CGROUP2] = "cgroup2",
        [HR_DOCTOR_FREEZER] = "freezer",
        [HR_DOCTOR_RECLAIM] = "memory.reclaim",
        [HR_DOCTOR_HIBERNATE] = "hibernate",
        [HR_DOCTOR_CGROUP_RELIEF] = "cgroup-relief",
        [HR_DOCTOR_PIDFD] = "pidfd",
        [HR_DOCTOR_MRELEASE] = "process_mrelease",
        [HR_DOCTOR_MGLRU] = "mglru",
        [HR_DOCTOR_ZRAM] = "zram",
        [HR_DOCTOR_SWAP] = "swap",
        [HR_DOCTOR_CRIU] = "criu",
        [HR_DOCTOR_PRIVILEGES] = "privileges",
};

const char *hr_doctor_state_to_string(HrDoctorState s) {
        return s >= 0 && s < _HR_DOCTOR_STATE_MAX ? state_names[s] : NULL;
}

const char *hr_doctor_feature_to_string(HrDoctorFeature f) {
        return f >= 0 && f < _HR_DOCTOR_FEATURE_MAX ? feature_names[f] : NULL;
}

static bool feature_essential(HrDoctorFeature f) {
        return f == HR_DOCTOR_PROC || f == HR_DOCTOR_PSI || f == HR_DOCTOR_PIDFD;
}

/* Everything the probes share, read once. Paths are relative to root_fd (no leading '/'). */
typedef struct Probe {
        int root_fd;
        bool real;                       /* the running system: syscalls are tried, criu may run */

        char release[128];               /* "6.18.44-fc-v669", "" when unreadable */
        int release_err;
        int kernel_major, kernel_minor;  /* -1 when unknown */

        int status_err;                  /* reading proc/self/status: 0 or -errno */
        bool have_euid, have_caps;
        unsigned long euid;
        uint64_t cap_eff, cap_bnd;

        int mountinfo_err;
        bool cgroup2, cgroup1;
        char cgroup2_mount[PATH_MAX];    /* absolute, unescaped: "/sys/fs/cgroup/unified" */
        char v1_controllers[128];        /* "memory cpu ..." bound to v1 hierarchies (the ones headroom cares about) */
        bool proc_mount_seen;
        char proc_opts[256];             /* super options of the /proc mount */

        int controllers_err;
        char controllers[256];           /* the cgroup2 root's cgroup.controllers, one line */
        char own_cgroup[PATH_MAX];       /* "0::/x/y" -> "x/y"; "" for the root or when unknown */

        int swaps_err;
        char swaps[16384];
} Probe;

/* ---- small helpers ---- */

_printf_(3, 4) static void append(char *buf, size_t size, const char *fmt, ...) {
        size_t len = strnlen(buf, size);
        va_list ap;

        if (len + 1 >= size)
                return;
        va_start(ap, fmt);
        (void) vsnprintf(buf + len, size - len, fmt, ap);
        va_end(ap);
}

_printf_(3, 4) static void set(HrDoctorItem *it, HrDoctorState state, const char *fmt, ...) {
        va_list ap;

        it->state = state;
        va_start(ap, fmt);
        (void) vsnprintf(it->detail, sizeof it->detail, fmt, ap);
        va_end(ap);
}

_printf_(2, 3) static void set_fix(HrDoctorItem *it, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        (void) vsnprintf(it->fix, sizeof it->fix, fmt, ap);
        va_end(ap);
}

static const char *err_name(int r) {
        const char *n = strerrorname_np(r < 0 ? -r : r);
        return n ? n : "unknown error";
}

static const char *err_text(int r) {
        return strerror(r < 0 ? -r : r);
}

static bool has_token(const char *list, const char *word, const char *seps) {
        size_t n = strlen(word);

        for (const char *s = list; *s;) {
                size_t k = strcspn(s, seps);
                if (k == n && strncmp(s, word, n) == 0)
                        return true;
                s += k;
                s += strspn(s, seps);
        }
        return false;
}

static void trim_end(char *s) {
        size_t n = strlen(s);
        while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
                s[--n] = '\0';
}

/* Replaces control characters by '?' so one item stays one line. */
static void sanitize(char *s) {
        for (; *s; s++)
                if ((unsigned char) *s < 0x20 || *s == 0x7f)
                        *s = '?';
}

/* Reads at most size-1 bytes of the regular file rel (relative to dirfd) into buf, NUL-terminated; longer files
 * are cut there. Returns the length or a negative errno (-EISDIR, -EINVAL for a FIFO, device or socket). */
static ssize_t read_at(int dirfd, const char *rel, char *buf, size_t size) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        size_t len = 0;

        if (size == 0)
                return -EINVAL;
        fd = openat(dirfd, rel, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        while (len < size - 1) {
                ssize_t n = read(fd, buf + len, size - 1 - len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                len += (size_t) n;
        }
        buf[len] = '\0';
        return (ssize_t) len;
}

/* Copies src into dst (size bytes), cut to fit; always NUL-terminated. */
static void copy_cut(char *dst, size_t size, const char *src) {
        size_t n = strnlen(src, size - 1);

        memcpy(dst, src, n);
        dst[n] = '\0';
}

static bool exists_at(int dirfd, const char *rel) {
        struct stat st;
        return fstatat(dirfd, rel, &st, 0) == 0;
}

/* The value after "key" at the start of a line, leading blanks skipped; NULL when absent. */
static const char *line_value(const char *buf, const char *key) {
        size_t n = strlen(key);

        for (const char *l = buf; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
                if (strncmp(l, key, n) == 0) {
                        l += n;
                        return l + strspn(l, " \t");
                }
        return NULL;
}

/* <cgroup2 mount>[/cg][/file], relative to the root fd ("." for the mount at "/"). -ENAMETOOLONG if it does not fit. */
static int cg_path(const Probe *p, const char *cg, const char *file, char *buf, size_t size) {
        const char *mnt = p->cgroup2_mount + strspn(p->cgroup2_mount, "/");
        int n = snprintf(buf, size, "%s%s%s%s%s", *mnt ? mnt : ".", cg && *cg ? "/" : "", cg ? cg : "",
                         file ? "/" : "", file ? file : "");
        return n < 0 || (size_t) n >= size ? -ENAMETOOLONG : 0;
}

/* 1 when the kernel is at least maj.min, 0 when older, -1 when unknown. */
static int kernel_at_least(const Probe *p, int maj, int min) {
        if (p->kernel_major < 0)
                return -1;
        return p->kernel_major > maj || (p->kernel_major == maj && p->kernel_minor >= min);
}

static bool has_cap(const Probe *p, int cap) {
        return p->have_caps && (p->cap_eff >> cap & 1u);
}

static const char *human_bytes(uint64_t bytes, char *buf, size_t size) {
        static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
        double v = (double) bytes;
        size_t u = 0;

        if (bytes < 1024) {
                (void) snprintf(buf, size, "%" PRIu64 " B", bytes);
                return buf;
        }
        v /= 1024;
        while (v >= 1023.95 && u + 1 < ELEMENTSOF(units)) {
                v /= 1024;
                u++;
        }
        (void) snprintf(buf, size, "%.1f %s", v, units[u]);
        return buf;
}

static bool parse_u64(const char *s, int base, uint64_t *ret) {
        char *end;

        if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
                return false;
        errno = 0;
        unsigned long long v = strtoull(s, &end, base);
        if (errno != 0 || end == s || (*end && *end != '\n' && *end != ' ' && *end != '\t'))
                return false;
        *ret = v;
        return true;
}

/* ---- reading what the probes share ---- */

/* "6.18.44-fc-v669" -> 6, 18. */
static void parse_release(Probe *p) {
        const char *s = p->release;
        long v[2];

        for (int i = 0; i < 2; i++) {
                char *end;
                if (*s < '0' || *s > '9')
                        return;
                v[i] = strtol(s, &end, 10);
                if (v[i] > 1000 || (i == 0 && *end != '.'))
                        return;
                s = end + (i == 0);
        }
        p->kernel_major = (int) v[0];
        p->kernel_minor = (int) v[1];
}

static void read_release(Probe *p) {
        if (p->real) {
                struct utsname u;
                if (uname(&u) < 0) {
                        p->release_err = -errno;
                        return;
                }
                (void) snprintf(p->release, sizeof p->release, "%s", u.release);
        } else {
                ssize_t n = read_at(p->root_fd, "proc/sys/kernel/osrelease", p->release, sizeof p->release);
                if (n < 0) {
                        p->release_err = (int) n;
                        p->release[0] = '\0';
                        return;
                }
        }
        trim_end(p->release);
        sanitize(p->release);
        if (!p->release[0])
                p->release_err = -EBADMSG;
        parse_release(p);
}

/* "Uid:\t0\t0\t0\t0" (real, effective, ...), "CapEff:\t000001fffeffffff", "CapBnd:\t...". */
static void read_status(Probe *p) {
        char buf[8192];
        const char *v;
        uint64_t x;
        ssize_t n = read_at(p->root_fd, "proc/self/status", buf, sizeof buf);

        if (n < 0) {
                p->status_err = (int) n;
                return;
        }
        v = line_value(buf, "Uid:");
        if (v) {
                v += strcspn(v, " \t\n");
                v += strspn(v, " \t");
                char *end;
                errno = 0;
                unsigned long uid = strtoul(v, &end, 10);
                if (errno == 0 && end != v && (*end == '\t' || *end == ' ' || *end == '\n' || !*end)) {
                        p->euid = uid;
                        p->have_euid = true;
                }
        }
        v = line_value(buf, "CapEff:");
        if (v && strspn(v, "0123456789abcdefABCDEF") == 16 && parse_u64(v, 16, &x)) {
                p->cap_eff = x;
                p->have_caps = true;
        }
        v = line_value(buf, "CapBnd:");
        if (v && strspn(v, "0123456789abcdefABCDEF") == 16 && parse_u64(v, 16, &x))
                p->cap_bnd = x;
        else
                p->cap_bnd = UINT64_MAX;
}

/* Mount points are octal-escaped: "\040" is a space. In place. */
static void unescape_octal(char *s) {
        char *w = s;
        for (const char *r = s; *r;) {
                if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' &&
                    r[3] <= '7') {
                        *w++ = (char) ((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
                        r += 4;
                } else
                        *w++ = *r++;
        }
        *w = '\0';
}

/* "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw"
 * "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory"
 * Field 5 is the mount point; after " - " come the type, the source and the super options. */
static void parse_mountinfo(Probe *p, char *buf) {
        static const char *const v1_known[] = { "memory", "cpu", "cpuacct", "cpuset", "io", "blkio", "pids", "freezer" };
        char *next;

        for (char *line = buf; line && *line; line = next) {
                char *save = NULL, *fields[5], *sep, *type, *opts;
                size_t i;

                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                sep = strstr(line, " - ");
                if (!sep)
                        continue;
                *sep = '\0';
                for (i = 0; i < ELEMENTSOF(fields); i++) {
                        fields[i] = strtok_r(i == 0 ? line : NULL, " ", &save);
                        if (!fields[i])
                                break;
                }
                if (i < ELEMENTSOF(fields))
                        continue;
                save = NULL;
                type = strtok_r(sep + 3, " ", &save);
                (void) strtok_r(NULL, " ", &save);   /* source */
                opts = strtok_r(NULL, " ", &save);
                if (!type)
                        continue;
                unescape_octal(fields[4]);
                if (strcmp(type, "cgroup2") == 0 && !p->cgroup2) {
                        if ((size_t) snprintf(p->cgroup2_mount, sizeof p->cgroup2_mount, "%s", fields[4]) <
                            sizeof p->cgroup2_mount)
                                p->cgroup2 = true;
                } else if (strcmp(type, "cgroup") == 0) {
                        p->cgroup1 = true;
                        for (i = 0; opts && i < ELEMENTSOF(v1_known); i++)
                                if (has_token(opts, v1_known[i], ",") &&
                                    !has_token(p->v1_controllers, v1_known[i], " "))
                                        append(p->v1_controllers, sizeof p->v1_controllers, "%s%s",
                                               p->v1_controllers[0] ? " " : "", v1_known[i]);
                } else if (strcmp(type, "proc") == 0 && strcmp(fields[4], "/proc") == 0) {
                        p->proc_mount_seen = true;
                        (void) snprintf(p->proc_opts, sizeof p->proc_opts, "%s", opts ? opts : "");
                }
        }
}

static void read_mountinfo(Probe *p) {
        _cleanup_free_ char *buf = malloc(MOUNTINFO_MAX);
        ssize_t n;

        if (!buf) {
                p->mountinfo_err = -ENOMEM;
                return;
        }
        n = read_at(p->root_fd, "proc/self/mountinfo", buf, MOUNTINFO_MAX);
        if (n < 0) {
                p->mountinfo_err = (int) n;
                return;
        }
        parse_mountinfo(p, buf);
}

/* "0::/user.slice/user-1000.slice/session-2.scope" (the v2 line of /proc/self/cgroup). */
static void read_own_cgroup(Probe *p) {
        char buf[4096];
        const char *v;
        size_t len;

        if (read_at(p->root_fd, "proc/self/cgroup", buf, sizeof buf) < 0)
                return;
        v = line_value(buf, "0::");
        if (!v)
                return;
        v += strspn(v, "/");
        len = strcspn(v, "\n");
        if (len >= sizeof p->own_cgroup)
                return;
        memcpy(p->own_cgroup, v, len);
        p->own_cgroup[len] = '\0';
        len = strlen(p->own_cgroup);
        if (len > 10 && strcmp(p->own_cgroup + len - 10, " (deleted)") == 0)
                p->own_cgroup[len - 10] = '\0';
        if (strstr(p->own_cgroup, "..") || strchr(p->own_cgroup, '\\'))
                p->own_cgroup[0] = '\0';   /* odd: do not look there */
}

static void read_controllers(Probe *p) {
        char rel[PATH_MAX];
        ssize_t n;

        p->controllers_err = cg_path(p, NULL, "cgroup.controllers", rel, sizeof rel);
        if (p->controllers_err < 0)
                return;
        n = read_at(p->root_fd, rel, p->controllers, sizeof p->controllers);
        if (n < 0) {
                p->controllers_err = (int) n;
                p->controllers[0] = '\0';
                return;
        }
        for (char *c = p->controllers; *c; c++)
                if (*c == '\n' || *c == '\t')
                        *c = ' ';
        trim_end(p->controllers);
        sanitize(p->controllers);
}

static bool has_controller(const Probe *p, const char *name) {
        return p->controllers_err == 0 && has_token(p->controllers, name, " ");
}

/* Looks for a non-root cgroup2 directory holding file: this process's own cgroup first, then the root's children
 * (at most CGROUP_SCAN_MAX entries). Writes its path relative to the mount to ret. Returns 1 when found, 0 when
 * non-root cgroups exist but none holds file, -ENOENT when there is none, another negative errno on failure. */
static int find_cgroup_with(const Probe *p, const char *file, char *ret, size_t size) {
        char rel[PATH_MAX];
        unsigned seen = 0, candidates = 0;
        struct dirent *de;
        DIR *d;
        int fd, r;

        if (p->own_cgroup[0] && cg_path(p, p->own_cgroup, NULL, rel, sizeof rel) == 0 && exists_at(p->root_fd, rel)) {
                candidates++;
                if (cg_path(p, p->own_cgroup, file, rel, sizeof rel) == 0 && exists_at(p->root_fd, rel) &&
                    (size_t) snprintf(ret, size, "%s", p->own_cgroup) < size)
                        return 1;
        }
        r = cg_path(p, NULL, NULL, rel, sizeof rel);
        if (r < 0)
                return r;
        fd = openat(p->root_fd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        d = fdopendir(fd);
        if (!d) {
                r = -errno;
                (void) close(fd);
                return r;
        }
        r = -ENOENT;
        while ((de = readdir(d)) && seen++ < CGROUP_SCAN_MAX) {
                struct stat st;
                char sub[NAME_MAX + 64];

                if (de->d_name[0] == '.' || fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
                    !S_ISDIR(st.st_mode))
                        continue;
                candidates++;
                if ((size_t) snprintf(sub, sizeof sub, "%s/%s", de->d_name, file) < sizeof sub &&
                    exists_at(fd, sub) && (size_t) snprintf(ret, size, "%s", de->d_name) < size) {
                        r = 1;
                        break;
                }
        }
        (void) closedir(d);
        if (r == 1)
                return 1;
        return candidates > 0 ? 0 : -ENOENT;
}

/* ---- the probes, one per feature ---- */

static void probe_kernel(const Probe *p, HrDoctorItem *it) {
        static const struct {
                int major, minor;
                const char *what;
        } since[] = {
                { 5, 2, "cgroup.freeze and PSI triggers (5.2)" },
                { 5, 3, "pidfd_open (5.3)" },
                { 5, 14, "cgroup.kill (5.14)" },
                { 5, 15, "process_mrelease (5.15)" },
                { 5, 19, "memory.reclaim (5.19)" },
        };

        if (!p->release[0]) {
                set(it, HR_DOCTOR_NO, "cannot read the kernel release: %s", err_text(p->release_err));
                set_fix(it, "check the kernel by hand (uname -r): headroom needs 4.20+ and uses every interface of 5.19+");
                return;
        }
        if (p->kernel_major < 0) {
                set(it, HR_DOCTOR_PARTIAL, "release '%s' is not MAJOR.MINOR...: no version checks", p->release);
                set_fix(it, "check the kernel by hand (uname -r): headroom needs 4.20+ and uses every interface of 5.19+");
                return;
        }
        if (kernel_at_least(p, 5, 19) == 1) {
                set(it, HR_DOCTOR_YES, "%s: has every interface headroom uses (5.19+)", p->release);
                return;
        }
        if (kernel_at_least(p, 4, 20) == 1) {
                set(it, HR_DOCTOR_PARTIAL, "%s: PSI yes; missing:", p->release);
                for (size_t i = 0; i < ELEMENTSOF(since); i++)
                        if (kernel_at_least(p, since[i].major, since[i].minor) == 0)
                                append(it->detail, sizeof it->detail, " %s", since[i].what);
        } else
                set(it, HR_DOCTOR_NO, "%s: older than 4.20, which brought PSI", p->release);
        set_fix(it, "boot a 5.19 or newer kernel (Debian 12 ships 6.1, which has everything headroom uses)");
}

static void probe_proc(const Probe *p, HrDoctorItem *it) {
        char buf[16384];
        ssize_t meminfo = read_at(p->root_fd, "proc/meminfo", buf, sizeof buf);
        bool meminfo_ok = meminfo >= 0 && line_value(buf, "MemAvailable:");
        ssize_t vmstat = read_at(p->root_fd, "proc/vmstat", buf, sizeof buf);
        const char *restricted = NULL;

        if (p->status_err < 0 || !meminfo_ok) {
                if (p->status_err < 0)
                        set(it, HR_DOCTOR_NO, "cannot read /proc/self/status: %s", err_text(p->status_err));
                else if (meminfo < 0)
                        set(it, HR_DOCTOR_NO, "cannot read /proc/meminfo: %s", err_text((int) meminfo));
                else
                        set(it, HR_DOCTOR_NO, "/proc/meminfo has no MemAvailable (kernel older than 3.14?)");
                set_fix(it, "headroom reads /proc/meminfo and /proc/self/*: mount procfs at /proc (mount -t proc proc "
                            "/proc) and do not give the unit ProcSubset=pid");
                return;
        }
        if (p->mountinfo_err < 0 || vmstat < 0) {
                set(it, HR_DOCTOR_PARTIAL, "meminfo and self/status readable, but %s: %s",
                    vmstat < 0 ? "/proc/vmstat" : "/proc/self/mountinfo",
                    err_text(vmstat < 0 ? (int) vmstat : p->mountinfo_err));
                set_fix(it, "headroom reads refaults and swap traffic from /proc/vmstat and finds cgroup2 in "
                            "/proc/self/mountinfo: mount a full procfs at /proc");
                return;
        }
        if (has_token(p->proc_opts, "subset=pid", ","))
                restricted = "subset=pid";
        else if (strstr(p->proc_opts, "hidepid=") && !has_token(p->proc_opts, "hidepid=0", ",") &&
                 !has_token(p->proc_opts, "hidepid=off", ","))
                restricted = "hidepid";
        if (restricted) {
                set(it, HR_DOCTOR_PARTIAL, "readable, but /proc is mounted with %s (%s): other users' processes are "
                    "hidden", restricted, p->proc_opts);
                set_fix(it, "mount -o remount,hidepid=0 /proc (system mode must see every process; a unit must not "
                            "set ProtectProc= or ProcSubset=)");
                return;
        }
        set(it, HR_DOCTOR_YES, "meminfo, vmstat, self/status, self/mountinfo readable%s",
            p->proc_mount_seen ? "" : " (no proc mount at /proc in mountinfo)");
}

static void probe_psi(const Probe *p, HrDoctorItem *it) {
        static const char *const resources[] = { "memory", "cpu", "io" };
        char present[64] = "", missing[64] = "", cmdline[4096];
        int memory_err = 0;

        for (size_t i = 0; i < ELEMENTSOF(resources); i++) {
                char rel[64], buf[512];
                ssize_t n;

                (void) snprintf(rel, sizeof rel, "proc/pressure/%s", resources[i]);
                n = read_at(p->root_fd, rel, buf, sizeof buf);
                if (n >= 0 && strncmp(buf, "some ", 5) != 0)
                        n = -EBADMSG;
                append(n >= 0 ? present : missing, sizeof present, "%s%s", (n >= 0 ? present : missing)[0] ? "," : "",
                       resources[i]);
                if (i == 0 && n < 0)
                        memory_err = (int) n;
        }
        if (!missing[0]) {
                set(it, HR_DOCTOR_YES, "/proc/pressure/{%s} present", present);
                return;
        }
        if (memory_err == 0) {
                set(it, HR_DOCTOR_PARTIAL, "/proc/pressure/{%s} present, {%s} missing", present, missing);
                set_fix(it, "headroom scores memory pressure without them; a kernel built with CONFIG_PSI=y has all three");
                return;
        }
        if (memory_err == -EBADMSG)
                set(it, HR_DOCTOR_NO, "/proc/pressure/memory does not start with 'some ': not a PSI file");
        else if (memory_err == -EOPNOTSUPP)
                set(it, HR_DOCTOR_NO, "/proc/pressure/memory: EOPNOTSUPP: PSI is disabled at runtime");
        else
                set(it, HR_DOCTOR_NO, "/proc/pressure/memory: %s", err_text(memory_err));
        if (kernel_at_least(p, 4, 20) == 0) {
                append(it->detail, sizeof it->detail, "; kernel %s is older than 4.20", p->release);
                set_fix(it, "boot a 4.20 or newer kernel with PSI (5.19+ for everything headroom uses)");
                return;
        }
        if (read_at(p->root_fd, "proc/cmdline", cmdline, sizeof cmdline) >= 0) {
                if (has_token(cmdline, "psi=0", " \n"))
                        append(it->detail, sizeof it->detail, "; the kernel was booted with psi=0");
                else if (!has_token(cmdline, "psi=1", " \n"))
                        append(it->detail, sizeof it->detail, "; no psi=1 on the kernel command line");
        }
        set_fix(it, "boot with psi=1: add it to GRUB_CMDLINE_LINUX in /etc/default/grub, run update-grub and reboot "
                    "(Debian's kernel builds PSI but leaves it off by default: CONFIG_PSI_DEFAULT_DISABLED)");
}

/* Registers trigger (size bytes, its NUL included: the /proc/pressure handler overwrites the last byte written) on a
 * fresh fd of proc/pressure/memory and closes it, which removes the trigger. Returns 0 or the negative errno of
 * write(), or of open() with *ret_open_failed set. */
static int try_psi_trigger(int root_fd, const char *trigger, size_t size, bool *ret_open_failed) {
        _cleanup_close_ int fd = openat(root_fd, "proc/pressure/memory", O_RDWR | O_NONBLOCK | O_CLOEXEC);
        ssize_t n;

        *ret_open_failed = fd < 0;
        if (fd < 0)
                return -errno;
        n = write(fd, trigger, size);
        if (n < 0)
                return -errno;
        return (size_t) n == size ? 0 : -EIO;
}

static const char psi_fix_2s[] =
        "headroomd widens its 1 s trigger window to 2 s by itself (stall events then land on ~2 s ticks); for 1 s "
        "windows it needs CAP_SYS_RESOURCE (AmbientCapabilities=CAP_SYS_RESOURCE in its unit)";
static const char psi_fix_none[] =
        "kernels 5.13-6.3 allow /proc/pressure triggers only with CAP_SYS_RESOURCE, 6.4+ allow 2 s windows to anyone; "
        "without a trigger headroomd samples PSI every second instead of sleeping until a stall";

static void probe_psi_trigger_real(const Probe *p, HrDoctorItem *it) {
        static const char t1[] = "some 150000 1000000";
        static const char t2[] = "some 150000 2000000";
        bool open_failed;
        int r1, r2;

        /* CAP_SYS_RESOURCE for windows that are not a multiple of 2 s (6.4+), for any trigger on 5.13-6.3 */
        r1 = try_psi_trigger(p->root_fd, t1, sizeof t1, &open_failed);
        if (r1 == 0) {
                set(it, HR_DOCTOR_YES, "registered '%s' on /proc/pressure/memory: 1 s windows work (a privileged "
                    "trigger), 2 s and longer too", t1);
                return;
        }
        if (open_failed) {
                set(it, HR_DOCTOR_NO, "cannot open /proc/pressure/memory for writing: %s", err_name(r1));
                set_fix(it, "%s", psi_fix_none);
                return;
        }
        if (r1 != -EINVAL && r1 != -EPERM) {
                set(it, HR_DOCTOR_NO, "registering '%s' on /proc/pressure/memory failed: %s (%s)", t1, err_name(r1),
                    err_text(r1));
                if (r1 == -EOPNOTSUPP)
                        set_fix(it, "PSI is disabled at runtime: boot with psi=1");
                else
                        set_fix(it, "%s", psi_fix_none);
                return;
        }
        r2 = try_psi_trigger(p->root_fd, t2, sizeof t2, &open_failed);
        if (r2 == 0) {
                set(it, HR_DOCTOR_PARTIAL, "2 s windows work ('%s'); a 1 s window failed with %s: windows under 2 s "
                    "need CAP_SYS_RESOURCE", t2, err_name(r1));
                set_fix(it, "%s", psi_fix_2s);
                return;
        }
        set(it, HR_DOCTOR_NO, "neither a 1 s window (%s) nor a 2 s window (%s) could be registered", err_name(r1),
            err_name(r2));
        set_fix(it, "%s", psi_fix_none);
}

/* Under a fixture root nothing is registered: the answer follows from the tree's kernel release and CapEff. */
static void probe_psi_trigger_inferred(const Probe *p, HrDoctorItem *it) {
        bool privileged = has_cap(p, CAP_SYS_RESOURCE);

        if (kernel_at_least(p, 5, 2) < 0) {
                set(it, HR_DOCTOR_PARTIAL, "kernel version unknown");
                set_fix(it, "run headroomctl doctor on the machine itself: it registers a trigger there");
        } else if (kernel_at_least(p, 5, 2) == 0) {
                set(it, HR_DOCTOR_NO, "kernel %s is older than 5.2: no PSI triggers", p->release);
                set_fix(it, "boot a 5.2+ kernel (6.4+ for unprivileged triggers); headroomd samples every second meanwhile");
        } else if (privileged)
                set(it, HR_DOCTOR_YES, "1 s windows (CAP_SYS_RESOURCE on kernel %s)", p->release);
        else if (kernel_at_least(p, 6, 4) == 1) {
                set(it, HR_DOCTOR_PARTIAL, "2 s windows only: kernel %s (6.4+) without CAP_SYS_RESOURCE", p->release);
                set_fix(it, "%s", psi_fix_2s);
        } else if (kernel_at_least(p, 5, 13) == 1) {
                set(it, HR_DOCTOR_NO, "kernel %s (5.13-6.3) allows /proc/pressure triggers only with CAP_SYS_RESOURCE",
                    p->release);
                set_fix(it, "%s", psi_fix_none);
        } else if (p->have_euid && p->euid == 0)
                set(it, HR_DOCTOR_YES, "kernel %s (5.2-5.12): root may write /proc/pressure", p->release);
        else {
                set(it, HR_DOCTOR_NO, "kernel %s (5.2-5.12): /proc/pressure is writable by root only", p->release);
                set_fix(it, "%s", psi_fix_none);
        }
        append(it->detail, sizeof it->detail, " (inferred from the kernel release and CapEff: nothing is registered "
               "under a fixture root)");
}

static void probe_psi_trigger(const Probe *p, const HrDoctorItem *psi, HrDoctorItem *it) {
        if (psi->state == HR_DOCTOR_NO) {
                set(it, HR_DOCTOR_NO, "no PSI (see psi)");
                set_fix(it, "enable PSI first (see psi)");
                return;
        }
        if (p->real)
                probe_psi_trigger_real(p, it);
        else
                probe_psi_trigger_inferred(p, it);
}

static const char cgroup2_fix_mount[] =
        "boot with systemd.unified_cgroup_hierarchy=1 for the unified hierarchy, or mount cgroup2 next to v1 "
        "(mkdir -p /sys/fs/cgroup/unified && mount -t cgroup2 none /sys/fs/cgroup/unified)";

static void probe_cgroup2(const Probe *p, HrDoctorItem *it) {
        static const char *const wanted[] = { "memory", "cpu", "io", "pids" };
        char have[64] = "", lack[64] = "";
        const char *layout;

        if (p->mountinfo_err < 0) {
                set(it, HR_DOCTOR_NO, "cannot read /proc/self/mountinfo: %s", err_text(p->mountinfo_err));
                set_fix(it, "headroom finds cgroup2 in /proc/self/mountinfo: mount a full procfs at /proc");
                return;
        }
        if (!p->cgroup2) {
                if (p->cgroup1)
                        set(it, HR_DOCTOR_NO, "legacy: no cgroup2 mount; cgroup v1 holds %s",
                            p->v1_controllers[0] ? p->v1_controllers : "named hierarchies only");
                else
                        set(it, HR_DOCTOR_NO, "no cgroup filesystem is mounted");
                set_fix(it, "%s; headroom then freezes whole cgroups and reads per-cgroup pressure", cgroup2_fix_mount);
                return;
        }
        layout = strcmp(p->cgroup2_mount, "/sys/fs/cgroup") == 0 ? "unified" : p->cgroup1 ? "hybrid" : "cgroup2 only";
        for (size_t i = 0; i < ELEMENTSOF(wanted); i++) {
                char *l = has_controller(p, wanted[i]) ? have : lack;
                append(l, sizeof have, "%s%s", l[0] ? " " : "", wanted[i]);
        }
        set(it, HR_DOCTOR_YES, "%s: cgroup2 at %s", layout, p->cgroup2_mount);
        if (p->controllers_err < 0)
                append(it->detail, sizeof it->detail, ", cgroup.controllers unreadable (%s)", err_text(p->controllers_err));
        else
                append(it->detail, sizeof it->detail, " with %s", have[0] ? have : "none of memory, cpu, io, pids");
        if (have[0] && lack[0])
                append(it->detail, sizeof it->detail, "; missing %s", lack);
        if (p->cgroup1)
                append(it->detail, sizeof it->detail, "; cgroup v1 holds %s",
                       p->v1_controllers[0] ? p->v1_controllers : "named hierarchies only");
        if (has_controller(p, "memory"))
                return;
        it->state = HR_DOCTOR_PARTIAL;
        append(it->detail, sizeof it->detail, "; no memory controller in cgroup2");
        if (p->cgroup1 && has_token(p->v1_controllers, "memory", " "))
                set_fix(it, "the memory controller is bound to cgroup v1 (hybrid layout): boot with "
                            "systemd.unified_cgroup_hierarchy=1 to move it to cgroup2 (memory.high, memory.reclaim, "
                            "per-cgroup memory); the cgroup2 freezer and PSI work meanwhile");
        else
                set_fix(it, "the kernel offers no memory controller in cgroup2 (CONFIG_MEMCG off or cgroup_disable=memory)");
}

static void probe_freezer(const Probe *p, HrDoctorItem *it) {
        char cg[PATH_MAX], rel[PATH_MAX];
        int r;

        if (!p->cgroup2) {
                set(it, HR_DOCTOR_NO, "no cgroup2 mount (see cgroup2)");
                set_fix(it, "%s; without it headroom freezes with SIGSTOP, which stops one process and shows to its "
                        "parent", cgroup2_fix_mount);
                return;
        }
        r = find_cgroup_with(p, "cgroup.freeze", cg, sizeof cg);
        if (r == 1) {
                if (cg_path(p, cg, "cgroup.freeze", rel, sizeof rel) == 0 &&
                    faccessat(p->root_fd, rel, W_OK, AT_EACCESS) < 0) {
                        int e = -errno;
                        set(it, HR_DOCTOR_PARTIAL, "%s/%s/cgroup.freeze exists but is not writable here (%s)",
                            p->cgroup2_mount, cg, err_name(e));
                        set_fix(it, "system mode writes cgroup files as root (or with CAP_DAC_OVERRIDE, on a writable "
                                    "cgroupfs: no ProtectControlGroups=); user mode only in its delegated "
                                    "user@UID.service subtree");
                } else
                        set(it, HR_DOCTOR_YES, "%s/%s/cgroup.freeze present and writable", p->cgroup2_mount, cg);
                return;
        }
        if (r == 0) {
                set(it, HR_DOCTOR_NO, "non-root cgroups under %s have no cgroup.freeze: kernel older than 5.2",
                    p->cgroup2_mount);
                set_fix(it, "boot a 5.2+ kernel; headroom freezes with SIGSTOP meanwhile");
                return;
        }
        if (r != -ENOENT) {
                set(it, HR_DOCTOR_PARTIAL, "cannot look into %s: %s", p->cgroup2_mount, err_text(r));
                set_fix(it, "check that %s is readable", p->cgroup2_mount);
                return;
        }
        switch (kernel_at_least(p, 5, 2)) {
        case 1:
                set(it, HR_DOCTOR_YES, "no non-root cgroup to look in; kernel %s (5.2+) has cgroup.freeze",
                    p->release);
                break;
        case 0:
                set(it, HR_DOCTOR_NO, "no non-root cgroup to look in, and kernel %s is older than 5.2", p->release);
                set_fix(it, "boot a 5.2+ kernel; headroom freezes with SIGSTOP meanwhile");
                break;
        default:
                set(it, HR_DOCTOR_PARTIAL, "no non-root cgroup to look in, and the kernel version is unknown");
                set_fix(it, "mkdir %s/x and look for cgroup.freeze in it (rmdir it after)", p->cgroup2_mount);
        }
}

/* [Cgroup] relief: throttling needs the cpu controller in cgroup2 (cpu.weight, cpu.max), capping and protecting
 * the memory controller (memory.high, memory.low); each knob works on its own. */
static void probe_cgroup_relief(const Probe *p, HrDoctorItem *it) {
        static const char fix_unified[] = "boot with systemd.unified_cgroup_hierarchy=1 (cgroup2 with the cpu and "
                                          "memory controllers); applications must run in their own scopes or services "
                                          "(desktops do; `systemd-run --user --scope` otherwise)";
        bool cpu, mem;

        if (!p->cgroup2) {
                set(it, HR_DOCTOR_NO, "no cgroup2 mount (see cgroup2): no throttle, cap or protect");
                set_fix(it, "%s", fix_unified);
                return;
        }
        cpu = has_controller(p, "cpu");
        mem = has_controller(p, "memory");
        if (cpu && mem) {
                set(it, HR_DOCTOR_YES, "throttle (cpu.weight, cpu.max), cap (memory.high) and protect (memory.low) "
                    "of app cgroups (*.scope, *.service) where the controllers are enabled for them");
                return;
        }
        if (cpu || mem) {
                set(it, HR_DOCTOR_PARTIAL, "%s only: no %s in cgroup2", cpu ? "throttle (cpu.weight, cpu.max)"
                                                                            : "cap (memory.high) and protect (memory.low)",
                    cpu ? "memory controller: no cap or protect" : "cpu controller: no throttle");
                set_fix(it, "%s", fix_unified);
                return;
        }
        set(it, HR_DOCTOR_NO, "neither the cpu nor the memory controller in cgroup2%s: no throttle, cap or protect "
            "(headroom freezes and ends processes only)",
            has_token(p->v1_controllers, "memory", " ") ? " (they are bound to cgroup v1: hybrid)" : "");
        set_fix(it, "%s", fix_unified);
}

static void probe_reclaim(const Probe *p, HrDoctorItem *it) {
        static const char fix_kernel[] = "boot a 5.19+ kernel: headroom then reclaims idle memory of background "
                                         "cgroups before it freezes them";
        char cg[PATH_MAX], rel[PATH_MAX];
        int r;

        if (!p->cgroup2) {
                set(it, HR_DOCTOR_NO, "no cgroup2 mount (see cgroup2)");
                set_fix(it, "%s, with the memory controller on a 5.19+ kernel", cgroup2_fix_mount);
                return;
        }
        if (!has_controller(p, "memory")) {
                set(it, HR_DOCTOR_NO, "no memory controller in cgroup2%s",
                    has_token(p->v1_controllers, "memory", " ") ? ": it is bound to cgroup v1 (hybrid)" : "");
                set_fix(it, "boot with systemd.unified_cgroup_hierarchy=1 on a 5.19+ kernel: headroom then reclaims "
                            "idle memory of background cgroups before it freezes them");
                return;
        }
        r = find_cgroup_with(p, "memory.current", cg, sizeof cg);
        if (r == 1) {
                if (cg_path(p, cg, "memory.reclaim", rel, sizeof rel) == 0 && exists_at(p->root_fd, rel))
                        set(it, HR_DOCTOR_YES, "%s/%s/memory.reclaim present", p->cgroup2_mount, cg);
                else {
                        set(it, HR_DOCTOR_NO, "%s/%s has memory.current but no memory.reclaim: kernel older than 5.19",
                            p->cgroup2_mount, cg);
                        set_fix(it, "%s", fix_kernel);
                }
                return;
        }
        if (cg_path(p, NULL, "memory.reclaim", rel, sizeof rel) == 0 && exists_at(p->root_fd, rel)) {
                set(it, HR_DOCTOR_YES, "%s/memory.reclaim present (no child cgroup has the memory controller "
                    "enabled to look in)", p->cgroup2_mount);
                return;
        }
        set(it, HR_DOCTOR_NO, "no memory.reclaim in %s or a child with the memory controller%s", p->cgroup2_mount,
            kernel_at_least(p, 5, 19) == 0 ? ": kernel older than 5.19" : "");
        set_fix(it, "%s", fix_kernel);
}

static void probe_pidfd(const Probe *p, HrDoctorItem *it) {
        static const char fix_kernel[] = "boot a 5.3+ kernel: headroom pins every process it acts on with a pidfd, so "
                                         "a reused pid is never signalled";

        if (p->real) {
                long fd = syscall(SYS_pidfd_open, getpid(), 0);
                if (fd >= 0) {
                        (void) close((int) fd);
                        set(it, HR_DOCTOR_YES, "pidfd_open(getpid(), 0) works (syscall %d)", SYS_pidfd_open);
                } else if (errno == ENOSYS) {
                        set(it, HR_DOCTOR_NO, "pidfd_open: ENOSYS: kernel older than 5.3 (or filtered)");
                        set_fix(it, "%s", fix_kernel);
                } else {
                        int e = errno;
                        set(it, HR_DOCTOR_NO, "pidfd_open(getpid(), 0) failed: %s (%s)", err_name(e), err_text(e));
                        set_fix(it, "a seccomp filter or LSM blocks it: allow pidfd_open, pidfd_send_signal and "
                                    "process_mrelease (SystemCallFilter=)");
                }
                return;
        }
        switch (kernel_at_least(p, 5, 3)) {
        case 1:
                set(it, HR_DOCTOR_YES, "kernel %s is 5.3+ (inferred: not called under a fixture root)", p->release);
                break;
        case 0:
                set(it, HR_DOCTOR_NO, "kernel %s is older than 5.3 (inferred: not called under a fixture root)",
                    p->release);
                set_fix(it, "%s", fix_kernel);
                break;
        default:
                set(it, HR_DOCTOR_PARTIAL, "kernel version unknown (not called under a fixture root)");
                set_fix(it, "run headroomctl doctor on the machine itself: it calls pidfd_open there");
        }
}

static void probe_mrelease(const Probe *p, HrDoctorItem *it) {
        static const char fix_kernel[] = "boot a 5.15+ kernel: without it a killed process's memory comes back only "
                                         "once it has exited";

        if (p->real) {
                /* No capability: only a pidfd of a process that is being killed (CAP_KILL for others' processes). */
                long r = syscall(SYS_process_mrelease, -1, 0);
                int e = r < 0 ? errno : 0;
                if (e == EBADF)
                        set(it, HR_DOCTOR_YES, "syscall %d exists (an invalid fd gives EBADF)", SYS_process_mrelease);
                else if (e == ENOSYS) {
                        set(it, HR_DOCTOR_NO, "syscall %d: ENOSYS: kernel older than 5.15 (or filtered)",
                            SYS_process_mrelease);
                        set_fix(it, "%s", fix_kernel);
                } else {
                        set(it, HR_DOCTOR_PARTIAL, "syscall %d with an invalid fd gave %s, not EBADF",
                            SYS_process_mrelease, e ? err_name(e) : "success");
                        set_fix(it, "a seccomp filter or LSM may interfere: allow process_mrelease (SystemCallFilter=)");
                }
                return;
        }
        switch (kernel_at_least(p, 5, 15)) {
        case 1:
                set(it, HR_DOCTOR_YES, "kernel %s is 5.15+ (inferred: not called under a fixture root)", p->release);
                break;
        case 0:
                set(it, HR_DOCTOR_NO, "kernel %s is older than 5.15 (inferred: not called under a fixture root)",
                    p->release);
                set_fix(it, "%s", fix_kernel);
                break;
        default:
                set(it, HR_DOCTOR_PARTIAL, "kernel version unknown (not called under a fixture root)");
                set_fix(it, "run headroomctl doctor on the machine itself: it calls process_mrelease there");
        }
}

/* "0x0007": 0x1 main switch, 0x2 and 0x4 page-table walks. */
static void probe_mglru(const Probe *p, HrDoctorItem *it) {
        char buf[64], ttl[64];
        uint64_t v;
        ssize_t n = read_at(p->root_fd, "sys/kernel/mm/lru_gen/enabled", buf, sizeof buf);

        if (n < 0) {
                if (n == -ENOENT)
                        set(it, HR_DOCTOR_NO, "no /sys/kernel/mm/lru_gen: kernel built without CONFIG_LRU_GEN (6.1+)");
                else
                        set(it, HR_DOCTOR_NO, "cannot read /sys/kernel/mm/lru_gen/enabled: %s", err_text((int) n));
                set_fix(it, "optional: a kernel with CONFIG_LRU_GEN=y (6.1+) picks cold pages better under pressure; "
                            "headroom works without it");
                return;
        }
        trim_end(buf);
        sanitize(buf);
        if (!parse_u64(buf, 16, &v)) {
                set(it, HR_DOCTOR_PARTIAL, "/sys/kernel/mm/lru_gen/enabled reads '%s', not a hex mask", buf);
                set_fix(it, "echo y > /sys/kernel/mm/lru_gen/enabled (as root)");
                return;
        }
        if (!(v & 1u)) {
                set(it, HR_DOCTOR_PARTIAL, "built in but off (enabled %s)", buf);
                set_fix(it, "echo y > /sys/kernel/mm/lru_gen/enabled (as root; CONFIG_LRU_GEN_ENABLED=y turns it on "
                            "at boot)");
                return;
        }
        set(it, HR_DOCTOR_YES, "enabled %s", buf);
        if (read_at(p->root_fd, "sys/kernel/mm/lru_gen/min_ttl_ms", ttl, sizeof ttl) >= 0) {
                trim_end(ttl);
                sanitize(ttl);
                append(it->detail, sizeof it->detail, ", min_ttl_ms %s%s", ttl,
                       parse_u64(ttl, 10, &v) && v > 0 ? " (the kernel OOM-kills rather than evict that working set)"
                                                        : "");
        }
}

/* Whether /proc/swaps lists dev ("/dev/zram0"): "/dev/zram0    partition\t2097148\t0\t100". */
static bool swaps_has(const Probe *p, const char *dev) {
        size_t n = strlen(dev);

        if (p->swaps_err < 0)
                return false;
        for (const char *l = p->swaps; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
                if (strncmp(l, dev, n) == 0 && (l[n] == ' ' || l[n] == '\t'))
                        return true;
        return false;
}

static int cmp_str(const void *a, const void *b) {
        return strverscmp(*(char *const *) a, *(char *const *) b);
}

static const char zram_setup[] =
        "echo lz4 > /sys/block/zram0/comp_algorithm; echo 4G > /sys/block/zram0/disksize; mkswap /dev/zram0; "
        "swapon -p 100 /dev/zram0 (at every boot: apt install systemd-zram-generator)";

static void probe_zram(const Probe *p, HrDoctorItem *it) {
        char names[ZRAM_MAX][NAME_MAX + 1];
        char *sorted[ZRAM_MAX];
        size_t n = 0, swapping = 0, sized = 0;
        struct dirent *de;
        DIR *d;
        int fd = openat(p->root_fd, "sys/block", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (fd >= 0) {
                d = fdopendir(fd);
                if (!d)
                        (void) close(fd);
                else {
                        while ((de = readdir(d)) && n < ZRAM_MAX)
                                if (strncmp(de->d_name, "zram", 4) == 0 && de->d_name[4] &&
                                    strspn(de->d_name + 4, "0123456789") == strlen(de->d_name + 4)) {
                                        (void) snprintf(names[n], sizeof names[n], "%s", de->d_name);
                                        sorted[n] = names[n];
                                        n++;
                                }
                        (void) closedir(d);
                }
        }
        if (n == 0) {
                set(it, HR_DOCTOR_NO, "no /sys/block/zram* device%s",
                    exists_at(p->root_fd, "sys/module/zram") ? " (the module is loaded)" : " (module not loaded)");
                set_fix(it, "modprobe zram; %s", zram_setup);
                return;
        }
        qsort(sorted, n, sizeof sorted[0], cmp_str);
        it->detail[0] = '\0';
        for (size_t i = 0; i < n; i++) {
                char rel[NAME_MAX + 32], buf[64], dev[NAME_MAX + 8], size[32];
                uint64_t bytes = 0;
                bool known;

                (void) snprintf(rel, sizeof rel, "sys/block/%s/disksize", sorted[i]);
                known = read_at(p->root_fd, rel, buf, sizeof buf) >= 0 && parse_u64(buf, 10, &bytes);
                (void) snprintf(dev, sizeof dev, "/dev/%s", sorted[i]);
                append(it->detail, sizeof it->detail, "%s%s ", i ? ", " : "", sorted[i]);
                if (!known)
                        append(it->detail, sizeof it->detail, "disksize unreadable");
                else if (bytes == 0)
                        append(it->detail, sizeof it->detail, "unconfigured (disksize 0)");
                else {
                        sized++;
                        append(it->detail, sizeof it->detail, "%s", human_bytes(bytes, size, sizeof size));
                }
                if (swaps_has(p, dev)) {
                        swapping++;
                        append(it->detail, sizeof it->detail, " in use as swap");
                } else if (known && bytes > 0)
                        append(it->detail, sizeof it->detail, " not used as swap");
        }
        it->state = swapping > 0 ? HR_DOCTOR_YES : HR_DOCTOR_PARTIAL;
        if (swapping > 0)
                return;
        if (sized > 0)
                set_fix(it, "mkswap /dev/%s; swapon -p 100 /dev/%s", sorted[0], sorted[0]);
        else
                set_fix(it, "%s", zram_setup);
}

/* "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority" then "/dev/zram0  partition\t2097148\t0\t100" (KiB). */
/* [Kernel] Hibernate= (off by default): whether this machine could hibernate when EMERGENCY holds. */
static void probe_hibernate(const Probe *p, HrDoctorItem *it) {
        static const char *const where[] = { "usr/bin/systemctl", "bin/systemctl" };
        char state[128];
        ssize_t n = read_at(p->root_fd, "sys/power/state", state, sizeof state);
        bool ctl = false;

        for (size_t i = 0; i < ELEMENTSOF(where); i++)
                ctl = ctl || faccessat(p->root_fd, where[i], F_OK, 0) == 0;
        if (n < 0 || !has_token(state, "disk", " \n")) {
                set(it, HR_DOCTOR_NO, "%s: Hibernate= would fail (optional, off by default)",
                    n < 0 ? "no /sys/power/state" : "no \"disk\" in /sys/power/state (CONFIG_HIBERNATION off, or locked down)");
                set_fix(it, "only for [Kernel] Hibernate=yes: a kernel with CONFIG_HIBERNATION, a swap device at least the "
                            "size of RAM, resume= on the kernel command line");
                return;
        }
        if (!ctl) {
                set(it, HR_DOCTOR_PARTIAL, "the kernel can hibernate, but there is no systemctl: set [Kernel] "
                    "HibernateCommand= (off by default)");
                set_fix(it, "HibernateCommand=/path/to/a/command that writes disk to /sys/power/state after syncing");
                return;
        }
        set(it, HR_DOCTOR_YES, "the kernel can hibernate and systemctl is there: [Kernel] Hibernate=yes uses it (off by "
            "default); the image needs swap about the size of RAM and resume= on the kernel command line");
}

static void probe_swap(const Probe *p, HrDoctorItem *it) {
        char list[256] = "", size[32];
        uint64_t total_kib = 0;
        unsigned count = 0;

        if (p->swaps_err < 0) {
                set(it, HR_DOCTOR_NO, "cannot read /proc/swaps: %s", err_text(p->swaps_err));
                set_fix(it, "set up zram swap: modprobe zram; %s", zram_setup);
                return;
        }
        for (const char *l = p->swaps; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
                char line[512], name[128], type[32];
                unsigned long long kib;
                size_t len = strcspn(l, "\n");

                if (len >= sizeof line)
                        continue;
                memcpy(line, l, len);   /* sscanf() must not run on into the next line */
                line[len] = '\0';
                if (strncmp(line, "Filename", 8) == 0 || sscanf(line, "%127s %31s %llu", name, type, &kib) != 3)
                        continue;
                count++;
                total_kib += kib;
                sanitize(name);
                if (count <= 3)
                        append(list, sizeof list, "%s%s (%s, %s)", count > 1 ? ", " : "", name, type,
                               human_bytes((uint64_t) kib * 1024, size, sizeof size));
        }
        if (count == 0) {
                set(it, HR_DOCTOR_NO, "no swap: freezing still works, but a thrashing machine has nothing to give");
                set_fix(it, "set up zram: modprobe zram; %s", zram_setup);
                return;
        }
        set(it, HR_DOCTOR_YES, "%u device%s, %s in all: %s%s", count, count > 1 ? "s" : "",
            human_bytes(total_kib * 1024, size, sizeof size), list, count > 3 ? ", ..." : "");
}

/* Reads what the non-blocking fd has now, keeping the last tail_size-1 bytes in tail (*len of them used).
 * Returns true at end of file or on an error other than EAGAIN. */
static bool drain_pipe(int fd, char *tail, size_t tail_size, size_t *len) {
        char chunk[1024];

        for (;;) {
                /* at most the whole tail at once, so the oldest bytes can be dropped to make room */
                ssize_t n = read(fd, chunk, MIN(sizeof chunk, tail_size - 1));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return n == 0 || errno != EAGAIN;
                if (*len + (size_t) n > tail_size - 1) {
                        size_t drop = *len + (size_t) n - (tail_size - 1);
                        memmove(tail, tail + drop, *len - drop);
                        *len -= drop;
                }
                memcpy(tail + *len, chunk, (size_t) n);
                *len += (size_t) n;
        }
}

/* Runs argv[0] with stdin from /dev/null and stdout+stderr into a pipe, in its own process group, for at most bound;
 * then SIGKILLs the group and reaps it. Keeps the last tail_size-1 bytes of output in tail. *ret_status is the
 * exit code, 128+signal, or -1 when unknown. Returns 0, or a negative errno when it could not be started. */
static int run_bounded(char *const argv[], usec_t bound, int *ret_status, bool *ret_timed_out, char *tail,
                       size_t tail_size) {
        int pipefd[2], status = 0;
        size_t len = 0;
        bool exited = false, eof = false, reaped = false;
        usec_t deadline = hr_now() + bound;
        pid_t pid;

        if (tail_size < 2)
                return -EINVAL;
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return -errno;
        pid = fork();
        if (pid < 0) {
                int r = -errno;
                (void) close(pipefd[0]);
                (void) close(pipefd[1]);
                return r;
        }
        if (pid == 0) {
                int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
                (void) setpgid(0, 0);
                if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(pipefd[1], STDOUT_FILENO) < 0 ||
                    dup2(pipefd[1], STDERR_FILENO) < 0)
                        _exit(127);
                execv(argv[0], argv);
                _exit(127);
        }
        (void) setpgid(pid, pid);
        (void) close(pipefd[1]);
        (void) fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
        while (!exited) {
                usec_t now = hr_now();
                siginfo_t si = { 0 };
                struct pollfd pfd = { .fd = eof ? -1 : pipefd[0], .events = POLLIN };
                usec_t wait = MIN(deadline > now ? deadline - now : 0, eof ? 20 * USEC_PER_MSEC : 100 * USEC_PER_MSEC);

                if (now >= deadline)
                        break;
                (void) poll(&pfd, 1, (int) (wait / USEC_PER_MSEC) + 1);
                if (!eof)
                        eof = drain_pipe(pipefd[0], tail, tail_size, &len);
                /* WNOWAIT: the zombie keeps its pid (and so the group id) until the group is killed below */
                if (waitid(P_PID, (id_t) pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == pid)
                        exited = true;
        }
        if (exited && !eof)
                (void) drain_pipe(pipefd[0], tail, tail_size, &len);   /* what it wrote just before exiting */
        *ret_timed_out = !exited;
        (void) kill(-pid, SIGKILL);
        (void) kill(pid, SIGKILL);
        for (;;) {
                pid_t w = waitpid(pid, &status, 0);
                if (w == pid)
                        reaped = true;
                if (w >= 0 || errno != EINTR)
                        break;
        }
        (void) close(pipefd[0]);
        tail[len] = '\0';
        if (!reaped)   /* SIGCHLD ignored by our caller: the kernel reaped it */
                *ret_status = -1;
        else if (WIFEXITED(status))
                *ret_status = WEXITSTATUS(status);
        else if (WIFSIGNALED(status))
                *ret_status = 128 + WTERMSIG(status);
        else
                *ret_status = -1;
        return 0;
}

/* The last non-empty line of out, and the text of its first "Error (file:line): text" line if that is another line;
 * "exited, status=N" lines (criu reporting on its own helpers) are passed over. Cuts out into lines. */
static void criu_lines(char *out, char *last, size_t last_size, char *first_error, size_t error_size) {
        char *line, *next;

        trim_end(out);
        line = strrchr(out, '\n');
        line = line ? line + 1 : out;
        copy_cut(last, last_size, line);
        sanitize(last);
        first_error[0] = '\0';
        for (char *l = out; l && l < line; l = next) {
                char *text;

                next = strchr(l, '\n');
                if (next)
                        *next++ = '\0';
                text = strstr(l, "): ");
                if (strncmp(l, "Error (", 7) != 0 || !text || strncmp(text + 3, "exited, status=", 15) == 0)
                        continue;
                copy_cut(first_error, error_size, text + 3);
                sanitize(first_error);
                return;
        }
}

static void probe_criu(const Probe *p, HrDoctorItem *it) {
        static const char *const where[] = { "usr/sbin/criu", "usr/bin/criu", "sbin/criu", "bin/criu",
                                             "usr/local/sbin/criu", "usr/local/bin/criu" };
        char path[64], out[8192], last[200], first_error[200];
        const char *found = NULL;
        int status = -1, r;
        bool timed_out = false;

        for (size_t i = 0; i < ELEMENTSOF(where) && !found; i++) {
                struct stat st;
                if (fstatat(p->root_fd, where[i], &st, 0) == 0 && S_ISREG(st.st_mode) &&
                    (!p->real || faccessat(p->root_fd, where[i], X_OK, AT_EACCESS) == 0))
                        found = where[i];
        }
        if (!found) {
                set(it, HR_DOCTOR_NO, "criu is not installed");
                set_fix(it, "apt install criu (checkpointing needs root; without criu headroom terminates instead)");
                return;
        }
        (void) snprintf(path, sizeof path, "/%s", found);
        if (!p->real) {
                set(it, HR_DOCTOR_PARTIAL, "%s present; `criu check` is not run under a fixture root", path);
                set_fix(it, "run headroomctl doctor on the machine itself, as root, to check it");
                return;
        }
        if (geteuid() != 0) {
                set(it, HR_DOCTOR_PARTIAL, "%s present; `criu check` needs root (not run)", path);
                set_fix(it, "checkpointing needs root (system mode); run headroomctl doctor as root to check it");
                return;
        }
        r = run_bounded((char *const[]) { path, (char *) "check", NULL }, CRIU_CHECK_USEC, &status, &timed_out, out,
                        sizeof out);
        if (r < 0) {
                set(it, HR_DOCTOR_NO, "cannot run %s check: %s", path, err_text(r));
                set_fix(it, "reinstall criu (apt install --reinstall criu)");
                return;
        }
        criu_lines(out, last, sizeof last, first_error, sizeof first_error);
        if (!timed_out && status == 0) {
                set(it, HR_DOCTOR_YES, "%s check passed%s%s", path, last[0] ? ": " : "", last);
                return;
        }
        if (timed_out)
                set(it, HR_DOCTOR_NO, "%s check did not finish within %u s and was killed", path,
                    (unsigned) (CRIU_CHECK_USEC / USEC_PER_SEC));
        else if (status == 127)
                set(it, HR_DOCTOR_NO, "%s could not be executed (status 127)", path);
        else
                set(it, HR_DOCTOR_NO, "%s check failed (status %d): %s", path, status, last[0] ? last : "no output");
        if (first_error[0])
                append(it->detail, sizeof it->detail, " (first error: %s)", first_error);
        set_fix(it, "checkpoints would fail, so headroom terminates instead; a CRIU older than the kernel is the usual "
                "cause%s: install a newer criu and run `criu check`",
                kernel_at_least(p, 6, 13) == 1 ? " (kernels 6.13+ need CRIU 4.1+; Debian 12 ships 3.17)" : "");
}

static void probe_privileges(const Probe *p, HrDoctorItem *it) {
        static const struct {
                int cap;
                const char *name, *use;
        } caps[] = {
                { CAP_KILL, "CAP_KILL", "signal other users' processes" },
                { CAP_SYS_PTRACE, "CAP_SYS_PTRACE", "read other users' /proc/PID/exe, smaps_rollup and fdinfo" },
                { CAP_SYS_RESOURCE, "CAP_SYS_RESOURCE", "oom_score_adj -1000 for itself, PSI windows under 2 s" },
                { CAP_SYS_ADMIN, "CAP_SYS_ADMIN", "criu checkpoints, swapon" },
        };
        char has[128] = "", lacks[128] = "", not_bounded[128] = "", lacks_use[HR_DOCTOR_TEXT_MAX] = "", rel[PATH_MAX];
        bool all = true;
        int cg_writable = 1;   /* 1 yes, 0 no, -1 no cgroup2 */

        if (p->status_err < 0 || !p->have_caps) {
                set(it, HR_DOCTOR_NO, "cannot read CapEff from /proc/self/status%s%s",
                    p->status_err < 0 ? ": " : "", p->status_err < 0 ? err_text(p->status_err) : "");
                set_fix(it, "headroom reads its privileges from /proc/self/status: mount a full procfs at /proc");
                return;
        }
        for (size_t i = 0; i < ELEMENTSOF(caps); i++) {
                bool ok = has_cap(p, caps[i].cap);
                char *l = ok ? has : lacks;
                append(l, sizeof has, "%s%s", l[0] ? ", " : "", caps[i].name);
                if (!ok) {
                        all = false;
                        if (!(p->cap_bnd >> caps[i].cap & 1u))
                                append(not_bounded, sizeof not_bounded, "%s%s", not_bounded[0] ? ", " : "",
                                       caps[i].name);
                        append(lacks_use, sizeof lacks_use, "%s%s (%s)", lacks_use[0] ? "; " : "", caps[i].name,
                               caps[i].use);
                }
        }
        if (!p->cgroup2)
                cg_writable = -1;
        else if (cg_path(p, NULL, "cgroup.procs", rel, sizeof rel) < 0 ||
                 faccessat(p->root_fd, rel, W_OK, AT_EACCESS) < 0)
                cg_writable = 0;
        if (p->have_euid && p->euid == 0)
                set(it, HR_DOCTOR_YES, "root (euid 0)");
        else if (p->have_euid)
                set(it, HR_DOCTOR_YES, "not root (euid %lu)", p->euid);
        else
                set(it, HR_DOCTOR_YES, "euid unknown");
        append(it->detail, sizeof it->detail, ", CapEff %016" PRIx64 ": ", p->cap_eff);
        if (has[0])
                append(it->detail, sizeof it->detail, "has %s%s", has, lacks[0] ? "; " : "");
        if (lacks[0])
                append(it->detail, sizeof it->detail, "lacks %s", lacks);
        if (cg_writable >= 0)
                append(it->detail, sizeof it->detail, "; cgroup2 files %swritable", cg_writable ? "" : "not ");
        if (has_cap(p, CAP_CHECKPOINT_RESTORE))
                append(it->detail, sizeof it->detail, "; also CAP_CHECKPOINT_RESTORE (criu)");
        if (all && cg_writable != 0)
                return;
        it->state = HR_DOCTOR_PARTIAL;
        if (!lacks_use[0])
                (void) snprintf(lacks_use, sizeof lacks_use, "write access to root-owned cgroup files");
        else if (cg_writable == 0)
                append(lacks_use, sizeof lacks_use, "; write access to root-owned cgroup files");
        if (not_bounded[0])
                append(lacks_use, sizeof lacks_use, "; not even in the bounding set: %s (withheld by this container or "
                       "VM, so no unit setting can grant it)", not_bounded);
        set_fix(it, "system mode would lack %s; user mode needs none of them (it acts on its own processes and its "
                "delegated cgroups)", lacks_use);
}

/* ---- probing, printing ---- */

int hr_doctor_probe(const char *root, HrDoctorItem *items, size_t max) {
        HrDoctorItem all[_HR_DOCTOR_FEATURE_MAX];
        _cleanup_free_ Probe *p = NULL;
        size_t n = MIN(max, (size_t) _HR_DOCTOR_FEATURE_MAX);

        if (!root || (!items && max > 0))
                return -EINVAL;
        p = calloc(1, sizeof *p);
        if (!p)
                return -ENOMEM;
        p->real = !*root || strcmp(root, "/") == 0;
        p->kernel_major = p->kernel_minor = -1;
        p->root_fd = open(p->real ? "/" : root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (p->root_fd < 0)
                return -errno;

        read_release(p);
        read_status(p);
        read_mountinfo(p);
        read_own_cgroup(p);
        if (p->cgroup2)
                read_controllers(p);
        else
                p->controllers_err = -ENOENT;
        {
                ssize_t r = read_at(p->root_fd, "proc/swaps", p->swaps, sizeof p->swaps);
                p->swaps_err = r < 0 ? (int) r : 0;
        }

        for (int f = 0; f < _HR_DOCTOR_FEATURE_MAX; f++)
                all[f] = (HrDoctorItem) {
                        .feature = (HrDoctorFeature) f,
                        .name = feature_names[f],
                        .state = HR_DOCTOR_NO,
                        .essential = feature_essential((HrDoctorFeature) f),
                };
        probe_kernel(p, &all[HR_DOCTOR_KERNEL]);
        probe_proc(p, &all[HR_DOCTOR_PROC]);
        probe_psi(p, &all[HR_DOCTOR_PSI]);
        probe_psi_trigger(p, &all[HR_DOCTOR_PSI], &all[HR_DOCTOR_PSI_TRIGGER]);
        probe_cgroup2(p, &all[HR_DOCTOR_CGROUP2]);
        probe_freezer(p, &all[HR_DOCTOR_FREEZER]);
        probe_reclaim(p, &all[HR_DOCTOR_RECLAIM]);
        probe_cgroup_relief(p, &all[HR_DOCTOR_CGROUP_RELIEF]);
        probe_hibernate(p, &all[HR_DOCTOR_HIBERNATE]);
        probe_pidfd(p, &all[HR_DOCTOR_PIDFD]);
        probe_mrelease(p, &all[HR_DOCTOR_MRELEASE]);
        probe_mglru(p, &all[HR_DOCTOR_MGLRU]);
        probe_zram(p, &all[HR_DOCTOR_ZRAM]);
        probe_swap(p, &all[HR_DOCTOR_SWAP]);
        probe_criu(p, &all[HR_DOCTOR_CRIU]);
        probe_privileges(p, &all[HR_DOCTOR_PRIVILEGES]);
        p->root_fd = hr_close(p->root_fd);

        for (size_t i = 0; i < ELEMENTSOF(all); i++) {
                sanitize(all[i].detail);
                sanitize(all[i].fix);
                if (all[i].state == HR_DOCTOR_YES)
                        all[i].fix[0] = '\0';
                else if (!all[i].fix[0])
                        (void) snprintf(all[i].fix, sizeof all[i].fix, "see docs/kernel-interfaces.md");
                if (!all[i].detail[0])
                        (void) snprintf(all[i].detail, sizeof all[i].detail, "nothing seen");
        }
        if (n > 0)
                memcpy(items, all, n * sizeof all[0]);
        return (int) n;
}

bool hr_doctor_essentials_ok(const HrDoctorItem *items, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (items[i].essential && items[i].state == HR_DOCTOR_NO)
                        return false;
        return true;
}

/* A JSON string: quotes, backslashes and control characters escaped; bytes >= 0x7f as \u00XX, so the output is
 * always valid JSON (and ASCII) whatever a file held. */
static void json_string(FILE *out, const char *s) {
        fputc('"', out);
        for (; *s; s++) {
                unsigned char c = (unsigned char) *s;
                if (c == '"' || c == '\\')
                        fprintf(out, "\\%c", c);
                else if (c == '\n')
                        fputs("\\n", out);
                else if (c < 0x20 || c >= 0x7f)
                        fprintf(out, "\\u%04x", c);
                else
                        fputc(c, out);
        }
        fputc('"', out);
}

static void print_json(const HrDoctorItem *items, size_t n, bool ok, FILE *out) {
        fputs("{\"features\":[", out);
        for (size_t i = 0; i < n; i++) {
                fputs(i ? ",{\"name\":" : "{\"name\":", out);
                json_string(out, items[i].name);
                fputs(",\"state\":", out);
                json_string(out, hr_doctor_state_to_string(items[i].state));
                fprintf(out, ",\"essential\":%s,\"detail\":", items[i].essential ? "true" : "false");
                json_string(out, items[i].detail);
                fputs(",\"fix\":", out);
                if (items[i].fix[0])
                        json_string(out, items[i].fix);
                else
                        fputs("null", out);
                fputc('}', out);
        }
        fprintf(out, "],\"essentials_ok\":%s}\n", ok ? "true" : "false");
}

static void print_human(const HrDoctorItem *items, size_t n, bool ok, bool color, FILE *out) {
        static const char *const colors[_HR_DOCTOR_STATE_MAX] = {
                [HR_DOCTOR_YES] = "\033[32m",
                [HR_DOCTOR_PARTIAL] = "\033[33m",
                [HR_DOCTOR_NO] = "\033[31m",
        };
        int name_width = 0, state_width = 0;
        char missing[128] = "";

        for (size_t i = 0; i < n; i++) {
                name_width = MAX(name_width, (int) strlen(items[i].name));
                state_width = MAX(state_width, (int) strlen(hr_doctor_state_to_string(items[i].state)));
        }
        for (size_t i = 0; i < n; i++) {
                const char *state = hr_doctor_state_to_string(items[i].state);
                fprintf(out, "%-*s  %s%s%s%*s  %s\n", name_width, items[i].name, color ? colors[items[i].state] : "",
                        state, color ? "\033[0m" : "", state_width - (int) strlen(state), "", items[i].detail);
                if (items[i].fix[0])
                        fprintf(out, "%*s  fix: %s\n", name_width + 2 + state_width, "", items[i].fix);
                if (items[i].essential && items[i].state == HR_DOCTOR_NO)
                        append(missing, sizeof missing, "%s%s", missing[0] ? ", " : "", items[i].name);
        }
        if (ok)
                fprintf(out, "essential (proc, psi, pidfd): available; headroomd can run here\n");
        else
                fprintf(out, "essential missing: %s; headroomd cannot run here\n", missing);
}

int hr_doctor_run(const char *root, bool json, bool color, FILE *out) {
        HrDoctorItem items[_HR_DOCTOR_FEATURE_MAX];
        int n = hr_doctor_probe(root, items, ELEMENTSOF(items));
        bool ok;

        if (n < 0) {
                fprintf(stderr, "headroomctl doctor: cannot probe %s: %s\n", root && *root ? root : "/", err_text(n));
                return 1;
        }
        ok = hr_doctor_essentials_ok(items, (size_t) n);
        if (json)
                print_json(items, (size_t) n, ok, out);
        else
                print_human(items, (size_t) n, ok, color, out);
        (void) fflush(out);
        return ok ? 0 : 1;
}
