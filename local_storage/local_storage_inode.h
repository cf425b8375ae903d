/* SPDX-License-Identifier: GPL-2.0 */
/* local_storage_inode.h - INODE_STORAGE from user space: keyed by a file fd. */
#ifndef LOCAL_STORAGE_INODE_H
#define LOCAL_STORAGE_INODE_H

#include <stdbool.h>

struct bpf_map;

/* Three files (a, b = a hard link to a, c) in a fresh directory under /tmp,
 * opened and at once unlinked (the fds keep the inodes): fds[0..2]. 0 or -errno. */
int local_storage_inode_files(int fds[3]);

/* Update, lookup and delete the inode storage of those files through their
 * fds, printing what the kernel answers. counted: count_open (lsm/file_open)
 * is attached, so the file tagged is opened 3 more times and its opens are
 * counted in its storage too. 0 or -errno. */
int local_storage_inode_show(const char *prog, const struct bpf_map *map, bool counted);

#endif /* LOCAL_STORAGE_INODE_H */
