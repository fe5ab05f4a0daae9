/* SPDX-License-Identifier: MIT */
/* Tests of the registry of held processes (daemon/registry.c): put/remove/find, the JSON format round trip
 * through a temp dir, atomic replacement (a failed save leaves the old file and no .tmp), and loading of
 * missing, empty, garbage, truncated (every prefix), wrong-version, bad-entry, duplicate, over-full and huge
 * files. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/registry.h"
#include "shared/macros.h"

/* snprintf() into an array, failing the test on truncation. */
#define XSNPRINTF(buf, ...) assert_true((size_t) snprintf((buf), sizeof(buf), __VA_ARGS__) < sizeof(buf))

static char tmp_root[PATH_MAX - 64];

/* Large: not on the stack. */
static HrRegistry reg_a, reg_b, reg_sentinel;

/* ---- helpers ---- */

static void path_in(char *buf, size_t size, const char *name) {
        assert_true((size_t) snprintf(buf, size, "%s/%s", tmp_root, name) < size);
}

static void write_file(const char *path, const void *data, size_t len) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, data, len), (ssize_t) len);
        assert_int_equal(close(fd), 0);
}

static void write_text(const char *path, const char *text) {
        write_file(path, text, strlen(text));
}

/* The whole file, NUL-terminated; its length in *ret_len. */
static char *read_file(const char *path, size_t *ret_len) {
        FILE *f = fopen(path, "re");
        assert_non_null(f);
        char *buf = malloc(HR_REGISTRY_FILE_MAX + 2);
        assert_non_null(buf);
        size_t n = fread(buf, 1, HR_REGISTRY_FILE_MAX + 1, f);
        assert_int_equal(fclose(f), 0);
        buf[n] = '\0';
        if (ret_len)
                *ret_len = n;
        return buf;
}

static bool exists(const char *path) {
        struct stat st;
        return lstat(path, &st) == 0;
}

static unsigned count_fds(void) {
        unsigned n = 0;
        for (int fd = 0; fd < 1024; fd++)
                if (fcntl(fd, F_GETFD) >= 0)
                        n++;
        return n;
}

static void set_str(char *buf, size_t size, const char *s) {
        assert_true(strlen(s) < size);
        strcpy(buf, s);
}

/* Entry i of a full registry: every state and method, strings up to their limits. */
static HrRegistryEntry make_entry(unsigned i) {
        HrRegistryEntry e = {
                .pid = (pid_t) (100 + i * 7),
                .start_time = 1000000 + (uint64_t) i * 13,
                .state = (HrTrackedState) (i % _HR_TRACKED_STATE_MAX),
                .priority = (int32_t) (i % 101),
                .since_unix_usec = 1732240000000000ULL + i,
        };
        e.method = e.state == HR_TRACKED_FROZEN ? (i % 2 ? HR_FREEZE_CGROUP : HR_FREEZE_SIGSTOP)
                                                : (HrFreezeMethod) (i % _HR_FREEZE_METHOD_MAX);
        (void) snprintf(e.cgroup, sizeof e.cgroup, "/user.slice/app-%u.scope", i);
        (void) snprintf(e.comm, sizeof e.comm, "proc-%u", i);
        (void) snprintf(e.why, sizeof e.why, "HIGH 48.%02u: psi_some 31.00%% (40 pts)", i % 100);
        return e;
}

/* Strings at their limits made of everything JSON must escape and bytes that are not UTF-8. */
static void make_hostile(HrRegistryEntry *e, unsigned i) {
        static const char nasty[] = "\"\\/\n\r\t\b\f\x01\x1f\x7f\xff\xfe) Z \xc3\xa9{}[],:";
        size_t k = i;
        for (size_t j = 0; j + 1 < sizeof e->comm; j++)
                e->comm[j] = nasty[(j + k) % (sizeof nasty - 1)];
        e->comm[sizeof e->comm - 1] = '\0';
        e->cgroup[0] = '/';
        for (size_t j = 1; j + 1 < sizeof e->cgroup; j++)
                e->cgroup[j] = nasty[(j + k) % (sizeof nasty - 1)] == '/' ? 'x' : nasty[(j + k) % (sizeof nasty - 1)];
        e->cgroup[sizeof e->cgroup - 1] = '\0';
        for (size_t j = 0; j + 1 < sizeof e->why; j++)
                e->why[j] = nasty[(j * 3 + k) % (sizeof nasty - 1)];
        e->why[sizeof e->why - 1] = '\0';
}

static void fill_full(HrRegistry *r, bool hostile) {
        memset(r, 0, sizeof *r);
        for (unsigned i = 0; i < HR_TRACKED_MAX; i++) {
                HrRegistryEntry e = make_entry(i);
                if (hostile)
                        make_hostile(&e, i);
                assert_int_equal(hr_registry_put(r, &e), 0);
        }
        assert_int_equal(r->n, HR_TRACKED_MAX);
}

static bool entry_equal(const HrRegistryEntry *a, const HrRegistryEntry *b) {
        return a->pid == b->pid && a->start_time == b->start_time && a->state == b->state && a->method == b->method &&
               strcmp(a->cgroup, b->cgroup) == 0 && strcmp(a->comm, b->comm) == 0 && a->priority == b->priority &&
               a->since_unix_usec == b->since_unix_usec && strcmp(a->why, b->why) == 0;
}

static void assert_registry_equal(const HrRegistry *a, const HrRegistry *b) {
        assert_int_equal(a->n, b->n);
        for (unsigned i = 0; i < a->n; i++)
                if (!entry_equal(&a->e[i], &b->e[i]))
                        fail_msg("entry %u (pid %d) differs", i, (int) a->e[i].pid);
}

/* An output "written only on success" must be byte-for-byte what it was. */
static void poison(HrRegistry *r) {
        memset(r, 0xa5, sizeof *r);
        memcpy(&reg_sentinel, r, sizeof *r);
}

static void assert_untouched(const HrRegistry *r) {
        assert_memory_equal(r, &reg_sentinel, sizeof *r);
}

/* Parses text; returns the result, reason in why. */
static int parse_text(const char *text, HrRegistry *r, unsigned *skipped, char *why, size_t why_size) {
        size_t len = strlen(text);
        char *copy = malloc(len ? len : 1); /* exact size, not NUL-terminated: ASan sees a read past the end */
        assert_non_null(copy);
        memcpy(copy, text, len);
        int k = hr_registry_parse(copy, len, r, skipped, why, why_size);
        free(copy);
        return k;
}

