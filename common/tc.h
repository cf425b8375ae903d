/* SPDX-License-Identifier: GPL-2.0 */
/*
 * common/tc.h - attach a SEC("tc") program to an interface's ingress or egress.
 *
 * Preferred: a tcx link (kernel >= 6.6). Like an XDP bpf_link it lives only as
 * long as its fd, so kill -9 leaves nothing attached, and it needs no qdisc.
 * Fallback for older kernels (Debian 12's 6.1): the clsact qdisc + a cls_bpf
 * filter through netlink. That attachment outlives the process, so a reaper
 * process, forked by sample_tc_attach(), removes exactly our filter (and the
 * qdisc only if we created it) when the sample's end closes its pipe: in
 * sample_tc_detach(), or when the kernel closes it because the sample died.
 */
#ifndef SAMPLE_TC_H
#define SAMPLE_TC_H

#include <stdbool.h>
#include <sys/types.h>

struct bpf_program;

struct sample_tc {
	int ifindex;
	bool ingress;
	int link_fd; /* tcx link, or -1 */
	bool legacy; /* attached through clsact + cls_bpf */
	bool created_qdisc; /* legacy only: we created clsact, so we remove it */
	unsigned int handle, priority;
	pid_t reaper; /* legacy only: the process that removes the filter */
	int reaper_fd; /* legacy only: closing it tells the reaper to */
};

/* Attach prog at ifindex ingress (or egress). Prints one line on failure and
 * returns -errno; on success says on stderr only when it had to use the legacy
 * (non-link) path. */
int sample_tc_attach(const char *prog_name, struct bpf_program *prog, int ifindex, bool ingress,
		     struct sample_tc *tc);
/* Detach: close the tcx link, or have the reaper remove the clsact filter and
 * wait for it. 0, or the filter removal's -errno. Safe twice. */
int sample_tc_detach(struct sample_tc *tc);

#endif /* SAMPLE_TC_H */
