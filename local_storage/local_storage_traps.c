// SPDX-License-Identifier: GPL-2.0
/* local_storage_traps.c - see local_storage_traps.h. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "local_storage.h"
#include "local_storage.skel.h"
#include "local_storage_traps.h"

/* A TASK_STORAGE with task_counts' BTF and map_flags flags: 0 if the kernel
 * creates it (and it is closed at once), or -errno. */
static int create_task_storage(struct local_storage *skel, __u32 flags)
{
	const struct bpf_map *task = skel->maps.task_counts;
	LIBBPF_OPTS(bpf_map_create_opts, mo, .btf_fd = bpf_object__btf_fd(skel->obj),
		    .btf_key_type_id = bpf_map__btf_key_type_id(task),
		    .btf_value_type_id = bpf_map__btf_value_type_id(task), .map_flags = flags);
	int fd;

	fd = bpf_map_create(BPF_MAP_TYPE_TASK_STORAGE, "no_prealloc", sizeof(int),
			    sizeof(struct sys_counts), 0, &mo);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

void local_storage_traps_show(struct local_storage *skel, int cg_fd)
{
	const struct bpf_map *task = skel->maps.task_counts;
	bool cgrp = bpf_map__fd(skel->maps.cgrp_counts) >= 0; /* no CGRP_STORAGE: -1 */
	int me = getpid();
	int self = syscall(SYS_pidfd_open, me, 0);
	const char *with_flag = "ok";
	const char *by_pidfd = "found";
	const char *walk;
	struct sys_counts c;
	struct stat st = {};
	int err, id, next;

	/* The same map as task_counts (same BTF), once without the flag. */
	err = create_task_storage(skel, 0);
	printf("Local storage traps, on the live maps:\n"
	       "  create TASK_STORAGE with map_flags 0 -> %s; ",
	       sample_errname(err));
	err = create_task_storage(skel, BPF_F_NO_PREALLOC);
	if (err)
		with_flag = sample_errname(err);
	printf("with BPF_F_NO_PREALLOC -> %s\n", with_flag);

	err = bpf_map__lookup_elem(task, &me, sizeof(me), &c, sizeof(c), 0);
	printf("  task lookup(key = my pid)            -> %s: the key is a pidfd, not a pid\n",
	       sample_errname(err));
	err = bpf_map__lookup_elem(task, &self, sizeof(self), &c, sizeof(c), 0);
	if (err)
		by_pidfd = sample_errname(err);
	printf("  task lookup(key = my pidfd)          -> %s: no storage until a program creates it\n"
	       "                                          (BPF_LOCAL_STORAGE_GET_F_CREATE) or user space does\n",
	       by_pidfd);

	fstat(cg_fd, &st);
	id = (int)st.st_ino; /* on cgroup v2 the directory's inode number is the cgroup id */
	if (cgrp) {
		err = bpf_map__lookup_elem(skel->maps.cgrp_counts, &id, sizeof(id), &c, sizeof(c),
					   0);
		printf("  cgroup lookup(key = the cgroup's id) -> %s: the key is a cgroup fd, not an id\n",
		       sample_errname(err));
	}

	err = bpf_map__get_next_key(task, &id, &next, sizeof(id));
	walk = sample_errname(err);
	if (err == -524) /* the kernel-internal ENOTSUPP, which libc has no name for */
		walk = "error 524 (ENOTSUPP)";
	printf("  get_next_key                         -> %s: no walking the map from user space\n\n",
	       walk);
	if (self >= 0)
		close(self);
}
