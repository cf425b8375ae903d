/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sockex3_traps.h - the PROG_ARRAY's traps, shown on sockex3's live maps:
 * before counting, a lookup returns an id, an empty slot falls through, a
 * chain meets the kernel's tail-call limit; after the run, the slots emptied
 * with the last user-space reference while a socket still holds the filter.
 */
#ifndef SOCKEX3_TRAPS_H
#define SOCKEX3_TRAPS_H

struct sockex3;
struct sockex3_keeper;

/* Before anything counts: the PROG_ARRAY's semantics, with crafted frames run
 * through BPF_PROG_TEST_RUN (the stage counters are zero again afterwards).
 * 0 or -errno (after one line on stderr). */
int sockex3_traps_show_prog_array(struct sockex3 *skel);

/* At the end of a run: stop the keeper without emptying, destroy *skel (set
 * to NULL) while a socket still holds parse_eth, and show the slots emptied
 * by the kernel and a frame falling through; then let the map go last, as the
 * keeper does. 0 or -errno. */
int sockex3_traps_show_last_reference(struct sockex3 **skel, struct sockex3_keeper *keeper);

#endif /* SOCKEX3_TRAPS_H */