/* ---- string tables, put, remove, find ---- */

static void test_freeze_method_strings(void **state) {
        (void) state;
        for (unsigned i = 0; i < _HR_FREEZE_METHOD_MAX; i++) {
                const char *s = hr_freeze_method_to_string((HrFreezeMethod) i);
                assert_non_null(s);
                assert_int_equal(hr_freeze_method_from_string(s), (int) i);
        }
        assert_string_equal(hr_freeze_method_to_string(HR_FREEZE_NONE), "none");
        assert_string_equal(hr_freeze_method_to_string(HR_FREEZE_CGROUP), "cgroup");
        assert_string_equal(hr_freeze_method_to_string(HR_FREEZE_SIGSTOP), "sigstop");
        assert_null(hr_freeze_method_to_string(_HR_FREEZE_METHOD_MAX));
        assert_null(hr_freeze_method_to_string(_HR_FREEZE_METHOD_INVALID));
        assert_int_equal(hr_freeze_method_from_string("SIGSTOP"), _HR_FREEZE_METHOD_INVALID);
        assert_int_equal(hr_freeze_method_from_string(""), _HR_FREEZE_METHOD_INVALID);
        assert_int_equal(hr_freeze_method_from_string(NULL), _HR_FREEZE_METHOD_INVALID);
}

static void test_put_remove_find(void **state) {
        HrRegistry *r = &reg_a;
        (void) state;

        memset(r, 0, sizeof *r);
        HrRegistryEntry a = make_entry(0), b = make_entry(1), c = make_entry(2);
        assert_null(hr_registry_find(r, a.pid, a.start_time));
        assert_int_equal(hr_registry_put(r, &a), 0);
        assert_int_equal(hr_registry_put(r, &b), 0);
        assert_int_equal(hr_registry_put(r, &c), 0);
        assert_int_equal(r->n, 3);

        /* Same identity: replaced in place. */
        HrRegistryEntry b2 = b;
        b2.state = HR_TRACKED_TERMINATING;
        b2.method = HR_FREEZE_NONE;
        set_str(b2.why, sizeof b2.why, "CRITICAL 70.00: mem_available");
        assert_int_equal(hr_registry_put(r, &b2), 0);
        assert_int_equal(r->n, 3);
        assert_ptr_equal(hr_registry_find(r, b.pid, b.start_time), &r->e[1]);
        assert_true(entry_equal(&r->e[1], &b2));

        /* Same pid, another start time: another process. */
        HrRegistryEntry b3 = b;
        b3.start_time++;
        assert_int_equal(hr_registry_put(r, &b3), 0);
        assert_int_equal(r->n, 4);
        assert_true(entry_equal(hr_registry_find(r, b3.pid, b3.start_time), &b3));
        assert_null(hr_registry_find(r, b.pid, b.start_time + 2));
        assert_null(hr_registry_find(r, b.pid + 1, b.start_time));

        /* Remove keeps the order of the rest. */
        assert_int_equal(hr_registry_remove(r, b.pid, b.start_time), 1);
        assert_int_equal(hr_registry_remove(r, b.pid, b.start_time), 0);
        assert_int_equal(r->n, 3);
        assert_true(entry_equal(&r->e[0], &a));
        assert_true(entry_equal(&r->e[1], &c));
        assert_true(entry_equal(&r->e[2], &b3));
        assert_int_equal(hr_registry_remove(r, b3.pid, b3.start_time), 1);
        assert_int_equal(hr_registry_remove(r, a.pid, a.start_time), 1);
        assert_int_equal(hr_registry_remove(r, c.pid, c.start_time), 1);
        assert_int_equal(r->n, 0);
        assert_int_equal(hr_registry_remove(r, c.pid, c.start_time), 0);
}

static void test_put_full(void **state) {
        HrRegistry *r = &reg_a;
        (void) state;

        fill_full(r, /* hostile= */ false);
        HrRegistryEntry extra = make_entry(HR_TRACKED_MAX);
        assert_int_equal(hr_registry_put(r, &extra), -ENOSPC);
        assert_int_equal(r->n, HR_TRACKED_MAX);
        assert_null(hr_registry_find(r, extra.pid, extra.start_time));

        /* Replacing still works when full. */
        HrRegistryEntry last = make_entry(HR_TRACKED_MAX - 1);
        last.priority = 99;
        assert_int_equal(hr_registry_put(r, &last), 0);
        assert_int_equal(hr_registry_find(r, last.pid, last.start_time)->priority, 99);

        /* Room again after a removal. */
        assert_int_equal(hr_registry_remove(r, last.pid, last.start_time), 1);
        assert_int_equal(hr_registry_put(r, &extra), 0);
        assert_int_equal(r->n, HR_TRACKED_MAX);
}

typedef struct BadPut {
        const char *name;
        void (*spoil)(HrRegistryEntry *e);
} BadPut;

static void spoil_pid1(HrRegistryEntry *e) { e->pid = 1; }
static void spoil_pid_neg(HrRegistryEntry *e) { e->pid = -4; }
static void spoil_start(HrRegistryEntry *e) { e->start_time = 0; }
static void spoil_state(HrRegistryEntry *e) { e->state = _HR_TRACKED_STATE_MAX; }
static void spoil_method(HrRegistryEntry *e) { e->method = (HrFreezeMethod) 7; }
static void spoil_comm(HrRegistryEntry *e) { memset(e->comm, 'c', sizeof e->comm); }
static void spoil_cgroup(HrRegistryEntry *e) { memset(e->cgroup, 'g', sizeof e->cgroup); }
static void spoil_why(HrRegistryEntry *e) { memset(e->why, 'w', sizeof e->why); }
static void spoil_prio(HrRegistryEntry *e) { e->priority = 101; }
static void spoil_prio_neg(HrRegistryEntry *e) { e->priority = -1; }
static void spoil_relative(HrRegistryEntry *e) { set_str(e->cgroup, sizeof e->cgroup, "user.slice"); }
static void spoil_dotdot(HrRegistryEntry *e) { set_str(e->cgroup, sizeof e->cgroup, "/user.slice/../system.slice"); }
static void spoil_dot(HrRegistryEntry *e) { set_str(e->cgroup, sizeof e->cgroup, "/a/./b"); }
static void spoil_frozen_none(HrRegistryEntry *e) {
        e->state = HR_TRACKED_FROZEN;
        e->method = HR_FREEZE_NONE;
}
static void spoil_cgroup_empty(HrRegistryEntry *e) {
        e->method = HR_FREEZE_CGROUP;
        e->cgroup[0] = '\0';
}

