// SPDX-License-Identifier: GPL-2.0
/*
 * xdpgen - a packet generator and a packet sink for the tests and benchmarks,
 * both in XDP.
 *
 * Generator: builds one Ethernet/IPv4/UDP frame and hands it to
 * BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES, repeat = COUNT and the
 * context's ingress_ifindex = IFACE. The kernel copies the frame into a page
 * pool, runs a program that returns XDP_TX on every copy and, because this is
 * not driver context, turns each XDP_TX into a redirect out of IFACE
 * (ndo_xdp_xmit). The program rewrites the headers in every frame first: the
 * kernel recycles live-frame pages without restoring their content, and a
 * router on the way may have changed them (TTL, MACs). Frames leave in batches (-b, 1..256, default 64) with bottom
 * halves disabled; the batch is flushed to the device at its end.
 *
 *   xdpgen -i veth0 -n 1000000 -s 64         1,000,000 frames of 64 bytes
 *   xdpgen sink -i veth1 --idle 200          count what veth1 receives
 *
 * What it prints as sent is what the kernel accepted, not COUNT: in live-frame
 * mode the difference of IFACE's XDP transmit counters (ethtool -S:
 * xdp_xmit, and xdp_xmit_errors for the refused), in packet mode (-m packet,
 * or where the platform refuses live frames with EPERM) the frames sendto() on
 * an AF_PACKET socket took. In packet mode a frame the device answers with
 * ENOBUFS (a veth whose peer's ring is full, before any program saw it) is sent
 * again after a short pause, for at most 5 s, so that exactly COUNT frames
 * arrive: the tests that need an exact number of real frames on a wire use
 * `xdpgen -m packet`.
 *
 * Sink: attaches a counting XDP program (bpf_link: kill -9 leaves nothing)
 * that returns XDP_DROP (or XDP_PASS with --pass) and reports on SIGINT,
 * SIGTERM, -d expiry, --count reached or --idle MS without a new frame after
 * the first one:  received N frames B bytes in T ns  (T = last - first frame).
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/ethtool.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "xdpgen.h"
#include "xdpgen.skel.h"

static const char *prog = "xdpgen";

#define MIN_FRAME	(ETH_HLEN + sizeof(struct iphdr) + sizeof(struct udphdr))
/* Live frames live in one page after XDP_PACKET_HEADROOM (256) with room for
 * struct skb_shared_info at the end: the kernel refuses bigger input. */
#define MAX_FRAME	3520

/* How frames leave: live frames (BPF_PROG_TEST_RUN), or an AF_PACKET socket;
 * AUTO is live frames, and packet mode where the platform refuses those. */
enum gen_mode { GEN_AUTO, GEN_LIVE, GEN_PACKET };

