// SPDX-License-Identifier: GPL-2.0
/*
 * afsend - send exactly COUNT UDP/IPv4 frames out of an interface through an
 * AF_PACKET socket: real frames, through the device's own transmit path, for
 * the tests that need an exact number of frames to arrive on an interface
 * (the veth peer cases of the redirect samples, xdpsock's refused redirects).
 *
 *   afsend -i p1 -n 50 --dst-mac 02:00:00:00:00:01 --src-ip 10.30.1.2 --dst-ip 10.30.2.2
 *   sent 50 frames of 64 bytes in 182004 ns
 *
 * Unlike tools/xdpgen (BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES), it
 * needs no BPF at all, so it also works where the platform refuses live
 * frames; it is slower (one sendto() per frame), which the tests do not mind.
 * The options that both have mean the same (-i, -n, -s, -c, the addresses and
 * ports), so a test can use either.
 *
 * "sent N" counts frames the device took. A veth whose peer's receive ring is
 * full (its NAPI has not run yet, on a loaded machine) drops the frame before
 * any program sees it and sendto() fails with ENOBUFS: that frame is sent
 * again after a short pause (at most 5 s in all), so exactly COUNT frames
 * reach the peer. Every other error stops the run: exit 1 and one line.
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/ip.h>
#include <linux/udp.h>

#include "sample.h"
#include "demo.h"

static const char *prog = "afsend";

#define MIN_FRAME	(ETH_HLEN + sizeof(struct iphdr) + sizeof(struct udphdr))
#define MAX_FRAME	1514	/* the default MTU of 1500 plus the Ethernet header */
#define RETRY_NS	5000000000ull	/* ENOBUFS: resend for at most 5 s in all */

struct send_opts {
	const char *ifname;
	int ifindex;
	unsigned long count, size, cpu, sport, dport;
	bool have_cpu, have_src_mac, have_dst_mac, have_src_ip;
	unsigned char src_mac[ETH_ALEN], dst_mac[ETH_ALEN];
	struct in_addr src_ip, dst_ip;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s -i IFACE [options]   send COUNT UDP/IPv4 frames out of IFACE (AF_PACKET)\n"
		"  -i, --interface IFACE  the interface to send from (required)\n"
		"  -n, --count N          frames to send (default 1000; 1 to 4294967295)\n"
		"  -s, --size BYTES       frame size from the Ethernet header on (default 64; %zu to %d)\n"
		"  -c, --cpu N            send from CPU N (default: wherever the scheduler puts us)\n"
		"      --src-mac MAC      default: IFACE's own address\n"
		"      --dst-mac MAC      default: ff:ff:ff:ff:ff:ff\n"
		"      --src-ip ADDR      default: IFACE's IPv4 address, else 192.0.2.1\n"
		"      --dst-ip ADDR      default: 198.51.100.1\n"
		"      --sport N, --dport N  UDP ports (default 9000 and 9)\n"
		"  -h, --help\n"
		"Prints: sent N frames of S bytes in T ns (N: frames the device took; a frame it\n"
		"dropped with ENOBUFS is sent again). Exit 0, 1 on a runtime error, 2 on bad usage.\n"
		"Example: %s -i veth0 -n 50 --dst-mac 02:00:00:00:00:02 --dst-ip 10.0.0.2\n",
		prog, MIN_FRAME, MAX_FRAME, prog);
}

static int parse_mac(const char *arg, const char *what, unsigned char *mac)
{
	unsigned int b[ETH_ALEN];
	char end;
	int n;

	n = sscanf(arg, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &end);
	if (n != ETH_ALEN)
		goto bad;
	for (int i = 0; i < ETH_ALEN; i++) {
		if (b[i] > 0xff)
			goto bad;
		mac[i] = b[i];
	}
	return 0;
bad:
	fprintf(stderr, "%s: invalid value '%s' for --%s: expected a MAC like 02:00:00:00:00:01\n",
		prog, arg, what);
	return -EINVAL;
}

static int parse_ip(const char *arg, const char *what, struct in_addr *a)
{
	if (inet_pton(AF_INET, arg, a) == 1)
		return 0;
	fprintf(stderr, "%s: invalid value '%s' for --%s: expected an IPv4 address\n", prog,
		arg, what);
	return -EINVAL;
}

/* IFACE's first IPv4 address, if it has one. */
static void iface_ip(struct send_opts *o)
{
	struct ifreq ifr = {};
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", o->ifname);
	if (!ioctl(fd, SIOCGIFADDR, &ifr)) {
		o->src_ip = ((struct sockaddr_in *)&ifr.ifr_addr)->sin_addr;
		o->have_src_ip = true;
	}
	close(fd);
}

/* Ethernet + IPv4 (checksummed) + UDP (checksum 0: none, legal for IPv4),
 * payload zeros. */
static void build_frame(const struct send_opts *o, unsigned char *buf)
{
	struct ethhdr *eth = (struct ethhdr *)buf;
	struct iphdr *ip = (struct iphdr *)(eth + 1);
	struct udphdr *udp = (struct udphdr *)(ip + 1);

	memset(buf, 0, o->size);
	memcpy(eth->h_dest, o->dst_mac, ETH_ALEN);
	memcpy(eth->h_source, o->src_mac, ETH_ALEN);
	eth->h_proto = htons(ETH_P_IP);
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons(o->size - ETH_HLEN);
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->saddr = o->src_ip.s_addr;
	ip->daddr = o->dst_ip.s_addr;
	ip->check = sample_inet_csum(ip, sizeof(*ip));
	udp->source = htons(o->sport);
	udp->dest = htons(o->dport);
	udp->len = htons(o->size - ETH_HLEN - sizeof(*ip));
}