static void test_put_invalid(void **state) {
        static const BadPut cases[] = {
                { "pid 1", spoil_pid1 },
                { "negative pid", spoil_pid_neg },
                { "start_time 0", spoil_start },
                { "unknown state", spoil_state },
                { "unknown method", spoil_method },
                { "comm without NUL", spoil_comm },
                { "cgroup without NUL", spoil_cgroup },
                { "why without NUL", spoil_why },
                { "priority 101", spoil_prio },
                { "priority -1", spoil_prio_neg },
                { "relative cgroup", spoil_relative },
                { "cgroup with ..", spoil_dotdot },
                { "cgroup with .", spoil_dot },
                { "frozen without method", spoil_frozen_none },
                { "cgroup freeze without cgroup", spoil_cgroup_empty },
        };
        HrRegistry *r = &reg_a;
        (void) state;

        memset(r, 0, sizeof *r);
        HrRegistryEntry ok = make_entry(1);
        assert_int_equal(hr_registry_put(r, &ok), 0);
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                HrRegistryEntry e = make_entry(2);
                cases[i].spoil(&e);
                if (hr_registry_put(r, &e) != -EINVAL)
                        fail_msg("%s: put accepted it", cases[i].name);
                e = ok; /* and as a replacement of a held one */
                cases[i].spoil(&e);
                if (e.pid == ok.pid && e.start_time == ok.start_time && hr_registry_put(r, &e) != -EINVAL)
                        fail_msg("%s: put replaced with it", cases[i].name);
                assert_int_equal(r->n, 1);
                assert_true(entry_equal(&r->e[0], &ok));
        }

        /* Limits that are fine. */
        HrRegistryEntry e = make_entry(3);
        e.pid = INT32_MAX;
        e.start_time = UINT64_MAX;
        e.priority = 0;
        e.state = HR_TRACKED_TERMINATING;
        e.method = HR_FREEZE_NONE;
        e.cgroup[0] = '\0';
        assert_int_equal(hr_registry_put(r, &e), 0);
        e = make_entry(4);
        e.priority = 100;
        e.method = HR_FREEZE_SIGSTOP;
        e.cgroup[0] = '\0';
        assert_int_equal(hr_registry_put(r, &e), 0);
        e = make_entry(5);
        set_str(e.cgroup, sizeof e.cgroup, "/a..b/.x/...");
        assert_int_equal(hr_registry_put(r, &e), 0);
        e = make_entry(6);
        set_str(e.cgroup, sizeof e.cgroup, "/");
        assert_int_equal(hr_registry_put(r, &e), 0);
}

/* ---- save ---- */

static void test_round_trip_full(void **state) {
        char path[PATH_MAX], tmp[PATH_MAX], why[256];
        unsigned skipped = 99;
        struct stat st;
        (void) state;

        path_in(path, sizeof path, "full.json");
        path_in(tmp, sizeof tmp, "full.json.tmp");
        for (int hostile = 0; hostile <= 1; hostile++) {
                fill_full(&reg_a, hostile);
                assert_int_equal(hr_registry_save(&reg_a, path), 0);
                assert_false(exists(tmp));
                assert_int_equal(stat(path, &st), 0);
                assert_int_equal(st.st_mode & 07777, 0600);
                assert_true(st.st_size < HR_REGISTRY_FILE_MAX / 4); /* far from the cap, even at worst */
                poison(&reg_b);
                assert_int_equal(hr_registry_load(path, &reg_b, &skipped, why, sizeof why), 0);
                assert_string_equal(why, "");
                assert_int_equal(skipped, 0);
                assert_registry_equal(&reg_a, &reg_b);
        }

        /* The file is the documented format, one entry per line. */
        HrRegistry *r = &reg_a;
        memset(r, 0, sizeof *r);
        HrRegistryEntry e = {
                .pid = 4242, .start_time = 889123, .state = HR_TRACKED_FROZEN, .method = HR_FREEZE_CGROUP,
                .cgroup = "/user.slice/app-x.scope", .comm = "a\"b\\c\nd", .priority = 85,
                .since_unix_usec = 1732240000123456ULL, .why = "HIGH 48.10: psi_some",
        };
        assert_int_equal(hr_registry_put(r, &e), 0);
        e.pid = 17;
        e.state = HR_TRACKED_CHECKPOINTED;
        e.method = HR_FREEZE_NONE;
        set_str(e.comm, sizeof e.comm, "\x01\x7f");
        assert_int_equal(hr_registry_put(r, &e), 0);
        assert_int_equal(hr_registry_save(r, path), 0);
        char *text = read_file(path, NULL);
        assert_string_equal(text,
                "{\"version\":1,\"entries\":[\n"
                "{\"pid\":4242,\"start_time\":889123,\"state\":\"frozen\",\"method\":\"cgroup\","
                "\"cgroup\":\"/user.slice/app-x.scope\",\"comm\":\"a\\\"b\\\\c\\nd\",\"priority\":85,"
                "\"since\":1732240000123456,\"why\":\"HIGH 48.10: psi_some\"},\n"
                "{\"pid\":17,\"start_time\":889123,\"state\":\"checkpointed\",\"method\":\"none\","
                "\"cgroup\":\"/user.slice/app-x.scope\",\"comm\":\"\\u0001\\u007f\",\"priority\":85,"
                "\"since\":1732240000123456,\"why\":\"HIGH 48.10: psi_some\"}\n"
                "]}\n");
        free(text);

        /* An empty registry is written too, and replaces a full one. */
        memset(r, 0, sizeof *r);
        assert_int_equal(hr_registry_save(r, path), 0);
        text = read_file(path, NULL);
        assert_string_equal(text, "{\"version\":1,\"entries\":[\n]}\n");
        free(text);
        poison(&reg_b);
        assert_int_equal(hr_registry_load(path, &reg_b, &skipped, NULL, 0), 0);
        assert_int_equal(reg_b.n, 0);
        assert_int_equal(skipped, 0);
}

