// SPDX-License-Identifier: GPL-2.0
/* xdpsock_demo.c - the demo of xdpsock (see xdpsock_demo.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "sample.h"
#include "xdpsock_demo.h"

#define DEMO_BURST 100 /* UDP datagrams from the peer per step */
#define DEMO_UDP_LEN 64

/* A packet socket on the peer's veth that counts frames coming from demo0
 * (source MAC) to UDP port 7000: the l2fwd replies and the txonly frames. A
 * classic BPF filter keeps only those and truncates them to one byte;
 * PACKET_STATISTICS then counts every match, even ones the socket had no
 * room for. */
static int open_peer_counter(struct sample_demo *d)
{
	__u32 mac_hi = (d->mac[0] << 24) | (d->mac[1] << 16) | (d->mac[2] << 8) | d->mac[3];
	__u32 mac_lo = (d->mac[4] << 8) | d->mac[5];
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 6), /* source MAC, bytes 0-3 */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, mac_hi, 0, 9),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 10), /* source MAC, bytes 4-5 */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, mac_lo, 0, 7),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12), /* ethertype IPv4 */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, 5),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 23), /* protocol UDP */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, 3),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 36), /* destination port */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SAMPLE_UDP_PORT, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 1),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog fprog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = d->peer_ifindex,
	};
	int fd = sample_netns_socket(d->peer_ns, AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
				     htons(ETH_P_ALL));
	int err;

	if (fd < 0)
		return fd;
	if (!setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof(fprog)) &&
	    !bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		return fd;
	err = -errno;
	close(fd);
	return err;
}

int xdpsock_demo_open(struct xdpsock_demo *d, struct sample_opts *o, enum xdpsock_mode mode,
		      unsigned char peer_mac[6])
{
	const char *what = "opening demo traffic sockets";
	int err;

	d->prog = o->prog;
	d->send = mode != XDPSOCK_TXONLY;
	err = sample_demo_setup(&d->net, o->prog, 0);
	if (err)
		return err;
	d->open = true;
	if (d->send) {
		err = sample_traffic_open(&d->traffic, &d->net, SAMPLE_TRAFFIC_UDP);
		if (err)
			goto fail;
	}
	what = "opening the peer's packet counter";
	err = open_peer_counter(&d->net);
	if (err < 0)
		goto fail;
	d->peer_sock = err;
	o->ifname = d->net.ifname;
	o->ifindex = d->net.ifindex;
	memcpy(peer_mac, d->net.peer_mac, 6);
	return 0;
fail:
	fprintf(stderr, "%s: %s failed: %s\n", o->prog, what, sample_strerror(err));
	return err;
}

int xdpsock_demo_step(struct xdpsock_demo *d)
{
	struct sockaddr_storage ss;
	int err = 0;

	if (!d->send)
		return 0;
	sample_sockaddr("10.11.1.1", SAMPLE_UDP_PORT, &ss);
	for (int i = 0; i < DEMO_BURST && !err; i++)
		err = sample_traffic_udp(&d->traffic, (struct sockaddr *)&ss, DEMO_UDP_LEN);
	if (err) {
		fprintf(stderr, "%s: demo traffic failed: %s\n", d->prog, sample_strerror(err));
		return err;
	}
	sample_traffic_poll(&d->traffic, 50);
	return 0;
}

/* Frames from demo0 that reached the peer so far (0 when not open). */
static __u64 read_peer_rx(struct xdpsock_demo *d)
{
	struct tpacket_stats st;
	socklen_t len = sizeof(st);
	char buf[64];

	if (d->peer_sock < 0)
		return 0;
	d->counted = true;
	while (recv(d->peer_sock, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		; /* drain; the statistics below are what counts */
	if (!getsockopt(d->peer_sock, SOL_PACKET, PACKET_STATISTICS, &st, &len))
		d->peer_rx += st.tp_packets; /* includes tp_drops; resets on read */
	return d->peer_rx;
}

const char *xdpsock_demo_about(const struct xdpsock_demo *d)
{
	if (!d->open)
		return "";
	if (d->send)
		return "; demo: UDP from the peer netns";
	return "; demo: the peer counts what arrives";
}

const char *xdpsock_demo_head(const struct xdpsock_demo *d)
{
	return d->open ? "    peer rx" : "";
}

void xdpsock_demo_col(struct xdpsock_demo *d, char *buf, size_t len)
{
	char b[SAMPLE_FMT_LEN];

	buf[0] = '\0';
	if (d->open)
		snprintf(buf, len, " %10s", sample_fmt_u64(b, sizeof(b), read_peer_rx(d)));
}

void xdpsock_demo_close(struct xdpsock_demo *d)
{
	if (!d->open)
		return;
	if (!d->counted) {
		/* failed before the first row: nothing to say */
	} else if (d->send) {
		printf("demo sent: %llu UDP frames from the peer; the peer received %llu frames "
		       "from %s\n",
		       (unsigned long long)d->traffic.udp_sent, (unsigned long long)d->peer_rx,
		       d->net.ifname);
	} else {
		printf("demo: the peer received %llu frames from %s\n",
		       (unsigned long long)d->peer_rx, d->net.ifname);
	}
	fflush(stdout);
	if (d->peer_sock >= 0)
		close(d->peer_sock);
	sample_traffic_close(&d->traffic);
	sample_demo_teardown(&d->net);
	*d = (struct xdpsock_demo)XDPSOCK_DEMO_INIT;
}
