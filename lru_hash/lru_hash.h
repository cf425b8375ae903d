/* SPDX-License-Identifier: GPL-2.0 */
/* lru_hash.h - what lru_hash_kern.c and lru_hash_user.c share. No includes:
 * the BPF side gets __u32 from vmlinux.h, the user side from <linux/types.h>. */
#ifndef LRU_HASH_H
#define LRU_HASH_H

/* The flow table key: an IPv4 5-tuple, addresses and ports in network order
 * as they are on the wire. pad must be zero: the hash covers all 16 bytes. */
struct flow_key {
	__u32 saddr;
	__u32 daddr;
	__u16 sport;
	__u16 dport;
	__u8 proto;
	__u8 pad[3];
};

/* The value. In an LRU_PERCPU_HASH each CPU has its own copy and user space
 * sums them. */
struct flow_val {
	__u64 packets;
	__u64 bytes; /* IP bytes (tot_len) */
};

/* Program counters (an ARRAY indexed by these). */
enum lru_counter {
	CNT_PACKETS, /* IPv4 packets seen */
	CNT_INSERTS, /* new flows inserted */
	CNT_INSERT_FULL, /* inserts refused with E2BIG: HASH full */
	CNT_INSERT_ERR, /* inserts refused otherwise (ENOMEM: LRU found nothing to evict) */
	CNT_MAX,
};

_Static_assert(sizeof(struct flow_key) == 16, "flow_key is shared with BPF");
_Static_assert(sizeof(struct flow_val) == 16, "flow_val is shared with BPF");

#endif /* LRU_HASH_H */