struct gen_opts {
	int ifindex;
	const char *ifname;
	unsigned long count, size, batch, cpu;
	enum gen_mode mode;
	bool have_cpu, have_src_mac, have_dst_mac, have_src_ip, verbose;
	unsigned char src_mac[ETH_ALEN], dst_mac[ETH_ALEN];
	struct in_addr src_ip, dst_ip;
	unsigned long sport, dport;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s -i IFACE [options]          send COUNT UDP/IPv4 frames out of IFACE\n"
		"       %s sink -i IFACE [options]     count the frames IFACE receives\n"
		"Generator (BPF_PROG_TEST_RUN live frames, XDP_TX out of IFACE):\n"
		"  -i, --interface IFACE  the interface to send from (required)\n"
		"  -n, --count N          frames to send (default 1000; 1 to 4294967295)\n"
		"  -s, --size BYTES       frame size from the Ethernet header on (default 64; %zu to %d)\n"
		"  -b, --batch N          frames per batch, opts.batch_size (default 64; 1 to 256)\n"
		"  -c, --cpu N            run on CPU N (default: wherever the scheduler puts us)\n"
		"  -m, --mode MODE        live (BPF_PROG_TEST_RUN live frames) or packet (AF_PACKET\n"
		"                         sendmmsg); default: live, packet where live gets EPERM\n"
		"      --src-mac MAC      default: IFACE's own address\n"
		"      --dst-mac MAC      default: the neighbour entry of --dst-ip on IFACE if the\n"
		"                         kernel has one (ip neigh), else ff:ff:ff:ff:ff:ff\n"
		"      --src-ip ADDR      default: IFACE's IPv4 address, else 192.0.2.1\n"
		"      --dst-ip ADDR      default: 198.51.100.1\n"
		"      --sport N, --dport N  UDP ports (default 9000 and 9)\n"
		"  Prints: sent N frames of S bytes in T ns (R requested, D refused by IFACE, MODE)\n"
		"  where N and D are what the kernel accepted and refused, not R\n"
		"Sink (XDP program through a bpf_link, per-CPU counters):\n"
		"  -i, --interface IFACE  the interface to count on (required)\n"
		"      --pass             return XDP_PASS instead of XDP_DROP\n"
		"      --idle MS          stop MS ms after the last frame (once one has come)\n"
		"      --count N          stop as soon as N frames were counted\n"
		"  -d, --duration SECS    stop after SECS seconds (default: SIGINT/SIGTERM)\n"
		"  -S, --generic          attach in generic (skb) mode\n"
		"  Prints: sink on IFACE ... (once attached), then received N frames B bytes in T ns\n"
		"Both: -v, --verbose (libbpf debug log), -h, --help\n"
		"Example: %s -i veth0 -n 1000000 -s 64 --dst-mac 02:00:00:00:00:02\n",
		prog, prog, MIN_FRAME, MAX_FRAME, prog);
}

