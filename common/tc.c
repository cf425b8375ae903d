// SPDX-License-Identifier: GPL-2.0
/* common/tc.c - see tc.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "tc.h"

/* Not in the UAPI headers of older distributions (libbpf 1.1 / Linux 6.1). */
#define SAMPLE_BPF_TCX_INGRESS 46
#define SAMPLE_BPF_TCX_EGRESS 47

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
	fprintf(stderr,
		"%s: kernel has no tcx links; attached through the clsact qdisc "
		"(a kill -9 would leave this filter behind)\n",
		prog_name);
	return 0;
}

void sample_tc_detach(struct sample_tc *tc)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = tc->ifindex,
			    .attach_point = tc->ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts);

	if (tc->link_fd >= 0) {
		close(tc->link_fd);
		tc->link_fd = -1;
	}
	if (tc->legacy) {
		opts.handle = tc->handle;
		opts.priority = tc->priority;
		bpf_tc_detach(&hook, &opts);
		if (tc->created_qdisc) {
			hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
			bpf_tc_hook_destroy(&hook);
		}
		tc->legacy = false;
	}
}
