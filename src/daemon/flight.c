/* SPDX-License-Identifier: MIT */
/* The flight recorder: the record and decision-line rings (no allocation after init, no I/O on push), incident
 * windows and their clips, one JSON file each, written atomically with json-c (rarely: allocation is fine):
 *
 *   {"version":1,"id":"incident-20261122T143005Z-0007","why":"level HIGH -> CRITICAL (score held): score 63.20",
 *    "time_usec":1732285805123456,"marks":[{"mono_usec":..,"time_usec":..,"why":".."}],"mono_start_usec":..,
 *    "mono_end_usec":..,"duration_usec":90000000,"before_usec":60000000,"after_usec":30000000,
 *    "max_level":"EMERGENCY","max_score":87.5,"truncated":false,"continued":false,
 *    "records":[{"seq":1234,"mono_usec":..,"time_usec":..,"level":"HIGH","score":45.12,"trend":3.5,"rates":true,
 *                "components":{"psi_some":{"raw":1234,"points":12.34},..},
 *                "mem":{"available_kib":..,"total_kib":..,"swap_free_kib":..,"swap_total_kib":..},
 *                "decisions":[{"mono_usec":..,"line":"kill 4242 (leaker): .."}]},..]}
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/flight.h"

#define CLIP_VERSION 1
#define CLIP_PREFIX "incident-"
#define CLIP_SUFFIX ".json"
#define CLIP_STAMP_LEN 16 /* "20261122T143005Z" */
#define CLIP_SEQ_DIGITS_MAX 18
#define CLIP_NAME_MAX (HR_FLIGHT_ID_MAX + sizeof CLIP_SUFFIX)

_Static_assert(sizeof CLIP_PREFIX - 1 + CLIP_STAMP_LEN + 1 + CLIP_SEQ_DIGITS_MAX < HR_FLIGHT_ID_MAX,
               "HR_FLIGHT_ID_MAX too small for the longest id");

/* ---- strings and names ---- */

/* Copies src into dst (size > 0), cut at a UTF-8 character boundary when it does not fit. */
static void copy_str(char *dst, size_t size, const char *src) {
        size_t n = strnlen(src, size);
        if (n >= size) {
                n = size - 1;
                while (n > 0 && ((unsigned char) src[n] & 0xc0) == 0x80)
                        n--;
        }
        memcpy(dst, src, n);
        dst[n] = '\0';
}

/* "incident-20261122T143005Z-0007" followed by ".json" (with_suffix) or by nothing or ".json" (!with_suffix).
 * Sets *ret_seq (may be NULL) when it matches. */
