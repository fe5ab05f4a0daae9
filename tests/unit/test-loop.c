/* SPDX-License-Identifier: MIT */
/* Unit tests of daemon/loop.c: dispatch with userdata, hang-ups before data, removal within a batch,
 * callback errors, the fixed source table. Uses pipes only: no root, no timing. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/loop.h"

typedef struct Rec {
        int order[8];
        unsigned n;
        int remove_fd; /* a callback removes this source when set */
        int pair[2];   /* or, when remove_fd == -2, whichever of these it was not called for */
        int fail_with; /* a callback returns this when non-zero */
        unsigned quit_after;
} Rec;

static int on_ready(HrLoop *l, int fd, uint32_t revents, void *userdata) {
        Rec *r = userdata;
        char c;
        (void) revents;

        if (r->n < 8)
                r->order[r->n] = fd;
        r->n++;
        (void) !read(fd, &c, 1);
        if (r->remove_fd == -2)
                r->remove_fd = fd == r->pair[0] ? r->pair[1] : r->pair[0];
        if (r->remove_fd >= 0) {
                (void) hr_loop_remove_fd(l, r->remove_fd);
                r->remove_fd = -1;
        }
        if (r->fail_with)
                return r->fail_with;
        if (r->n >= r->quit_after)
                hr_loop_quit(l, 7);
        return 0;
}

static void make_pipe(int p[2]) {
        assert_int_equal(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
}

/* A new pipe whose read end l watches (EPOLLIN, on_ready with r). */
static void add_pipe(HrLoop *l, int p[2], Rec *r) {
        make_pipe(p);
        assert_int_equal(hr_loop_add_fd(l, p[0], EPOLLIN, on_ready, r), 0);
}

static void close_pipe(int p[2]) {
        close(p[0]);
        close(p[1]);
}

static void test_dispatch_and_quit_result(void **state) {
        HrLoop l;
        Rec r = { .remove_fd = -1, .quit_after = 1 };
        int p[2];
        (void) state;

        assert_int_equal(hr_loop_init(&l), 0);
        add_pipe(&l, p, &r);
        assert_int_equal(write(p[1], "x", 1), 1);
        assert_int_equal(hr_loop_run(&l), 7);
        assert_int_equal(r.n, 1);
        assert_int_equal(r.order[0], p[0]);
        assert_int_equal(l.wakeups, 1);
        close_pipe(p);
        hr_loop_done(&l);
}

static void test_hangup_dispatched_before_data(void **state) {
        HrLoop l;
        Rec r = { .remove_fd = -1, .quit_after = 2 };
        int data[2], hup[2];
        (void) state;

        assert_int_equal(hr_loop_init(&l), 0);
        /* The data source takes the first slot, so only the two-pass dispatch puts the hang-up first. */
        add_pipe(&l, data, &r);
        add_pipe(&l, hup, &r);
        assert_int_equal(write(data[1], "x", 1), 1);
        close(hup[1]);
        assert_int_equal(hr_loop_run(&l), 7);
        assert_int_equal(r.n, 2);
        assert_int_equal(r.order[0], hup[0]);
        assert_int_equal(r.order[1], data[0]);
        close_pipe(data);
        close(hup[0]); /* hup[1] closed above */
        hr_loop_done(&l);
}

static void test_removed_source_not_called_in_same_batch(void **state) {
        HrLoop l;
        Rec r = { .remove_fd = -1 };
        int a[2], b[2];
        (void) state;

        assert_int_equal(hr_loop_init(&l), 0);
        add_pipe(&l, a, &r);
        add_pipe(&l, b, &r);
        /* Two bytes each: both are ready in one batch and stay ready for a second wake-up. */
        assert_int_equal(write(a[1], "xy", 2), 2);
        assert_int_equal(write(b[1], "xy", 2), 2);
        /* The first callback removes the other source; the loop quits after two calls. Both calls
         * must go to the survivor: a call on the removed one would be a use of a dead slot. */
        r.remove_fd = -2;
        r.pair[0] = a[0];
        r.pair[1] = b[0];
        r.quit_after = 2;
        assert_int_equal(hr_loop_run(&l), 7);
        assert_int_equal(r.n, 2);
        assert_int_equal(r.order[0], r.order[1]);
        int removed = r.order[0] == a[0] ? b[0] : a[0];
        assert_int_equal(hr_loop_remove_fd(&l, removed), -ENOENT);
        close_pipe(a);
        close_pipe(b);
        hr_loop_done(&l);
}

static void test_callback_error_stops_loop(void **state) {
        HrLoop l;
        Rec r = { .remove_fd = -1, .fail_with = -EPIPE, .quit_after = 99 };
        int p[2];
        (void) state;

        assert_int_equal(hr_loop_init(&l), 0);
        add_pipe(&l, p, &r);
        assert_int_equal(write(p[1], "x", 1), 1);
        assert_int_equal(hr_loop_run(&l), -EPIPE);
        close_pipe(p);
        hr_loop_done(&l);
}

static void test_table_is_bounded(void **state) {
        HrLoop l;
        Rec r = { .remove_fd = -1 };
        int p[HR_LOOP_MAX_SOURCES + 1][2];
        (void) state;

        assert_int_equal(hr_loop_init(&l), 0);
        for (unsigned i = 0; i <= HR_LOOP_MAX_SOURCES; i++)
                make_pipe(p[i]);
        for (unsigned i = 0; i < HR_LOOP_MAX_SOURCES; i++)
                assert_int_equal(hr_loop_add_fd(&l, p[i][0], EPOLLIN, on_ready, &r), 0);
        assert_int_equal(hr_loop_add_fd(&l, p[HR_LOOP_MAX_SOURCES][0], EPOLLIN, on_ready, &r), -ENOSPC);
        assert_int_equal(hr_loop_remove_fd(&l, p[3][0]), 0);
        assert_int_equal(hr_loop_remove_fd(&l, p[3][0]), -ENOENT);
        assert_int_equal(hr_loop_add_fd(&l, p[HR_LOOP_MAX_SOURCES][0], EPOLLIN, on_ready, &r), 0);
        /* The same fd twice is refused by epoll itself. */
        assert_int_equal(hr_loop_remove_fd(&l, p[4][0]), 0);
        assert_int_equal(hr_loop_add_fd(&l, p[5][0], EPOLLIN, on_ready, &r), -EEXIST);
        for (unsigned i = 0; i <= HR_LOOP_MAX_SOURCES; i++)
                close_pipe(p[i]);
        hr_loop_done(&l);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_dispatch_and_quit_result),
                cmocka_unit_test(test_hangup_dispatched_before_data),
                cmocka_unit_test(test_removed_source_not_called_in_same_batch),
                cmocka_unit_test(test_callback_error_stops_loop),
                cmocka_unit_test(test_table_is_bounded),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
