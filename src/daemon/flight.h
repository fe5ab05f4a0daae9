/* SPDX-License-Identifier: MIT */
/* The flight recorder: a fixed ring of per-tick records and the decision lines taken at each tick, and incident
 * clips (the records around a CRITICAL level change or a kill) written as JSON files under the state directory. */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/calibrate.h"
#include "shared/macros.h"

struct json_object;

/* 4096 records: ~7 min at EMERGENCY's 100 ms tick, ~5.7 h at NORMAL's 5 s. */
#define HR_FLIGHT_CAPACITY_DEFAULT 4096
#define HR_FLIGHT_NOTES_DEFAULT 512
#define HR_FLIGHT_NOTE_MAX 200        /* a decision line with its NUL; longer lines are cut */
#define HR_FLIGHT_NOTES_PER_TICK 16   /* more in one tick are counted in the record's notes_dropped */
#define HR_FLIGHT_WHY_MAX 200         /* an incident's reason with its NUL */
#define HR_FLIGHT_MARKS_MAX 16        /* incidents merged into one clip that keep their reason */
#define HR_FLIGHT_BEFORE_USEC (60 * USEC_PER_SEC)
#define HR_FLIGHT_AFTER_USEC (30 * USEC_PER_SEC)
#define HR_FLIGHT_CLIPS_MAX 50        /* clip files kept; the oldest (by sequence number) go first */
#define HR_FLIGHT_CLIP_FILE_MAX (64 * 1024 * 1024) /* larger files are not read back */
#define HR_FLIGHT_ID_MAX 48           /* "incident-20261122T143005Z-0001" with its NUL, and room */

typedef struct HrFlightNote {
        uint64_t seq;                 /* the record it belongs to */
        usec_t at;
        char line[HR_FLIGHT_NOTE_MAX];
} HrFlightNote;

typedef struct HrFlightMark {
        usec_t at;
        uint64_t wall_usec;
        char why[HR_FLIGHT_WHY_MAX];
} HrFlightMark;

/* The clip being gathered (open), or the last one written (which a new incident overlapping its window
 * reopens and rewrites under the same id). */
typedef struct HrFlightIncident {
        bool open;
        bool written;                      /* id names a file on disk */
        usec_t start, end;                 /* the window, CLOCK_MONOTONIC, inclusive */
        uint64_t first_seq;                /* first record of the window when it opened */
        bool truncated;                    /* the ring had already let go of the window's start */
        uint64_t wall_usec;                /* wall clock of the first mark: the file name */
        char id[HR_FLIGHT_ID_MAX];         /* "" until first written */
        char continues[HR_FLIGHT_ID_MAX];  /* the clip this one continues ("" for none) */
        char why[HR_FLIGHT_WHY_MAX];       /* the first mark's reason */
        HrFlightMark mark[HR_FLIGHT_MARKS_MAX];
        unsigned n_marks, n_marks_dropped;
} HrFlightIncident;

/* A clip's summary as last listed, reused while its file is unchanged (hr_flight_list_cached). */
typedef struct HrFlightSummary {
        char name[64];                     /* "" : free */
        int64_t size, mtime_nsec;
        struct json_object *summary;       /* one reference held here */
} HrFlightSummary;

typedef struct HrFlight {
        HrFlightRecord *rec;               /* ring: rec[(first + i) % capacity], i = 0 oldest */
        size_t capacity, first, n;
        uint64_t n_pushed;                 /* the next record's sequence number */
        HrFlightNote *note;                /* ring of decision lines, in push order */
        size_t note_capacity, note_first, n_notes;
        unsigned notes_this_tick;
        char dir[PATH_MAX];                /* "" : no clips */
        /* Settings, at their defaults after init; may be changed between calls. */
        usec_t before_usec, after_usec;
        unsigned clips_max;
        uint64_t next_clip_seq;            /* continues the numbers found in dir at init */
        HrFlightIncident inc;
        HrFlightSummary summaries[HR_FLIGHT_CLIPS_MAX]; /* `incidents` must not parse every clip on every request */
} HrFlight;