static bool parse_clip_name(const char *s, bool with_suffix, uint64_t *ret_seq) {
        static const char stamp[CLIP_STAMP_LEN + 1] = "ddddddddTddddddZ";
        uint64_t seq = 0;
        size_t k = 0;

        if (strncmp(s, CLIP_PREFIX, sizeof CLIP_PREFIX - 1) != 0)
                return false;
        s += sizeof CLIP_PREFIX - 1;
        for (size_t i = 0; i < CLIP_STAMP_LEN; i++)
                if (stamp[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != stamp[i])
                        return false;
        s += CLIP_STAMP_LEN;
        if (*s++ != '-')
                return false;
        for (; s[k] >= '0' && s[k] <= '9'; k++) {
                if (k >= CLIP_SEQ_DIGITS_MAX)
                        return false;
                seq = seq * 10 + (uint64_t) (s[k] - '0');
        }
        if (k == 0)
                return false;
        s += k;
        if (strcmp(s, CLIP_SUFFIX) != 0 && (with_suffix || s[0] != '\0'))
                return false;
        if (ret_seq)
                *ret_seq = seq;
        return true;
}

bool hr_flight_id_valid(const char *id) {
        return id && parse_clip_name(id, /* with_suffix= */ false, NULL);
}

/* ---- the rings ---- */

static HrFlightRecord *rec_at(const HrFlight *f, size_t i) {
        return &f->rec[(f->first + i) % f->capacity];
}

static const HrFlightNote *note_at(const HrFlight *f, size_t i) {
        return &f->note[(f->note_first + i) % f->note_capacity];
}

static uint64_t oldest_seq(const HrFlight *f) {
        return f->n_pushed - f->n;
}

const HrFlightRecord *hr_flight_get(const HrFlight *f, size_t i) {
        return i < f->n ? rec_at(f, i) : NULL;
}

static void reverse(HrFlightRecord *a, size_t n) {
        for (size_t i = 0; i < n / 2; i++) {
                HrFlightRecord t = a[i];
                a[i] = a[n - 1 - i];
                a[n - 1 - i] = t;
        }
}

const HrFlightRecord *hr_flight_records(HrFlight *f, size_t *ret_n) {
        if (f->n == f->capacity && f->first > 0) {
                /* Rotate left by `first`: reverse both parts, then the whole. */
                reverse(f->rec, f->first);
                reverse(f->rec + f->first, f->capacity - f->first);
                reverse(f->rec, f->capacity);
                f->first = 0;
        }
        /* A ring that never filled starts at 0 already. */
        *ret_n = f->n;
        return f->rec;
}

void hr_flight_push(HrFlight *f, const HrFlightRecord *r) {
        size_t i;

        if (f->capacity == 0)
                return;
        if (f->n < f->capacity)
                i = (f->first + f->n++) % f->capacity;
        else {
                i = f->first;
                f->first = (f->first + 1) % f->capacity;
        }
        f->rec[i] = *r;
        f->rec[i].notes_dropped = 0;
        f->n_pushed++;
        f->notes_this_tick = 0;
}

void hr_flight_note(HrFlight *f, usec_t now, const char *line) {
        HrFlightNote *n;

        if (f->note_capacity == 0 || !line)
                return;
        if (f->notes_this_tick >= HR_FLIGHT_NOTES_PER_TICK) {
                if (f->n > 0) {
                        HrFlightRecord *r = rec_at(f, f->n - 1);
                        if (r->notes_dropped < UINT8_MAX)
                                r->notes_dropped++;
                }
                return;
        }
        f->notes_this_tick++;
        if (f->n_notes < f->note_capacity)
                n = &f->note[(f->note_first + f->n_notes++) % f->note_capacity];
        else {
                n = &f->note[f->note_first];
                f->note_first = (f->note_first + 1) % f->note_capacity;
        }
        n->seq = f->n_pushed > 0 ? f->n_pushed - 1 : 0;
        n->at = now;
        copy_str(n->line, sizeof n->line, line);
}

/* ---- init ---- */

/* Continues the clip numbers found in dir and removes temporary files a crash left. Errors are ignored: the
 * first clip written reports them. */
static void scan_dir(HrFlight *f) {
        DIR *d = opendir(f->dir);
        struct dirent *de;

        if (!d)
                return;
        while ((de = readdir(d))) {
                uint64_t seq;
                size_t k = strlen(de->d_name);
                if (parse_clip_name(de->d_name, /* with_suffix= */ true, &seq))
                        f->next_clip_seq = MAX(f->next_clip_seq, seq + 1);
                else if (de->d_name[0] == '.' && strncmp(de->d_name + 1, CLIP_PREFIX, sizeof CLIP_PREFIX - 1) == 0 &&
                         k > 4 && strcmp(de->d_name + k - 4, ".tmp") == 0)
                        (void) unlinkat(dirfd(d), de->d_name, 0);
        }
        (void) closedir(d);
}

int hr_flight_init(HrFlight *f, size_t capacity, size_t note_capacity, const char *dir) {
        *f = (HrFlight) {
                .before_usec = HR_FLIGHT_BEFORE_USEC,
                .after_usec = HR_FLIGHT_AFTER_USEC,
                .clips_max = HR_FLIGHT_CLIPS_MAX,
                .next_clip_seq = 1,
        };
        if (capacity == 0 || note_capacity == 0)
                return -EINVAL;
        /* Room for "/.<name>.tmp" after it. */
        if (dir && strlen(dir) + 1 + 1 + CLIP_NAME_MAX + 4 >= sizeof f->dir)
                return -ENAMETOOLONG;
        f->rec = calloc(capacity, sizeof *f->rec);
        f->note = calloc(note_capacity, sizeof *f->note);
        if (!f->rec || !f->note) {
                hr_flight_done(f);
                return -ENOMEM;
        }
        f->capacity = capacity;
        f->note_capacity = note_capacity;
        if (dir && dir[0]) {
                strcpy(f->dir, dir);
                scan_dir(f);
        }
        return 0;
}

void hr_flight_done(HrFlight *f) {
        for (unsigned i = 0; i < HR_FLIGHT_CLIPS_MAX; i++)
                json_object_put(f->summaries[i].summary);
        free(f->rec);
        free(f->note);
        *f = (HrFlight) {};
}

/* ---- incidents ---- */

/* The wall clock at monotonic `now`, from the newest record (so it agrees with the records), else the clock. */
static uint64_t wall_at(const HrFlight *f, usec_t now) {
        if (f->n == 0)
                return hr_flight_wall_now();
        const HrFlightRecord *r = rec_at(f, f->n - 1);
        if (now >= r->at)
                return r->wall_usec + (now - r->at);
        return r->wall_usec - MIN(r->wall_usec, r->at - now);
}

static void add_mark(HrFlight *f, usec_t now, const char *why) {
        HrFlightIncident *inc = &f->inc;
        if (inc->n_marks >= HR_FLIGHT_MARKS_MAX) {
                inc->n_marks_dropped++;
                return;
        }
        HrFlightMark *m = &inc->mark[inc->n_marks++];
        m->at = now;
        m->wall_usec = wall_at(f, now);
        copy_str(m->why, sizeof m->why, why);
}

/* Sequence number of the first record at or after `from`, or the next one when there is none. */
static uint64_t first_seq_from(const HrFlight *f, usec_t from) {
        size_t i = f->n;
        while (i > 0 && rec_at(f, i - 1)->at >= from)
                i--;
        return oldest_seq(f) + i;
}

int hr_flight_incident(HrFlight *f, usec_t now, const char *why) {
        HrFlightIncident *inc = &f->inc;
        usec_t from = now > f->before_usec ? now - f->before_usec : 0;

        if (!f->dir[0] || f->capacity == 0)
                return 0;
        if (!why)
                why = "";
        if (inc->open || (inc->written && from <= inc->end && inc->first_seq >= oldest_seq(f))) {
                inc->open = true;
                inc->end = MAX(inc->end, now + f->after_usec);
                add_mark(f, now, why);
                return 0;
        }
        *inc = (HrFlightIncident) {
                .open = true,
                .start = from,
                .end = now + f->after_usec,
                .first_seq = first_seq_from(f, from),
                .wall_usec = wall_at(f, now),
                /* The ring had already let go of the start of the window. */
                .truncated = f->n_pushed > f->n && f->n > 0 && rec_at(f, 0)->at > from,
        };
        copy_str(inc->why, sizeof inc->why, why);
        add_mark(f, now, why);
        return 1;
}

/* ---- writing a clip ---- */

static json_object *centi(uint64_t v) {
        char s[32];
        (void) snprintf(s, sizeof s, "%" PRIu64 ".%02" PRIu64, v / 100, v % 100);
        return json_object_new_double_s((double) v / 100.0, s);
}

static json_object *centi_signed(int64_t v) {
        char s[32];
        uint64_t a = v < 0 ? (uint64_t) -(v + 1) + 1 : (uint64_t) v;
        (void) snprintf(s, sizeof s, "%s%" PRIu64 ".%02" PRIu64, v < 0 ? "-" : "", a / 100, a % 100);
        return json_object_new_double_s((double) v / 100.0, s);
}

static const char *level_name(uint8_t l) {
        const char *s = hr_level_to_string((HrLevel) l);
        return s ? s : "unknown";
}

static json_object *record_json(const HrFlightRecord *r, uint64_t seq) {
        json_object *o = json_object_new_object(), *comps = json_object_new_object(), *mem = json_object_new_object();

        if (!o || !comps || !mem) {
                json_object_put(o);
                json_object_put(comps);
                json_object_put(mem);
                return NULL;
        }
        json_object_object_add(o, "seq", json_object_new_uint64(seq));
        json_object_object_add(o, "mono_usec", json_object_new_uint64(r->at));
        json_object_object_add(o, "time_usec", json_object_new_uint64(r->wall_usec));
        json_object_object_add(o, "level", json_object_new_string(level_name(r->level)));
        json_object_object_add(o, "score", centi(r->score_centi));
        json_object_object_add(o, "trend", centi_signed(r->trend_centi_per_sec));
        json_object_object_add(o, "rates", json_object_new_boolean(r->flags & HR_FLIGHT_HAS_RATES));
        for (unsigned c = 0; c < _HR_COMP_MAX; c++) {
                json_object *e = json_object_new_object();
                if (!e)
                        continue;
                json_object_object_add(e, "raw", json_object_new_uint64(r->raw[c]));
                json_object_object_add(e, "points", centi(r->points_centi[c]));
                json_object_object_add(comps, hr_component_to_string((HrComponent) c), e);
        }
        json_object_object_add(o, "components", comps);
        json_object_object_add(mem, "available_kib", json_object_new_uint64(r->mem_available_kib));
        json_object_object_add(mem, "total_kib", json_object_new_uint64(r->mem_total_kib));
        json_object_object_add(mem, "swap_free_kib", json_object_new_uint64(r->swap_free_kib));
        json_object_object_add(mem, "swap_total_kib", json_object_new_uint64(r->swap_total_kib));
        json_object_object_add(o, "mem", mem);
        if (r->notes_dropped > 0)
                json_object_object_add(o, "decisions_dropped", json_object_new_int(r->notes_dropped));
        return o;
}

static json_object *note_json(const HrFlightNote *n) {
        json_object *o = json_object_new_object();
        if (!o)
                return NULL;
        json_object_object_add(o, "mono_usec", json_object_new_uint64(n->at));
        json_object_object_add(o, "line", json_object_new_string(n->line));
        return o;
}

/* The clip of f->inc up to `upto` (inclusive) as JSON; `continued`: another clip takes over from here. */
static json_object *clip_json(const HrFlight *f, usec_t upto, bool continued) {
        const HrFlightIncident *inc = &f->inc;
        json_object *o = json_object_new_object(), *marks = json_object_new_array(), *recs = json_object_new_array();
        uint64_t seq = MAX(inc->first_seq, oldest_seq(f));
        uint32_t max_score = 0;
        uint8_t max_level = HR_LEVEL_NORMAL;
        size_t j = 0;

        if (!o || !marks || !recs) {
                json_object_put(o);
                json_object_put(marks);
                json_object_put(recs);
                return NULL;
        }
        for (; seq < f->n_pushed; seq++) {
                const HrFlightRecord *r = rec_at(f, (size_t) (seq - oldest_seq(f)));
                if (r->at > upto)
                        break;
                json_object *ro = record_json(r, seq);
                if (!ro)
                        goto fail;
                /* Notes come in push order, so their records' numbers never go down. */
                while (j < f->n_notes && note_at(f, j)->seq < seq)
                        j++;
                if (j < f->n_notes && note_at(f, j)->seq == seq) {
                        json_object *d = json_object_new_array();
                        for (; d && j < f->n_notes && note_at(f, j)->seq == seq; j++)
                                json_object_array_add(d, note_json(note_at(f, j)));
                        json_object_object_add(ro, "decisions", d);
                }
                if (json_object_array_add(recs, ro) < 0) {
                        json_object_put(ro);
                        goto fail;
                }
                max_score = MAX(max_score, (uint32_t) r->score_centi);
                max_level = MAX(max_level, r->level);
        }
        for (unsigned i = 0; i < inc->n_marks; i++) {
                json_object *m = json_object_new_object();
                if (!m)
                        goto fail;
                json_object_object_add(m, "mono_usec", json_object_new_uint64(inc->mark[i].at));
                json_object_object_add(m, "time_usec", json_object_new_uint64(inc->mark[i].wall_usec));
                json_object_object_add(m, "why", json_object_new_string(inc->mark[i].why));
                json_object_array_add(marks, m);
        }

        json_object_object_add(o, "version", json_object_new_int(CLIP_VERSION));
        json_object_object_add(o, "id", json_object_new_string(inc->id));
        json_object_object_add(o, "why", json_object_new_string(inc->why));
        json_object_object_add(o, "time_usec", json_object_new_uint64(inc->wall_usec));
        if (inc->continues[0])
                json_object_object_add(o, "continues", json_object_new_string(inc->continues));
        json_object_object_add(o, "marks", marks);
        marks = NULL;
        if (inc->n_marks_dropped > 0)
                json_object_object_add(o, "marks_dropped", json_object_new_uint64(inc->n_marks_dropped));
        json_object_object_add(o, "mono_start_usec", json_object_new_uint64(inc->start));
        json_object_object_add(o, "mono_end_usec", json_object_new_uint64(upto));
        json_object_object_add(o, "duration_usec", json_object_new_uint64(upto > inc->start ? upto - inc->start : 0));
        json_object_object_add(o, "before_usec", json_object_new_uint64(f->before_usec));
        json_object_object_add(o, "after_usec", json_object_new_uint64(f->after_usec));
        json_object_object_add(o, "max_level", json_object_new_string(level_name(max_level)));
        json_object_object_add(o, "max_score", centi(max_score));
        json_object_object_add(o, "truncated",
                               json_object_new_boolean(inc->truncated || inc->first_seq < oldest_seq(f)));
        json_object_object_add(o, "continued", json_object_new_boolean(continued));
        json_object_object_add(o, "records", recs);
        return o;

fail:
        json_object_put(o);
        json_object_put(marks);
        json_object_put(recs);
        return NULL;
}

static int write_all(int fd, const char *p, size_t len) {
        while (len > 0) {
                ssize_t k = write(fd, p, len);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        return -EIO;
                p += k;
                len -= (size_t) k;
        }
        return 0;
}

/* name in dir, atomically: .name.tmp (0600, not through a symlink), fsync, rename, fsync of dir. */
static int write_atomic(int dfd, const char *name, const char *data, size_t len) {
        char tmp[CLIP_NAME_MAX + 8];
        int r;

        if ((size_t) snprintf(tmp, sizeof tmp, ".%s.tmp", name) >= sizeof tmp)
                return -ENAMETOOLONG;
        _cleanup_close_ int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return -errno;
        r = write_all(fd, data, len);
        if (r < 0)
                goto unlink_tmp;
        if (fsync(fd) < 0) {
                r = -errno;
                goto unlink_tmp;
        }
        if (close(TAKE_FD(fd)) < 0) {
                r = -errno;
                goto unlink_tmp;
        }
        if (renameat(dfd, tmp, dfd, name) < 0) {
                r = -errno;
                goto unlink_tmp;
        }
        if (fsync(dfd) < 0)
                return -errno; /* in place, but may not survive a power cut */
        return 0;

unlink_tmp:
        (void) unlinkat(dfd, tmp, 0);
        return r;
}

typedef struct ClipName {
        uint64_t seq;
        char name[CLIP_NAME_MAX];
} ClipName;

static int cmp_clip(const void *a, const void *b) {
        const ClipName *x = a, *y = b;
        if (x->seq != y->seq)
                return x->seq < y->seq ? -1 : 1;
        return strcmp(x->name, y->name);
}

/* The clip files of the directory dfd (not consumed), sorted oldest (lowest number) first, in a malloc'd array. */
static int clips_enumerate(int dfd, ClipName **ret, size_t *ret_n) {
        int fd = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
        ClipName *a = NULL;
        size_t n = 0, cap = 0;
        struct dirent *de;
        DIR *d;

        if (fd < 0)
                return -errno;
        d = fdopendir(fd);
        if (!d) {
                int r = -errno;
                (void) close(fd);
                return r;
        }
        rewinddir(d);
        while ((de = readdir(d))) {
                uint64_t seq;
                if (!parse_clip_name(de->d_name, /* with_suffix= */ true, &seq) || strlen(de->d_name) >= CLIP_NAME_MAX)
                        continue;
                if (n == cap) {
                        cap = cap ? 2 * cap : 64;
                        ClipName *na = realloc(a, cap * sizeof *a);
                        if (!na) {
                                free(a);
                                (void) closedir(d);
                                return -ENOMEM;
                        }
                        a = na;
                }
                a[n].seq = seq;
                strcpy(a[n].name, de->d_name);
                n++;
        }
        (void) closedir(d);
        if (n > 1)
                qsort(a, n, sizeof *a, cmp_clip);
        *ret = a;
        *ret_n = n;
        return 0;
}

/* Keeps the newest clips_max clip files. */
static int prune(const HrFlight *f, int dfd) {
        _cleanup_free_ ClipName *a = NULL;
        size_t n;
        int r = clips_enumerate(dfd, &a, &n);

        if (r < 0)
                return r;
        for (size_t i = 0; i + f->clips_max < n; i++)
                if (unlinkat(dfd, a[i].name, 0) < 0 && errno != ENOENT)
                        r = -errno;
        return r;
}

static int clip_id(HrFlight *f) {
        HrFlightIncident *inc = &f->inc;
        time_t t = (time_t) (inc->wall_usec / USEC_PER_SEC);
        char stamp[CLIP_STAMP_LEN + 1];
        struct tm tm;

        if (!gmtime_r(&t, &tm) || strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm) != CLIP_STAMP_LEN)
                return -EINVAL;
        if ((size_t) snprintf(inc->id, sizeof inc->id, CLIP_PREFIX "%s-%04" PRIu64, stamp, f->next_clip_seq) >=
            sizeof inc->id)
                return -ENAMETOOLONG;
        f->next_clip_seq++;
        return 0;
}

