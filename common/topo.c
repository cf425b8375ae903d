// SPDX-License-Identifier: GPL-2.0
/* common/topo.c - the ns1 <-> router <-> ns2 topology. See topo.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/ip_icmp.h>
#include <sys/ioctl.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "demo.h"
#include "sample.h"
#include "topo.h"

static int disable_ipv6(int ns)
{
	int err = sample_netns_sysctl(ns, "net/ipv6/conf/all/disable_ipv6", "1");

	if (!err)
		err = sample_netns_sysctl(ns, "net/ipv6/conf/default/disable_ipv6", "1");
	/* A kernel without IPv6 has no such file: nothing to disable. */
	return err == -ENOENT ? 0 : err;
}

/*
 * Turn off TX checksum offload on a veth. A veth normally hands its peer an
 * skb whose UDP/TCP checksum is still to be computed (CHECKSUM_PARTIAL: "the
 * hardware will do it", and the peer trusts that). When XDP on the router port
 * turns that skb into a bare frame and redirects it, the "still to be
 * computed" note is lost and the host drops the datagram for its bad checksum.
 * With offload off the sender computes every checksum in software.
 */
static int tx_csum_off(int ns, const char *ifname)
{
	struct ethtool_value ev = { .cmd = ETHTOOL_STXCSUM, .data = 0 };
	struct ifreq ifr = {};
	int fd = sample_netns_socket(ns, AF_INET, SOCK_DGRAM, 0), err = 0;

	if (fd < 0)
		return fd;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&ev;
	if (ioctl(fd, SIOCETHTOOL, &ifr))
		err = -errno;
	close(fd);
	return err;
}

#ifndef IF_OPER_UP
#define IF_OPER_UP 6 /* RFC 2863 "up", from <linux/if.h> (clashes with <net/if.h>) */
#endif

/* IFLA_OPERSTATE of ifindex in ns, or -errno. */
static int operstate(int ns, int ifindex)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req = {
		.nh = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
			.nlmsg_type = RTM_GETLINK,
			.nlmsg_flags = NLM_F_REQUEST,
			.nlmsg_seq = 1 },
		.ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex },
	};
	char buf[8192];
	int fd = sample_netns_socket(ns, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE), state = -ENOENT;
	ssize_t n;

	if (fd < 0)
		return fd;
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0 || (n = recv(fd, buf, sizeof(buf), 0)) < 0) {
		state = -errno;
		close(fd);
		return state;
	}
	for (struct nlmsghdr *nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)n);
	     nh = NLMSG_NEXT(nh, n)) {
		struct ifinfomsg *ifi = NLMSG_DATA(nh);
		int len = nh->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi));

		if (nh->nlmsg_type != RTM_NEWLINK)
			continue;
		for (struct rtattr *rta = IFLA_RTA(ifi); RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
			if (rta->rta_type == IFLA_OPERSTATE)
				state = *(__u8 *)RTA_DATA(rta);
	}
	close(fd);
	return state;
}

/*
 * Wait until a veth is operationally up. Right after "link up" a veth still
 * has the noop qdisc, which drops everything sent through the stack; the real
 * qdisc is installed by the kernel's linkwatch work (which can run up to a
 * second later), together with operstate UP. XDP redirects (ndo_xdp_xmit)
 * bypass the qdisc, so only the stack path loses packets in that window:
 * pings sent right after setup vanish. IFF_RUNNING does not tell: it is also
 * set while the operstate is still UNKNOWN.
 */
static int wait_running(int ns, int ifindex)
{
	for (int i = 0; i < 300; i++) {
		int st = operstate(ns, ifindex);

		if (st < 0)
			return st;
		if (st == IF_OPER_UP)
			return 0;
		usleep(10000);
	}
	return -ETIMEDOUT;
}

