/* SPDX-License-Identifier: GPL-2.0 */
/* local_storage.h - what local_storage_kern.c and the user side share. No
 * includes: the BPF side gets __u64 from vmlinux.h, the user side from
 * <linux/types.h>. */
#ifndef LOCAL_STORAGE_H
#define LOCAL_STORAGE_H

/* The value of task_counts, cgrp_counts and pid_counts: syscalls entered by
 * the owner (a task, a cgroup, a pid), and how many of them were getppid(),
 * the one syscall the demo makes a known number of times. */
struct sys_counts {
	__u64 syscalls;
	__u64 getppid;
};

/* The value of inode_notes: a tag user space writes through a file fd, and
 * the opens of that inode that lsm/file_open counted (where it loads). */
struct file_note {
	__u64 tag;
	__u64 opens;
};

/* The pid-keyed HASH that is compared with TASK_STORAGE. */
#define LOCAL_STORAGE_MAX_PIDS 4096

_Static_assert(sizeof(struct sys_counts) == 16, "sys_counts is shared with BPF");
_Static_assert(sizeof(struct file_note) == 16, "file_note is shared with BPF");

#endif /* LOCAL_STORAGE_H */
