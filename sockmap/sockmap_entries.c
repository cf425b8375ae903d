// SPDX-License-Identifier: GPL-2.0
/* sockmap_entries.c - sockets in sockmap's map now. See sockmap_entries.h. */
#include <linux/types.h>
#include <bpf/libbpf.h>

#include "sockmap.h"
#include "sockmap_entries.h"

int sockmap_entries(const struct bpf_map *map)
{
	struct sock_key key, next;
	int n = 0;
	int err;
	__u64 cookie;

	if (bpf_map__type(map) == BPF_MAP_TYPE_SOCKMAP) {
		/* Every slot exists; a lookup of an empty one fails (ENOENT). */
		for (__u32 i = 0; i < bpf_map__max_entries(map); i++) {
			err = bpf_map__lookup_elem(map, &i, sizeof(i), &cookie, sizeof(cookie), 0);
			if (!err)
				n++;
		}
		return n;
	}
	err = bpf_map__get_next_key(map, NULL, &next, sizeof(next));
	while (!err) {
		key = next;
		n++;
		err = bpf_map__get_next_key(map, &key, &next, sizeof(next));
	}
	return n;
}