static int parse_mac(const char *arg, const char *what, unsigned char *mac)
{
	unsigned int b[ETH_ALEN];
	char end;

	if (sscanf(arg, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &end) != 6)
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

/* IFACE's MAC and first IPv4 address (ioctl on a throwaway socket). */
static void iface_addrs(struct gen_opts *o)
{
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", o->ifname);
	if (!o->have_src_mac && !ioctl(fd, SIOCGIFHWADDR, &ifr)) {
		memcpy(o->src_mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
		o->have_src_mac = true;
	}
	if (!o->have_src_ip && !ioctl(fd, SIOCGIFADDR, &ifr)) {
		o->src_ip = ((struct sockaddr_in *)&ifr.ifr_addr)->sin_addr;
		o->have_src_ip = true;
	}
	close(fd);
}

/* The kernel's neighbour entry for dst on IFACE (/proc/net/arp), if complete. */
static bool neigh_mac(const struct gen_opts *o, unsigned char *mac)
{
	char line[256], ip[64], hw[64], dev[IF_NAMESIZE + 1], want[INET_ADDRSTRLEN];
	unsigned int type, flags;
	bool found = false;
	FILE *f = fopen("/proc/net/arp", "re");

	if (!f)
		return false;
	inet_ntop(AF_INET, &o->dst_ip, want, sizeof(want));
	while (!found && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s 0x%x 0x%x %63s %*s %16s", ip, &type, &flags, hw, dev) != 5)
			continue;
		/* flags 0x2 = ATF_COM: the address is resolved */
		if (strcmp(ip, want) || strcmp(dev, o->ifname) || !(flags & 0x2))
			continue;
		found = !parse_mac(hw, "dst-mac", mac);
	}
	fclose(f);
	return found;
}

static __u16 csum16(const void *p, size_t len)
{
	const __u8 *b = p;
	__u32 sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (b[i] << 8) | b[i + 1];
	if (len & 1)
		sum += b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

/* Ethernet + IPv4 + UDP (checksum 0: none, legal for IPv4), payload zeros. */
static void build_frame(const struct gen_opts *o, unsigned char *buf)
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
	ip->check = csum16(ip, sizeof(*ip));
	udp->source = htons(o->sport);
	udp->dest = htons(o->dport);
	udp->len = htons(o->size - ETH_HLEN - sizeof(*ip));
}

/* IFACE's count of frames its XDP transmit (ndo_xdp_xmit) took: the sum of
 * its ethtool statistics named "*xdp_xmit" (veth: tx_queue_<n>_xdp_xmit).
 * -ENOENT when the driver has none. */
static int xdp_xmit_count(const char *ifname, __u64 *count)
{
	struct ethtool_sset_info *sset = NULL;
	struct ethtool_gstrings *names = NULL;
	struct ethtool_stats *stats = NULL;
	struct ifreq ifr = {};
	bool found = false;
	__u32 n = 0;
	int fd, err;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	sset = calloc(1, sizeof(*sset) + sizeof(__u32));
	if (!sset) {
		err = -ENOMEM;
		goto out;
	}
	sset->cmd = ETHTOOL_GSSET_INFO;
	sset->sset_mask = 1ULL << ETH_SS_STATS;
	ifr.ifr_data = (void *)sset;
	if (ioctl(fd, SIOCETHTOOL, &ifr)) {
		err = -errno;
		goto out;
	}
	if (sset->sset_mask)
		n = sset->data[0];
	names = calloc(1, sizeof(*names) + (size_t)n * ETH_GSTRING_LEN);
	stats = calloc(1, sizeof(*stats) + (size_t)n * sizeof(__u64));
	if (!names || !stats) {
		err = -ENOMEM;
		goto out;
	}
	names->cmd = ETHTOOL_GSTRINGS;
	names->string_set = ETH_SS_STATS;
	names->len = n;
	ifr.ifr_data = (void *)names;
	if (ioctl(fd, SIOCETHTOOL, &ifr)) {
		err = -errno;
		goto out;
	}
	stats->cmd = ETHTOOL_GSTATS;
	stats->n_stats = n;
	ifr.ifr_data = (void *)stats;
	if (ioctl(fd, SIOCETHTOOL, &ifr)) {
		err = -errno;
		goto out;
	}
	*count = 0;
	for (__u32 i = 0; i < n; i++) {
		const char *name = (const char *)names->data + (size_t)i * ETH_GSTRING_LEN;
		size_t len = strnlen(name, ETH_GSTRING_LEN);

		if (len < 8 || strncmp(name + len - 8, "xdp_xmit", 8))
			continue;
		*count += stats->data[i];
		found = true;
	}
	err = found ? 0 : -ENOENT;
out:
	free(stats);
	free(names);
	free(sset);
	close(fd);
	return err;
}

/* Live frames: COUNT runs of the generator program, each XDP_TX out of IFACE.
 * *sent is what IFACE's XDP transmit took (its counter before and after).
 * 0, or -errno after one line on stderr; -EPERM without a line (the caller
 * says it: the platform's refusal of live frames). */
static int send_live(const struct gen_opts *o, unsigned char *frame, __u64 *sent, __u64 *ns)
{
	struct xdp_md ctx = {};
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	struct xdpgen *skel = NULL;
	__u64 before, after, t0, t1;
	int err;

	err = xdp_xmit_count(o->ifname, &before);
	if (err) {
		fprintf(stderr, "%s: cannot count what %s transmits (%s: no xdp_xmit in its ethtool "
			"statistics); use -m packet\n", prog, o->ifname, sample_strerror(err));
		return err;
	}
	skel = xdpgen__open();
	if (!skel) {
		err = -errno;
		fprintf(stderr, "%s: opening the BPF object failed: %s\n", prog, sample_strerror(err));
		return err;
	}
	/* The headers again, for the program to restore in every frame. */
	_Static_assert(sizeof(skel->rodata->hdr) == MIN_FRAME, "hdr holds eth+ip+udp");
	memcpy((void *)skel->rodata->hdr, frame, MIN_FRAME);
	/* Only the generator program is needed here. */
	bpf_program__set_autoload(skel->progs.xdpgen_sink, false);
	err = xdpgen__load(skel);
	if (err) {
		fprintf(stderr, "%s: loading the BPF object failed: %s\n", prog, sample_strerror(err));
		goto out;
	}

	/* The context: the frame "arrived" on IFACE, so XDP_TX leaves through it.
	 * data_end must equal the frame length; data and data_meta stay 0. */
	ctx.data_end = o->size;
	ctx.ingress_ifindex = o->ifindex;
	topts.data_in = frame;
	topts.data_size_in = o->size;
	topts.ctx_in = &ctx;
	topts.ctx_size_in = sizeof(ctx);
	topts.repeat = o->count;
	topts.batch_size = o->batch;
	topts.flags = BPF_F_TEST_XDP_LIVE_FRAMES;

	t0 = sample_now_ns();
	err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.xdpgen_tx), &topts);
	t1 = sample_now_ns();
	if (err) {
		err = -errno;
		if (err == -EPERM)
			goto out;
		fprintf(stderr, "%s: live-frame test run on %s failed: %s%s\n", prog, o->ifname,
			sample_strerror(err),
			err == -EINVAL ? " (needs kernel 5.18+ for live frames; check -s and -b)" :
			err == -EINTR ? " (interrupted by a signal: an unknown part was sent)" : "");
		goto out;
	}
	err = xdp_xmit_count(o->ifname, &after);
	if (err) {
		fprintf(stderr, "%s: reading %s's xdp_xmit counters again failed: %s\n", prog,
			o->ifname, sample_strerror(err));
		goto out;
	}
	*sent = after - before;
	*ns = t1 - t0;
out:
	xdpgen__destroy(skel);
	return err;
}

