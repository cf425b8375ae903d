// SPDX-License-Identifier: GPL-2.0
/* common/xdp_ports.c - the ports of the XDP forwarding samples. See xdp_ports.h. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "xdp_outcome.h"
#include "xdp_ports.h"

int sample_xdp_ports_init(const char *prog, struct sample_xdp_port *p, const int *ifindexes, int n,
			  bool need_mac)
{
	for (int i = 0; i < n; i++) {
		int err;

		p[i] = (struct sample_xdp_port){ .ifindex = ifindexes[i], .link = -1 };
		if (!if_indextoname(ifindexes[i], p[i].name))
			snprintf(p[i].name, sizeof(p[i].name), "%d", ifindexes[i]);
		if (need_mac && (err = sample_iface_mac(p[i].name, p[i].mac))) {
			fprintf(stderr,
				"%s: %s has no Ethernet address (%s): XDP redirect "
				"needs Ethernet ports\n",
				prog, p[i].name, sample_strerror(err));
			return err;
		}
	}
	return 0;
}

int sample_xdp_ports_follow(struct sample_xdp_outcome *x, const char *prog, struct bpf_object *obj,
			    const struct sample_xdp_port *p, int n)
{
	int err = sample_xdp_outcome_open(x, prog, obj);

	for (int i = 0; i < n && !err; i++) {
		if ((err = sample_xdp_outcome_watch(x, p[i].ifindex)))
			fprintf(stderr, "%s: watching %s for XDP outcomes failed: %s\n", prog,
				p[i].name, sample_strerror(err));
		else
			sample_veth_peer_check(prog, p[i].ifindex);
	}
	return err;
}

int sample_xdp_ports_outcome(const struct sample_xdp_outcome *x, const struct sample_xdp_port *p,
			     int n, const char *mode_used)
{
	int ifindexes[SAMPLE_XDP_MAX_PORTS], err;

	for (int i = 0; i < n && i < SAMPLE_XDP_MAX_PORTS; i++)
		ifindexes[i] = p[i].ifindex;
	err = sample_xdp_outcome_print(x, stdout, ifindexes, n);
	if (!err && !strcmp(mode_used, "generic"))
		printf("  (generic mode: redirected frames leave through the stack, where "
		       "xdp_devmap_xmit does not fire: transmitted is not traced)\n");
	return err;
}

void sample_xdp_ports_detach(struct sample_xdp_port *p, int n)
{
	for (int i = 0; i < n; i++) {
		if (p[i].link >= 0)
			close(p[i].link);
		p[i].link = -1;
	}
}

int sample_xdp_ports_rates(const char *prog, const struct bpf_map *stats, struct sample_xdp_port *p,
			   int n, __u64 start_ns)
{
	for (__u32 port = 0; port < (__u32)n; port++) {
		__u64 v[4], now = sample_now_ns();
		double dt = (now - (p[port].last_ns > start_ns ? p[port].last_ns : start_ns)) / 1e9;
		char b[4][SAMPLE_FMT_LEN];
		int err = sample_percpu_lookup(stats, &port, v);

		if (err) {
			fprintf(stderr, "%s: reading %s failed: %s\n", prog, bpf_map__name(stats),
				sample_strerror(err));
			return err;
		}
		for (int i = 0; i < 4; i++) {
			sample_fmt_u64(b[i], SAMPLE_FMT_LEN, (v[i] - p[port].last[i]) / dt + 0.5);
			p[port].last[i] = v[i];
		}
		p[port].last_ns = now;
		printf("%7.1f  %-10s %12s %12s %12s %12s\n", (now - start_ns) / 1e9, p[port].name,
		       b[0], b[1], b[2], b[3]);
	}
	fflush(stdout);
	return 0;
}

int sample_xdp_ports_totals(const char *prog, const struct bpf_map *stats,
			    const struct sample_xdp_port *p, int n)
{
	printf("final:\n%-10s %14s %14s %14s %14s\n", "port", "rx", "redirected", "errors", "tx");
	for (__u32 port = 0; port < (__u32)n; port++) {
		char b[4][SAMPLE_FMT_LEN];
		__u64 v[4];
		int err = sample_percpu_lookup(stats, &port, v);

		if (err) {
			fprintf(stderr, "%s: reading %s failed: %s\n", prog, bpf_map__name(stats),
				sample_strerror(err));
			return err;
		}
		for (int i = 0; i < 4; i++)
			sample_fmt_u64(b[i], SAMPLE_FMT_LEN, v[i]);
		printf("%-10s %14s %14s %14s %14s\n", p[port].name, b[0], b[1], b[2], b[3]);
	}
	return 0;
}
