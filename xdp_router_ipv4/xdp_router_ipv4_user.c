// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_router_ipv4 - an IPv4 router in XDP that keeps its own copy of the
 * kernel's routes (LPM_TRIE) and neighbours (HASH), mirrored through netlink.
 *
 * At start it subscribes to the rtnetlink multicast groups RTMGRP_IPV4_ROUTE
 * and RTMGRP_NEIGH, dumps the main routing table and the ARP table into the
 * maps, and from then on applies every change the kernel announces. The XDP
 * program looks up the longest matching prefix, the next hop's MAC, and
 * redirects through a DEVMAP_HASH; what it cannot forward goes to the stack.
 * Per-route packet counts live in a PERCPU_HASH keyed by the prefix. At the
 * end, the tables as they are (xdp_router_ipv4_tables.c) and, from the
 * kernel's XDP tracepoints, what became of the frames counted as forwarded.
 *
 *   sudo ./xdp_router_ipv4            demo: ns1 -> router -> ns2/ns3, adds and
 *                                     removes a more specific route while running
 *   sudo ./xdp_router_ipv4 eth1 eth2  route between eth1 and eth2 (ip_forward=1)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "xdp_outcome.h"
#include "xdp_router_ipv4.h"
#include "xdp_router_ipv4_demo.h" /* demo */
#include "xdp_router_ipv4_mirror.h"
#include "xdp_router_ipv4_tables.h"
#include "xdp_router_ipv4.skel.h"

static const struct sample_cli cli = {
	.name = "xdp_router_ipv4",
	.about = "Route IPv4 in XDP from an LPM_TRIE of routes and a HASH of neighbours, both\n"
		 "mirrored from the kernel through netlink and kept up to date while running.",
	.args = "[IFACE...]",
	.args_help = "The interfaces to route between (at most 64).",
	.demo = "Without interfaces: a demo in private namespaces (ns1 -> router -> ns2, ns3).", /* demo */
	.xdp_modes = true, /* -S, -N */
	.examples = "sudo ./xdp_router_ipv4 -d 5        sudo ./xdp_router_ipv4 eth1 eth2",
};

/* A port: an interface the program runs on and may transmit on. */
struct port {
	char name[IF_NAMESIZE];
	int ifindex;
	int link; /* the XDP bpf_link, -1 before attach */
};

/* What the previous row printed, for the rates of the next. */
struct rates {
	__u64 start_ns, last_ns, fwd, pass;
};

/* The mirror calls this for every change it applied to the maps. */
static void on_change(void *start_ns, const char *what)
{
	printf("%7.1f  netlink: %s\n", (sample_now_ns() - *(__u64 *)start_ns) / 1e9, what);
	fflush(stdout);
}

/* The number of keys in map (its key is at most 64 bytes). */
static int map_count(const struct bpf_map *map)
{
	size_t size = bpf_map__key_size(map);
	char key[64], next[64];
	void *prev = NULL;
	int n = 0;

	while (!bpf_map__get_next_key(map, prev, next, size)) {
		memcpy(key, next, size);
		prev = key;
		n++;
	}
	return n;
}

/* One row, left open for more columns: forwarded and to-stack rates from the
 * verdict counters (per-CPU, summed), the sizes of the two mirrored tables. */
static int print_row(struct xdp_router_ipv4 *skel, struct rates *r)
{
	__u64 now = sample_now_ns(), fwd = 0, pass = 0;
	double dt = (now - r->last_ns) / 1e9;
	char b[2][SAMPLE_FMT_LEN];

	for (__u32 k = 0; k < XR_NKEYS; k++) {
		struct xr_counter s;
		int err = sample_percpu_lookup(skel->maps.stats, &k, (__u64 *)&s);

		if (err) {
			fprintf(stderr, "xdp_router_ipv4: reading stats failed: %s\n",
				sample_strerror(err));
			return err;
		}
		if (k == XR_FORWARDED)
			fwd = s.packets;
		else
			pass += s.packets;
	}
	printf("%7.1f  %12s %14s %7d %7d", (now - r->start_ns) / 1e9,
	       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, (fwd - r->fwd) / dt + 0.5),
	       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, (pass - r->pass) / dt + 0.5),
	       map_count(skel->maps.routes), map_count(skel->maps.neighbours));
	*r = (struct rates){ r->start_ns, now, fwd, pass };
	return 0;
}