static void test_save_relative_path(void **state) {
        char cwd[PATH_MAX];
        (void) state;

        assert_non_null(getcwd(cwd, sizeof cwd));
        assert_int_equal(chdir(tmp_root), 0);
        fill_full(&reg_a, /* hostile= */ false);
        assert_int_equal(hr_registry_save(&reg_a, "rel.json"), 0);
        assert_int_equal(hr_registry_load("rel.json", &reg_b, NULL, NULL, 0), 0);
        assert_registry_equal(&reg_a, &reg_b);
        assert_false(exists("rel.json.tmp"));
        assert_int_equal(hr_registry_save(&reg_a, "rel.json/"), -EISDIR);
        assert_int_equal(hr_registry_save(&reg_a, ""), -ENOENT);

        /* A count beyond the array (filled by hand, wrongly): refused, the file kept, no .tmp. */
        reg_a.n = HR_TRACKED_MAX + 1;
        assert_int_equal(hr_registry_save(&reg_a, "rel.json"), -EINVAL);
        assert_false(exists("rel.json.tmp"));
        assert_int_equal(hr_registry_load("rel.json", &reg_b, NULL, NULL, 0), 0);
        assert_int_equal(reg_b.n, HR_TRACKED_MAX);
        assert_int_equal(chdir(cwd), 0);
}

/* A save that fails must leave the previous file byte for byte, and no .tmp it created. */
static void test_save_failures(void **state) {
        char dir[PATH_MAX], path[PATH_MAX], tmp[PATH_MAX], missing[PATH_MAX];
        size_t before_len, after_len;
        (void) state;

        path_in(dir, sizeof dir, "fail");
        assert_int_equal(mkdir(dir, 0700), 0);
        XSNPRINTF(path, "%s/registry.json", dir);
        XSNPRINTF(tmp, "%s/registry.json.tmp", dir);
        memset(&reg_a, 0, sizeof reg_a);
        HrRegistryEntry e = make_entry(7);
        assert_int_equal(hr_registry_put(&reg_a, &e), 0);
        assert_int_equal(hr_registry_save(&reg_a, path), 0);
        char *before = read_file(path, &before_len);
        fill_full(&reg_b, /* hostile= */ true); /* what the failing saves try to write */
        unsigned fds = count_fds();

        /* 1. The .tmp name is taken by a directory: open fails, and what is there is not ours to remove. */
        assert_int_equal(mkdir(tmp, 0700), 0);
        assert_int_equal(hr_registry_save(&reg_b, path), -EISDIR);
        assert_true(exists(tmp));
        assert_int_equal(rmdir(tmp), 0);
        char *after = read_file(path, &after_len);
        assert_int_equal(after_len, before_len);
        assert_memory_equal(after, before, before_len);
        free(after);

        /* 2. Writing fails midway (file size limit): the partial .tmp is removed. */
        struct rlimit old_lim, lim;
        assert_int_equal(getrlimit(RLIMIT_FSIZE, &old_lim), 0);
        lim = old_lim;
        lim.rlim_cur = 1000;
        void (*old_sig)(int) = signal(SIGXFSZ, SIG_IGN);
        assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
        int k = hr_registry_save(&reg_b, path);
        assert_int_equal(setrlimit(RLIMIT_FSIZE, &old_lim), 0);
        (void) signal(SIGXFSZ, old_sig);
        assert_int_equal(k, -EFBIG);
        assert_false(exists(tmp));
        after = read_file(path, &after_len);
        assert_int_equal(after_len, before_len);
        assert_memory_equal(after, before, before_len);
        free(after);

        /* 3. The rename fails (a directory where the file should go): no .tmp left. */
        char dpath[PATH_MAX], dtmp[PATH_MAX], inner[PATH_MAX];
        XSNPRINTF(dpath, "%s/isdir", dir);
        XSNPRINTF(dtmp, "%s/isdir.tmp", dir);
        XSNPRINTF(inner, "%s/isdir/keep", dir);
        assert_int_equal(mkdir(dpath, 0700), 0);
        write_text(inner, "x");
        k = hr_registry_save(&reg_b, dpath);
        assert_true(k == -EISDIR || k == -ENOTEMPTY || k == -EEXIST);
        assert_false(exists(dtmp));
        assert_true(exists(inner));

        /* 4. No such directory. */
        XSNPRINTF(missing, "%s/no-such-dir/registry.json", dir);
        assert_int_equal(hr_registry_save(&reg_b, missing), -ENOENT);

        /* 5. A symlink planted at .tmp is not written through. */
        char victim[PATH_MAX];
        XSNPRINTF(victim, "%s/victim", dir);
        write_text(victim, "precious");
        assert_int_equal(symlink(victim, tmp), 0);
        assert_int_equal(hr_registry_save(&reg_b, path), -ELOOP);
        after = read_file(victim, NULL);
        assert_string_equal(after, "precious");
        free(after);
        assert_int_equal(unlink(tmp), 0);

        /* 6. A read-only directory (root writes anyway: only checked as an ordinary user). */
        assert_int_equal(chmod(dir, 0500), 0);
        k = hr_registry_save(&reg_b, path);
        assert_int_equal(chmod(dir, 0700), 0);
        if (geteuid() != 0)
                assert_int_equal(k, -EACCES);
        else
                assert_int_equal(k, 0); /* and it did replace the file: put the old content back */
        assert_false(exists(tmp));
        if (k == 0)
                assert_int_equal(hr_registry_save(&reg_a, path), 0);

        after = read_file(path, &after_len);
        assert_int_equal(after_len, before_len);
        assert_memory_equal(after, before, before_len);
        free(after);
        free(before);

        /* Too long a name for the .tmp. */
        char longname[PATH_MAX];
        int n = snprintf(longname, sizeof longname, "%s/", dir);
        assert_true(n > 0);
        memset(longname + n, 'n', NAME_MAX - 2);
        longname[n + NAME_MAX - 2] = '\0';
        assert_int_equal(hr_registry_save(&reg_a, longname), -ENAMETOOLONG);

        assert_int_equal(count_fds(), fds);
}

/* ---- load ---- */

static void test_load_missing(void **state) {
        char path[PATH_MAX], why[64] = "stale";
        unsigned skipped = 7;
        (void) state;

        path_in(path, sizeof path, "never-written.json");
        poison(&reg_a);
        assert_int_equal(hr_registry_load(path, &reg_a, &skipped, why, sizeof why), 0);
        assert_int_equal(reg_a.n, 0);
        assert_int_equal(skipped, 0);
        assert_string_equal(why, "");
        assert_int_equal(hr_registry_load(path, &reg_a, NULL, NULL, 0), 0);
}

