// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_fwd - route IPv4/IPv6 in XDP with bpf_fib_lookup() and a DEVMAP_HASH.
 *
 * The XDP program asks the kernel's own routing and neighbour tables where a
 * packet goes (bpf_fib_lookup), decrements the TTL, rewrites the MACs and
 * redirects it to the egress port, all before an skb exists. Whatever the FIB
 * cannot fully answer (no neighbour yet, no route, forwarding disabled, MTU)
 * is passed to the IP stack unchanged, which deals with it as usual. Every
 * verdict is counted by reason in a PERCPU_ARRAY.
 *
 *   sudo ./xdp_fwd                 demo: ns1 <-> router <-> ns2, ping + UDP
 *   sudo ./xdp_fwd eth1 eth2       forward between eth1 and eth2 (ip_forward=1!)
 *   sudo ./xdp_fwd -D -S eth1 eth2 BPF_FIB_LOOKUP_DIRECT, generic mode
 *
 * The demo proves that XDP did the forwarding: the router's ForwDatagrams
 * (/proc/net/snmp) grows only by the packets XDP passed to the stack.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "demo.h"
#include "topo.h"
#include "xdp_outcome.h"
#include "xdp_fwd.h"
#include "xdp_fwd.skel.h"

static const char *prog = "xdp_fwd";

#define MAX_PORTS	64
#define DEMO_PINGS	5
#define DEMO_PING_LEN	56
#define DEMO_UDPS	5
#define DEMO_UDP_LEN	100

/* The reasons the final table shows, in order, with the verdict each gets. */
static const struct {
	__u32 key;
	const char *name;
	const char *action;
} reasons[] = {
	{ XFWD_FIB_SUCCESS, "forwarded", "redirect" },
	{ XFWD_FIB_NO_NEIGH, "no_neigh", "pass" },
	{ XFWD_FIB_NOT_FWDED, "not_fwded", "pass" },
	{ XFWD_FIB_FWD_DISABLED, "fwd_disabled", "pass" },
	{ XFWD_FIB_FRAG_NEEDED, "frag_needed", "pass" },
	{ XFWD_FIB_UNSUPP_LWT, "unsupp_lwt", "pass" },
	{ XFWD_FIB_NO_SRC_ADDR, "no_src_addr", "pass" },
	{ XFWD_FIB_ERROR, "fib_error", "pass" },
	{ XFWD_TTL_EXPIRED, "ttl_expired", "pass" },
	{ XFWD_NOT_TX_PORT, "not_tx_port", "pass" },
	{ XFWD_NOT_IP, "not_ip", "pass" },
	{ XFWD_FIB_BLACKHOLE, "blackhole", "drop" },
	{ XFWD_FIB_UNREACHABLE, "unreachable", "drop" },
	{ XFWD_FIB_PROHIBIT, "prohibit", "drop" },
	{ XFWD_REDIRECT_FAILED, "redirect_failed", "drop" },
};
#define NREASONS (sizeof(reasons) / sizeof(reasons[0]))

struct ctx {
	struct xdp_fwd *skel;
	int ncpus;
	struct xfwd_stats last[XFWD_NKEYS];
	__u64 start_ns, last_ns;
	struct sample_topo_traffic *traffic;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [options] [IFACE...]\n"
		"Forward IPv4/IPv6 in XDP: bpf_fib_lookup() + a DEVMAP_HASH of the allowed TX ports.\n"
		"The XDP program is attached to every IFACE, and every IFACE may transmit.\n"
		"Without interfaces: a demo in private namespaces (ns1 <-> router <-> ns2).\n"
		"\n"
		"  -D, --direct           BPF_FIB_LOOKUP_DIRECT: skip policy rules, use the\n"
		"                         ingress device's table (main) directly\n"
		"  -S, --generic          generic (skb) XDP mode; default: native if possible\n"
		"  -N, --native           native (driver) XDP mode or fail\n"
		"  -d, --duration SECS    stop after SECS seconds (default: until Ctrl-C)\n"
		"  -I, --interval SECS    print every SECS seconds, decimals allowed (default 1)\n"
		"  -v, --verbose          show libbpf's debug log\n"
		"  -h, --help             this text\n"
		"\n"
		"Example: sudo %s -d 5        sudo %s eth1 eth2\n", prog, prog, prog);
}

static int read_all(struct ctx *c, struct xfwd_stats *out)
{
	size_t stride = sample_percpu_stride(sizeof(struct xfwd_stats));
	char values[stride * c->ncpus];

	/* The kernel writes one value per possible CPU. Zeroed first: valgrind
	 * believes a lookup writes only value_size bytes (one CPU's share). */
	memset(values, 0, sizeof(values));
	for (__u32 k = 0; k < XFWD_NKEYS; k++) {
		if (bpf_map_lookup_elem(bpf_map__fd(c->skel->maps.fwd_stats), &k, values))
			return -errno;
		sample_percpu_sum(values, c->ncpus, sizeof(*out), (__u64 *)&out[k]);
	}
	return 0;
}

