// SPDX-License-Identifier: GPL-2.0
/* sk_storage_traps.c - the SK_STORAGE map's traps on the live map (see sk_storage_traps.h). */
#include <stdio.h>
#include <unistd.h>
#include <sys/socket.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "sk_storage.h"
#include "sk_storage_traps.h"

/* The kernel's own "operation not supported" (include/linux/errno.h), which
 * user space's <errno.h> does not name. */
#define ENOTSUPP 524

/* The kernel's answer err (0 or -errno) as the traps print it. */
static const char *answer(int err, const char *if_ok)
{
	if (err)
		return sample_strerror(err);
	return if_ok;
}

void sk_storage_traps(const struct bpf_map *map, int dir_fd)
{
	int udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sk_stats st = {};
	const char *what;
	int key = 0, next, err;

	printf("BPF_MAP_TYPE_SK_STORAGE traps, on the live map:\n");
	err = bpf_map__lookup_elem(map, &udp, sizeof(udp), &st, sizeof(st), 0);
	printf("  lookup(fd of a new UDP socket)     -> %s: a socket has storage only once a "
	       "program created it\n",
	       answer(err, "found (unexpected)"));
	err = bpf_map__update_elem(map, &udp, sizeof(udp), &st, sizeof(st), BPF_NOEXIST);
	printf("  update(that fd) from user space    -> %s: user space may create it too\n",
	       answer(err, "ok"));
	err = bpf_map__delete_elem(map, &udp, sizeof(udp), 0);
	printf("  delete(that fd)                    -> %s\n", answer(err, "ok"));
	err = bpf_map__lookup_elem(map, &dir_fd, sizeof(dir_fd), &st, sizeof(st), 0);
	printf("  lookup(fd of a directory)          -> %s: the key must be a socket fd\n",
	       answer(err, "found (unexpected)"));
	err = bpf_map__get_next_key(map, &key, &next, sizeof(key));
	what = answer(err, "ok (unexpected)");
	if (err == -ENOTSUPP)
		what = "error 524 (ENOTSUPP)";
	printf("  get_next_key                       -> %s: no walking the map from user "
	       "space; an iterator does it\n\n",
	       what);
	if (udp >= 0)
		close(udp);
}
