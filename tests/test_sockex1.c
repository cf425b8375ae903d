// SPDX-License-Identifier: GPL-2.0
/* sockex1: exact per-protocol counts in the ARRAY, and the ARRAY's traps. */
#include <arpa/inet.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "demo.h"
#include "sockex1.h"
#include "sockex1.skel.h"

static int run_filter(struct sockex1 *skel, const struct pkt_opts *o, int repeat)
{
	unsigned char pkt[PKT_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = pkt, .repeat = repeat);

	topts.data_size_in = pkt_build(pkt, o);
	return bpf_prog_test_run_opts(bpf_program__fd(skel->progs.count_by_proto), &topts)
		? -errno : 0;
}

static struct proto_stats read_slot(struct sockex1 *skel, __u32 proto)
{
	struct proto_stats st = { ~0ull, ~0ull };

	bpf_map_lookup_elem(bpf_map__fd(skel->maps.proto_stats), &proto, &st);
	return st;
}

/* Known packets of known lengths per protocol give exact packets and bytes,
 * and every other slot stays zero. */
TEST(sockex1, exact_bytes_per_protocol)
{
	struct pkt_opts icmp = { AF_INET, IPPROTO_ICMP, "10.0.0.2", "10.0.0.1", 56 };
	struct pkt_opts udp = { AF_INET, IPPROTO_UDP, "10.0.0.2", "10.0.0.1", 100 };
	struct pkt_opts tcp = { AF_INET, IPPROTO_TCP, "10.0.0.2", "10.0.0.1", 1000 };
	struct pkt_opts udp6 = { AF_INET6, IPPROTO_UDP, "fd00::2", "fd00::1", 10 };
	struct sockex1 *skel = sockex1__open_and_load();
	__u64 other_pkts = 0;

	REQUIRE(skel, "sockex1__open_and_load: %s", strerror(errno));
	CHECK_ERR(run_filter(skel, &icmp, 3), 0);
	CHECK_ERR(run_filter(skel, &udp, 4), 0);
	CHECK_ERR(run_filter(skel, &tcp, 2), 0);
	CHECK_ERR(run_filter(skel, &udp6, 5), 0);

	CHECK_U64(read_slot(skel, IPPROTO_ICMP).packets, 3);
	CHECK_U64(read_slot(skel, IPPROTO_ICMP).bytes, 3 * 84);		/* 20 + 8 + 56 */
	CHECK_U64(read_slot(skel, IPPROTO_UDP).packets, 4 + 5);
	CHECK_U64(read_slot(skel, IPPROTO_UDP).bytes, 4 * 128 + 5 * 58);	/* v4 + v6 */
	CHECK_U64(read_slot(skel, IPPROTO_TCP).packets, 2);
	CHECK_U64(read_slot(skel, IPPROTO_TCP).bytes, 2 * 1040);
	for (__u32 p = 0; p < SOCKEX1_MAX_PROTO; p++)
		if (p != IPPROTO_ICMP && p != IPPROTO_UDP && p != IPPROTO_TCP)
			other_pkts += read_slot(skel, p).packets;
	CHECK_U64(other_pkts, 0);
	sockex1__destroy(skel);
}

/* A frame that is not IP (here ARP) is not counted anywhere. */
TEST(sockex1, non_ip_not_counted)
{
	unsigned char arp[60] = { [12] = 0x08, [13] = 0x06 };
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = arp, .data_size_in = sizeof(arp));
	struct sockex1 *skel = sockex1__open_and_load();
	__u64 total = 0;

	REQUIRE(skel, "sockex1__open_and_load: %s", strerror(errno));
	CHECK_ERR(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.count_by_proto), &topts)
		  ? -errno : 0, 0);
	for (__u32 p = 0; p < SOCKEX1_MAX_PROTO; p++)
		total += read_slot(skel, p).packets;
	CHECK_U64(total, 0);
	sockex1__destroy(skel);
}

/* The ARRAY traps the sample shows: preallocated and zeroed, key is an index,
 * delete is EINVAL, NOEXIST is EEXIST (every slot always exists). */
