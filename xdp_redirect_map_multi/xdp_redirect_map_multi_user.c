// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_redirect_map_multi - flood every frame to all the other ports in XDP
 * through a BPF_MAP_TYPE_DEVMAP_HASH and BPF_F_BROADCAST.
 *
 * Every port runs the same XDP program; it redirects each frame to all the
 * entries of the DEVMAP_HASH 'flood_ports' except the one it came in on
 * (BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS): the kernel clones the frame once
 * per other port, a hub in XDP. An egress program in each entry writes that
 * port's MAC as source of its clone.
 *
 *   sudo ./xdp_redirect_map_multi              demo: 3 hosts, UDP broadcasts from ns1
 *   sudo ./xdp_redirect_map_multi eth1 eth2 eth3
 *
 * Per-port counters (rx, redirected, errors, tx) live in a PERCPU_ARRAY keyed by
 * port number; user space sums the CPUs and prints packets per second.
 * Forwarding between two ports through a DEVMAP: xdp_redirect_map.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <getopt.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "topo_demo.h" /* demo */
#include "xdp_outcome.h"
#include "xdp_ports.h"
#include "xdp_redirect_map_multi.h"
#include "xdp_redirect_map_multi.skel.h"

/* The demo, per -I tick: a 100-byte UDP broadcast from h1 to h2 and h3. */ /* demo */
static const struct sample_topo_demo_plan demo_plan = /* demo */
	{ .flags = SAMPLE_TOPO_LEAF3, .bcasts = 1, .bcast_len = 100 }; /* demo */

static const struct sample_cli cli = {
	.name = "xdp_redirect_map_multi",
	.about = "Flood every frame to all the other ports in XDP: DEVMAP_HASH + BPF_F_BROADCAST.",
	.args = "[IFACE1 IFACE2] [IFACE3...]",
	.args_help = "Two ports or more (at most 64).",
	.demo = "Without interfaces: a demo in private namespaces\n" /* demo */
		"(ns1, ns2, ns3 on the router ports r1, r2, r3).", /* demo */
	.xdp_modes = true, /* -S, -N */
	.examples =
		"sudo ./xdp_redirect_map_multi -d 5        sudo ./xdp_redirect_map_multi eth1 eth2 eth3",
};

/* Every port: its number in flood_port_num, its MAC in flood_macs, its entry in
 * the DEVMAP_HASH, keyed by ifindex, with the egress program's fd (the kernel
 * keeps a reference to the program). */
static int fill_maps(struct xdp_redirect_map_multi *skel, const struct sample_xdp_port *p, int n)
{
	int egress_fd = bpf_program__fd(skel->progs.xdp_flood_out), err = 0;

	for (__u32 port = 0; port < (__u32)n && !err; port++) {
		__u32 ifindex = p[port].ifindex;
		struct bpf_devmap_val dv = { .ifindex = ifindex, .bpf_prog.fd = egress_fd };
		struct xrmm_port info = {};

		memcpy(info.mac, p[port].mac, 6);
		err = bpf_map__update_elem(skel->maps.flood_port_num, &ifindex, sizeof(ifindex),
					   &port, sizeof(port), BPF_NOEXIST);
		if (!err)
			err = bpf_map__update_elem(skel->maps.flood_macs, &port, sizeof(port),
						   &info, sizeof(info), 0);
		if (!err)
			err = bpf_map__update_elem(skel->maps.flood_ports, &ifindex,
						   sizeof(ifindex), &dv, sizeof(dv), 0);
	}
	if (err)
		fprintf(stderr, "%s: filling the maps failed: %s%s\n", cli.name,
			sample_strerror(err),
			err == -EINVAL ? " (an egress program in a DEVMAP needs kernel 5.8+)" : "");
	return err;
}

/* A broadcast skips a target port that cannot transmit XDP frames (a veth
 * whose peer has no XDP program and GRO off) without any tracepoint: the clone
 * is neither sent nor counted as an error. Every frame one port floods is due
 * once at every other port (BPF_F_EXCLUDE_INGRESS), and the egress program
 * counts the clones made (tx), so the difference is what the kernel skipped. */