static const char *action_of(__u32 key)
{
	for (size_t i = 0; i < NREASONS; i++)
		if (reasons[i].key == key)
			return reasons[i].action;
	return "pass";
}

static int print_row(struct ctx *c)
{
	struct xfwd_stats now[XFWD_NKEYS];
	__u64 t = sample_now_ns(), fwd = 0, pass = 0, drop = 0;
	double dt = (t - c->last_ns) / 1e9;
	char b[3][SAMPLE_FMT_LEN];
	int err = read_all(c, now);

	if (err) {
		fprintf(stderr, "%s: reading fwd_stats failed: %s\n", prog, sample_strerror(err));
		return err;
	}
	for (__u32 k = 0; k < XFWD_NKEYS; k++) {
		__u64 d = now[k].packets - c->last[k].packets;
		const char *a = action_of(k);

		if (!strcmp(a, "redirect"))
			fwd += d;
		else if (!strcmp(a, "drop"))
			drop += d;
		else
			pass += d;
		c->last[k] = now[k];
	}
	printf("%7.1f  %14s %14s %14s\n", (t - c->start_ns) / 1e9,
	       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, fwd / dt + 0.5),
	       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, pass / dt + 0.5),
	       sample_fmt_u64(b[2], SAMPLE_FMT_LEN, drop / dt + 0.5));
	fflush(stdout);
	c->last_ns = t;
	return 0;
}