static void test_load_unreadable(void **state) {
        char path[PATH_MAX], why[128];
        (void) state;

        /* A directory. */
        path_in(path, sizeof path, "a-dir.json");
        assert_int_equal(mkdir(path, 0700), 0);
        poison(&reg_a);
        assert_int_equal(hr_registry_load(path, &reg_a, NULL, why, sizeof why), -EISDIR);
        assert_untouched(&reg_a);

        /* A FIFO: refused, without waiting for a writer. */
        path_in(path, sizeof path, "a-fifo.json");
        assert_int_equal(mkfifo(path, 0600), 0);
        assert_int_equal(hr_registry_load(path, &reg_a, NULL, why, sizeof why), -EBADMSG);
        assert_string_equal(why, "not a regular file");
        assert_untouched(&reg_a);

        /* No permission (only as an ordinary user: root reads anyway). */
        path_in(path, sizeof path, "no-perm.json");
        write_text(path, "{\"version\":1,\"entries\":[]}");
        assert_int_equal(chmod(path, 0), 0);
        int k = hr_registry_load(path, &reg_a, NULL, why, sizeof why);
        if (geteuid() != 0) {
                assert_int_equal(k, -EACCES);
                assert_untouched(&reg_a);
        } else
                assert_int_equal(k, 0);
}

typedef struct BadFile {
        const char *name;
        const char *text;
        const char *why;
} BadFile;

static void test_load_malformed(void **state) {
        static const BadFile cases[] = {
                { "empty", "", "not JSON: unexpected end of data" },
                { "blank", " \n\t\n", "not JSON: unexpected end of data" },
                { "garbage", "hello, world", "not JSON: " },
                { "binary", "\x7f" "ELF\x02\x01\x01", "not JSON: " },
                { "unterminated", "{\"version\":1,\"entries\":[", "not JSON: unexpected end of data" },
                { "trailing comma", "{\"version\":1,\"entries\":[],}", "not JSON: " },
                { "two objects", "{\"version\":1,\"entries\":[]}{\"version\":1,\"entries\":[]}", "not JSON: " },
                { "data after", "{\"version\":1,\"entries\":[]}\nx", "not JSON: " },
                { "NUL after", "{\"version\":1,\"entries\":[]}\n\0\n", "not JSON: " },
                { "deep nesting", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
                  "not JSON: " },
                { "null", "null", "not a JSON object" },
                { "array", "[]", "not a JSON object" },
                { "string", "\"version\"", "not a JSON object" },
                { "number", "1\n", "not a JSON object" },
                { "number at the end", "1", "not a JSON object" },
                { "float", "1.5", "not a JSON object" },
                { "unterminated string", "\"abc", "not JSON: unexpected end of data" },
                { "cut literal", "tru", "not JSON: unexpected end of data" },
                { "no version", "{\"entries\":[]}", "no \"version\"" },
                { "version string", "{\"version\":\"1\",\"entries\":[]}", "\"version\" is not an integer" },
                { "version float", "{\"version\":1.0,\"entries\":[]}", "\"version\" is not an integer" },
                { "version 2", "{\"version\":2,\"entries\":[]}", "version 2 not supported" },
                { "version 0", "{\"version\":0,\"entries\":[]}", "version 0 not supported" },
                { "version -1", "{\"version\":-1,\"entries\":[]}", "version -1 not supported" },
                { "no entries", "{\"version\":1}", "no \"entries\" array" },
                { "entries object", "{\"version\":1,\"entries\":{}}", "no \"entries\" array" },
                { "entries null", "{\"version\":1,\"entries\":null}", "no \"entries\" array" },
        };
        char path[PATH_MAX], why[128];
        (void) state;

        path_in(path, sizeof path, "malformed.json");
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                size_t len = strcmp(cases[i].name, "NUL after") == 0 ? 30 : strlen(cases[i].text);
                unsigned skipped = 77;
                write_file(path, cases[i].text, len);
                poison(&reg_a);
                memset(why, 0, sizeof why);
                int k = hr_registry_load(path, &reg_a, &skipped, why, sizeof why);
                if (k != -EBADMSG)
                        fail_msg("%s: got %d, want -EBADMSG", cases[i].name, k);
                if (strncmp(why, cases[i].why, strlen(cases[i].why)) != 0 || strchr(why, '\n'))
                        fail_msg("%s: why \"%s\", want \"%s...\"", cases[i].name, why, cases[i].why);
                if (strlen(why) <= strlen("not JSON: ") && strcmp(why, cases[i].why) != 0)
                        fail_msg("%s: why \"%s\" says nothing", cases[i].name, why);
                assert_untouched(&reg_a);
                assert_int_equal(skipped, 77);
        }

        /* A why too small for the reason is cut, still terminated; no why at all is fine. */
        char small[8];
        write_text(path, "{\"version\":2,\"entries\":[]}");
        assert_int_equal(hr_registry_load(path, &reg_a, NULL, small, sizeof small), -EBADMSG);
        assert_string_equal(small, "version");
        assert_int_equal(hr_registry_load(path, &reg_a, NULL, NULL, 0), -EBADMSG);

        /* Unknown keys are tolerated, at the top and in entries. */
        write_text(path, "{\"version\":1,\"written_by\":\"headroomd 2\",\"entries\":[{\"pid\":5,\"start_time\":9,"
                         "\"state\":\"frozen\",\"method\":\"sigstop\",\"cgroup\":\"\",\"comm\":\"x\",\"priority\":90,"
                         "\"since\":0,\"why\":\"\",\"rss_kib\":12345,\"extra\":{\"a\":[1,2]}}]}");
        unsigned skipped = 9;
        assert_int_equal(hr_registry_load(path, &reg_a, &skipped, why, sizeof why), 0);
        assert_int_equal(reg_a.n, 1);
        assert_int_equal(skipped, 0);
        assert_int_equal(reg_a.e[0].pid, 5);
        assert_int_equal(reg_a.e[0].method, HR_FREEZE_SIGSTOP);
}

/* Every prefix of a valid file, through parse and through load: an error that says why, or a consistent
 * subset of the entries; never a crash (ASan checks the reads). */
