/* SPDX-License-Identifier: MIT */
/* Helper programs on the real kernel: daemon/child.c (spawn, exit status through the loop, the bound that
 * kills the whole process group, a clean signal state) and the CRIU pre-checks of daemon/checkpoint.c. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/checkpoint.h"
#include "daemon/child.h"
#include "daemon/loop.h"
#include "shared/clock.h"

typedef struct Ended {
        bool called;
        int code, status;
        bool timed_out;
} Ended;

static void on_done(HrChild *c, int code, int status) {
        Ended *e = c->userdata;
        e->called = true;
        e->code = code;
        e->status = status;
        e->timed_out = c->timed_out;
        hr_loop_quit(c->loop, 0);
}

static int on_deadline(HrLoop *l, int fd, uint32_t revents, void *userdata) {
        (void) fd;
        (void) revents;
        (void) userdata;
        hr_loop_quit(l, -ETIME);
        return 0;
}

/* Runs the loop until the child has ended (done quits it) or `seconds` pass. */
static void run_until(HrLoop *l, HrChild *c, const Ended *e, double seconds) {
        int t = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
        struct itimerspec its = { .it_value = { .tv_sec = (time_t) seconds, .tv_nsec = 1 } };
        (void) c;
        assert_true(t >= 0);
        assert_int_equal(timerfd_settime(t, 0, &its, NULL), 0);
        assert_int_equal(hr_loop_add_fd(l, t, EPOLLIN, on_deadline, NULL), 0);
        l->quit = false;
        (void) hr_loop_run(l);
        (void) hr_loop_remove_fd(l, t);
        close(t);
        (void) e;
}

static void test_exit_status(void **state) {
        HrLoop loop;
        HrChild c;
        Ended e = {};
        (void) state;

        assert_int_equal(hr_loop_init(&loop), 0);
        hr_child_init(&c);
        char *const argv[] = { "/bin/sh", "-c", "read x; exit 7", NULL }; /* stdin is /dev/null: read fails */
        assert_int_equal(hr_child_spawn(&c, &loop, argv, NULL, -1, 5 * USEC_PER_SEC, on_done, &e), 0);
        assert_true(hr_child_running(&c));
        run_until(&loop, &c, &e, 5);
        assert_true(e.called);
        assert_false(e.timed_out);
        assert_int_equal(e.code, CLD_EXITED);
        assert_int_equal(e.status, 7);
        assert_false(hr_child_running(&c));
        hr_loop_done(&loop);
}

/* The bound kills the child and what it started (its process group), and is reported. */
static void test_bound_kills_group(void **state) {
        HrLoop loop;
        HrChild c;
        Ended e = {};
        char path[64];
        (void) state;

        assert_int_equal(hr_loop_init(&loop), 0);
        hr_child_init(&c);
        /* A grandchild in the same group, which prints its pid, and the child waiting for it. */
        int p[2];
        assert_int_equal(pipe(p), 0);
        char *const argv[] = { "/bin/sh", "-c", "sleep 30 & echo $!; wait", NULL };
        assert_int_equal(hr_child_spawn(&c, &loop, argv, NULL, p[1], 300 * USEC_PER_MSEC, on_done, &e), 0);
        close(p[1]);
        char buf[32] = "";
        assert_true(read(p[0], buf, sizeof buf - 1) > 0);
        close(p[0]);
        pid_t grandchild = (pid_t) strtol(buf, NULL, 10);
        assert_true(grandchild > 1);

        usec_t t0 = hr_now();
        run_until(&loop, &c, &e, 5);
        assert_true(e.called);
        assert_true(e.timed_out);
        assert_int_equal(e.code, CLD_KILLED);
        assert_int_equal(e.status, SIGKILL);
        assert_true(hr_now() - t0 < 3 * USEC_PER_SEC);
        /* The grandchild went with the group (it is init's to reap: wait until it is no longer running). */
        snprintf(path, sizeof path, "/proc/%d/stat", (int) grandchild);
        bool gone = false;
        for (int i = 0; i < 100 && !gone; i++) {
                FILE *f = fopen(path, "re");
                char st[512] = "";
                if (f) {
                        if (!fgets(st, sizeof st, f))
                                st[0] = '\0';
                        fclose(f);
                }
                char *r = strrchr(st, ')');
                gone = !f || (r && (r[2] == 'Z' || r[2] == 'X'));
                if (!gone)
                        usleep(20000);
        }
        assert_true(gone);
        hr_loop_done(&loop);
}

