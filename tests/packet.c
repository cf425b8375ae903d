// SPDX-License-Identifier: GPL-2.0
/* tests/packet.c - crafted Ethernet frames for BPF_PROG_TEST_RUN. Checksums are
 * left zero: no program under test verifies them. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "harness.h"

static unsigned int l4_len(__u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return 20;
	case IPPROTO_UDP:
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return 8;
	default:
		return 0;
	}
}

unsigned int pkt_ip_len(const struct pkt_opts *o)
{
	return (o->family == AF_INET6 ? 40 : 20) + l4_len(o->proto) + o->payload;
}

static void put16(unsigned char *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

unsigned int pkt_build(unsigned char *buf, const struct pkt_opts *o)
{
	static const unsigned char dmac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	static const unsigned char smac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
	unsigned int off = 12, ip_len = pkt_ip_len(o), l4 = l4_len(o->proto);
	unsigned char *ip;

	if (ip_len + 14 + 8 > PKT_MAX)
		return 0;
	memset(buf, 0, PKT_MAX);
	memcpy(buf, dmac, 6);
	memcpy(buf + 6, smac, 6);
	if (o->vlans >= 2) {		/* outer 802.1AD tag */
		put16(buf + off, 0x88A8);
		put16(buf + off + 2, o->vlan_id + 1);
		off += 4;
	}
	if (o->vlans >= 1) {
		put16(buf + off, 0x8100);
		put16(buf + off + 2, o->vlan_id);
		off += 4;
	}
	put16(buf + off, o->family == AF_INET6 ? 0x86DD : 0x0800);
	off += 2;
	ip = buf + off;
	if (o->family == AF_INET6) {
		ip[0] = 0x60;
		put16(ip + 4, ip_len - 40);
		ip[6] = o->proto;
		ip[7] = 64;
		inet_pton(AF_INET6, o->src, ip + 8);
		inet_pton(AF_INET6, o->dst, ip + 24);
		off += 40;
	} else {
		ip[0] = 0x45;
		put16(ip + 2, ip_len);
		ip[8] = 64;
		ip[9] = o->proto;
		inet_pton(AF_INET, o->src, ip + 12);
		inet_pton(AF_INET, o->dst, ip + 16);
		off += 20;
	}
	if (o->proto == IPPROTO_UDP) {
		put16(buf + off, 40000);
		put16(buf + off + 2, 7000);
		put16(buf + off + 4, l4 + o->payload);
	} else if (o->proto == IPPROTO_TCP) {
		put16(buf + off, 40000);
		put16(buf + off + 2, 7001);
		buf[off + 12] = 5 << 4;
		buf[off + 13] = 0x18;	/* PSH|ACK */
	} else if (o->proto == IPPROTO_ICMP) {
		buf[off] = 8;		/* echo request */
	}
	off += l4;
	for (unsigned int i = 0; i < o->payload; i++)
		buf[off + i] = (unsigned char)i;
	return off + o->payload;
}
