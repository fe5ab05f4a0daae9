/* SPDX-License-Identifier: MIT */
/* Acting on one process instance without races: pin it with a pidfd checked against its start time,
 * then signal, release memory and await its exit only through that pidfd. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "io/sysroot.h"

/* pidfd_open(pid), then re-reads field 22 of <root>/proc/PID/stat: returns 0 and the fd in *ret_fd only
 * when it still equals start_time. -ESRCH when the process is gone or the PID was reused (start time
 * differs), -ENOSYS on kernels before 5.3, other -errno. */
int hr_pidfd_pin(const HrSysroot *root, pid_t pid, uint64_t start_time, int *ret_fd);

/* pidfd_send_signal(fd, sig). 0, -ESRCH once the process is gone, -EPERM without the right to signal. */
int hr_pidfd_send(int pidfd, int sig);

/* process_mrelease(fd, 0): frees the address space of a process already dying from SIGKILL. 0, -ENOSYS
 * before 5.15 (nothing to do: the kernel reaps it on exit), -EINVAL if it is not dying, -ESRCH if gone. */
int hr_pidfd_mrelease(int pidfd);

/* 1 when the process has exited (the pidfd polls readable), 0 while it runs, -errno. Never blocks. */
int hr_pidfd_exited(int pidfd);

/* Reads the start time (field 22 of stat) of pid under root. 0 or -ESRCH/-errno. */
int hr_proc_start_time(const HrSysroot *root, pid_t pid, uint64_t *ret);
