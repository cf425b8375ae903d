// SPDX-License-Identifier: GPL-2.0
/* cgroup_array_pin.c - see cgroup_array_pin.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "cgroup.h"
#include "cgroup_array.h"
#include "cgroup_array_pin.h"

#define BPFFS "/sys/fs/bpf"

/* The map's id if fd is a CGROUP_ARRAY, else -errno after one line. */
static int check_cgroup_array(const char *path, int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int err;

	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		fprintf(stderr, "cgroup_array: '%s' is not a pinned map: %s\n", path,
			sample_strerror(err));
		return err;
	}
	if (info.type != BPF_MAP_TYPE_CGROUP_ARRAY) {
		fprintf(stderr,
			"cgroup_array: '%s' is a pinned map of type %u, not a CGROUP_ARRAY\n", path,
			info.type);
		return -EINVAL;
	}
	return (int)info.id;
}

int cgroup_array_pin_open(const char *path)
{
	int fd = bpf_obj_get(path), err;

	if (fd < 0) {
		err = -errno;
		if (err == -ENOENT)
			fprintf(stderr,
				"cgroup_array: nothing is pinned at '%s'; create it with: "
				"cgroup_array pin %s CGROUP\n",
				path, path);
		else
			fprintf(stderr,
				"cgroup_array: opening the pin '%s' failed: %s (is it on a "
				"bpffs?)\n",
				path, sample_strerror(err));
		return err;
	}
	err = check_cgroup_array(path, fd);
	if (err < 0) {
		close(fd);
		return err;
	}
	return fd;
}

int cgroup_array_set_slot(int map_fd, const char *cgroup_path)
{
	__u32 key = CGA_SLOT;
	int cg, err = 0;

	cg = sample_cgroup_open("cgroup_array", cgroup_path);
	if (cg < 0)
		return cg;
	/* The value is the directory fd; the map keeps a reference to the cgroup
	 * itself, so the fd can be closed right after. */
	if (bpf_map_update_elem(map_fd, &key, &cg, BPF_ANY)) {
		err = -errno;
		fprintf(stderr, "cgroup_array: putting %s into the CGROUP_ARRAY failed: %s\n",
			cgroup_path, sample_strerror(err));
	}
	close(cg);
	return err;
}

/* Pins live on a bpf filesystem. If the pin's directory is /sys/fs/bpf and
 * nothing is mounted there, mount bpffs (as systemd does at boot) and say so;
 * it stays mounted, since a pin exists to outlive this process. */
static int ensure_bpffs(const char *path)
{
	char dir[PATH_MAX], *slash;
	struct statfs sfs;
	int err;

	if (strlen(path) >= sizeof(dir)) {
		fprintf(stderr, "cgroup_array: pin path too long\n");
		return -ENAMETOOLONG;
	}
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (!statfs(dir, &sfs) && sfs.f_type == BPF_FS_MAGIC)
		return 0;
	if (!strcmp(dir, BPFFS)) {
		if (mount("bpf", BPFFS, "bpf", 0, "mode=0700")) {
			err = -errno;
			fprintf(stderr,
				"cgroup_array: %s is not a bpffs and mounting one there "
				"failed: %s\n",
				BPFFS, sample_strerror(err));
			return err;
		}
		fprintf(stderr,
			"cgroup_array: %s was not mounted: mounted bpffs there (it stays "
			"mounted; umount %s to undo)\n",
			BPFFS, BPFFS);
		return 0;
	}
	fprintf(stderr,
		"cgroup_array: '%s' is not on a bpffs; pins must live on one, e.g. "
		"%s/NAME (mount -t bpf bpf %s)\n",
		dir, BPFFS, BPFFS);
	return -EXDEV;
}

int cgroup_array_pin_new(const char *path, const char *cgroup)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	int fd, err;

	fd = bpf_map_create(BPF_MAP_TYPE_CGROUP_ARRAY, "cgroup_map", sizeof(__u32), sizeof(__u32),
			    CGA_SLOTS, NULL);
	if (fd < 0) {
		err = -errno;
		fprintf(stderr, "cgroup_array: creating a CGROUP_ARRAY failed: %s\n",
			sample_strerror(err));
		return err;
	}
	if (cgroup) {
		err = cgroup_array_set_slot(fd, cgroup);
		if (err)
			goto fail;
	}
	err = bpf_obj_pin(fd, path);
	if (!err)
		return fd;
	err = -errno;
	if (err == -EEXIST)
		fprintf(stderr,
			"cgroup_array: '%s' already exists; remove it with: cgroup_array "
			"unpin %s\n",
			path, path);
	else if (err == -EPERM && strchr(base, '.'))
		fprintf(stderr,
			"cgroup_array: pinning at '%s' failed: bpffs refuses names with a "
			"'.' (reserved); pick a name without one\n",
			path);
	else
		fprintf(stderr, "cgroup_array: pinning at '%s' failed: %s\n", path,
			sample_strerror(err));
fail:
	close(fd);
	return err;
}

static int cmd_pin(const char *path, const char *cgroup)
{
	int fd, err;

	err = ensure_bpffs(path);
	if (err)
		return err;
	fd = cgroup_array_pin_new(path, cgroup);
	if (fd < 0)
		return fd;
	printf("pinned CGROUP_ARRAY id %d at %s, slot 0 = %s\n", check_cgroup_array(path, fd), path,
	       cgroup);
	close(fd);
	return 0;
}

static int cmd_update(const char *path, const char *cgroup)
{
	int fd = cgroup_array_pin_open(path), err;

	if (fd < 0)
		return fd;
	err = cgroup_array_set_slot(fd, cgroup);
	if (!err)
		printf("updated CGROUP_ARRAY id %d pinned at %s: slot 0 = %s\n",
		       check_cgroup_array(path, fd), path, cgroup);
	close(fd);
	return err;
}

static int cmd_unpin(const char *path)
{
	int fd = cgroup_array_pin_open(path), id, err;

	if (fd < 0)
		return fd;
	id = check_cgroup_array(path, fd);
	close(fd);
	if (unlink(path)) {
		err = -errno;
		fprintf(stderr, "cgroup_array: removing the pin '%s' failed: %s\n", path,
			sample_strerror(err));
		return err;
	}
	printf("unpinned CGROUP_ARRAY id %d from %s\n", id, path);
	return 0;
}

bool cgroup_array_pin_command(const char *arg)
{
	return !strcmp(arg, "pin") || !strcmp(arg, "update") || !strcmp(arg, "unpin");
}

int cgroup_array_pin_main(int argc, char **argv)
{
	const char *cmd = argv[1];
	int want = !strcmp(cmd, "unpin") ? 3 : 4;

	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("Usage: cgroup_array pin|update|unpin PATH [CGROUP]\n%s\n"
			       "(cgroup_array -h for the rest)\n",
			       CGROUP_ARRAY_PIN_USAGE);
			return 0;
		}
	}
	if (argc != want) {
		fprintf(stderr, "cgroup_array: usage: cgroup_array %s PATH%s (see -h)\n", cmd,
			want == 4 ? " CGROUP" : "");
		return 2;
	}
	/* libbpf's warnings on stderr; no loop here, so no signal set-up. */
	libbpf_set_print(sample_print_warnings);
	if (sample_check_privileges("cgroup_array"))
		return 1;
	if (!strcmp(cmd, "pin"))
		return cmd_pin(argv[2], argv[3]) ? 1 : 0;
	if (!strcmp(cmd, "update"))
		return cmd_update(argv[2], argv[3]) ? 1 : 0;
	return cmd_unpin(argv[2]) ? 1 : 0;
}
