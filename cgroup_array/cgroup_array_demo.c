// SPDX-License-Identifier: GPL-2.0
/* cgroup_array_demo.c - see cgroup_array_demo.h. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "sample.h"
#include "cgroup_array_demo.h"
#include "cgroup_array_pin.h"

/* Per step: datagrams (and getppid() calls) from inside the cgroup and from
 * outside, and the payload of each datagram. */
#define DEMO_IN 5
#define DEMO_OUT 3
#define DEMO_LEN 64

/* The pin lives in a bpffs instance of its own: a private mount namespace with
 * a fresh bpffs on /sys/fs/bpf. Nothing changes for the rest of the system, and
 * the pin vanishes with the instance when this process (and its children)
 * exit, so even kill -9 leaves no pin. Children inherit it and see the pin. */
static int private_bpffs(void)
{
	int err;

	/* "none": the type of a propagation change is ignored, but valgrind
	 * reads it as a string even then. */
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", "none", MS_REC | MS_PRIVATE, NULL) ||
	    mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700")) {
		err = -errno;
		fprintf(stderr,
			"cgroup_array: mounting a private bpffs on /sys/fs/bpf failed: %s\n",
			sample_strerror(err));
		return err;
	}
	return 0;
}

/* The receiver of the demo traffic: UDP 10.11.1.2:7000 in the peer netns. */
static int open_receiver(struct cga_demo *d)
{
	int fd = sample_netns_socket(d->net.peer_ns, AF_INET, SOCK_DGRAM, 0), err;

	if (fd < 0)
		goto fail;
	d->dst.sin_family = AF_INET;
	d->dst.sin_port = htons(SAMPLE_UDP_PORT);
	d->dst.sin_addr = d->net.peer_addr4;
	if (!bind(fd, (struct sockaddr *)&d->dst, sizeof(d->dst)))
		return fd;
	fd = -errno;
fail:
	err = fd;
	fprintf(stderr, "cgroup_array: opening the demo receiver failed: %s\n",
		sample_strerror(err));
	return err;
}

int cga_demo_open(struct cga_demo *d, struct sample_opts *o, bool pass, const char *self,
		  int *map_fd)
{
	int err;

	d->pass = pass;
	/* The cgroup first: its reaper must stay outside of what follows. */
	if ((err = sample_cgroup_create(o->prog, &d->cg)) || (err = private_bpffs()) ||
	    (err = sample_demo_setup(&d->net, o->prog, 0)))
		return err;
	if ((d->rx_fd = open_receiver(d)) < 0)
		return d->rx_fd;
	*map_fd = cga_pin_scene(self, d->cg.path, d->pin, sizeof(d->pin));
	if (*map_fd < 0)
		return *map_fd;
	o->ifname = d->net.ifname;
	o->ifindex = d->net.ifindex;
	d->parent_tgid = getpid();
	d->open = true;
	printf("Scenes 2 and 3: each tick a child in %s sends %d UDP datagrams and calls "
	       "getppid() %d times; a child outside does %d of each. Cgroup packets are "
	       "%s at %s egress.\n",
	       d->cg.path, DEMO_IN, DEMO_IN, DEMO_OUT,
	       pass ? "counted and passed" : "counted and dropped", o->ifname);
	return 0;
}

/* A child that optionally joins the cgroup, then creates a UDP socket (a
 * socket belongs to the cgroup of the task that creates it), sends n
 * datagrams and makes n getppid() calls. Returns 0 when the child succeeded. */
static int run_child(struct cga_demo *d, bool inside, int n)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		char payload[DEMO_LEN] = {};
		int fd;

		if (inside && sample_cgroup_join(d->cg.path, 0))
			_exit(1);
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			_exit(1);
		for (int i = 0; i < n; i++) {
			/* A packet dropped at tc egress still "sends" fine for UDP. */
			if (sendto(fd, payload, sizeof(payload), 0, (struct sockaddr *)&d->dst,
				   sizeof(d->dst)) != sizeof(payload) &&
			    errno != ENOBUFS)
				_exit(1);
			syscall(SYS_getppid);
		}
		_exit(0);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECHILD;
}

int cga_demo_step(struct cga_demo *d)
{
	__u64 until = sample_now_ns() + 500 * 1000000ull;
	char buf[2048];
	int err;

	if ((err = run_child(d, true, DEMO_IN)) || (err = run_child(d, false, DEMO_OUT))) {
		fprintf(stderr, "cgroup_array: a demo child failed: %s\n", sample_strerror(err));
		return err;
	}
	d->sent_in += DEMO_IN;
	d->calls_in += DEMO_IN;
	d->sent_out += DEMO_OUT;
	d->calls_out += DEMO_OUT;
	/* What passed has arrived in microseconds; the wait is a bound. */
	do {
		while (recv(d->rx_fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
			d->received++;
		if (d->received == d->sent_out + (d->pass ? d->sent_in : 0))
			break;
		usleep(5000);
	} while (sample_now_ns() < until);
	return 0;
}

int cga_demo_close(struct cga_demo *d)
{
	struct stat sb;
	int err;

	if (d->open)
		printf("demo sent: %llu datagrams and %llu getppid() from inside the cgroup, "
		       "%llu and %llu from outside; the receiver got %llu (%s mode)\n",
		       (unsigned long long)d->sent_in, (unsigned long long)d->calls_in,
		       (unsigned long long)d->sent_out, (unsigned long long)d->calls_out,
		       (unsigned long long)d->received, d->pass ? "pass" : "drop");
	if (d->pin[0] && unlink(d->pin) && errno != ENOENT)
		fprintf(stderr, "cgroup_array: removing the pin %s failed: %s\n", d->pin,
			strerror(errno));
	else if (d->pin[0])
		printf("pin %s removed (stat -> %s)\n", d->pin,
		       stat(d->pin, &sb) ? strerror(errno) : "still there");
	fflush(stdout);
	d->open = false;
	d->pin[0] = '\0';
	if (d->rx_fd >= 0)
		close(d->rx_fd);
	d->rx_fd = -1;
	sample_demo_teardown(&d->net);
	err = sample_cgroup_destroy(&d->cg);
	if (err)
		fprintf(stderr, "cgroup_array: removing the demo cgroup %s failed: %s\n",
			d->cg.path, sample_strerror(err));
	return err;
}