/* Packet mode: COUNT frames through sendto() on an AF_PACKET socket bound to
 * nothing (protocol 0: it receives nothing), one at a time, so that every
 * answer is seen. *sent counts the frames the kernel took. A frame answered
 * with ENOBUFS (the device dropped it: NET_XMIT_DROP) is sent again after
 * 100 us, for at most PACKET_RETRY_NS; *resent counts those repeats, *refused
 * the frames still refused after that. 0, or -errno after one line on stderr. */
#define PACKET_RETRY_NS 5000000000ull

static int send_packets(const struct gen_opts *o, const unsigned char *frame, __u64 *sent,
			__u64 *refused, __u64 *resent, __u64 *ns)
{
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_ifindex = o->ifindex,
				  .sll_halen = ETH_ALEN };
	__u64 t0, retry_until = 0;
	int fd, err = 0;

	memcpy(to.sll_addr, o->dst_mac, ETH_ALEN);
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		fprintf(stderr, "%s: opening an AF_PACKET socket failed: %s\n", prog,
			sample_strerror(err));
		return err;
	}
	t0 = sample_now_ns();
	for (unsigned long i = 0; i < o->count; i++) {
		ssize_t n = sendto(fd, frame, o->size, 0, (struct sockaddr *)&to, sizeof(to));
		__u64 now;

		if (n == (ssize_t)o->size) {
			(*sent)++;
			retry_until = 0;
			continue;
		}
		if (n >= 0 || errno != ENOBUFS) {
			err = n < 0 ? -errno : -EIO;
			fprintf(stderr, "%s: sending frame %lu on %s failed: %s (%llu sent before it)\n",
				prog, i + 1, o->ifname, sample_strerror(err),
				(unsigned long long)*sent);
			break;
		}
		now = sample_now_ns();
		if (!retry_until)
			retry_until = now + PACKET_RETRY_NS;
		if (now < retry_until) {
			(*resent)++;
			usleep(100);
			i--;		/* the same frame again */
			continue;
		}
		(*refused)++;
		retry_until = 0;
	}
	*ns = sample_now_ns() - t0;
	close(fd);
	return err;
}

