/* SPDX-License-Identifier: GPL-2.0 */
/*
 * local_storage_demo.h - local_storage's no-argument demo behind open / step /
 * close.
 *
 * open:  a cgroup of its own (<cgroup2 root>/local_storage.<pid>, removed by a
 *        reaper even after SIGKILL). The sample itself stays outside it.
 * step:  one child process, moved into the cgroup, makes a known number of
 *        getppid() calls and waits; its task storage is read through a pidfd
 *        while it lives, as a zombie, and after it is reaped.
 * close: removes the cgroup and reads its storage once more through the fd
 *        that is still open; prints the summary line.
 */
#ifndef LOCAL_STORAGE_DEMO_H
#define LOCAL_STORAGE_DEMO_H

#include <stdbool.h>
#include <linux/types.h>

#include "cgroup.h"

struct bpf_map;
struct sample_opts;

struct local_storage_demo {
	const char *prog;
	struct sample_cgroup cg;
	bool open;
	__u64 children; /* children run */
	__u64 calls; /* getppid() calls they made */
	__u64 exact; /* children whose task storage held exactly their calls */
	__u64 zombie_found; /* lookups by pidfd of a zombie that still found the storage */
	__u64 reaped_enoent; /* lookups by pidfd after the reap that gave ENOENT */
};
#define LOCAL_STORAGE_DEMO_INIT          \
	{                                \
		.cg = SAMPLE_CGROUP_INIT \
	}

/* Make the demo cgroup (one line and -errno on failure, nothing left). */
int local_storage_demo_open(struct local_storage_demo *d, const struct sample_opts *o);
/* One child: its calls, its task storage by pidfd (task_map), one line.
 * 0 at once when the demo is not open. */
int local_storage_demo_step(struct local_storage_demo *d, const struct bpf_map *task_map);
/* Remove the cgroup, look its storage up by cg_fd in cgrp_map (not where the
 * kernel has no CGRP_STORAGE: the map has no fd then), print the summary line
 * (none for cg_fd -1, on an error path: cgrp_map may be NULL then). Safe on a
 * demo never opened, and twice. 0 or -errno. */
int local_storage_demo_close(struct local_storage_demo *d, const struct bpf_map *cgrp_map,
			     int cg_fd);

#endif /* LOCAL_STORAGE_DEMO_H */
