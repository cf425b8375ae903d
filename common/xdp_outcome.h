/* SPDX-License-Identifier: GPL-2.0 */
/*
 * common/xdp_outcome.h - what happened to frames after an XDP redirect, from
 * the kernel's own XDP tracepoints, for every sample that redirects.
 *
 * An XDP program that returns XDP_REDIRECT only asks for a redirect: the frame
 * can still be dropped by the egress device (a veth whose peer has no XDP
 * program and GRO off drops them all), refused (xdp_do_redirect() failed), or
 * dropped on a full CPU queue. A sample that counts "forwarded" when its
 * program returns XDP_REDIRECT would report frames that never left. So the
 * kernel's tracepoints are followed too, as xdp-bench does:
 *
 *   xdp_devmap_xmit     per bulk sent by a DEVMAP/DEVMAP_HASH egress device:
 *                       frames sent, frames dropped, the driver's error
 *   xdp_redirect_err    a redirect that failed at once (bad index, no target)
 *   xdp_exception       XDP_ABORTED or an invalid action on the ingress device
 *   xdp_cpumap_enqueue  frames put on (or dropped from) a CPUMAP entry's queue
 *
 * Only events of this sample's own ingress devices (and its own CPUMAP) count:
 * the tracepoints are global, and another XDP program on another interface
 * must not add to these numbers.
 *
 * BPF side: #include "xdp_outcome_kern.h" in the sample's _kern.c. User side:
 * sample_xdp_outcome_open() attaches the four programs (tp_btf, bpf_link: gone
 * with the process), _watch() names the ingress devices, _get() reads a row,
 * _print() prints the table.
 * Note: generic (skb-mode) XDP transmits redirected frames through the
 * ordinary stack, so xdp_devmap_xmit does not fire there; the outcome rows
 * then stay at zero and the sample says "generic mode: not traced".
 *
 * This header is shared by both sides: fixed-width types only.
 */
#ifndef SAMPLE_XDP_OUTCOME_H
#define SAMPLE_XDP_OUTCOME_H

#ifndef __bpf__
#include <linux/types.h>
#endif

enum xdp_outcome_kind {
	XDP_OUT_EGRESS = 1, /* id = egress ifindex: sent / dropped / err_bulks */
	XDP_OUT_INGRESS = 2, /* id = ingress ifindex: redirect_err / exceptions */
	XDP_OUT_CPU = 3, /* id = CPU: sent (queued) / dropped (queue full) */
};

struct xdp_outcome_key {
	__u32 kind;
	__u32 id;
};

struct xdp_outcome {
	__u64 sent; /* EGRESS: transmitted; CPU: queued for that CPU */
	__u64 dropped; /* EGRESS: not transmitted; CPU: queue was full */
	__u64 err_bulks; /* EGRESS: bulks the driver failed (their frames are in dropped) */
	__u64 redirect_err; /* INGRESS: xdp_do_redirect() refused the frame */
	__u64 exceptions; /* INGRESS: XDP_ABORTED or an invalid action */
	__s64 last_err; /* the last errno seen (driver or redirect), 0 = none */
};

/* A device whose XDP program is this sample's: (netns inode, ifindex). */
struct xdp_outcome_dev {
	__u32 netns;
	__u32 ifindex;
};

struct xdp_outcome_cfg {
	__u32 cpumap_id; /* count xdp_cpumap_enqueue of this map only (0: none) */
	__u32 pad;
};

_Static_assert(sizeof(struct xdp_outcome) == 48, "xdp_outcome layout");
_Static_assert(sizeof(struct xdp_outcome_key) == 8, "xdp_outcome_key layout");

#ifndef __bpf__
/* ---- user side ---------------------------------------------------------- */
#include <stdio.h>

struct bpf_object;
struct bpf_map;
struct bpf_link;

struct sample_xdp_outcome {
	struct bpf_link *links[4];
	struct bpf_map *outcomes, *devs, *cfg;
};

/* Attach the four tracepoint programs of xdp_outcome_kern.h found in obj (a
 * loaded skeleton's obj). 0, or -errno after one line naming the cause. */
int sample_xdp_outcome_open(struct sample_xdp_outcome *x, const char *prog, struct bpf_object *obj);
/* Count the events of ifindex (an ingress device of this sample), in the
 * calling thread's network namespace. 0 or -errno. */
int sample_xdp_outcome_watch(struct sample_xdp_outcome *x, int ifindex);
/* Count xdp_cpumap_enqueue for this CPUMAP. 0 or -errno. */
int sample_xdp_outcome_watch_cpumap(struct sample_xdp_outcome *x, const struct bpf_map *cpumap);
/* The row (kind, id); all zeros when nothing happened there yet. 0 or -errno. */
int sample_xdp_outcome_get(const struct sample_xdp_outcome *x, __u32 kind, __u32 id,
			   struct xdp_outcome *out);
/* The table a sample prints: one row per port of ifindexes (names looked up
 * in the calling thread's netns): as egress, frames transmitted and dropped by
 * the device; as ingress, redirects refused (xdp_do_redirect() failed: for a
 * veth whose peer has no XDP and GRO off this is EOPNOTSUPP on 6.x kernels,
 * ENXIO-as-drops on older ones) and exceptions; the last errno seen.
 *   after the redirect (kernel XDP tracepoints):
 *     port            transmitted    dev dropped  redirect errors    aborted
 *     r1                        9              0                0          0
 * 0 or -errno. */
int sample_xdp_outcome_print(const struct sample_xdp_outcome *x, FILE *f, const int *ifindexes,
			     int n);
/* Detach. Safe on a zeroed struct and twice. */
void sample_xdp_outcome_close(struct sample_xdp_outcome *x);

/* If ifindex is a veth whose peer is in this network namespace and has
 * neither an XDP program nor GRO, every frame XDP redirects into it is
 * dropped: print one warning line on stderr with the command that fixes it
 * and return 1. 0 when it is not such a veth (or the peer is in another
 * namespace, which cannot be checked from here), -errno on failure. */
int sample_veth_peer_check(const char *prog, int ifindex);

/* Whether the kernel checks a redirect's target device for ndo_xdp_xmit
 * before it takes the frame (its xdp_features, Linux >= 6.3; asked of its
 * BTF: enum netdev_xdp_act): 1, and a redirect into such a veth fails with
 * EOPNOTSUPP (a redirect error); 0, and the kernel takes the frames and the
 * veth drops them (ENXIO in xdp_devmap_xmit, the device's drop column; 6.1);
 * -errno when the kernel has no BTF to ask. The warning line above says
 * which. */
int sample_xdp_checks_features(void);
#endif

#endif /* SAMPLE_XDP_OUTCOME_H */
