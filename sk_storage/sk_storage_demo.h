/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sk_storage_demo.h - sk_storage's no-argument demo behind open / step / close.
 *
 * open:  a cgroup of its own (<cgroup2 root>/sk_storage.<pid>, removed by a
 *        reaper even after SIGKILL) and a private netns, joined by this
 *        process, and a TCP listener on 127.0.0.1 made inside both, so that
 *        every socket of the demo belongs to the cgroup the sample watches.
 * step:  one whole connection: 1 MiB client -> server, 1,000 bytes back, both
 *        shut down; both storages read by fd and printed; both closed, and a
 *        lookup by the freed fd number shows the storage went with the socket.
 * close: the demo's final line, then back to the original netns and cgroup,
 *        and the demo cgroup removed.
 */
#ifndef SK_STORAGE_DEMO_H
#define SK_STORAGE_DEMO_H

#include <stdbool.h>
#include <netinet/in.h>
#include <linux/types.h>

#include "cgroup.h"

struct bpf_map;
struct bpf_link;
struct sample_opts;

struct sk_storage_demo {
	const char *prog;
	struct sample_cgroup cg;
	char orig_cg[SAMPLE_CGROUP_PATH_MAX]; /* where this process was */
	int orig_ns, ns, listen_fd;
	bool joined, open;
	struct sockaddr_in addr; /* the listener's */
	__u64 conns, enoent; /* connections made; lookups after close that gave ENOENT */
};
#define SK_STORAGE_DEMO_INIT                                                       \
	{                                                                          \
		.cg = SAMPLE_CGROUP_INIT, .orig_ns = -1, .ns = -1, .listen_fd = -1 \
	}

/* Make the cgroup and netns, join both, listen; prints what each step does.
 * One line and -errno on failure (sk_storage_demo_close() undoes the rest). */
int sk_storage_demo_open(struct sk_storage_demo *d, const struct sample_opts *o);
/* One connection, read by fd through map; iter counts what is left after close. */
int sk_storage_demo_step(struct sk_storage_demo *d, const struct bpf_map *map,
			 struct bpf_link *iter);
/* The demo's final line: connections, storages created, ENOENT after close, left. */
void sk_storage_demo_summary(const struct sk_storage_demo *d, __u64 created, int left);
/* Leave and remove what open made. Safe on a demo never opened. 0 or -errno
 * (removing the cgroup failed, after one line). */
int sk_storage_demo_close(struct sk_storage_demo *d);

#endif /* SK_STORAGE_DEMO_H */