static int run_gen(struct gen_opts *o)
{
	enum gen_mode used = o->mode == GEN_PACKET ? GEN_PACKET : GEN_LIVE;
	__u64 sent = 0, refused = 0, resent = 0, ns = 0;
	unsigned char *frame = NULL;
	sigset_t sigs;
	int err;

	/* sample_init() blocked SIGINT/SIGTERM for sample_wait(); the generator
	 * has no run loop, so let them interrupt a long test run again. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigprocmask(SIG_UNBLOCK, &sigs, NULL);

	iface_addrs(o);
	if (!o->have_src_mac) {
		fprintf(stderr, "%s: cannot read the MAC of %s; give --src-mac\n", prog, o->ifname);
		return 1;
	}
	if (!o->have_src_ip)
		inet_pton(AF_INET, "192.0.2.1", &o->src_ip);
	if (!o->have_dst_mac && !neigh_mac(o, o->dst_mac))
		memset(o->dst_mac, 0xff, ETH_ALEN);

	if (o->have_cpu) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(o->cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			fprintf(stderr, "%s: cannot run on CPU %lu: %s\n", prog, o->cpu,
				sample_strerror(errno));
			return 1;
		}
	}

	frame = malloc(o->size);
	if (!frame) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}
	build_frame(o, frame);

	if (used == GEN_LIVE) {
		err = send_live(o, frame, &sent, &ns);
		if (err == -EPERM && o->mode == GEN_AUTO) {
			fprintf(stderr, "%s: the platform refuses live frames (BPF_PROG_TEST_RUN with "
				"BPF_F_TEST_XDP_LIVE_FRAMES: EPERM); sending through an AF_PACKET "
				"socket instead\n", prog);
			used = GEN_PACKET;
		} else if (err == -EPERM) {
			fprintf(stderr, "%s: the platform refuses live frames (BPF_PROG_TEST_RUN with "
				"BPF_F_TEST_XDP_LIVE_FRAMES: EPERM); try -m packet\n", prog);
		}
		if (err && used == GEN_LIVE)
			goto out;
	}
	if (used == GEN_PACKET) {
		err = send_packets(o, frame, &sent, &refused, &resent, &ns);
		if (err)
			goto out;
	} else {
		/* What the device did not take of the COUNT frames the program
		 * turned into transmits. */
		refused = sent < o->count ? o->count - sent : 0;
	}
	printf("sent %llu frames of %lu bytes in %llu ns (%lu requested, %llu refused by %s, %s",
	       (unsigned long long)sent, o->size, (unsigned long long)ns, o->count,
	       (unsigned long long)refused, o->ifname,
	       used == GEN_PACKET ? "AF_PACKET" : "live frames");
	if (resent)
		printf("; %llu sends answered ENOBUFS and repeated", (unsigned long long)resent);
	printf(")\n");
	err = 0;
out:
	free(frame);
	return err ? 1 : 0;
}

/* ---- sink --------------------------------------------------------------- */

struct sink_ctx {
	int map_fd, ncpus;
	void *buf;
	unsigned long count;		/* stop at this many frames (0: never) */
	unsigned long idle_ms;		/* stop after this much silence (0: never) */
	__u64 last_packets, last_change_ns;
	struct sinkrec total;
};

static int sink_read(struct sink_ctx *c)
{
	__u32 key = 0;
	size_t stride = sample_percpu_stride(sizeof(struct sinkrec));

	if (bpf_map_lookup_elem(c->map_fd, &key, c->buf))
		return -errno;
	memset(&c->total, 0, sizeof(c->total));
	for (int cpu = 0; cpu < c->ncpus; cpu++) {
		const struct sinkrec *r = (const void *)((char *)c->buf + cpu * stride);

		if (!r->packets)
			continue;
		c->total.packets += r->packets;
		c->total.bytes += r->bytes;
		if (!c->total.first_ns || r->first_ns < c->total.first_ns)
			c->total.first_ns = r->first_ns;
		if (r->last_ns > c->total.last_ns)
			c->total.last_ns = r->last_ns;
	}
	return 0;
}

static int sink_tick(void *arg)
{
	struct sink_ctx *c = arg;
	__u64 now = sample_now_ns();
	int err;

	if ((err = sink_read(c))) {
		fprintf(stderr, "%s: reading the sink's counters failed: %s\n", prog,
			sample_strerror(err));
		return err;
	}
	if (c->count && c->total.packets >= c->count)
		return 1;
	if (c->total.packets != c->last_packets) {
		c->last_packets = c->total.packets;
		c->last_change_ns = now;
		return 0;
	}
	if (c->idle_ms && c->total.packets && now - c->last_change_ns >= c->idle_ms * 1000000ull)
		return 1;
	return 0;
}

