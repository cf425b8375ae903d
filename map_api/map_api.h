/* SPDX-License-Identifier: GPL-2.0 */
/* map_api.h - what map_api_kern.c and the user side share. No includes: the
 * BPF side gets __u64 from vmlinux.h, the user side from <linux/types.h>. */
#ifndef MAP_API_H
#define MAP_API_H

/* Step 4: a value that is read whole or not at all. The program writes the
 * same stamp into every slot; a reader that sees two different stamps in one
 * value has read it half-written (a torn read). 16 slots make the write long
 * enough for a reader on another CPU to land inside it. */
#define MAP_API_STAMPS 16

/* The lock's 4 bytes: struct bpf_spin_lock on the BPF side (the kernel finds
 * it through BTF), plain bytes that user space never touches. */
#ifndef MAP_API_LOCK
#define MAP_API_LOCK __u32
#endif

struct stamped {
	MAP_API_LOCK lock;
	__u32 pad;
	__u64 stamp[MAP_API_STAMPS];
};

_Static_assert(sizeof(struct stamped) == 8 + 8 * MAP_API_STAMPS, "stamped is shared with BPF");

/* Step 6: the BPF_F_MMAPABLE array user space writes through mmap(). */
#define MAP_API_MMAP_SLOTS 512 /* 512 * 8 bytes = one 4 KiB page */

#endif /* MAP_API_H */
