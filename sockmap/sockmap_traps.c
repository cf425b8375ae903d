// SPDX-License-Identifier: GPL-2.0
/*
 * sockmap_traps.c - the traps of a SOCKHASH / SOCKMAP, on sockmap's live map
 * with sockets of this process: only established (and listening) TCP sockets
 * go in, a lookup from user space returns the socket's cookie (8 bytes), never
 * an fd, an entry leaves the map when its socket closes, and an sk_msg program
 * attaches to a map, not to a cgroup.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "sockmap.h"
#include "sockmap_traps.h"
#include "sockmap.skel.h"

/* The kernel's answer: the errno's name, or what success means here. */
static const char *answer(int err, const char *ok)
{
	if (err)
		return sample_errname(err);
	return ok;
}

void sockmap_traps_show(struct sockmap *skel, const struct bpf_map *map, int cg_fd)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int lst = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int fresh = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool by_slot = bpf_map__type(map) == BPF_MAP_TYPE_SOCKMAP;
	const char *type = "BPF_MAP_TYPE_SOCKHASH";
	__u64 fd64 = fresh;
	__u64 cookie = 0;
	__u64 so_cookie = 0;
	socklen_t len = sizeof(so_cookie);
	struct sock_key key = {};
	__u32 slot = SOCKMAP_MAX_SOCKS - 1;
	void *k = &key;
	size_t ks = bpf_map__key_size(map);
	int small;
	int err;

	if (by_slot) {
		type = "BPF_MAP_TYPE_SOCKMAP";
		k = &slot;
	}
	printf("%s traps, on the live map:\n", type);
	err = bpf_map__update_elem(map, k, ks, &fd64, sizeof(fd64), BPF_ANY);
	printf("  update(fd of an unconnected TCP socket)  -> %s: only established (and listening) ones\n",
	       answer(err, "ok (unexpected)"));
	fd64 = lst;
	if (bind(lst, (struct sockaddr *)&a, sizeof(a)) || listen(lst, 1))
		fprintf(stderr, "sockmap: listen for the traps: %s\n", strerror(errno));
	err = bpf_map__update_elem(map, k, ks, &fd64, sizeof(fd64), BPF_ANY);
	printf("  update(fd of a listening socket)         -> %s\n", answer(err, "ok"));
	err = bpf_map__lookup_elem(map, k, ks, &cookie, sizeof(cookie), 0);
	getsockopt(lst, SOL_SOCKET, SO_COOKIE, &so_cookie, &len);
	printf("  lookup from user space                   -> %s, value %llu = SO_COOKIE %llu: "
	       "a cookie, never an fd\n",
	       answer(err, "ok"), (unsigned long long)cookie, (unsigned long long)so_cookie);
	small = bpf_map_create(bpf_map__type(map), "small", ks, 4, 1, NULL);
	fd64 = lst;
	bpf_map_update_elem(small, k, &fd64, BPF_ANY);
	err = bpf_map_lookup_elem(small, k, &cookie);
	if (err)
		err = -errno;
	printf("  the same on a map with 4-byte values     -> %s: a lookup needs 8 bytes for the cookie\n",
	       answer(err, "ok (unexpected)"));
	close(lst);
	err = bpf_map__lookup_elem(map, k, ks, &cookie, sizeof(cookie), 0);
	printf("  lookup after close(listening socket)     -> %s: the entry left with the socket\n",
	       answer(err, "found (unexpected)"));
	err = bpf_prog_attach(bpf_program__fd(skel->progs.redirect), cg_fd, BPF_SK_MSG_VERDICT, 0);
	if (err)
		err = -errno;
	printf("  attach sk_msg to the cgroup, not the map -> %s: sk_msg attaches to a map\n\n",
	       answer(err, "ok (unexpected)"));
	if (small >= 0)
		close(small);
	close(fresh);
}
