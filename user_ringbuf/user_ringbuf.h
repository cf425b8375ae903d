/* SPDX-License-Identifier: GPL-2.0 */
/* user_ringbuf.h - what user_ringbuf_kern.c and user_ringbuf_user.c share.
 * No includes: the BPF side gets __u32 from vmlinux.h, the user side from
 * <linux/types.h>. */
#ifndef USER_RINGBUF_H
#define USER_RINGBUF_H

#define URB_MAX_ADDRS 32 /* addresses one ADD or DEL command may carry */

enum urb_op {
	URB_ADD = 1, /* rules[addr] = action, for each address */
	URB_DEL = 2, /* delete the rule of each address */
	URB_RESET = 3, /* zero the hit counter of every rule */
	URB_STOP = 4, /* end this drain here (the callback returns 1) */
};

enum urb_action { URB_PASS = 0, URB_DROP = 1 };

/* Every command starts with this header; ADD and DEL carry n __u32 IPv4
 * addresses (network order) right after it, so a command's size varies. */
struct urb_cmd {
	__u32 op;
	__u32 seq; /* chosen by user space, echoed in the ack */
	__u32 action; /* ADD: enum urb_action */
	__u32 n; /* addresses that follow */
};

/* One acknowledgement per command, through the kernel -> user RINGBUF. */
struct urb_ack {
	__u32 seq;
	__u32 op;
	__s32 result; /* 0, or the -errno of the first failure */
	__u32 applied; /* addresses (or rules, for RESET) it changed */
};

struct urb_rule {
	__u32 action;
	__u32 pad;
	__u64 hits; /* packets it matched */
};

_Static_assert(sizeof(struct urb_cmd) == 16, "urb_cmd is shared with BPF");
_Static_assert(sizeof(struct urb_ack) == 16, "urb_ack is shared with BPF");
_Static_assert(sizeof(struct urb_rule) == 16, "urb_rule is shared with BPF");

#endif /* USER_RINGBUF_H */