/* The daemon blocks SIGTERM for its signalfd: a child must not inherit that mask. */
static void test_clean_signal_state(void **state) {
        HrLoop loop;
        HrChild c;
        Ended e = {};
        sigset_t mask, old;
        (void) state;

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        assert_int_equal(sigprocmask(SIG_BLOCK, &mask, &old), 0);
        assert_int_equal(hr_loop_init(&loop), 0);
        hr_child_init(&c);
        char *const argv[] = { "/bin/sh", "-c", "grep -q '^SigBlk:[[:space:]]*0*$' /proc/self/status", NULL };
        assert_int_equal(hr_child_spawn(&c, &loop, argv, NULL, -1, 5 * USEC_PER_SEC, on_done, &e), 0);
        run_until(&loop, &c, &e, 5);
        assert_true(e.called);
        assert_int_equal(e.code, CLD_EXITED);
        assert_int_equal(e.status, 0);
        hr_loop_done(&loop);
        assert_int_equal(sigprocmask(SIG_SETMASK, &old, NULL), 0);
}

static void test_spawn_errors(void **state) {
        HrLoop loop;
        HrChild c;
        Ended e = {};
        (void) state;

        assert_int_equal(hr_loop_init(&loop), 0);
        hr_child_init(&c);
        char *const relative[] = { "sh", NULL };
        assert_int_equal(hr_child_spawn(&c, &loop, relative, NULL, -1, USEC_PER_SEC, on_done, &e), -EINVAL);
        char *const missing[] = { "/nonexistent/program", NULL };
        assert_int_equal(hr_child_spawn(&c, &loop, missing, NULL, -1, USEC_PER_SEC, on_done, &e), -ENOENT);
        assert_false(hr_child_running(&c));
        assert_false(e.called);
        hr_loop_done(&loop);
}

/* Checkpoint=auto: a process holding a socket is not worth a dump, a plain one is. */
static void test_criu_unlikely(void **state) {
        int sv[2];
        (void) state;

        pid_t plain = fork();
        if (plain == 0) {
                pause();
                _exit(0);
        }
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        pid_t social = fork();
        if (social == 0) {
                int keep = dup(sv[0]); /* without CLOEXEC: it survives (no exec here anyway) */
                (void) keep;
                pause();
                _exit(0);
        }
        close(sv[0]);
        close(sv[1]);
        usleep(50000);
        /* The plain child still has the test's own stdio; only sockets and terminals count. */
        const char *why = hr_criu_unlikely(social);
        assert_non_null(why);
        assert_non_null(strstr(why, "sockets"));
        assert_non_null(hr_criu_unlikely(99999999)); /* no /proc entry: not likely either */
        kill(plain, SIGKILL);
        kill(social, SIGKILL);
        waitpid(plain, NULL, 0);
        waitpid(social, NULL, 0);

        char dir[64];
        assert_int_equal(hr_criu_images_dir("/var/lib/x", 42, 777, dir, sizeof dir), 0);
        assert_string_equal(dir, "/var/lib/x/42-777");
        assert_int_equal(hr_criu_images_dir("/var/lib/x", 42, 777, dir, 10), -ENAMETOOLONG);
        assert_false(hr_criu_has_images("/nonexistent"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_exit_status),
                cmocka_unit_test(test_bound_kills_group),
                cmocka_unit_test(test_clean_signal_state),
                cmocka_unit_test(test_spawn_errors),
                cmocka_unit_test(test_criu_unlikely),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
