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
	err = bpf_map__get_next_key(flows, NULL, &next, sizeof(next));
	while (!err) {
		__u64 v[2]; /* packets, bytes: summed over the CPUs */

		key = next;
		err = sample_percpu_lookup(flows, &key, v);
		if (err)
			return err;
		n++;
		total[0] += v[0];
		total[1] += v[1];
		if (key.proto == IPPROTO_UDP)
			f->udp_packets += v[0];
		i = 0;
		while (i < f->n && memcmp(&f->seen[i].key, &key, sizeof(key)))
			i++;
		if (i == f->n && f->n < SOCKEX3_MAX_FLOWS) {
			f->seen[f->n].key = key;
			f->n++;
		}
		if (i < f->n && !all && f->seen[i].packets == v[0]) {
			err = bpf_map__get_next_key(flows, &key, &next, sizeof(next));
			continue;
		}
		if (i < f->n)
			f->seen[i].packets = v[0];
		if (key.proto == IPPROTO_TCP)
			snprintf(proto, sizeof(proto), "tcp");
		else if (key.proto == IPPROTO_UDP)
			snprintf(proto, sizeof(proto), "udp");
		else
			snprintf(proto, sizeof(proto), "ip/%u", key.proto);
		print_row(t, proto, endpoint(&key, false, src, sizeof(src)),
			  endpoint(&key, true, dst, sizeof(dst)), v[0], v[1]);
		err = bpf_map__get_next_key(flows, &key, &next, sizeof(next));
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
	int ncpus = libbpf_num_possible_cpus();
	struct stage_stats *v;
	int err = 0;

	if (ncpus <= 0)
		return -ENOMEM;
	/* A per-CPU lookup copies one value per possible CPU. */
	v = calloc(ncpus, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (__u32 k = 0; k < SX3_STAGES; k++) {
		if (bpf_map_lookup_elem(fd, &k, v))
			err = -errno;
		sample_percpu_sum(v, ncpus, sizeof(*v), (__u64 *)&out[k]);
		if (err)
			break;
		if (!reset)
			continue;
		memset(v, 0, ncpus * sizeof(*v));
		if (bpf_map_update_elem(fd, &k, v, 0)) {
			err = -errno;
			break;
		}
	}
	free(v);
	return err;
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
