// SPDX-License-Identifier: GPL-2.0
/* sockex3_demo.c - sockex3's no-argument demo and crafted frames. See sockex3_demo.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "sample.h"
#include "sockex3_demo.h"

/* The tagged frames: from the peer's MAC to demo0's, addresses of their own. */
static const struct sockex3_frame_spec dot1q = {
	AF_INET, IPPROTO_UDP, "10.11.100.2", "10.11.100.1", 7100, 7100, SOCKEX3_DEMO_TAGGED_LEN,
	1,	 100,
};
static const struct sockex3_frame_spec qinq = {
	AF_INET6, IPPROTO_TCP, "fd11:100::2", "fd11:100::1", 7101, 7101, SOCKEX3_DEMO_TAGGED_LEN,
	2,	  100,
};

static void put16(unsigned char *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

unsigned int sockex3_frame_ip_len(const struct sockex3_frame_spec *f)
{
	return (f->family == AF_INET6 ? 40 : 20) + (f->proto == IPPROTO_TCP ? 20 : 8) + f->payload;
}

size_t sockex3_frame(unsigned char *buf, size_t size, const struct sockex3_frame_spec *f)
{
	static const unsigned char dst_mac[6] = { 0x02, 0x00, 0x00, 0x11, 0x01, 0x01 }; /* demo0 */
	static const unsigned char src_mac[6] = { 0x02, 0x00, 0x00, 0x11, 0x01, 0x02 }; /* demo1 */
	unsigned int ip_len = sockex3_frame_ip_len(f), off = 12, l3;
	int v6 = f->family == AF_INET6;

	if (14 + 4 * f->tags + ip_len > size)
		return 0;
	memset(buf, 0, 14 + 4 * f->tags + ip_len);
	memcpy(buf, dst_mac, 6);
	memcpy(buf + 6, src_mac, 6);
	if (f->tags >= 2) {
		put16(buf + off, ETH_P_8021AD);
		put16(buf + off + 2, f->vlan + 100);
		off += 4;
	}
	if (f->tags >= 1) {
		put16(buf + off, ETH_P_8021Q);
		put16(buf + off + 2, f->vlan);
		off += 4;
	}
	put16(buf + off, v6 ? ETH_P_IPV6 : ETH_P_IP);
	l3 = off + 2;
	if (v6) {
		buf[l3] = 0x60;
		put16(buf + l3 + 4, ip_len - 40);
		buf[l3 + 6] = f->proto;
		buf[l3 + 7] = 64;
		if (inet_pton(AF_INET6, f->src, buf + l3 + 8) != 1 ||
		    inet_pton(AF_INET6, f->dst, buf + l3 + 24) != 1)
			return 0;
	} else {
		buf[l3] = 0x45;
		put16(buf + l3 + 2, ip_len);
		buf[l3 + 8] = 64;
		buf[l3 + 9] = f->proto;
		if (inet_pton(AF_INET, f->src, buf + l3 + 12) != 1 ||
		    inet_pton(AF_INET, f->dst, buf + l3 + 16) != 1)
			return 0;
		memcpy(buf + l3 + 10, (__u16[]){ sample_inet_csum(buf + l3, 20) }, 2);
	}
	off = l3 + (v6 ? 40 : 20);
	put16(buf + off, f->sport);
	put16(buf + off + 2, f->dport);
	if (f->proto == IPPROTO_TCP) {
		buf[off + 12] = 5 << 4; /* data offset: 20 bytes */
		buf[off + 13] = 0x18; /* PSH|ACK */
	} else {
		put16(buf + off + 4, 8 + f->payload);
	}
	return l3 + ip_len;
}

/* TCP over IPv6: a listener on [fd11::1]:7002 in the sample netns and one
 * connection to it from the peer (the common generator speaks IPv4 only). */
static int tcp6_open(struct sockex3_demo *d)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6,
				   .sin6_addr = d->net.addr6,
				   .sin6_port = htons(SOCKEX3_DEMO_TCP6_PORT) };

	d->tcp6_listen = sample_netns_socket(d->net.ns, AF_INET6, SOCK_STREAM, 0);
	d->tcp6_cli = sample_netns_socket(d->net.peer_ns, AF_INET6, SOCK_STREAM, 0);
	if (d->tcp6_listen < 0 || d->tcp6_cli < 0)
		return d->tcp6_listen < 0 ? d->tcp6_listen : d->tcp6_cli;
	/* Blocking connect and accept: over a veth the handshake is instant. */
	if (bind(d->tcp6_listen, (struct sockaddr *)&sa, sizeof(sa)) || listen(d->tcp6_listen, 1) ||
	    connect(d->tcp6_cli, (struct sockaddr *)&sa, sizeof(sa)))
		return -errno;
	d->tcp6_srv = accept4(d->tcp6_listen, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	return d->tcp6_srv < 0 ? -errno : sample_set_nonblock(d->tcp6_cli);
}

