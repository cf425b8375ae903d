// SPDX-License-Identifier: GPL-2.0
/* cgroup_array_traps.c - see cgroup_array_traps.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "sample.h"
#include "cgroup.h"
#include "cgroup_array.h"
#include "cgroup_array_traps.h"

/* 524: the kernel-internal ENOTSUPP, which libc has no text for. */
#define KERNEL_ENOTSUPP 524

/* Put the directory fd dir into slot key: 0 or -errno. */
static int try_update(int map_fd, __u32 key, int dir)
{
	int err;

	if (dir < 0)
		return dir;
	err = bpf_map_update_elem(map_fd, &key, &dir, BPF_ANY);
	if (err)
		err = -errno;
	close(dir);
	return err;
}

void cgroup_array_traps_show(int map_fd, const char *cgroup)
{
	const char *got = "found (unexpected)";
	__u32 key = CGA_SLOT, val;
	int dir, err;

	/* User space writes fds, but cannot read anything back. */
	err = bpf_map_lookup_elem(map_fd, &key, &val);
	if (err)
		err = -errno;
	if (err)
		got = sample_strerror(err);
	if (err == -KERNEL_ENOTSUPP)
		got = "error 524 (ENOTSUPP)";
	printf("  lookup slot 0 from user space        -> %s: a CGROUP_ARRAY is write-only "
	       "from user space\n",
	       got);

	got = "ok (unexpected)";
	dir = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		dir = -errno;
	err = try_update(map_fd, CGA_SLOT, dir);
	if (err)
		got = sample_strerror(err);
	printf("  update slot 0 with an fd of /        -> %s: only cgroup v2 directories "
	       "are accepted\n",
	       got);

	got = "ok (unexpected)";
	dir = sample_cgroup_open("cgroup_array", cgroup);
	err = try_update(map_fd, CGA_SLOTS, dir);
	if (err)
		got = sample_strerror(err);
	printf("  update slot 1 (= max_entries)        -> %s\n", got);
}
