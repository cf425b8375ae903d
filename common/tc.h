/* SPDX-License-Identifier: GPL-2.0 */
/*
 * common/tc.h - attach a SEC("tc") program to an interface's ingress or egress.
 *
 * Preferred: a tcx link (kernel >= 6.6). Like an XDP bpf_link it lives only as
 * long as its fd, so kill -9 leaves nothing attached, and it needs no qdisc.
 * Fallback for older kernels: the clsact qdisc + a cls_bpf filter through
 * netlink. That attachment outlives the process, so sample_tc_detach() must run:
 * it removes exactly our filter, and the qdisc only if we created it.
 */
#ifndef SAMPLE_TC_H
#define SAMPLE_TC_H

#include <stdbool.h>

struct bpf_program;

struct sample_tc {
	int ifindex;
	bool ingress;
	int link_fd; /* tcx link, or -1 */
	bool legacy; /* attached through clsact + cls_bpf */
	bool created_qdisc; /* legacy only: we created clsact, so we remove it */
	unsigned int handle, priority;
};

/* Attach prog at ifindex ingress (or egress). Prints one line on failure and
 * returns -errno; on success says on stderr only when it had to use the legacy
 * (non-link) path. */
int sample_tc_attach(const char *prog_name, struct bpf_program *prog, int ifindex, bool ingress,
		     struct sample_tc *tc);
void sample_tc_detach(struct sample_tc *tc);

#endif /* SAMPLE_TC_H */
