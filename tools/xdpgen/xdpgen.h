/* SPDX-License-Identifier: GPL-2.0 */
/* tools/xdpgen/xdpgen.h - what the sink program and xdpgen share. */
#ifndef XDPGEN_H
#define XDPGEN_H

/* One per CPU in the sink's PERCPU_ARRAY: frames, bytes, and the ktime
 * (CLOCK_MONOTONIC, ns) of the first and the last frame this CPU counted. */
struct sinkrec {
	__u64 packets;
	__u64 bytes;
	__u64 first_ns;
	__u64 last_ns;
};
_Static_assert(sizeof(struct sinkrec) == 32, "struct sinkrec is 4 x u64");

#endif /* XDPGEN_H */