/* A port into both maps the program checks before it redirects: the
 * DEVMAP_HASH (key = value = ifindex) and the port's own MAC. */
static int add_port(struct xdp_router_ipv4 *skel, const char *prog, const struct port *p)
{
	struct xr_port mac = {};
	__u32 key = p->ifindex;
	int err;

	err = sample_iface_mac(p->name, mac.mac);
	if (err) {
		fprintf(stderr,
			"%s: %s has no Ethernet address (%s): XDP routing needs "
			"Ethernet ports\n",
			prog, p->name, sample_strerror(err));
		return err;
	}
	err = bpf_map__update_elem(skel->maps.tx_port, &key, sizeof(key), &key, sizeof(key), 0);
	if (!err)
		err = bpf_map__update_elem(skel->maps.port_mac, &key, sizeof(key), &mac,
					   sizeof(mac), 0);
	if (err)
		fprintf(stderr, "%s: adding port %s failed: %s\n", prog, p->name,
			sample_strerror(err));
	return err;
}

int main(int argc, char **argv)
{
	struct xdp_router_ipv4_demo demo = XDP_ROUTER_IPV4_DEMO_INIT; /* demo */
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	struct xdp_router_ipv4_mirror mirror = { .sock = -1 };
	struct sample_xdp_outcome outcome = {};
	struct xdp_router_ipv4 *skel = NULL;
	int ifindexes[XR_MAX_PORTS];
	struct port ports[XR_MAX_PORTS];
	int nports = 0;
	int err, ev, prog_fd, link_fd;
	struct sample_opts o = {};
	const char *mode_used = "?";
	struct rates rates = {};

	sample_parse_args(&cli, argc, argv, &o);

	/* libbpf's warnings on stderr (its debug log too with -v); SIGINT and
	 * SIGTERM wait, blocked, for sample_wait()'s signalfd from here on, so one
	 * that comes during setup still ends the run through cleanup; a closed
	 * peer or stdout (| head) gives EPIPE instead of killing the process. */
	libbpf_set_print(o.verbose ? sample_print_all : sample_print_warnings);
	sample_block_stop_signals();
	signal(SIGPIPE, SIG_IGN);
	if (argc - optind > XR_MAX_PORTS) {
		fprintf(stderr, "%s: at most %d interfaces\n", o.prog, XR_MAX_PORTS);
		return 2;
	}

	/* 1. Load: the tables are empty until the mirror fills them. */
	skel = xdp_router_ipv4__open_and_load();
	if (!skel) {
		err = sample_load_failed(&o, -errno);
		goto cleanup;
	}

	/* 2. Ports: the user's interfaces (each once), into the DEVMAP_HASH and
	 *    the HASH of port MACs. */
	if (optind < argc) {
		err = sample_ifindexes(o.prog, argv + optind, argc - optind, ifindexes);
		if (err)
			goto cleanup;
		nports = argc - optind;
	}
	if (!nports) { /* demo */
		/* The demo's router, its ports r1, r2, r3. */ /* demo */
		err = xdp_router_ipv4_demo_open(&demo, o.prog, skel, &mirror, /* demo */
						ifindexes, &nports); /* demo */
		if (err) /* demo */
			goto cleanup; /* demo */
	} /* demo */
	for (int i = 0; i < nports; i++)
		ports[i] = (struct port){ .ifindex = ifindexes[i], .link = -1 };
	for (int i = 0; i < nports; i++) {
		if (!if_indextoname(ports[i].ifindex, ports[i].name)) {
			err = -errno;
			fprintf(stderr, "%s: ifindex %d: %s\n", o.prog, ports[i].ifindex,
				sample_strerror(err));
			goto cleanup;
		}
		err = add_port(skel, o.prog, &ports[i]);
		if (err)
			goto cleanup;
	}

	/* 3. The mirror: subscribe, then dump the routes and neighbours. */
	mirror.routes_fd = bpf_map__fd(skel->maps.routes);
	mirror.neigh_fd = bpf_map__fd(skel->maps.neighbours);
	mirror.local_fd = bpf_map__fd(skel->maps.local_addrs);
	err = xdp_router_ipv4_mirror_open(&mirror);
	if (err) {
		fprintf(stderr, "%s: mirroring routes and neighbours through netlink failed: %s\n",
			o.prog, sample_strerror(err));
		goto cleanup;
	}

	/* 4. Attach: one bpf_link per port (closing it, or dying, detaches),
	 *    and the kernel's XDP tracepoints that follow each redirect to its
	 *    outcome on these ports. Then name a veth port whose peer (here)
	 *    would drop every frame redirected into it. */
	err = sample_xdp_outcome_open(&outcome, o.prog, skel->obj);
	if (err)
		goto cleanup;
	LIBBPF_OPTS(bpf_link_create_opts, xdp_opts, .flags = sample_xdp_flags(o.xdp_mode));
	prog_fd = bpf_program__fd(skel->progs.xdp_router);
	for (int i = 0; i < nports; i++) {
		link_fd = bpf_link_create(prog_fd, ports[i].ifindex, BPF_XDP, &xdp_opts);
		if (link_fd < 0) {
			err = sample_xdp_attach_failed(o.prog, ports[i].ifindex, o.xdp_mode,
						       -errno);
			goto cleanup;
		}
		ports[i].link = link_fd;
		mode_used = sample_xdp_mode_used(ports[i].ifindex);
		err = sample_xdp_outcome_watch(&outcome, ports[i].ifindex);
		if (err)
			goto cleanup;
	}
	for (int i = 0; i < nports; i++)
		sample_veth_peer_check(o.prog, ports[i].ifindex);

	/* 5. Run: a row per -I tick; netlink events applied as they arrive. */
	printf("Routing IPv4 in XDP on");
	for (int i = 0; i < nports; i++)
		printf(" %s", ports[i].name);
	printf(", XDP mode %s: %d routes in the LPM_TRIE, %d neighbours in the HASH "
	       "(mirrored by netlink)",
	       mode_used, map_count(skel->maps.routes), map_count(skel->maps.neighbours));
	if (demo.open) /* demo */
		printf("; demo: ping + UDP from ns1 to 10.99.0.1 (on h2 and h3)"); /* demo */
	printf("\n");
	printf("%7s  %12s %14s %7s %7s", "time", "fwd pps", "to stack pps", "routes", "neighs");
	xdp_router_ipv4_demo_columns(&demo, true); /* demo */
	printf("\n");
	fflush(stdout);
	rates.start_ns = sample_now_ns();
	rates.last_ns = rates.start_ns;
	mirror.on_change = on_change;
	mirror.ctx = &rates.start_ns;
	err = sample_loop_open(&loop, &o, mirror.sock);
	if (err)
		goto cleanup;
	while ((ev = sample_wait(&loop)) > 0) {
		if (ev == SAMPLE_READY) {
			err = xdp_router_ipv4_mirror_process(&mirror);
			if (err) {
				fprintf(stderr, "%s: netlink: %s\n", o.prog, sample_strerror(err));
				goto cleanup;
			}
			continue;
		}
		/* SAMPLE_TICK */
		if (demo.open) { /* demo */
			err = xdp_router_ipv4_demo_step(&demo, rates.start_ns); /* demo */
			if (err) /* demo */
				goto cleanup; /* demo */
		} /* demo */
		err = print_row(skel, &rates);
		if (err)
			goto cleanup;
		xdp_router_ipv4_demo_columns(&demo, false); /* demo */
		printf("\n");
		fflush(stdout);
	}
	err = ev;
	if (err)
		goto cleanup;

	/* 6. Summary: the tables as they are now, then what became of the
	 *    frames counted as forwarded: transmitted, or dropped on the way. */
	xdp_router_ipv4_print_tables(skel); /* xdp_router_ipv4_tables.c */
	err = sample_xdp_outcome_print(&outcome, stdout, ifindexes, nports);
	if (err)
		goto cleanup;
	if (!strcmp(mode_used, "generic"))
		printf("  (generic XDP transmits through the stack: not traced, transmitted stays 0)\n");

cleanup:
	sample_loop_close(&loop);
	for (int i = 0; i < nports; i++) {
		if (ports[i].link >= 0)
			close(ports[i].link);
	}
	xdp_router_ipv4_mirror_close(&mirror);
	sample_xdp_outcome_close(&outcome);
	xdp_router_ipv4__destroy(skel);
	xdp_router_ipv4_demo_close(&demo); /* demo */
	return err ? 1 : 0;
}
