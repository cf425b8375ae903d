/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xdp_fwd_demo.h - xdp_fwd's no-argument demo behind open / start / step /
 * close, on common/topo_demo.h's routed topology:
 *
 *   h1 (ns1) <-> r1 [router] r2 <-> h2 (ns2)
 *
 * open:  the namespaces; the calling thread moves into the router's, and the
 *        router ports r1 and r2 become the ports xdp_fwd forwards between.
 * start: once xdp_fwd is attached: an XDP_PASS program on the hosts (a veth
 *        takes redirected frames only then), the traffic sockets.
 * step:  per -I tick, 5 echo requests of 56 payload bytes and 5 UDP datagrams
 *        of 100 bytes from h1 to h2. The router has no neighbour entries: it
 *        resolves the hosts with ARP, like a real one.
 * close: "demo sent: ...; router ForwDatagrams A -> B" and teardown. The
 *        router's ForwDatagrams (/proc/net/snmp) grows only by the packets
 *        XDP passed to the stack: that proves XDP did the forwarding.
 */
#ifndef XDP_FWD_DEMO_H
#define XDP_FWD_DEMO_H

#include "topo_demo.h"

struct bpf_program;

/* Fills ifindexes with r1 and r2; returns 2, or -errno after one line with
 * nothing left. */
int xdp_fwd_demo_open(struct sample_topo_demo *d, const char *prog, int *ifindexes);
/* pass: XDP_PASS for the hosts, a program of xdp_fwd's object. 0 or -errno. */
int xdp_fwd_demo_start(struct sample_topo_demo *d, const struct bpf_program *pass);
/* 0, or -errno after one line. */
int xdp_fwd_demo_step(struct sample_topo_demo *d);
/* Safe on a demo never opened. */
void xdp_fwd_demo_close(struct sample_topo_demo *d);

#endif /* XDP_FWD_DEMO_H */