static int print_skipped(struct xdp_redirect_map_multi *skel, const struct sample_xdp_port *p,
			 int n)
{
	struct xrmm_stats s[XRMM_MAX_PORTS];
	char b[3][SAMPLE_FMT_LEN];
	__u64 flooded = 0;

	for (__u32 port = 0; port < (__u32)n; port++) {
		int err = sample_percpu_lookup(skel->maps.flood_stats, &port, (__u64 *)&s[port]);

		if (err)
			return err;
		flooded += s[port].redirected;
	}
	printf("clones per port (due: flooded by the other ports; made: seen by the egress program):\n");
	printf("  %-12s %14s %14s %14s\n", "port", "due", "made", "skipped");
	for (int i = 0; i < n; i++) {
		__u64 due = flooded - s[i].redirected;

		printf("  %-12s %14s %14s %14s\n", p[i].name,
		       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, due),
		       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, s[i].tx),
		       sample_fmt_u64(b[2], SAMPLE_FMT_LEN, due > s[i].tx ? due - s[i].tx : 0));
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sample_topo_demo demo = SAMPLE_TOPO_DEMO_INIT; /* demo */
	struct sample_xdp_outcome outcome = {};
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	struct sample_xdp_port ports[XRMM_MAX_PORTS];
	struct xdp_redirect_map_multi *skel = NULL;
	int ifindex[XRMM_MAX_PORTS];
	int nports = 0;
	int n, err, ev, prog_fd, link_fd;
	const char *mode_used = "?";
	struct sample_opts o = {};
	__u64 start_ns;

	sample_parse_args(&cli, argc, argv, &o);
	n = argc - optind;

	/* libbpf's warnings on stderr (its debug log too with -v); SIGINT and
	 * SIGTERM wait, blocked, for sample_wait()'s signalfd from here on, so one
	 * that comes during setup still ends the run through cleanup; a closed
	 * peer or stdout (| head) gives EPIPE instead of killing the process. */
	libbpf_set_print(o.verbose ? sample_print_all : sample_print_warnings);
	sample_block_stop_signals();
	signal(SIGPIPE, SIG_IGN);
	if (n == 1 || n > XRMM_MAX_PORTS) {
		fprintf(stderr, "%s: expected 2 to %d interfaces, got %d: '%s'%s (see -h)\n",
			o.prog, XRMM_MAX_PORTS, n, argv[optind], n > 1 ? " ..." : "");
		return 2;
	}

	/* 1. The ports, with their names and MACs. */
	if (n) {
		err = sample_ifindexes(o.prog, argv + optind, n, ifindex);
		if (err)
			goto cleanup;
	}
	if (!n) { /* demo */
		/* The demo router's r1, r2 and r3. */ /* demo */
		n = sample_topo_demo_open(&demo, o.prog, &demo_plan, ifindex); /* demo */
		err = n; /* demo */
		if (err < 0) /* demo */
			goto cleanup; /* demo */
	} /* demo */
	err = sample_xdp_ports_init(o.prog, ports, ifindex, n, true);
	if (err)
		goto cleanup;
	nports = n;

	/* 2. Load: the skeleton creates the maps and loads the programs. */
	skel = xdp_redirect_map_multi__open_and_load();
	if (!skel) {
		err = sample_load_failed(&o, -errno);
		goto cleanup;
	}

	/* 3. Fill the maps before any frame can arrive. */
	err = fill_maps(skel, ports, nports);
	if (err)
		goto cleanup;

	/* 4. Attach the program to every port, each through a bpf_link: closing
	 *    it (or dying) detaches. Then follow every clone to its outcome
	 *    through the kernel's XDP tracepoints, and warn about an egress veth
	 *    that would drop them. */
	LIBBPF_OPTS(bpf_link_create_opts, xdp_opts, .flags = sample_xdp_flags(o.xdp_mode));
	prog_fd = bpf_program__fd(skel->progs.xdp_flood);
	for (int i = 0; i < nports; i++) {
		link_fd = bpf_link_create(prog_fd, ports[i].ifindex, BPF_XDP, &xdp_opts);
		if (link_fd < 0) {
			err = sample_xdp_attach_failed(o.prog, ports[i].ifindex, o.xdp_mode,
						       -errno);
			goto cleanup;
		}
		ports[i].link = link_fd;
		mode_used = sample_xdp_mode_used(ports[i].ifindex);
	}
	err = sample_xdp_ports_follow(&outcome, o.prog, skel->obj, ports, nports);
	if (err)
		goto cleanup;
	err = sample_topo_demo_start(&demo, skel->progs.flood_host_pass); /* demo */
	if (err) /* demo */
		goto cleanup; /* demo */

	/* 5. Run: one row per port and -I tick until Ctrl-C, SIGTERM or -d. */
	printf("Flooding between %d ports through BPF_MAP_TYPE_DEVMAP_HASH 'flood_ports' "
	       "(BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS), XDP mode %s",
	       nports, mode_used);
	if (demo.open) /* demo */
		printf("; demo: UDP broadcasts from h1 (ns1)"); /* demo */
	printf("\n");
	printf(SAMPLE_XDP_PORTS_HEADER);
	fflush(stdout);
	start_ns = sample_now_ns();
	err = sample_loop_open(&loop, &o, -1);
	if (err)
		goto cleanup;
	while ((ev = sample_wait(&loop)) == SAMPLE_TICK) {
		if (demo.open) { /* demo */
			err = sample_topo_demo_step(&demo); /* demo */
			if (err) /* demo */
				goto cleanup; /* demo */
		} /* demo */
		err = sample_xdp_ports_rates(o.prog, skel->maps.flood_stats, ports, nports,
					     start_ns);
		if (err)
			goto cleanup;
	}
	err = ev;
	if (err)
		goto cleanup;

	/* 6. Summary: the totals, what became of the clones (the kernel's
	 *    tracepoints, and the ones it skipped). */
	err = sample_xdp_ports_totals(o.prog, skel->maps.flood_stats, ports, nports);
	if (err)
		goto cleanup;
	err = sample_xdp_ports_outcome(&outcome, ports, nports, mode_used);
	if (err)
		goto cleanup;
	err = print_skipped(skel, ports, nports);

cleanup:
	sample_loop_close(&loop);
	sample_xdp_ports_detach(ports, nports);
	sample_xdp_outcome_close(&outcome);
	xdp_redirect_map_multi__destroy(skel);
	sample_topo_demo_close(&demo); /* demo */
	return err ? 1 : 0;
}
