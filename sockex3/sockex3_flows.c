// SPDX-License-Identifier: GPL-2.0
/* sockex3_flows.c - reading sockex3's counting maps. See sockex3_flows.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "sockex3_flows.h"

static const char *endpoint(const struct flow_key *k, bool dst, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	bool v6 = k->family == SOCKEX3_AF_INET6;

	inet_ntop(v6 ? AF_INET6 : AF_INET, dst ? k->dst : k->src, a, sizeof(a));
	snprintf(buf, len, v6 ? "[%s]:%u" : "%s:%u", a, dst ? k->dport : k->sport);
	return buf;
}

void sockex3_print_header(void)
{
	printf("%7s  %-5s %-24s %-24s %10s %13s\n", "time", "proto", "source", "destination",
	       "packets", "IP bytes");
}

static void print_row(double t, const char *proto, const char *src, const char *dst, __u64 packets,
		      __u64 bytes)
{
	char p[SAMPLE_FMT_LEN], b[SAMPLE_FMT_LEN];

	printf("%7.1f  %-5s %-24s %-24s %10s %13s\n", t, proto, src, dst,
	       sample_fmt_u64(p, sizeof(p), packets), sample_fmt_u64(b, sizeof(b), bytes));
}

int sockex3_print_flows(const struct bpf_map *flows, struct sockex3_flows *f, double t, bool all)
{
	char src[64], dst[64], proto[8];
	struct flow_key key, next;
	__u64 total[2] = {}, n = 0;
	int err, i;

	f->udp_packets = 0;
	for (err = bpf_map__get_next_key(flows, NULL, &next, sizeof(next)); !err;
	     err = bpf_map__get_next_key(flows, &key, &next, sizeof(next))) {
		__u64 v[2]; /* packets, bytes: summed over the CPUs */

		key = next;
		if ((err = sample_percpu_lookup(flows, &key, v)))
			return err;
		n++;
		total[0] += v[0];
		total[1] += v[1];
		if (key.proto == IPPROTO_UDP)
			f->udp_packets += v[0];
		for (i = 0; i < f->n && memcmp(&f->seen[i].key, &key, sizeof(key)); i++)
			;
		if (i == f->n && f->n < SOCKEX3_MAX_FLOWS)
			f->seen[f->n++].key = key;
		if (i < f->n) {
			if (!all && f->seen[i].packets == v[0])
				continue;
			f->seen[i].packets = v[0];
		}
		if (key.proto == IPPROTO_TCP || key.proto == IPPROTO_UDP)
			snprintf(proto, sizeof(proto), key.proto == IPPROTO_TCP ? "tcp" : "udp");
		else
			snprintf(proto, sizeof(proto), "ip/%u", key.proto);
		print_row(t, proto, endpoint(&key, false, src, sizeof(src)),
			  endpoint(&key, true, dst, sizeof(dst)), v[0], v[1]);
	}
	if (err != -ENOENT)
		return err;
	/* Every interval, changed or not: the sum over all flows. */
	snprintf(src, sizeof(src), "(%llu flows)", (unsigned long long)n);
	print_row(t, "all", src, "*", total[0], total[1]);
	fflush(stdout);
	return 0;
}

int sockex3_read_stages(int fd, struct stage_stats *out, bool reset)
{
	int ncpus = libbpf_num_possible_cpus(), err = 0;
	struct stage_stats *v = ncpus > 0 ? calloc(ncpus, sizeof(*v)) : NULL;

	/* A per-CPU lookup copies one value per possible CPU. */
	for (__u32 k = 0; v && k < SX3_STAGES && !err; k++) {
		err = bpf_map_lookup_elem(fd, &k, v) ? -errno : 0;
		sample_percpu_sum(v, ncpus, sizeof(*v), (__u64 *)&out[k]);
		if (!err && reset &&
		    bpf_map_update_elem(fd, &k, memset(v, 0, ncpus * sizeof(*v)), 0))
			err = -errno;
	}
	free(v);
	return v ? err : -ENOMEM;
}

void sockex3_print_stages(const struct stage_stats *s, __u64 flows_full)
{
	printf("stages ran: eth %llu, vlan %llu, ipv4 %llu, ipv6 %llu, tcp %llu, udp %llu, udp_b %llu; "
	       "flows not inserted (map full): %llu\n",
	       (unsigned long long)s[SX3_ETH].runs, (unsigned long long)s[SX3_VLAN].runs,
	       (unsigned long long)s[SX3_IPV4].runs, (unsigned long long)s[SX3_IPV6].runs,
	       (unsigned long long)s[SX3_TCP].runs, (unsigned long long)s[SX3_UDP].runs,
	       (unsigned long long)s[SX3_UDP_B].runs, (unsigned long long)flows_full);
}

int sockex3_run_frame(int prog_fd, const struct sockex3_frame_spec *f)
{
	unsigned char frame[256];
	LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = frame);

	run.data_size_in = sockex3_frame(frame, sizeof(frame), f);
	return bpf_prog_test_run_opts(prog_fd, &run) ? -errno : 0;
}
