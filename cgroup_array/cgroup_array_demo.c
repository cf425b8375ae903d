// SPDX-License-Identifier: GPL-2.0
/* cgroup_array_demo.c - see cgroup_array_demo.h. */
#include <errno.h>
#include <limits.h>
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

#define BPFFS "/sys/fs/bpf"

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
	    mount("bpf", BPFFS, "bpf", 0, "mode=0700")) {
		err = -errno;
		fprintf(stderr, "cgroup_array: mounting a private bpffs on %s failed: %s\n", BPFFS,
			sample_strerror(err));
		return err;
	}
	return 0;
}

/* The receiver of the demo traffic: UDP 10.11.1.2:7000 in the peer netns. */
static int open_receiver(struct cgroup_array_demo *d)
{
	int fd, err;

	fd = sample_netns_socket(d->net.peer_ns, AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		err = fd;
		goto fail;
	}
	d->dst.sin_family = AF_INET;
	d->dst.sin_port = htons(SAMPLE_UDP_PORT);
	d->dst.sin_addr = d->net.peer_addr4;
	err = bind(fd, (struct sockaddr *)&d->dst, sizeof(d->dst));
	if (!err)
		return fd;
	err = -errno;
	close(fd);
fail:
	fprintf(stderr, "cgroup_array: opening the demo receiver failed: %s\n",
		sample_strerror(err));
	return err;
}

int cgroup_array_demo_open(struct cgroup_array_demo *d, struct sample_opts *o, bool pass,
			   int *map_fd)
{
	int err;

	d->pass = pass;
	/* The cgroup first: its reaper must stay outside of what follows. */
	err = sample_cgroup_create(o->prog, &d->cg);
	if (err)
		return err;
	err = private_bpffs();
	if (err)
		return err;
	err = sample_demo_setup(&d->net, o->prog, 0);
	if (err)
		return err;
	d->rx_fd = open_receiver(d);
	if (d->rx_fd < 0)
		return d->rx_fd;

	/* Scene 1: a CGROUP_ARRAY pinned in the private bpffs, slot 0 empty. */
	snprintf(d->pin, sizeof(d->pin), BPFFS "/cgroup_array_%d", (int)getpid());
	*map_fd = cgroup_array_pin_new(d->pin, NULL);
	if (*map_fd < 0) {
		d->pin[0] = '\0';
		return *map_fd;
	}
	printf("Scene 1: pinning (a private bpffs on %s, seen only by this process and its "
	       "children)\n",
	       BPFFS);
	printf("  pinned cgroup_map (CGROUP_ARRAY, 1 slot) at %s; slot 0 is empty\n", d->pin);
	o->ifname = d->net.ifname;
	o->ifindex = d->net.ifindex;
	d->parent_tgid = getpid();
	return 0;
}

/* Run "<self> update PATH CGROUP" as a second process, as a user would. */
static int run_second_invocation(const char *self, const char *path, const char *cgroup)
{
	char *args[] = { (char *)self, "update", (char *)path, (char *)cgroup, NULL };
	char exe[PATH_MAX];
	ssize_t n;
	int status;
	pid_t pid;

	/* This very binary, whatever argv[0] says. Resolved with readlink()
	 * rather than exec'ing /proc/self/exe: under valgrind that link names
	 * the valgrind tool, and only readlink() is translated. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return -errno;
	exe[n] = '\0';
	printf("  second process: %s update %s %s\n    ", self, path, cgroup);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execv(exe, args);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -ECHILD;
	return 0;
}

int cgroup_array_demo_fill(struct cgroup_array_demo *d, const char *self)
{
	int err;

	err = run_second_invocation(self, d->pin, d->cg.path);
	if (err) {
		fprintf(stderr, "cgroup_array: the second process could not update the pinned "
				"map\n");
		return err;
	}
	printf("\n");
	d->open = true;
	printf("Scenes 2 and 3: each tick a child in %s sends %d UDP datagrams and calls "
	       "getppid() %d times; a child outside does %d of each. Cgroup packets are "
	       "%s at %s egress.\n",
	       d->cg.path, DEMO_IN, DEMO_IN, DEMO_OUT,
	       d->pass ? "counted and passed" : "counted and dropped", d->net.ifname);
	return 0;
}

/* A child that optionally joins the cgroup, then creates a UDP socket (a
 * socket belongs to the cgroup of the task that creates it), sends n
 * datagrams and makes n getppid() calls. Returns 0 when the child succeeded. */
static int run_child(struct cgroup_array_demo *d, bool inside, int n)
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

int cgroup_array_demo_step(struct cgroup_array_demo *d)
{
	__u64 until = sample_now_ns() + 500 * 1000000ull;
	char buf[2048];
	int err;

	if (!d->open)
		return 0;
	err = run_child(d, true, DEMO_IN);
	if (!err)
		err = run_child(d, false, DEMO_OUT);
	if (err) {
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

void cgroup_array_demo_received(const struct cgroup_array_demo *d, char *buf, size_t len)
{
	if (d->open)
		sample_fmt_u64(buf, len, d->received);
}

/* Remove the pin and say so (its stat() after the unlink proves it). */
static void remove_pin(const char *pin)
{
	const char *after = "still there";
	struct stat sb;

	if (unlink(pin) && errno != ENOENT) {
		fprintf(stderr, "cgroup_array: removing the pin %s failed: %s\n", pin,
			strerror(errno));
		return;
	}
	if (stat(pin, &sb))
		after = strerror(errno);
	printf("pin %s removed (stat -> %s)\n", pin, after);
}

int cgroup_array_demo_close(struct cgroup_array_demo *d)
{
	int err;

	if (d->open)
		printf("demo sent: %llu datagrams and %llu getppid() from inside the cgroup, "
		       "%llu and %llu from outside; the receiver got %llu (%s mode)\n",
		       (unsigned long long)d->sent_in, (unsigned long long)d->calls_in,
		       (unsigned long long)d->sent_out, (unsigned long long)d->calls_out,
		       (unsigned long long)d->received, d->pass ? "pass" : "drop");
	if (d->pin[0])
		remove_pin(d->pin);
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
