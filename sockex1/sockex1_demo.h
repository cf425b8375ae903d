/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sockex1_demo.h - sockex1's no-argument demo behind open / step / close, on
 * common/demo.h's veth pair: a private netns with demo0 (where sockex1
 * counts) and a peer netns with demo1 (where the traffic comes from).
 *
 * open:  the pair, the traffic sockets; o->ifname / o->ifindex become demo0,
 *        so that the loader attaches there as it would to a real interface.
 * step:  per -I tick, 5 echo requests of 56 payload bytes (84 IP bytes), 5 UDP
 *        datagrams of 100 payload bytes (128 IP bytes), 20,000 TCP bytes, from
 *        the peer to demo0, and what comes back collected.
 * close: "demo sent: ..." and teardown (the namespaces die with their fds).
 */
#ifndef SOCKEX1_DEMO_H
#define SOCKEX1_DEMO_H

#include "demo.h"

struct sample_opts;

/* 0, or -errno after one line, with nothing left. */
int sockex1_demo_open(struct sample_veth_demo *d, struct sample_opts *o);
/* 0, or -errno after one line. */
int sockex1_demo_step(struct sample_veth_demo *d);
/* Safe on a demo never opened. */
void sockex1_demo_close(struct sample_veth_demo *d);

#endif /* SOCKEX1_DEMO_H */
