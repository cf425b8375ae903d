// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_fwd - route IPv4/IPv6 in XDP with bpf_fib_lookup() and a DEVMAP_HASH.
 *
 * The XDP program asks the kernel's own routing and neighbour tables where a
 * packet goes (bpf_fib_lookup), decrements the TTL, rewrites the MACs and
 * redirects it to the egress port, all before an skb exists. Whatever the FIB
 * cannot fully answer (no neighbour yet, no route, forwarding disabled, MTU)
 * is passed to the IP stack unchanged, which deals with it as usual. Every
 * verdict is counted by reason in a PERCPU_ARRAY, and every redirected frame
 * is followed to its outcome through the kernel's XDP tracepoints.
 *
 *   sudo ./xdp_fwd eth1 eth2       forward between eth1 and eth2 (ip_forward=1!)
 *   sudo ./xdp_fwd -D -S eth1 eth2 BPF_FIB_LOOKUP_DIRECT, generic mode
 */
/* Without interfaces: a demo, ns1 <-> router <-> ns2 (xdp_fwd_demo.c). */ /* demo */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <getopt.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "xdp_outcome.h"
#include "xdp_ports.h"
#include "xdp_fwd.h"
#include "xdp_fwd.skel.h"
#include "xdp_fwd_demo.h" /* demo */

static const struct sample_option options[] = {
	{ 'D', "direct", NULL,
	  "BPF_FIB_LOOKUP_DIRECT: skip policy rules, use the\n"
	  "ingress device's table (main) directly" },
	{}
};

static const struct sample_cli cli = {
	.name = "xdp_fwd",
	.about =
		"Forward IPv4/IPv6 in XDP: bpf_fib_lookup() + a DEVMAP_HASH of the allowed TX ports.",
	.args = "[IFACE...]",
	.args_help = "The XDP program is attached to every IFACE, and every IFACE may transmit.",
	.demo = "Without interfaces: a demo in private namespaces (ns1 <-> router <-> ns2).", /* demo */
	.options = options,
	.xdp_modes = true,
	.examples = "sudo ./xdp_fwd eth1 eth2        sudo ./xdp_fwd -d 5 eth1 eth2",
};

