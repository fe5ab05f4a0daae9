/* SPDX-License-Identifier: MIT */
/* System mode's capability drop on the real kernel (daemon/caps.c): a running headroomd (--dry-run, scoped to a cgroup
 * the test creates, temp runtime and state directories) shows the reduced CapEff/CapPrm/CapBnd in /proc/PID/status,
 * still answers over its socket and re-arms its triggers on SIGHUP (in a cgroup another user owns: CAP_DAC_OVERRIDE);
 * with checkpointing on it keeps criu's capabilities in its permitted set only; helpers it starts get none, while
 * criu is lent them; without CAP_SYS_ADMIN nothing is kept for criu and the reason is given. Needs root; skips with
 * the reason otherwise. */
#include <errno.h>
#include <grp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include <cmocka.h>

#include "daemon/caps.h"
#include "daemon/checkpoint.h"
#include "daemon/child.h"
#include "daemon/loop.h"
#include "itest.h"
#include "shared/clock.h"

/* The documented set (docs/privileges.md): CAP_DAC_OVERRIDE 1, CAP_KILL 5, CAP_IPC_LOCK 14, CAP_SYS_PTRACE 19,
 * CAP_SYS_NICE 23, CAP_SYS_RESOURCE 24. Written out here, not taken from caps.c: a change to the set must change this
 * test too. */
#define DAEMON_SET ((1ULL << 1) | (1ULL << 5) | (1ULL << 14) | (1ULL << 19) | (1ULL << 23) | (1ULL << 24))
#define CAP_SYS_ADMIN_BIT (1ULL << 21)

static struct {
        ItestCgroup cg;
        char dir[256], sock[300], conf[300];
        pid_t daemon, victim; /* victim: test_criu_lent's loop, a session of its own (restored: not our child) */
        ItestLog log;
} env = { .log.fd = -1 };

/* "CapEff:\t0000000000084022" of /proc/PID/status (pid 0: ours) as a number; false when absent. */
static bool status_field(pid_t pid, const char *key, uint64_t *ret) {
        char path[64], buf[8192], needle[32];
        if (pid)
                snprintf(path, sizeof path, "/proc/%d/status", (int) pid);
        else
                snprintf(path, sizeof path, "/proc/self/status");
        snprintf(needle, sizeof needle, "\n%s:", key);
        if (itest_read(path, buf, sizeof buf) < 0)
                return false;
        const char *p = strstr(buf, needle);
        if (!p)
                return false;
        *ret = strtoull(p + strlen(needle), NULL, strcmp(key, "NoNewPrivs") == 0 ? 10 : 16);
        return true;
}

static uint64_t field(pid_t pid, const char *key) {
        uint64_t v = 0;
        assert_true(status_field(pid, key, &v));
        return v;
}

/* The same field in text: "CapEff:\t0000000000084022" from a helper's output. */
static uint64_t text_field(const char *text, const char *key) {
        char needle[32];
        snprintf(needle, sizeof needle, "%s:", key);
        const char *p = strstr(text, needle);
        if (!p)
                fprintf(stderr, "no %s in:\n%s\n", key, text);
        assert_non_null(p);
        return strtoull(p + strlen(needle), NULL, strcmp(key, "NoNewPrivs") == 0 ? 10 : 16);
}

static bool ping(void) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        char reply[512] = "";
        bool ok = false;
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        memcpy(sa.sun_path, env.sock, strlen(env.sock) + 1);
        if (fd >= 0 && connect(fd, (struct sockaddr *) &sa, sizeof sa) == 0 &&
            send(fd, "{\"cmd\":\"ping\"}\n", 15, MSG_NOSIGNAL) == 15) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                if (poll(&p, 1, 5000) > 0 && recv(fd, reply, sizeof reply - 1, 0) > 0)
                        ok = strstr(reply, "\"ok\":true") != NULL;
        }
        if (fd >= 0)
                close(fd);
        return ok;
}