static int clip_write(HrFlight *f, usec_t upto, bool continued) {
        HrFlightIncident *inc = &f->inc;
        char name[CLIP_NAME_MAX];
        json_object *o;
        size_t len;
        int r;

        if (!inc->id[0]) {
                r = clip_id(f);
                if (r < 0)
                        return r;
        }
        if ((size_t) snprintf(name, sizeof name, "%s" CLIP_SUFFIX, inc->id) >= sizeof name)
                return -ENAMETOOLONG;
        if (mkdir(f->dir, 0750) < 0 && errno != EEXIST)
                return -errno;
        _cleanup_close_ int dfd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;

        o = clip_json(f, upto, continued);
        if (!o)
                return -ENOMEM;
        const char *s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
                                                          &len);
        r = s ? write_atomic(dfd, name, s, len) : -ENOMEM;
        json_object_put(o);
        if (r < 0)
                return r;
        return prune(f, dfd);
}

/* Writes the open clip up to `upto`; with `more`, a new clip continues it from there. 1 or -errno. */
static int clip_finish(HrFlight *f, usec_t upto, bool more) {
        HrFlightIncident *inc = &f->inc;
        int r = clip_write(f, upto, more);

        if (r < 0) {
                /* Dropped: a later incident starts afresh rather than reopening a file in an unknown state. */
                inc->open = false;
                inc->written = false;
                return r;
        }
        if (!more) {
                inc->open = false;
                inc->written = true;
                return 1;
        }
        HrFlightIncident next = {
                .open = true,
                .start = upto + 1,
                .end = inc->end,
                .first_seq = f->n_pushed,
                .wall_usec = wall_at(f, upto),
        };
        copy_str(next.continues, sizeof next.continues, inc->id);
        int k = snprintf(next.why, sizeof next.why, "continues %s: ", inc->id);
        if (k > 0 && (size_t) k < sizeof next.why)
                copy_str(next.why + k, sizeof next.why - (size_t) k, inc->why);
        *inc = next;
        return 1;
}