static int run_sink(const char *ifname, int ifindex, bool pass, unsigned long idle_ms,
		    unsigned long count, unsigned int duration, enum sample_xdp_mode mode)
{
	struct sample_opts lo = { .duration_s = duration, .interval_ms = 10 };
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	struct sink_ctx c = { .count = count, .idle_ms = idle_ms };
	struct xdpgen *skel = NULL;
	const char *mode_used = "?";
	int link = -1, err = 1;

	c.ncpus = libbpf_num_possible_cpus();
	if (c.ncpus < 0) {
		fprintf(stderr, "%s: cannot count the possible CPUs: %s\n", prog,
			sample_strerror(c.ncpus));
		return 1;
	}
	c.buf = calloc(c.ncpus, sample_percpu_stride(sizeof(struct sinkrec)));
	if (!c.buf) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}

	skel = xdpgen__open();
	if (!skel) {
		fprintf(stderr, "%s: opening the BPF object failed: %s\n", prog, sample_strerror(errno));
		goto out;
	}
	skel->rodata->sink_action = pass ? XDP_PASS : XDP_DROP;
	bpf_program__set_autoload(skel->progs.xdpgen_tx, false);
	if ((err = xdpgen__load(skel))) {
		fprintf(stderr, "%s: loading the BPF object failed: %s\n", prog, sample_strerror(err));
		err = 1;
		goto out;
	}
	if (bpf_map__value_size(skel->maps.sink_stats) != sizeof(struct sinkrec)) {
		fprintf(stderr, "%s: value size mismatch between xdpgen.h and the object\n", prog);
		err = 1;
		goto out;
	}
	c.map_fd = bpf_map__fd(skel->maps.sink_stats);
	link = sample_xdp_attach(prog, skel->progs.xdpgen_sink, ifindex, mode, &mode_used);
	if (link < 0) {
		err = 1;
		goto out;
	}
	printf("sink on %s (ifindex %d, %s mode): XDP_%s every frame\n", ifname, ifindex,
	       mode_used, pass ? "PASS" : "DROP");
	fflush(stdout);

	/* Tick often enough (10 ms) to see --idle and --count promptly. */
	err = sample_loop_open(&loop, &lo, -1);
	while (!err && (err = sample_wait(&loop)) == SAMPLE_TICK)
		err = sink_tick(&c);	/* 1: --idle or --count reached */
	sample_loop_close(&loop);
	if (err < 0) {
		err = 1;
		goto out;
	}
	if ((err = sink_read(&c))) {
		fprintf(stderr, "%s: reading the sink's counters failed: %s\n", prog,
			sample_strerror(err));
		err = 1;
		goto out;
	}
	printf("received %llu frames %llu bytes in %llu ns\n",
	       (unsigned long long)c.total.packets, (unsigned long long)c.total.bytes,
	       (unsigned long long)(c.total.last_ns - c.total.first_ns));
	fflush(stdout);
	err = 0;
out:
	if (link >= 0)
		close(link);
	xdpgen__destroy(skel);
	free(c.buf);
	return err;
}

