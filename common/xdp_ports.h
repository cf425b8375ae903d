/* SPDX-License-Identifier: GPL-2.0 */
/*
 * common/xdp_ports.h - the ports of the XDP forwarding samples (xdp_fwd,
 * xdp_redirect_map, xdp_redirect_map_multi): an interface name, its ifindex,
 * its MAC, and the bpf_link of the XDP program attached to it.
 *
 *	sample_xdp_ports_init()    names (and MACs) of resolved ifindexes
 *	sample_xdp_ports_detach()  close the links (safe twice)
 *	sample_xdp_ports_follow()  the outcome of redirected frames (xdp_outcome.h)
 *	sample_xdp_ports_outcome() and its table, for the summary
 *	sample_xdp_ports_rates()   per-port counters as packets per second
 *	sample_xdp_ports_totals()  and as totals, after "final:"
 *
 * Each sample attaches its program to the ports itself, in its main()
 * (bpf_link_create(), one link per port, its fd in the port's .link); the -S
 * and -N options are the common ones (.xdp_modes in struct sample_cli).
 */
#ifndef SAMPLE_XDP_PORTS_H
#define SAMPLE_XDP_PORTS_H

#include <stdbool.h>
#include <linux/types.h>
#include <net/if.h>
#include "sample.h"

struct bpf_map;
struct bpf_object;
struct bpf_program;
struct sample_xdp_outcome;

#define SAMPLE_XDP_MAX_PORTS 64

struct sample_xdp_port {
	char name[IF_NAMESIZE];
	int ifindex;
	int link; /* bpf_link fd of the XDP program on this port, or -1 */
	__u8 mac[6]; /* the port's own MAC (with need_mac) */
	__u64 last[4]; /* counters at the previous row, for rates */
	__u64 last_ns;
};

/* Fill p[0..n-1] from n ifindexes (in the calling thread's netns): the name,
 * link = -1, and with need_mac the MAC (an XDP redirect that rewrites MACs
 * needs Ethernet ports). 0, or -errno after one line. */
int sample_xdp_ports_init(const char *prog, struct sample_xdp_port *p, const int *ifindexes, int n,
			  bool need_mac);
/* Follow the frames these ports redirect to their outcome: attach the
 * tracepoint programs of xdp_outcome_kern.h found in obj, watch every port
 * as an ingress device, and for every port (each is an egress port too) warn
 * when it is a veth whose peer would drop every redirected frame
 * (sample_veth_peer_check()). Call it in the ports' netns, after attaching,
 * so that a refused attach stays the only line. 0 or -errno after one line. */
int sample_xdp_ports_follow(struct sample_xdp_outcome *x, const char *prog, struct bpf_object *obj,
			    const struct sample_xdp_port *p, int n);
/* The "after the redirect" table of x for these ports (sample_xdp_outcome_
 * print()), and in generic mode (mode_used "generic") a line saying that
 * transmitted frames are not traced there. 0 or -errno. */
int sample_xdp_ports_outcome(const struct sample_xdp_outcome *x, const struct sample_xdp_port *p,
			     int n, const char *mode_used);
/* Close every link. */
void sample_xdp_ports_detach(struct sample_xdp_port *p, int n);

/* The per-port table of xdp_redirect_map and xdp_redirect_map_multi: stats is
 * a PERCPU_ARRAY keyed by port number (0..n-1) whose value is four __u64
 * counters (rx, redirected, errors, tx), summed over the CPUs here.
 * _rates() prints one row per port, "TIME  PORT  rx redir err tx" per second
 * since the previous row, TIME counted from start_ns; _totals() prints
 * "final:", a header and one row of totals per port. 0 or -errno after one
 * line. */
#define SAMPLE_XDP_PORTS_HEADER \
	"   time  port             rx pps    redir pps      err pps       tx pps\n"
int sample_xdp_ports_rates(const char *prog, const struct bpf_map *stats, struct sample_xdp_port *p,
			   int n, __u64 start_ns);
int sample_xdp_ports_totals(const char *prog, const struct bpf_map *stats,
			    const struct sample_xdp_port *p, int n);

#endif /* SAMPLE_XDP_PORTS_H */
