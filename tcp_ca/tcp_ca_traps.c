// SPDX-License-Identifier: GPL-2.0
/* tcp_ca_traps.c - see tcp_ca_traps.h. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "tcp_ca.h"
#include "tcp_ca.skel.h"
#include "tcp_ca_load.h"
#include "tcp_ca_traps.h"

void tcp_ca_traps_show(struct tcp_ca *skel)
{
	const char *got = "ok, unexpected";
	__u32 zero = 0;
	int err, fd;

	printf("BPF_MAP_TYPE_STRUCT_OPS traps, on the live kernel:\n");
	err = bpf_map_delete_elem(bpf_map__fd(skel->maps.tcp_ca_ops), &zero);
	if (err)
		got = sample_errname(-errno);
	printf("  delete the map's element (old way out) -> %s: only closing the link unregisters it\n",
	       got);

	got = "ok, unexpected";
	fd = tcp_ca_register(skel->maps.ca_no_undo);
	if (fd < 0)
		got = sample_errname(fd);
	printf("  register ca_no_undo (no .undo_cwnd)    -> %s: ssthresh, undo_cwnd and cong_avoid\n"
	       "                                            (or cong_control) are required\n\n",
	       got);
	if (fd >= 0)
		close(fd);
}
