/* SPDX-License-Identifier: MIT */
/* The pure part of daemon/caps.c: the documented set, and hr_caps_plan() as a table of situations (full root, a host
 * without CAP_SYS_RESOURCE, the hardened unit, checkpointing on or off, an older kernel), with the invariants every
 * plan must keep. hr_caps_drop() in user mode must leave the process as it was. */
#include <linux/capability.h>
#include <linux/securebits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/caps.h"
#include "shared/macros.h"

#define B(c) HR_CAP_BIT(c)
/* Capabilities 0..40 (6.1+: CAP_CHECKPOINT_RESTORE is the last) and 0..37 (5.8's CAP_PERFMON and on missing). */
#define ALL_41 ((HrCapMask) 0x1ffffffffffULL)
#define ALL_38 ((HrCapMask) 0x3fffffffffULL)
/* The documented set: signalling, cgroup files and owner-only /proc, other users' /proc/PID/exe, PSI windows and
 * oom_score_adj, mlockall, process_madvise. */
#define DAEMON                                                                                                        \
        (B(CAP_KILL) | B(CAP_DAC_OVERRIDE) | B(CAP_SYS_PTRACE) | B(CAP_SYS_RESOURCE) | B(CAP_IPC_LOCK) |            \
         B(CAP_SYS_NICE))
/* headroomd.service's CapabilityBoundingSet=: the daemon's set and CAP_SETPCAP for the drop. */
#define UNIT (DAEMON | B(CAP_SETPCAP))
#define LOCKED (SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED)

typedef struct PlanCase {
        const char *name;
        bool checkpoint;
        HrCapMask permitted, bounding, all;
        HrCapsPlan want;
} PlanCase;

static const PlanCase cases[] = {
        { "full root, checkpointing off: the set, everywhere; locked, no_new_privs",
          .permitted = ALL_41, .bounding = ALL_41, .all = ALL_41,
          .want = { .effective = DAEMON, .permitted = DAEMON, .bounding = DAEMON, .securebits = LOCKED,
                    .no_new_privs = true } },
        { "root without CAP_SYS_RESOURCE (this kind of host): kept what is there, the rest missing",
          .permitted = ALL_41 & ~B(CAP_SYS_RESOURCE), .bounding = ALL_41 & ~B(CAP_SYS_RESOURCE), .all = ALL_41,
          .want = { .effective = DAEMON & ~B(CAP_SYS_RESOURCE), .permitted = DAEMON & ~B(CAP_SYS_RESOURCE),
                    .bounding = DAEMON & ~B(CAP_SYS_RESOURCE), .missing = B(CAP_SYS_RESOURCE),
                    .securebits = LOCKED, .no_new_privs = true } },
        { "the hardened unit: CAP_SETPCAP goes after the drop",
          .permitted = UNIT, .bounding = UNIT, .all = ALL_41,
          .want = { .effective = DAEMON, .permitted = DAEMON, .bounding = DAEMON, .securebits = LOCKED,
                    .no_new_privs = true } },
        { "full root, checkpointing on: criu lent everything, bounding whole, NOROOT unlocked, no no_new_privs",
          .checkpoint = true, .permitted = ALL_41, .bounding = ALL_41, .all = ALL_41,
          .want = { .effective = DAEMON, .permitted = ALL_41, .bounding = ALL_41, .lend = ALL_41,
                    .securebits = SECBIT_NOROOT } },
        { "checkpointing on, a narrow permitted set (the hardened unit's): only that is lent",
          .checkpoint = true, .permitted = UNIT, .bounding = UNIT, .all = ALL_41,
          .want = { .effective = DAEMON, .permitted = UNIT, .bounding = UNIT, .lend = UNIT,
                    .securebits = SECBIT_NOROOT } },
        { "checkpointing on, a permitted capability outside the bounding set: not lent (no inheritable outside it)",
          .checkpoint = true, .permitted = ALL_41, .bounding = ALL_41 & ~B(CAP_SYS_ADMIN), .all = ALL_41,
          .want = { .effective = DAEMON, .permitted = ALL_41 & ~B(CAP_SYS_ADMIN),
                    .bounding = ALL_41 & ~B(CAP_SYS_ADMIN), .lend = ALL_41 & ~B(CAP_SYS_ADMIN),
                    .securebits = SECBIT_NOROOT } },
        { "an older kernel (38 capabilities): nothing beyond them",
          .checkpoint = true, .permitted = ALL_41, .bounding = ALL_41, .all = ALL_38,
          .want = { .effective = DAEMON, .permitted = ALL_38, .bounding = ALL_38, .lend = ALL_38,
                    .securebits = SECBIT_NOROOT } },
        { "root with no capabilities at all: keeps nothing, misses the whole set",
          .permitted = 0, .bounding = 0, .all = ALL_41,
          .want = { .missing = DAEMON, .securebits = LOCKED, .no_new_privs = true } },
        { "only CAP_KILL held, checkpointing on: criu gets CAP_KILL and nothing else",
          .checkpoint = true, .permitted = B(CAP_KILL), .bounding = B(CAP_KILL), .all = ALL_41,
          .want = { .effective = B(CAP_KILL), .permitted = B(CAP_KILL), .bounding = B(CAP_KILL), .lend = B(CAP_KILL),
                    .missing = DAEMON & ~B(CAP_KILL), .securebits = SECBIT_NOROOT } },
};

