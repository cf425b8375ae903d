// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_redirect_map - forward frames between ports in XDP through a DEVMAP.
 *
 * Two-port mode: an XDP program on IN and on OUT sends every frame it sees to
 * the other port with bpf_redirect_map(): the two ports become a wire, and
 * the kernel's IP stack never sees the frames. The DEVMAP's value is either a
 * struct bpf_devmap_val (default: ifindex + an SEC("xdp/devmap") egress program
 * that writes the egress port's MAC as source) or a plain ifindex (-P). With
 * --out-mac/--in-mac the destination MAC is rewritten to the next hop.
 *
 * Broadcast mode (-b): every port runs a program that floods to all the other
 * ports listed in a DEVMAP_HASH, with BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS.
 *
 *   sudo ./xdp_redirect_map              demo: ns1 <-> router <-> ns2, ping + UDP
 *   sudo ./xdp_redirect_map -b           demo: 3 leaves, UDP broadcasts from ns1
 *   sudo ./xdp_redirect_map eth1 eth2 --out-mac 52:54:00:12:34:56
 *   sudo ./xdp_redirect_map -b eth1 eth2 eth3
 *
 * Per-port counters (rx, redirected, errors, tx) live in a PERCPU_HASH keyed by
 * ifindex; user space sums the CPUs and prints packets per second.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "demo.h"
#include "topo.h"
#include "xdp_redirect_map.h"
#include "xdp_redirect_map.skel.h"

static const char *prog = "xdp_redirect_map";

/* Demo traffic per tick. */
#define DEMO_PINGS	5
#define DEMO_PING_LEN	56
#define DEMO_UDPS	5
#define DEMO_UDP_LEN	100
#define DEMO_BCASTS	1

struct port {
	char name[IF_NAMESIZE];
	int ifindex;
	int link;		/* bpf_link fd of the XDP program on this port */
	struct xrm_port info;
	struct xrm_stats last;	/* totals at the previous tick, for pps */
};

struct ctx {
	struct xdp_redirect_map *skel;
	struct port ports[XRM_MAX_PORTS];
	int nports;
	int ncpus;
	__u64 start_ns, last_ns;
	/* demo */
	struct sample_topo *topo;
	struct sample_topo_traffic *traffic;	/* two-port demo */
	int bcast_fd;				/* broadcast demo: sender in ns1 */
	int bcast_sink[SAMPLE_TOPO_MAX_LEAVES];
	__u64 bcast_sent, bcast_received[SAMPLE_TOPO_MAX_LEAVES];
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [options] [IN OUT]\n"
		"       %s [options] -b [IFACE IFACE...]\n"
		"Forward frames between ports in XDP through a BPF_MAP_TYPE_DEVMAP (two ports,\n"
		"both directions) or flood them through a DEVMAP_HASH (-b).\n"
		"Without interfaces: a demo in private namespaces (ns1 <-> router <-> ns2).\n"
		"\n"
		"  -b, --broadcast        flood every frame to all other ports (BPF_F_BROADCAST)\n"
		"  -P, --plain            DEVMAP value = plain ifindex, no egress program\n"
		"  -m, --out-mac MAC      destination MAC for frames leaving by OUT\n"
		"  -M, --in-mac MAC       destination MAC for frames leaving by IN\n"
		"  -S, --generic          generic (skb) XDP mode; default: native if possible\n"
		"  -N, --native           native (driver) XDP mode or fail\n"
		"  -d, --duration SECS    stop after SECS seconds (default: until Ctrl-C)\n"
		"  -I, --interval SECS    print every SECS seconds, decimals allowed (default 1)\n"
		"  -v, --verbose          show libbpf's debug log\n"
		"  -h, --help             this text\n"
		"\n"
		"Example: sudo %s -d 5        sudo %s eth1 eth2 -m 52:54:00:12:34:56\n",
		prog, prog, prog, prog);
}

static int parse_mac(const char *s, __u8 *mac)
{
	unsigned int b[6];
	char end;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &end) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		if (b[i] > 255)
			return -EINVAL;
		mac[i] = b[i];
	}
	return 0;
}