static void start_daemon(const char *config_text) {
        assert_int_equal(itest_write(env.conf, "%s", config_text), 0);
        const char *args[] = { "--dry-run", "--no-mlock", "--scope", env.cg.v2, "--config", env.conf, "--socket",
                               env.sock, "--runtime-dir", env.dir, "--state-dir", env.dir, NULL };
        env.daemon = itest_spawn_daemon(&env.log, args);
        assert_true(env.daemon > 0);
        double end = itest_now() + 10;
        while (itest_now() < end && !ping())
                itest_sleep_ms(50);
        bool up = ping();
        if (!up) {
                (void) itest_log_wait(&env.log, "\n", 1000, 0.5);
                fprintf(stderr, "headroomd log:\n%s\n", env.log.buf);
        }
        assert_true(up);
        (void) itest_log_wait(&env.log, "Started", 1, 5);
}

static void stop_daemon(void) {
        int status = 0;
        assert_int_equal(kill(env.daemon, SIGTERM), 0);
        assert_int_equal(waitpid(env.daemon, &status, 0), env.daemon);
        env.daemon = 0;
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static int setup(void **state) {
        char name[64], path[700];
        (void) state;
        if (geteuid() != 0)
                ITEST_SKIP("needs root: system mode drops capabilities only as root");
        snprintf(name, sizeof name, "hr-captest-%d", (int) getpid());
        const char *why = itest_cgroup_make(&env.cg, name, 0);
        if (why)
                ITEST_SKIP("%s", why);
        /* Another user's cgroup (as under user@UID.service): its memory.pressure needs CAP_DAC_OVERRIDE to arm. */
        snprintf(path, sizeof path, "%s/memory.pressure", env.cg.v2);
        assert_int_equal(chown(path, 65534, 65534), 0);
        assert_int_equal(chmod(path, 0644), 0);
        snprintf(env.dir, sizeof env.dir, "/tmp/hr-captest-XXXXXX");
        assert_non_null(mkdtemp(env.dir));
        snprintf(env.sock, sizeof env.sock, "%s/headroom.sock", env.dir);
        snprintf(env.conf, sizeof env.conf, "%s/headroom.conf", env.dir);
        return 0;
}

static int teardown(void **state) {
        (void) state;
        itest_reap(&env.daemon, SIGKILL);
        if (env.victim > 0) {
                (void) kill(-env.victim, SIGKILL);
                (void) waitpid(env.victim, NULL, WNOHANG);
                env.victim = 0;
        }
        if (env.log.fd >= 0) {
                close(env.log.fd);
                env.log.fd = -1;
        }
        itest_cgroup_remove(&env.cg);
        if (env.dir[0]) {
                char cmd[400];
                snprintf(cmd, sizeof cmd, "rm -rf '%s'", env.dir);
                (void) !system(cmd);
                env.dir[0] = '\0';
        }
        return 0;
}

/* The reduced sets, a working socket and headroomctl, and a reload that re-arms the triggers with them. */
static void test_system_mode(void **state) {
        (void) state;
        uint64_t held = field(0, "CapPrm") & field(0, "CapBnd");
        uint64_t want = DAEMON_SET & held;

        start_daemon("[Pressure]\nTickNormalSec=200ms\n");
        pid_t pid = env.daemon;
        if (field(pid, "CapEff") != want)
                fprintf(stderr, "headroomd log:\n%s\n", env.log.buf);
        assert_int_equal(field(pid, "CapEff"), want);
        assert_int_equal(field(pid, "CapPrm"), want);
        assert_int_equal(field(pid, "CapBnd"), want);
        assert_int_equal(field(pid, "CapInh"), 0);
        assert_int_equal(field(pid, "CapAmb"), 0);
        assert_int_equal(field(pid, "NoNewPrivs"), 1);
        /* Said once, at start: what is kept, what is missing, and that criu's are gone. */
        assert_int_equal(itest_log_count(&env.log, "Capabilities: keeping CAP_KILL, CAP_DAC_OVERRIDE"), 1);
        if (DAEMON_SET & ~held)
                assert_non_null(strstr(env.log.buf, "so missing: "));
        assert_non_null(strstr(env.log.buf, "Checkpointing off"));
        /* Triggers armed on the other user's memory.pressure (CAP_DAC_OVERRIDE, after the drop). */
        assert_non_null(strstr(env.log.buf, "PSI triggers on "));

        /* headroomctl over the socket. */
        if (getenv("HEADROOMCTL") && access(getenv("HEADROOMCTL"), X_OK) == 0) {
                char cmd[800];
                snprintf(cmd, sizeof cmd, "'%s' --socket '%s' status >/dev/null", getenv("HEADROOMCTL"), env.sock);
                assert_int_equal(system(cmd), 0);
        }

        /* SIGHUP: the configuration again, the triggers re-opened with the same, reduced rights. */
        assert_int_equal(kill(pid, SIGHUP), 0);
        bool ok = itest_log_wait(&env.log, "Reloaded:", 1, 10);
        if (!ok || !strstr(env.log.buf, "triggers armed"))
                fprintf(stderr, "headroomd log:\n%s\n", env.log.buf);
        assert_true(ok);
        assert_non_null(strstr(env.log.buf, "triggers armed"));
        assert_int_equal(itest_log_count(&env.log, "PSI triggers on "), 2);
        assert_true(ping());
        assert_int_equal(field(pid, "CapEff"), want);
        assert_int_equal(itest_log_count(&env.log, "Capabilities: keeping"), 1);
        stop_daemon();
}

/* [Checkpoint] Enable=yes: the same effective set, criu's capabilities in the permitted set only, the bounding set
 * whole and no no_new_privs (restored applications would inherit both). Without criu: as with checkpointing off. */
static void test_checkpoint_on(void **state) {
        char text[600];
        (void) state;
        uint64_t prm = field(0, "CapPrm"), bnd = field(0, "CapBnd");
        bool criu = hr_criu_path() != NULL && (prm & bnd & CAP_SYS_ADMIN_BIT);

        snprintf(text, sizeof text, "[Checkpoint]\nEnable=yes\nDirectory=%s/images\n", env.dir);
        start_daemon(text);
        pid_t pid = env.daemon;
        assert_int_equal(field(pid, "CapEff"), DAEMON_SET & prm & bnd);
        assert_int_equal(field(pid, "CapInh"), 0);
        assert_int_equal(field(pid, "CapAmb"), 0);
        if (criu) {
                assert_int_equal(field(pid, "CapPrm"), prm & bnd);
                assert_int_equal(field(pid, "CapBnd"), bnd);
                assert_int_equal(field(pid, "NoNewPrivs"), 0);
                assert_non_null(strstr(env.log.buf, "Checkpointing on: criu is lent"));
        } else {
                fprintf(stderr, "criu not installed (or no CAP_SYS_ADMIN): checking that nothing is kept for it\n");
                assert_int_equal(field(pid, "CapPrm"), DAEMON_SET & prm & bnd);
                assert_non_null(strstr(env.log.buf, "checkpoints cannot work: "));
        }
        assert_true(ping());
        stop_daemon();
}

/* ---- helpers: none for hooks, criu's for criu ---- */

static void helper_done(HrChild *c, int code, int status) {
        (void) c;
        (void) code;
        (void) status;
}

/* Runs a helper that prints its own capability lines into `out` (a file), through hr_child_spawn as the daemon does;
 * 0 or a step number for the exit status. */
static int run_helper(HrLoop *loop, const char *out) {
        char *const argv[] = { "/bin/sh", "-c", "grep -E '^(Cap|NoNewPrivs)' /proc/self/status", NULL };
        HrChild c;
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
                return 10;
        hr_child_init(&c);
        int r = hr_child_spawn(&c, loop, argv, NULL, fd, 10 * USEC_PER_SEC, helper_done, NULL);
        close(fd);
        if (r < 0)
                return 11;
        hr_child_finish(&c, 10 * USEC_PER_SEC);
        return 0;
}

/* Gives up CAP_SYS_ADMIN everywhere, as a service manager that was not told to give it would. */
static int lose_sys_admin(void) {
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct d[2] = {};
        if (prctl(PR_CAPBSET_DROP, (unsigned long) CAP_SYS_ADMIN, 0UL, 0UL, 0UL) < 0 || syscall(SYS_capget, &h, d) < 0)
                return -1;
        d[0].effective &= ~(1U << CAP_SYS_ADMIN);
        d[0].permitted &= ~(1U << CAP_SYS_ADMIN);
        d[0].inheritable &= ~(1U << CAP_SYS_ADMIN);
        return syscall(SYS_capset, &h, d) < 0 ? -1 : 0;
}

/* In a child process (the test keeps its own capabilities): the drop, then a helper as a hook would run, then one
 * with the capabilities lent as for criu, then one after they are taken back. */
static int drop_and_spawn(bool checkpoint, bool sys_admin) {
        HrConfig cfg = {};
        HrLoop loop;
        char out[400];
        const char *no;

        cfg.actions.checkpoint_enabled = checkpoint;
        if (!sys_admin && lose_sys_admin() < 0)
                return 1;
        if (hr_caps_drop(&cfg, /* user_mode= */ false) < 0)
                return 2;
        /* Why criu gets nothing, or NULL when it is lent what it needs. */
        no = hr_caps_criu_unavailable();
        const char *want = !checkpoint       ? "Enable=no"
                           : !hr_criu_path() ? "not installed"
                           : !sys_admin      ? "CAP_SYS_ADMIN"
                                             : NULL;
        if (want ? !no || !strstr(no, want) : no != NULL)
                return 8;
        if (hr_loop_init(&loop) < 0)
                return 3;
        snprintf(out, sizeof out, "%s/hook.out", env.dir);
        if (run_helper(&loop, out) != 0)
                return 4;
        if (hr_caps_lend(true) < 0)
                return 5;
        snprintf(out, sizeof out, "%s/criu.out", env.dir);
        int r = run_helper(&loop, out);
        if (hr_caps_lend(false) < 0 || r != 0)
                return 6;
        snprintf(out, sizeof out, "%s/after.out", env.dir);
        if (run_helper(&loop, out) != 0)
                return 7;
        return 0;
}

static void check_helpers(bool checkpoint, bool sys_admin) {
        char path[400], hook[4096], criu[4096], after[4096];
        int status = 0;
        uint64_t held = field(0, "CapPrm") & field(0, "CapBnd") & (sys_admin ? ~0ULL : ~CAP_SYS_ADMIN_BIT);
        bool lends = checkpoint && hr_criu_path() != NULL && (held & CAP_SYS_ADMIN_BIT);

        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
                _exit(drop_and_spawn(checkpoint, sys_admin));
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                fprintf(stderr, "drop_and_spawn: status %#x\n", status);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        snprintf(path, sizeof path, "%s/hook.out", env.dir);
        assert_int_equal(itest_read(path, hook, sizeof hook), 0);
        snprintf(path, sizeof path, "%s/criu.out", env.dir);
        assert_int_equal(itest_read(path, criu, sizeof criu), 0);
        snprintf(path, sizeof path, "%s/after.out", env.dir);
        assert_int_equal(itest_read(path, after, sizeof after), 0);

        /* A hook, started as root: nothing, whatever the daemon holds. */
        for (const char *k = "CapEff\0CapPrm\0CapInh\0CapAmb\0"; *k; k += strlen(k) + 1) {
                assert_int_equal(text_field(hook, k), 0);
                assert_int_equal(text_field(after, k), 0);
        }
        assert_int_equal(text_field(hook, "NoNewPrivs"), lends ? 0 : 1);
        if (lends) {
                /* criu: everything the process held, effective from exec on; ambient, so its own helpers keep it. */
                assert_int_equal(text_field(criu, "CapEff"), held);
                assert_int_equal(text_field(criu, "CapPrm"), held);
                assert_int_equal(text_field(criu, "CapAmb"), held);
                assert_int_equal(text_field(criu, "CapBnd"), field(0, "CapBnd"));
        } else {
                /* Nothing lent: criu would start as bare as a hook, and the set is the daemon's alone. */
                assert_int_equal(text_field(criu, "CapEff"), 0);
                assert_int_equal(text_field(criu, "CapBnd"), DAEMON_SET & held);
        }
}

/* ---- criu with lent capabilities, dumping and restoring another user's process ---- */

typedef struct Ended {
        int code, status;
} Ended;

static void criu_done(HrChild *c, int code, int status) {
        Ended *e = c->userdata;
        e->code = code;
        e->status = status;
}

/* In a child process, as the daemon does it: the drop with checkpointing on, then criu with `args` lent its
 * capabilities; its exit status (0: criu succeeded), or 100 + a step. */
static int lent_criu(const char *const *args) {
        HrConfig cfg = { .actions.checkpoint_enabled = true };
        char *argv[16] = { (char *) hr_criu_path() };
        Ended e = { .code = -1 };
        HrLoop loop;
        HrChild c;
        size_t n = 1;

        for (; *args && n < ELEMENTSOF(argv) - 1; args++)
                argv[n++] = (char *) *args;
        if (hr_caps_drop(&cfg, /* user_mode= */ false) < 0 || hr_caps_criu_unavailable())
                return 101;
        if (hr_loop_init(&loop) < 0)
                return 102;
        hr_child_init(&c);
        if (hr_caps_lend(true) < 0)
                return 103;
        int r = hr_child_spawn(&c, &loop, argv, NULL, -1, 120 * USEC_PER_SEC, criu_done, &e);
        if (hr_caps_lend(false) < 0 || r < 0)
                return 104;
        hr_child_finish(&c, 120 * USEC_PER_SEC);
        return e.code == CLD_EXITED ? e.status : 105;
}

static int run_lent_criu(const char *const *args) {
        int status = 0;
        pid_t pid = fork();
        if (pid == 0)
                _exit(lent_criu(args));
        if (pid < 0 || waitpid(pid, &status, 0) != pid)
                return -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void show_log(const char *path) {
        char buf[16384];
        if (itest_read(path, buf, sizeof buf) == 0)
                fprintf(stderr, "---- %s ----\n%s\n", path, strlen(buf) > 4000 ? buf + strlen(buf) - 4000 : buf);
}

/* A counting loop of another user (uid 65534, a session of its own) is dumped and restored by criu started as the
 * daemon starts it: lent its capabilities under SECBIT_NOROOT. The restored loop counts on, as that user, with the
 * bounding set and securebits it had (not the daemon's), no no_new_privs and nothing ambient. Skips where criu does
 * not work (criu 3.17 on kernels past 6.x: `criu check`); the VM test bed (vm-caps) runs it. */
static void test_criu_lent(void **state) {
        char vdir[400], img[420], path[500], buf[4096], cmd[1600], capsh[64] = "";
        (void) state;
        if (!hr_criu_path())
                ITEST_SKIP("criu is not installed");
        if (system("criu check >/dev/null 2>&1") != 0)
                ITEST_SKIP("criu does not work on this kernel (`criu check` fails): run it in the VM test bed");
        if (access("/usr/sbin/capsh", X_OK) == 0)
                snprintf(capsh, sizeof capsh, "/usr/sbin/capsh");
        else if (access("/sbin/capsh", X_OK) == 0)
                snprintf(capsh, sizeof capsh, "/sbin/capsh");
        assert_int_equal(chmod(env.dir, 0711), 0);
        snprintf(vdir, sizeof vdir, "%s/victim", env.dir);
        snprintf(img, sizeof img, "%s/img", env.dir);
        assert_int_equal(mkdir(vdir, 0777), 0);
        assert_int_equal(chmod(vdir, 0777), 0);
        assert_int_equal(mkdir(img, 0700), 0);
        /* Each round: (with capsh) its own securebits, then the counter. */
        char probe[600] = "";
        if (capsh[0])
                snprintf(probe, sizeof probe, "%s --print 2>&1 | grep Securebits >%s/securebits; ", capsh, vdir);
        snprintf(cmd, sizeof cmd, "i=0; while :; do i=$((i + 1)); %secho $i >%s/counter; sleep 0.2; done", probe,
                 vdir);
        pid_t victim = fork();
        assert_true(victim >= 0);
        if (victim == 0) {
                int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (null_fd < 0 || setsid() < 0 || setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
                        _exit(90);
                dup2(null_fd, 0), dup2(null_fd, 1), dup2(null_fd, 2);
                execl("/bin/sh", "sh", "-c", cmd, (char *) NULL);
                _exit(91);
        }
        env.victim = victim;
        snprintf(path, sizeof path, "%s/counter", vdir);
        double end = itest_now() + 20;
        while (itest_now() < end && (itest_read(path, buf, sizeof buf) < 0 || atoi(buf) < 3))
                itest_sleep_ms(100);
        assert_true(atoi(buf) >= 3);

        char pid_arg[16];
        snprintf(pid_arg, sizeof pid_arg, "%d", (int) victim);
        const char *dump[] = { "dump", "--tree", pid_arg, "--images-dir", img, "--log-file", "dump.log", "-v4", NULL };
        int r = run_lent_criu(dump);
        snprintf(path, sizeof path, "%s/dump.log", img);
        if (r != 0)
                show_log(path);
        assert_int_equal(r, 0);
        int status = 0;
        assert_int_equal(waitpid(victim, &status, 0), victim); /* criu ended it */
        env.victim = 0;                                         /* its pid is free until the restore */
        assert_true(WIFSIGNALED(status));

        const char *restore[] = { "restore", "--images-dir", img, "--log-file", "restore.log", "-v4",
                                  "--restore-detached", NULL };
        r = run_lent_criu(restore);
        snprintf(path, sizeof path, "%s/restore.log", img);
        if (r != 0)
                show_log(path);
        assert_int_equal(r, 0);
        env.victim = victim; /* restored with its pid and session */
        /* Back, as the same user, counting on. */
        snprintf(path, sizeof path, "%s/counter", vdir);
        assert_int_equal(itest_read(path, buf, sizeof buf), 0);
        int before = atoi(buf);
        itest_sleep_ms(1500);
        assert_int_equal(itest_read(path, buf, sizeof buf), 0);
        int after = atoi(buf);
        uint64_t uid = 0;
        bool alive = status_field(victim, "Uid", &uid);
        if (!alive || after <= before)
                fprintf(stderr, "restored %d: alive %d, counter %d -> %d\n", (int) victim, alive, before, after);
        assert_true(alive && after > before);
        /* Not the daemon's restrictions: its own bounding set (the test's, inherited at fork), nothing else. */
        assert_int_equal(field(victim, "CapBnd"), field(0, "CapBnd"));
        assert_int_equal(field(victim, "NoNewPrivs"), 0);
        assert_int_equal(field(victim, "CapAmb"), 0);
        assert_int_equal(field(victim, "CapEff"), 0);
        if (capsh[0]) {
                /* Written by capsh after the restore: the securebits criu gave it back from its image, not NOROOT. */
                snprintf(path, sizeof path, "%s/securebits", vdir);
                assert_int_equal(truncate(path, 0), 0);
                end = itest_now() + 5;
                buf[0] = '\0';
                while (itest_now() < end && (itest_read(path, buf, sizeof buf) < 0 || !strstr(buf, "Securebits")))
                        itest_sleep_ms(100);
                if (!strstr(buf, "Securebits: 00/0x0/"))
                        fprintf(stderr, "restored securebits: %s\n", buf);
                assert_non_null(strstr(buf, "Securebits: 00/0x0/"));
        }
        (void) kill(-victim, SIGKILL); /* its session (restored with the same ids), not our child any more */
        env.victim = 0;
        end = itest_now() + 10;
        while (itest_now() < end && status_field(victim, "Uid", &uid))
                itest_sleep_ms(50);
}

static void test_helpers_get_none(void **state) {
        (void) state;
        check_helpers(/* checkpoint= */ false, /* sys_admin= */ true);
}

static void test_helpers_checkpoint(void **state) {
        (void) state;
        if (!hr_criu_path())
                fprintf(stderr, "criu not installed: nothing is lent\n");
        check_helpers(/* checkpoint= */ true, /* sys_admin= */ true);
}

/* Checkpointing on, but CAP_SYS_ADMIN not given (the hardened unit without its checkpoint drop-in): nothing is kept
 * for criu, and the checkpoint says why. */
static void test_checkpoint_without_sys_admin(void **state) {
        (void) state;
        check_helpers(/* checkpoint= */ true, /* sys_admin= */ false);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_system_mode, setup, teardown),
                cmocka_unit_test_setup_teardown(test_checkpoint_on, setup, teardown),
                cmocka_unit_test_setup_teardown(test_helpers_get_none, setup, teardown),
                cmocka_unit_test_setup_teardown(test_helpers_checkpoint, setup, teardown),
                cmocka_unit_test_setup_teardown(test_checkpoint_without_sys_admin, setup, teardown),
                cmocka_unit_test_setup_teardown(test_criu_lent, setup, teardown),
        };
        itest_filter();
        return itest_result(cmocka_run_group_tests(tests, NULL, NULL), sizeof tests / sizeof tests[0]);
}