static void test_daemon_set(void **state) {
        (void) state;
        assert_int_equal(hr_caps_daemon_set(), DAEMON);
        /* Deliberately not kept: covered by CAP_DAC_OVERRIDE, only for the drop, criu's, unused. */
        static const int not_kept[] = { CAP_DAC_READ_SEARCH, CAP_SETPCAP, CAP_SYS_ADMIN, CAP_CHECKPOINT_RESTORE,
                                        CAP_SETUID, CAP_SETGID, CAP_CHOWN, CAP_FOWNER, CAP_NET_ADMIN };
        for (size_t i = 0; i < ELEMENTSOF(not_kept); i++) {
                assert_false(hr_caps_daemon_set() & B(not_kept[i]));
                assert_null(hr_caps_name(not_kept[i]));
        }
        assert_string_equal(hr_caps_name(CAP_KILL), "CAP_KILL");
        assert_string_equal(hr_caps_name(CAP_DAC_OVERRIDE), "CAP_DAC_OVERRIDE");
        assert_string_equal(hr_caps_name(CAP_SYS_PTRACE), "CAP_SYS_PTRACE");
        assert_string_equal(hr_caps_name(CAP_SYS_RESOURCE), "CAP_SYS_RESOURCE");
        assert_string_equal(hr_caps_name(CAP_IPC_LOCK), "CAP_IPC_LOCK");
        assert_string_equal(hr_caps_name(CAP_SYS_NICE), "CAP_SYS_NICE");
        assert_null(hr_caps_name(-1));
        assert_null(hr_caps_name(63));
}

static void check_invariants(const char *name, bool checkpoint, HrCapMask permitted, HrCapMask bounding,
                             HrCapMask all, const HrCapsPlan *p) {
        HrCapMask want = hr_caps_daemon_set() & all;
        /* Nothing gained; the daemon's own use within its table; only criu is lent anything; helpers never gain
         * from root; without checkpointing everything but the table goes, everywhere, for good. */
        bool gains_nothing = (p->effective & ~p->permitted) == 0 && (p->permitted & ~permitted) == 0 &&
                             (p->bounding & ~bounding) == 0 && (p->lend & ~p->bounding) == 0 &&
                             (p->lend & ~p->permitted) == 0;
        bool own_use = (p->effective & ~want) == 0 && (p->effective & p->missing) == 0 &&
                       (p->effective | p->missing) == want;
        bool closed = checkpoint ? !p->no_new_privs && !(p->securebits & SECBIT_NOROOT_LOCKED)
                                 : p->lend == 0 && p->no_new_privs && p->permitted == p->effective &&
                                           p->bounding == (p->effective & bounding);
        if (!(gains_nothing && own_use && closed && (p->securebits & SECBIT_NOROOT))) {
                print_error("%s: effective %#llx permitted %#llx bounding %#llx lend %#llx missing %#llx bits %#x\n",
                            name, (unsigned long long) p->effective, (unsigned long long) p->permitted,
                            (unsigned long long) p->bounding, (unsigned long long) p->lend,
                            (unsigned long long) p->missing, p->securebits);
                fail();
        }
}