int hr_flight_tick(HrFlight *f, usec_t now) {
        HrFlightIncident *inc = &f->inc;

        if (!inc->open)
                return 0;
        bool due = now >= inc->end;
        /* The next push would evict the window's first record (or already has). */
        bool evicting = f->n == f->capacity && inc->first_seq <= oldest_seq(f);
        if (evicting)
                return clip_finish(f, MIN(now, inc->end), /* more= */ !due);
        if (!due)
                return 0;
        if (f->n > 0 && rec_at(f, f->n - 1)->level >= HR_LEVEL_CRITICAL)
                return 0;
        return clip_finish(f, inc->end, /* more= */ false);
}

int hr_flight_flush(HrFlight *f, usec_t now) {
        if (!f->inc.open)
                return 0;
        return clip_finish(f, MIN(now, f->inc.end), /* more= */ false);
}

/* ---- reading clips ---- */

static void json_object_putp(json_object **o) {
        json_object_put(*o);
}

/* Parses the clip file `name` in dfd into *ret (a JSON object). */
static int clip_load(int dfd, const char *name, json_object **ret) {
        _cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
        _cleanup_free_ char *buf = NULL;
        enum json_tokener_error je;
        size_t len = 0;
        struct stat st;
        json_object *o;

        if (fd < 0)
                return errno == ELOOP ? -EINVAL : -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        if (st.st_size > HR_FLIGHT_CLIP_FILE_MAX)
                return -EFBIG;
        buf = malloc((size_t) st.st_size + 1);
        if (!buf)
                return -ENOMEM;
        while (len < (size_t) st.st_size) {
                ssize_t k = read(fd, buf + len, (size_t) st.st_size - len);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        break;
                len += (size_t) k;
        }
        buf[len] = '\0';
        if (memchr(buf, '\0', len))
                return -EBADMSG;
        o = json_tokener_parse_verbose(buf, &je);
        if (!o)
                return -EBADMSG;
        if (!json_object_is_type(o, json_type_object)) {
                json_object_put(o);
                return -EBADMSG;
        }
        *ret = o;
        return 0;
}