/* The counters of port number `port`, summed over the CPUs. */
static int read_stats(struct ctx *c, __u32 port, struct xrm_stats *out)
{
	size_t stride = sample_percpu_stride(sizeof(*out));
	char values[stride * c->ncpus];
	__u32 key = port;

	/* The kernel writes one value per possible CPU. Zeroed first: valgrind
	 * believes a lookup writes only value_size bytes (one CPU's share). */
	memset(values, 0, sizeof(values));
	if (bpf_map_lookup_elem(bpf_map__fd(c->skel->maps.port_stats), &key, values))
		return -errno;
	sample_percpu_sum(values, c->ncpus, sizeof(*out), (__u64 *)out);
	return 0;
}

static int print_rows(struct ctx *c)
{
	__u64 now = sample_now_ns();
	double t = (now - c->start_ns) / 1e9, dt = (now - c->last_ns) / 1e9;

	for (int i = 0; i < c->nports; i++) {
		struct port *p = &c->ports[i];
		char b[4][SAMPLE_FMT_LEN];
		struct xrm_stats s;
		int err = read_stats(c, i, &s);

		if (err) {
			fprintf(stderr, "%s: reading port_stats failed: %s\n", prog,
				sample_strerror(err));
			return err;
		}
		sample_fmt_u64(b[0], SAMPLE_FMT_LEN, (s.rx - p->last.rx) / dt + 0.5);
		sample_fmt_u64(b[1], SAMPLE_FMT_LEN, (s.redirected - p->last.redirected) / dt + 0.5);
		sample_fmt_u64(b[2], SAMPLE_FMT_LEN, (s.errors - p->last.errors) / dt + 0.5);
		sample_fmt_u64(b[3], SAMPLE_FMT_LEN, (s.tx - p->last.tx) / dt + 0.5);
		printf("%7.1f  %-10s %12s %12s %12s %12s\n", t, p->name, b[0], b[1], b[2], b[3]);
		p->last = s;
	}
	c->last_ns = now;
	fflush(stdout);
	return 0;
}

static int print_final(struct ctx *c)
{
	printf("final:\n");
	printf("%-10s %14s %14s %14s %14s\n", "port", "rx", "redirected", "errors", "tx");
	for (int i = 0; i < c->nports; i++) {
		char b[4][SAMPLE_FMT_LEN];
		struct xrm_stats s;
		int err = read_stats(c, i, &s);

		if (err)
			return err;
		printf("%-10s %14s %14s %14s %14s\n", c->ports[i].name,
		       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, s.rx),
		       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, s.redirected),
		       sample_fmt_u64(b[2], SAMPLE_FMT_LEN, s.errors),
		       sample_fmt_u64(b[3], SAMPLE_FMT_LEN, s.tx));
	}
	return 0;
}

/* Broadcast demo: one UDP datagram to 255.255.255.255 from h1 per call. */
static int bcast_send(struct ctx *c)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = INADDR_BROADCAST,
				  .sin_port = htons(SAMPLE_TOPO_UDP_PORT) };
	char payload[DEMO_UDP_LEN] = {};

	if (sendto(c->bcast_fd, payload, sizeof(payload), 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0)
		return -errno;
	c->bcast_sent++;
	return 0;
}

static void bcast_drain(struct ctx *c, int wait_ms)
{
	char buf[2048];

	if (wait_ms)
		usleep(wait_ms * 1000);
	for (int i = 1; i < c->topo->nleaves; i++)
		while (recv(c->bcast_sink[i], buf, sizeof(buf), MSG_DONTWAIT) >= 0)
			c->bcast_received[i]++;
}

static int tick(void *arg)
{
	struct ctx *c = arg;
	int err = 0;

	if (c->traffic) {
		for (int i = 0; i < DEMO_PINGS && !err; i++)
			err = sample_topo_ping(c->traffic, DEMO_PING_LEN);
		for (int i = 0; i < DEMO_UDPS && !err; i++)
			err = sample_topo_udp(c->traffic, DEMO_UDP_LEN);
		if (!err)
			sample_topo_poll(c->traffic, 100);
	} else if (c->bcast_fd >= 0) {
		for (int i = 0; i < DEMO_BCASTS && !err; i++)
			err = bcast_send(c);
		bcast_drain(c, 50);
	}
	if (err) {
		fprintf(stderr, "%s: demo traffic failed: %s\n", prog, sample_strerror(err));
		return err;
	}
	return print_rows(c);
}

