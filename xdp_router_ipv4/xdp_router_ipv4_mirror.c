// SPDX-License-Identifier: GPL-2.0
/* xdp_router_ipv4_mirror.c - rtnetlink -> BPF maps for xdp_router_ipv4. See the .h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <bpf/bpf.h>

#include "xdp_router_ipv4_mirror.h"
#include "xdp_router_ipv4.h"

static void note(struct xdp_router_ipv4_mirror *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#include <stdarg.h>
static void note(struct xdp_router_ipv4_mirror *m, const char *fmt, ...)
{
	char buf[160];
	va_list ap;

	if (!m->on_change)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	m->on_change(m->ctx, buf);
}

static void attrs(struct rtattr *rta, int len, struct rtattr **tb, int max)
{
	memset(tb, 0, sizeof(*tb) * (max + 1));
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type <= max)
			tb[rta->rta_type] = rta;
}

static int route_msg(struct xdp_router_ipv4_mirror *m, struct nlmsghdr *nh)
{
	struct rtmsg *rtm = NLMSG_DATA(nh);
	struct rtattr *tb[RTA_MAX + 1];
	struct xr_route_key key = {};
	struct xr_route r = {};
	char dst[INET_ADDRSTRLEN], gw[INET_ADDRSTRLEN], dev[IF_NAMESIZE] = "?";
	__u32 table;
	int len = nh->nlmsg_len - NLMSG_LENGTH(sizeof(*rtm));

	if (len < 0 || rtm->rtm_family != AF_INET)
		return 0;
	attrs(RTM_RTA(rtm), len, tb, RTA_MAX);
	table = tb[RTA_TABLE] ? *(__u32 *)RTA_DATA(tb[RTA_TABLE]) : rtm->rtm_table;
	if (tb[RTA_DST])
		memcpy(&key.addr, RTA_DATA(tb[RTA_DST]), 4);

	/* The local table's RTN_LOCAL routes are the router's own addresses. */
	if (table == RT_TABLE_LOCAL && rtm->rtm_type == RTN_LOCAL && rtm->rtm_dst_len == 32) {
		__u32 ifindex = tb[RTA_OIF] ? *(__u32 *)RTA_DATA(tb[RTA_OIF]) : 0;

		if (nh->nlmsg_type == RTM_NEWROUTE)
			return bpf_map_update_elem(m->local_fd, &key.addr, &ifindex, 0) ? -errno :
											  0;
		bpf_map_delete_elem(m->local_fd, &key.addr);
		return 0;
	}
	/* Only unicast routes of the main table are forwarded in XDP; policy
	 * routing, multipath and other tables are left to the stack. */
	if (table != RT_TABLE_MAIN || rtm->rtm_type != RTN_UNICAST || tb[RTA_MULTIPATH])
		return 0;
	key.prefixlen = rtm->rtm_dst_len;
	inet_ntop(AF_INET, &key.addr, dst, sizeof(dst));

	if (nh->nlmsg_type == RTM_DELROUTE) {
		if (bpf_map_delete_elem(m->routes_fd, &key))
			return errno == ENOENT ? 0 : -errno;
		m->routes_deleted++;
		note(m, "route - %s/%u", dst, key.prefixlen);
		return 0;
	}
	if (!tb[RTA_OIF])
		return 0;
	r.ifindex = *(__u32 *)RTA_DATA(tb[RTA_OIF]);
	if (tb[RTA_GATEWAY])
		memcpy(&r.gw, RTA_DATA(tb[RTA_GATEWAY]), 4);
	r.prefixlen = key.prefixlen;
	r.dst = key.addr;
	if (bpf_map_update_elem(m->routes_fd, &key, &r, 0))
		return -errno;
	m->routes_added++;
	if_indextoname(r.ifindex, dev);
	if (r.gw)
		note(m, "route + %s/%u via %s dev %s", dst, key.prefixlen,
		     inet_ntop(AF_INET, &r.gw, gw, sizeof(gw)), dev);
	else
		note(m, "route + %s/%u dev %s", dst, key.prefixlen, dev);
	return 0;
}

