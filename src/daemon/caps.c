/* SPDX-License-Identifier: MIT */
/* System mode's capabilities: the table of what headroomd keeps and why, the drop at start-up (capset(2), prctl(2):
 * bounding set, securebits, ambient set, no_new_privs), and lending criu its capabilities at its spawn only. */
#include <errno.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "daemon/caps.h"
#include "daemon/checkpoint.h"
#include "daemon/log.h"

#ifndef CAP_CHECKPOINT_RESTORE
#define CAP_CHECKPOINT_RESTORE 40
#endif
#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

/* Why capset(2) and prctl(2) rather than libcap: the drop runs before the daemon starts any thread (the pager's worker
 * starts on its first job and inherits the reduced sets), so libcap's psx machinery for changing every thread is not
 * needed; the daemon is linked statically; and what it does is six system calls on 64-bit masks. libcap would add a
 * dependency and a static library to link without making any of them simpler.
 *
 * What headroomd does with privileges, and which capability each needs. Kept, in its effective set for good (a reload
 * re-opens PSI triggers and cgroup files with the same rights start-up had, so the drop comes before the monitor
 * opens anything: what works at start works on reload and under pressure):
 *
 *   signalling (pidfd_send_signal: SIGSTOP, SIGCONT, SIGTERM, SIGKILL)     CAP_KILL
 *   reading other users' /proc/PID/exe and fd/                             CAP_SYS_PTRACE (+ CAP_DAC_OVERRIDE for fd/)
 *   writing cgroup.freeze, cgroup.kill, memory.pressure in users' cgroups  CAP_DAC_OVERRIDE
 *   PSI windows under 2 s, our oom_score_adj -1000                         CAP_SYS_RESOURCE
 *   mlockall beyond RLIMIT_MEMLOCK                                         CAP_IPC_LOCK
 *   process_madvise(MADV_PAGEOUT) of other processes' idle memory (pager)  CAP_SYS_NICE (+ CAP_SYS_PTRACE)
 *
 * Needing none: process_mrelease() (only a pidfd of a process with SIGKILL pending), pidfd_open(), reading
 * /proc/PID/{stat,status,cmdline,cgroup,oom_score_adj} (world-readable), the control socket and runtime directories
 * (root owns them), the hooks' oom_score_adj reset (raising it, on our own child).
 *
 * Not kept: CAP_DAC_READ_SEARCH (CAP_DAC_OVERRIDE covers reading and searching too), CAP_SETPCAP (only for this
 * drop), CAP_SYS_ADMIN and CAP_CHECKPOINT_RESTORE (criu's: lent, see below), CAP_SETUID and CAP_SETGID (nothing
 * switches users), and everything else. (The unit's Nice= and IOScheduling*= are applied before exec: nothing here
 * calls setpriority or ioprio_set.) */
typedef struct HrCapUse {
        int cap;
        const char *name;
        const char *use;     /* what it is kept for */
        const char *without; /* what a daemon that was not given it does instead */
} HrCapUse;

static const HrCapUse table[] = {
        { CAP_KILL, "CAP_KILL",
          "signal other users' processes through pidfds: SIGSTOP/SIGCONT (freeze, thaw), SIGTERM, SIGKILL",
          "only root's own processes can be frozen by signal, terminated or killed" },
        { CAP_DAC_OVERRIDE, "CAP_DAC_OVERRIDE",
          "write cgroup.freeze, cgroup.kill and memory.pressure (PSI triggers) in cgroups users own (user@UID.service "
          "is delegated to them); read and search other users' owner-only /proc/PID/fd",
          "users' own cgroups cannot be frozen, killed or watched" },
        { CAP_SYS_PTRACE, "CAP_SYS_PTRACE",
          "PTRACE_MODE_READ access: /proc/PID/exe (Exe= rules) and /proc/PID/fd (Checkpoint=auto) of other users' "
          "processes and of processes holding capabilities this one dropped",
          "Exe= rules do not match other users' processes" },
        { CAP_SYS_RESOURCE, "CAP_SYS_RESOURCE",
          "PSI trigger windows that are not a multiple of 2 s (checked at each open: reloads too), any PSI trigger on "
          "kernels 5.13-6.3, and lowering our own oom_score_adj below its floor (-1000)",
          "PSI windows are widened to 2 s, oom_score_adj stays where the service manager put it" },
        { CAP_IPC_LOCK, "CAP_IPC_LOCK",
          "mlockall() beyond RLIMIT_MEMLOCK: the daemon's pages are never swapped out under pressure",
          "memory is locked only within RLIMIT_MEMLOCK" },
        { CAP_SYS_NICE, "CAP_SYS_NICE",
          "process_madvise(MADV_PAGEOUT) on other processes: the pager's page-out of idle memory ([Freeze] PageOut=); "
          "the kernel asks for it on any advice to another process",
          "idle memory is not paged out (process_madvise() fails with EPERM)" },
};

