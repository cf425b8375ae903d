// SPDX-License-Identifier: GPL-2.0
/*
 * local_storage_inode.c - BPF_MAP_TYPE_INODE_STORAGE from user space. The key
 * is a file descriptor; the storage belongs to the inode behind it, so every
 * name and every fd of that inode sees the same value, and it is freed with
 * the inode. See local_storage_inode.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "local_storage.h"
#include "local_storage_inode.h"

#define OPENS 3

int local_storage_inode_files(int fds[3])
{
	char dir[] = "/tmp/local_storage.XXXXXX", a[64], b[64], c[64];
	int err = 0;

	fds[0] = -1;
	fds[1] = -1;
	fds[2] = -1;
	if (!mkdtemp(dir))
		return -errno;
	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	snprintf(c, sizeof(c), "%s/c", dir);
	fds[0] = open(a, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fds[0] >= 0 && !link(a, b))
		fds[1] = open(b, O_RDONLY | O_CLOEXEC);
	if (fds[1] >= 0)
		fds[2] = open(c, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fds[2] < 0)
		err = -errno;
	unlink(a);
	unlink(b);
	unlink(c);
	rmdir(dir);
	for (int i = 0; err && i < 3; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
	return err;
}

static const char *res(int err, char *buf, size_t len, const struct file_note *n)
{
	if (err)
		snprintf(buf, len, "%s (%s)", sample_errname(err), sample_strerror(err));
	else if (n)
		snprintf(buf, len, "tag %llu, opens %llu", (unsigned long long)n->tag,
			 (unsigned long long)n->opens);
	else
		snprintf(buf, len, "ok");
	return buf;
}

/* Open the tagged file OPENS times by its /proc/self/fd name: each open runs
 * lsm/file_open on the same inode. */
static void open_again(int fd)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	for (int i = 0; i < OPENS; i++) {
		int f = open(path, O_RDONLY | O_CLOEXEC);

		if (f >= 0)
			close(f);
	}
}

int local_storage_inode_show(const char *prog, const struct bpf_map *map, bool counted)
{
	struct file_note note = { .tag = 42 }, got = {};
	const char *opens = "";
	int fds[3], err;
	char r[96];

	err = local_storage_inode_files(fds);
	if (err) {
		fprintf(stderr, "%s: making files under /tmp failed: %s\n", prog,
			sample_strerror(err));
		return err;
	}
	printf("BPF_MAP_TYPE_INODE_STORAGE, key = a file fd (files a, b = hard link to a, c):\n");
	err = bpf_map__update_elem(map, &fds[0], sizeof(int), &note, sizeof(note), BPF_NOEXIST);
	printf("  update(fd of a, tag 42)          -> %s\n", res(err, r, sizeof(r), NULL));
	if (!err && counted) {
		open_again(fds[0]);
		opens = " (3 opens of a counted by lsm/file_open)";
	}
	err = bpf_map__lookup_elem(map, &fds[1], sizeof(int), &got, sizeof(got), 0);
	printf("  lookup(fd of b)                  -> %s: the storage is the inode's, not the "
	       "name's%s\n",
	       res(err, r, sizeof(r), &got), opens);
	err = bpf_map__lookup_elem(map, &fds[2], sizeof(int), &got, sizeof(got), 0);
	printf("  lookup(fd of c, another file)    -> %s\n", res(err, r, sizeof(r), &got));
	err = bpf_map__delete_elem(map, &fds[1], sizeof(int), 0);
	printf("  delete(fd of b)                  -> %s\n", res(err, r, sizeof(r), NULL));
	err = bpf_map__lookup_elem(map, &fds[0], sizeof(int), &got, sizeof(got), 0);
	printf("  lookup(fd of a)                  -> %s\n\n", res(err, r, sizeof(r), &got));
	for (int i = 0; i < 3; i++)
		close(fds[i]);
	return 0;
}
