/* SPDX-License-Identifier: GPL-2.0 */
/* sockex1.h - what sockex1_kern.c and sockex1_user.c share. No includes: the
 * BPF side gets __u64 from vmlinux.h, the user side from <linux/types.h>. */
#ifndef SOCKEX1_H
#define SOCKEX1_H

/* One ARRAY slot per IP protocol number (the key), 0..255. */
#define SOCKEX1_MAX_PROTO 256

struct proto_stats {
	__u64 packets;
	__u64 bytes; /* IP bytes: header + payload, as the IP header states */
};

_Static_assert(sizeof(struct proto_stats) == 16, "proto_stats is shared with BPF");

#endif /* SOCKEX1_H */