/* The daemon keeps its state after the drop: hr_caps_lend() and hr_caps_criu_unavailable() read it. */
static HrCapsPlan applied;
static bool dropped;
static const char *no_criu; /* why nothing is lent, after the drop */

HrCapMask hr_caps_daemon_set(void) {
        HrCapMask m = 0;
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                m |= HR_CAP_BIT(table[i].cap);
        return m;
}

const char *hr_caps_name(int cap) {
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (table[i].cap == cap)
                        return table[i].name;
        return NULL;
}

void hr_caps_plan(bool checkpoint, HrCapMask permitted, HrCapMask bounding, HrCapMask all, HrCapsPlan *ret) {
        HrCapMask want = hr_caps_daemon_set() & all;
        HrCapsPlan p = {
                .effective = want & permitted,
                .missing = want & ~permitted,
                /* Root's execve() grants no capabilities: helpers start with the ambient set only (empty). */
                .securebits = SECBIT_NOROOT,
        };

        if (checkpoint) {
                /* criu is meant to run as root with everything: it is lent all this process holds (in permitted only,
                 * never effective here). The bounding set stays: the tasks criu restores are forked from it and could
                 * never get back what it lacks. NOROOT stays unlocked and no_new_privs off: criu restore sets each
                 * task's securebits from its image, and no_new_privs could never be cleared from them. */
                p.lend = permitted & bounding & all;
                p.permitted = p.effective | p.lend;
                p.bounding = bounding & all;
        } else {
                p.permitted = p.effective;
                p.bounding = p.effective & bounding; /* a bounding set only ever shrinks */
                p.securebits |= SECBIT_NOROOT_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
                p.no_new_privs = true;
        }
        *ret = p;
}

/* ---- the system calls ---- */

typedef struct Caps {
        HrCapMask effective, permitted, inheritable;
} Caps;

static int caps_get(Caps *ret) {
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = {};

        if (syscall(SYS_capget, &h, d) < 0)
                return -errno;
        *ret = (Caps) {
                .effective = (HrCapMask) d[1].effective << 32 | d[0].effective,
                .permitted = (HrCapMask) d[1].permitted << 32 | d[0].permitted,
                .inheritable = (HrCapMask) d[1].inheritable << 32 | d[0].inheritable,
        };
        return 0;
}

static int caps_set(const Caps *c) {
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = {
                { .effective = (uint32_t) c->effective, .permitted = (uint32_t) c->permitted,
                  .inheritable = (uint32_t) c->inheritable },
                { .effective = (uint32_t) (c->effective >> 32), .permitted = (uint32_t) (c->permitted >> 32),
                  .inheritable = (uint32_t) (c->inheritable >> 32) },
        };

        if (syscall(SYS_capset, &h, d) < 0)
                return -errno;
        return 0;
}

/* The bounding set, and every capability this kernel knows (PR_CAPBSET_READ fails past the last one). */
static void bounding_get(HrCapMask *ret_bounding, HrCapMask *ret_all) {
        HrCapMask b = 0, all = 0;

        for (int cap = 0; cap < 64; cap++) {
                int r = prctl(PR_CAPBSET_READ, (unsigned long) cap, 0UL, 0UL, 0UL);
                if (r < 0)
                        break;
                all |= HR_CAP_BIT(cap);
                if (r > 0)
                        b |= HR_CAP_BIT(cap);
        }
        *ret_bounding = b;
        *ret_all = all;
}

