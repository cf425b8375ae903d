// SPDX-License-Identifier: GPL-2.0
/* common/demo.c - the standard demo pair and its traffic. See demo.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>
#include <netinet/tcp.h>

#include "demo.h"
#include "sample.h"

static const unsigned char demo_mac[6] = { 0x02, 0x00, 0x00, 0x11, 0x01, 0x01 };
static const unsigned char peer_mac[6] = { 0x02, 0x00, 0x00, 0x11, 0x01, 0x02 };

static int ipv6_sysctls(int ns, bool enable)
{
	static const char *const confs[] = { "all", "default" };
	char path[96];
	int err;

	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "net/ipv6/conf/%s/disable_ipv6", confs[i]);
		err = sample_netns_sysctl(ns, path, enable ? "0" : "1");
		if (err)
			return err;
		if (!enable)
			continue;
		/* No link-local address, no router solicitations: the only IPv6
		 * packets are the ones the demo sends. */
		snprintf(path, sizeof(path), "net/ipv6/conf/%s/addr_gen_mode", confs[i]);
		sample_netns_sysctl(ns, path, "1");
		snprintf(path, sizeof(path), "net/ipv6/conf/%s/router_solicitations", confs[i]);
		sample_netns_sysctl(ns, path, "0");
	}
	return 0;
}

int sample_demo_setup(struct sample_demo *d, const char *prog, unsigned int flags)
{
	const char *step;
	int err;

	memset(d, 0, sizeof(*d));
	d->orig_ns = d->ns = d->peer_ns = -1;
	snprintf(d->ifname, sizeof(d->ifname), "demo0");
	snprintf(d->peer_ifname, sizeof(d->peer_ifname), "demo1");
	memcpy(d->mac, demo_mac, 6);
	memcpy(d->peer_mac, peer_mac, 6);
	inet_pton(AF_INET, "10.11.1.1", &d->addr4);
	inet_pton(AF_INET, "10.11.1.2", &d->peer_addr4);
	inet_pton(AF_INET6, "fd11::1", &d->addr6);
	inet_pton(AF_INET6, "fd11::2", &d->peer_addr6);
	d->ipv6 = flags & SAMPLE_DEMO_IPV6;

	step = "opening the current network namespace";
	if ((err = d->orig_ns = sample_netns_current()) < 0)
		goto fail;
	step = "creating a network namespace";
	if ((err = d->ns = sample_netns_new()) < 0)
		goto fail;
	if ((err = d->peer_ns = sample_netns_new()) < 0)
		goto fail;
	step = "configuring IPv6 sysctls";
	if ((err = ipv6_sysctls(d->ns, d->ipv6)) || (err = ipv6_sysctls(d->peer_ns, d->ipv6)))
		goto fail;
	step = "creating the veth pair";
	if ((err = sample_veth_create(d->ns, d->ifname, d->mac, d->peer_ns, d->peer_ifname,
				      d->peer_mac)))
		goto fail;
	step = "looking up the veth pair";
	if ((err = d->ifindex = sample_netns_ifindex(d->ns, d->ifname)) < 0 ||
	    (err = d->peer_ifindex = sample_netns_ifindex(d->peer_ns, d->peer_ifname)) < 0)
		goto fail;
	step = "adding addresses";
	if ((err = sample_addr_add(d->ns, d->ifindex, AF_INET, &d->addr4, 24)) ||
	    (err = sample_addr_add(d->peer_ns, d->peer_ifindex, AF_INET, &d->peer_addr4, 24)))
		goto fail;
	step = "adding neighbours";
	if ((err = sample_neigh_add(d->ns, d->ifindex, AF_INET, &d->peer_addr4, d->peer_mac)) ||
	    (err = sample_neigh_add(d->peer_ns, d->peer_ifindex, AF_INET, &d->addr4, d->mac)))
		goto fail;
	if (d->ipv6) {
		step = "adding IPv6 addresses";
		if ((err = sample_addr_add(d->ns, d->ifindex, AF_INET6, &d->addr6, 64)) ||
		    (err = sample_addr_add(d->peer_ns, d->peer_ifindex, AF_INET6, &d->peer_addr6,
					   64)))
			goto fail;
		step = "adding IPv6 neighbours";
		if ((err = sample_neigh_add(d->ns, d->ifindex, AF_INET6, &d->peer_addr6,
					    d->peer_mac)) ||
		    (err = sample_neigh_add(d->peer_ns, d->peer_ifindex, AF_INET6, &d->addr6,
					    d->mac)))
			goto fail;
	}
	step = "bringing the veth pair up";
	if ((err = sample_link_up(d->ns, d->ifindex)) ||
	    (err = sample_link_up(d->peer_ns, d->peer_ifindex)))
		goto fail;
	step = "entering the demo network namespace";
	if ((err = sample_netns_enter(d->ns)))
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
	sample_demo_teardown(d);
	return err;
}

