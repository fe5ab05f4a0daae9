/* SPDX-License-Identifier: MIT */
/* Faults, against a real headroomd (--scope: a cgroup the test creates; temp runtime and state dirs) acting on
 * real children: the daemon SIGKILLed at seeded random moments of an incident (and of a checkpoint) and restarted
 * (nothing left frozen, nothing done twice, the registry consistent), a fork storm churning PIDs while it acts
 * (only the chosen are signalled, no fd leak, no crash), and runtime faults: a corrupt registry, a read-only
 * runtime directory, a configuration removed, truncated or garbled between SIGHUP reloads. */
#include <dirent.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>

#include <cmocka.h>
#include <json.h>

#include "itest.h"

/* ---- children that count the signals they get ---- */

/* The signals a child counts (SIGSTOP and SIGKILL cannot be caught: the parent sees those through waitpid()). */
#define N_SIGS 7
static const int rec_sigs[N_SIGS] = { SIGTERM, SIGCONT, SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2 };
enum { S_TERM, S_CONT };

/* One child, in memory shared with it: what it got (its handlers), what its parent saw (waitpid). */
typedef struct Slot {
        int pid;
        int kind;
        uint64_t start_time;
        int ready;        /* the child: in its cgroup, handlers installed */
        int sigs[N_SIGS]; /* the child: signals received */
        int stops, conts; /* the parent: WIFSTOPPED / WIFCONTINUED reports */
        int exited;       /* the parent: reaped, with status */
        int status;
        int killed_by_us; /* the parent ended it itself */
        int want_pid;     /* a "reuse" child: the PID it was to take over */
        int term_unrecorded; /* the child: SIGTERMs that came while the registry did not say "terminating" */
} Slot;

#define MAX_KIDS 96
#define MAX_STORM 60000

typedef struct Shared {
        int stop_storm; /* test -> forker: stop forking */
        int give_up;    /* test -> forker: stop waiting for held children */
        int drained;    /* forker -> test: only held (stopped) children left */
        int done;       /* forker -> test: every child reaped */
        int n_storm;    /* storm children forked */
        int left_stopped;
        int finale;        /* test -> forker: kill half the held children, take their PIDs over */
        int finale_done;   /* forker -> test */
        int finale_reused; /* PIDs it tried to take over at the finale */
        uint64_t storm_seed;
        Slot kid[MAX_KIDS];
        Slot storm[MAX_STORM];
} Shared;

enum Kind { K_KEEPER, K_SHELL, K_IDLE, K_TAB, K_SLOWTAB, K_APPTAB, K_IDX, K_HELD, K_CKPT, K_THRASH, K_FORKER };
static const char *const kind_comm[] = { "keeper", "shell", "idle", "tab", "slowtab", "apptab",
                                         "idx",    "held",  "ckpt", "thrasher", "forker" };

/* A slow victim: on SIGTERM it takes this long to exit (a clean shutdown). */
#define SLOW_EXIT_MS 1500

#define MAX_APPS 8
#define MAX_RUNS 64

static struct {
        ItestCgroup cg;
        bool zram_ours;
        pid_t test_pid;
        char dir[256];
        char run[300], state[300], reg[320], sock[320], conf[300];
        char cg_rel[300]; /* the test cgroup under the cgroup2 mount ("/hr-faults-PID") */
        Shared *sh;
        unsigned n_kids;
        char app[MAX_APPS][600];
        unsigned n_apps;
        pid_t daemon;
        int daemon_status;
        bool daemon_died;
        unsigned n_runs;
        char logs[MAX_RUNS][320]; /* each daemon run's stderr */
        char *log;                /* the current run's, as last read */
        size_t log_len, log_cap;
        uint64_t rng;
} env;

static Slot *self_slot;
static volatile sig_atomic_t got_term;
static bool self_slow;
static char self_entry[32]; /* the child: how its registry entry starts, {"pid":PID, */

/* In a child's SIGTERM handler (open, read and plain string scans only): whether the registry on disk
 * records this process as terminating, as the daemon must before it signals (write-ahead). */
static bool term_recorded(void) {
        static char buf[64 * 1024];
        size_t n = 0;
        int fd = open(env.reg, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return false;
        for (ssize_t k; n < sizeof buf - 1 && (k = read(fd, buf + n, sizeof buf - 1 - n)) > 0;)
                n += (size_t) k;
        (void) close(fd);
        buf[n] = '\0';
        char *e = strstr(buf, self_entry), *eol = e ? strchr(e, '\n') : NULL;
        if (eol)
                *eol = '\0';
        return e && strstr(e, "\"state\":\"terminating\"");
}

static void on_signal(int sig) {
        int saved = errno;
        for (unsigned i = 0; i < N_SIGS; i++)
                if (rec_sigs[i] == sig && self_slot)
                        __atomic_fetch_add(&self_slot->sigs[i], 1, __ATOMIC_SEQ_CST);
        if (sig == SIGTERM && self_slot && !term_recorded())
                __atomic_fetch_add(&self_slot->term_unrecorded, 1, __ATOMIC_SEQ_CST);
        errno = saved;
        if (sig == SIGTERM) {
                if (self_slow) {
                        got_term = 1;
                        return;
                }
                struct sigaction dfl = { .sa_handler = SIG_DFL };
                (void) sigaction(SIGTERM, &dfl, NULL);
                (void) raise(SIGTERM); /* delivered when the handler returns: dies of SIGTERM */
        }
}

static void install_handlers(bool slow) {
        struct sigaction sa = { .sa_handler = on_signal };
        self_slow = slow;
        snprintf(self_entry, sizeof self_entry, "{\"pid\":%d,", (int) getpid());
        for (unsigned i = 0; i < N_SIGS; i++)
                (void) sigaction(rec_sigs[i], &sa, NULL);
}

/* xorshift64*: the state's next step, its output scrambled so that the low bits are as good as the high ones. */
static uint64_t xorshift(uint64_t *x) {
        *x ^= *x >> 12;
        *x ^= *x << 25;
        *x ^= *x >> 27;
        return (*x * 0x2545F4914F6CDD1DULL) >> 11;
}

/* Field 22 of /proc/PID/stat (clock ticks since boot), 0 when gone. */
static uint64_t proc_start_time(pid_t pid) {
        char path[64], buf[1024];
        snprintf(path, sizeof path, "/proc/%d/stat", (int) pid);
        if (itest_read(path, buf, sizeof buf) < 0)
                return 0;
        char *p = strrchr(buf, ')');
        if (!p)
                return 0;
        p += 2; /* field 3 */
        for (int f = 3; f < 22 && p; f++) {
                p = strchr(p, ' ');
                if (p)
                        p++;
        }
        return p ? strtoull(p, NULL, 10) : 0;
}

static int tracer_pid(pid_t pid) {
        char path[64], buf[4096], *p;
        snprintf(path, sizeof path, "/proc/%d/status", (int) pid);
        if (itest_read(path, buf, sizeof buf) < 0 || !(p = strstr(buf, "TracerPid:")))
                return 0;
        return atoi(p + 10);
}

static unsigned fd_count(pid_t pid) {
        char path[64];
        unsigned n = 0;
        struct dirent *de;
        snprintf(path, sizeof path, "/proc/%d/fd", (int) pid);
        DIR *d = opendir(path);
        while (d && (de = readdir(d)))
                n += de->d_name[0] != '.';
        if (d)
                closedir(d);
        return n;
}

/* Writes the formatted text to path (any length: itest_write() stops at 512 bytes). 0 or -errno. */
static int __attribute__((format(printf, 2, 3))) write_text(const char *path, const char *fmt, ...) {
        char *text = NULL;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&text, fmt, ap);
        va_end(ap);
        if (n < 0)
                return -ENOMEM;
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), r = 0;
        if (fd < 0)
                r = -errno;
        else if (write(fd, text, (size_t) n) != n)
                r = -EIO;
        if (fd >= 0)
                close(fd);
        free(text);
        return r;
}

static int write_procs(const char *v2dir) {
        char path[700];
        snprintf(path, sizeof path, "%s/cgroup.procs", v2dir);
        if (itest_write(path, "0") < 0)
                return -1;
        if (env.cg.v1[0]) {
                snprintf(path, sizeof path, "%s/cgroup.procs", env.cg.v1);
                if (itest_write(path, "0") < 0)
                        return -1;
        }
        return 0;
}

/* ---- the fork storm (a child of the test: "forker", its children "storm" and "reuse") ---- */

#define STORM_RUNNING 24
#define STORM_HELD_MAX 32
#define REUSE_LIFE_MS 2500

static _Noreturn void storm_main(Slot *s, const char *comm, unsigned life_ms) {
        self_slot = s; /* before the name: nothing acts on a "forker" */
        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
        (void) prctl(PR_SET_NAME, comm);
        itest_sleep_ms((long) life_ms);
        _exit(0);
}

typedef struct Live {
        int pid, slot;
        bool stopped, reuse;
} Live;

typedef struct Forker {
        Shared *sh;
        Live live[STORM_RUNNING + 2 * STORM_HELD_MAX + 64];
        unsigned n_live, n_running, n_held;
        uint64_t x;
} Forker;

/* Forks a child into the next slot: a "storm" child, or (want_pid > 0) a "reuse" child on the PID a frozen
 * child just left, by setting ns_last_pid (the system may take that PID first: then it lands elsewhere). */
static void storm_fork(Forker *f, pid_t want_pid) {
        Shared *sh = f->sh;
        int i = sh->n_storm;
        if (i >= MAX_STORM || f->n_live >= sizeof f->live / sizeof f->live[0])
                return;
        uint64_t r = xorshift(&f->x);
        unsigned life = r % 20 == 0 ? 200 + (unsigned) (r / 20 % 500) : (unsigned) (r / 20 % 8);
        if (want_pid > 0) {
                life = REUSE_LIFE_MS;
                sh->storm[i].kind = 1;
                sh->storm[i].want_pid = want_pid;
                if (itest_write("/proc/sys/kernel/ns_last_pid", "%d", (int) want_pid - 1) < 0)
                        return;
        }
        pid_t p = fork();
        if (p == 0)
                storm_main(&sh->storm[i], want_pid > 0 ? "reuse" : "storm", life);
        if (p < 0)
                return;
        sh->storm[i].pid = p;
        __atomic_store_n(&sh->n_storm, i + 1, __ATOMIC_SEQ_CST);
        f->live[f->n_live++] = (Live) { .pid = p, .slot = i, .reuse = want_pid > 0 };
        if (want_pid <= 0)
                f->n_running++;
}

/* One report of waitpid() into the child's slot; a frozen child killed here may get its PID taken over. */
static void storm_event(Forker *f, pid_t p, int st, bool reuse_after_kill) {
        unsigned j = 0;
        while (j < f->n_live && f->live[j].pid != p)
                j++;
        if (j == f->n_live)
                return;
        Live *l = &f->live[j];
        Slot *s = &f->sh->storm[l->slot];
        if (WIFSTOPPED(st)) {
                s->stops++;
                if (!l->stopped && !l->reuse) {
                        l->stopped = true;
                        f->n_running--;
                        f->n_held++;
                }
                if (!l->reuse && !s->killed_by_us && (xorshift(&f->x) % 2 == 0 || f->n_held > STORM_HELD_MAX)) {
                        s->killed_by_us = 1;
                        (void) kill(p, SIGKILL);
                }
        } else if (WIFCONTINUED(st)) {
                s->conts++;
                if (l->stopped) {
                        l->stopped = false;
                        f->n_held--;
                        f->n_running++;
                }
        } else {
                s->status = st;
                s->exited = 1;
                bool was_held = l->stopped;
                if (l->reuse)
                        ;
                else if (l->stopped)
                        f->n_held--;
                else
                        f->n_running--;
                *l = f->live[--f->n_live];
                if (was_held && s->killed_by_us && reuse_after_kill && xorshift(&f->x) % 2 == 0)
                        storm_fork(f, p);
        }
}