int hr_flight_read(const char *dir, const char *id, json_object **ret) {
        char name[CLIP_NAME_MAX];
        size_t k;

        if (!dir || !hr_flight_id_valid(id))
                return -EINVAL;
        k = strlen(id);
        if (k >= sizeof CLIP_SUFFIX - 1 && strcmp(id + k - (sizeof CLIP_SUFFIX - 1), CLIP_SUFFIX) == 0)
                k -= sizeof CLIP_SUFFIX - 1;
        if (k + sizeof CLIP_SUFFIX > sizeof name)
                return -EINVAL;
        memcpy(name, id, k);
        strcpy(name + k, CLIP_SUFFIX);

        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        return clip_load(dfd, name, ret);
}

/* The field at key when it has the type, else NULL. */
static json_object *field(json_object *o, const char *key, json_type t) {
        json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, t))
                return NULL;
        return v;
}

/* The summary of one clip, NULL when a field is missing. */
static json_object *clip_summary(json_object *clip) {
        static const struct {
                const char *key;
                json_type type;
        } keep[] = {
                { "id", json_type_string },
                { "time_usec", json_type_int },
                { "why", json_type_string },
                { "duration_usec", json_type_int },
                { "max_level", json_type_string },
                { "max_score", json_type_double },
                { "truncated", json_type_boolean },
        };
        json_object *s, *marks = field(clip, "marks", json_type_array);

        if (!marks)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(keep); i++)
                if (!field(clip, keep[i].key, keep[i].type))
                        return NULL;
        s = json_object_new_object();
        if (!s)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(keep); i++)
                json_object_object_add(s, keep[i].key, json_object_get(field(clip, keep[i].key, keep[i].type)));
        json_object_object_add(s, "marks", json_object_new_uint64(json_object_array_length(marks)));
        return s;
}