void sample_demo_teardown(struct sample_demo *d)
{
	if (d->orig_ns >= 0) {
		sample_netns_enter(d->orig_ns);
		close(d->orig_ns);
	}
	if (d->ns >= 0)
		close(d->ns);
	if (d->peer_ns >= 0)
		close(d->peer_ns);
	d->orig_ns = d->ns = d->peer_ns = -1;
}

/* ---- traffic ------------------------------------------------------------ */

int sample_sockaddr(const char *ip, __u16 port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, ip, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		return sizeof(*sin);
	}
	if (inet_pton(AF_INET6, ip, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		return sizeof(*sin6);
	}
	return -EINVAL;
}

int sample_set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) ? -errno : 0;
}

/* A dual-stack IPv6 socket in ns, bound to [::]:port when port != 0. */
static int dual_socket(int ns, int type, __u16 port)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	int off = 0, on = 1, fd, err;

	fd = sample_netns_socket(ns, AF_INET6, type, 0);
	if (fd < 0)
		return fd;
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (port && bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		err = -errno;
		close(fd);
		return err;
	}
	if ((err = sample_set_nonblock(fd))) {
		close(fd);
		return err;
	}
	return fd;
}

int sample_traffic_open(struct sample_traffic *t, struct sample_demo *d, unsigned int kinds)
{
	int err;

	memset(t, 0, sizeof(*t));
	t->d = d;
	t->icmp_fd = t->udp_fd = t->udp_sink = t->tcp_fd = t->tcp_listen = t->tcp_srv = -1;
	t->echo_id = (__u16)getpid();

	if (kinds & SAMPLE_TRAFFIC_ICMP) {
		t->icmp_fd = sample_netns_socket(d->peer_ns, AF_INET, SOCK_RAW, IPPROTO_ICMP);
		if ((err = t->icmp_fd) < 0 || (err = sample_set_nonblock(t->icmp_fd)))
			goto fail;
	}
	if (kinds & SAMPLE_TRAFFIC_UDP) {
		if ((err = t->udp_fd = dual_socket(d->peer_ns, SOCK_DGRAM, 0)) < 0)
			goto fail;
		if ((err = t->udp_sink = dual_socket(d->ns, SOCK_DGRAM, SAMPLE_UDP_PORT)) < 0)
			goto fail;
	}
	if (kinds & SAMPLE_TRAFFIC_TCP) {
		if ((err = t->tcp_listen = dual_socket(d->ns, SOCK_STREAM, SAMPLE_TCP_PORT)) < 0)
			goto fail;
		if (listen(t->tcp_listen, 4)) {
			err = -errno;
			goto fail;
		}
	}
	return 0;
fail:
	sample_traffic_close(t);
	return err;
}

