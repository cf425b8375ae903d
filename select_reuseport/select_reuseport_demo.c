// SPDX-License-Identifier: GPL-2.0
/* select_reuseport_demo.c - the demo behind open / step / migrate / close. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <bpf/bpf.h>

#include "sample.h"
#include "demo.h"
#include "select_reuseport_demo.h"

#define SR_PER_WORKER 25 /* datagrams per worker per step */

static void loopback(struct sockaddr_in *sa, __u16 port)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons(port);
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

int sr_reuseport_socket(int type, __u16 port)
{
	int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1, err;
	struct sockaddr_in sa;

	if (fd < 0)
		return -errno;
	loopback(&sa, port);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) ||
	    (port && bind(fd, (struct sockaddr *)&sa, sizeof(sa))) ||
	    (port && type == SOCK_STREAM && listen(fd, 64))) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int sr_demo_open(struct sr_demo *d, const struct sample_opts *o, __u16 port, unsigned int n)
{
	const char *step = "creating a network namespace";
	int err;

	d->port = port;
	d->nworkers = n;
	for (unsigned int i = 0; i < SR_MAX_WORKERS; i++)
		d->workers[i] = -1;
	if ((err = d->orig_ns = sample_netns_current()) < 0 ||
	    (err = d->ns = sample_netns_new()) < 0)
		goto fail;
	step = "entering the demo netns";
	if ((err = sample_netns_enter(d->ns)))
		goto fail;
	d->open = true;
	step = "opening the UDP sender";
	if ((d->tx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) {
		err = -errno;
		goto fail;
	}
	return 0;
fail:
	fprintf(stderr, "%s: demo: %s failed: %s\n", o->prog, step, sample_strerror(err));
	sr_demo_close(d);
	return err;
}

int sr_demo_step(struct sr_demo *d)
{
	struct sockaddr_in dst;
	unsigned char buf[64];

	loopback(&dst, d->port);
	for (unsigned int i = 0; i < SR_PER_WORKER * d->nworkers; i++) {
		memset(buf, 0, sizeof(buf));
		buf[0] = i % d->nworkers; /* the shard key */
		if (sendto(d->tx, buf, sizeof(buf), 0, (struct sockaddr *)&dst, sizeof(dst)) < 0)
			return -errno;
		d->sent++;
	}
	/* Loopback delivery is synchronous: every datagram is queued by now. */
	for (unsigned int w = 0; w < d->nworkers; w++)
		while (d->workers[w] >= 0 && recv(d->workers[w], buf, sizeof(buf), 0) > 0)
			d->received[w]++;
	return 0;
}

/* This netns's net.ipv4.tcp_migrate_req as its one digit, '?' if unreadable. */
static char migrate_req(void)
{
	FILE *f = fopen("/proc/sys/net/ipv4/tcp_migrate_req", "re");
	int c = f ? fgetc(f) : '?';

	if (f)
		fclose(f);
	return c == EOF ? '?' : c;
}

/* Listener i joins the group on port and takes slot i of the map. */
static int listener_join(__u16 port, int map_fd, __u32 slot)
{
	int fd = sr_reuseport_socket(SOCK_STREAM, port), err;
	__u64 val = fd;

	if (fd >= 0 && bpf_map_update_elem(map_fd, &slot, &val, BPF_ANY)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int sr_demo_migrate(struct sr_demo *d, int map_fd, int prog_fd, unsigned int k)
{
	int lsn[2] = { -1, -1 }, cli[64], c, accepted = 0, alive = 0, err = 0;
	__u16 port = d->port + 1;
	struct sockaddr_in sa;
	char byte;

	if (k > 64)
		return -EINVAL;
	for (unsigned int i = 0; i < k; i++)
		cli[i] = -1;
	loopback(&sa, port);
	/* The old server: listener 0 in slot 0, where the program sends SYNs. */
	if ((err = lsn[0] = listener_join(port, map_fd, 0)) < 0)
		goto out;
	if (setsockopt(lsn[0], SOL_SOCKET, SO_ATTACH_REUSEPORT_EBPF, &prog_fd, sizeof(prog_fd))) {
		err = -errno;
		goto out;
	}
	/* k connections complete their handshake and wait in listener 0's queue. */
	for (unsigned int i = 0; i < k; i++) {
		if ((cli[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
		    connect(cli[i], (struct sockaddr *)&sa, sizeof(sa))) {
			err = -errno;
			goto out;
		}
	}
	/* The new server joins (slot 1), then the old one closes with its queue. */
	if ((err = lsn[1] = listener_join(port, map_fd, 1)) < 0)
		goto out;
	close(lsn[0]);
	lsn[0] = -1;
	while ((c = accept(lsn[1], NULL, NULL)) >= 0) {
		accepted++;
		if (write(c, "x", 1) != 1)
			err = -errno;
		close(c);
	}
	/* A client whose connection was refused reads ECONNRESET; a served one "x". */
	for (unsigned int i = 0; i < k; i++)
		alive += recv(cli[i], &byte, 1, 0) == 1;
	printf("restart on 127.0.0.1:%u: %u connections pending on listener 0, listener 1 joined, "
	       "listener 0 closed: %d accepted by listener 1, %u refused\n",
	       port, k, accepted, k - alive);
	printf("(net.ipv4.tcp_migrate_req is %c in this netns: a program attached as "
	       "sk_reuseport/migrate migrates without it)\n",
	       migrate_req());
out:
	for (unsigned int i = 0; i < k; i++)
		if (cli[i] >= 0)
			close(cli[i]);
	for (int i = 0; i < 2; i++)
		if (lsn[i] >= 0)
			close(lsn[i]);
	return err ? err : accepted;
}

void sr_demo_close(struct sr_demo *d)
{
	char b[2][SAMPLE_FMT_LEN];
	__u64 got = 0;

	for (unsigned int w = 0; w < SR_MAX_WORKERS; w++) {
		got += d->received[w];
		if (d->workers[w] >= 0)
			close(d->workers[w]);
		d->workers[w] = -1;
	}
	if (d->open)
		printf("demo sent: %s datagrams to 127.0.0.1:%u, %s received by the workers\n",
		       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, d->sent), d->port,
		       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, got));
	if (d->tx >= 0)
		close(d->tx);
	if (d->orig_ns >= 0) {
		sample_netns_enter(d->orig_ns);
		close(d->orig_ns);
	}
	if (d->ns >= 0)
		close(d->ns);
	d->tx = d->orig_ns = d->ns = -1;
	d->open = false;
}