TEST(sockex1, array_traps)
{
	struct sockex1 *skel = sockex1__open_and_load();
	struct proto_stats st = { 7, 7 }, zero = {};
	int fd;
	__u32 key;

	REQUIRE(skel, "sockex1__open_and_load: %s", strerror(errno));
	fd = bpf_map__fd(skel->maps.proto_stats);
	CHECK_U64(bpf_map__value_size(skel->maps.proto_stats), sizeof(struct proto_stats));
	CHECK_U64(bpf_map__max_entries(skel->maps.proto_stats), 256);

	key = 255;
	CHECK_ERR(bpf_map_lookup_elem(fd, &key, &st) ? -errno : 0, 0);
	CHECK_U64(st.packets, 0);
	CHECK_U64(st.bytes, 0);
	key = 256;
	CHECK_ERR(bpf_map_lookup_elem(fd, &key, &st) ? -errno : 0, -ENOENT);
	CHECK_ERR(bpf_map_update_elem(fd, &key, &zero, BPF_ANY) ? -errno : 0, -E2BIG);
	key = IPPROTO_TCP;
	CHECK_ERR(bpf_map_delete_elem(fd, &key) ? -errno : 0, -EINVAL);
	CHECK_ERR(bpf_map_update_elem(fd, &key, &zero, BPF_NOEXIST) ? -errno : 0, -EEXIST);
	st.packets = 5;
	CHECK_ERR(bpf_map_update_elem(fd, &key, &st, BPF_EXIST) ? -errno : 0, 0);
	CHECK_U64(read_slot(skel, IPPROTO_TCP).packets, 5);
	sockex1__destroy(skel);
}

/* On a real packet socket (skb->data at the MAC header, unlike test_run) the
 * filter counts the same IP bytes: 3 UDP datagrams over lo in a private netns
 * are seen twice each by a socket bound to lo (sent and received). */
TEST(sockex1, real_packet_socket_on_lo)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
				   .sll_ifindex = 1 };
	struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(9),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockex1 *skel = sockex1__open_and_load();
	int ns = -1, pkt = -1, udp = -1, rx = -1, prog_fd;
	char payload[100] = {};

	REQUIRE(skel, "sockex1__open_and_load: %s", strerror(errno));
	prog_fd = bpf_program__fd(skel->progs.count_by_proto);
	ns = sample_netns_new();
	if (ns < 0) {
		harness_fail(__FILE__, __LINE__, "sample_netns_new: %s", strerror(-ns));
		goto out;
	}
	pkt = sample_netns_socket(ns, AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	rx = sample_netns_socket(ns, AF_INET, SOCK_DGRAM, 0);
	udp = sample_netns_socket(ns, AF_INET, SOCK_DGRAM, 0);
	if (pkt < 0 || rx < 0 || udp < 0) {
		harness_fail(__FILE__, __LINE__, "sockets in the test netns failed");
		goto out;
	}
	/* A bound receiver, so no ICMP port-unreachable joins the count. */
	CHECK_ERR(bind(rx, (struct sockaddr *)&dst, sizeof(dst)) ? -errno : 0, 0);
	CHECK_ERR(setsockopt(pkt, SOL_SOCKET, SO_ATTACH_BPF, &prog_fd, sizeof(prog_fd))
		  ? -errno : 0, 0);
	CHECK_ERR(bind(pkt, (struct sockaddr *)&sll, sizeof(sll)) ? -errno : 0, 0);
	for (int i = 0; i < 3; i++)
		CHECK(sendto(udp, payload, sizeof(payload), 0, (struct sockaddr *)&dst,
			     sizeof(dst)) == sizeof(payload), "sendto: %s", strerror(errno));
	for (int i = 0; i < 3; i++)
		CHECK(recv(rx, payload, sizeof(payload), 0) == sizeof(payload),
		      "recv: %s", strerror(errno));
	CHECK_U64(read_slot(skel, IPPROTO_UDP).packets, 6);
	CHECK_U64(read_slot(skel, IPPROTO_UDP).bytes, 6 * 128);
out:
	CLOSE_FDS(pkt, udp, rx, ns);
	sockex1__destroy(skel);
}
