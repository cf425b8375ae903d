/* SPDX-License-Identifier: GPL-2.0 */
/*
 * local_storage_traps.h - the traps of local storage, shown on the live maps
 * before anything counts: a local storage map needs BPF_F_NO_PREALLOC, its
 * key from user space is an fd of the owner (a pidfd, a cgroup fd), not a pid
 * or an id, a task has no storage until someone creates it, and user space
 * cannot walk the map.
 */
#ifndef LOCAL_STORAGE_TRAPS_H
#define LOCAL_STORAGE_TRAPS_H

struct local_storage;

/* Print what the kernel answers to each trap. skel is loaded; cg_fd is an fd
 * of the cgroup that is counted. */
void local_storage_traps_show(struct local_storage *skel, int cg_fd);

#endif /* LOCAL_STORAGE_TRAPS_H */