/* Keeps STORM_RUNNING short-lived children running, reaping each; a child the daemon stops is either SIGKILLed
 * here (its PID freed while the daemon still holds its record, and half the time taken over at once by a
 * "reuse" child) or held until the daemon thaws it. At the finale half the held ones are killed and their
 * PIDs taken over, right before the test stops the daemon (which thaws what its registry names). */
static _Noreturn void forker_main(void) {
        static Forker f;
        Shared *sh = env.sh;
        double end = itest_now() + 60, drained_at = 0;

        f.sh = sh;
        f.x = sh->storm_seed | 1;
        __atomic_store_n(&self_slot->ready, 1, __ATOMIC_SEQ_CST);
        for (;;) {
                bool stop = __atomic_load_n(&sh->stop_storm, __ATOMIC_SEQ_CST) || itest_now() > end;
                while (!stop && f.n_running < STORM_RUNNING && sh->n_storm < MAX_STORM) {
                        unsigned before = f.n_live;
                        storm_fork(&f, 0);
                        if (f.n_live == before)
                                break;
                }
                if (stop && f.n_running == 0 && !sh->drained) {
                        __atomic_store_n(&sh->drained, 1, __ATOMIC_SEQ_CST);
                        drained_at = itest_now();
                }
                if (__atomic_load_n(&sh->finale, __ATOMIC_SEQ_CST) && !sh->finale_done) {
                        for (unsigned j = 0, k = 0; j < f.n_live; j++) {
                                Live *l = &f.live[j];
                                if (!l->stopped || f.sh->storm[l->slot].killed_by_us || k++ % 2)
                                        continue;
                                pid_t p = l->pid;
                                int st = 0;
                                f.sh->storm[l->slot].killed_by_us = 1;
                                (void) kill(p, SIGKILL);
                                if (waitpid(p, &st, 0) != p)
                                        continue;
                                storm_event(&f, p, st, false); /* moves the last entry into j */
                                storm_fork(&f, p);
                                if (sh->storm[sh->n_storm - 1].want_pid == p)
                                        sh->storm[sh->n_storm - 1].kind = 2; /* taken over at the finale */
                                sh->finale_reused++;
                                j--;
                        }
                        __atomic_store_n(&sh->finale_done, 1, __ATOMIC_SEQ_CST);
                }
                if (stop && f.n_live == 0)
                        break;
                if (sh->drained && (__atomic_load_n(&sh->give_up, __ATOMIC_SEQ_CST) || itest_now() > drained_at + 30)) {
                        /* Held children the daemon never thawed: counted, then ended (ours). */
                        for (unsigned j = 0; j < f.n_live; j++)
                                if (f.live[j].stopped) {
                                        sh->left_stopped++;
                                        sh->storm[f.live[j].slot].killed_by_us = 1;
                                        (void) kill(f.live[j].pid, SIGKILL);
                                }
                        __atomic_store_n(&sh->give_up, 0, __ATOMIC_SEQ_CST);
                        drained_at = itest_now() + 1e6;
                }
                int st = 0;
                pid_t p = waitpid(-1, &st, WUNTRACED | WCONTINUED | (f.n_running > 0 ? 0 : WNOHANG));
                if (p <= 0) {
                        itest_sleep_ms(2);
                        continue;
                }
                storm_event(&f, p, st, !stop);
        }
        __atomic_store_n(&sh->done, 1, __ATOMIC_SEQ_CST);
        _exit(0);
}

/* ---- the test's own children ---- */

static _Noreturn void kid_main(Slot *s, enum Kind k, const char *v2dir) {
        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != env.test_pid)
                _exit(80);
        if (write_procs(v2dir ? v2dir : env.cg.v2) < 0)
                _exit(81);
        self_slot = s;
        if (k == K_THRASH) {
                char exe[512];
                snprintf(exe, sizeof exe, "%s/thrasher", env.dir);
                __atomic_store_n(&s->ready, 1, __ATOMIC_SEQ_CST);
                /* hog N S: holds 200 MiB and touches all of it (thrashes under the limit) */
                execl(exe, "thrasher", "200", "120", (char *) NULL);
                _exit(82);
        }
        install_handlers(k == K_SLOWTAB);
        (void) prctl(PR_SET_NAME, kind_comm[k]);
        if (k == K_FORKER)
                forker_main();
        __atomic_store_n(&s->ready, 1, __ATOMIC_SEQ_CST);
        while (!got_term)
                itest_sleep_ms(100);
        itest_sleep_ms(SLOW_EXIT_MS);
        _exit(0);
}

/* Starts a child of kind k in the test cgroup (or the cgroup2 directory v2dir), waits until it is in place. */
static Slot *kid_spawn(enum Kind k, const char *v2dir) {
        assert_true(env.n_kids < MAX_KIDS);
        Slot *s = &env.sh->kid[env.n_kids];
        memset(s, 0, sizeof *s);
        s->kind = (int) k;
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
                kid_main(s, k, v2dir);
        env.n_kids++;
        s->pid = pid;
        double end = itest_now() + 10;
        while (!__atomic_load_n(&s->ready, __ATOMIC_SEQ_CST) && itest_now() < end)
                itest_sleep_ms(2);
        assert_true(__atomic_load_n(&s->ready, __ATOMIC_SEQ_CST));
        /* The name is set before ready (an exec'd thrasher names itself): wait for it to show. */
        char path[64], comm[64];
        snprintf(path, sizeof path, "/proc/%d/comm", (int) pid);
        while (itest_now() < end && (itest_read(path, comm, sizeof comm) < 0 || strncmp(comm, kind_comm[k], strlen(kind_comm[k])) != 0))
                itest_sleep_ms(2);
        s->start_time = proc_start_time(pid);
        assert_true(s->start_time > 0);
        return s;
}

/* Collects what waitpid() says about each child still running (stops, continues, ends). */
static void kids_poll(void) {
        for (unsigned i = 0; i < env.n_kids; i++) {
                Slot *s = &env.sh->kid[i];
                int st;
                pid_t r;
                while (!s->exited && (r = waitpid(s->pid, &st, WNOHANG | WUNTRACED | WCONTINUED)) == s->pid) {
                        if (WIFSTOPPED(st))
                                s->stops++;
                        else if (WIFCONTINUED(st))
                                s->conts++;
                        else {
                                s->exited = 1;
                                s->status = st;
                        }
                }
        }
}

static Slot *kid_by_pid(pid_t pid) {
        for (unsigned i = 0; i < env.n_kids; i++)
                if (env.sh->kid[i].pid == pid)
                        return &env.sh->kid[i];
        return NULL;
}

static void kid_end(Slot *s) {
        if (s->exited || s->pid <= 0)
                return;
        s->killed_by_us = 1;
        (void) kill(s->pid, SIGKILL);
        (void) kill(s->pid, SIGCONT);
        int st = 0;
        if (waitpid(s->pid, &st, 0) == s->pid) {
                s->exited = 1;
                s->status = st;
        }
}

/* An app scope of its own under the test cgroup (frozen with the cgroup freezer when its process is chosen). */
static const char *app_make(unsigned n) {
        assert_true(env.n_apps < MAX_APPS);
        char *p = env.app[env.n_apps], path[sizeof env.app[0]];
        snprintf(path, sizeof path, "%s/app-hrfault-%u.scope", env.cg.v2, n);
        memcpy(p, path, sizeof path);
        assert_int_equal(mkdir(p, 0755), 0);
        env.n_apps++;
        return p;
}

static bool app_freeze_requested(const char *app) {
        char path[700], buf[16];
        snprintf(path, sizeof path, "%s/cgroup.freeze", app);
        return itest_read(path, buf, sizeof buf) == 0 && buf[0] == '1';
}

/* The app scope a child lives in, or NULL. */
static const char *app_of(const Slot *s) {
        char path[64], buf[512];
        snprintf(path, sizeof path, "/proc/%d/cgroup", s->pid);
        if (itest_read(path, buf, sizeof buf) < 0)
                return NULL;
        for (unsigned i = 0; i < env.n_apps; i++) {
                const char *base = strrchr(env.app[i], '/');
                if (base && strstr(buf, base))
                        return env.app[i];
        }
        return NULL;
}

/* Stopped by a signal, or in a cgroup asked to freeze. */
static bool kid_held(const Slot *s) {
        if (s->exited)
                return false;
        const char *app = app_of(s);
        return itest_proc_state(s->pid) == 'T' || (app && app_freeze_requested(app));
}

/* ---- headroomd: started with its stderr in a file per run ---- */

static void print_log_tail(const char *why) {
        if (!env.log)
                return;
        size_t off = env.log_len > 12000 ? env.log_len - 12000 : 0;
        fprintf(stderr, "%s: headroomd log (run %u, %s)%s:\n%s\n", why, env.n_runs, env.logs[env.n_runs ? env.n_runs - 1 : 0],
                off ? ", the end" : "", env.log + off);
}

static void log_load(void) {
        if (env.n_runs == 0)
                return;
        int fd = open(env.logs[env.n_runs - 1], O_RDONLY | O_CLOEXEC);
        env.log_len = 0;
        if (env.log)
                env.log[0] = '\0'; /* not there yet: nothing logged */
        if (fd < 0)
                return;
        for (;;) {
                if (env.log_cap - env.log_len < 65536) {
                        size_t cap = env.log_cap ? env.log_cap * 2 : 1 << 20;
                        char *b = realloc(env.log, cap);
                        if (!b)
                                break;
                        env.log = b;
                        env.log_cap = cap;
                }
                ssize_t k = read(fd, env.log + env.log_len, env.log_cap - env.log_len - 1);
                if (k <= 0)
                        break;
                env.log_len += (size_t) k;
        }
        close(fd);
        if (env.log)
                env.log[env.log_len] = '\0';
}

static unsigned count_in(const char *text, const char *needle) {
        unsigned n = 0;
        for (const char *p = text; p && (p = strstr(p, needle)); p++)
                n++;
        return n;
}

static unsigned log_count(const char *needle) {
        log_load();
        return env.log ? count_in(env.log, needle) : 0;
}

