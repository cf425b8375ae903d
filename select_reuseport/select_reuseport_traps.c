// SPDX-License-Identifier: GPL-2.0
/*
 * select_reuseport_traps.c - the REUSEPORT_SOCKARRAY's traps, on
 * select_reuseport's live map: bind before you insert, a socket of another
 * group is taken (and fails only at selection), close empties the slot, one
 * slot per socket, and a lookup returns the socket's cookie, not an fd.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "select_reuseport.h"
#include "select_reuseport_socket.h"
#include "select_reuseport_traps.h"
#include "select_reuseport.skel.h"

/* Try to put fd into slot; the kernel's answer as a word. */
static const char *try_insert(int map_fd, __u32 slot, int fd)
{
	__u64 val = fd;

	if (fd < 0)
		return sample_errname(fd);
	if (bpf_map_update_elem(map_fd, &slot, &val, BPF_ANY))
		return sample_errname(-errno);
	return "ok";
}

int select_reuseport_traps_show(struct select_reuseport *skel, __u16 port, int worker0)
{
	int map_fd = bpf_map__fd(skel->maps.udp_workers);
	__u32 slot = SR_MAX_WORKERS - 1;
	__u64 val = 0;
	__u64 cookie = 0;
	socklen_t len = sizeof(cookie);
	const char *found = "found, unexpected";
	int fd;
	int err;

	printf("BPF_MAP_TYPE_REUSEPORT_SOCKARRAY traps, on the live map:\n");
	fd = select_reuseport_socket(SOCK_DGRAM, 0);
	printf("  insert an unbound socket            -> %s: bind before you insert\n",
	       try_insert(map_fd, slot, fd));
	close(fd);
	fd = select_reuseport_socket(SOCK_DGRAM, port + 2);
	printf("  insert a socket of another group    -> %s: accepted, but selecting it fails "
	       "(EBADFD) and the kernel hashes\n",
	       try_insert(map_fd, slot, fd));
	close(fd);
	err = bpf_map_lookup_elem(map_fd, &slot, &val);
	if (err)
		err = -errno;
	if (err)
		found = sample_errname(err);
	printf("  lookup its slot after close()       -> %s: a closed socket leaves the map\n",
	       found);
	printf("  insert worker 0 again (slot %u)     -> %s: a socket sits in one slot only\n",
	       slot, try_insert(map_fd, slot, worker0));
	slot = 0;
	found = "ok,";
	err = bpf_map_lookup_elem(map_fd, &slot, &val);
	if (err)
		err = -errno;
	if (err)
		found = sample_errname(err);
	getsockopt(worker0, SOL_SOCKET, SO_COOKIE, &cookie, &len);
	printf("  lookup slot 0 from user space       -> %s %llu, worker 0's SO_COOKIE is %llu: "
	       "sockets, not fds\n\n",
	       found, (unsigned long long)val, (unsigned long long)cookie);
	return err;
}