static void test_plan_table(void **state) {
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const PlanCase *c = &cases[i];
                HrCapsPlan p;
                hr_caps_plan(c->checkpoint, c->permitted, c->bounding, c->all, &p);
                if (p.effective != c->want.effective || p.permitted != c->want.permitted ||
                    p.bounding != c->want.bounding || p.lend != c->want.lend || p.missing != c->want.missing ||
                    p.securebits != c->want.securebits || p.no_new_privs != c->want.no_new_privs) {
                        print_error("%s:\n  got  effective %#llx permitted %#llx bounding %#llx lend %#llx missing "
                                    "%#llx bits %#x nnp %d\n  want effective %#llx permitted %#llx bounding %#llx "
                                    "lend %#llx missing %#llx bits %#x nnp %d\n",
                                    c->name, (unsigned long long) p.effective, (unsigned long long) p.permitted,
                                    (unsigned long long) p.bounding, (unsigned long long) p.lend,
                                    (unsigned long long) p.missing, p.securebits, p.no_new_privs,
                                    (unsigned long long) c->want.effective, (unsigned long long) c->want.permitted,
                                    (unsigned long long) c->want.bounding, (unsigned long long) c->want.lend,
                                    (unsigned long long) c->want.missing, c->want.securebits, c->want.no_new_privs);
                        fail();
                }
                check_invariants(c->name, c->checkpoint, c->permitted, c->bounding, c->all, &p);
        }
}

/* The invariants over many (permitted, bounding) pairs from a fixed-seed generator. */
static void test_plan_properties(void **state) {
        uint64_t x = 0x9e3779b97f4a7c15ULL;
        (void) state;
        for (unsigned i = 0; i < 20000; i++) {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                HrCapMask all = (i & 1) ? ALL_41 : ALL_38, bounding = x & all;
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                /* Usually within the bounding set (as the kernel keeps it after an exec), sometimes not. */
                HrCapMask permitted = (i % 7 == 0 ? x : x & bounding) & all;
                bool checkpoint = i & 2;
                HrCapsPlan p;
                char name[64];
                (void) snprintf(name, sizeof name, "generated #%u", i);
                hr_caps_plan(checkpoint, permitted, bounding, all, &p);
                check_invariants(name, checkpoint, permitted, bounding, all, &p);
        }
}

/* User mode: nothing changes and nothing is lent or refused. */
static void test_user_mode_noop(void **state) {
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct before[2] = {}, after[2] = {};
        HrConfig cfg = {};
        (void) state;

        assert_int_equal(syscall(SYS_capget, &h, before), 0);
        cfg.actions.checkpoint_enabled = true;
        assert_int_equal(hr_caps_drop(&cfg, /* user_mode= */ true), 0);
        assert_int_equal(hr_caps_lend(true), 0);
        assert_int_equal(hr_caps_lend(false), 0);
        assert_null(hr_caps_criu_unavailable());
        assert_int_equal(syscall(SYS_capget, &h, after), 0);
        assert_memory_equal(before, after, sizeof before);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_daemon_set),
                cmocka_unit_test(test_plan_table),
                cmocka_unit_test(test_plan_properties),
                cmocka_unit_test(test_user_mode_noop),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