/* Sockets of the broadcast demo: the sender is bound to h1 so the limited
 * broadcast leaves by h1; one sink per leaf counts what arrives. */
static int bcast_open(struct ctx *c)
{
	struct sockaddr_in any = { .sin_family = AF_INET,
				   .sin_port = htons(SAMPLE_TOPO_UDP_PORT) };
	int on = 1;

	c->bcast_fd = sample_netns_socket(c->topo->leaf[0].ns, AF_INET, SOCK_DGRAM, 0);
	if (c->bcast_fd < 0)
		return c->bcast_fd;
	if (setsockopt(c->bcast_fd, SOL_SOCKET, SO_BROADCAST, &on, sizeof(on)) ||
	    setsockopt(c->bcast_fd, SOL_SOCKET, SO_BINDTODEVICE, c->topo->leaf[0].ifname,
		       strlen(c->topo->leaf[0].ifname)))
		return -errno;
	/* No sink in ns1: the sender's own stack loops a copy of every
	 * broadcast back locally, which says nothing about the wire. That the
	 * frame did not go back out by r1 shows in r1's tx counter. */
	for (int i = 1; i < c->topo->nleaves; i++) {
		c->bcast_sink[i] = sample_netns_socket(c->topo->leaf[i].ns, AF_INET, SOCK_DGRAM, 0);
		if (c->bcast_sink[i] < 0)
			return c->bcast_sink[i];
		if (bind(c->bcast_sink[i], (struct sockaddr *)&any, sizeof(any)))
			return -errno;
	}
	return 0;
}

/* Show what the kernel stored in a DEVMAP slot: for struct bpf_devmap_val the
 * program fd written by user space reads back as the program's id. */
