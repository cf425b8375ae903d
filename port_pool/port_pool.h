/* SPDX-License-Identifier: GPL-2.0 */
/* port_pool.h - what port_pool_kern.c and port_pool_user.c share. No
 * includes: the BPF side gets __u32 from vmlinux.h, the user side from
 * <linux/types.h>. */
#ifndef PORT_POOL_H
#define PORT_POOL_H

#define PP_PORT_FIRST 40000 /* the pool is PP_PORT_FIRST .. PP_PORT_FIRST + size - 1 */
#define PP_MAX_POOL 4096 /* largest -P */

/* A flow: the IPv4 5-tuple as on the wire (network order). pad must be zero. */
struct pp_flow {
	__u32 saddr;
	__u32 daddr;
	__u16 sport;
	__u16 dport;
	__u8 proto;
	__u8 pad[3];
};

/* What a flow holds: the source port it was given, and when it was last seen. */
struct pp_binding {
	__u32 port; /* host order */
	__u32 pad;
	__u64 packets;
	__u64 last_ns; /* bpf_ktime_get_ns() of its last packet */
};

/* Counters, an ARRAY indexed by these. */
enum pp_counter {
	PP_PACKETS, /* TCP/UDP over IPv4 seen */
	PP_GRANTED, /* new flows that popped a port */
	PP_REFUSED, /* new flows dropped: the free list was empty (ENOENT) */
	PP_FREED_BPF, /* ports pushed back by the program (TCP FIN or RST) */
	PP_FREED_USER, /* ports pushed back by user space (idle flows expired) */
	PP_REUSED, /* grants of a port that had been freed before */
	PP_DIST_SUM, /* reuse distance summed over PP_REUSED grants */
	PP_DIST_MIN, /* smallest reuse distance (0 = none yet) */
	PP_DIST_MAX, /* largest */
	PP_NCOUNTERS,
};

_Static_assert(sizeof(struct pp_flow) == 16, "pp_flow is shared with BPF");
_Static_assert(sizeof(struct pp_binding) == 24, "pp_binding is shared with BPF");

#endif /* PORT_POOL_H */