/* Allocates the rings (capacity records, note_capacity decision lines; both at least 1); nothing is allocated
 * after this but while writing a clip. `dir` (may be NULL: incidents are ignored) is where clips go; it is
 * created (one level, 0750) when the first clip is written. Init reads it to continue the clip numbers and
 * removes temporary files a crash left there. 0, -EINVAL, -ENAMETOOLONG, -ENOMEM (*f is then as after
 * hr_flight_done()). */
int hr_flight_init(HrFlight *f, size_t capacity, size_t note_capacity, const char *dir);

/* Frees the rings; an open clip is dropped (hr_flight_flush() first to keep it). Safe on a zeroed or done f. */
void hr_flight_done(HrFlight *f);

/* Appends one tick's record (records come in time order), evicting the oldest when full. No I/O. */
void hr_flight_push(HrFlight *f, const HrFlightRecord *r);

/* Attaches a decision line to the last record pushed (before the first push: to the first). At most
 * HR_FLIGHT_NOTES_PER_TICK per tick; more are counted in that record's notes_dropped. No I/O. */
void hr_flight_note(HrFlight *f, usec_t now, const char *line);

/* Marks an incident at now: the clip covers [now - before_usec, now + after_usec]. While a clip is open, or
 * when the last clip written ends at or after now - before_usec (and its records are still in the ring), the
 * incident extends that clip (the file is rewritten). Returns 1 if a new clip opened, 0 if it extended one
 * or f has no directory. No I/O. */
int hr_flight_incident(HrFlight *f, usec_t now, const char *why);

/* Writes the open clip when its window has passed (and the newest record is below CRITICAL: writing and
 * fsyncing under that pressure could stall the loop), or at once when the ring is about to evict the clip's
 * first record (that part is written and a new clip continues it). Call after every push. Returns 1 when
 * a clip was written (its id in f->inc.id), 0 when none was due, -errno when writing failed (the clip is
 * dropped). */
int hr_flight_tick(HrFlight *f, usec_t now);

/* Writes the open clip now, up to now (on shutdown). 1, 0 when none is open, -errno. */
int hr_flight_flush(HrFlight *f, usec_t now);

static inline size_t hr_flight_count(const HrFlight *f) {
        return f->n;
}

/* Record i, 0 the oldest; NULL past the end. Its sequence number is f->n_pushed - f->n + i. */
const HrFlightRecord *hr_flight_get(const HrFlight *f, size_t i);

/* Rotates the ring in place so the records are one array, oldest first (for hr_calibrate()); no allocation.
 * Valid until the next push. */
const HrFlightRecord *hr_flight_records(HrFlight *f, size_t *ret_n);

/* CLOCK_REALTIME in µs since the epoch, for HrFlightRecord.wall_usec. */
static inline uint64_t hr_flight_wall_now(void) {
        struct timespec ts;
        (void) clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000;
}

/* Whether id names a clip: "incident-YYYYMMDDTHHMMSSZ-N" (N decimal), optionally with ".json". Anything
 * else, in particular any '/' or "..", is refused. */
bool hr_flight_id_valid(const char *id);

/* Appends one object per clip in dir, oldest first: {"id", "time_usec" (wall clock of the first incident),
 * "why", "duration_usec" (the window), "max_level", "max_score", "marks" (incidents merged), "truncated"}.
 * Files that do not parse are skipped. Returns the number appended (0 for a missing dir), -EINVAL when array
 * is not a JSON array, or -errno. */
int hr_flight_list(const char *dir, struct json_object *array);

/* hr_flight_list() of f's dir, but a clip whose file (name, size, mtime) is unchanged since the last call is not
 * read again: its summary is reused. A flood of `incidents` requests then costs a stat per clip, not a parse of
 * up to HR_FLIGHT_CLIPS_MAX files on the event loop each. Same results and errors. */
int hr_flight_list_cached(HrFlight *f, struct json_object *array);

/* Reads clip `id` of dir into *ret (the caller puts it; written only on success). -EINVAL for an id
 * hr_flight_id_valid() refuses and for a symlink or anything but a regular file, -ENOENT, -EFBIG past
 * HR_FLIGHT_CLIP_FILE_MAX, -EBADMSG when it is not a JSON object, -errno. */
int hr_flight_read(const char *dir, const char *id, struct json_object **ret);
