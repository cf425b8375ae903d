/* SPDX-License-Identifier: GPL-2.0 */
/* offwaketime_traps.h - the STACK_TRACE map's traps, shown on the live
 * skeleton with stack_probe run by BPF_PROG_TEST_RUN. */
#ifndef OFFWAKETIME_TRAPS_H
#define OFFWAKETIME_TRAPS_H

struct offwaketime;

/* Print the traps with the kernel's real answers. 0 or -errno. */
int owt_show_traps(struct offwaketime *skel);

#endif /* OFFWAKETIME_TRAPS_H */
