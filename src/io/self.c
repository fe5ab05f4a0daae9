/* SPDX-License-Identifier: MIT */
/* mlockall and oom_score_adj for the daemon itself. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "io/self.h"
#include "io/sysroot.h"
#include "shared/macros.h"

static __attribute__((noinline)) void touch_stack(unsigned kib) {
        volatile char probe[4096];
        probe[0] = 0;
        probe[sizeof probe - 1] = 0;
        if (kib > 4)
                touch_stack(kib - 4);
}

/* Our executable's first segment holds the ELF and program headers and, in a static PIE, the relocations (53 KiB)
 * that start-up applied to other segments: read once, never again, yet mapped and counted as resident. Before
 * mlockall() its pages are dropped from our page tables. Only when it is read-only: a private mapping that was
 * never written is the file's own pages, so nothing is lost, and anything that looks again (the unwinder reads
 * the program headers) simply faults them back in from the page cache. */
static int drop_startup_segment_of(struct dl_phdr_info *info, size_t size, void *userdata) {
        (void) size;
        (void) userdata;
        for (size_t i = 0; i < info->dlpi_phnum; i++) {
                const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
                if (ph->p_type != PT_LOAD || ph->p_offset != 0)
                        continue;
                if (ph->p_flags != PF_R) /* code or data: in use */
                        break;
                long page = sysconf(_SC_PAGESIZE);
                uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
                if (page <= 0 || lo % (uintptr_t) page != 0)
                        break;
                hi = (hi + (uintptr_t) page - 1) & ~((uintptr_t) page - 1);
                (void) madvise((void *) lo, hi - lo, MADV_DONTNEED);
                break;
        }
        return 1; /* the first object is the executable: stop there */
}

static void drop_startup_segment(void) {
        (void) dl_iterate_phdr(drop_startup_segment_of, NULL);
}

int hr_self_lock_memory(unsigned stack_kib) {
        drop_startup_segment();
        touch_stack(stack_kib);
        /* Locked heap pages stay resident once freed (madvise cannot drop locked pages), and glibc raises its mmap
         * threshold after each large free, so large transient buffers (an incident clip's JSON) would move into
         * the heap and ratchet the resident size up. A fixed threshold keeps them in their own mappings, given
         * back on free; the heap's top is trimmed past 256 KiB. */
        (void) mallopt(M_MMAP_THRESHOLD, 64 * 1024);
        (void) mallopt(M_TRIM_THRESHOLD, 256 * 1024);
        /* CAP_IPC_LOCK, or within RLIMIT_MEMLOCK */
        if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) < 0)
                return -errno;
        return 0;
}

/* Our own process, not the observed system: always the real /proc, even with --root. */
#define SELF_ADJ "/proc/self/oom_score_adj"

static int read_adj(int *ret) {
        char buf[32];
        ssize_t n = hr_read_at(AT_FDCWD, SELF_ADJ, buf, sizeof buf);
        if (n < 0)
                return (int) n;
        char *end;
        errno = 0;
        long v = strtol(buf, &end, 10);
        if (errno != 0 || end == buf || v < -1000 || v > 1000)
                return -EBADMSG;
        *ret = (int) v;
        return 0;
}

static int write_adj(int v) {
        char buf[16];
        _cleanup_close_ int fd = open(SELF_ADJ, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        int n = snprintf(buf, sizeof buf, "%d\n", v);
        if (write(fd, buf, (size_t) n) != n)
                return errno ? -errno : -EIO;
        return 0;
}

int hr_self_lower_oom_score_adj(int want, int *ret_adj) {
        int cur = 0, r;

        r = read_adj(&cur);
        if (r < 0)
                return r;
        if (cur <= want) {
                *ret_adj = cur;
                return 0;
        }
        /* CAP_SYS_RESOURCE for anything below oom_score_adj_min */
        if (write_adj(want) == 0) {
                *ret_adj = want;
                return 0;
        }
        /* The floor is unknown: bisect between want (refused) and cur (allowed). */
        int lo = want, hi = cur;
        while (hi - lo > 1) {
                int mid = lo + (hi - lo) / 2;
                if (write_adj(mid) == 0)
                        hi = mid;
                else
                        lo = mid;
        }
        if (hi != cur || write_adj(hi) == 0)
                *ret_adj = hi;
        else
                *ret_adj = cur;
        return *ret_adj == want ? 0 : 1;
}
