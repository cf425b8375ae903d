/* SPDX-License-Identifier: GPL-2.0 */
/* select_reuseport.h - what select_reuseport_kern.c, _user.c and _demo.c share.
 * No includes: the BPF side gets __u64 from vmlinux.h, the user side from
 * <linux/types.h>. */
#ifndef SELECT_REUSEPORT_H
#define SELECT_REUSEPORT_H

/* Slots of each REUSEPORT_SOCKARRAY: at most this many workers (-n). */
#define SR_MAX_WORKERS 16
/* The UDP payload's first byte is the shard key; key % workers is the slot. */

/* One ARRAY slot (key 0) of counters, written by both programs. */
struct sr_counters {
	__u64 selected; /* UDP: bpf_sk_select_reuseport() chose a worker */
	__u64 empty_slot; /* UDP: the key's slot was empty (-ENOENT): kernel hash */
	__u64 select_failed; /* UDP: another error from the helper: kernel hash */
	__u64 no_key; /* UDP: no payload byte to read: kernel hash */
	__u64 syn_selected; /* TCP: a SYN sent to the listener in syn_slot */
	__u64 migrated; /* TCP: a closing listener's request moved to migrate_slot */
	__u64 migrate_failed; /* TCP: the migrate target was missing: kernel hash */
	__s64 last_err; /* the helper's last error (-ENOENT, -EXDEV ...) */
};

_Static_assert(sizeof(struct sr_counters) == 64, "sr_counters is shared with BPF");

#endif /* SELECT_REUSEPORT_H */
