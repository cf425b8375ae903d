/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sockmap_demo.h - sockmap's no-argument demo behind open / step / close.
 *
 * open:  a cgroup of its own (<cgroup2 root>/sockmap.<pid>, removed by a
 *        reaper even after SIGKILL) and an anonymous netns, both joined by
 *        this process, and two listeners on 127.0.0.1 made inside them: one
 *        for the bypass, one for the in-kernel echo (-m sockmap).
 * step:  one connection: the client sends SOCKMAP_DEMO_MSGS messages of
 *        SOCKMAP_DEMO_LEN bytes, the server reads the stream and checks it
 *        byte by byte and by checksum; the map's entries are counted while
 *        both sockets are open and again after both closed
 *        (sockmap_entries()). With the echo: one
 *        more connection whose server socket is put into echo_map by fd, and
 *        the client reads its own bytes back without the server reading.
 * close: "demo sent: ...", then back to the original netns and cgroup, and
 *        the demo cgroup removed.
 */
#ifndef SOCKMAP_DEMO_H
#define SOCKMAP_DEMO_H

#include <stdbool.h>
#include <netinet/in.h>
#include <linux/types.h>

#include "cgroup.h"
#include "sockmap.h"

#define SOCKMAP_DEMO_MSGS 100
#define SOCKMAP_DEMO_LEN 1000

struct bpf_map;
struct sample_opts;

struct sockmap_demo {
	const char *prog;
	struct sample_cgroup cg;
	char orig_cg[SAMPLE_CGROUP_PATH_MAX];
	int orig_ns, ns, listen_fd, echo_listen_fd;
	bool joined, open;
	struct sockaddr_in addr, echo_addr;
	__u64 conns, msgs, bytes_sent, bytes_rcvd, intact; /* intact: checksums equal */
	__u64 echo_sent, echo_back;
	int open_entries, closed_entries; /* of the last step */
};
#define SOCKMAP_DEMO_INIT                                                           \
	{                                                                           \
		.cg = SAMPLE_CGROUP_INIT, .orig_ns = -1, .ns = -1, .listen_fd = -1, \
		.echo_listen_fd = -1                                                \
	}

/* Make the cgroup and netns, join both, listen. One line and -errno on
 * failure (sockmap_demo_close() undoes the rest). */
int sockmap_demo_open(struct sockmap_demo *d, const struct sample_opts *o, bool echo);
/* One connection through the bypass (entries counted in map while open and
 * after close), then, if echo_map, one echo connection. 0 or -errno after one line. */
int sockmap_demo_step(struct sockmap_demo *d, const struct bpf_map *map,
		      const struct bpf_map *echo_map);
/* If open: the line "summary: ..." from the program's counters and the
 * entries the last step saw. */
void sockmap_demo_summary(const struct sockmap_demo *d, const struct sockmap_stats *stats);
/* Print "demo sent: ..." and leave and remove what open made. Safe on a demo
 * never opened. 0 or -errno. */
int sockmap_demo_close(struct sockmap_demo *d);

#endif /* SOCKMAP_DEMO_H */