static void test_load_every_prefix(void **state) {
        char path[PATH_MAX], cut[PATH_MAX], why[128];
        size_t len;
        unsigned errors = 0, oks = 0;
        (void) state;

        memset(&reg_a, 0, sizeof reg_a);
        for (unsigned i = 0; i < 6; i++) {
                HrRegistryEntry e = make_entry(i);
                if (i == 4)
                        make_hostile(&e, i);
                assert_int_equal(hr_registry_put(&reg_a, &e), 0);
        }
        path_in(path, sizeof path, "prefix.json");
        path_in(cut, sizeof cut, "prefix-cut.json");
        assert_int_equal(hr_registry_save(&reg_a, path), 0);
        char *text = read_file(path, &len);

        for (size_t n = 0; n <= len; n++) {
                for (int via_file = 0; via_file <= 1; via_file++) {
                        unsigned skipped = 12345;
                        int k;
                        poison(&reg_b);
                        if (via_file) {
                                write_file(cut, text, n);
                                k = hr_registry_load(cut, &reg_b, &skipped, why, sizeof why);
                        } else {
                                char *copy = malloc(n ? n : 1);
                                assert_non_null(copy);
                                memcpy(copy, text, n);
                                k = hr_registry_parse(copy, n, &reg_b, &skipped, why, sizeof why);
                                free(copy);
                        }
                        if (k < 0) {
                                if (k != -EBADMSG || !why[0])
                                        fail_msg("prefix %zu: %d \"%s\"", n, k, why);
                                assert_untouched(&reg_b);
                                assert_int_equal(skipped, 12345);
                                errors++;
                                continue;
                        }
                        /* Consistent: each loaded entry is one of the originals, whole. */
                        oks++;
                        assert_true(reg_b.n + skipped <= reg_a.n);
                        for (unsigned i = 0; i < reg_b.n; i++) {
                                const HrRegistryEntry *o = hr_registry_find(&reg_a, reg_b.e[i].pid, reg_b.e[i].start_time);
                                if (!o || !entry_equal(o, &reg_b.e[i]))
                                        fail_msg("prefix %zu: entry %u is not an original", n, i);
                        }
                }
        }
        /* The whole file, and the whole file but its final newline. */
        assert_int_equal(oks, 4);
        assert_int_equal(errors, 2 * (len + 1) - 4);
        assert_int_equal(hr_registry_parse(text, len, &reg_b, NULL, NULL, 0), 0);
        assert_registry_equal(&reg_a, &reg_b);
        free(text);
}

/* One entry as JSON, from raw JSON values per field: NULL takes the default, OMIT leaves the key out. */
#define OMIT ((const char *) 1)
typedef struct EntryJson {
        const char *name;
        const char *pid, *start_time, *state, *method, *cgroup, *comm, *priority, *since, *why;
        const char *raw; /* instead of an object */
} EntryJson;

static void append(char *buf, size_t size, const char *fmt, ...) _printf_(3, 4);
static void append(char *buf, size_t size, const char *fmt, ...) {
        size_t n = strlen(buf);
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(buf + n, size - n, fmt, ap);
        va_end(ap);
        assert_true(k >= 0 && (size_t) k < size - n);
}

static void entry_json(char *buf, size_t size, const EntryJson *j, const char *def_pid) {
        if (j->raw) {
                append(buf, size, "%s", j->raw);
                return;
        }
        const char *keys[] = { "pid", "start_time", "state", "method", "cgroup", "comm", "priority", "since", "why" };
        const char *vals[] = { j->pid ? j->pid : def_pid,
                               j->start_time ? j->start_time : "77",
                               j->state ? j->state : "\"frozen\"",
                               j->method ? j->method : "\"cgroup\"",
                               j->cgroup ? j->cgroup : "\"/app.slice/x.scope\"",
                               j->comm ? j->comm : "\"x\"",
                               j->priority ? j->priority : "85",
                               j->since ? j->since : "1732240000000000",
                               j->why ? j->why : "\"ELEVATED\"" };
        bool first = true;
        append(buf, size, "{");
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
                if (vals[i] == OMIT)
                        continue;
                append(buf, size, "%s\"%s\":%s", first ? "" : ",", keys[i], vals[i]);
                first = false;
        }
        append(buf, size, "}");
}