int sockex3_demo_open(struct sockex3_demo *d, struct sample_opts *o)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	const char *step = "opening the traffic sockets";
	int err;

	err = sample_demo_setup(&d->net, o->prog, SAMPLE_DEMO_IPV6);
	if (err)
		return err;
	err = sample_traffic_open(&d->traffic, &d->net, SAMPLE_TRAFFIC_UDP | SAMPLE_TRAFFIC_TCP);
	if (err)
		goto fail;
	step = "opening the TCP/IPv6 connection";
	err = tcp6_open(d);
	if (err)
		goto fail;
	/* Protocol 0: a packet socket that sends and receives nothing. */
	step = "opening the packet socket for tagged frames";
	sll.sll_ifindex = d->net.peer_ifindex;
	d->raw = sample_netns_socket(d->net.peer_ns, AF_PACKET, SOCK_RAW, 0);
	if (d->raw < 0) {
		err = d->raw;
		goto fail;
	}
	if (bind(d->raw, (struct sockaddr *)&sll, sizeof(sll))) {
		err = -errno;
		goto fail;
	}
	d->open = true;
	o->ifname = d->net.ifname;
	o->ifindex = d->net.ifindex;
	return 0;
fail:
	fprintf(stderr, "%s: demo setup failed %s: %s\n", o->prog, step, sample_strerror(err));
	d->open = true; /* close without the summary line */
	sockex3_demo_close(d);
	return err;
}

static int send_frames(int fd, const struct sockex3_frame_spec *f, unsigned int n, __u64 *sent)
{
	unsigned char buf[256];
	size_t len = sockex3_frame(buf, sizeof(buf), f);

	for (unsigned int i = 0; i < n; i++) {
		if (send(fd, buf, len, 0) != (ssize_t)len)
			return -errno;
		(*sent)++;
	}
	return 0;
}

int sockex3_demo_step(struct sockex3_demo *d)
{
	static const char chunk[SOCKEX3_DEMO_TCP_BYTES];
	struct sockaddr_storage v4, v6;
	__u64 deadline = sample_now_ns() + 500000000ull;
	int err = 0;
	ssize_t n;

	sample_sockaddr("10.11.1.1", SAMPLE_UDP_PORT, &v4);
	sample_sockaddr("fd11::1", SAMPLE_UDP_PORT, &v6);
	for (int i = 0; i < SOCKEX3_DEMO_UDPS && !err; i++) {
		err = sample_traffic_udp(&d->traffic, (struct sockaddr *)&v4, SOCKEX3_DEMO_UDP_LEN);
		if (err)
			break;
		d->udp4_sent++;
		err = sample_traffic_udp(&d->traffic, (struct sockaddr *)&v6, SOCKEX3_DEMO_UDP_LEN);
		if (err)
			break;
		d->udp6_sent++;
	}
	if (!err)
		err = sample_traffic_tcp(&d->traffic, SOCKEX3_DEMO_TCP_BYTES);
	if (!err) {
		n = send(d->tcp6_cli, chunk, sizeof(chunk), MSG_NOSIGNAL);
		if (n < 0 && errno != EAGAIN)
			err = -errno;
		else if (n > 0)
			d->tcp6_sent += n;
	}
	if (!err)
		err = send_frames(d->raw, &dot1q, SOCKEX3_DEMO_TAGGED, &d->dot1q_sent);
	if (!err)
		err = send_frames(d->raw, &qinq, SOCKEX3_DEMO_TAGGED, &d->qinq_sent);
	if (err) {
		fprintf(stderr, "demo traffic failed: %s\n", sample_strerror(err));
		return err;
	}
	/* Until the sinks have it all (500 ms at most): the map is read next. */
	sample_traffic_poll(&d->traffic, 500);
	while (d->tcp6_received < d->tcp6_sent && sample_now_ns() < deadline) {
		struct pollfd p = { .fd = d->tcp6_srv, .events = POLLIN };
		char buf[4096];

		poll(&p, 1, 50);
		while ((n = recv(d->tcp6_srv, buf, sizeof(buf), 0)) > 0)
			d->tcp6_received += n;
	}
	return 0;
}

void sockex3_demo_close(struct sockex3_demo *d)
{
	const struct sample_traffic *t = &d->traffic;
	int fds[] = { d->tcp6_listen, d->tcp6_cli, d->tcp6_srv, d->raw };

	if (!d->open)
		return;
	if (d->udp4_sent || d->dot1q_sent) {
		char b[6][SAMPLE_FMT_LEN];

		printf("demo sent: %s UDP/IPv4 and %s UDP/IPv6 datagrams of %d bytes (%llu received), "
		       "%s TCP/IPv4 and %s TCP/IPv6 payload bytes (%s and %s received), "
		       "%llu 802.1Q frames UDP/IPv4 %s > %s, %llu QinQ frames TCP/IPv6 %s > %s "
		       "(%d payload bytes each)\n",
		       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, d->udp4_sent),
		       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, d->udp6_sent), SOCKEX3_DEMO_UDP_LEN,
		       (unsigned long long)t->udp_received,
		       sample_fmt_u64(b[2], SAMPLE_FMT_LEN, t->tcp_sent),
		       sample_fmt_u64(b[3], SAMPLE_FMT_LEN, d->tcp6_sent),
		       sample_fmt_u64(b[4], SAMPLE_FMT_LEN, t->tcp_received),
		       sample_fmt_u64(b[5], SAMPLE_FMT_LEN, d->tcp6_received),
		       (unsigned long long)d->dot1q_sent, dot1q.src, dot1q.dst,
		       (unsigned long long)d->qinq_sent, qinq.src, qinq.dst,
		       SOCKEX3_DEMO_TAGGED_LEN);
	}
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	d->tcp6_listen = -1;
	d->tcp6_cli = -1;
	d->tcp6_srv = -1;
	d->raw = -1;
	sample_traffic_close(&d->traffic);
	sample_demo_teardown(&d->net);
	d->open = false;
}
