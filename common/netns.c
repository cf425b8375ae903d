// SPDX-License-Identifier: GPL-2.0
/*
 * common/netns.c - anonymous network namespaces and the few rtnetlink requests
 * the demo topology needs (veth, link up, address, neighbour). Plain netlink,
 * so the samples do not depend on the `ip` binary at run time.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include "demo.h"

int sample_netns_current(void)
{
	int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int sample_netns_enter(int ns_fd)
{
	return setns(ns_fd, CLONE_NEWNET) ? -errno : 0;
}

/* Run the rest of a function inside ns_fd: save, enter, and restore on exit. */
static int ns_push(int ns_fd)
{
	int saved = sample_netns_current();

	if (saved < 0)
		return saved;
	if (sample_netns_enter(ns_fd)) {
		int err = -errno;

		close(saved);
		return err;
	}
	return saved;
}

static void ns_pop(int saved)
{
	/* Returning to a namespace we were just in cannot fail in practice; if it
	 * did, continuing in the wrong namespace would be worse than stopping. */
	if (sample_netns_enter(saved)) {
		perror("setns back to the original network namespace");
		_exit(1);
	}
	close(saved);
}

int sample_netns_socket(int ns_fd, int domain, int type, int protocol)
{
	int saved = ns_push(ns_fd), fd, err = 0;

	if (saved < 0)
		return saved;
	fd = socket(domain, type | SOCK_CLOEXEC, protocol);
	if (fd < 0)
		err = -errno;
	ns_pop(saved);
	return fd < 0 ? err : fd;
}

int sample_netns_sysctl(int ns_fd, const char *path, const char *value)
{
	char full[256];
	int saved, fd, err = 0;

	snprintf(full, sizeof(full), "/proc/sys/%s", path);
	saved = ns_push(ns_fd);
	if (saved < 0)
		return saved;
	fd = open(full, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, value, strlen(value)) < 0)
		err = -errno;
	if (fd >= 0)
		close(fd);
	ns_pop(saved);
	return err;
}

int sample_netns_ifindex(int ns_fd, const char *ifname)
{
	int saved = ns_push(ns_fd), idx;

	if (saved < 0)
		return saved;
	idx = if_nametoindex(ifname);
	ns_pop(saved);
	return idx ? idx : -ENODEV;
}

/* ---- rtnetlink ---------------------------------------------------------- */

struct nlreq {
	struct nlmsghdr nh;
	char buf[1024];
};

static struct rtattr *nla_put(struct nlreq *r, int type, const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)&r->nh + NLMSG_ALIGN(r->nh.nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
	return rta;
}

static struct rtattr *nla_nest(struct nlreq *r, int type)
{
	return nla_put(r, type, NULL, 0);
}

static void nla_nest_end(struct nlreq *r, struct rtattr *nest)
{
	nest->rta_len = (char *)&r->nh + r->nh.nlmsg_len - (char *)nest;
}

static void *nl_append(struct nlreq *r, size_t len)
{
	void *p = (char *)&r->nh + NLMSG_ALIGN(r->nh.nlmsg_len);

	memset(p, 0, len);
	r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + NLMSG_ALIGN(len);
	return p;
}

static void nl_init(struct nlreq *r, int type, int flags)
{
	memset(r, 0, sizeof(*r));
	r->nh.nlmsg_len = NLMSG_HDRLEN;
	r->nh.nlmsg_type = type;
	r->nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	r->nh.nlmsg_seq = 1;
}

/* Send one request on a rtnetlink socket inside ns_fd and wait for its ACK. */
static int nl_talk(int ns_fd, struct nlreq *r)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char buf[4096];
	int fd, err;
	ssize_t n;

	fd = sample_netns_socket(ns_fd, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	if (fd < 0)
		return fd;
	if (sendto(fd, &r->nh, r->nh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		goto out;
	}
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0) {
		err = -errno;
		goto out;
	}
	err = -EPROTO;
	for (struct nlmsghdr *nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)n);
	     nh = NLMSG_NEXT(nh, n)) {
		if (nh->nlmsg_type == NLMSG_ERROR) {
			err = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
			break;
		}
	}
out:
	close(fd);
	return err;
}

