/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cgroup_array_traps.h - the traps of a CGROUP_ARRAY, shown by the demo on
 * its freshly pinned map (slot 0 still empty): user space writes cgroup fds
 * but cannot read a slot back, only a cgroup v2 directory is accepted, and
 * the array has exactly max_entries slots.
 */
#ifndef CGROUP_ARRAY_TRAPS_H
#define CGROUP_ARRAY_TRAPS_H

/* Print what the kernel answers to each trap on the CGROUP_ARRAY map_fd;
 * cgroup is a cgroup v2 directory to try on the slot past the end. Leaves
 * the map as it was (every update it tries is refused). */
void cgroup_array_traps_show(int map_fd, const char *cgroup);

#endif /* CGROUP_ARRAY_TRAPS_H */