static void leaf_init(struct sample_topo_leaf *l, int i)
{
	char a[INET_ADDRSTRLEN];

	memset(l, 0, sizeof(*l));
	l->ns = l->pass_link = -1;
	snprintf(l->ifname, sizeof(l->ifname), "h%d", i + 1);
	snprintf(l->router_ifname, sizeof(l->router_ifname), "r%d", i + 1);
	memcpy(l->mac, (unsigned char[6]){ 0x02, 0, 0, 0x20, i + 1, 0x02 }, 6);
	memcpy(l->router_mac, (unsigned char[6]){ 0x02, 0, 0, 0x20, i + 1, 0x01 }, 6);
	snprintf(a, sizeof(a), "10.20.%d.2", i + 1);
	inet_pton(AF_INET, a, &l->addr);
	snprintf(a, sizeof(a), "10.20.%d.1", i + 1);
	inet_pton(AF_INET, a, &l->router_addr);
}

static int leaf_setup(struct sample_topo *t, struct sample_topo_leaf *l, unsigned int flags,
		      const char **step)
{
	struct in_addr any = {};
	int err;

	*step = "creating a leaf network namespace";
	if ((err = l->ns = sample_netns_new()) < 0)
		return err;
	*step = "disabling IPv6";
	if ((err = disable_ipv6(l->ns)))
		return err;
	/* IPv4 settings of a new netns are copied from the initial one, so a
	 * host with ip_forward=1 would make the leaves routers too. */
	*step = "disabling ip_forward in a leaf namespace";
	if ((err = sample_netns_sysctl(l->ns, "net/ipv4/ip_forward", "0")))
		return err;
	*step = "creating a veth pair";
	if ((err = sample_veth_create(t->router_ns, l->router_ifname, l->router_mac, l->ns,
				      l->ifname, l->mac)))
		return err;
	*step = "looking up a veth pair";
	if ((err = l->ifindex = sample_netns_ifindex(l->ns, l->ifname)) < 0 ||
	    (err = l->router_ifindex = sample_netns_ifindex(t->router_ns, l->router_ifname)) < 0)
		return err;
	*step = "turning off veth TX checksum offload";
	if ((err = tx_csum_off(l->ns, l->ifname)) ||
	    (err = tx_csum_off(t->router_ns, l->router_ifname)))
		return err;
	*step = "adding addresses";
	if ((err = sample_addr_add(l->ns, l->ifindex, AF_INET, &l->addr, 24)) ||
	    (err = sample_addr_add(t->router_ns, l->router_ifindex, AF_INET, &l->router_addr, 24)))
		return err;
	*step = "adding neighbours";
	if ((err = sample_neigh_add(l->ns, l->ifindex, AF_INET, &l->router_addr, l->router_mac)))
		return err;
	if ((flags & SAMPLE_TOPO_ROUTER_NEIGH) &&
	    (err = sample_neigh_add(t->router_ns, l->router_ifindex, AF_INET, &l->addr, l->mac)))
		return err;
	*step = "bringing a veth pair up";
	if ((err = sample_link_up(l->ns, l->ifindex)) ||
	    (err = sample_link_up(t->router_ns, l->router_ifindex)))
		return err;
	*step = "adding the leaf's default route";
	return sample_route_add(l->ns, AF_INET, &any, 0, &l->router_addr, l->ifindex);
}