static int send_all(struct send_opts *o)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_IP),
		.sll_ifindex = o->ifindex,
		.sll_halen = ETH_ALEN,
	};
	unsigned char frame[MAX_FRAME];
	unsigned long sent = 0, resent = 0;
	__u64 t0, t1, retry_until = 0;
	ssize_t n;
	int fd, err;

	if (!o->have_src_mac) {
		err = sample_iface_mac(o->ifname, o->src_mac);
		if (err) {
			fprintf(stderr, "%s: cannot read the MAC of %s: %s; give --src-mac\n", prog,
				o->ifname, sample_strerror(err));
			return 1;
		}
	}
	if (!o->have_src_ip)
		iface_ip(o);
	if (!o->have_src_ip)
		inet_pton(AF_INET, "192.0.2.1", &o->src_ip);
	if (!o->have_dst_mac)
		memset(o->dst_mac, 0xff, ETH_ALEN);
	memcpy(sll.sll_addr, o->dst_mac, ETH_ALEN);
	build_frame(o, frame);

	if (o->have_cpu) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(o->cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			err = -errno;
			fprintf(stderr, "%s: cannot run on CPU %lu: %s\n", prog, o->cpu,
				sample_strerror(err));
			return 1;
		}
	}

	/* Protocol 0: this socket only sends, it receives nothing. */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		fprintf(stderr, "%s: socket(AF_PACKET, SOCK_RAW) failed: %s\n", prog,
			sample_strerror(err));
		return 1;
	}

	t0 = sample_now_ns();
	while (sent < o->count) {
		n = sendto(fd, frame, o->size, 0, (struct sockaddr *)&sll, sizeof(sll));
		if (n == (ssize_t)o->size) {
			sent++;
			retry_until = 0;
			continue;
		}
		err = n < 0 ? -errno : -EMSGSIZE;
		if (err == -ENOBUFS) {
			__u64 now = sample_now_ns();

			/* The device dropped this frame before anything saw it:
			 * give its receiver a moment and send it again. */
			if (!retry_until)
				retry_until = now + RETRY_NS;
			if (now < retry_until) {
				resent++;
				usleep(100);
				continue;
			}
		}
		fprintf(stderr, "%s: frame %lu of %lu on %s: sendto failed: %s (%s)%s\n", prog,
			sent + 1, o->count, o->ifname, sample_strerror(err), sample_errname(err),
			err == -ENOBUFS ? ", still after 5 s of retries" : "");
		close(fd);
		return 1;
	}
	t1 = sample_now_ns();
	close(fd);
	printf("sent %lu frames of %lu bytes in %llu ns", sent, o->size,
	       (unsigned long long)(t1 - t0));
	if (resent)
		printf(" (%lu sends refused with ENOBUFS and repeated)", resent);
	printf("\n");
	return 0;
}

enum { OPT_SRC_MAC = 256, OPT_DST_MAC, OPT_SRC_IP, OPT_DST_IP, OPT_SPORT, OPT_DPORT };

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'n' },
		{ "size", required_argument, NULL, 's' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "src-mac", required_argument, NULL, OPT_SRC_MAC },
		{ "dst-mac", required_argument, NULL, OPT_DST_MAC },
		{ "src-ip", required_argument, NULL, OPT_SRC_IP },
		{ "dst-ip", required_argument, NULL, OPT_DST_IP },
		{ "sport", required_argument, NULL, OPT_SPORT },
		{ "dport", required_argument, NULL, OPT_DPORT },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct send_opts o = { .count = 1000, .size = 64, .sport = 9000, .dport = 9 };
	int opt, err;

	inet_pton(AF_INET, "198.51.100.1", &o.dst_ip);
	while ((opt = getopt_long(argc, argv, ":i:n:s:c:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			o.ifname = optarg;
			break;
		case 'n':
			err = sample_parse_uint(prog, 'n', optarg, 1, 0xffffffffUL, &o.count);
			if (err)
				return 2;
			break;
		case 's':
			err = sample_parse_uint(prog, 's', optarg, MIN_FRAME, MAX_FRAME, &o.size);
			if (err)
				return 2;
			break;
		case 'c':
			err = sample_parse_uint(prog, 'c', optarg, 0, CPU_SETSIZE - 1, &o.cpu);
			if (err)
				return 2;
			o.have_cpu = true;
			break;
		case OPT_SRC_MAC:
			if (parse_mac(optarg, "src-mac", o.src_mac))
				return 2;
			o.have_src_mac = true;
			break;
		case OPT_DST_MAC:
			if (parse_mac(optarg, "dst-mac", o.dst_mac))
				return 2;
			o.have_dst_mac = true;
			break;
		case OPT_SRC_IP:
			if (parse_ip(optarg, "src-ip", &o.src_ip))
				return 2;
			o.have_src_ip = true;
			break;
		case OPT_DST_IP:
			if (parse_ip(optarg, "dst-ip", &o.dst_ip))
				return 2;
			break;
		case OPT_SPORT:
			err = sample_parse_uint(prog, 'p', optarg, 0, 65535, &o.sport);
			if (err)
				return 2;
			break;
		case OPT_DPORT:
			err = sample_parse_uint(prog, 'p', optarg, 0, 65535, &o.dport);
			if (err)
				return 2;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return sample_getopt_error(prog, opt, argv);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s' (see -h)\n", prog, argv[optind]);
		return 2;
	}
	if (!o.ifname) {
		fprintf(stderr, "%s: -i IFACE is required (see -h)\n", prog);
		return 2;
	}
	if (sample_check_privileges(prog))
		return 1;
	o.ifindex = sample_ifindex(prog, o.ifname);
	if (o.ifindex < 0)
		return 1;
	return send_all(&o);
}
