// SPDX-License-Identifier: GPL-2.0
/* hbm_demo.c - the no-argument demo of hbm. See hbm_demo.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <bpf/bpf.h>

#include "sample.h"
#include "hbm_demo.h"

#define DEMO_PORT 7001
#define ATTACH_WAIT_S 30 /* the sender gives up if nothing is attached by then */

/* The receiver thread: accept the sender's connection, count its bytes,
 * until stop_fd[1] is closed. */
static void *receiver(void *arg)
{
	struct hbm_demo *d = arg;
	struct pollfd p[2] = { { d->listen_fd, POLLIN, 0 }, { d->stop_fd[0], POLLIN, 0 } };
	static char buf[1 << 16];
	int conn = -1;
	ssize_t n;

	while (poll(p, 2, -1) >= 0 || errno == EINTR) {
		if (p[1].revents)
			break;
		if (!(p[0].revents & (POLLIN | POLLHUP)))
			continue;
		if (conn < 0) {
			conn = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
			p[0].fd = conn; /* -1 (poll skips it) if accept failed */
			continue;
		}
		for (;;) {
			n = recv(conn, buf, sizeof(buf), 0);
			if (n <= 0)
				break;
			__atomic_fetch_add(&d->rx_bytes, (__u64)n, __ATOMIC_RELAXED);
		}
		if (n == 0 || errno != EAGAIN)
			p[0].fd = -1; /* the sender is gone: wait for stop */
	}
	if (conn >= 0)
		close(conn);
	return NULL;
}

/* The sender, a child process: into the cgroup, wait for the attachment,
 * then write until the connection or the process ends. Never returns. */
static void sender(struct hbm_demo *d, pid_t parent)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(DEMO_PORT),
				  .sin_addr = d->net.addr4 };
	static char buf[1 << 16];
	__u32 cnt = 0;
	int cg_fd, fd;

	/* Dies with the sample, even on SIGKILL; holds none of its fds but
	 * the peer netns (the reaper's pipe would keep the cgroup alive). */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	close(d->cg.reaper_fd);
	close(d->listen_fd);
	close(d->stop_fd[1]);
	if (sample_cgroup_join(d->cg.path, 0))
		_exit(2);
	cg_fd = open(d->cg.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (int i = 0; i < ATTACH_WAIT_S * 100 && !cnt; i++) {
		if (bpf_prog_query(cg_fd, BPF_CGROUP_INET_EGRESS, 0, NULL, NULL, &cnt))
			_exit(3);
		if (!cnt)
			usleep(10000);
	}
	fd = sample_netns_socket(d->net.peer_ns, AF_INET, SOCK_STREAM, 0);
	if (!cnt || fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		_exit(4);
	while (send(fd, buf, sizeof(buf), MSG_NOSIGNAL) > 0)
		;
	_exit(0);
}

int hbm_demo_open(struct hbm_demo *d, const struct sample_opts *o, bool ecn)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(DEMO_PORT) };
	const char *step = "creating the receiver";
	int err;

	*d = (struct hbm_demo)HBM_DEMO_INIT;
	err = sample_cgroup_create(o->prog, &d->cg);
	if (err)
		return err;
	err = sample_demo_setup(&d->net, o->prog, 0);
	if (err) {
		sample_cgroup_destroy(&d->cg);
		return err;
	}
	d->open = true;
	sa.sin_addr = d->net.addr4;
	d->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (d->listen_fd < 0 || bind(d->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(d->listen_fd, 1) || pipe2(d->stop_fd, O_CLOEXEC))
		goto fail_errno;
	step = "enabling ECN in the sender's netns";
	if (ecn)
		err = sample_netns_sysctl(d->net.peer_ns, "net/ipv4/tcp_ecn", "1");
	if (err)
		goto fail;
	/* The sender first: a fork while this process has one thread only. */
	step = "starting the sender";
	fflush(stdout);
	d->sender = fork();
	if (d->sender == 0)
		sender(d, getppid());
	if (d->sender < 0)
		goto fail_errno;
	step = "starting the receiver thread";
	err = -pthread_create(&d->rx_thread, NULL, receiver, d);
	if (err)
		goto fail;
	d->rx_running = true;
	d->start_ns = sample_now_ns();
	return 0;

fail_errno:
	err = -errno;
fail:
	fprintf(stderr, "%s: demo setup failed %s: %s\n", o->prog, step, sample_strerror(err));
	d->open = false; /* no "demo sent" line */
	hbm_demo_close(d);
	return err;
}

int hbm_demo_step(struct hbm_demo *d)
{
	int status;

	if (!d->open)
		return 0;
	if (waitpid(d->sender, &status, WNOHANG) == d->sender) {
		d->sender = -1;
		fprintf(stderr, "hbm: the demo's sender stopped (%s %d)\n",
			WIFEXITED(status) ? "exit" : "signal",
			WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		return -ECHILD;
	}
	return 0;
}

void hbm_demo_close(struct hbm_demo *d)
{
	double secs = (sample_now_ns() - d->start_ns) / 1e9;
	char b[SAMPLE_FMT_LEN];

	if (d->sender > 0) {
		kill(d->sender, SIGKILL);
		waitpid(d->sender, NULL, 0);
	}
	if (d->stop_fd[1] >= 0)
		close(d->stop_fd[1]); /* wakes the receiver thread */
	if (d->rx_running)
		pthread_join(d->rx_thread, NULL);
	if (d->open)
		printf("demo sent: one TCP stream from a process in %s (netns demo1) to a receiver "
		       "outside it (demo0): %s bytes received in %.1f s, %.1f Mbit/s\n",
		       strrchr(d->cg.path, '/') + 1, sample_fmt_u64(b, sizeof(b), d->rx_bytes),
		       secs, d->rx_bytes * 8 / secs / 1e6);
	fflush(stdout);
	for (int i = 0; i < 2; i++)
		if (d->stop_fd[i] >= 0)
			close(d->stop_fd[i]);
	if (d->listen_fd >= 0)
		close(d->listen_fd);
	sample_demo_teardown(&d->net);
	sample_cgroup_destroy(&d->cg);
	*d = (struct hbm_demo)HBM_DEMO_INIT;
}
