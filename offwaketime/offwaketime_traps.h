/* SPDX-License-Identifier: GPL-2.0 */
/* offwaketime_traps.h - the STACK_TRACE map's traps, shown on the live
 * skeleton with stack_probe run by BPF_PROG_TEST_RUN. */
#ifndef OFFWAKETIME_TRAPS_H
#define OFFWAKETIME_TRAPS_H

struct offwaketime;

/* Run prog_fd (a raw_tp program) once with BPF_PROG_TEST_RUN from two
 * different call paths: two different user stacks (built with frame
 * pointers). 0 or -errno. */
int owt_probe_a(int prog_fd);
int owt_probe_b(int prog_fd);

/* Print the traps with the kernel's real answers. 0 or -errno. */
int owt_show_traps(struct offwaketime *skel);

#endif /* OFFWAKETIME_TRAPS_H */