static void show_devmap(struct ctx *c, bool plain)
{
	for (__u32 slot = 0; slot < 2; slot++) {
		char name[IF_NAMESIZE] = "?";

		if (plain) {
			__u32 ifindex;

			if (bpf_map_lookup_elem(bpf_map__fd(c->skel->maps.tx_plain), &slot, &ifindex))
				continue;
			if_indextoname(ifindex, name);
			printf("  tx_plain[%u] = ifindex %u (%s)\n", slot, ifindex, name);
		} else {
			struct bpf_devmap_val v;

			if (bpf_map_lookup_elem(bpf_map__fd(c->skel->maps.tx_port), &slot, &v))
				continue;
			if_indextoname(v.ifindex, name);
			printf("  tx_port[%u]  = { ifindex %u (%s), egress prog id %u }\n", slot,
			       v.ifindex, name, v.bpf_prog.id);
		}
	}
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "broadcast", no_argument, NULL, 'b' },
		{ "plain", no_argument, NULL, 'P' },
		{ "out-mac", required_argument, NULL, 'm' },
		{ "in-mac", required_argument, NULL, 'M' },
		{ "generic", no_argument, NULL, 'S' },
		{ "native", no_argument, NULL, 'N' },
		{ "duration", required_argument, NULL, 'd' },
		{ "interval", required_argument, NULL, 'I' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct sample_run_opts run = { .interval_ms = 1000 };
	struct sample_topo_traffic traffic = { .icmp_fd = -1, .udp_fd = -1, .udp_sink = -1 };
	struct sample_topo topo = { .orig_ns = -1, .router_ns = -1 };
	enum sample_xdp_mode mode = SAMPLE_XDP_AUTO;
	struct xdp_redirect_map *skel = NULL;
	bool verbose = false, broadcast = false, plain = false, use_demo;
	__u8 out_mac[6], in_mac[6];
	bool have_out_mac = false, have_in_mac = false;
	const char *mode_used = "?";
	__u64 forw_before = 0, forw_after = 0;
	static struct ctx c;
	int opt, err = 0, nargs;
	unsigned long v;

	c.bcast_fd = -1;
	for (int i = 0; i < SAMPLE_TOPO_MAX_LEAVES; i++)
		c.bcast_sink[i] = -1;
	for (int i = 0; i < XRM_MAX_PORTS; i++)
		c.ports[i].link = -1;

	while ((opt = getopt_long(argc, argv, ":bPm:M:SNd:I:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'b':
			broadcast = true;
			break;
		case 'P':
			plain = true;
			break;
		case 'm':
		case 'M':
			if (parse_mac(optarg, opt == 'm' ? out_mac : in_mac)) {
				fprintf(stderr, "%s: invalid MAC '%s' for -%c: expected "
					"xx:xx:xx:xx:xx:xx\n", prog, optarg, opt);
				return 2;
			}
			*(opt == 'm' ? &have_out_mac : &have_in_mac) = true;
			break;
		case 'S':
			mode = SAMPLE_XDP_GENERIC;
			break;
		case 'N':
			mode = SAMPLE_XDP_NATIVE;
			break;
		case 'd':
			if (sample_parse_uint(prog, 'd', optarg, 1, 86400, &v))
				return 2;
			run.duration_s = v;
			break;
		case 'I':
			if (sample_parse_interval(prog, optarg, &run.interval_ms))
				return 2;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return sample_getopt_error(prog, opt, argv);
		}
	}
	nargs = argc - optind;
	use_demo = nargs == 0;
	if (broadcast && (plain || have_out_mac || have_in_mac)) {
		fprintf(stderr, "%s: -b cannot be combined with -P, -m or -M (see -h)\n", prog);
		return 2;
	}
	if (!broadcast && nargs != 0 && nargs != 2) {
		fprintf(stderr, "%s: expected two interfaces IN OUT, got %d (see -h)\n", prog, nargs);
		return 2;
	}
	if (broadcast && nargs == 1) {
		fprintf(stderr, "%s: -b needs at least two interfaces (see -h)\n", prog);
		return 2;
	}
	if (nargs > XRM_MAX_PORTS) {
		fprintf(stderr, "%s: at most %d ports\n", prog, XRM_MAX_PORTS);
		return 2;
	}
	if (use_demo && (have_out_mac || have_in_mac)) {
		fprintf(stderr, "%s: -m/-M need interfaces; the demo sets its own MACs\n", prog);
		return 2;
	}
	for (int i = 0; i < nargs; i++)
		for (int j = 0; j < i; j++)
			if (!strcmp(argv[optind + i], argv[optind + j])) {
				fprintf(stderr, "%s: interface '%s' given twice\n", prog,
					argv[optind + i]);
				return 2;
			}

	if ((err = sample_init(verbose)) || (err = sample_check_privileges(prog)))
		return 1;

	/* 1. Which ports: the demo's router ports, or the user's interfaces. */
	if (use_demo) {
		if (sample_topo_setup(&topo, prog, broadcast ? SAMPLE_TOPO_LEAF3 : 0))
			return 1;
		c.topo = &topo;
		c.nports = topo.nleaves;
		for (int i = 0; i < topo.nleaves; i++) {
			struct port *p = &c.ports[i];

			snprintf(p->name, sizeof(p->name), "%s", topo.leaf[i].router_ifname);
			p->ifindex = topo.leaf[i].router_ifindex;
		}
		/* Frames leaving r2 go to h2's MAC, frames leaving r1 to h1's. */
		memcpy(out_mac, topo.leaf[1].mac, 6);
		memcpy(in_mac, topo.leaf[0].mac, 6);
		have_out_mac = have_in_mac = !broadcast;
	} else {
		c.nports = nargs;
		for (int i = 0; i < nargs; i++) {
			struct port *p = &c.ports[i];

			p->ifindex = sample_ifindex(prog, argv[optind + i]);
			if (p->ifindex < 0)
				return 1;
			if (!if_indextoname(p->ifindex, p->name))
				snprintf(p->name, sizeof(p->name), "%s", argv[optind + i]);
		}
	}
	for (int i = 0; i < c.nports; i++) {
		struct port *p = &c.ports[i];

		if ((err = sample_iface_mac(p->name, p->info.mac))) {
			fprintf(stderr, "%s: %s has no Ethernet address (%s): XDP redirect "
				"needs Ethernet ports\n", prog, p->name, sample_strerror(err));
			goto cleanup;
		}
	}
	if (have_out_mac) {
		memcpy(c.ports[1].info.next_hop, out_mac, 6);
		c.ports[1].info.has_next_hop = 1;
	}
	if (have_in_mac) {
		memcpy(c.ports[0].info.next_hop, in_mac, 6);
		c.ports[0].info.has_next_hop = 1;
	}

	/* 2. Open, set rodata, load. */
	skel = xdp_redirect_map__open();
	if (!skel) {
		err = -errno;
		fprintf(stderr, "%s: opening the BPF object failed: %s\n", prog, sample_strerror(err));
		goto cleanup;
	}
	if (!broadcast) {
		skel->rodata->in_ifindex = c.ports[0].ifindex;
		skel->rodata->out_ifindex = c.ports[1].ifindex;
		skel->rodata->plain = plain;
	}
	/* Programs that are not attached need not be loaded. */
	bpf_program__set_autoload(skel->progs.xdp_broadcast, broadcast);
	bpf_program__set_autoload(skel->progs.xdp_redirect, !broadcast);
	bpf_program__set_autoload(skel->progs.xdp_pass, use_demo);
	if ((err = xdp_redirect_map__load(skel))) {
		fprintf(stderr, "%s: loading the BPF object failed: %s%s\n", prog,
			sample_strerror(err), verbose ? "" : " (run with -v for libbpf's log)");
		goto cleanup;
	}
	if (bpf_map__value_size(skel->maps.port_stats) != sizeof(struct xrm_stats) ||
	    bpf_map__value_size(skel->maps.port_info) != sizeof(struct xrm_port)) {
		fprintf(stderr, "%s: value size mismatch between xdp_redirect_map.h and the object\n",
			prog);
		err = -EINVAL;
		goto cleanup;
	}
	c.skel = skel;
	c.ncpus = libbpf_num_possible_cpus();
	if (c.ncpus < 0) {
		err = c.ncpus;
		fprintf(stderr, "%s: counting CPUs failed: %s\n", prog, sample_strerror(err));
		goto cleanup;
	}

	/* 3. Fill the maps before any frame can arrive. Port i of the command
	 *    line is key i of port_info (and of port_stats, which starts zeroed
	 *    as every ARRAY does); broadcast mode also needs ifindex -> i and
	 *    the DEVMAP_HASH entry, keyed by ifindex. */
	for (int i = 0; i < c.nports && !err; i++) {
		struct port *p = &c.ports[i];
		__u32 key = i, ifindex = p->ifindex;

		if (bpf_map_update_elem(bpf_map__fd(skel->maps.port_info), &key, &p->info, 0))
			err = -errno;
		if (!err && broadcast) {
			struct bpf_devmap_val dv = {
				.ifindex = ifindex,
				.bpf_prog.fd = bpf_program__fd(skel->progs.xdp_egress),
			};

			if (bpf_map_update_elem(bpf_map__fd(skel->maps.port_num), &ifindex, &key,
						BPF_NOEXIST) ||
			    bpf_map_update_elem(bpf_map__fd(skel->maps.ports), &ifindex, &dv, 0))
				err = -errno;
		}
	}
	if (!err && !broadcast) {
		for (__u32 slot = 0; slot < 2 && !err; slot++) {
			/* slot 0: towards OUT (ports[1]), slot 1: towards IN (ports[0]) */
			__u32 ifindex = c.ports[slot == XRM_SLOT_TO_OUT ? 1 : 0].ifindex;
			struct bpf_devmap_val dv = {
				.ifindex = ifindex,
				.bpf_prog.fd = bpf_program__fd(skel->progs.xdp_egress),
			};

			if (plain ? bpf_map_update_elem(bpf_map__fd(skel->maps.tx_plain), &slot,
							&ifindex, 0)
				  : bpf_map_update_elem(bpf_map__fd(skel->maps.tx_port), &slot, &dv, 0))
				err = -errno;
		}
	}
	if (err) {
		fprintf(stderr, "%s: filling the maps failed: %s%s\n", prog, sample_strerror(err),
			err == -EINVAL ? " (an egress program in a DEVMAP needs kernel 5.8+)" : "");
		goto cleanup;
	}

	/* 4. Attach: XDP_PASS on the demo's hosts, then the forwarding program
	 * on every port, each through a bpf_link. */
	if (use_demo &&
	    (err = sample_topo_attach_pass(&topo, prog, bpf_program__fd(skel->progs.xdp_pass))))
		goto cleanup;
	for (int i = 0; i < c.nports; i++) {
		c.ports[i].link = sample_xdp_attach(prog, broadcast ? skel->progs.xdp_broadcast
								    : skel->progs.xdp_redirect,
						    c.ports[i].ifindex, mode, &mode_used);
		if (c.ports[i].link < 0) {
			err = c.ports[i].link;
			goto cleanup;
		}
	}
	if (use_demo && !broadcast) {
		if ((err = sample_topo_traffic_open(&traffic, &topo, 0, 1))) {
			fprintf(stderr, "%s: opening demo traffic sockets failed: %s\n", prog,
				sample_strerror(err));
			goto cleanup;
		}
		c.traffic = &traffic;
	} else if (use_demo && (err = bcast_open(&c))) {
		fprintf(stderr, "%s: opening demo broadcast sockets failed: %s\n", prog,
			sample_strerror(err));
		goto cleanup;
	}
	if (use_demo && (err = sample_topo_forw_datagrams(&topo, &forw_before))) {
		fprintf(stderr, "%s: reading /proc/net/snmp failed: %s\n", prog, sample_strerror(err));
		goto cleanup;
	}

	/* 5. Run. */
	if (broadcast) {
		printf("Flooding between %d ports through BPF_MAP_TYPE_DEVMAP_HASH 'ports' "
		       "(BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS), XDP mode %s%s\n", c.nports,
		       mode_used, use_demo ? "; demo: UDP broadcasts from h1 (ns1)" : "");
	} else {
		printf("Redirecting %s <-> %s through BPF_MAP_TYPE_DEVMAP '%s' (%s), XDP mode %s%s\n",
		       c.ports[0].name, c.ports[1].name, plain ? "tx_plain" : "tx_port",
		       plain ? "value: ifindex" : "value: struct bpf_devmap_val + egress program",
		       mode_used, use_demo ? "; demo: ping + UDP from ns1 to ns2" : "");
		show_devmap(&c, plain);
	}
	printf("%7s  %-10s %12s %12s %12s %12s\n", "time", "port", "rx pps", "redir pps",
	       "err pps", "tx pps");
	fflush(stdout);
	c.start_ns = c.last_ns = sample_now_ns();
	run.tick = tick;
	run.ctx = &c;
	err = sample_run(&run);

	/* 6. Summary. */
	if (!err) {
		if (c.traffic)
			sample_topo_poll(&traffic, 500);
		else if (c.bcast_fd >= 0)
			bcast_drain(&c, 200);
		err = print_final(&c);
	}
	if (!err && use_demo) {
		char b[2][SAMPLE_FMT_LEN];

		if ((err = sample_topo_forw_datagrams(&topo, &forw_after)))
			fprintf(stderr, "%s: reading /proc/net/snmp failed: %s\n", prog,
				sample_strerror(err));
		else if (c.traffic)
			printf("demo sent: %llu echo requests (%llu replies), %llu UDP datagrams "
			       "(%llu received); router ForwDatagrams %s -> %s\n",
			       (unsigned long long)traffic.icmp_sent,
			       (unsigned long long)traffic.icmp_replies,
			       (unsigned long long)traffic.udp_sent,
			       (unsigned long long)traffic.udp_received,
			       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, forw_before),
			       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, forw_after));
		else
			printf("demo sent: %llu broadcasts from h1; received h2=%llu h3=%llu; "
			       "router ForwDatagrams %s -> %s\n",
			       (unsigned long long)c.bcast_sent,
			       (unsigned long long)c.bcast_received[1],
			       (unsigned long long)c.bcast_received[2],
			       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, forw_before),
			       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, forw_after));
	}

cleanup:
	for (int i = 0; i < c.nports; i++)
		if (c.ports[i].link >= 0)
			close(c.ports[i].link);
	if (c.bcast_fd >= 0)
		close(c.bcast_fd);
	for (int i = 0; i < SAMPLE_TOPO_MAX_LEAVES; i++)
		if (c.bcast_sink[i] >= 0)
			close(c.bcast_sink[i]);
	sample_topo_traffic_close(&traffic);
	xdp_redirect_map__destroy(skel);
	if (use_demo)
		sample_topo_teardown(&topo);
	return err ? 1 : 0;
}
