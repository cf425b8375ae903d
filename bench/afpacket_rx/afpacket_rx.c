// SPDX-License-Identifier: GPL-2.0
/*
 * afpacket_rx - the AF_PACKET side of the "packet capture to user space" row
 * of make bench: count every frame IFACE receives in user space, through a
 * TPACKET_V3 memory-mapped ring (the fast AF_PACKET receive path; what
 * libpcap uses), so no system call per frame.
 *
 *   afpacket_rx -i r1 --idle 200        count until 200 ms of silence
 *
 * Prints "afpacket_rx on IFACE ..." once bound, then on SIGINT/SIGTERM, -d,
 * --count or --idle:  received N frames B bytes in T ns (user-space time from
 * the first to the last frame seen) and the socket's own drop count.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "sample.h"

static const char *prog = "afpacket_rx";

#define BLOCK_SIZE	(1u << 16)	/* 64 KiB per block */

struct rx {
	int fd;
	unsigned char *ring;
	unsigned int nblocks, cur;
	unsigned long count, idle_ms;
	__u64 packets, bytes, first_ns, last_ns, last_change_ns, last_packets;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s -i IFACE [options]\n"
		"Count the frames IFACE receives through an AF_PACKET TPACKET_V3 ring.\n"
		"  -i, --interface IFACE  the interface (required)\n"
		"  -B, --buffer KIB       ring size in KiB, 64..262144 (default 2048, as tcpdump)\n"
		"      --idle MS          stop MS ms after the last frame (once one has come)\n"
		"      --count N          stop once N frames were received\n"
		"  -d, --duration SECS    stop after SECS seconds (default: SIGINT/SIGTERM)\n"
		"  -h, --help             this text\n"
		"Example: %s -i eth0 --idle 200\n", prog, prog);
}

/* Hand every block the kernel has retired to us back after counting it. */
static int drain(void *arg)
{
	struct rx *r = arg;

	for (;;) {
		struct tpacket_block_desc *bd =
			(void *)(r->ring + (size_t)r->cur * BLOCK_SIZE);
		struct tpacket3_hdr *h;

		if (!(__atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER))
			break;
		h = (void *)((unsigned char *)bd + bd->hdr.bh1.offset_to_first_pkt);
		for (unsigned int i = 0; i < bd->hdr.bh1.num_pkts; i++) {
			r->packets++;
			r->bytes += h->tp_len;
			h = (void *)((unsigned char *)h + h->tp_next_offset);
		}
		if (bd->hdr.bh1.num_pkts) {
			__u64 now = sample_now_ns();

			if (!r->first_ns)
				r->first_ns = now;
			r->last_ns = now;
		}
		__atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
		r->cur = (r->cur + 1) % r->nblocks;
	}
	return r->count && r->packets >= r->count;
}

static int tick(void *arg)
{
	struct rx *r = arg;
	__u64 now = sample_now_ns();

	if (drain(r))
		return 1;
	if (r->packets != r->last_packets) {
		r->last_packets = r->packets;
		r->last_change_ns = now;
		return 0;
	}
	return r->idle_ms && r->packets &&
	       now - r->last_change_ns >= r->idle_ms * 1000000ull;
}

