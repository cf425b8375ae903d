// SPDX-License-Identifier: GPL-2.0
/* sockex1_traps.c - the ARRAY's traps on the live map (see sockex1_traps.h). */
#include <errno.h>
#include <stdio.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/in.h>

#include "sample.h"
#include "sockex1.h"
#include "sockex1_traps.h"

int sockex1_traps(const struct bpf_map *map)
{
	int fd = bpf_map__fd(map);
	struct proto_stats st = { 1, 1 }, zero = {};
	const char *what;
	__u32 key;
	int err;

	printf("BPF_MAP_TYPE_ARRAY traps, on the live map:\n");
	key = 200; /* no program has written it */
	err = bpf_map_lookup_elem(fd, &key, &st);
	if (err)
		err = -errno;
	what = "found";
	if (err)
		what = sample_errname(err);
	printf("  lookup key 200 (never written)  -> %s, packets=%llu bytes=%llu: "
	       "every slot exists and starts zeroed\n",
	       what, (unsigned long long)st.packets, (unsigned long long)st.bytes);
	if (err)
		return err;

	key = SOCKEX1_MAX_PROTO; /* one past the end */
	err = bpf_map_lookup_elem(fd, &key, &st);
	if (err)
		err = -errno;
	what = "found, unexpected";
	if (err)
		what = sample_strerror(err);
	printf("  lookup key %u (= max_entries)   -> %s (%s): the key is an index, not a name\n",
	       key, sample_errname(err), what);
	if (err != -ENOENT)
		return err ? err : -EINVAL;

	key = IPPROTO_TCP;
	err = bpf_map_delete_elem(fd, &key);
	if (err)
		err = -errno;
	what = "deleted, unexpected";
	if (err)
		what = sample_strerror(err);
	printf("  delete key %u                     -> %s (%s): array slots cannot be deleted\n",
	       key, sample_errname(err), what);
	if (err != -EINVAL)
		return err ? err : -EINVAL;

	err = bpf_map_update_elem(fd, &key, &zero, BPF_EXIST);
	if (err)
		err = -errno;
	what = "ok";
	if (err)
		what = sample_errname(err);
	printf("  update key %u with zeros          -> %s: this is how an array slot is reset\n\n",
	       key, what);
	return err;
}