static void test_load_bad_entries(void **state) {
        static const EntryJson bad[] = {
                { "pid 1", .pid = "1" },
                { "pid 0", .pid = "0" },
                { "pid negative", .pid = "-5" },
                { "pid too large", .pid = "2147483648" },
                { "pid string", .pid = "\"102\"" },
                { "pid float", .pid = "102.0" },
                { "pid missing", .pid = OMIT },
                { "start_time 0", .start_time = "0" },
                { "start_time negative", .start_time = "-1" },
                { "start_time bool", .start_time = "true" },
                { "start_time missing", .start_time = OMIT },
                { "state unknown", .state = "\"thawed\"" },
                { "state upper", .state = "\"FROZEN\"" },
                { "state number", .state = "0" },
                { "state long", .state = "\"frozenfrozenfrozenfrozen\"" },
                { "state missing", .state = OMIT },
                { "method unknown", .method = "\"freezer\"" },
                { "method null", .method = "null" },
                { "method missing", .method = OMIT },
                { "cgroup relative", .cgroup = "\"app.slice\"" },
                { "cgroup dotdot", .cgroup = "\"/app.slice/../../etc\"" },
                { "cgroup dotdot end", .cgroup = "\"/app.slice/..\"" },
                { "cgroup with NUL", .cgroup = "\"/a\\u0000b\"" },
                { "cgroup number", .cgroup = "5" },
                { "cgroup missing", .cgroup = OMIT },
                { "cgroup freeze, no cgroup", .cgroup = "\"\"" },
                { "frozen, method none", .method = "\"none\"" },
                { "comm 16 bytes", .comm = "\"0123456789abcdef\"" },
                { "comm 16 bytes escaped", .comm = "\"\\u00010123456789abcde\"" },
                { "comm with NUL", .comm = "\"a\\u0000\"" },
                { "comm missing", .comm = OMIT },
                { "priority 101", .priority = "101" },
                { "priority -1", .priority = "-1" },
                { "priority string", .priority = "\"85\"" },
                { "priority missing", .priority = OMIT },
                { "since negative", .since = "-1" },
                { "since float", .since = "1.5e15" },
                { "since missing", .since = OMIT },
                { "why object", .why = "{}" },
                { "why missing", .why = OMIT },
                { "number", .raw = "42" },
                { "string", .raw = "\"entry\"" },
                { "null", .raw = "null" },
                { "array", .raw = "[102, 77]" },
                { "empty object", .raw = "{}" },
        };
        static const EntryJson good[] = {
                { "sigstop, no cgroup", .method = "\"sigstop\"", .cgroup = "\"\"" },
                { "terminating, none", .state = "\"terminating\"", .method = "\"none\"" },
                { "checkpointed, cgroup", .state = "\"checkpointed\"" },
                { "pid max", .pid = "2147483647" },
                { "start_time max", .start_time = "18446744073709551615" },
                { "priority 0", .priority = "0" },
                { "priority 100", .priority = "100" },
                { "since 0", .since = "0" },
                { "comm 15 bytes", .comm = "\"0123456789abcde\"" },
                { "comm escapes", .comm = "\"\\n\\t\\\"\\\\\\u0001\\u007f\\/\"" },
                { "comm not UTF-8", .comm = "\"\xff\xfe\"" },
                { "comm unicode escape", .comm = "\"\\u00e9t\\u00e9\"" },
                { "cgroup root", .cgroup = "\"/\"" },
                { "cgroup dots in names", .cgroup = "\"/a..b/...\"" },
                { "why empty", .why = "\"\"" },
                { "keys reordered", .raw = "{\"why\":\"w\",\"since\":1,\"priority\":1,\"comm\":\"c\",\"cgroup\":\"/c\","
                                           "\"method\":\"cgroup\",\"state\":\"frozen\",\"start_time\":77,\"pid\":102}" },
        };
        static char text[1 << 16];
        char path[PATH_MAX], why[128];
        (void) state;

        path_in(path, sizeof path, "entries.json");

        /* Each bad entry between two good ones: it alone is skipped and counted. */
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                unsigned skipped = 0;
                text[0] = '\0';
                append(text, sizeof text, "{\"version\":1,\"entries\":[");
                entry_json(text, sizeof text, &(EntryJson) {}, "100");
                append(text, sizeof text, ",");
                entry_json(text, sizeof text, &bad[i], "102");
                append(text, sizeof text, ",");
                entry_json(text, sizeof text, &(EntryJson) {}, "101");
                append(text, sizeof text, "]}\n");
                write_text(path, text);
                int k = hr_registry_load(path, &reg_a, &skipped, why, sizeof why);
                if (k != 0 || reg_a.n != 2 || skipped != 1 || reg_a.e[0].pid != 100 || reg_a.e[1].pid != 101)
                        fail_msg("%s: %d \"%s\", n %u, skipped %u: %s", bad[i].name, k, why, reg_a.n, skipped, text);
        }

        /* Each good edge case loads. */
        for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
                unsigned skipped = 9;
                text[0] = '\0';
                append(text, sizeof text, "{\"version\":1,\"entries\":[");
                entry_json(text, sizeof text, &good[i], "102");
                append(text, sizeof text, "]}");
                write_text(path, text);
                int k = hr_registry_load(path, &reg_a, &skipped, why, sizeof why);
                if (k != 0 || reg_a.n != 1 || skipped != 0)
                        fail_msg("%s: %d \"%s\", n %u, skipped %u: %s", good[i].name, k, why, reg_a.n, skipped, text);
                /* and saves back to something that loads equal */
                char again[PATH_MAX];
                path_in(again, sizeof again, "entries-again.json");
                assert_int_equal(hr_registry_save(&reg_a, again), 0);
                assert_int_equal(hr_registry_load(again, &reg_b, &skipped, why, sizeof why), 0);
                assert_int_equal(skipped, 0);
                assert_registry_equal(&reg_a, &reg_b);
        }
        const HrRegistryEntry *e;
        text[0] = '\0';
        append(text, sizeof text, "{\"version\":1,\"entries\":[");
        entry_json(text, sizeof text, &good[9], "102");
        append(text, sizeof text, "]}");
        assert_int_equal(parse_text(text, &reg_a, NULL, NULL, 0), 0);
        e = &reg_a.e[0];
        assert_string_equal(e->comm, "\n\t\"\\\x01\x7f/");
        assert_string_equal(e->cgroup, "/app.slice/x.scope");
        assert_int_equal(e->start_time, 77);
        assert_int_equal(e->since_unix_usec, 1732240000000000ULL);

        /* All the bad ones in one file with all the good ones: every bad one counted, every good one kept. */
        text[0] = '\0';
        append(text, sizeof text, "{\"version\":1,\"entries\":[");
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                entry_json(text, sizeof text, &bad[i], "102");
                append(text, sizeof text, ",");
        }
        for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
                char pid[16];
                XSNPRINTF(pid, "%zu", 1000 + i);
                if (!good[i].raw && !good[i].pid)
                        entry_json(text, sizeof text, &good[i], pid);
                else
                        entry_json(text, sizeof text, &(EntryJson) { .pid = OMIT }, pid); /* one more bad */
                append(text, sizeof text, i + 1 < sizeof good / sizeof good[0] ? "," : "");
        }
        append(text, sizeof text, "]}");
        unsigned skipped = 0;
        assert_int_equal(parse_text(text, &reg_a, &skipped, why, sizeof why), 0);
        assert_int_equal(skipped, sizeof bad / sizeof bad[0] + 2);
        assert_int_equal(reg_a.n, sizeof good / sizeof good[0] - 2);
}

static void test_load_overlong_strings(void **state) {
        static char text[8192];
        char path[PATH_MAX], why[128], s[512];
        static const struct {
                const char *key;
                size_t max; /* the longest that fits */
        } fields[] = {
                { "cgroup", HR_ACTION_CGROUP_MAX - 1 },
                { "comm", HR_COMM_MAX - 1 },
                { "why", HR_ACTION_WHY_MAX - 1 },
        };
        (void) state;

        path_in(path, sizeof path, "long.json");
        for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++)
                for (size_t len = fields[f].max - 1; len <= fields[f].max + 2; len++) {
                        unsigned skipped = 0;
                        s[0] = '"';
                        s[1] = '/';
                        memset(s + 2, 'a', len - 1);
                        s[len + 1] = '"';
                        s[len + 2] = '\0';
                        text[0] = '\0';
                        append(text, sizeof text, "{\"version\":1,\"entries\":[");
                        EntryJson j = {};
                        if (strcmp(fields[f].key, "cgroup") == 0)
                                j.cgroup = s;
                        else if (strcmp(fields[f].key, "comm") == 0)
                                j.comm = s;
                        else
                                j.why = s;
                        entry_json(text, sizeof text, &j, "102");
                        append(text, sizeof text, ",");
                        entry_json(text, sizeof text, &(EntryJson) {}, "103");
                        append(text, sizeof text, "]}");
                        write_text(path, text);
                        assert_int_equal(hr_registry_load(path, &reg_a, &skipped, why, sizeof why), 0);
                        bool fits = len <= fields[f].max;
                        if (reg_a.n != (fits ? 2u : 1u) || skipped != (fits ? 0u : 1u))
                                fail_msg("%s of %zu bytes: n %u skipped %u", fields[f].key, len, reg_a.n, skipped);
                        if (fits && strcmp(fields[f].key, "comm") == 0)
                                assert_int_equal(strlen(reg_a.e[0].comm), len);
                }
}