__u16 sample_inet_csum(const void *data, size_t len)
{
	const __u16 *p = data;
	__u32 sum = 0;

	for (; len > 1; len -= 2)
		sum += *p++;
	if (len)
		sum += *(const __u8 *)p;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

int sample_icmp_echo(int icmp_fd, const struct in_addr *dst, __u16 echo_id, __u16 seq,
		     size_t payload)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr = *dst };
	unsigned char buf[2048] = {};
	struct icmphdr *icmp = (struct icmphdr *)buf;
	size_t len = sizeof(*icmp) + payload;

	if (icmp_fd < 0)
		return -EBADF;
	if (len > sizeof(buf))
		return -EMSGSIZE;
	icmp->type = ICMP_ECHO;
	icmp->un.echo.id = htons(echo_id);
	icmp->un.echo.sequence = htons(seq);
	for (size_t i = 0; i < payload; i++)
		buf[sizeof(*icmp) + i] = (unsigned char)i;
	icmp->checksum = sample_inet_csum(buf, len);
	if (sendto(icmp_fd, buf, len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	return 0;
}

int sample_traffic_ping(struct sample_traffic *t, const struct in_addr *dst, size_t payload)
{
	int err;

	t->echo_seq++;
	err = sample_icmp_echo(t->icmp_fd, dst, t->echo_id, t->echo_seq, payload);
	if (err)
		return err;
	t->icmp_sent++;
	return 0;
}

int sample_traffic_udp(struct sample_traffic *t, const struct sockaddr *dst, size_t payload)
{
	struct sockaddr_in6 mapped = { .sin6_family = AF_INET6 };
	const struct sockaddr *to = dst;
	socklen_t tolen = sizeof(struct sockaddr_in6);
	static const char pattern[2048];

	if (t->udp_fd < 0)
		return -EBADF;
	if (payload > sizeof(pattern))
		return -EMSGSIZE;
	if (dst->sa_family == AF_INET) {
		/* The sender is a dual-stack IPv6 socket: use a v4-mapped address. */
		const struct sockaddr_in *sin = (const struct sockaddr_in *)dst;

		mapped.sin6_port = sin->sin_port;
		mapped.sin6_addr.s6_addr[10] = 0xff;
		mapped.sin6_addr.s6_addr[11] = 0xff;
		memcpy(&mapped.sin6_addr.s6_addr[12], &sin->sin_addr, 4);
		to = (struct sockaddr *)&mapped;
	}
	if (sendto(t->udp_fd, pattern, payload, 0, to, tolen) < 0)
		return -errno;
	t->udp_sent++;
	return 0;
}

int sample_traffic_tcp(struct sample_traffic *t, size_t bytes)
{
	static const char pattern[4096];
	size_t done = 0;

	if (t->tcp_listen < 0)
		return -EBADF;
	if (t->tcp_fd < 0) {
		struct sockaddr_in sa = { .sin_family = AF_INET,
					  .sin_addr = t->d->addr4,
					  .sin_port = htons(SAMPLE_TCP_PORT) };
		int fd = sample_netns_socket(t->d->peer_ns, AF_INET, SOCK_STREAM, 0);

		if (fd < 0)
			return fd;
		/* Blocking connect: over a veth it completes at once. */
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) || sample_set_nonblock(fd)) {
			int err = -errno;

			close(fd);
			return err;
		}
		t->tcp_fd = fd;
	}
	while (done < bytes) {
		size_t chunk = bytes - done < sizeof(pattern) ? bytes - done : sizeof(pattern);
		ssize_t n = send(t->tcp_fd, pattern, chunk, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EAGAIN)
				break; /* receiver is behind; the rest is dropped, not queued */
			return -errno;
		}
		done += n;
	}
	t->tcp_sent += done;
	return 0;
}

unsigned int sample_icmp_replies(int icmp_fd, __u16 echo_id)
{
	unsigned char buf[4096];
	unsigned int replies = 0;
	ssize_t n;

	for (;;) {
		n = recv(icmp_fd, buf, sizeof(buf), 0);
		if (n <= 0)
			break;
		/* A raw ICMP socket gets the whole IPv4 packet. */
		size_t ihl = (buf[0] & 0x0f) * 4;
		struct icmphdr *icmp = (struct icmphdr *)(buf + ihl);

		if ((size_t)n < ihl + sizeof(*icmp))
			continue;
		if (icmp->type == ICMP_ECHOREPLY && ntohs(icmp->un.echo.id) == echo_id)
			replies++;
	}
	return replies;
}