int sample_topo_setup(struct sample_topo *t, const char *prog, unsigned int flags)
{
	const char *step;
	int err;

	memset(t, 0, sizeof(*t));
	t->orig_ns = t->router_ns = -1;
	t->nleaves = flags & SAMPLE_TOPO_LEAF3 ? 3 : 2;
	for (int i = 0; i < SAMPLE_TOPO_MAX_LEAVES; i++)
		leaf_init(&t->leaf[i], i);

	step = "opening the current network namespace";
	if ((err = t->orig_ns = sample_netns_current()) < 0)
		goto fail;
	step = "creating the router network namespace";
	if ((err = t->router_ns = sample_netns_new()) < 0)
		goto fail;
	step = "disabling IPv6";
	if ((err = disable_ipv6(t->router_ns)))
		goto fail;
	for (int i = 0; i < t->nleaves; i++)
		if ((err = leaf_setup(t, &t->leaf[i], flags, &step)))
			goto fail;
	step = "waiting for the veths to come up";
	for (int i = 0; i < t->nleaves; i++)
		if ((err = wait_running(t->leaf[i].ns, t->leaf[i].ifindex)) ||
		    (err = wait_running(t->router_ns, t->leaf[i].router_ifindex)))
			goto fail;
	/* Forwarding on in the router only. ip_forward also sets conf/all and
	 * every device's conf/<dev>/forwarding, which is what the FIB checks. */
	step = "enabling ip_forward in the router namespace";
	if ((err = sample_netns_sysctl(t->router_ns, "net/ipv4/ip_forward", "1")))
		goto fail;
	step = "entering the router network namespace";
	if ((err = sample_netns_enter(t->router_ns)))
		goto fail;
	return 0;

fail:
	if (err == -EPERM)
		fprintf(stderr,
			"%s: demo setup failed %s: %s (needs CAP_SYS_ADMIN and "
			"CAP_NET_ADMIN: run it with sudo)\n",
			prog, step, strerror(-err));
	else
		fprintf(stderr, "%s: demo setup failed %s: %s\n", prog, step, strerror(-err));
	sample_topo_teardown(t);
	return err;
}

int sample_topo_attach_pass(struct sample_topo *t, const char *prog, int prog_fd)
{
	int here = sample_netns_current(), err = 0;

	if (here < 0)
		return here;
	for (int i = 0; i < t->nleaves && !err; i++) {
		struct sample_topo_leaf *l = &t->leaf[i];

		if (l->pass_link >= 0)
			continue;
		/* bpf_link_create() resolves the ifindex in the caller's netns. */
		if ((err = sample_netns_enter(l->ns)))
			break;
		l->pass_link = bpf_link_create(prog_fd, l->ifindex, BPF_XDP, NULL);
		if (l->pass_link < 0) {
			err = -errno;
			l->pass_link = -1;
		}
		if (sample_netns_enter(here)) {
			perror("setns back");
			_exit(1);
		}
		if (err)
			fprintf(stderr, "%s: attaching XDP_PASS to the demo's %s failed: %s\n",
				prog, l->ifname, sample_strerror(err));
	}
	close(here);
	return err;
}

void sample_topo_teardown(struct sample_topo *t)
{
	if (t->orig_ns >= 0) {
		sample_netns_enter(t->orig_ns);
		close(t->orig_ns);
	}
	for (int i = 0; i < SAMPLE_TOPO_MAX_LEAVES; i++) {
		if (t->leaf[i].pass_link >= 0)
			close(t->leaf[i].pass_link);
		if (t->leaf[i].ns >= 0)
			close(t->leaf[i].ns);
		t->leaf[i].pass_link = t->leaf[i].ns = -1;
	}
	if (t->router_ns >= 0)
		close(t->router_ns);
	t->orig_ns = t->router_ns = -1;
}

int sample_topo_snmp(const struct sample_topo *t, const char *group, const char *field,
		     __u64 *value)
{
	char line[2][1024], prefix[32];
	int here = sample_netns_current(), err = -ENOENT;
	FILE *f;

	if (here < 0)
		return here;
	if (sample_netns_enter(t->router_ns)) {
		err = -errno;
		close(here);
		return err;
	}
	/* /proc/thread-self/net follows this thread's namespace, not the
	 * process's first one. */
	f = fopen("/proc/thread-self/net/snmp", "re");
	if (!f)
		err = -errno;
	snprintf(prefix, sizeof(prefix), "%s: ", group);
	/* Two lines per group: "Ip: Forwarding DefaultTTL ..." then the values. */
	while (f && fgets(line[0], sizeof(line[0]), f) && fgets(line[1], sizeof(line[1]), f)) {
		char *sn, *sv, *n, *v;

		if (strncmp(line[0], prefix, strlen(prefix)))
			continue;
		n = strtok_r(line[0], " \n", &sn);
		v = strtok_r(line[1], " \n", &sv);
		while (n && v) {
			if (!strcmp(n, field)) {
				*value = strtoull(v, NULL, 10);
				err = 0;
				break;
			}
			n = strtok_r(NULL, " \n", &sn);
			v = strtok_r(NULL, " \n", &sv);
		}
		break;
	}
	if (f)
		fclose(f);
	if (sample_netns_enter(here)) {
		perror("setns back");
		_exit(1);
	}
	close(here);
	return err;
}

