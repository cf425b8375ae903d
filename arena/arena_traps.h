/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arena_traps.h - the traps arena shows on its live arena, before the run
 * (addresses, faults, what the syscalls refuse, BPF_F_SEGV_ON_FAULT) and
 * after it (freeing a page).
 */
#ifndef ARENA_TRAPS_H
#define ARENA_TRAPS_H

struct arena;

/* Before any page is allocated: what max_entries and map_extra mean, a BPF
 * read where no page is, what the map's syscalls refuse, and a user read of
 * an unallocated page of an arena made with BPF_F_SEGV_ON_FAULT. mapped is
 * the arena's mapping. 0 or -errno after one line. */
int arena_show_traps(struct arena *skel, const void *mapped);

/* After the run: free the newest page, then read its first node from BPF and
 * from user space, and see where the next page comes from. 0 or -errno. */
int arena_show_free_trap(struct arena *skel);

#endif /* ARENA_TRAPS_H */