void sample_traffic_poll(struct sample_traffic *t, int timeout_ms)
{
	__u64 deadline = sample_now_ns() + (__u64)timeout_ms * 1000000;
	unsigned char buf[4096];

	for (;;) {
		struct pollfd pfd[4] = {
			{ .fd = t->icmp_fd, .events = POLLIN },
			{ .fd = t->udp_sink, .events = POLLIN },
			{ .fd = t->tcp_listen, .events = POLLIN },
			{ .fd = t->tcp_srv, .events = POLLIN },
		};
		/* Only wait while something is still expected back. */
		bool waiting = t->icmp_replies < t->icmp_sent || t->udp_received < t->udp_sent ||
			       t->tcp_received < t->tcp_sent;
		__u64 now = sample_now_ns();
		int wait_ms = waiting && now < deadline ? (int)((deadline - now) / 1000000) : 0;
		ssize_t n;

		if (poll(pfd, 4, wait_ms) <= 0)
			return;
		if (pfd[0].revents & POLLIN)
			t->icmp_replies += sample_icmp_replies(t->icmp_fd, t->echo_id);
		if (pfd[1].revents & POLLIN)
			while (recv(t->udp_sink, buf, sizeof(buf), 0) >= 0)
				t->udp_received++;
		if (pfd[2].revents & POLLIN) {
			int fd = accept4(t->tcp_listen, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

			if (fd >= 0) {
				if (t->tcp_srv >= 0)
					close(t->tcp_srv);
				t->tcp_srv = fd;
			}
		}
		if (pfd[3].revents & POLLIN)
			while ((n = recv(t->tcp_srv, buf, sizeof(buf), 0)) > 0)
				t->tcp_received += n;
	}
}

void sample_traffic_close(struct sample_traffic *t)
{
	int *fds[] = { &t->icmp_fd, &t->udp_fd,	    &t->udp_sink,
		       &t->tcp_fd,  &t->tcp_listen, &t->tcp_srv };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

int sample_veth_demo_open(struct sample_veth_demo *d, struct sample_opts *o,
			  const struct sample_demo_plan *plan)
{
	unsigned int kinds = (plan->pings ? SAMPLE_TRAFFIC_ICMP : 0) |
			     (plan->udps ? SAMPLE_TRAFFIC_UDP : 0) |
			     (plan->tcp_bytes ? SAMPLE_TRAFFIC_TCP : 0);
	int err;

	d->plan = *plan;
	err = sample_demo_setup(&d->net, o->prog, plan->flags);
	if (err)
		return err;
	err = sample_traffic_open(&d->traffic, &d->net, kinds);
	if (err) {
		fprintf(stderr, "%s: opening demo traffic sockets failed: %s\n", o->prog,
			sample_strerror(err));
		sample_traffic_close(&d->traffic);
		sample_demo_teardown(&d->net);
		return err;
	}
	d->open = true;
	o->ifname = d->net.ifname;
	o->ifindex = d->net.ifindex;
	return 0;
}

int sample_veth_demo_step(struct sample_veth_demo *d)
{
	const struct sample_demo_plan *p = &d->plan;
	struct sample_traffic *t = &d->traffic;
	struct sockaddr_in dst = { .sin_family = AF_INET,
				   .sin_port = htons(SAMPLE_UDP_PORT),
				   .sin_addr = d->net.addr4 };
	int err = 0;

	for (unsigned int i = 0; i < p->pings && !err; i++)
		err = sample_traffic_ping(t, &d->net.addr4, p->ping_len);
	for (unsigned int i = 0; i < p->udps && !err; i++)
		err = sample_traffic_udp(t, (struct sockaddr *)&dst, p->udp_len);
	if (!err && p->tcp_bytes)
		err = sample_traffic_tcp(t, p->tcp_bytes);
	if (err) {
		fprintf(stderr, "demo traffic failed: %s\n", sample_strerror(err));
		return err;
	}
	/* Returns as soon as every reply is in: the map is read right after. */
	sample_traffic_poll(t, 500);
	d->steps++;
	return 0;
}

void sample_veth_demo_close(struct sample_veth_demo *d)
{
	const struct sample_demo_plan *p = &d->plan;
	struct sample_traffic *t = &d->traffic;
	const char *sep = "";
	char b[SAMPLE_FMT_LEN];

	if (!d->open)
		return;
	/* A run that failed before its first round sent nothing: no data line. */
	if (!d->steps)
		goto teardown;
	printf("demo sent: ");
	if (p->pings) {
		printf("%llu echo requests of %u bytes (%llu replies)",
		       (unsigned long long)t->icmp_sent, p->ping_len,
		       (unsigned long long)t->icmp_replies);
		sep = ", ";
	}
	if (p->udps) {
		printf("%s%llu UDP datagrams of %u bytes", sep, (unsigned long long)t->udp_sent,
		       p->udp_len);
		sep = ", ";
	}
	if (p->tcp_bytes)
		printf("%s%s TCP payload bytes", sep, sample_fmt_u64(b, sizeof(b), t->tcp_sent));
	printf("\n");
	fflush(stdout);
teardown:
	sample_traffic_close(t);
	sample_demo_teardown(&d->net);
	d->open = false;
}