static unsigned count(HrCapMask m) {
        return (unsigned) __builtin_popcountll(m);
}

/* "CAP_KILL, CAP_IPC_LOCK" for the table's capabilities in m; with `why`, each followed by " (without)". */
static void names(HrCapMask m, bool why, char *buf, size_t size) {
        size_t len = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < ELEMENTSOF(table) && len < size; i++) {
                if (!(m & HR_CAP_BIT(table[i].cap)))
                        continue;
                int n = snprintf(buf + len, size - len, "%s%s%s%s%s", len ? ", " : "", table[i].name,
                                 why ? " (" : "", why ? table[i].without : "", why ? ")" : "");
                if (n < 0)
                        break;
                len += (size_t) n;
        }
        if (!buf[0])
                (void) snprintf(buf, size, "none");
}

static const char criu_off[] = "headroomd started with [Checkpoint] Enable=no and gave up the capabilities criu needs: "
                               "restart it (a reload cannot give them back)";
static const char criu_missing[] = "criu was not installed when headroomd started, so it kept nothing for it: restart "
                                   "it";
static const char criu_no_admin[] = "headroomd was not given CAP_SYS_ADMIN, without which criu cannot work as root, so "
                                    "it kept nothing for it (under systemd: install headroomd-checkpoint.conf as a "
                                    "drop-in, then restart)";

static void log_plan(const HrCapsPlan *p, bool setpcap) {
        char kept[256], missing[1024];

        names(p->effective, false, kept, sizeof kept);
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (p->effective & HR_CAP_BIT(table[i].cap))
                        log_debug("Capabilities: %s for %s", table[i].name, table[i].use);
        if (p->missing) {
                names(p->missing, true, missing, sizeof missing);
                log_info("Capabilities: keeping %s; not given to headroomd, so missing: %s", kept, missing);
        } else
                log_info("Capabilities: keeping %s", kept);
        if (!setpcap)
                log_info("Capabilities: no CAP_SETPCAP, so the bounding set stays as it was given and helpers started "
                         "as root get %s", p->no_new_privs ? "what the daemon keeps" : "the whole bounding set");
        if (p->lend)
                log_info("Checkpointing on: criu is lent the %u capabilities this process holds (permitted, never "
                         "effective here) at its start only;%s the bounding set stays whole for the applications criu "
                         "restores",
                         count(p->lend), setpcap ? " helpers get none;" : "");
        else if (no_criu == criu_off)
                log_info("Checkpointing off: the capabilities criu needs are dropped for good; [Checkpoint] Enable=yes "
                         "takes a restart, not a reload");
        else
                log_warning("[Checkpoint] Enable=yes, but checkpoints cannot work: %s", no_criu);
}

