/* SPDX-License-Identifier: GPL-2.0 */
/* local_storage_inode.h - INODE_STORAGE from user space: keyed by a file fd. */
#ifndef LOCAL_STORAGE_INODE_H
#define LOCAL_STORAGE_INODE_H

struct bpf_map;
struct bpf_program;

/* Three files (a, b = a hard link to a, c) in a fresh directory under /tmp,
 * opened and at once unlinked (the fds keep the inodes): fds[0..2]. 0 or -errno. */
int local_storage_inode_files(int fds[3]);

/* Update, lookup and delete the inode storage of those files through their
 * fds, printing what the kernel answers; with lsm (count_open, loaded and not
 * NULL) attached, the opens of a tagged file are counted too. 0 or -errno. */
int local_storage_inode_show(const char *prog, const struct bpf_map *map, struct bpf_program *lsm);

#endif /* LOCAL_STORAGE_INODE_H */
