/* SPDX-License-Identifier: GPL-2.0 */
/* sockex2.h - what sockex2_kern.c and sockex2_user.c share. No includes: the
 * BPF side gets __u32/__u64 from vmlinux.h, the user side from <linux/types.h>. */
#ifndef SOCKEX2_H
#define SOCKEX2_H

/* Default size of the HASH; -m N changes it before load. */
#define SOCKEX2_MAX_ENTRIES 1024

/* Address families as the kernel numbers them (AF_INET, AF_INET6). */
#define SOCKEX2_AF_INET 2
#define SOCKEX2_AF_INET6 10

/*
 * The key: a destination address, IPv4 or IPv6. An IPv4 address sits in
 * addr[0..3] and addr[4..15] stay zero. A hash map hashes and compares all
 * 20 bytes of the key, so every byte must be set: build keys from a zeroed
 * struct, or the same address becomes several different keys. The layout has
 * no padding (4 + 16 bytes), which is why family is a __u32 and not a __u8.
 */
struct dst_key {
	__u32 family; /* SOCKEX2_AF_INET or SOCKEX2_AF_INET6 */
	__u8 addr[16]; /* network byte order */
};

struct dst_counts {
	__u64 packets;
	__u64 bytes; /* IP bytes: header + payload, as the IP header states */
};

_Static_assert(sizeof(struct dst_key) == 20, "dst_key is shared with BPF, no padding");
_Static_assert(sizeof(struct dst_counts) == 16, "dst_counts is shared with BPF");

#endif /* SOCKEX2_H */