/* Whether the daemon still runs (a death is recorded once, with its log). */
static bool daemon_alive(void) {
        int st = 0;
        if (env.daemon <= 0)
                return false;
        if (waitpid(env.daemon, &st, WNOHANG) != env.daemon)
                return true;
        env.daemon = 0;
        env.daemon_status = st;
        env.daemon_died = true;
        log_load();
        fprintf(stderr, "headroomd ended by itself: %s %d\n", WIFSIGNALED(st) ? "signal" : "exit status",
                WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
        print_log_tail("headroomd ended");
        return false;
}

/* Waits until needle has appeared `count` times in this run's log (false at the deadline or if it died). */
static bool log_wait(const char *needle, unsigned count, double seconds) {
        double end = itest_now() + seconds;
        for (;;) {
                if (log_count(needle) >= count)
                        return true;
                if (itest_now() > end || !daemon_alive())
                        return false;
                kids_poll();
                itest_sleep_ms(10);
        }
}

/* Bind-mounts dir read-only in a mount namespace of the calling process's own. */
static int make_readonly(const char *dir) {
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
            mount(dir, dir, NULL, MS_BIND, NULL) < 0 || mount(NULL, dir, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
                return -errno;
        return 0;
}

/* Starts headroomd acting inside the test cgroup only, with the test's config, runtime and state dirs;
 * readonly_run: in a mount namespace where the runtime directory is a read-only bind mount. */
static void daemon_start(const char *config_text, bool readonly_run) {
        assert_true(env.n_runs < MAX_RUNS);
        if (config_text)
                assert_int_equal(write_text(env.conf, "%s", config_text), 0);
        snprintf(env.logs[env.n_runs], sizeof env.logs[0], "%s/daemon-%02u.log", env.dir, env.n_runs + 1);
        const char *argv[] = { "headroomd",    "--no-mlock", "--scope",     env.cg.v2, "--config", env.conf,
                               "--runtime-dir", env.run,     "--state-dir", env.state, NULL };
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                /* Should the test die, the daemon stops the clean way (thawing what it holds). */
                (void) prctl(PR_SET_PDEATHSIG, SIGTERM);
                if (getppid() != env.test_pid)
                        _exit(92);
                int fd = open(env.logs[env.n_runs], O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
                int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
                if (fd < 0 || nul < 0 || dup2(fd, STDERR_FILENO) < 0 || dup2(fd, STDOUT_FILENO) < 0 ||
                    dup2(nul, STDIN_FILENO) < 0)
                        _exit(95);
                if (readonly_run && make_readonly(env.run) < 0)
                        _exit(97);
                execv(getenv("HEADROOMD"), (char *const *) argv);
                _exit(93);
        }
        env.n_runs++;
        env.daemon = pid;
        env.daemon_died = false;
        env.log_len = 0;
}

/* Stops the daemon with sig; its wait status. */
static int daemon_stop(int sig) {
        int st = 0;
        assert_true(env.daemon > 0);
        assert_int_equal(kill(env.daemon, sig), 0);
        assert_int_equal(waitpid(env.daemon, &st, 0), env.daemon);
        env.daemon = 0;
        log_load();
        return st;
}

static void daemon_stop_clean(void) {
        int st = daemon_stop(SIGTERM);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                fprintf(stderr, "headroomd did not exit 0 on SIGTERM: %s %d\n", WIFSIGNALED(st) ? "signal" : "status",
                        WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
                print_log_tail("SIGTERM");
        }
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
}

static void daemon_crash(void) {
        int st = daemon_stop(SIGKILL);
        assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

/* ---- the registry on disk ---- */

typedef struct RegEntry {
        int pid;
        uint64_t start_time;
        char state[16], method[16], cgroup[512], comm[32];
} RegEntry;

#define REG_MAX 300

/* Reads and checks the registry file: 0, -ENOENT, or -EBADMSG with the reason in why. */
static int reg_load(RegEntry *out, unsigned *n, char *why, size_t why_size) {
        char *buf = NULL;
        size_t len = 0, cap = 0;
        int fd = open(env.reg, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        *n = 0;
        why[0] = '\0';
        if (fd < 0)
                return -errno;
        for (;;) {
                if (cap - len < 4096) {
                        cap = cap ? cap * 2 : 65536;
                        buf = realloc(buf, cap);
                        assert_non_null(buf);
                }
                ssize_t k = read(fd, buf + len, cap - len - 1);
                if (k <= 0)
                        break;
                len += (size_t) k;
        }
        close(fd);
        buf[len] = '\0';
        json_object *root = json_tokener_parse(buf), *v, *entries;
        int r = -EBADMSG;
        if (!root || !json_object_is_type(root, json_type_object))
                snprintf(why, why_size, "not a JSON object: %.200s", buf);
        else if (!json_object_object_get_ex(root, "version", &v) || json_object_get_int(v) != 1)
                snprintf(why, why_size, "no version 1");
        else if (!json_object_object_get_ex(root, "entries", &entries) || !json_object_is_type(entries, json_type_array))
                snprintf(why, why_size, "no entries array");
        else {
                r = 0;
                size_t m = json_object_array_length(entries);
                for (size_t i = 0; i < m && r == 0; i++) {
                        json_object *e = json_object_array_get_idx(entries, i), *f;
                        RegEntry *o = &out[*n];
                        memset(o, 0, sizeof *o);
                        static const char *const keys[] = { "pid", "start_time", "state", "method", "cgroup", "comm" };
                        for (size_t k = 0; k < 6 && r == 0; k++)
                                if (!json_object_object_get_ex(e, keys[k], &f)) {
                                        snprintf(why, why_size, "entry %zu has no \"%s\"", i, keys[k]);
                                        r = -EBADMSG;
                                }
                        if (r < 0 || *n >= REG_MAX) {
                                r = r < 0 ? r : -E2BIG;
                                break;
                        }
                        json_object_object_get_ex(e, "pid", &f);
                        o->pid = json_object_get_int(f);
                        json_object_object_get_ex(e, "start_time", &f);
                        o->start_time = (uint64_t) json_object_get_int64(f);
                        json_object_object_get_ex(e, "state", &f);
                        snprintf(o->state, sizeof o->state, "%s", json_object_get_string(f));
                        json_object_object_get_ex(e, "method", &f);
                        snprintf(o->method, sizeof o->method, "%s", json_object_get_string(f));
                        json_object_object_get_ex(e, "cgroup", &f);
                        snprintf(o->cgroup, sizeof o->cgroup, "%s", json_object_get_string(f));
                        json_object_object_get_ex(e, "comm", &f);
                        snprintf(o->comm, sizeof o->comm, "%s", json_object_get_string(f));
                        (*n)++;
                }
        }
        json_object_put(root);
        free(buf);
        return r;
}

static const RegEntry *reg_find(const RegEntry *e, unsigned n, int pid) {
        for (unsigned i = 0; i < n; i++)
                if (e[i].pid == pid)
                        return &e[i];
        return NULL;
}

/* A victim recorded ahead (terminating, or checkpointed) while still frozen: its record keeps the freeze method
 * until the thaw that goes ahead of its SIGTERM or dump. */
static bool reg_held_victim(const RegEntry *e) {
        return (!strcmp(e->state, "terminating") || !strcmp(e->state, "checkpointed")) && strcmp(e->method, "none") != 0;
}

/* The registry as a crash left it: well-formed, naming only the test's own children by their (pid, start
 * time) and name, each state with its method; every child that is stopped or in a cgroup asked to freeze has
 * a "frozen" entry (written ahead of the freeze), or a "terminating" or "checkpointed" one that keeps the
 * freeze's method (a frozen victim recorded ahead of the thaw that precedes its SIGTERM or its dump). Returns
 * the number of frozen entries. */
static unsigned check_crash_registry(RegEntry *e, unsigned *n) {
        char why[300];
        int r = reg_load(e, n, why, sizeof why);
        if (r == -ENOENT) {
                *n = 0;
                r = 0;
        }
        if (r < 0)
                fprintf(stderr, "%s: %s\n", env.reg, why);
        assert_int_equal(r, 0);
        unsigned frozen = 0;
        for (unsigned i = 0; i < *n; i++) {
                Slot *s = kid_by_pid(e[i].pid);
                if (!s || s->start_time != e[i].start_time || strcmp(e[i].comm, kind_comm[s->kind]) != 0) {
                        fprintf(stderr, "registry entry %d (%s, start %llu) is none of the test's children\n", e[i].pid,
                                e[i].comm, (unsigned long long) e[i].start_time);
                        fail();
                }
                for (unsigned j = 0; j < i; j++)
                        assert_false(e[j].pid == e[i].pid && e[j].start_time == e[i].start_time);
                bool held_victim = reg_held_victim(&e[i]);
                if (strcmp(e[i].state, "frozen") == 0 || held_victim) {
                        frozen += !held_victim;
                        if (s->kind == K_APPTAB) {
                                assert_string_equal(e[i].method, "cgroup");
                                const char *app = app_of(s);
                                assert_non_null(app);
                                /* the cgroup as the daemon names it: relative to the cgroup2 mount */
                                assert_non_null(strstr(app, e[i].cgroup));
                                assert_int_equal(strlen(strstr(app, e[i].cgroup)), strlen(e[i].cgroup));
                        } else
                                assert_string_equal(e[i].method, "sigstop");
                } else if (strcmp(e[i].state, "terminating") == 0 || strcmp(e[i].state, "checkpointed") == 0)
                        assert_string_equal(e[i].method, "none");
                else {
                        fprintf(stderr, "registry entry %d: state \"%s\"\n", e[i].pid, e[i].state);
                        fail();
                }
        }
        kids_poll();
        for (unsigned i = 0; i < env.n_kids; i++) {
                const Slot *s = &env.sh->kid[i];
                if (!kid_held(s))
                        continue;
                const RegEntry *f = reg_find(e, *n, s->pid);
                if (!f || (strcmp(f->state, "frozen") != 0 && strcmp(f->method, "none") == 0)) {
                        fprintf(stderr, "%d (%s) is held (stopped or freezing) with %s in the registry\n", s->pid,
                                kind_comm[s->kind], f ? f->state : "no entry");
                        print_log_tail("write-ahead");
                        fail();
                }
        }
        return frozen;
}

/* ---- configurations ---- */

#define RULES                                                                                                   \
        "[Rule slowtab]\nComm=^slowtab$\nPriority=95\n"                                                         \
        "[Rule tab]\nComm=^tab$\nPriority=85\n"                                                                 \
        "[Rule apptab]\nComm=^apptab$\nPriority=85\n"                                                           \
        "[Rule idx]\nComm=^idx$\nPriority=70\n"                                                                 \
        "[Rule shell]\nComm=^shell$\nPriority=10\n"                                                             \
        "[Rule storm]\nComm=^storm$\nPriority=85\n"                                                             \
        "[Protect keeper]\nComm=^keeper$\n"                                                                     \
        "[Protect forker]\nComm=^forker$\n"

/* Scores only MemAvailable, with its ramp placed so this machine looks CRITICAL (70 points) or ELEVATED (30). */
#define MEMAVAIL_ONLY                                                                                           \
        "[Pressure]\nSwapCredit=0\n"                                                                            \
        "MemAvailableStart=100%\nMemAvailableFull=99.99%\n"                                                     \
        "PsiSomeWeight=0\nPsiFullWeight=0\nSwapFillWeight=0\nSwapIoWeight=0\nRefaultWeight=0\n"
#define LOOKS_CRITICAL MEMAVAIL_ONLY "MemAvailableWeight=0.7\n"
#define LOOKS_ELEVATED MEMAVAIL_ONLY "MemAvailableWeight=0.3\n"

/* An incident that lasts: two freezes per tick, a victim every half second (no runaways: everything is idle). */
#define INCIDENT                                                                                                \
        LOOKS_CRITICAL "[Freeze]\nMaxPerTick=2\n[Terminate]\nRunawayMiBPerSec=1048576\nGraceCriticalSec=3s\n"  \
        "[Kill]\nCooldownSec=500ms\n" RULES

/* Real pressure: the default model (PSI, swap, refaults) on the test cgroup. */
#define REAL_PRESSURE "[Kill]\nCooldownSec=1s\n" RULES

/* Nothing to do: no component counts. */
#define CALM                                                                                                    \
        "[Pressure]\nPsiSomeWeight=0\nPsiFullWeight=0\nSwapFillWeight=0\nSwapIoWeight=0\nRefaultWeight=0\n"    \
        "MemAvailableWeight=0\n" RULES

/* ---- setup ---- */

static int setup(void **state) {
        (void) state;
        memset(&env.cg, 0, sizeof env.cg);
        env.zram_ours = false;
        env.dir[0] = '\0';
        env.n_kids = env.n_apps = env.n_runs = 0;
        env.daemon = 0;
        env.daemon_died = false;
        env.log_len = 0;
        memset(env.sh, 0, sizeof *env.sh);
        return 0;
}

/* Every process the test started is ended by its pid (reaped, so never a reused one); then anything left in the
 * test's own cgroup is killed through cgroup.kill, the app scopes and the cgroup are removed. */
static int teardown(void **state) {
        (void) state;
        if (env.daemon > 0) {
                int st;
                (void) kill(env.daemon, SIGTERM);
                double end = itest_now() + 10;
                while (waitpid(env.daemon, &st, WNOHANG) == 0 && itest_now() < end)
                        itest_sleep_ms(20);
                if (waitpid(env.daemon, &st, WNOHANG) == 0) {
                        (void) kill(env.daemon, SIGKILL);
                        (void) waitpid(env.daemon, &st, 0);
                }
                env.daemon = 0;
        }
        __atomic_store_n(&env.sh->stop_storm, 1, __ATOMIC_SEQ_CST);
        for (unsigned i = 0; i < env.n_kids; i++)
                kid_end(&env.sh->kid[i]);
        for (unsigned i = 0; i < env.n_apps; i++) {
                char path[700];
                snprintf(path, sizeof path, "%s/cgroup.freeze", env.app[i]);
                (void) itest_write(path, "0");
        }
        if (env.cg.v2[0]) {
                char path[700], buf[4096];
                snprintf(path, sizeof path, "%s/cgroup.kill", env.cg.v2);
                (void) itest_write(path, "1");
                double end = itest_now() + 10;
                for (;;) {
                        bool empty = true;
                        for (unsigned i = 0; i <= env.n_apps; i++) {
                                snprintf(path, sizeof path, "%s/cgroup.procs", i < env.n_apps ? env.app[i] : env.cg.v2);
                                if (itest_read(path, buf, sizeof buf) == 0 && buf[0])
                                        empty = false;
                        }
                        while (waitpid(-1, NULL, WNOHANG) > 0) /* storm children reparented to us (subreaper) */
                                ;
                        if (empty || itest_now() > end)
                                break;
                        itest_sleep_ms(20);
                }
        }
        for (unsigned i = 0; i < env.n_apps; i++)
                if (rmdir(env.app[i]) < 0 && errno != ENOENT)
                        fprintf(stderr, "cleanup: rmdir %s: %s\n", env.app[i], strerror(errno));
        env.n_apps = 0;
        itest_cgroup_remove(&env.cg);
        itest_swap_teardown(&env.zram_ours);
        if (env.dir[0] && getenv("HR_TEST_KEEP"))
                fprintf(stderr, "kept %s\n", env.dir);
        else if (env.dir[0]) {
                char cmd[400];
                snprintf(cmd, sizeof cmd, "rm -rf '%s'", env.dir);
                (void) !system(cmd);
                env.dir[0] = '\0';
        }
        env.n_kids = 0;
        return 0;
}

/* The test cgroup (memory-limited to limit_mib with its v1 twin where asked), the temp dir, the seed. */
static void prepare(int limit_mib) {
        char name[64], mnt[256];
        if (geteuid() != 0)
                ITEST_SKIP("needs root to create cgroups and signal");
        if (access("/proc/pressure/memory", R_OK) < 0)
                ITEST_SKIP("kernel without PSI (boot with psi=1)");
        snprintf(name, sizeof name, "hr-faults-%d", (int) getpid());
        const char *why = itest_cgroup_make(&env.cg, name, limit_mib);
        if (why)
                ITEST_SKIP("%s", why);
        char path[600];
        snprintf(path, sizeof path, "%s/cgroup.kill", env.cg.v2);
        if (access(path, W_OK) < 0)
                ITEST_SKIP("no cgroup.kill (kernel before 5.14): the storm could not be cleaned up");
        if (env.cg.v1[0]) {
                snprintf(path, sizeof path, "%s/memory.oom_control", env.cg.v1);
                if (itest_write(path, "1") < 0) /* the kernel's OOM killer is not the subject */
                        ITEST_SKIP("cannot disable the kernel OOM killer in %s", env.cg.v1);
        }
        assert_true(itest_find_cgroup2(mnt, sizeof mnt));
        snprintf(env.cg_rel, sizeof env.cg_rel, "%s", env.cg.v2 + strlen(mnt));
        snprintf(env.dir, sizeof env.dir, "/tmp/hr-faults-XXXXXX");
        assert_non_null(mkdtemp(env.dir));
        snprintf(env.run, sizeof env.run, "%s/run", env.dir);
        snprintf(env.state, sizeof env.state, "%s/state", env.dir);
        snprintf(env.reg, sizeof env.reg, "%s/registry.json", env.run);
        snprintf(env.sock, sizeof env.sock, "%s/headroom.sock", env.run);
        snprintf(env.conf, sizeof env.conf, "%s/headroom.conf", env.dir);
        assert_int_equal(mkdir(env.run, 0755), 0);
        const char *seed = getenv("HR_TEST_SEED");
        env.rng = seed ? strtoull(seed, NULL, 0) : (uint64_t) time(NULL) ^ ((uint64_t) getpid() << 20);
        env.rng |= 1;
        fprintf(stderr, "seed %llu (HR_TEST_SEED=%llu repeats the choices)\n", (unsigned long long) env.rng,
                (unsigned long long) env.rng);
}

/* ---- reading the log's action lines ---- */

/* Calls fn for each line of text that carries an action: "VERB PID (" right after the "headroomd: " prefix,
 * that took effect (not skipped, not failed). */
typedef void (*action_fn)(const char *verb, int pid, const char *line, void *userdata);

static void for_each_action(const char *text, action_fn fn, void *userdata) {
        static const char *const verbs[] = { "freeze ",    "thaw ",      "terminate ", "kill ",
                                             "checkpoint ", "SIGKILL ",   "SIGTERM ",   "Thawed ",
                                             "Previous run: thawed " };
        for (const char *l = text; l && *l;) {
                const char *eol = strchr(l, '\n');
                size_t len = eol ? (size_t) (eol - l) : strlen(l);
                char line[1024];
                snprintf(line, sizeof line, "%.*s", (int) (len < sizeof line ? len : sizeof line - 1), l);
                const char *p = strstr(line, "headroomd: ");
                p = p ? p + 11 : line;
                while (*p == ' ')
                        p++;
                for (size_t v = 0; v < sizeof verbs / sizeof verbs[0]; v++) {
                        size_t k = strlen(verbs[v]);
                        char *end;
                        if (strncmp(p, verbs[v], k) != 0)
                                continue;
                        long pid = strtol(p + k, &end, 10);
                        if (end == p + k || strncmp(end, " (", 2) != 0)
                                continue;
                        if (strstr(line, ": skipped, ") || strstr(line, ": failed: "))
                                break;
                        char verb[32];
                        snprintf(verb, sizeof verb, "%.*s", (int) (k - 1), verbs[v]);
                        fn(verb, (int) pid, line, userdata);
                        break;
                }
                l = eol ? eol + 1 : NULL;
        }
}

/* ---- 1. the daemon SIGKILLed during an incident, and restarted ---- */

typedef struct RunCheck {
        unsigned run;              /* index into env.logs */
        bool frozen[MAX_KIDS];     /* per child, in this run */
        char ended_how[MAX_KIDS];  /* per child, in this run: 't' terminated, 'k' killed */
        int ended_run[MAX_KIDS];   /* the first run that ended it, -1 */
        const char *text;          /* this run's whole log */
        unsigned violations;
} RunCheck;

static void check_action(const char *verb, int pid, const char *line, void *userdata) {
        RunCheck *c = userdata;
        Slot *s = kid_by_pid(pid);
        if (!s) {
                fprintf(stderr, "run %u: an action on %d, none of the test's children: %s\n", c->run + 1, pid, line);
                c->violations++;
                return;
        }
        unsigned i = (unsigned) (s - env.sh->kid);
        for (unsigned j = 0; j < env.n_kids; j++)
                if (j != i && env.sh->kid[j].pid == pid)
                        return; /* a PID the test saw twice: cannot tell which one is meant */
        if (s->kind == K_KEEPER || s->kind == K_SHELL || s->kind == K_IDLE) {
                fprintf(stderr, "run %u: a bystander acted on: %s\n", c->run + 1, line);
                c->violations++;
        }
        bool terminate = !strcmp(verb, "terminate"), kill_ = !strcmp(verb, "kill");
        /* Ended in an earlier run, a child is not acted on again: it died (its death needs no undoing), or it is
         * still there (the slow one exiting from its SIGTERM, or one the crash caught between the record that goes
         * ahead of the SIGTERM and the signal), and the restarted daemon took it over: watched, SIGKILLed when its
         * grace is over, the previous run's end carried out, not a new choice. */
        char taken[64];
        snprintf(taken, sizeof taken, "Previous run: %d (%s, priority ", pid, kind_comm[s->kind]);
        const char *t = strstr(c->text, taken);
        const char *w = t ? strstr(t, ") was terminating") : NULL;
        bool completes = !strcmp(verb, "SIGKILL") && strstr(line, ", grace over") && w && w < t + strcspn(t, "\n");
        if (c->ended_run[i] >= 0 && c->ended_run[i] < (int) c->run && !completes) {
                fprintf(stderr, "run %u: %d (%s) was ended in run %d and is acted on again: %s\n", c->run + 1, pid,
                        kind_comm[s->kind], c->ended_run[i] + 1, line);
                c->violations++;
        }
        if (!strcmp(verb, "freeze")) {
                if (c->frozen[i]) {
                        fprintf(stderr, "run %u: %d (%s) frozen twice: %s\n", c->run + 1, pid, kind_comm[s->kind], line);
                        c->violations++;
                }
                c->frozen[i] = true;
        } else if (!strcmp(verb, "thaw") || !strcmp(verb, "Thawed") || terminate || kill_)
                c->frozen[i] = false;
        if (terminate || kill_) {
                /* Within a run: one end per process (a SIGTERM survivor escalated to kill at EMERGENCY is the one
                 * exception). */
                if (c->ended_how[i] && !(c->ended_how[i] == 't' && kill_)) {
                        fprintf(stderr, "run %u: %d (%s) chosen to end twice: %s\n", c->run + 1, pid, kind_comm[s->kind], line);
                        c->violations++;
                }
                c->ended_how[i] = terminate ? 't' : 'k';
                if (c->ended_run[i] < 0)
                        c->ended_run[i] = (int) c->run;
        }
}

/* Over every run's log: no bystander named, no double freeze and no double end within a run, nothing acted on in
 * a later run after it was ended (a restart's SIGKILL of a victim it took over carries that end out); over every
 * child: no other signal than SIGTERM/SIGCONT, no SIGTERM twice, none before the registry on disk said
 * "terminating", bystanders never stopped. */
static void check_no_repeats(void) {
        static RunCheck c;
        memset(&c, 0, sizeof c);
        for (unsigned i = 0; i < MAX_KIDS; i++)
                c.ended_run[i] = -1;
        for (unsigned r = 0; r < env.n_runs; r++) {
                char *saved = NULL;
                c.run = r;
                memset(c.frozen, 0, sizeof c.frozen);
                memset(c.ended_how, 0, sizeof c.ended_how);
                int fd = open(env.logs[r], O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        continue;
                off_t size = lseek(fd, 0, SEEK_END);
                saved = calloc(1, (size_t) size + 1);
                assert_non_null(saved);
                assert_int_equal(pread(fd, saved, (size_t) size, 0), size);
                close(fd);
                c.text = saved;
                for_each_action(saved, check_action, &c);
                free(saved);
        }
        kids_poll();
        for (unsigned i = 0; i < env.n_kids; i++) {
                const Slot *s = &env.sh->kid[i];
                if (s->sigs[S_TERM] > 1) {
                        fprintf(stderr, "%d (%s) got SIGTERM %d times\n", s->pid, kind_comm[s->kind], s->sigs[S_TERM]);
                        c.violations++;
                }
                if (s->term_unrecorded) {
                        fprintf(stderr, "%d (%s) got SIGTERM before the registry recorded it as terminating\n", s->pid,
                                kind_comm[s->kind]);
                        c.violations++;
                }
                for (unsigned k = 2; k < N_SIGS; k++)
                        if (s->sigs[k]) {
                                fprintf(stderr, "%d (%s) got signal %d\n", s->pid, kind_comm[s->kind], rec_sigs[k]);
                                c.violations++;
                        }
                if (s->kind == K_KEEPER || s->kind == K_SHELL || s->kind == K_IDLE) {
                        if (s->stops || s->conts || s->sigs[S_TERM] || s->sigs[S_CONT] || s->exited ||
                            itest_proc_state(s->pid) == 'T') {
                                fprintf(stderr, "bystander %d (%s) was touched: %d stops, %d continues, %d SIGTERM, "
                                        "%d SIGCONT, %s\n", s->pid, kind_comm[s->kind], s->stops, s->conts,
                                        s->sigs[S_TERM], s->sigs[S_CONT], s->exited ? "ended" : "alive");
                                c.violations++;
                        }
                }
        }
        assert_int_equal(c.violations, 0);
}

/* The restarted daemon's recovery: nothing of the test's is stopped or frozen, each frozen entry of a live
 * child was thawed (said so), and the registry is empty again once the victims it took over (still terminating
 * from the crashed daemon's SIGTERM) have exited. */
static void check_recovered(const RegEntry *crash, unsigned n_crash) {
        kids_poll();
        for (unsigned i = 0; i < env.n_kids; i++) {
                const Slot *s = &env.sh->kid[i];
                if (kid_held(s)) {
                        fprintf(stderr, "%d (%s) still held after the restart's recovery\n", s->pid, kind_comm[s->kind]);
                        print_log_tail("recovery");
                        fail();
                }
        }
        for (unsigned i = 0; i < env.n_apps; i++) {
                char path[700], buf[256];
                snprintf(path, sizeof path, "%s/cgroup.events", env.app[i]);
                assert_int_equal(itest_read(path, buf, sizeof buf), 0);
                if (!strstr(buf, "frozen 0"))
                        fprintf(stderr, "%s still frozen after the restart's recovery:\n%s", env.app[i], buf);
                assert_non_null(strstr(buf, "frozen 0"));
        }
        for (unsigned i = 0; i < n_crash; i++) {
                const Slot *s = kid_by_pid(crash[i].pid);
                char needle[96];
                bool held_victim = reg_held_victim(&crash[i]);
                if ((strcmp(crash[i].state, "frozen") != 0 && !held_victim) || !s || s->exited)
                        continue;
                if (held_victim && !strcmp(crash[i].state, "terminating")) {
                        /* Recorded ahead of its thaw and SIGTERM: the restart thaws it and takes it over. (A
                         * checkpoint recorded ahead of its thaw is thawed like a frozen one, below.) */
                        static const char said[] = "was terminating and still frozen (thawed";
                        snprintf(needle, sizeof needle, "Previous run: %d (%s, priority ", crash[i].pid, crash[i].comm);
                        log_load();
                        const char *l = env.log ? strstr(env.log, needle) : NULL;
                        size_t len = l ? strcspn(l, "\n") : 0;
                        if (!l || !memmem(l, len, said, strlen(said))) {
                                fprintf(stderr, "want \"%s... was terminating and still frozen (thawed\"\n", needle);
                                print_log_tail("recovery");
                                fail();
                        }
                        continue;
                }
                snprintf(needle, sizeof needle, "Previous run: thawed %d (%s,", crash[i].pid, crash[i].comm);
                if (log_count(needle) != 1) {
                        fprintf(stderr, "want one \"%s\"\n", needle);
                        print_log_tail("recovery");
                        fail();
                }
        }
        RegEntry now[8];
        unsigned n = 0;
        char why[300];
        int r;
        double end = itest_now() + 10; /* a taken-over victim: its clean shutdown, or SIGKILL after 5 s */
        for (;;) {
                n = 0;
                r = reg_load(now, &n, why, sizeof why);
                assert_true(r == 0 || r == -ENOENT); /* none: nothing was ever saved */
                bool all_terminating = true;
                for (unsigned i = 0; i < n; i++)
                        all_terminating &= strcmp(now[i].state, "terminating") == 0;
                if (n == 0 || !all_terminating || itest_now() > end)
                        break;
                itest_sleep_ms(50);
        }
        if (n > 0)
                print_log_tail("recovery");
        assert_int_equal(n, 0);
}

/* Waits (polling every ms) until the registry file contains needle; false at the deadline. */
static bool registry_wait(const char *needle, double seconds) {
        double end = itest_now() + seconds;
        char buf[64 * 1024];
        while (itest_now() < end) {
                if (itest_read(env.reg, buf, sizeof buf) == 0 && strstr(buf, needle))
                        return true;
                itest_sleep_ms(1);
        }
        return false;
}

static void spawn_victims(unsigned it) {
        (void) kid_spawn(K_SLOWTAB, NULL);
        for (unsigned i = 0; i < 3; i++)
                (void) kid_spawn(K_TAB, NULL);
        (void) kid_spawn(K_APPTAB, app_make(it));
        (void) kid_spawn(K_IDX, NULL);
}

/* The first action of this run (a freeze, a terminate or a kill), within `seconds`. */
static bool wait_first_action(double seconds) {
        double end = itest_now() + seconds;
        while (itest_now() < end && daemon_alive()) {
                if (log_count("headroomd: freeze ") + log_count("headroomd: terminate ") + log_count("headroomd: kill ") > 0)
                        return true;
                kids_poll();
                itest_sleep_ms(5);
        }
        return false;
}

/* Lets the incident go on until a moment chosen by the seed, then SIGKILLs the daemon; says which moment. */
static void crash_at_random(char *what, size_t size) {
        unsigned mode = (unsigned) (xorshift(&env.rng) % 3);
        if (mode == 0) {
                unsigned ms = (unsigned) (xorshift(&env.rng) % 2500);
                snprintf(what, size, "%u ms after the first action", ms);
                for (double end = itest_now() + ms / 1000.0; itest_now() < end;) {
                        kids_poll();
                        itest_sleep_ms(5);
                }
        } else if (mode == 1) {
                unsigned k = 1 + (unsigned) (xorshift(&env.rng) % 4);
                snprintf(what, size, "right after freeze number %u was logged", k);
                double end = itest_now() + 5;
                while (log_count(" [sigstop]") + log_count(" [cgroup]") < k && itest_now() < end && daemon_alive())
                        itest_sleep_ms(1);
        } else {
                snprintf(what, size, "right after a victim was recorded as terminating");
                (void) registry_wait("\"terminating\"", 5);
        }
        assert_true(daemon_alive());
        daemon_crash();
}

/* One crash of an incident: the registry as it was left, then (sometimes) a restart still under pressure that
 * is SIGKILLed again during or after its recovery, then a calm restart that must undo everything. */
static void crash_and_recover(const char *incident, bool real, unsigned it, unsigned *thawed_total) {
        static RegEntry crash[REG_MAX];
        unsigned n = 0;
        char what[128];

        daemon_start(incident, false);
        bool acted = wait_first_action(real ? 90 : 30);
        if (!acted)
                print_log_tail("no action");
        assert_true(acted);
        crash_at_random(what, sizeof what);
        unsigned frozen = check_crash_registry(crash, &n);
        fprintf(stderr, "iteration %u%s: SIGKILL %s: %u registry entries, %u frozen\n", it, real ? " (real pressure)" : "",
                what, n, frozen);

        if (real)
                for (unsigned i = 0; i < env.n_kids; i++) /* the pressure ends with its maker (ours) */
                        if (env.sh->kid[i].kind == K_THRASH)
                                kid_end(&env.sh->kid[i]);

        if (!real && xorshift(&env.rng) % 2 == 0) {
                /* A crash during (or just after) the recovery, while still under pressure. */
                unsigned ms = (unsigned) (xorshift(&env.rng) % 400);
                daemon_start(incident, false);
                bool up = log_wait("Started", 1, 10);
                if (!up)
                        print_log_tail("restart");
                assert_true(up);
                for (double end = itest_now() + ms / 1000.0; itest_now() < end;) {
                        kids_poll();
                        itest_sleep_ms(2);
                }
                daemon_crash();
                frozen = check_crash_registry(crash, &n);
                fprintf(stderr, "iteration %u: and again %u ms after its restart: %u entries, %u frozen\n", it, ms, n, frozen);
        }

        daemon_start(CALM, false);
        bool up = log_wait("Started", 1, 10);
        if (!up)
                print_log_tail("calm restart");
        assert_true(up);
        check_recovered(crash, n);
        *thawed_total += log_count("Previous run: thawed ");
        daemon_stop_clean();
}

/* The daemon is SIGKILLed at seeded random moments of incidents (mid-freeze, a victim terminating, a random
 * delay; sometimes again right after its restart) and restarted with the same runtime and state dirs: nothing
 * the test started stays stopped or frozen after the recovery, the registry left behind is consistent (only the
 * test's children, identified by pid and start time, every held one and every victim recorded ahead), no process
 * is frozen twice or acted on after it was ended, no signal reaches anything twice, and the bystanders are never
 * touched. The first incident is real memory pressure (a thrasher in a memory-limited cgroup) when swap can be had. */
static void test_crash_restart_loop(void **state) {
        (void) state;
        bool ours = false;
        const char *no_swap = itest_swap_ensure(&ours);
        env.zram_ours = ours;
        prepare(no_swap ? 0 : 160);
        if (no_swap)
                fprintf(stderr, "the real-pressure iteration is skipped: %s\n", no_swap);
        Slot *keeper = kid_spawn(K_KEEPER, NULL), *shell = kid_spawn(K_SHELL, NULL);
        unsigned thawed = 0, iterations = 5;

        for (unsigned it = no_swap ? 1 : 0; it < iterations; it++) {
                spawn_victims(it);
                if (it == 0) {
                        char cmd[1200];
                        snprintf(cmd, sizeof cmd, "cp '%s' '%s/thrasher'", getenv("HR_HOG"), env.dir);
                        assert_int_equal(system(cmd), 0);
                        (void) kid_spawn(K_THRASH, NULL);
                        crash_and_recover(REAL_PRESSURE, true, it, &thawed);
                        itest_swap_teardown(&env.zram_ours); /* not needed any more */
                } else
                        crash_and_recover(INCIDENT, false, it, &thawed);
        }

        /* The scenario did what it is for: processes were frozen at a crash and thawed by a restart, and victims
         * were terminated. */
        unsigned ended = 0;
        kids_poll();
        for (unsigned i = 0; i < env.n_kids; i++)
                ended += env.sh->kid[i].exited && !env.sh->kid[i].killed_by_us;
        fprintf(stderr, "%u children, %u ended by the daemon, %u thawed by a restart, over %u daemon runs\n", env.n_kids,
                ended, thawed, env.n_runs);
        assert_true(thawed > 0);
        assert_true(ended > 0);
        check_no_repeats();
        assert_true(keeper->pid > 0 && itest_proc_state(keeper->pid) != 0 && itest_proc_state(shell->pid) != 0);
}

/* Waits for (never signals) the processes a SIGKILLed daemon left behind, which came to the test as their
 * subreaper: its helpers (criu). Returns how many were reaped; fails if one outlives the bound. */
static unsigned reap_orphans(double seconds) {
        unsigned n = 0;
        double end = itest_now() + seconds;
        for (;;) {
                struct dirent *de;
                unsigned left = 0;
                DIR *d = opendir("/proc");
                while (d && (de = readdir(d))) {
                        char path[300], buf[1024];
                        int pid = atoi(de->d_name);
                        if (pid <= 0 || kid_by_pid(pid) || pid == env.daemon)
                                continue;
                        snprintf(path, sizeof path, "/proc/%d/stat", pid);
                        const char *p = itest_read(path, buf, sizeof buf) == 0 ? strrchr(buf, ')') : NULL;
                        if (!p || atoi(p + 4) != (int) getpid())
                                continue;
                        int st = 0;
                        if (waitpid(pid, &st, WNOHANG) == pid) {
                                fprintf(stderr, "orphan %d reaped: %s %d\n", pid, WIFSIGNALED(st) ? "signal" : "exit status",
                                        WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
                                n++;
                        } else
                                left++;
                }
                if (d)
                        closedir(d);
                if (left == 0)
                        return n;
                assert_true(itest_now() < end);
                itest_sleep_ms(20);
        }
}

/* The daemon SIGKILLed while a checkpoint is under way (recorded ahead, criu running): the registry entry
 * survives the crash, and the restart either adopts the checkpoint (complete images) or forgets it, leaving
 * the process running unstopped. Where criu cannot dump (this host), the entry must still have been there. */
static void test_crash_during_checkpoint(void **state) {
        static RegEntry e[REG_MAX];
        char text[2048], images[400], needle[128];
        unsigned n = 0;
        (void) state;
        prepare(0);
        Slot *keeper = kid_spawn(K_KEEPER, NULL);
        snprintf(images, sizeof images, "%s/images", env.dir);
        assert_int_equal(mkdir(images, 0700), 0);
        Slot *c = kid_spawn(K_CKPT, NULL);
        snprintf(text, sizeof text,
                 "%s[Checkpoint]\nEnable=yes\nDirectory=%s\nTimeoutSec=60s\n[Rule ckpt]\nComm=^ckpt$\nPriority=99\n"
                 "Checkpoint=yes\n",
                 INCIDENT, images);
        daemon_start(text, false);
        /* Right after the record (criu not started yet), or once criu runs (the seed chooses). */
        bool criu_running = xorshift(&env.rng) % 2;
        bool recorded = registry_wait("\"checkpointed\"", 30);
        if (recorded && criu_running)
                recorded = log_wait("criu dumps it to", 1, 10) && registry_wait("\"checkpointed\"", 0.001);
        fprintf(stderr, "SIGKILL %s\n", criu_running ? "while criu dumps" : "right after the checkpoint was recorded");
        if (!recorded) {
                log_load();
                if (log_count("cannot checkpoint (")) {
                        const char *l = strstr(env.log, "cannot checkpoint (");
                        ITEST_SKIP("headroomd cannot checkpoint here: %.*s", (int) strcspn(l, "\n"), l);
                }
                print_log_tail("checkpoint");
        }
        assert_true(recorded);
        daemon_crash();
        unsigned frozen = check_crash_registry(e, &n);
        (void) frozen;
        const RegEntry *f = reg_find(e, n, c->pid);
        if (!f || strcmp(f->state, "checkpointed") != 0) {
                print_log_tail("checkpoint");
                fprintf(stderr, "after the crash the registry has %s for %d (ckpt)\n", f ? f->state : "no entry", c->pid);
        }
        assert_non_null(f);
        /* criu may have finished meanwhile and rewritten it: the crash came before the daemon could. */
        assert_string_equal(f->state, "checkpointed");
        assert_int_equal(f->start_time, c->start_time);

        /* The criu the crash orphaned (now the test's child: it is a subreaper) is left to finish, then reaped;
         * nothing traces the process any more. */
        unsigned orphans = reap_orphans(60);
        fprintf(stderr, "%u orphan(s) of the crashed daemon reaped\n", orphans);
        assert_int_equal(tracer_pid(c->pid), 0);
        kids_poll();

        daemon_start(CALM, false);
        bool up = log_wait("Started", 1, 10);
        if (!up)
                print_log_tail("restart");
        assert_true(up);
        snprintf(needle, sizeof needle, "Previous run: %d (ckpt", c->pid);
        bool said = log_count(needle) + log_count("waits in its checkpoint") > 0;
        if (!said)
                print_log_tail("restart");
        assert_true(said);
        kids_poll();
        if (!c->exited) /* not dumped (criu failed): it runs on, unstopped */
                assert_false(kid_held(c));
        else
                fprintf(stderr, "ckpt was dumped by criu: %s\n", strstr(env.log, "waits in its checkpoint") ? "adopted" : "?");
        fprintf(stderr, "%.*s\n", (int) strcspn(strstr(env.log, needle) ? strstr(env.log, needle) : "", "\n"),
                strstr(env.log, needle) ? strstr(env.log, needle) : "");
        daemon_stop_clean();
        assert_true(itest_proc_state(keeper->pid) != 0 && keeper->stops == 0 && keeper->sigs[S_TERM] == 0);
}

/* ---- 2. a fork storm while the daemon scans and acts ---- */

#define STORM_SEC 12

/* Many short-lived "storm" children (expendable, so chosen for freezing while they come and go) forked and
 * reaped at a high rate, PIDs wrapping round, while headroomd freezes at ELEVATED every 200 ms; half the frozen
 * ones are SIGKILLed by their parent, so the daemon's records name PIDs that come back as other processes. No
 * child is stopped unless the daemon logged freezing that PID; none that was never stopped gets a SIGCONT (a thaw
 * through a reused PID); none gets SIGTERM; the protected bystanders, the forker and the idle ones get nothing;
 * the daemon does not crash and holds as many fds after the storm as before. */
static void test_fork_storm(void **state) {
        (void) state;
        prepare(0);
        Slot *by[5];
        by[0] = kid_spawn(K_KEEPER, NULL);
        by[1] = kid_spawn(K_KEEPER, NULL);
        by[2] = kid_spawn(K_IDLE, NULL);
        by[3] = kid_spawn(K_IDLE, NULL);
        Slot *tabs[3];
        for (unsigned i = 0; i < 3; i++)
                tabs[i] = kid_spawn(K_TAB, NULL);

        daemon_start(LOOKS_ELEVATED "TickElevatedSec=200ms\n[Freeze]\nMaxPerTick=8\n" RULES, false);
        bool ok = log_wait("Started", 1, 10);
        for (unsigned i = 0; ok && i < 3; i++) {
                double end = itest_now() + 20;
                while (itest_proc_state(tabs[i]->pid) != 'T' && itest_now() < end && daemon_alive())
                        itest_sleep_ms(20);
                ok = itest_proc_state(tabs[i]->pid) == 'T';
        }
        if (!ok)
                print_log_tail("tabs");
        assert_true(ok);
        itest_sleep_ms(1000);
        unsigned fd_before = fd_count(env.daemon), fd_max = fd_before;
        assert_true(fd_before > 0);

        env.sh->storm_seed = xorshift(&env.rng);
        by[4] = kid_spawn(K_FORKER, NULL);
        double t0 = itest_now();
        while (itest_now() < t0 + STORM_SEC) {
                assert_true(daemon_alive());
                kids_poll();
                unsigned k = fd_count(env.daemon);
                fd_max = k > fd_max ? k : fd_max;
                itest_sleep_ms(100);
        }
        __atomic_store_n(&env.sh->stop_storm, 1, __ATOMIC_SEQ_CST);
        double end = itest_now() + 20;
        while (!__atomic_load_n(&env.sh->drained, __ATOMIC_SEQ_CST) && itest_now() < end)
                itest_sleep_ms(20);
        assert_true(__atomic_load_n(&env.sh->drained, __ATOMIC_SEQ_CST));
        double storm_sec = itest_now() - t0;
        itest_sleep_ms(1500); /* a few more ticks over the held ones */
        assert_true(daemon_alive());
        unsigned fd_after = fd_count(env.daemon);
        /* The finale: half the held children killed and their PIDs taken over by "reuse" children, then at once
         * the clean stop, which thaws what the registry names: never the newcomers. */
        __atomic_store_n(&env.sh->finale, 1, __ATOMIC_SEQ_CST);
        end = itest_now() + 10;
        while (!__atomic_load_n(&env.sh->finale_done, __ATOMIC_SEQ_CST) && itest_now() < end)
                itest_sleep_ms(1);
        assert_true(__atomic_load_n(&env.sh->finale_done, __ATOMIC_SEQ_CST));
        daemon_stop_clean();
        unsigned freezes = log_count(" [sigstop]"), gone = log_count("skipped, the process is gone");
        end = itest_now() + 30;
        while (!__atomic_load_n(&env.sh->done, __ATOMIC_SEQ_CST) && itest_now() < end)
                itest_sleep_ms(20);
        if (!__atomic_load_n(&env.sh->done, __ATOMIC_SEQ_CST)) {
                __atomic_store_n(&env.sh->give_up, 1, __ATOMIC_SEQ_CST);
                end = itest_now() + 10;
                while (!__atomic_load_n(&env.sh->done, __ATOMIC_SEQ_CST) && itest_now() < end)
                        itest_sleep_ms(20);
        }
        assert_true(__atomic_load_n(&env.sh->done, __ATOMIC_SEQ_CST));
        int st = 0;
        assert_int_equal(waitpid(by[4]->pid, &st, 0), by[4]->pid);
        by[4]->exited = 1;
        by[4]->status = st;
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);

        /* What the storm children went through. */
        unsigned n = (unsigned) env.sh->n_storm, n_storm = 0, stopped = 0, held_killed = 0, bad = 0;
        unsigned reuse_tried[3] = { 0 }, reuse_hit[3] = { 0 };
        static int freeze_lines[1 << 22]; /* pid_max is at most 4194304 */
        memset(freeze_lines, 0, sizeof freeze_lines);
        for (const char *p = env.log; (p = strstr(p, "freeze ")); p++) {
                char *after;
                long pid = strtol(p + 7, &after, 10);
                const char *eol = strchr(p, '\n');
                if (pid > 0 && pid < (1 << 22) && strncmp(after, " (storm,", 8) == 0 &&
                    memmem(p, eol ? (size_t) (eol - p) : strlen(p), " [sigstop]", 10))
                        freeze_lines[pid]++;
        }
        for (unsigned i = 0; i < n; i++) {
                const Slot *s = &env.sh->storm[i];
                if (s->pid <= 0 || s->pid >= (1 << 22))
                        continue;
                bool was_stopped = s->stops > 0 || s->conts > 0;
                bool clean = s->exited && ((WIFEXITED(s->status) && WEXITSTATUS(s->status) == 0) ||
                                           (s->killed_by_us && WIFSIGNALED(s->status) && WTERMSIG(s->status) == SIGKILL));
                if (!clean && bad++ < 10)
                        fprintf(stderr, "%s child %d: %s %d\n", s->kind ? "reuse" : "storm", s->pid,
                                !s->exited ? "not reaped" : WIFSIGNALED(s->status) ? "signal" : "exit",
                                !s->exited ? 0 : WIFSIGNALED(s->status) ? WTERMSIG(s->status) : WEXITSTATUS(s->status));
                for (unsigned k = 0; k < N_SIGS; k++)
                        if (k != S_CONT && s->sigs[k] > 0 && bad++ < 10)
                                fprintf(stderr, "%s child %d got signal %d\n", s->kind ? "reuse" : "storm", s->pid, rec_sigs[k]);
                if (s->kind > 0) {
                        /* On a PID the daemon's records still named: it must never be stopped or continued. */
                        reuse_tried[s->kind]++;
                        reuse_hit[s->kind] += s->pid == s->want_pid;
                        if ((was_stopped || s->sigs[S_CONT] > 0) && bad++ < 10)
                                fprintf(stderr, "reuse child %d (on the PID of a killed frozen child: %s) was touched: "
                                        "%d stops, %d continues, %d SIGCONT\n", s->pid, s->pid == s->want_pid ? "yes" : "no",
                                        s->stops, s->conts, s->sigs[S_CONT]);
                        continue;
                }
                n_storm++;
                stopped += was_stopped;
                held_killed += was_stopped && s->killed_by_us;
                if (was_stopped && --freeze_lines[s->pid] < 0 && bad++ < 10)
                        fprintf(stderr, "storm child %d was stopped, and no freeze of that PID is logged\n", s->pid);
                if (!was_stopped && s->sigs[S_CONT] > 0 && bad++ < 10)
                        fprintf(stderr, "storm child %d was never stopped and got SIGCONT %d times\n", s->pid, s->sigs[S_CONT]);
        }
        fprintf(stderr,
                "storm: %u children in %.1f s (%.0f/s); %u stopped by the daemon (%u of them then SIGKILLed by their "
                "parent), %d never thawed; PIDs of killed frozen children taken over: %u of %u during the storm, %u of %u "
                "right before the stop; %u freezes, %u actions on processes already gone; daemon fds %u before, %u at "
                "most, %u after\n",
                n_storm, storm_sec, n_storm / storm_sec, stopped, held_killed, env.sh->left_stopped, reuse_hit[1],
                reuse_tried[1], reuse_hit[2], reuse_tried[2], freezes, gone, fd_before, fd_max, fd_after);
        if (bad)
                print_log_tail("storm");
        assert_int_equal(bad, 0);
        assert_int_equal(env.sh->left_stopped, 0);
        assert_true(n_storm >= 2000); /* thousands */
        assert_true(stopped > 0);     /* the daemon did act on the churning processes */
        assert_true(reuse_hit[1] + reuse_hit[2] > 0); /* and PIDs it had frozen came back as other processes */
        assert_true(fd_after <= fd_before + 2);

        /* The bystanders: never stopped, never signalled, still there; the tabs were thawed by the stop. */
        kids_poll();
        for (unsigned i = 0; i < 5; i++) {
                const Slot *s = by[i];
                bool untouched = s->stops == 0 && s->conts == 0;
                for (unsigned k = 0; k < N_SIGS; k++)
                        untouched &= s->sigs[k] == 0;
                if (!untouched)
                        fprintf(stderr, "%d (%s): %d stops, %d continues, SIGTERM %d, SIGCONT %d\n", s->pid, kind_comm[s->kind],
                                s->stops, s->conts, s->sigs[S_TERM], s->sigs[S_CONT]);
                assert_true(untouched);
                assert_true(i == 4 || (!s->exited && itest_proc_state(s->pid) != 0));
        }
        for (unsigned i = 0; i < 3; i++)
                assert_true(itest_proc_state(tabs[i]->pid) != 'T' && itest_proc_state(tabs[i]->pid) != 0);
}

/* ---- 3. runtime faults ---- */

/* The first line of the current run's log at or after byte `from` that contains needle, or "". */
static const char *log_line_after(size_t from, const char *needle, char *buf, size_t size) {
        log_load();
        const char *p = env.log && from <= env.log_len ? strstr(env.log + from, needle) : NULL;
        buf[0] = '\0';
        if (!p)
                return buf;
        const char *b = p;
        while (b > env.log && b[-1] != '\n')
                b--;
        snprintf(buf, size, "%.*s", (int) strcspn(b, "\n"), b);
        return buf;
}

static const char *log_line(const char *needle, char *buf, size_t size) {
        return log_line_after(0, needle, buf, size);
}

/* Starts the daemon on a broken registry (already in place) and checks it says so in one line naming the file,
 * then runs as usual: the tab is frozen and the registry rewritten (unless want_saved is false). */
static void start_on_broken_registry(const char *what, const char *reason, bool want_saved, Slot *tab) {
        char line[1024];
        daemon_start(NULL, false);
        bool ok = log_wait("Started", 1, 10);
        if (!ok)
                print_log_tail(what);
        assert_true(ok);
        unsigned n = log_count("starting with an empty registry");
        (void) log_line("starting with an empty registry", line, sizeof line);
        fprintf(stderr, "%s: %s\n", what, line);
        if (n != 1 || !strstr(line, env.reg) || !strstr(line, reason))
                print_log_tail(what);
        assert_int_equal(n, 1);
        assert_non_null(strstr(line, env.reg));
        assert_non_null(strstr(line, reason));
        /* It runs on: the tab is frozen, and the registry (if it can be written) names it. */
        double end = itest_now() + 20;
        while (itest_proc_state(tab->pid) != 'T' && itest_now() < end && daemon_alive())
                itest_sleep_ms(20);
        assert_int_equal(itest_proc_state(tab->pid), 'T');
        if (want_saved) {
                static RegEntry e[REG_MAX];
                unsigned k = 0;
                char why[300];
                itest_sleep_ms(200);
                assert_int_equal(reg_load(e, &k, why, sizeof why), 0);
                const RegEntry *f = reg_find(e, k, tab->pid);
                assert_non_null(f);
                assert_string_equal(f->state, "frozen");
        }
        daemon_stop_clean();
        assert_int_not_equal(itest_proc_state(tab->pid), 'T');
}

/* A registry file that is garbage, empty, a FIFO, too big or a directory before a start: one line naming the
 * file and the reason, and the daemon runs on (acts, and saves a good registry where it can). A registry whose
 * entries are partly bad: the good ones are recovered (a process the test stopped is thawed), the bad ones
 * skipped with a count, and an entry whose start time does not match the live process with that PID (a reused
 * PID) leaves that process alone. */
static void test_corrupt_registry(void **state) {
        char buf[8192], line[1024];
        (void) state;
        prepare(0);
        assert_int_equal(write_text(env.conf, "%s", LOOKS_ELEVATED RULES), 0);
        Slot *tab = kid_spawn(K_TAB, NULL);

        /* Random bytes, NULs and all. */
        for (size_t i = 0; i < sizeof buf; i++)
                buf[i] = (char) (xorshift(&env.rng) >> 24);
        int fd = open(env.reg, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, buf, sizeof buf), (ssize_t) sizeof buf);
        close(fd);
        start_on_broken_registry("garbage", "not JSON", true, tab);

        /* A truncated one: half of a good registry (the last one written). */
        assert_int_equal(itest_read(env.reg, buf, sizeof buf), 0);
        assert_int_equal(write_text(env.reg, "%.*s", (int) strlen(buf) / 2, buf), 0);
        start_on_broken_registry("truncated", "not JSON", true, tab);

        assert_int_equal(itest_write(env.reg, "%s", ""), 0);
        start_on_broken_registry("empty", "not JSON", true, tab);

        assert_int_equal(unlink(env.reg), 0);
        assert_int_equal(mkfifo(env.reg, 0600), 0);
        start_on_broken_registry("FIFO", "not a regular file", true, tab);

        fd = open(env.reg, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(ftruncate(fd, 5 << 20), 0); /* 5 MiB of NULs */
        close(fd);
        start_on_broken_registry("too big", "File too large", true, tab);

        /* A directory: unreadable and unwritable; the daemon says so once more when it cannot save, and runs on. */
        assert_int_equal(unlink(env.reg), 0);
        assert_int_equal(mkdir(env.reg, 0700), 0);
        start_on_broken_registry("directory", "Is a directory", false, tab);
        (void) log_line("cannot save the registry", line, sizeof line);
        assert_non_null(strstr(line, env.reg));
        assert_int_equal(log_count("cannot save the registry"), 1); /* said once, not at every save */
        assert_int_equal(rmdir(env.reg), 0);

        /* Partly bad entries. A and B were stopped by the test; A is recorded with its start time, B with another
         * (its PID "reused"), and a malformed entry and one of a process long gone come along. */
        Slot *a = kid_spawn(K_HELD, NULL), *b = kid_spawn(K_HELD, NULL);
        assert_int_equal(kill(a->pid, SIGSTOP), 0);
        assert_int_equal(kill(b->pid, SIGSTOP), 0);
        double end = itest_now() + 5;
        while ((itest_proc_state(a->pid) != 'T' || itest_proc_state(b->pid) != 'T') && itest_now() < end)
                itest_sleep_ms(5);
        assert_int_equal(write_text(env.reg,
                                     "{\"version\":1,\"entries\":[\n"
                                     "{\"pid\":%d,\"start_time\":%llu,\"state\":\"frozen\",\"method\":\"sigstop\",\"cgroup\":\"%s\","
                                     "\"comm\":\"held\",\"priority\":85,\"since\":1,\"why\":\"test\"},\n"
                                     "{\"pid\":%d,\"start_time\":%llu,\"state\":\"frozen\",\"method\":\"sigstop\",\"cgroup\":\"%s\","
                                     "\"comm\":\"held\",\"priority\":85,\"since\":1,\"why\":\"test\"},\n"
                                     "{\"pid\":\"x\",\"state\":\"molten\"},\n"
                                     "{\"pid\":%d,\"start_time\":1,\"state\":\"frozen\",\"method\":\"sigstop\",\"cgroup\":\"\","
                                     "\"comm\":\"gone\",\"priority\":85,\"since\":1,\"why\":\"test\"}\n]}\n",
                                     a->pid, (unsigned long long) a->start_time, env.cg_rel, b->pid,
                                     (unsigned long long) b->start_time + 1, env.cg_rel, 4194304 - 7),
                         0);
        daemon_start(NULL, false);
        bool ok = log_wait("Started", 1, 10);
        if (!ok)
                print_log_tail("entries");
        assert_true(ok);
        char needle[96];
        snprintf(needle, sizeof needle, "Previous run: thawed %d (held,", a->pid);
        if (log_count(needle) != 1 || log_count("1 malformed entry skipped") != 1)
                print_log_tail("entries");
        assert_int_equal(log_count(needle), 1);
        assert_int_equal(log_count("1 malformed entry skipped"), 1);
        (void) log_line("malformed entry skipped", line, sizeof line);
        assert_non_null(strstr(line, env.reg));
        snprintf(needle, sizeof needle, " %d (held", b->pid);
        assert_int_equal(log_count(needle), 1); /* "is gone, forgotten": not the process it meant */
        kids_poll();
        assert_int_not_equal(itest_proc_state(a->pid), 'T');
        assert_int_equal(itest_proc_state(b->pid), 'T'); /* never touched: */
        assert_int_equal(b->sigs[S_CONT], 0);
        assert_int_equal(b->conts, 0);
        daemon_stop_clean();
        assert_int_equal(itest_proc_state(b->pid), 'T'); /* not the daemon's to thaw */
        assert_int_equal(kill(b->pid, SIGCONT), 0);      /* the test's own stop, undone by the test */
}

/* Runs in the daemon's mount namespace (a child of the test): makes the runtime directory writable again. */
static int remount_writable(pid_t daemon) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/ns/mnt", (int) daemon);
        pid_t pid = fork();
        if (pid == 0) {
                int fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0 || setns(fd, CLONE_NEWNS) < 0 || mount(NULL, env.run, NULL, MS_REMOUNT | MS_BIND, NULL) < 0)
                        _exit(1);
                _exit(0);
        }
        int st = 0;
        if (pid < 0 || waitpid(pid, &st, 0) != pid)
                return -1;
        return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* The runtime directory read-only (a bind mount in the daemon's own mount namespace): the daemon says once
 * that it cannot save the registry (naming the file and the error) and that the control socket is out, runs on
 * and acts; made writable again, the next save succeeds and says so; its stop still thaws all it holds. */
static void test_runtime_dir_readonly(void **state) {
        char line[1024];
        (void) state;
        prepare(0);
        Slot *tabs[3];
        for (unsigned i = 0; i < 2; i++)
                tabs[i] = kid_spawn(K_TAB, NULL);
        daemon_start(LOOKS_ELEVATED "TickElevatedSec=200ms\n" RULES, true);
        bool ok = log_wait("Started", 1, 10);
        if (!ok && env.daemon_died && WIFEXITED(env.daemon_status) && WEXITSTATUS(env.daemon_status) == 97)
                ITEST_SKIP("cannot make a read-only bind mount in a mount namespace of its own");
        if (!ok)
                print_log_tail("read-only");
        assert_true(ok);
        ok = log_wait(" [sigstop]", 2, 20);
        itest_sleep_ms(1000); /* several more ticks, several more saves */
        assert_true(ok && daemon_alive());
        for (unsigned i = 0; i < 2; i++)
                assert_int_equal(itest_proc_state(tabs[i]->pid), 'T');
        (void) log_line("cannot save the registry", line, sizeof line);
        fprintf(stderr, "%s\n", line);
        if (log_count("cannot save the registry") != 1)
                print_log_tail("read-only");
        assert_int_equal(log_count("cannot save the registry"), 1);
        assert_non_null(strstr(line, env.reg));
        assert_non_null(strstr(line, "Read-only file system"));
        (void) log_line("cannot serve the control socket", line, sizeof line);
        fprintf(stderr, "%s\n", line);
        assert_non_null(strstr(line, env.sock));
        assert_int_equal(access(env.reg, F_OK), -1);

        /* Writable again: the next change is saved, and that is said. */
        assert_int_equal(remount_writable(env.daemon), 0);
        tabs[2] = kid_spawn(K_TAB, NULL);
        ok = log_wait("registry saved again", 1, 20);
        if (!ok)
                print_log_tail("writable again");
        assert_true(ok);
        static RegEntry e[REG_MAX];
        unsigned n = 0;
        char why[300];
        itest_sleep_ms(300);
        assert_int_equal(reg_load(e, &n, why, sizeof why), 0);
        for (unsigned i = 0; i < 3; i++)
                assert_non_null(reg_find(e, n, tabs[i]->pid));
        daemon_stop_clean();
        for (unsigned i = 0; i < 3; i++)
                assert_int_not_equal(itest_proc_state(tabs[i]->pid), 'T');
}

/* headroomctl --json status against the daemon: the score, or -1. */
static double status_score(char *level, size_t level_size) {
        char cmd[1200], out[65536];
        snprintf(cmd, sizeof cmd, "'%s' --socket '%s' --json status 2>&1", getenv("HEADROOMCTL"), env.sock);
        FILE *p = popen(cmd, "re");
        size_t len = p ? fread(out, 1, sizeof out - 1, p) : 0;
        if (p)
                (void) pclose(p);
        out[len] = '\0';
        json_object *o = json_tokener_parse(out), *v;
        double score = -1;
        if (o && json_object_object_get_ex(o, "score", &v))
                score = json_object_get_double(v);
        if (o && json_object_object_get_ex(o, "level", &v))
                snprintf(level, level_size, "%s", json_object_get_string(v));
        if (!o)
                fprintf(stderr, "headroomctl status: %s\n", out);
        json_object_put(o);
        return score;
}

/* The configuration file removed, truncated mid-section, replaced with random bytes, replaced with a directory,
 * and emptied, each followed by SIGHUP: each time the daemon logs the reason (naming the file) and keeps its last
 * good configuration (headroomctl status: the same score, the tab still frozen); a good file is then taken. */
static void test_config_faults_on_reload(void **state) {
        char level[32] = "", line[1024], buf[4096];
        (void) state;
        prepare(0);
        Slot *tab = kid_spawn(K_TAB, NULL);
        daemon_start(LOOKS_ELEVATED "TickElevatedSec=200ms\n" RULES, false);
        bool ok = log_wait("Started", 1, 10) && log_wait(" [sigstop]", 1, 20);
        if (!ok)
                print_log_tail("config");
        assert_true(ok);
        double good = status_score(level, sizeof level);
        fprintf(stderr, "running: %s, score %.2f\n", level, good);
        assert_true(good >= 25 && good <= 35);
        assert_string_equal(level, "ELEVATED");

        static const char *const faults[] = { "removed", "truncated", "garbage", "directory", "empty" };
        unsigned refused = 0;
        for (unsigned f = 0; f < sizeof faults / sizeof faults[0]; f++) {
                const char *reason = "";
                (void) unlink(env.conf);
                if (f == 0)
                        reason = "No such file or directory";
                else if (f == 1)
                        assert_int_equal(itest_write(env.conf, "[Pressure]\nMemAvailableStart=100%%\n[Pres"), 0);
                else if (f == 2) {
                        for (size_t i = 0; i < 2048; i++)
                                buf[i] = (char) (xorshift(&env.rng) >> 24);
                        int fd = open(env.conf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                        assert_true(fd >= 0);
                        assert_int_equal(write(fd, buf, 2048), 2048);
                        close(fd);
                } else if (f == 3) {
                        assert_int_equal(mkdir(env.conf, 0755), 0);
                        reason = "Is a directory";
                } else
                        assert_int_equal(itest_write(env.conf, "%s", ""), 0);
                unsigned before = log_count("keeping the previous configuration"), taken = log_count("Reload: configuration from");
                size_t from = env.log_len;
                assert_int_equal(kill(env.daemon, SIGHUP), 0);
                double end = itest_now() + 10;
                while (log_count("keeping the previous configuration") == before && log_count("Reload: configuration from") == taken &&
                       itest_now() < end && daemon_alive())
                        itest_sleep_ms(10);
                assert_true(daemon_alive());
                bool kept = log_count("keeping the previous configuration") > before;
                (void) log_line_after(from, kept ? "keeping the previous configuration" : "Reload: configuration from", line,
                                      sizeof line);
                /* The reason comes first, in lines naming the file. */
                char first[1024];
                (void) log_line_after(from, env.conf, first, sizeof first);
                itest_sleep_ms(600); /* a few ticks under whatever configuration now runs */
                double score = status_score(level, sizeof level);
                fprintf(stderr, "config %s: %s | %s | now %s, score %.2f\n", faults[f], first, line, level, score);
                if (f == 3)
                        assert_int_equal(rmdir(env.conf), 0);
                if (f == 4 && !kept) {
                        /* An empty file is a valid configuration (all defaults): taken, not refused, with a warning
                         * (test_emptied_config_warned); the daemon runs on by the defaults. */
                        double end2 = itest_now() + 5;
                        while ((score = status_score(level, sizeof level)) > 5 && itest_now() < end2)
                                itest_sleep_ms(100);
                        fprintf(stderr, "an emptied configuration file was taken on reload (all defaults), with a warning: "
                                "score now %.2f\n", score);
                        assert_true(daemon_alive());
                        continue;
                }
                assert_true(kept);
                refused++;
                assert_non_null(strstr(first, env.conf));
                assert_non_null(strstr(first, reason));
                assert_true(score >= 25 && score <= 35);
                assert_string_equal(level, "ELEVATED");
                assert_int_equal(itest_proc_state(tab->pid), 'T');
        }
        assert_true(refused >= 4);

        /* A good file again, a different one: taken (the score follows it). */
        assert_int_equal(write_text(env.conf, "%s", LOOKS_CRITICAL "[Terminate]\nEnable=no\n[Kill]\nEnable=no\n" RULES), 0);
        unsigned taken = log_count("Reload: configuration from");
        assert_int_equal(kill(env.daemon, SIGHUP), 0);
        ok = log_wait("Reload: configuration from", taken + 1, 10);
        double score = -1, end = itest_now() + 10; /* the next tick (1 s at ELEVATED by these settings) */
        while (ok && ((score = status_score(level, sizeof level)) < 65 || score > 75) && itest_now() < end)
                itest_sleep_ms(100);
        fprintf(stderr, "good config again: score %.2f, %s\n", score, level);
        assert_true(ok);
        assert_true(score >= 65 && score <= 75);
        daemon_stop_clean();
        assert_int_not_equal(itest_proc_state(tab->pid), 'T');
}

/* ---- what the fault tests found, fixed ---- */

/* A victim SIGTERMed by a daemon that then crashed, and still exiting (a clean shutdown of 1.5 s), is taken over
 * by the restarted daemon under the same pressure: watched, never frozen or SIGTERMed again, and no other victim
 * is chosen while it exits. (It was acted on again before: the recovery dropped "terminating" entries.) */
typedef struct ActionsOn {
        int pid;
        unsigned n;
} ActionsOn;

/* Counts (and shows) the actions on one PID but its recovery ("Previous run: thawed" is one). */
static void count_actions_on(const char *verb, int pid, const char *line, void *userdata) {
        ActionsOn *on = userdata;
        if (pid != on->pid || strncmp(verb, "Previous run:", 13) == 0)
                return;
        on->n++;
        fprintf(stderr, "restarted daemon: %s\n", line);
}

static void test_terminating_taken_over(void **state) {
        (void) state;
        prepare(0);
        (void) kid_spawn(K_KEEPER, NULL);
        Slot *v = kid_spawn(K_SLOWTAB, NULL);
        (void) kid_spawn(K_TAB, NULL);
        (void) kid_spawn(K_TAB, NULL);
        daemon_start(INCIDENT, false);
        bool ok = registry_wait("\"terminating\"", 20);
        if (!ok)
                print_log_tail("terminating");
        assert_true(ok);
        /* The registry is written ahead of the signal: crash once the SIGTERM has arrived (under ASan the gap was
         * wide enough for the crash to land in it, and the victim was never shutting down at all). */
        double end = itest_now() + 5;
        while (v->sigs[S_TERM] == 0 && itest_now() < end)
                itest_sleep_ms(5);
        daemon_crash();
        assert_int_equal(v->sigs[S_TERM], 1); /* the crashed daemon's SIGTERM: it is shutting down */
        assert_int_equal(v->term_unrecorded, 0); /* and it found itself recorded as terminating */

        daemon_start(INCIDENT, false);
        assert_true(log_wait("Started", 1, 10));
        /* "was terminating; watched", or "was terminating and still frozen (thawed [sigstop]); watched" where the
         * crash came before the save that follows the thaw ahead of its SIGTERM */
        assert_true(log_count(") was terminating") == 1 && log_count("; watched, SIGKILL if still there") == 1);
        end = itest_now() + 10;
        while (!v->exited && itest_now() < end) {
                kids_poll();
                itest_sleep_ms(10);
        }
        log_load();
        ActionsOn on = { .pid = v->pid };
        for_each_action(env.log, count_actions_on, &on);
        fprintf(stderr, "%d (slowtab): SIGTERM %d times, %d stops, %u actions by the restarted daemon\n", v->pid,
                v->sigs[S_TERM], v->stops, on.n);
        daemon_stop_clean();
        assert_int_equal(v->sigs[S_TERM], 1);
        assert_int_equal(on.n, 0);
}

/* The configuration file emptied (truncated to 0 bytes) and SIGHUP: an empty file is a valid configuration (the
 * built-in defaults, as with no file at all), so it is taken, but not silently: the log says the file is empty and
 * every setting is back to its default. (A removed, half-written or garbled file keeps the last good one.) */
static void test_emptied_config_warned(void **state) {
        char level[32] = "";
        (void) state;
        prepare(0);
        (void) kid_spawn(K_TAB, NULL);
        daemon_start(LOOKS_ELEVATED "TickElevatedSec=200ms\n" RULES, false);
        assert_true(log_wait("Started", 1, 10) && log_wait(" [sigstop]", 1, 20));
        assert_int_equal(itest_write(env.conf, "%s", ""), 0);
        unsigned refused = log_count("keeping the previous configuration"), taken = log_count("Reload: configuration from");
        assert_int_equal(kill(env.daemon, SIGHUP), 0);
        double end = itest_now() + 10;
        while (log_count("keeping the previous configuration") == refused && log_count("Reload: configuration from") == taken &&
               itest_now() < end)
                itest_sleep_ms(10);
        itest_sleep_ms(1500); /* a tick under whatever runs now (1 s at ELEVATED by the defaults) */
        double score = status_score(level, sizeof level);
        fprintf(stderr, "emptied config and SIGHUP: %s; score %.2f (30 under the last good configuration)\n",
                log_count("keeping the previous configuration") > refused ? "refused" : "taken", score);
        unsigned warned = log_count("is empty: every setting is back to its built-in default");
        daemon_stop_clean();
        assert_int_equal(log_count("keeping the previous configuration"), refused);
        assert_int_equal(warned, 1);
        assert_true(score < 5); /* the defaults: nothing looks like pressure on an idle machine */
}

int main(int argc, char **argv) {
        (void) argc;
        (void) argv;
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_crash_restart_loop, setup, teardown),
                cmocka_unit_test_setup_teardown(test_crash_during_checkpoint, setup, teardown),
                cmocka_unit_test_setup_teardown(test_fork_storm, setup, teardown),
                cmocka_unit_test_setup_teardown(test_corrupt_registry, setup, teardown),
                cmocka_unit_test_setup_teardown(test_runtime_dir_readonly, setup, teardown),
                cmocka_unit_test_setup_teardown(test_config_faults_on_reload, setup, teardown),
                cmocka_unit_test_setup_teardown(test_terminating_taken_over, setup, teardown),
                cmocka_unit_test_setup_teardown(test_emptied_config_warned, setup, teardown),
        };
        env.test_pid = getpid();
        env.sh = mmap(NULL, sizeof *env.sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (env.sh == MAP_FAILED)
                return 1;
        /* Orphans (storm children whose parent died, a criu a SIGKILLed daemon left) come to the test, to be reaped. */
        (void) prctl(PR_SET_CHILD_SUBREAPER, 1);
        itest_filter();
        int r = itest_result(cmocka_run_group_tests(tests, NULL, NULL), sizeof tests / sizeof tests[0]);
        free(env.log);
        return r;
}