int main(int argc, char **argv)
{
	enum { OPT_IDLE = 256, OPT_COUNT };
	static const struct option longopts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "buffer", required_argument, NULL, 'B' },
		{ "idle", required_argument, NULL, OPT_IDLE },
		{ "count", required_argument, NULL, OPT_COUNT },
		{ "duration", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct sample_opts lo = { .interval_ms = 10 };
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	struct rx r = { .fd = -1 };
	unsigned long kib = 2048, duration = 0;
	struct tpacket_req3 req = {};
	struct sockaddr_ll sll = {};
	struct tpacket_stats_v3 st = {};
	socklen_t stlen = sizeof(st);
	const char *ifname = NULL;
	int opt, ifindex, ver = TPACKET_V3, err = 1;

	while ((opt = getopt_long(argc, argv, ":i:B:d:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			ifname = optarg;
			break;
		case 'B':
			if (sample_parse_uint(prog, 'B', optarg, 64, 262144, &kib))
				return 2;
			break;
		case OPT_IDLE:
			if (sample_parse_uint(prog, 'I', optarg, 1, 3600000, &r.idle_ms))
				return 2;
			break;
		case OPT_COUNT:
			if (sample_parse_uint(prog, 'n', optarg, 1, ~0UL, &r.count))
				return 2;
			break;
		case 'd':
			if (sample_parse_uint(prog, 'd', optarg, 1, 86400, &duration))
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
	if (!ifname) {
		fprintf(stderr, "%s: -i IFACE is required (see -h)\n", prog);
		return 2;
	}
	sample_init(false);
	if (sample_check_privileges(prog))
		return 1;
	ifindex = sample_ifindex(prog, ifname);
	if (ifindex < 0)
		return 1;

	r.fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (r.fd < 0) {
		fprintf(stderr, "%s: AF_PACKET socket: %s\n", prog, sample_strerror(errno));
		return 1;
	}
	r.nblocks = kib * 1024 / BLOCK_SIZE;
	req.tp_block_size = BLOCK_SIZE;
	req.tp_block_nr = r.nblocks;
	req.tp_frame_size = 2048;	/* only a hint for V3; must divide the block */
	req.tp_frame_nr = r.nblocks * (BLOCK_SIZE / 2048);
	req.tp_retire_blk_tov = 10;	/* ms: hand over a partly filled block */
	if (setsockopt(r.fd, SOL_PACKET, PACKET_VERSION, &ver, sizeof(ver)) ||
	    setsockopt(r.fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req))) {
		fprintf(stderr, "%s: setting up the TPACKET_V3 ring: %s\n", prog,
			sample_strerror(errno));
		goto out;
	}
	r.ring = mmap(NULL, (size_t)r.nblocks * BLOCK_SIZE, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_LOCKED, r.fd, 0);
	if (r.ring == MAP_FAILED)
		r.ring = mmap(NULL, (size_t)r.nblocks * BLOCK_SIZE, PROT_READ | PROT_WRITE,
			      MAP_SHARED, r.fd, 0);
	if (r.ring == MAP_FAILED) {
		r.ring = NULL;
		fprintf(stderr, "%s: mmap of the ring: %s\n", prog, sample_strerror(errno));
		goto out;
	}
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = ifindex;
	if (bind(r.fd, (struct sockaddr *)&sll, sizeof(sll))) {
		fprintf(stderr, "%s: bind to %s: %s\n", prog, ifname, sample_strerror(errno));
		goto out;
	}
	/* Counters start now: what arrived before the bind is not ours. */
	getsockopt(r.fd, SOL_PACKET, PACKET_STATISTICS, &st, &stlen);
	printf("afpacket_rx on %s (ifindex %d): TPACKET_V3, %u blocks of %u KiB\n", ifname,
	       ifindex, r.nblocks, BLOCK_SIZE / 1024);
	fflush(stdout);

	/* Drain whenever the ring has frames; every 10 ms check --idle/--count. */
	lo.duration_s = duration;
	err = sample_loop_open(&loop, &lo, r.fd);
	while (!err && (err = sample_wait(&loop)) > 0)
		err = err == SAMPLE_READY ? drain(&r) : tick(&r);
	sample_loop_close(&loop);
	if (err < 0) {
		err = 1;
		goto out;
	}
	err = 1;	/* until the summary is out */
	drain(&r);
	stlen = sizeof(st);
	memset(&st, 0, sizeof(st));
	getsockopt(r.fd, SOL_PACKET, PACKET_STATISTICS, &st, &stlen);
	printf("received %llu frames %llu bytes in %llu ns; socket drops %u\n",
	       (unsigned long long)r.packets, (unsigned long long)r.bytes,
	       (unsigned long long)(r.last_ns - r.first_ns), st.tp_drops);
	fflush(stdout);
	err = 0;
out:
	if (r.ring)
		munmap(r.ring, (size_t)r.nblocks * BLOCK_SIZE);
	close(r.fd);
	return err;
}
