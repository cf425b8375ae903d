// SPDX-License-Identifier: GPL-2.0
/* port_pool_traps.c - see port_pool_traps.h. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "sample.h"
#include "port_pool_traps.h"

/* The API of a keyless map, on a scratch map of 3 entries. */
static void show_keyless(enum bpf_map_type type, const char *name)
{
	int fd = bpf_map_create(type, NULL, 0, sizeof(__u32), 3, NULL), err;
	__u32 v;

	printf("BPF_MAP_TYPE_%s, 3 entries, no key (key_size 0: pass NULL):\n", name);
	for (v = 1; v <= 3 && fd >= 0; v++)
		bpf_map_update_elem(fd, NULL, &v, BPF_ANY);
	err = bpf_map_update_elem(fd, NULL, &v, BPF_ANY) ? -errno : 0;
	printf("  push 1 2 3, push 4           -> %s: full\n", sample_errname(err));
	err = bpf_map_update_elem(fd, NULL, &v, BPF_EXIST) ? -errno : 0;
	printf("  push 4 with BPF_EXIST        -> %s: the oldest (1) is overwritten\n",
	       err ? sample_errname(err) : "ok");
	err = bpf_map_lookup_elem(fd, NULL, &v) ? -errno : 0;
	printf("  peek (lookup, NULL key)      -> %u, still there\n  pop all (lookup_and_delete)  ->",
	       err ? 0 : v);
	while (!bpf_map_lookup_and_delete_elem(fd, NULL, &v))
		printf(" %u", v);
	err = -errno;
	printf(", then %s: empty\n\n", sample_errname(err));
	if (fd >= 0)
		close(fd);
}

void pp_show_traps(void)
{
	show_keyless(BPF_MAP_TYPE_QUEUE, "QUEUE");
	show_keyless(BPF_MAP_TYPE_STACK, "STACK");
}
