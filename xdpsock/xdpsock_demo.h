/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xdpsock_demo.h - xdpsock's no-argument demo behind open / step / close.
 *
 * The demo pair of common/demo.h (demo0 in the sample's netns, demo1 in the
 * peer's). rxdrop and l2fwd: each step sends 100 UDP datagrams of 64 bytes
 * from the peer to demo0. Every mode: a packet socket on demo1 counts the
 * frames that come back from demo0 to UDP port 7000 (l2fwd's replies,
 * txonly's frames).
 */
#ifndef XDPSOCK_DEMO_H
#define XDPSOCK_DEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "demo.h"
#include "xdpsock_umem.h"

struct sample_opts;

struct xdpsock_demo {
	const char *prog;
	struct sample_demo net;
	struct sample_traffic traffic;
	int peer_sock; /* on demo1: frames from demo0 to UDP 7000 */
	__u64 peer_rx; /* what it counted so far */
	bool send; /* UDP from the peer at each step */
	bool counted; /* the peer's counter was read: there is a result */
	bool open;
};
#define XDPSOCK_DEMO_INIT                                                                          \
	{                                                                                          \
		.net = { .orig_ns = -1, .ns = -1, .peer_ns = -1 }, .traffic = SAMPLE_TRAFFIC_INIT, \
		.peer_sock = -1                                                                    \
	}

/* Build the pair (the thread moves into the sample's netns), point
 * o->ifname / o->ifindex at demo0 and peer_mac at demo1's MAC (where txonly
 * sends). rxdrop and l2fwd (mode): traffic from the peer at each step.
 * -errno after one line. */
int xdpsock_demo_open(struct xdpsock_demo *d, struct sample_opts *o, enum xdpsock_mode mode,
		      unsigned char peer_mac[6]);
/* Send one step's datagrams and give them 50 ms to land. */
int xdpsock_demo_step(struct xdpsock_demo *d);
/* What the header line says about the demo, and the column it adds to the
 * table ("peer rx"); "" when not open. */
const char *xdpsock_demo_about(const struct xdpsock_demo *d);
const char *xdpsock_demo_head(const struct xdpsock_demo *d);
/* That column of a row: the frames from demo0 that reached the peer so far,
 * " %10s" into buf ("" when not open). */
void xdpsock_demo_col(struct xdpsock_demo *d, char *buf, size_t len);
/* If open: "demo sent: ..." (or, txonly, what the peer received) once a row
 * was printed; tear down. */
void xdpsock_demo_close(struct xdpsock_demo *d);

#endif /* XDPSOCK_DEMO_H */
