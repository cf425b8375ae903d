// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_redirect_map - forward frames between two ports in XDP through a DEVMAP.
 *
 * An XDP program on IN and on OUT sends every frame it sees to the other port
 * with bpf_redirect_map(): the two ports become a wire, and the kernel's IP
 * stack never sees the frames. The DEVMAP's value is either a struct
 * bpf_devmap_val (default: ifindex + an SEC("xdp/devmap") egress program that
 * writes the egress port's MAC as source) or a plain ifindex (-P). With
 * --out-mac/--in-mac the destination MAC is rewritten to the next hop.
 *
 *   sudo ./xdp_redirect_map              demo: ns1 <-> router <-> ns2, ping + UDP
 *   sudo ./xdp_redirect_map eth1 eth2 --out-mac 52:54:00:12:34:56
 *   sudo ./xdp_redirect_map -P -S eth1 eth2    plain ifindex values, generic mode
 *
 * Per-port counters (rx, redirected, errors, tx) live in a PERCPU_ARRAY keyed
 * by port number; user space sums the CPUs and prints packets per second.
 * Flooding to many ports (DEVMAP_HASH, BPF_F_BROADCAST): xdp_redirect_map_multi.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <getopt.h>
#include <netinet/ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "topo_demo.h" /* demo */
#include "xdp_outcome.h"
#include "xdp_ports.h"
#include "xdp_redirect_map.h"
#include "xdp_redirect_map.skel.h"

/* The demo, per -I tick: 5 pings (56 bytes), 5 UDP (100 bytes), h1 -> h2 */ /* demo */
static const struct sample_topo_demo_plan demo_plan = /* demo */
	{ .pings = 5, .ping_len = 56, .udps = 5, .udp_len = 100 }; /* demo */

static const struct sample_option options[] = {
	{ 'P', "plain", NULL, "DEVMAP value = plain ifindex, no egress program" },
	{ 'm', "out-mac", "MAC", "destination MAC for frames leaving by OUT" },
	{ 'M', "in-mac", "MAC", "destination MAC for frames leaving by IN" },
	{}
};

static const struct sample_cli cli = {
	.name = "xdp_redirect_map",
	.about =
		"Forward frames between two ports in XDP through a BPF_MAP_TYPE_DEVMAP, both ways.",
	.args = "[IN OUT]",
	.args_help =
		"To flood to many ports (DEVMAP_HASH, BPF_F_BROADCAST): xdp_redirect_map_multi.",
	.demo = "Without interfaces: a demo in private namespaces (ns1 <-> router <-> ns2).", /* demo */
	.options = options,
	.xdp_modes = true, /* -S, -N */
	.examples =
		"sudo ./xdp_redirect_map -d 5        sudo ./xdp_redirect_map eth1 eth2 -m 52:54:00:12:34:56",
};

/* "xx:xx:xx:xx:xx:xx" into info->next_hop; one line and -EINVAL if it is not. */
static int parse_next_hop(const char *tool, int opt, const char *s, struct xrm_port *info)
{
	struct ether_addr *a = ether_aton(s);

	if (!a) {
		fprintf(stderr, "%s: invalid MAC '%s' for -%c: expected xx:xx:xx:xx:xx:xx\n", tool,
			s, opt);
		return -EINVAL;
	}
	memcpy(info->next_hop, a->ether_addr_octet, 6);
	info->has_next_hop = 1;
	return 0;
}

/* port_info (MACs) of both ports, and the two DEVMAP slots: slot TO_OUT sends
 * to OUT, slot TO_IN to IN. The DEVMAP slot takes the egress program's fd;
 * the kernel keeps a reference to the program. */
static int fill_maps(struct xdp_redirect_map *skel, const struct sample_xdp_port *p,
		     struct xrm_port *info, bool plain)
{
	int egress_fd = bpf_program__fd(skel->progs.xdp_egress), err = 0;

	for (__u32 port = 0; port < XRM_NPORTS && !err; port++) {
		__u32 slot = port == XRM_PORT_OUT ? XRM_SLOT_TO_OUT : XRM_SLOT_TO_IN;
		__u32 ifindex = p[port].ifindex;
		struct bpf_devmap_val dv = { .ifindex = ifindex, .bpf_prog.fd = egress_fd };

		memcpy(info[port].mac, p[port].mac, 6);
		err = bpf_map__update_elem(skel->maps.port_info, &port, sizeof(port), &info[port],
					   sizeof(info[port]), 0);
		if (!err && plain)
			err = bpf_map__update_elem(skel->maps.tx_plain, &slot, sizeof(slot),
						   &ifindex, sizeof(ifindex), 0);
		else if (!err)
			err = bpf_map__update_elem(skel->maps.tx_port, &slot, sizeof(slot), &dv,
						   sizeof(dv), 0);
	}
	if (err)
		fprintf(stderr, "%s: filling the maps failed: %s%s\n", cli.name,
			sample_strerror(err),
			err == -EINVAL ? " (an egress program in a DEVMAP needs kernel 5.8+)" : "");
	return err;
}

/* What the kernel stored in the DEVMAP slots: for struct bpf_devmap_val the
 * program fd written by user space reads back as the program's id. */
static void show_devmap(struct xdp_redirect_map *skel, bool plain)
{
	for (__u32 slot = 0; slot < 2; slot++) {
		struct bpf_devmap_val v = {};
		char name[IF_NAMESIZE] = "?";

		if (bpf_map__lookup_elem(plain ? skel->maps.tx_plain : skel->maps.tx_port, &slot,
					 sizeof(slot), &v, plain ? sizeof(v.ifindex) : sizeof(v),
					 0))
			continue;
		if_indextoname(v.ifindex, name);
		if (plain)
			printf("  tx_plain[%u] = ifindex %u (%s)\n", slot, v.ifindex, name);
		else
			printf("  tx_port[%u]  = { ifindex %u (%s), egress prog id %u }\n", slot,
			       v.ifindex, name, v.bpf_prog.id);
	}
}

int main(int argc, char **argv)
{
	struct sample_topo_demo demo = SAMPLE_TOPO_DEMO_INIT; /* demo */
	struct sample_xdp_outcome outcome = {};
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	struct sample_xdp_port ports[XRM_NPORTS];
	struct xrm_port info[XRM_NPORTS] = {};
	struct xdp_redirect_map *skel = NULL;
	const char *mode_used = "?";
	struct sample_opts o = {};
	int ifindex[XRM_NPORTS];
	int nports = 0;
	int nargs, opt, err, ev, prog_fd, link_fd, port;
	bool plain = false;
	__u64 start_ns;

	while ((opt = sample_getopt(&cli, argc, argv, &o)) != -1) {
		switch (opt) {
		case 'P':
			plain = true;
			break;
		case 'm':
		case 'M':
			port = XRM_PORT_IN;
			if (opt == 'm')
				port = XRM_PORT_OUT;
			err = parse_next_hop(cli.name, opt, optarg, &info[port]);
			if (err)
				return 2;
			break;
		}
	}

	/* libbpf's warnings on stderr (its debug log too with -v); SIGINT and
	 * SIGTERM wait, blocked, for sample_wait()'s signalfd from here on, so one
	 * that comes during setup still ends the run through cleanup; a closed
	 * peer or stdout (| head) gives EPIPE instead of killing the process. */
	libbpf_set_print(o.verbose ? sample_print_all : sample_print_warnings);
	sample_block_stop_signals();
	signal(SIGPIPE, SIG_IGN);
	nargs = argc - optind;
	if (nargs != 0 && nargs != 2) {
		fprintf(stderr, "%s: expected two interfaces IN OUT, got %d: '%s'%s (see -h)\n",
			o.prog, nargs, argv[optind], nargs > 1 ? " ..." : "");
		return 2;
	}
	if (!nargs && (info[0].has_next_hop || info[1].has_next_hop)) { /* demo */
		fprintf(stderr, "%s: the demo sets its MACs: no -m/-M\n", o.prog); /* demo */
		return 2; /* demo */
	} /* demo */

	/* 1. The two ports, IN and OUT, with their names and MACs. */
	if (nargs) {
		err = sample_ifindexes(o.prog, argv + optind, 2, ifindex);
		if (err)
			goto cleanup;
	}
	if (!nargs) { /* demo */
		/* The demo router's r1 and r2; their next hops are h1 and h2. */ /* demo */
		err = sample_topo_demo_open(&demo, o.prog, &demo_plan, ifindex); /* demo */
		if (err < 0) /* demo */
			goto cleanup; /* demo */
		for (int i = 0; i < XRM_NPORTS; i++) { /* demo */
			memcpy(info[i].next_hop, demo.topo.leaf[i].mac, 6); /* demo */
			info[i].has_next_hop = 1; /* demo */
		} /* demo */
	} /* demo */
	err = sample_xdp_ports_init(o.prog, ports, ifindex, XRM_NPORTS, true);
	if (err)
		goto cleanup;
	nports = XRM_NPORTS;

	/* 2. Open, tell the programs which ifindex is which port, load. */
	skel = xdp_redirect_map__open();
	if (!skel) {
		err = sample_load_failed(&o, -errno);
		goto cleanup;
	}
	skel->rodata->in_ifindex = ports[XRM_PORT_IN].ifindex;
	skel->rodata->out_ifindex = ports[XRM_PORT_OUT].ifindex;
	skel->rodata->plain = plain;
	err = xdp_redirect_map__load(skel);
	if (err) {
		err = sample_load_failed(&o, err);
		goto cleanup;
	}

	/* 3. Fill the maps before any frame can arrive. */
	err = fill_maps(skel, ports, info, plain);
	if (err)
		goto cleanup;

	/* 4. Attach the program to both ports, each through a bpf_link: closing
	 *    it (or dying) detaches. Then follow every redirected frame to its
	 *    outcome through the kernel's XDP tracepoints, and warn about an
	 *    egress veth that would drop them. */
	LIBBPF_OPTS(bpf_link_create_opts, xdp_opts, .flags = sample_xdp_flags(o.xdp_mode));
	prog_fd = bpf_program__fd(skel->progs.xdp_redirect);
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
	err = sample_topo_demo_start(&demo, skel->progs.redir_host_pass); /* demo */
	if (err) /* demo */
		goto cleanup; /* demo */

	/* 5. Run: one row per port and -I tick until Ctrl-C, SIGTERM or -d. */
	printf("Redirecting %s <-> %s through BPF_MAP_TYPE_DEVMAP '%s' (%s), XDP mode %s",
	       ports[0].name, ports[1].name, plain ? "tx_plain" : "tx_port",
	       plain ? "value: ifindex" : "value: struct bpf_devmap_val + egress program",
	       mode_used);
	if (demo.open) /* demo */
		printf("; demo: ping + UDP from ns1 to ns2"); /* demo */
	printf("\n");
	show_devmap(skel, plain);
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
		err = sample_xdp_ports_rates(o.prog, skel->maps.port_stats, ports, nports,
					     start_ns);
		if (err)
			goto cleanup;
	}
	err = ev;
	if (err)
		goto cleanup;

	/* 6. Summary: the totals, what became of the redirected frames. */
	err = sample_xdp_ports_totals(o.prog, skel->maps.port_stats, ports, nports);
	if (err)
		goto cleanup;
	err = sample_xdp_ports_outcome(&outcome, ports, nports, mode_used);

cleanup:
	sample_loop_close(&loop);
	sample_xdp_ports_detach(ports, nports);
	sample_xdp_outcome_close(&outcome);
	xdp_redirect_map__destroy(skel);
	sample_topo_demo_close(&demo); /* demo */
	return err ? 1 : 0;
}