static void test_load_duplicates(void **state) {
        char path[PATH_MAX], why[128];
        unsigned skipped = 0;
        (void) state;

        path_in(path, sizeof path, "dups.json");
        static char text[4096];
        text[0] = '\0';
        append(text, sizeof text, "{\"version\":1,\"entries\":[");
        entry_json(text, sizeof text, &(EntryJson) { .why = "\"first\"" }, "200");
        append(text, sizeof text, ",");
        entry_json(text, sizeof text, &(EntryJson) { .start_time = "78" }, "200"); /* another process */
        append(text, sizeof text, ",");
        entry_json(text, sizeof text, &(EntryJson) {}, "201");
        append(text, sizeof text, ",");
        entry_json(text, sizeof text, &(EntryJson) { .why = "\"last\"", .state = "\"terminating\"" }, "200");
        append(text, sizeof text, ",");
        entry_json(text, sizeof text, &(EntryJson) { .why = "\"bad dup\"", .priority = "500" }, "200");
        append(text, sizeof text, "]}");
        write_text(path, text);
        assert_int_equal(hr_registry_load(path, &reg_a, &skipped, why, sizeof why), 0);
        assert_int_equal(reg_a.n, 3);
        assert_int_equal(skipped, 2); /* the replaced duplicate and the invalid one */
        const HrRegistryEntry *e = hr_registry_find(&reg_a, 200, 77);
        assert_non_null(e);
        assert_string_equal(e->why, "last");
        assert_int_equal(e->state, HR_TRACKED_TERMINATING);
        assert_non_null(hr_registry_find(&reg_a, 200, 78));
        assert_non_null(hr_registry_find(&reg_a, 201, 77));
}

static void test_load_over_capacity(void **state) {
        static char text[1 << 18];
        char path[PATH_MAX], why[128];
        unsigned skipped = 0;
        (void) state;

        path_in(path, sizeof path, "over.json");
        text[0] = '\0';
        append(text, sizeof text, "{\"version\":1,\"entries\":[");
        for (unsigned i = 0; i < HR_TRACKED_MAX + 10; i++) {
                char pid[16];
                XSNPRINTF(pid, "%u", 1000 + i);
                entry_json(text, sizeof text, &(EntryJson) {}, pid);
                append(text, sizeof text, ",");
        }
        /* A duplicate of a kept one after the cap still replaces it. */
        entry_json(text, sizeof text, &(EntryJson) { .why = "\"late\"" }, "1000");
        append(text, sizeof text, "]}");
        write_text(path, text);
        assert_int_equal(hr_registry_load(path, &reg_a, &skipped, why, sizeof why), 0);
        assert_int_equal(reg_a.n, HR_TRACKED_MAX);
        assert_int_equal(skipped, 11);
        for (unsigned i = 0; i < HR_TRACKED_MAX; i++)
                assert_int_equal(reg_a.e[i].pid, 1000 + i);
        assert_string_equal(reg_a.e[0].why, "late");
}

static void test_load_huge(void **state) {
        char path[PATH_MAX], why[128];
        static const char head[] = "{\"version\":1,\"entries\":[]}";
        (void) state;

        path_in(path, sizeof path, "huge.json");
        char *buf = malloc(HR_REGISTRY_FILE_MAX + 1);
        assert_non_null(buf);
        memset(buf, ' ', HR_REGISTRY_FILE_MAX + 1);
        memcpy(buf, head, strlen(head));

        /* Exactly the cap loads. */
        write_file(path, buf, HR_REGISTRY_FILE_MAX);
        assert_int_equal(hr_registry_load(path, &reg_a, NULL, why, sizeof why), 0);
        assert_int_equal(reg_a.n, 0);

        /* One byte more does not, whether read or handed to the parser. */
        write_file(path, buf, HR_REGISTRY_FILE_MAX + 1);
        poison(&reg_a);
        assert_int_equal(hr_registry_load(path, &reg_a, NULL, why, sizeof why), -EFBIG);
        assert_string_equal(why, "larger than 4 MiB");
        assert_untouched(&reg_a);
        assert_int_equal(hr_registry_parse(buf, HR_REGISTRY_FILE_MAX + 1, &reg_a, NULL, why, sizeof why), -EFBIG);
        assert_untouched(&reg_a);
        free(buf);

        /* A sparse file far larger than memory would allow. */
        int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(ftruncate(fd, (off_t) 1 << 40), 0);
        assert_int_equal(close(fd), 0);
        assert_int_equal(hr_registry_load(path, &reg_a, NULL, why, sizeof why), -EFBIG);
        assert_untouched(&reg_a);
}

/* ---- fixture ---- */

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st;
        (void) flag;
        (void) ftw;
        return remove(p);
}

static int setup_tmp(void **state) {
        (void) state;
        XSNPRINTF(tmp_root, "%s/hr-test-registry-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        return mkdtemp(tmp_root) ? 0 : -1;
}

static int teardown_tmp(void **state) {
        (void) state;
        return nftw(tmp_root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_freeze_method_strings),
                cmocka_unit_test(test_put_remove_find),
                cmocka_unit_test(test_put_full),
                cmocka_unit_test(test_put_invalid),
                cmocka_unit_test(test_round_trip_full),
                cmocka_unit_test(test_save_relative_path),
                cmocka_unit_test(test_save_failures),
                cmocka_unit_test(test_load_missing),
                cmocka_unit_test(test_load_unreadable),
                cmocka_unit_test(test_load_malformed),
                cmocka_unit_test(test_load_every_prefix),
                cmocka_unit_test(test_load_bad_entries),
                cmocka_unit_test(test_load_overlong_strings),
                cmocka_unit_test(test_load_duplicates),
                cmocka_unit_test(test_load_over_capacity),
                cmocka_unit_test(test_load_huge),
        };
        return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