int sample_veth_create(int ns_a, const char *name_a, const unsigned char *mac_a, int ns_b,
		       const char *name_b, const unsigned char *mac_b)
{
	struct rtattr *linkinfo, *data, *peer;
	struct ifinfomsg *ifi;
	struct nlreq r;

	nl_init(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	ifi = nl_append(&r, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	nla_put(&r, IFLA_IFNAME, name_a, strlen(name_a) + 1);
	if (mac_a)
		nla_put(&r, IFLA_ADDRESS, mac_a, 6);
	linkinfo = nla_nest(&r, IFLA_LINKINFO);
	nla_put(&r, IFLA_INFO_KIND, "veth", 4);
	data = nla_nest(&r, IFLA_INFO_DATA);
	peer = nla_nest(&r, VETH_INFO_PEER);
	nl_append(&r, sizeof(struct ifinfomsg)); /* the peer's own ifinfomsg */
	nla_put(&r, IFLA_IFNAME, name_b, strlen(name_b) + 1);
	if (mac_b)
		nla_put(&r, IFLA_ADDRESS, mac_b, 6);
	nla_put(&r, IFLA_NET_NS_FD, &ns_b, sizeof(ns_b));
	nla_nest_end(&r, peer);
	nla_nest_end(&r, data);
	nla_nest_end(&r, linkinfo);
	return nl_talk(ns_a, &r);
}

int sample_link_up(int ns_fd, int ifindex)
{
	struct ifinfomsg *ifi;
	struct nlreq r;

	nl_init(&r, RTM_NEWLINK, 0);
	ifi = nl_append(&r, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return nl_talk(ns_fd, &r);
}

int sample_addr_add(int ns_fd, int ifindex, int family, const void *addr, int prefixlen)
{
	size_t alen = family == AF_INET ? 4 : 16;
	struct ifaddrmsg *ifa;
	struct nlreq r;
	__u32 flags = IFA_F_NODAD;

	nl_init(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	ifa = nl_append(&r, sizeof(*ifa));
	ifa->ifa_family = family;
	ifa->ifa_prefixlen = prefixlen;
	ifa->ifa_index = ifindex;
	nla_put(&r, IFA_LOCAL, addr, alen);
	nla_put(&r, IFA_ADDRESS, addr, alen);
	if (family == AF_INET6)
		nla_put(&r, IFA_FLAGS, &flags, sizeof(flags));
	return nl_talk(ns_fd, &r);
}

int sample_neigh_add(int ns_fd, int ifindex, int family, const void *addr, const unsigned char *mac)
{
	struct ndmsg *nd;
	struct nlreq r;

	nl_init(&r, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE);
	nd = nl_append(&r, sizeof(*nd));
	nd->ndm_family = family;
	nd->ndm_ifindex = ifindex;
	nd->ndm_state = NUD_PERMANENT;
	nla_put(&r, NDA_DST, addr, family == AF_INET ? 4 : 16);
	nla_put(&r, NDA_LLADDR, mac, 6);
	return nl_talk(ns_fd, &r);
}

int sample_netns_new(void)
{
	int saved = sample_netns_current(), fd, err;

	if (saved < 0)
		return saved;
	if (unshare(CLONE_NEWNET)) {
		err = -errno;
		close(saved);
		return err;
	}
	fd = sample_netns_current();
	ns_pop(saved);
	if (fd < 0)
		return fd;
	err = sample_link_up(fd, 1); /* lo is always ifindex 1 in a new netns */
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

/* ---- routes and neighbours for richer topologies (common/topo.h) -------- */

/* One IPv4/IPv6 route in the main table: dst/prefixlen via gw (may be NULL for
 * a directly connected route) out of oif (0 = let the kernel pick from gw). */
static int route_msg(int ns_fd, int type, int flags, int family, const void *dst, int prefixlen,
		     const void *gw, int oif)
{
	size_t alen = family == AF_INET ? 4 : 16;
	struct rtmsg *rtm;
	struct nlreq r;

	nl_init(&r, type, flags);
	rtm = nl_append(&r, sizeof(*rtm));
	rtm->rtm_family = family;
	rtm->rtm_dst_len = prefixlen;
	rtm->rtm_table = RT_TABLE_MAIN;
	if (type == RTM_NEWROUTE) {
		rtm->rtm_protocol = RTPROT_STATIC;
		rtm->rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
		rtm->rtm_type = RTN_UNICAST;
	} else {
		rtm->rtm_scope = RT_SCOPE_NOWHERE;
	}
	if (prefixlen)
		nla_put(&r, RTA_DST, dst, alen);
	if (gw)
		nla_put(&r, RTA_GATEWAY, gw, alen);
	if (oif)
		nla_put(&r, RTA_OIF, &oif, sizeof(oif));
	return nl_talk(ns_fd, &r);
}

int sample_route_add(int ns_fd, int family, const void *dst, int prefixlen, const void *gw, int oif)
{
	return route_msg(ns_fd, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, family, dst, prefixlen, gw,
			 oif);
}

int sample_route_del(int ns_fd, int family, const void *dst, int prefixlen, const void *gw, int oif)
{
	return route_msg(ns_fd, RTM_DELROUTE, 0, family, dst, prefixlen, gw, oif);
}

int sample_neigh_del(int ns_fd, int ifindex, int family, const void *addr)
{
	struct ndmsg *nd;
	struct nlreq r;

	nl_init(&r, RTM_DELNEIGH, 0);
	nd = nl_append(&r, sizeof(*nd));
	nd->ndm_family = family;
	nd->ndm_ifindex = ifindex;
	nla_put(&r, NDA_DST, addr, family == AF_INET ? 4 : 16);
	return nl_talk(ns_fd, &r);
}
