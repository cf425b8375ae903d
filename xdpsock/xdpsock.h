/* SPDX-License-Identifier: GPL-2.0 */
/* xdpsock.h - what xdpsock_kern.c and xdpsock_user.c share. No includes: the
 * BPF side gets __u64 from vmlinux.h, the user side from <linux/types.h>. */
#ifndef XDPSOCK_H
#define XDPSOCK_H

/* XSKMAP keys are receive queue ids 0..XDPSOCK_MAX_QUEUES-1. */
#define XDPSOCK_MAX_QUEUES 64

/* Per CPU (PERCPU_ARRAY, one slot), summed in user space. */
struct xdp_counts {
	__u64 redirected; /* a socket sat in the queue's XSKMAP slot */
	__u64 passed; /* no socket for this queue: XDP_PASS to the stack */
};

_Static_assert(sizeof(struct xdp_counts) == 16, "xdp_counts is shared with BPF");

#endif /* XDPSOCK_H */