static HrFlightSummary *summary_slot(HrFlight *f, const char *name, bool *ret_found) {
        HrFlightSummary *free_slot = NULL;

        for (unsigned i = 0; i < HR_FLIGHT_CLIPS_MAX; i++) {
                HrFlightSummary *c = &f->summaries[i];
                if (c->name[0] && strcmp(c->name, name) == 0) {
                        *ret_found = true;
                        return c;
                }
                if (!c->name[0] && !free_slot)
                        free_slot = c;
        }
        *ret_found = false;
        return free_slot;
}

int hr_flight_list_cached(HrFlight *f, json_object *array) {
        _cleanup_free_ ClipName *a = NULL;
        bool seen[HR_FLIGHT_CLIPS_MAX] = {};
        size_t n = 0;
        int r, count = 0;

        if (!f->dir[0] || !json_object_is_type(array, json_type_array))
                return -EINVAL;
        _cleanup_close_ int dfd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return errno == ENOENT ? 0 : -errno;
        r = clips_enumerate(dfd, &a, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                struct stat st;
                bool found;
                if (fstatat(dfd, a[i].name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
                        continue; /* deleted meanwhile, or not ours */
                int64_t mtime = (int64_t) st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
                HrFlightSummary *c = summary_slot(f, a[i].name, &found);
                if (!found || c->size != (int64_t) st.st_size || c->mtime_nsec != mtime) {
                        _cleanup_(json_object_putp) json_object *clip = NULL;
                        r = clip_load(dfd, a[i].name, &clip);
                        if (r == -ENOMEM)
                                return r;
                        json_object *s = r < 0 ? NULL : clip_summary(clip);
                        if (!s)
                                continue;
                        if (c) { /* no slot: more clips than the cache holds, listed without caching */
                                json_object_put(c->summary);
                                *c = (HrFlightSummary) { .size = (int64_t) st.st_size, .mtime_nsec = mtime, .summary = s };
                                (void) snprintf(c->name, sizeof c->name, "%s", a[i].name);
                                s = json_object_get(s);
                        }
                        if (json_object_array_add(array, s) < 0) {
                                json_object_put(s);
                                return -ENOMEM;
                        }
                } else if (json_object_array_add(array, json_object_get(c->summary)) < 0) {
                        json_object_put(c->summary);
                        return -ENOMEM;
                }
                if (c)
                        seen[c - f->summaries] = true;
                count++;
        }
        /* Clips gone (rotated out, removed by hand): their summaries go too. */
        for (unsigned i = 0; i < HR_FLIGHT_CLIPS_MAX; i++)
                if (f->summaries[i].name[0] && !seen[i]) {
                        json_object_put(f->summaries[i].summary);
                        f->summaries[i] = (HrFlightSummary) {};
                }
        return count;
}

int hr_flight_list(const char *dir, json_object *array) {
        /* The cached listing with a cache of its own that lives for this one call (12 KiB of stack). */
        HrFlight once = {};
        int r;

        if (!dir)
                return -EINVAL;
        if (strlen(dir) >= sizeof once.dir)
                return -ENAMETOOLONG;
        strcpy(once.dir, dir);
        r = hr_flight_list_cached(&once, array);
        hr_flight_done(&once);
        return r;
}