static int print_final(struct ctx *c, struct xfwd_stats *now)
{
	int err = read_all(c, now);

	if (err)
		return err;
	printf("final:\n");
	printf("%-16s %-9s %14s %16s\n", "reason", "action", "packets", "bytes");
	for (size_t i = 0; i < NREASONS; i++) {
		char b[2][SAMPLE_FMT_LEN];
		const struct xfwd_stats *s = &now[reasons[i].key];

		printf("%-16s %-9s %14s %16s\n", reasons[i].name, reasons[i].action,
		       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, s->packets),
		       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, s->bytes));
	}
	return 0;
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
		if (err) {
			fprintf(stderr, "%s: demo traffic failed: %s\n", prog, sample_strerror(err));
			return err;
		}
		sample_topo_poll(c->traffic, 100);
	}
	return print_row(c);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "direct", no_argument, NULL, 'D' },
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
	struct xdp_fwd *skel = NULL;
	bool verbose = false, direct = false, use_demo;
	struct { char name[IF_NAMESIZE]; int ifindex, link; } ports[MAX_PORTS];
	const char *mode_used = "?";
	__u64 forw_before = 0, forw_after = 0;
	struct xfwd_stats final[XFWD_NKEYS];
	static struct ctx c;
	struct sample_xdp_outcome outcome = {};
	int opt, err = 0, nports = 0;
	unsigned long v;

	while ((opt = getopt_long(argc, argv, ":DSNd:I:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'D':
			direct = true;
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
	if (argc - optind > MAX_PORTS) {
		fprintf(stderr, "%s: at most %d interfaces\n", prog, MAX_PORTS);
		return 2;
	}
	for (int i = optind; i < argc; i++)
		for (int j = optind; j < i; j++)
			if (!strcmp(argv[i], argv[j])) {
				fprintf(stderr, "%s: interface '%s' given twice\n", prog, argv[i]);
				return 2;
			}
	use_demo = optind == argc;

	if ((err = sample_init(verbose)) || (err = sample_check_privileges(prog)))
		return 1;

	/* 1. Ports: the demo router's r1 and r2, or the user's interfaces. The
	 * demo router has no neighbour entries: it must ARP like a real one. */
	if (use_demo) {
		if (sample_topo_setup(&topo, prog, 0))
			return 1;
		for (int i = 0; i < topo.nleaves; i++) {
			snprintf(ports[i].name, IF_NAMESIZE, "%s", topo.leaf[i].router_ifname);
			ports[i].ifindex = topo.leaf[i].router_ifindex;
		}
		nports = topo.nleaves;
	} else {
		for (int i = optind; i < argc; i++, nports++) {
			ports[nports].ifindex = sample_ifindex(prog, argv[i]);
			if (ports[nports].ifindex < 0)
				return 1;
			if (!if_indextoname(ports[nports].ifindex, ports[nports].name))
				snprintf(ports[nports].name, IF_NAMESIZE, "%s", argv[i]);
		}
	}
	for (int i = 0; i < nports; i++)
		ports[i].link = -1;

	/* 2. Open, set rodata, load. */
	skel = xdp_fwd__open();
	if (!skel) {
		err = -errno;
		fprintf(stderr, "%s: opening the BPF object failed: %s\n", prog, sample_strerror(err));
		goto cleanup;
	}
	skel->rodata->fib_flags = direct ? BPF_FIB_LOOKUP_DIRECT : 0;
	bpf_program__set_autoload(skel->progs.xdp_pass, use_demo);
	if ((err = xdp_fwd__load(skel))) {
		fprintf(stderr, "%s: loading the BPF object failed: %s%s\n", prog,
			sample_strerror(err), verbose ? "" : " (run with -v for libbpf's log)");
		goto cleanup;
	}
	if (bpf_map__value_size(skel->maps.fwd_stats) != sizeof(struct xfwd_stats)) {
		fprintf(stderr, "%s: value size mismatch between xdp_fwd.h and the object\n", prog);
		err = -EINVAL;
		goto cleanup;
	}
	c.skel = skel;
	c.ncpus = libbpf_num_possible_cpus();

	/* 3. The allowed TX ports: every port we attach to. */
	for (int i = 0; i < nports; i++) {
		__u32 key = ports[i].ifindex;

		if (bpf_map_update_elem(bpf_map__fd(skel->maps.tx_ports), &key, &key, 0)) {
			err = -errno;
			fprintf(stderr, "%s: adding %s to tx_ports failed: %s\n", prog,
				ports[i].name, sample_strerror(err));
			goto cleanup;
		}
	}

	/* 4. Attach (bpf_link: gone with the process), and follow each redirected
	 *    frame to its outcome through the kernel's XDP tracepoints. */
	if ((err = sample_xdp_outcome_open(&outcome, prog, skel->obj)))
		goto cleanup;
	for (int i = 0; i < nports; i++) {
		if ((err = sample_xdp_outcome_watch(&outcome, ports[i].ifindex)))
			goto cleanup;
		if (!use_demo)
			sample_veth_peer_check(prog, ports[i].ifindex);
	}
	if (use_demo &&
	    (err = sample_topo_attach_pass(&topo, prog, bpf_program__fd(skel->progs.xdp_pass))))
		goto cleanup;
	for (int i = 0; i < nports; i++) {
		ports[i].link = sample_xdp_attach(prog, skel->progs.xdp_fwd, ports[i].ifindex,
						  mode, &mode_used);
		if (ports[i].link < 0) {
			err = ports[i].link;
			goto cleanup;
		}
	}
	if (use_demo) {
		if ((err = sample_topo_traffic_open(&traffic, &topo, 0, 1))) {
			fprintf(stderr, "%s: opening demo traffic sockets failed: %s\n", prog,
				sample_strerror(err));
			goto cleanup;
		}
		c.traffic = &traffic;
		if ((err = sample_topo_forw_datagrams(&topo, &forw_before))) {
			fprintf(stderr, "%s: reading /proc/net/snmp failed: %s\n", prog,
				sample_strerror(err));
			goto cleanup;
		}
	}

	/* 5. Run. */
	printf("Forwarding between");
	for (int i = 0; i < nports; i++)
		printf(" %s", ports[i].name);
	printf(" with bpf_fib_lookup(%s) and DEVMAP_HASH tx_ports, XDP mode %s%s\n",
	       direct ? "BPF_FIB_LOOKUP_DIRECT" : "flags 0", mode_used,
	       use_demo ? "; demo: ping + UDP from ns1 (10.20.1.2) to ns2 (10.20.2.2)" : "");
	printf("%7s  %14s %14s %14s\n", "time", "fwd pps", "to stack pps", "drop pps");
	fflush(stdout);
	c.start_ns = c.last_ns = sample_now_ns();
	run.tick = tick;
	run.ctx = &c;
	err = sample_run(&run);

	/* 6. Summary. */
	if (!err) {
		if (c.traffic)
			sample_topo_poll(&traffic, 500);
		err = print_final(&c, final);
	}
	if (!err) {
		int ifindexes[MAX_PORTS];

		for (int i = 0; i < nports; i++)
			ifindexes[i] = ports[i].ifindex;
		err = sample_xdp_outcome_print(&outcome, stdout, ifindexes, nports);
	}
	if (!err && use_demo) {
		char b[2][SAMPLE_FMT_LEN];

		if ((err = sample_topo_forw_datagrams(&topo, &forw_after)))
			fprintf(stderr, "%s: reading /proc/net/snmp failed: %s\n", prog,
				sample_strerror(err));
		else
			printf("demo sent: %llu echo requests (%llu replies), %llu UDP datagrams "
			       "(%llu received); router ForwDatagrams %s -> %s\n",
			       (unsigned long long)traffic.icmp_sent,
			       (unsigned long long)traffic.icmp_replies,
			       (unsigned long long)traffic.udp_sent,
			       (unsigned long long)traffic.udp_received,
			       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, forw_before),
			       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, forw_after));
	}

cleanup:
	for (int i = 0; i < nports; i++)
		if (ports[i].link >= 0)
			close(ports[i].link);
	sample_topo_traffic_close(&traffic);
	sample_xdp_outcome_close(&outcome);
	xdp_fwd__destroy(skel);
	if (use_demo)
		sample_topo_teardown(&topo);
	return err ? 1 : 0;
}