/* The reasons the final table shows, in order, with the verdict each gets. */
static const struct {
	__u32 key;
	const char *name, *action;
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

/* Every reason's packets and bytes, summed over the CPUs. */
static int read_all(struct xdp_fwd *skel, struct xfwd_stats *out)
{
	for (__u32 k = 0; k < XFWD_NKEYS; k++) {
		int err = sample_percpu_lookup(skel->maps.fwd_stats, &k, (__u64 *)&out[k]);

		if (err) {
			fprintf(stderr, "%s: reading fwd_stats failed: %s\n", cli.name,
				sample_strerror(err));
			return err;
		}
	}
	return 0;
}

/* One row: forwarded, passed to the stack and dropped per second. */
static int print_row(struct xdp_fwd *skel, struct xfwd_stats *last, __u64 start_ns, __u64 *last_ns)
{
	struct xfwd_stats now[XFWD_NKEYS];
	__u64 t = sample_now_ns(), sum[3] = {}; /* redirect, pass, drop */
	double dt = (t - *last_ns) / 1e9;
	char b[3][SAMPLE_FMT_LEN];
	int err = read_all(skel, now);

	if (err)
		return err;
	/* Every key is "pass" but the ones listed as "redirect" or "drop". */
	for (__u32 k = 0; k < XFWD_NKEYS; k++)
		sum[1] += now[k].packets - last[k].packets;
	for (size_t i = 0; i < NREASONS; i++) {
		__u64 d = now[reasons[i].key].packets - last[reasons[i].key].packets;
		int a = 1;

		if (!strcmp(reasons[i].action, "redirect"))
			a = 0;
		else if (!strcmp(reasons[i].action, "drop"))
			a = 2;
		sum[a] += d;
		sum[1] -= d;
	}
	memcpy(last, now, sizeof(now));
	*last_ns = t;
	for (int a = 0; a < 3; a++)
		sample_fmt_u64(b[a], SAMPLE_FMT_LEN, sum[a] / dt + 0.5);
	printf("%7.1f  %14s %14s %14s\n", (t - start_ns) / 1e9, b[0], b[1], b[2]);
	fflush(stdout);
	return 0;
}

static int print_final(struct xdp_fwd *skel)
{
	struct xfwd_stats now[XFWD_NKEYS];
	int err = read_all(skel, now);

	if (err)
		return err;
	printf("final:\n%-16s %-9s %14s %16s\n", "reason", "action", "packets", "bytes");
	for (size_t i = 0; i < NREASONS; i++) {
		char b[2][SAMPLE_FMT_LEN];
		const struct xfwd_stats *s = &now[reasons[i].key];

		printf("%-16s %-9s %14s %16s\n", reasons[i].name, reasons[i].action,
		       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, s->packets),
		       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, s->bytes));
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sample_topo_demo demo = SAMPLE_TOPO_DEMO_INIT; /* demo */
	struct sample_xdp_outcome outcome = {};
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	struct sample_xdp_port ports[SAMPLE_XDP_MAX_PORTS];
	struct xfwd_stats last[XFWD_NKEYS] = {};
	int ifindex[SAMPLE_XDP_MAX_PORTS];
	int nports = 0, n, opt, err, ev, link_fd;
	struct xdp_fwd *skel = NULL;
	const char *mode_used = "?";
	struct sample_opts o = {};
	bool direct = false;
	__u64 start_ns, last_ns;

	while ((opt = sample_getopt(&cli, argc, argv, &o)) != -1) {
		if (opt == 'D')
			direct = true;
	}

	/* libbpf's warnings on stderr (its debug log too with -v); SIGINT and
	 * SIGTERM wait, blocked, for sample_wait()'s signalfd from here on, so one
	 * that comes during setup still ends the run through cleanup; a closed
	 * peer or stdout (| head) gives EPIPE instead of killing the process. */
	libbpf_set_print(o.verbose ? sample_print_all : sample_print_warnings);
	sample_block_stop_signals();
	signal(SIGPIPE, SIG_IGN);
	n = argc - optind;
	if (n > SAMPLE_XDP_MAX_PORTS) {
		fprintf(stderr, "%s: at most %d interfaces\n", o.prog, SAMPLE_XDP_MAX_PORTS);
		return 2;
	}

	/* 1. Ports: the interfaces named on the command line. */
	err = sample_ifindexes(o.prog, argv + optind, n, ifindex);
	if (err)
		goto cleanup;
	if (!n) { /* demo */
		/* None named: the demo's router, its ports r1 and r2. */ /* demo */
		err = xdp_fwd_demo_open(&demo, o.prog, ifindex); /* demo */
		if (err < 0) /* demo */
			goto cleanup; /* demo */
		n = err; /* demo */
	} /* demo */
	err = sample_xdp_ports_init(o.prog, ports, ifindex, n, false);
	if (err)
		goto cleanup;
	nports = n;

	/* 2. Open, set the FIB lookup flags (rodata), load. */
	skel = xdp_fwd__open();
	if (!skel) {
		err = sample_load_failed(&o, -errno);
		goto cleanup;
	}
	skel->rodata->fib_flags = direct ? BPF_FIB_LOOKUP_DIRECT : 0;
	err = xdp_fwd__load(skel);
	if (err) {
		err = sample_load_failed(&o, err);
		goto cleanup;
	}

	/* 3. The allowed TX ports: every port we attach to (key = value = ifindex). */
	for (int i = 0; i < nports; i++) {
		__u32 key = ports[i].ifindex;

		err = bpf_map__update_elem(skel->maps.tx_ports, &key, sizeof(key), &key,
					   sizeof(key), 0);
		if (err) {
			fprintf(stderr, "%s: adding %s to tx_ports failed: %s\n", o.prog,
				ports[i].name, sample_strerror(err));
			goto cleanup;
		}
	}

	/* 4. Attach to every port, each through a bpf_link: the kernel detaches
	 *    the program when the link's last fd closes (even on kill -9). */
	for (int i = 0; i < nports; i++) {
		LIBBPF_OPTS(bpf_link_create_opts, xdp_opts, .flags = sample_xdp_flags(o.xdp_mode));

		link_fd = bpf_link_create(bpf_program__fd(skel->progs.xdp_fwd), ports[i].ifindex,
					  BPF_XDP, &xdp_opts);
		if (link_fd < 0) {
			err = sample_xdp_attach_failed(o.prog, ports[i].ifindex, o.xdp_mode,
						       -errno);
			goto cleanup;
		}
		ports[i].link = link_fd;
		mode_used = sample_xdp_mode_used(ports[i].ifindex);
	}
	/* Follow each redirected frame to its outcome through the kernel's XDP
	 * tracepoints, and warn about an egress veth that would drop them all. */
	err = sample_xdp_ports_follow(&outcome, o.prog, skel->obj, ports, nports);
	if (err)
		goto cleanup;
	err = xdp_fwd_demo_start(&demo, skel->progs.fwd_host_pass); /* demo */
	if (err) /* demo */
		goto cleanup; /* demo */

	/* 5. Run: one row per -I tick until Ctrl-C, SIGTERM or -d. */
	printf("Forwarding between");
	for (int i = 0; i < nports; i++)
		printf(" %s", ports[i].name);
	printf(" with bpf_fib_lookup(%s) and DEVMAP_HASH tx_ports, XDP mode %s",
	       direct ? "BPF_FIB_LOOKUP_DIRECT" : "flags 0", mode_used);
	if (demo.open) /* demo */
		printf("; demo: ping + UDP from ns1 (10.20.1.2) to ns2 (10.20.2.2)"); /* demo */
	printf("\n");
	printf("%7s  %14s %14s %14s\n", "time", "fwd pps", "to stack pps", "drop pps");
	fflush(stdout);
	start_ns = sample_now_ns();
	last_ns = start_ns;
	err = sample_loop_open(&loop, &o, -1);
	if (err)
		goto cleanup;
	while ((ev = sample_wait(&loop)) == SAMPLE_TICK) {
		if (demo.open) /* demo */
			err = xdp_fwd_demo_step(&demo); /* demo */
		if (err) /* demo */
			goto cleanup; /* demo */
		err = print_row(skel, last, start_ns, &last_ns);
		if (err)
			goto cleanup;
	}
	err = ev;
	if (err)
		goto cleanup;

	/* 6. Summary: the verdicts by reason, what became of the redirected frames. */
	err = print_final(skel);
	if (err)
		goto cleanup;
	err = sample_xdp_ports_outcome(&outcome, ports, nports, mode_used);

cleanup:
	sample_loop_close(&loop);
	sample_xdp_ports_detach(ports, nports);
	sample_xdp_outcome_close(&outcome);
	xdp_fwd__destroy(skel);
	xdp_fwd_demo_close(&demo); /* demo */
	return err ? 1 : 0;
}