enum { OPT_SRC_MAC = 256, OPT_DST_MAC, OPT_SRC_IP, OPT_DST_IP, OPT_SPORT, OPT_DPORT,
       OPT_PASS, OPT_IDLE, OPT_COUNT };

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, OPT_COUNT },
		{ "size", required_argument, NULL, 's' },
		{ "batch", required_argument, NULL, 'b' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "mode", required_argument, NULL, 'm' },
		{ "src-mac", required_argument, NULL, OPT_SRC_MAC },
		{ "dst-mac", required_argument, NULL, OPT_DST_MAC },
		{ "src-ip", required_argument, NULL, OPT_SRC_IP },
		{ "dst-ip", required_argument, NULL, OPT_DST_IP },
		{ "sport", required_argument, NULL, OPT_SPORT },
		{ "dport", required_argument, NULL, OPT_DPORT },
		{ "pass", no_argument, NULL, OPT_PASS },
		{ "idle", required_argument, NULL, OPT_IDLE },
		{ "duration", required_argument, NULL, 'd' },
		{ "generic", no_argument, NULL, 'S' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct gen_opts o = { .count = 1000, .size = 64, .batch = 64, .sport = 9000, .dport = 9 };
	enum sample_xdp_mode mode = SAMPLE_XDP_AUTO;
	unsigned long idle_ms = 0, sink_count = 0, duration = 0;
	bool sink = false, pass = false;
	int opt;

	if (argc > 1 && !strcmp(argv[1], "sink")) {
		sink = true;
		argv[1] = argv[0];	/* getopt starts after the subcommand */
		argv++;
		argc--;
	}
	inet_pton(AF_INET, "198.51.100.1", &o.dst_ip);

	while ((opt = getopt_long(argc, argv, ":i:n:s:b:c:m:d:Svh", longopts, NULL)) != -1) {
		bool gen_only = opt == 'n' || opt == 's' || opt == 'b' || opt == 'c' || opt == 'm' ||
				(opt >= OPT_SRC_MAC && opt <= OPT_DPORT);
		bool sink_only = opt == OPT_PASS || opt == OPT_IDLE || opt == 'd' || opt == 'S';

		if ((sink && gen_only && opt != OPT_COUNT) || (!sink && sink_only)) {
			const struct option *lo = longopts;

			while (lo->name && lo->val != opt)
				lo++;
			fprintf(stderr, "%s: option --%s only applies to %s (see -h)\n", prog,
				lo->name ? lo->name : "?", sink ? "the generator" : "xdpgen sink");
			return 2;
		}
		switch (opt) {
		case 'i':
			o.ifname = optarg;
			break;
		case 'n':
			if (sample_parse_uint(prog, 'n', optarg, 1, 0xffffffffUL, &o.count))
				return 2;
			break;
		case OPT_COUNT:
			if (sample_parse_uint(prog, 'n', optarg, 1, 0xffffffffUL,
					      sink ? &sink_count : &o.count))
				return 2;
			break;
		case 's':
			if (sample_parse_uint(prog, 's', optarg, MIN_FRAME, MAX_FRAME, &o.size))
				return 2;
			break;
		case 'b':
			if (sample_parse_uint(prog, 'b', optarg, 1, 256, &o.batch))
				return 2;
			break;
		case 'c':
			if (sample_parse_uint(prog, 'c', optarg, 0, CPU_SETSIZE - 1, &o.cpu))
				return 2;
			o.have_cpu = true;
			break;
		case 'm':
			if (!strcmp(optarg, "live")) {
				o.mode = GEN_LIVE;
			} else if (!strcmp(optarg, "packet")) {
				o.mode = GEN_PACKET;
			} else {
				fprintf(stderr, "%s: invalid mode '%s' for -m: expected live or packet\n",
					prog, optarg);
				return 2;
			}
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
			if (sample_parse_uint(prog, 'p', optarg, 0, 65535, &o.sport))
				return 2;
			break;
		case OPT_DPORT:
			if (sample_parse_uint(prog, 'p', optarg, 0, 65535, &o.dport))
				return 2;
			break;
		case OPT_PASS:
			pass = true;
			break;
		case OPT_IDLE:
			if (sample_parse_uint(prog, 'I', optarg, 1, 3600000, &idle_ms))
				return 2;
			break;
		case 'd':
			if (sample_parse_uint(prog, 'd', optarg, 1, 86400, &duration))
				return 2;
			break;
		case 'S':
			mode = SAMPLE_XDP_GENERIC;
			break;
		case 'v':
			o.verbose = true;
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
	sample_init(o.verbose);
	if (sample_check_privileges(prog))
		return 1;
	o.ifindex = sample_ifindex(prog, o.ifname);
	if (o.ifindex < 0)
		return 1;

	if (sink)
		return run_sink(o.ifname, o.ifindex, pass, idle_ms, sink_count, duration, mode);
	return run_gen(&o);
}