int sample_topo_forw_datagrams(const struct sample_topo *t, __u64 *forw)
{
	return sample_topo_snmp(t, "Ip", "ForwDatagrams", forw);
}

/* ---- traffic ------------------------------------------------------------ */

int sample_topo_traffic_open(struct sample_topo_traffic *tr, const struct sample_topo *t, int src,
			     int dst)
{
	struct sockaddr_in sink = { .sin_family = AF_INET,
				    .sin_port = htons(SAMPLE_TOPO_UDP_PORT) };
	int err;

	memset(tr, 0, sizeof(*tr));
	tr->icmp_fd = tr->udp_fd = tr->udp_sink = -1;
	tr->dst = t->leaf[dst].addr;
	tr->echo_id = (__u16)getpid();
	tr->icmp_fd = sample_netns_socket(t->leaf[src].ns, AF_INET, SOCK_RAW, IPPROTO_ICMP);
	if ((err = tr->icmp_fd) < 0 || (err = sample_set_nonblock(tr->icmp_fd)))
		goto fail;
	tr->udp_fd = sample_netns_socket(t->leaf[src].ns, AF_INET, SOCK_DGRAM, 0);
	if ((err = tr->udp_fd) < 0)
		goto fail;
	tr->udp_sink = sample_netns_socket(t->leaf[dst].ns, AF_INET, SOCK_DGRAM, 0);
	if ((err = tr->udp_sink) < 0)
		goto fail;
	if (bind(tr->udp_sink, (struct sockaddr *)&sink, sizeof(sink))) {
		err = -errno;
		goto fail;
	}
	if ((err = sample_set_nonblock(tr->udp_sink)))
		goto fail;
	return 0;
fail:
	sample_topo_traffic_close(tr);
	return err;
}

int sample_topo_ping(struct sample_topo_traffic *tr, size_t payload)
{
	int err;

	tr->echo_seq++;
	err = sample_icmp_echo(tr->icmp_fd, &tr->dst, tr->echo_id, tr->echo_seq, payload);
	if (err)
		return err;
	tr->icmp_sent++;
	return 0;
}

int sample_topo_udp(struct sample_topo_traffic *tr, size_t payload)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr = tr->dst,
				  .sin_port = htons(SAMPLE_TOPO_UDP_PORT) };
	static const char pattern[2048];

	if (payload > sizeof(pattern))
		return -EMSGSIZE;
	if (sendto(tr->udp_fd, pattern, payload, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	tr->udp_sent++;
	return 0;
}

void sample_topo_poll(struct sample_topo_traffic *tr, int timeout_ms)
{
	__u64 deadline = sample_now_ns() + (__u64)timeout_ms * 1000000;
	unsigned char buf[4096];

	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = tr->icmp_fd, .events = POLLIN },
			{ .fd = tr->udp_sink, .events = POLLIN },
		};
		bool waiting = tr->icmp_replies < tr->icmp_sent || tr->udp_received < tr->udp_sent;
		__u64 now = sample_now_ns();
		int wait_ms = waiting && now < deadline ? (int)((deadline - now) / 1000000) : 0;

		if (poll(pfd, 2, wait_ms) <= 0)
			return;
		if (pfd[0].revents & POLLIN)
			tr->icmp_replies += sample_icmp_replies(tr->icmp_fd, tr->echo_id);
		if (pfd[1].revents & POLLIN)
			while (recv(tr->udp_sink, buf, sizeof(buf), 0) >= 0)
				tr->udp_received++;
	}
}

void sample_topo_traffic_close(struct sample_topo_traffic *tr)
{
	int *fds[] = { &tr->icmp_fd, &tr->udp_fd, &tr->udp_sink };

	for (size_t i = 0; i < 3; i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}
