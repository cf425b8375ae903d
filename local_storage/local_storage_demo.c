// SPDX-License-Identifier: GPL-2.0
/*
 * local_storage_demo.c - the demo of local_storage: child processes in a
 * cgroup of the demo's own, each making a known number of getppid() calls,
 * and each one's task storage read through a pidfd. See local_storage_demo.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "local_storage.h"
#include "local_storage_demo.h"

#define CHILD_TIMEOUT_MS 3000

int local_storage_demo_open(struct local_storage_demo *d, const struct sample_opts *o)
{
	int err;

	d->prog = o->prog;
	err = sample_cgroup_create(o->prog, &d->cg);
	if (err)
		return err;
	d->open = true;
	printf("Each tick: a child process joins %s,\nmakes a known number of "
	       "getppid() calls and waits; its task storage is read by pidfd\nwhile it lives, "
	       "as a zombie, and after it is reaped.\n\n",
	       d->cg.path);
	return 0;
}

/* The child: wait for "go", make n getppid() calls, say "done", wait for the
 * parent to close its end (or die), exit. Nothing here but syscalls. */
static void child(int go, int done, __u64 n)
{
	char c;

	if (read(go, &c, 1) != 1)
		_exit(1);
	for (__u64 i = 0; i < n; i++)
		syscall(SYS_getppid);
	if (write(done, "d", 1) != 1)
		_exit(1);
	while (read(go, &c, 1) > 0)
		;
	_exit(0);
}

static const char *lookup_str(int err)
{
	return err == 0 ? "found" : sample_errname(err);
}

int local_storage_demo_step(struct local_storage_demo *d, const struct bpf_map *task_map)
{
	int go[2] = { -1, -1 }, done[2] = { -1, -1 }, pidfd = -1, err, zombie, reaped;
	__u64 n = 1000 * (1 + d->children % 5);
	struct sys_counts c = {};
	char b[3][SAMPLE_FMT_LEN];
	struct pollfd p;
	pid_t pid = -1;
	siginfo_t si;

	if (!d->open)
		return 0;
	if (pipe2(go, O_CLOEXEC) || pipe2(done, O_CLOEXEC))
		goto fail_errno;
	/* fork() that also returns a pidfd, which names this very process: its
	 * pid number can be reused, the pidfd cannot. (pidfd_open(pid) does the
	 * same for a process one did not start.) The pidfd lands in the third
	 * argument, parent_tid, on x86-64 and arm64 alike. */
	pid = syscall(SYS_clone, CLONE_PIDFD | SIGCHLD, 0, &pidfd, 0, 0);
	if (pid < 0)
		goto fail_errno;
	if (pid == 0) {
		/* Only its pipe ends (as 0 and 1): no map, link or reaper fd. */
		if (dup2(go[0], 0) < 0 || dup2(done[1], 1) < 0 || close_range(3, ~0u, 0))
			_exit(1);
		child(0, 1, n);
	}
	close(go[0]);
	close(done[1]);
	go[0] = -1;
	done[1] = -1;
	err = sample_cgroup_join(d->cg.path, pid);
	if (err)
		goto fail;
	p = (struct pollfd){ done[0], POLLIN, 0 };
	if (write(go[1], "g", 1) != 1)
		goto fail_errno;
	if (poll(&p, 1, CHILD_TIMEOUT_MS) != 1 || read(done[0], b[0], 1) != 1) {
		err = -ETIMEDOUT;
		goto fail;
	}
	/* Alive: the key is the pidfd. */
	err = bpf_map__lookup_elem(task_map, &pidfd, sizeof(pidfd), &c, sizeof(c), 0);
	if (err)
		goto fail;
	/* A zombie: exited, not yet reaped (WNOWAIT leaves it so). */
	close(go[1]);
	go[1] = -1;
	if (waitid(P_PID, pid, &si, WEXITED | WNOWAIT))
		goto fail_errno;
	zombie = bpf_map__lookup_elem(task_map, &pidfd, sizeof(pidfd), b, sizeof(c), 0);
	waitpid(pid, NULL, 0);
	pid = -1;
	reaped = bpf_map__lookup_elem(task_map, &pidfd, sizeof(pidfd), b, sizeof(c), 0);

	d->children++;
	d->calls += n;
	d->exact += c.getppid == n;
	d->zombie_found += zombie == 0;
	d->reaped_enoent += reaped == -ENOENT;
	printf("child %d: %s getppid() calls; task storage by pidfd: getppid %s, syscalls %s; "
	       "zombie: %s; reaped: %s\n",
	       (int)si.si_pid, sample_fmt_u64(b[0], SAMPLE_FMT_LEN, n),
	       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, c.getppid),
	       sample_fmt_u64(b[2], SAMPLE_FMT_LEN, c.syscalls), lookup_str(zombie),
	       lookup_str(reaped));
	err = 0;
	goto out;
fail_errno:
	err = -errno;
fail:
	fprintf(stderr, "%s: the demo's child process failed: %s\n", d->prog, sample_strerror(err));
out:
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	for (int i = 0; i < 2; i++) {
		if (go[i] >= 0)
			close(go[i]);
		if (done[i] >= 0)
			close(done[i]);
	}
	if (pidfd >= 0)
		close(pidfd);
	return err;
}

int local_storage_demo_close(struct local_storage_demo *d, const struct bpf_map *cgrp_map,
			     int cg_fd)
{
	struct sys_counts c;
	char b[2][SAMPLE_FMT_LEN];
	int err, gone;

	if (!d->open)
		return 0;
	d->open = false;
	err = sample_cgroup_destroy(&d->cg);
	if (err)
		fprintf(stderr, "%s: removing the demo cgroup %s failed: %s\n", d->prog, d->cg.path,
			sample_strerror(err));
	if (cg_fd < 0)
		return err;
	/* The fd still names the removed cgroup: its storage is gone with it
	 * (cgrp_map is not created where the kernel has no CGRP_STORAGE). */
	if (bpf_map__fd(cgrp_map) >= 0) {
		gone = bpf_map__lookup_elem(cgrp_map, &cg_fd, sizeof(cg_fd), &c, sizeof(c), 0);
		printf("demo cgroup removed: lookup(its cgroup fd) -> %s\n", lookup_str(gone));
	}
	printf("summary: %s children made %s getppid() calls; task storage exact for %s, "
	       "found for %llu zombies, ENOENT for %llu reaped\n",
	       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, d->children),
	       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, d->calls),
	       d->exact == d->children ? "all" : "NOT all", (unsigned long long)d->zombie_found,
	       (unsigned long long)d->reaped_enoent);
	return err;
}
