// SPDX-License-Identifier: GPL-2.0
/* user_ringbuf_traps.c - see user_ringbuf_traps.h. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "user_ringbuf_traps.h"

void urb_show_traps(void)
{
	struct user_ring_buffer *rb;
	int fd, n = 0;
	void *s;

	fd = bpf_map_create(BPF_MAP_TYPE_USER_RINGBUF, "scratch", 0, 0, 4096, NULL);
	if (fd < 0)
		return;
	rb = user_ring_buffer__new(fd, NULL);
	if (!rb) {
		close(fd);
		return;
	}
	s = user_ring_buffer__reserve(rb, 100);
	while (s) {
		n++; /* reserved and never submitted: the kernel sees nothing */
		s = user_ring_buffer__reserve(rb, 100);
	}
	printf("A 4096-byte user ring takes %d records of 100 bytes (each 8 header bytes + 100, "
	       "rounded up to 112), then reserve fails with %s;\n",
	       n, sample_errname(errno));
	s = user_ring_buffer__reserve_blocking(rb, 100, 50);
	printf("reserve_blocking waits for the kernel to drain: after 50 ms, %s;\n",
	       s ? "reserved?" : sample_errname(errno));
	s = user_ring_buffer__reserve(rb, 5000);
	printf("a record larger than the ring: %s. Reserved space is freed only when the "
	       "kernel drains past it.\n\n",
	       s ? "reserved?" : sample_errname(errno));
	user_ring_buffer__free(rb);
	close(fd);
}
