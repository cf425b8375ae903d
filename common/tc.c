// SPDX-License-Identifier: GPL-2.0
/* common/tc.c - see tc.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "tc.h"

/* Not in the UAPI headers of older distributions (libbpf 1.1 / Linux 6.1). */
#define SAMPLE_BPF_TCX_INGRESS 46
#define SAMPLE_BPF_TCX_EGRESS 47

/* Remove our cls_bpf filter, and the clsact qdisc if we created it. 0 or the
 * filter's -errno. */
static int tc_remove(const struct sample_tc *tc)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = tc->ifindex,
			    .attach_point = tc->ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = tc->handle, .priority = tc->priority);
	int err;

	err = bpf_tc_detach(&hook, &opts);
	if (!tc->created_qdisc)
		return err;
	/* After a kill -9 the reapers of a sample's other filters on this
	 * device run at the same time, and while one of them removes its
	 * filter the qdisc answers EBUSY (seen on 6.1, 2 runs of 6): try
	 * again for up to a second. */
	hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
	for (int i = 0; i < 50; i++) {
		if (bpf_tc_hook_destroy(&hook) != -EBUSY)
			break;
		usleep(20000);
	}
	return err;
}

/* The reaper of a clsact filter, which, unlike a tcx link, outlives the
 * process: out of the sample's session, stdio on /dev/null, holding only the
 * pipe (as fd 3), it sleeps until the pipe's write end closes (the sample's
 * cleanup closed it, or the sample died, even by kill -9), then removes the
 * filter in the network namespace it was forked in, the filter's. Its exit
 * status is the removal's errno. */
static void tc_reaper_main(int rfd, const struct sample_tc *tc)
{
	int keep = fcntl(rfd, F_DUPFD, 100);
	int null = open("/dev/null", O_RDWR);
	char c;

	setsid();
	for (int fd = 0; fd < 3 && null >= 0; fd++)
		dup2(null, fd);
	if (keep < 0 || dup2(keep, 3) != 3)
		_exit(EBADF);
	syscall(SYS_close_range, 4, ~0U, 0);
	signal(SIGINT, SIG_IGN); /* a Ctrl-C in the terminal is the sample's */
	signal(SIGTERM, SIG_DFL);
	while (read(3, &c, 1) < 0 && errno == EINTR)
		;
	_exit(-tc_remove(tc) & 0xff);
}

/* Fork the reaper; tc->reaper_fd is the pipe's write end. 0 or -errno. */
static int tc_reaper_start(struct sample_tc *tc)
{
	sigset_t none, old;
	int pfd[2], err;

	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	/* The child starts with no signal blocked (the sample blocks SIGINT and
	 * SIGTERM for its signalfd). */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, &old);
	tc->reaper = fork();
	if (tc->reaper == 0) {
		close(pfd[1]);
		tc_reaper_main(pfd[0], tc);
	}
	err = 0;
	if (tc->reaper < 0)
		err = -errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(pfd[0]);
	if (err) {
		close(pfd[1]);
		return err;
	}
	tc->reaper_fd = pfd[1];
	return 0;
}

int sample_tc_attach(const char *prog_name, struct bpf_program *prog, int ifindex, bool ingress,
		     struct sample_tc *tc)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
			    .attach_point = ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = bpf_program__fd(prog));
	char ifname[IF_NAMESIZE] = "?";
	int fd, err;

	memset(tc, 0, sizeof(*tc));
	tc->ifindex = ifindex;
	tc->ingress = ingress;
	tc->link_fd = -1;
	if_indextoname(ifindex, ifname);

	fd = bpf_link_create(bpf_program__fd(prog), ifindex,
			     ingress ? SAMPLE_BPF_TCX_INGRESS : SAMPLE_BPF_TCX_EGRESS, NULL);
	if (fd >= 0) {
		tc->link_fd = fd;
		return 0;
	}
	err = -errno;
	if (err != -EINVAL && err != -EOPNOTSUPP) {
		fprintf(stderr, "%s: attaching tc %s program to %s failed: %s\n", prog_name,
			ingress ? "ingress" : "egress", ifname, sample_strerror(err));
		return err;
	}

	/* No tcx in this kernel: clsact + cls_bpf, removed by sample_tc_detach(). */
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		fprintf(stderr, "%s: creating the clsact qdisc on %s failed: %s\n", prog_name,
			ifname, sample_strerror(err));
		return err;
	}
	tc->created_qdisc = !err;
	err = bpf_tc_attach(&hook, &opts);
	if (err) {
		fprintf(stderr, "%s: attaching tc %s filter to %s failed: %s\n", prog_name,
			ingress ? "ingress" : "egress", ifname, sample_strerror(err));
		if (tc->created_qdisc) {
			hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
			bpf_tc_hook_destroy(&hook);
		}
		return err;
	}
	tc->legacy = true;
	tc->handle = opts.handle;
	tc->priority = opts.priority;
	err = tc_reaper_start(tc);
	if (err) {
		fprintf(stderr, "%s: starting the reaper of the tc filter on %s failed: %s\n",
			prog_name, ifname, sample_strerror(err));
		tc_remove(tc);
		tc->legacy = false;
		return err;
	}
	fprintf(stderr,
		"%s: kernel has no tcx links; attached through the clsact qdisc "
		"(a reaper process removes the filter when this one ends, even by kill -9)\n",
		prog_name);
	return 0;
}

int sample_tc_detach(struct sample_tc *tc)
{
	int status;
	int err = 0;

	if (tc->link_fd >= 0) {
		close(tc->link_fd);
		tc->link_fd = -1;
	}
	if (tc->legacy) {
		/* The reaper removes the filter when its pipe closes. */
		close(tc->reaper_fd);
		while (waitpid(tc->reaper, &status, 0) < 0 && errno == EINTR)
			;
		if (WIFEXITED(status) && WEXITSTATUS(status))
			err = -WEXITSTATUS(status);
		tc->legacy = false;
	}
	return err;
}
