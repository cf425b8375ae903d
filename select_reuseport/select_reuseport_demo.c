// SPDX-License-Identifier: GPL-2.0
/* select_reuseport_demo.c - the demo behind open / step / listen + restart /
 * close. See select_reuseport_demo.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "demo.h"
#include "select_reuseport_demo.h"
#include "select_reuseport_socket.h"

#define SR_PER_WORKER 25 /* datagrams per worker per step */

int select_reuseport_demo_open(struct select_reuseport_demo *d, const struct sample_opts *o,
			       __u16 port, unsigned int n)
{
	const char *step = "creating a network namespace";
	int err;

	d->port = port;
	d->nworkers = n;
	d->orig_ns = sample_netns_current();
	if (d->orig_ns < 0) {
		err = d->orig_ns;
		goto fail;
	}
	d->ns = sample_netns_new();
	if (d->ns < 0) {
		err = d->ns;
		goto fail;
	}
	step = "entering the demo netns";
	err = sample_netns_enter(d->ns);
	if (err)
		goto fail;
	d->open = true;
	step = "opening the UDP sender";
	d->tx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (d->tx < 0) {
		err = -errno;
		goto fail;
	}
	return 0;
fail:
	fprintf(stderr, "%s: demo: %s failed: %s\n", o->prog, step, sample_strerror(err));
	select_reuseport_demo_close(d, 0);
	return err;
}

int select_reuseport_demo_step(struct select_reuseport_demo *d)
{
	struct sockaddr_in dst;
	unsigned char buf[64];

	select_reuseport_loopback(&dst, d->port);
	for (unsigned int i = 0; i < SR_PER_WORKER * d->nworkers; i++) {
		memset(buf, 0, sizeof(buf));
		buf[0] = i % d->nworkers; /* the shard key */
		if (sendto(d->tx, buf, sizeof(buf), 0, (struct sockaddr *)&dst, sizeof(dst)) < 0)
			return -errno;
		d->sent++;
	}
	return 0;
}

/* This netns's net.ipv4.tcp_migrate_req as its one digit, '?' if unreadable. */
static char migrate_req(void)
{
	FILE *f = fopen("/proc/sys/net/ipv4/tcp_migrate_req", "re");
	int c;

	if (!f)
		return '?';
	c = fgetc(f);
	fclose(f);
	if (c == EOF)
		return '?';
	return c;
}

/* Listener i joins the group on port and takes slot i of the map. */
static int listener_join(__u16 port, int map_fd, __u32 slot)
{
	int fd = select_reuseport_socket(SOCK_STREAM, port);
	__u64 val = fd;
	int err;

	if (fd < 0)
		return fd;
	if (bpf_map_update_elem(map_fd, &slot, &val, BPF_ANY)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int select_reuseport_demo_listen(struct select_reuseport_demo *d, int map_fd)
{
	/* The old server: listener 0 in slot 0, where the program sends SYNs. */
	d->listener = listener_join(d->port + 1, map_fd, 0);
	if (d->listener < 0)
		return d->listener;
	return 0;
}

/* What select_or_migrate did during the restart. */
static int print_restart(const struct bpf_map *counters)
{
	struct sr_counters c = {};
	__u32 key = 0;
	int err;

	err = bpf_map__lookup_elem(counters, &key, sizeof(key), &c, sizeof(c), 0);
	if (err)
		return err;
	printf("program: %llu SYNs sent to listener 0, %llu pending connections migrated "
	       "to listener 1, %llu failed\n",
	       (unsigned long long)c.syn_selected, (unsigned long long)c.migrated,
	       (unsigned long long)c.migrate_failed);
	return 0;
}

int select_reuseport_demo_restart(struct select_reuseport_demo *d, int map_fd, unsigned int k,
				  const struct bpf_map *counters)
{
	int lsn1 = -1;
	int cli[64];
	int c;
	int accepted = 0;
	int alive = 0;
	int err = 0;
	__u16 port = d->port + 1;
	struct sockaddr_in sa;
	char byte;

	if (k > 64)
		return -EINVAL;
	for (unsigned int i = 0; i < k; i++)
		cli[i] = -1;
	select_reuseport_loopback(&sa, port);
	/* k connections complete their handshake and wait in listener 0's queue. */
	for (unsigned int i = 0; i < k; i++) {
		cli[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (cli[i] < 0) {
			err = -errno;
			goto out;
		}
		if (connect(cli[i], (struct sockaddr *)&sa, sizeof(sa))) {
			err = -errno;
			goto out;
		}
	}
	/* The new server joins (slot 1), then the old one closes with its queue. */
	lsn1 = listener_join(port, map_fd, 1);
	if (lsn1 < 0) {
		err = lsn1;
		goto out;
	}
	close(d->listener);
	d->listener = -1;
	while ((c = accept(lsn1, NULL, NULL)) >= 0) {
		accepted++;
		if (write(c, "x", 1) != 1)
			err = -errno;
		close(c);
	}
	/* A client whose connection was refused reads ECONNRESET; a served one "x". */
	for (unsigned int i = 0; i < k; i++)
		if (recv(cli[i], &byte, 1, 0) == 1)
			alive++;
	printf("restart on 127.0.0.1:%u: %u connections pending on listener 0, listener 1 joined, "
	       "listener 0 closed: %d accepted by listener 1, %u refused\n",
	       port, k, accepted, k - alive);
	printf("(net.ipv4.tcp_migrate_req is %c in this netns: a program attached as "
	       "sk_reuseport/migrate migrates without it)\n",
	       migrate_req());
	if (!err)
		err = print_restart(counters);
out:
	for (unsigned int i = 0; i < k; i++)
		if (cli[i] >= 0)
			close(cli[i]);
	if (lsn1 >= 0)
		close(lsn1);
	return err;
}

void select_reuseport_demo_close(struct select_reuseport_demo *d, __u64 received)
{
	char b[2][SAMPLE_FMT_LEN];

	if (d->open)
		printf("demo sent: %s datagrams to 127.0.0.1:%u, %s received by the workers\n",
		       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, d->sent), d->port,
		       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, received));
	if (d->listener >= 0)
		close(d->listener);
	if (d->tx >= 0)
		close(d->tx);
	if (d->orig_ns >= 0) {
		sample_netns_enter(d->orig_ns);
		close(d->orig_ns);
	}
	if (d->ns >= 0)
		close(d->ns);
	d->listener = -1;
	d->tx = -1;
	d->orig_ns = -1;
	d->ns = -1;
	d->open = false;
}