int hr_caps_drop(const HrConfig *cfg, bool user_mode) {
        HrCapMask bounding, all, now_bounding, now_all;
        HrCapsPlan p;
        Caps now;
        int r;

        if (user_mode || geteuid() != 0)
                return 0; /* user mode: nothing to give up, nothing to say */

        r = caps_get(&now);
        if (r < 0)
                return log_error_errno(r, "Capabilities: capget() failed: %m");
        bounding_get(&bounding, &all);
        /* Config decides whether criu may run; then only if it can work: installed, and CAP_SYS_ADMIN to lend. */
        const char *why_not = !cfg->actions.checkpoint_enabled                          ? criu_off
                              : !hr_criu_path()                                          ? criu_missing
                              : !(now.permitted & bounding & HR_CAP_BIT(CAP_SYS_ADMIN)) ? criu_no_admin
                                                                                          : NULL;
        hr_caps_plan(!why_not, now.permitted, bounding, all, &p);

        /* CAP_SETPCAP: the securebits and the bounding set. Without it (a service manager that did not give it),
         * both stay as they are. */
        bool setpcap = now.effective & HR_CAP_BIT(CAP_SETPCAP);
        if (setpcap) {
                int cur = prctl(PR_GET_SECUREBITS, 0UL, 0UL, 0UL, 0UL);
                if (cur < 0)
                        return log_error_errno(-errno, "Capabilities: PR_GET_SECUREBITS failed: %m");
                unsigned want = (unsigned) cur | p.securebits;
                if (want != (unsigned) cur && prctl(PR_SET_SECUREBITS, (unsigned long) want, 0UL, 0UL, 0UL) < 0)
                        return log_error_errno(-errno, "Capabilities: cannot set securebits %#x: %m", want);
                for (int cap = 0; cap < 64; cap++)
                        if ((bounding & ~p.bounding & HR_CAP_BIT(cap)) &&
                            prctl(PR_CAPBSET_DROP, (unsigned long) cap, 0UL, 0UL, 0UL) < 0)
                                return log_error_errno(-errno, "Capabilities: cannot drop capability %d from the "
                                                       "bounding set: %m", cap);
        } else {
                p.bounding = bounding;
                p.securebits = 0;
        }
        /* Nothing ambient for the helpers (EINVAL: a kernel before 4.3 has no ambient set). */
        if (prctl(PR_CAP_AMBIENT, (unsigned long) PR_CAP_AMBIENT_CLEAR_ALL, 0UL, 0UL, 0UL) < 0 && errno != EINVAL)
                return log_error_errno(-errno, "Capabilities: cannot clear the ambient set: %m");
        r = caps_set(&(Caps) { .effective = p.effective, .permitted = p.permitted });
        if (r < 0)
                return log_error_errno(r, "Capabilities: capset() to %#llx (effective), %#llx (permitted) failed: %m",
                                       (unsigned long long) p.effective, (unsigned long long) p.permitted);
        if (p.no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1UL, 0UL, 0UL, 0UL) < 0)
                return log_error_errno(-errno, "Capabilities: cannot set no_new_privs: %m");

        /* What the kernel now says, not what was asked. */
        r = caps_get(&now);
        if (r < 0)
                return log_error_errno(r, "Capabilities: capget() failed: %m");
        bounding_get(&now_bounding, &now_all);
        if (now.effective != p.effective || now.permitted != p.permitted || now.inheritable != 0 ||
            now_bounding != p.bounding)
                return log_error_errno(-EPERM, "Capabilities: effective %#llx, permitted %#llx, bounding %#llx after "
                                       "the drop; expected %#llx, %#llx, %#llx",
                                       (unsigned long long) now.effective, (unsigned long long) now.permitted,
                                       (unsigned long long) now_bounding, (unsigned long long) p.effective,
                                       (unsigned long long) p.permitted, (unsigned long long) p.bounding);
        applied = p;
        dropped = true;
        no_criu = why_not;
        log_plan(&p, setpcap);
        return 0;
}

int hr_caps_lend(bool on) {
        int r;

        if (!dropped || applied.lend == 0)
                return 0;
        if (!on) {
                /* Lowering the inheritable set lowers the ambient one with it; cleared explicitly all the same. */
                (void) prctl(PR_CAP_AMBIENT, (unsigned long) PR_CAP_AMBIENT_CLEAR_ALL, 0UL, 0UL, 0UL);
                return caps_set(&(Caps) { .effective = applied.effective, .permitted = applied.permitted });
        }
        r = caps_set(&(Caps) { .effective = applied.effective, .permitted = applied.permitted,
                               .inheritable = applied.lend });
        if (r < 0)
                return r;
        for (int cap = 0; cap < 64; cap++)
                if ((applied.lend & HR_CAP_BIT(cap)) &&
                    prctl(PR_CAP_AMBIENT, (unsigned long) PR_CAP_AMBIENT_RAISE, (unsigned long) cap, 0UL, 0UL) < 0) {
                        r = -errno;
                        (void) hr_caps_lend(false);
                        return r;
                }
        return 0;
}

const char *hr_caps_criu_unavailable(void) {
        return dropped ? no_criu : NULL;
}