static int neigh_msg(struct xdp_router_ipv4_mirror *m, struct nlmsghdr *nh)
{
	struct ndmsg *nd = NLMSG_DATA(nh);
	struct rtattr *tb[NDA_MAX + 1];
	struct xr_neigh n = {};
	char a[INET_ADDRSTRLEN];
	__u32 addr;
	int len = nh->nlmsg_len - NLMSG_LENGTH(sizeof(*nd));
	bool usable;

	if (len < 0 || nd->ndm_family != AF_INET)
		return 0;
	attrs((struct rtattr *)((char *)nd + NLMSG_ALIGN(sizeof(*nd))), len, tb, NDA_MAX);
	if (!tb[NDA_DST])
		return 0;
	memcpy(&addr, RTA_DATA(tb[NDA_DST]), 4);
	inet_ntop(AF_INET, &addr, a, sizeof(a));
	/* A neighbour is usable while the kernel would send to it: reachable,
	 * permanent, or stale/delay/probe (valid, being re-checked). INCOMPLETE
	 * and FAILED entries have no usable MAC. */
	usable = nh->nlmsg_type == RTM_NEWNEIGH && tb[NDA_LLADDR] &&
		 RTA_PAYLOAD(tb[NDA_LLADDR]) == 6 &&
		 (nd->ndm_state &
		  (NUD_REACHABLE | NUD_PERMANENT | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_NOARP));
	if (!usable) {
		if (bpf_map_delete_elem(m->neigh_fd, &addr))
			return errno == ENOENT ? 0 : -errno;
		m->neighs_deleted++;
		note(m, "neigh - %s", a);
		return 0;
	}
	memcpy(n.mac, RTA_DATA(tb[NDA_LLADDR]), 6);
	n.ifindex = nd->ndm_ifindex;
	{
		struct xr_neigh old;

		/* Refreshes of the same entry are frequent: only report changes. */
		if (!bpf_map_lookup_elem(m->neigh_fd, &addr, &old) && !memcmp(&old, &n, sizeof(n)))
			return 0;
	}
	if (bpf_map_update_elem(m->neigh_fd, &addr, &n, 0))
		return -errno;
	m->neighs_added++;
	note(m, "neigh + %s lladdr %02x:%02x:%02x:%02x:%02x:%02x", a, n.mac[0], n.mac[1], n.mac[2],
	     n.mac[3], n.mac[4], n.mac[5]);
	return 0;
}

/* Apply every message in buf; stop at NLMSG_DONE (returns 1) or an error. */
static int apply(struct xdp_router_ipv4_mirror *m, char *buf, ssize_t n)
{
	for (struct nlmsghdr *nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)n);
	     nh = NLMSG_NEXT(nh, n)) {
		int err = 0;

		switch (nh->nlmsg_type) {
		case NLMSG_DONE:
			return 1;
		case NLMSG_ERROR:
			err = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
			if (err)
				return err;
			break;
		case RTM_NEWROUTE:
		case RTM_DELROUTE:
			err = route_msg(m, nh);
			break;
		case RTM_NEWNEIGH:
		case RTM_DELNEIGH:
			err = neigh_msg(m, nh);
			break;
		}
		if (err)
			return err;
	}
	return 0;
}

/* One dump request (RTM_GETROUTE or RTM_GETNEIGH) on its own socket. */
static int dump(struct xdp_router_ipv4_mirror *m, int type)
{
	struct {
		struct nlmsghdr nh;
		struct rtmsg rtm; /* ndmsg is smaller; only the family is read */
	} req = {
		.nh = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg)),
			.nlmsg_type = type,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = 1 },
		.rtm = { .rtm_family = AF_INET },
	};
	static char buf[32768];
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE), err = 0;

	if (fd < 0)
		return -errno;
	if (type == RTM_GETNEIGH)
		req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg));
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0)
		err = -errno;
	while (!err) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < 0) {
			err = -errno;
			break;
		}
		err = apply(m, buf, n);
		if (err == 1) {
			err = 0;
			break;
		}
	}
	close(fd);
	return err;
}

static int resync(struct xdp_router_ipv4_mirror *m)
{
	int err = dump(m, RTM_GETROUTE);

	return err ? err : dump(m, RTM_GETNEIGH);
}

int xdp_router_ipv4_mirror_open(struct xdp_router_ipv4_mirror *m)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
				  .nl_groups = RTMGRP_IPV4_ROUTE | RTMGRP_NEIGH };
	int err;

	m->sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
	if (m->sock < 0)
		return -errno;
	if (bind(m->sock, (struct sockaddr *)&sa, sizeof(sa))) {
		err = -errno;
		xdp_router_ipv4_mirror_close(m);
		return err;
	}
	err = resync(m);
	if (err)
		xdp_router_ipv4_mirror_close(m);
	return err;
}

int xdp_router_ipv4_mirror_process(struct xdp_router_ipv4_mirror *m)
{
	static char buf[32768];

	for (;;) {
		ssize_t n = recv(m->sock, buf, sizeof(buf), 0);
		int err;

		if (n < 0) {
			if (errno == EAGAIN)
				return 0;
			if (errno == ENOBUFS) {
				/* The socket's queue overflowed and events were
				 * lost: the only safe answer is a fresh dump. */
				m->resyncs++;
				err = resync(m);
				if (err)
					return err;
				continue;
			}
			return -errno;
		}
		err = apply(m, buf, n);
		if (err < 0)
			return err;
	}
}

void xdp_router_ipv4_mirror_close(struct xdp_router_ipv4_mirror *m)
{
	if (m->sock >= 0)
		close(m->sock);
	m->sock = -1;
}
