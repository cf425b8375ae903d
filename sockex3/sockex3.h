/* SPDX-License-Identifier: GPL-2.0 */
/* sockex3.h - what sockex3_kern.c, sockex3_user.c and sockex3_demo.c share.
 * No includes: the BPF side gets __u8..__u64 from vmlinux.h, the user side
 * from <linux/types.h>. */
#ifndef SOCKEX3_H
#define SOCKEX3_H

/*
 * The stages. A stage's number is its slot in the PROG_ARRAY `stages` (the
 * index bpf_tail_call() jumps through) and its counter in `stage_stats`.
 * SX3_ETH is the program attached to the socket: it is never tail-called, so
 * its slot stays empty. SX3_UDP_B is the spare UDP stage that the hot swap
 * puts into slot SX3_UDP: it has a counter but no slot of its own.
 */
#define SX3_ETH 0 /* Ethernet header: where does it go next? */
#define SX3_VLAN 1 /* an offloaded tag and up to 2 in-band tags */
#define SX3_IPV4 2
#define SX3_IPV6 3
#define SX3_TCP 4
#define SX3_UDP 5
#define SX3_LOOP 6 /* tail-calls itself: how far does the kernel let it go? */
#define SX3_SLOTS 7 /* max_entries of the PROG_ARRAY */
#define SX3_UDP_B 7
#define SX3_STAGES 8 /* max_entries of the counters */

#define SOCKEX3_MAX_FLOWS 4096
#define SOCKEX3_AF_INET 2 /* AF_INET, AF_INET6 as the kernel numbers them */
#define SOCKEX3_AF_INET6 10

/* Per stage, per CPU (a PERCPU_ARRAY): summed in user space. */
struct stage_stats {
	__u64 runs; /* times this stage's program ran */
	__u64 fell_through; /* tail calls into this slot that did not jump:
				 * the slot was empty, or the chain was too long */
};

/*
 * The 5-tuple. An IPv4 address sits in src[0..3] / dst[0..3], the other bytes
 * stay zero: a hash compares every byte of the key, padding included, so the
 * layout has none and the program starts from a zeroed key. Ports are in host
 * byte order, 0 for protocols without ports (ICMP) and for IPv4 fragments
 * after the first.
 */
struct flow_key {
	__u8 src[16];
	__u8 dst[16];
	__u16 sport;
	__u16 dport;
	__u8 proto; /* IPPROTO_TCP, IPPROTO_UDP, ... */
	__u8 family; /* SOCKEX3_AF_INET or SOCKEX3_AF_INET6 */
	__u16 pad; /* always 0: an explicit hole, zeroed */
};

struct flow_count {
	__u64 packets;
	__u64 bytes; /* IP bytes: header + payload, as the IP header states */
};

_Static_assert(sizeof(struct stage_stats) == 16, "stage_stats is shared with BPF");
_Static_assert(sizeof(struct flow_key) == 40, "flow_key is shared with BPF, no padding");
_Static_assert(sizeof(struct flow_count) == 16, "flow_count is shared with BPF");

#endif /* SOCKEX3_H */
