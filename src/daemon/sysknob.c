/* SPDX-License-Identifier: MIT */
/* Kernel settings changed for the daemon's lifetime (see sysknob.h): read, journalled, written, given back. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon/sysknob.h"
#include "shared/macros.h"

int hr_sysknob_init(HrSysKnob *k, const HrSysroot *root, const char *rel, const char *journal_dir, const char *name) {
        *k = (HrSysKnob) { .root = root };
        if ((size_t) snprintf(k->rel, sizeof k->rel, "%s", rel) >= sizeof k->rel)
                return -ENAMETOOLONG;
        if (journal_dir && journal_dir[0] &&
            (size_t) snprintf(k->journal, sizeof k->journal, "%s/%s.orig", journal_dir, name) >= sizeof k->journal)
                return -ENAMETOOLONG;
        return 0;
}

static void trim(char *s) {
        size_t n = strlen(s);
        while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
                s[--n] = '\0';
}

int hr_sysknob_recover(HrSysKnob *k) {
        char old[sizeof k->original];
        if (!k->journal[0])
                return 0;
        _cleanup_close_ int fd = open(k->journal, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        ssize_t n = hr_pread_all(fd, old, sizeof old);
        if (n <= 0)
                return n < 0 ? (int) n : -EBADMSG;
        trim(old);
        int r = hr_write_at(k->root->root_fd, k->rel, old);
        if (r < 0)
                return r;
        (void) unlink(k->journal);
        return 1;
}

int hr_sysknob_set(HrSysKnob *k, const char *value) {
        ssize_t n = hr_read_at(k->root->root_fd, k->rel, k->original, sizeof k->original);
        if (n < 0)
                return (int) n;
        trim(k->original);
        if (k->journal[0]) {
                FILE *f = fopen(k->journal, "we");
                if (!f || fprintf(f, "%s\n", k->original) < 0 || fflush(f) != 0 || fsync(fileno(f)) < 0) {
                        int e = -errno;
                        if (f)
                                (void) fclose(f);
                        (void) unlink(k->journal);
                        return e ? e : -EIO;
                }
                if (fclose(f) != 0)
                        return -errno;
        }
        int r = hr_write_at(k->root->root_fd, k->rel, value);
        if (r < 0) {
                if (k->journal[0])
                        (void) unlink(k->journal);
                return r;
        }
        k->set = true;
        return 0;
}

int hr_sysknob_restore(HrSysKnob *k) {
        if (!k->set)
                return 0;
        int r = hr_write_at(k->root->root_fd, k->rel, k->original);
        if (r == 0 && k->journal[0])
                (void) unlink(k->journal);
        k->set = r < 0; /* failed: the journal stays, the next start tries again */
        return r;
}
