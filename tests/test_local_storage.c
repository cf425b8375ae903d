// SPDX-License-Identifier: GPL-2.0
/* local_storage: exact per-task and per-cgroup getppid() counts from
 * tp_btf/sys_enter, read by pidfd and by cgroup fd; what a lookup gives after
 * the task exits and after the cgroup is removed; the HASH by pid that keeps
 * stale entries; the maps' creation rules and keys; INODE_STORAGE by file fd
 * (and lsm/file_open where the kernel loads it). */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "sample.h"
#include "cgroup.h"
#include "local_storage.h"
#include "local_storage.skel.h"
#include "local_storage_load.h"
#include "probe.h"

#define TEST_PREFIX "local_storage_test"

/* REQUIRE, but through the cleanup label. */
#define NEED(cond, ...) \
	do { if (!(cond)) { harness_fail(__FILE__, __LINE__, __VA_ARGS__); goto out; } } while (0)

/* A child process that makes n getppid() calls once told to, then waits for
 * its go pipe to close. */
struct kid {
	pid_t pid;
	int pidfd, go, done;
};

static int kid_start(struct kid *k, const char *cgroup, __u64 n)
{
	int go[2], done[2];
	struct pollfd p;
	char c;

	k->pid = -1;
	k->pidfd = k->go = k->done = -1;
	if (pipe2(go, O_CLOEXEC))
		return -errno;
	if (pipe2(done, O_CLOEXEC)) {
		CLOSE_FDS(go[0], go[1]);
		return -errno;
	}
	k->pid = fork();
	if (k->pid == 0) {
		/* Keep only its two pipe ends (as 0 and 1): a write end of
		 * another child's go pipe held here would keep that one alive. */
		if (dup2(go[0], 0) < 0 || dup2(done[1], 1) < 0 || close_range(3, ~0u, 0))
			_exit(1);
		if (read(0, &c, 1) != 1)
			_exit(1);
		for (__u64 i = 0; i < n; i++)
			syscall(SYS_getppid);
		if (write(1, "d", 1) != 1)
			_exit(1);
		while (read(0, &c, 1) > 0)
			;
		_exit(0);
	}
	CLOSE_FDS(go[0], done[1]);
	k->go = go[1];
	k->done = done[0];
	if (k->pid < 0)
		return -errno;
	k->pidfd = syscall(SYS_pidfd_open, k->pid, 0);
	if (k->pidfd < 0)
		return -errno;
	if (cgroup && sample_cgroup_join(cgroup, k->pid))
		return -errno;
	p = (struct pollfd){ k->done, POLLIN, 0 };
	if (write(k->go, "g", 1) != 1)
		return -errno;
	if (poll(&p, 1, 5000) != 1 || read(k->done, &c, 1) != 1)
		return -ETIMEDOUT;
	return 0;
}

/* Let it exit; reap it unless zombie (then it stays a zombie). */
static void kid_exit(struct kid *k, bool zombie)
{
	siginfo_t si;

	if (k->go >= 0)
		close(k->go);
	k->go = -1;
	if (k->pid <= 0)
		return;
	if (zombie) {
		waitid(P_PID, k->pid, &si, WEXITED | WNOWAIT);
		return;
	}
	waitpid(k->pid, NULL, 0);
	k->pid = -1;
}

static void kid_cleanup(struct kid *k)
{
	if (k->pid > 0)
		kill(k->pid, SIGKILL);
	kid_exit(k, false);
	CLOSE_FDS(k->pidfd, k->done);
	k->pidfd = k->done = -1;
}

static int lookup(const struct bpf_map *map, int fd, struct sys_counts *c)
{
	*c = (struct sys_counts){ ~0ull, ~0ull };
	return bpf_map__lookup_elem(map, &fd, sizeof(fd), c, sizeof(*c), 0);
}

/* BPF_MAP_TYPE_CGRP_STORAGE is Linux 6.2+ (asked of the kernel); where it is
 * missing (6.1) the object loads without cgrp_counts and without the program
 * that uses it (local_storage_load.h). */
#define NEED_CGRP()                                                            \
	do {                                                                   \
		if (!local_storage_has_cgrp())                                 \
			SKIP("this kernel has no BPF_MAP_TYPE_CGRP_STORAGE "   \
			     "(Linux >= 6.2): libbpf_probe_bpf_map_type() said no"); \
	} while (0)

/* A child making N getppid() calls in the watched cgroup has exactly N in
 * its task storage, and the cgroup's storage grows by exactly N; the same
 * for a second child with M. The storage is still there while the task is a
 * zombie; once it is reaped the lookup by its pidfd gives ENOENT (and
 * pidfd_open of its pid ESRCH). The HASH by pid still holds both. */
TEST(local_storage, task_and_cgroup_exact)
{
	struct sample_cgroup cg = SAMPLE_CGROUP_INIT;
	struct kid a = { .pid = -1, .pidfd = -1, .go = -1, .done = -1 }, b = a;
	struct local_storage *skel;
	struct sys_counts c, zero = {};
	struct bpf_link *link = NULL;
	const __u64 n = 1234, m = 4321;
	__u32 pid_a, pid_b;
	int cg_fd = -1;

	NEED_CGRP();
	skel = local_storage_load(false, NULL, 0);
	REQUIRE(skel, "loading local_storage: %s", strerror(errno));
	NEED(!sample_cgroup_create(TEST_PREFIX, &cg), "making the test cgroup failed");
	cg_fd = open(cg.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	NEED(cg_fd >= 0, "open %s: %s", cg.path, strerror(errno));
	CHECK_ERR(bpf_map__update_elem(skel->maps.cgrp_counts, &cg_fd, sizeof(cg_fd), &zero,
				       sizeof(zero), BPF_NOEXIST), 0);
	link = bpf_program__attach(skel->progs.count_syscall);
	NEED(link, "attaching tp_btf/sys_enter: %s", strerror(errno));

	NEED(!kid_start(&a, cg.path, n), "first child failed");
	pid_a = a.pid;
	CHECK_ERR(lookup(skel->maps.task_counts, a.pidfd, &c), 0);
	CHECK_U64(c.getppid, n);
	CHECK_ERR(lookup(skel->maps.cgrp_counts, cg_fd, &c), 0);
	CHECK_U64(c.getppid, n);

	NEED(!kid_start(&b, cg.path, m), "second child failed");
	pid_b = b.pid;
	CHECK_ERR(lookup(skel->maps.task_counts, b.pidfd, &c), 0);
	CHECK_U64(c.getppid, m);
	CHECK_ERR(lookup(skel->maps.cgrp_counts, cg_fd, &c), 0);
	CHECK_U64(c.getppid, n + m);

	/* A zombie keeps its task_struct, and its storage with it. */
	kid_exit(&a, true);
	CHECK_ERR(lookup(skel->maps.task_counts, a.pidfd, &c), 0);
	CHECK_U64(c.getppid, n);
	kid_exit(&a, false);
	CHECK_ERR(lookup(skel->maps.task_counts, a.pidfd, &c), -ENOENT);
	CHECK_ERR(bpf_map__update_elem(skel->maps.task_counts, &a.pidfd, sizeof(int), &zero,
				       sizeof(zero), 0), -ENOENT);
	CHECK_ERR(syscall(SYS_pidfd_open, pid_a, 0) < 0 ? -errno : 0, -ESRCH);
	kid_exit(&b, false);
	CHECK_ERR(lookup(skel->maps.task_counts, b.pidfd, &c), -ENOENT);

	/* The cgroup keeps what its exited tasks counted; the HASH keeps a
	 * stale entry per pid, with the same exact getppid count. */
	CHECK_ERR(lookup(skel->maps.cgrp_counts, cg_fd, &c), 0);
	CHECK_U64(c.getppid, n + m);
	CHECK_ERR(bpf_map__lookup_elem(skel->maps.pid_counts, &pid_a, sizeof(pid_a), &c,
				       sizeof(c), 0), 0);
	CHECK_U64(c.getppid, n);
	CHECK_ERR(bpf_map__lookup_elem(skel->maps.pid_counts, &pid_b, sizeof(pid_b), &c,
				       sizeof(c), 0), 0);
	CHECK_U64(c.getppid, m);
	CHECK_U64(skel->bss->task_nomem, 0);
	CHECK_U64(skel->bss->pid_full, 0);
out:
	bpf_link__destroy(link);
	kid_cleanup(&a);
	kid_cleanup(&b);
	if (cg_fd >= 0)
		close(cg_fd);
	sample_cgroup_destroy(&cg);
	local_storage__destroy(skel);
}

/* The program for kernels without CGRP_STORAGE (count_syscall_by_id, what the
 * loader uses on 6.1), forced on any kernel: the watched cgroup picked by its
 * id, a child in it making N getppid() calls has exactly N in its task
 * storage and its pid's HASH entry; a child outside it gets neither. */
TEST(local_storage, by_cgroup_id_task_exact)
{
	struct sample_cgroup cg = SAMPLE_CGROUP_INIT;
	struct kid in = { .pid = -1, .pidfd = -1, .go = -1, .done = -1 }, out_kid = in;
	struct local_storage *skel = local_storage__open();
	struct bpf_link *link = NULL;
	const __u64 n = 2345;
	struct sys_counts c;
	struct stat st;
	__u32 pid;

	REQUIRE(skel, "opening local_storage: %s", strerror(errno));
	skel->rodata->getppid_nr = SYS_getppid;
	bpf_program__set_autoload(skel->progs.count_open, false);
	bpf_program__set_autoload(skel->progs.count_syscall, false);
	bpf_program__set_autoload(skel->progs.count_syscall_by_id, true);
	bpf_map__set_autocreate(skel->maps.cgrp_counts, false);
	NEED(!local_storage__load(skel), "loading local_storage: %s", strerror(errno));
	NEED(!sample_cgroup_create(TEST_PREFIX, &cg), "making the test cgroup failed");
	NEED(!stat(cg.path, &st), "stat %s: %s", cg.path, strerror(errno));
	skel->bss->cg_id = st.st_ino;	/* cgroup v2: the inode number is the id */
	link = bpf_program__attach(skel->progs.count_syscall_by_id);
	NEED(link, "attaching tp_btf/sys_enter: %s", strerror(errno));

	NEED(!kid_start(&in, cg.path, n), "the child in the cgroup failed");
	pid = in.pid;
	CHECK_ERR(lookup(skel->maps.task_counts, in.pidfd, &c), 0);
	CHECK_U64(c.getppid, n);
	CHECK_ERR(bpf_map__lookup_elem(skel->maps.pid_counts, &pid, sizeof(pid), &c, sizeof(c), 0),
		  0);
	CHECK_U64(c.getppid, n);
	NEED(!kid_start(&out_kid, NULL, n), "the child outside the cgroup failed");
	pid = out_kid.pid;
	CHECK_ERR(lookup(skel->maps.task_counts, out_kid.pidfd, &c), -ENOENT);
	CHECK_ERR(bpf_map__lookup_elem(skel->maps.pid_counts, &pid, sizeof(pid), &c, sizeof(c), 0),
		  -ENOENT);
	CHECK_U64(skel->bss->task_nomem, 0);
	CHECK_U64(skel->bss->pid_full, 0);
out:
	bpf_link__destroy(link);
	kid_cleanup(&in);
	kid_cleanup(&out_kid);
	sample_cgroup_destroy(&cg);
	local_storage__destroy(skel);
}

/* Only tasks of a cgroup that has storage count: a child that stays in the
 * test's own cgroup (no storage) gets no task storage, and no HASH entry. */
TEST(local_storage, only_cgroups_with_storage_count)
{
	struct kid k = { .pid = -1, .pidfd = -1, .go = -1, .done = -1 };
	struct local_storage *skel;
	struct bpf_link *link = NULL;
	struct sys_counts c;
	__u32 pid;

	NEED_CGRP();
	skel = local_storage_load(false, NULL, 0);
	REQUIRE(skel, "loading local_storage: %s", strerror(errno));
	link = bpf_program__attach(skel->progs.count_syscall);
	NEED(link, "attaching tp_btf/sys_enter: %s", strerror(errno));
	NEED(!kid_start(&k, NULL, 1000), "child failed");
	pid = k.pid;
	CHECK_ERR(lookup(skel->maps.task_counts, k.pidfd, &c), -ENOENT);
	CHECK_ERR(bpf_map__lookup_elem(skel->maps.pid_counts, &pid, sizeof(pid), &c, sizeof(c), 0),
		  -ENOENT);
out:
	bpf_link__destroy(link);
	kid_cleanup(&k);
	local_storage__destroy(skel);
}

/* After the cgroup is removed its storage is gone: the fd opened before
 * gives ENOENT, and so does a new cgroup of the same name. */
TEST(local_storage, cgroup_removed_storage_gone)
{
	struct sample_cgroup cg = SAMPLE_CGROUP_INIT;
	struct local_storage *skel;
	struct sys_counts c, v = { 7, 3 };
	int cg_fd = -1, again = -1;

	NEED_CGRP();
	skel = local_storage_load(false, NULL, 0);
	REQUIRE(skel, "loading local_storage: %s", strerror(errno));
	NEED(!sample_cgroup_create(TEST_PREFIX, &cg), "making the test cgroup failed");
	cg_fd = open(cg.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	NEED(cg_fd >= 0, "open %s: %s", cg.path, strerror(errno));
	CHECK_ERR(lookup(skel->maps.cgrp_counts, cg_fd, &c), -ENOENT);
	CHECK_ERR(bpf_map__update_elem(skel->maps.cgrp_counts, &cg_fd, sizeof(cg_fd), &v,
				       sizeof(v), BPF_NOEXIST), 0);
	CHECK_ERR(bpf_map__update_elem(skel->maps.cgrp_counts, &cg_fd, sizeof(cg_fd), &v,
				       sizeof(v), BPF_NOEXIST), -EEXIST);
	CHECK_ERR(lookup(skel->maps.cgrp_counts, cg_fd, &c), 0);
	CHECK_U64(c.syscalls, 7);
	CHECK_U64(c.getppid, 3);
	CHECK_ERR(sample_cgroup_destroy(&cg), 0);
	CHECK_ERR(lookup(skel->maps.cgrp_counts, cg_fd, &c), -ENOENT);
	NEED(!mkdir(cg.path, 0755), "mkdir %s: %s", cg.path, strerror(errno));
	again = open(cg.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(again >= 0, "open %s: %s", cg.path, strerror(errno));
	CHECK_ERR(lookup(skel->maps.cgrp_counts, again, &c), -ENOENT);
	rmdir(cg.path);
out:
	CLOSE_FDS(cg_fd, again);
	sample_cgroup_destroy(&cg);
	local_storage__destroy(skel);
}

/* Creation rules: BPF_F_NO_PREALLOC and max_entries 0 are required, for all
 * three types (with the object's BTF, which is required too). */
TEST(local_storage, creation_rules)
{
	static const enum bpf_map_type types[] = { BPF_MAP_TYPE_TASK_STORAGE,
		(enum bpf_map_type)32 /* CGRP_STORAGE, newer than these headers */,
		BPF_MAP_TYPE_INODE_STORAGE };
	struct local_storage *skel = local_storage_load(false, NULL, 0);

	REQUIRE(skel, "loading local_storage: %s", strerror(errno));
	/* CGRP_STORAGE only where the kernel has it (Linux 6.2+). */
	for (int i = 0; i < 3; i++) {
		const struct bpf_map *m = skel->maps.task_counts;
		LIBBPF_OPTS(bpf_map_create_opts, o, .btf_fd = bpf_object__btf_fd(skel->obj),
			    .btf_key_type_id = bpf_map__btf_key_type_id(m),
			    .btf_value_type_id = bpf_map__btf_value_type_id(m));
		int fd;

		if (types[i] == LOCAL_STORAGE_CGRP_STORAGE && !local_storage_has_cgrp())
			continue;
		fd = bpf_map_create(types[i], "t", 4, 16, 0, &o);
		CHECK_ERR(fd < 0 ? -errno : (close(fd), 0), -EINVAL);	/* no flag */
		o.map_flags = BPF_F_NO_PREALLOC;
		fd = bpf_map_create(types[i], "t", 4, 16, 1, &o);
		CHECK_ERR(fd < 0 ? -errno : (close(fd), 0), -EINVAL);	/* max_entries 1 */
		fd = bpf_map_create(types[i], "t", 8, 16, 0, &o);
		CHECK_ERR(fd < 0 ? -errno : (close(fd), 0), -EINVAL);	/* 8-byte key */
		fd = bpf_map_create(types[i], "t", 4, 16, 0, &o);
		CHECK_ERR(fd < 0 ? -errno : (close(fd), 0), 0);
		o.btf_fd = 0;
		o.btf_key_type_id = o.btf_value_type_id = 0;
		fd = bpf_map_create(types[i], "t", 4, 16, 0, &o);
		CHECK_ERR(fd < 0 ? -errno : (close(fd), 0), -EINVAL);	/* no BTF */
	}
	local_storage__destroy(skel);
}

/* The key from user space is an fd of the owner: a pid, a cgroup id or a
 * regular file's fd is refused with EBADF; the map cannot be walked. */
TEST(local_storage, key_is_an_fd)
{
	struct local_storage *skel = local_storage_load(false, NULL, 0);
	char root[SAMPLE_CGROUP_PATH_MAX];
	int me = getpid(), self = -1, cg_fd = -1, file = -1, id, next;
	struct sys_counts c, v = { 5, 6 };
	struct stat st;

	REQUIRE(skel, "loading local_storage: %s", strerror(errno));
	CHECK_ERR(lookup(skel->maps.task_counts, me, &c), -EBADF);
	file = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	CHECK_ERR(lookup(skel->maps.task_counts, file, &c), -EBADF);
	if (local_storage_has_cgrp())	/* Linux 6.2+ */
		CHECK_ERR(lookup(skel->maps.cgrp_counts, file, &c), -EBADF);
	self = syscall(SYS_pidfd_open, me, 0);
	NEED(self >= 0, "pidfd_open: %s", strerror(errno));
	CHECK_ERR(lookup(skel->maps.task_counts, self, &c), -ENOENT);
	CHECK_ERR(bpf_map__update_elem(skel->maps.task_counts, &self, sizeof(self), &v, sizeof(v),
				       BPF_NOEXIST), 0);
	CHECK_ERR(lookup(skel->maps.task_counts, self, &c), 0);
	CHECK_U64(c.getppid, 6);
	CHECK_ERR(bpf_map__delete_elem(skel->maps.task_counts, &self, sizeof(self), 0), 0);
	CHECK_ERR(bpf_map__delete_elem(skel->maps.task_counts, &self, sizeof(self), 0), -ENOENT);
	NEED(!sample_cgroup2_root("test", root, sizeof(root)), "no cgroup v2");
	cg_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	NEED(cg_fd >= 0 && !fstat(cg_fd, &st), "open %s: %s", root, strerror(errno));
	id = (int)st.st_ino;
	CHECK_ERR(bpf_map__get_next_key(skel->maps.task_counts, &id, &next, sizeof(id)), -524);
	if (local_storage_has_cgrp()) {
		CHECK_ERR(lookup(skel->maps.cgrp_counts, id, &c), -EBADF);
		CHECK_ERR(bpf_map__get_next_key(skel->maps.cgrp_counts, &id, &next, sizeof(id)),
			  -524);
	}
out:
	CLOSE_FDS(self, cg_fd, file);
	local_storage__destroy(skel);
}

/* Three files in a fresh directory: a, b (a hard link to a), c. */
static int three_files(char *dir, int fds[3])
{
	char path[3][96];

	fds[0] = fds[1] = fds[2] = -1;
	if (!mkdtemp(dir))
		return -errno;
	for (int i = 0; i < 3; i++)
		snprintf(path[i], sizeof(path[i]), "%s/%c", dir, 'a' + i);
	fds[0] = open(path[0], O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fds[0] >= 0 && !link(path[0], path[1]))
		fds[1] = open(path[1], O_RDONLY | O_CLOEXEC);
	fds[2] = open(path[2], O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	return fds[0] < 0 || fds[1] < 0 || fds[2] < 0 ? -EIO : 0;
}

static void remove_files(const char *dir)
{
	char path[96];

	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%c", dir, 'a' + i);
		unlink(path);
	}
	rmdir(dir);
}

/* INODE_STORAGE from user space, keyed by a file fd: one value per inode,
 * seen through the hard link, ENOENT for another file and after delete. */
TEST(local_storage, inode_storage_by_fd)
{
	struct local_storage *skel = local_storage_load(false, NULL, 0);
	struct file_note n = { .tag = 42 }, got;
	char dir[] = "/tmp/local_storage_test.XXXXXX";
	const struct bpf_map *map;
	int fds[3] = { -1, -1, -1 };

	REQUIRE(skel, "loading local_storage: %s", strerror(errno));
	map = skel->maps.inode_notes;
	NEED(!three_files(dir, fds), "making files in %s failed", dir);
	CHECK_ERR(bpf_map__lookup_elem(map, &fds[0], 4, &got, sizeof(got), 0), -ENOENT);
	CHECK_ERR(bpf_map__update_elem(map, &fds[0], 4, &n, sizeof(n), BPF_NOEXIST), 0);
	CHECK_ERR(bpf_map__update_elem(map, &fds[1], 4, &n, sizeof(n), BPF_NOEXIST), -EEXIST);
	CHECK_ERR(bpf_map__lookup_elem(map, &fds[1], 4, &got, sizeof(got), 0), 0);
	CHECK_U64(got.tag, 42);
	CHECK_ERR(bpf_map__lookup_elem(map, &fds[2], 4, &got, sizeof(got), 0), -ENOENT);
	CHECK_ERR(bpf_map__delete_elem(map, &fds[1], 4, 0), 0);
	CHECK_ERR(bpf_map__lookup_elem(map, &fds[0], 4, &got, sizeof(got), 0), -ENOENT);
	CHECK_ERR(bpf_map__get_next_key(map, &fds[0], &fds[2], 4), -524);
out:
	CLOSE_FDS(fds[0], fds[1], fds[2]);
	remove_files(dir);
	local_storage__destroy(skel);
}

/* lsm/file_open counts the opens of a tagged inode: 3 opens through the hard
 * link count 3. Skipped only where the probe (a minimal lsm/file_open
 * program, tests/probe.h) gets EPERM: any other failure to load or attach
 * the sample's own program is a FAIL. */
TEST(local_storage, inode_storage_lsm_file_open)
{
	char log[4096] = "", dir[] = "/tmp/local_storage_test.XXXXXX", path[96];
	struct file_note n = { .tag = 1 }, got = {};
	struct local_storage *skel = NULL;
	struct bpf_link *link = NULL;
	int fds[3] = { -1, -1, -1 }, probed, err;
	enum probe_step step;

	probed = probe_lsm_file_open(&step);
	if (probed == -EPERM)
		SKIP("the kernel refuses BPF LSM programs: %s a minimal lsm/file_open program "
		     "got EPERM", probe_step_name(step));
	skel = local_storage_load(true, log, sizeof(log));
	err = -errno;
	REQUIRE(skel, "loading with lsm/file_open: %s (%s); %s (the probe, %s: %s)",
		sample_errname(err), strerror(-err), local_storage_log_tail(log),
		probe_step_name(step), probed ? sample_errname(probed) : "allowed");
	NEED(!three_files(dir, fds), "making files in %s failed", dir);
	link = bpf_program__attach_lsm(skel->progs.count_open);
	NEED(link, "attaching lsm/file_open: %s", strerror(errno));
	CHECK_ERR(bpf_map__update_elem(skel->maps.inode_notes, &fds[0], 4, &n, sizeof(n), 0), 0);
	snprintf(path, sizeof(path), "%s/b", dir);
	for (int i = 0; i < 3; i++)
		close(open(path, O_RDONLY | O_CLOEXEC));
	CHECK_ERR(bpf_map__lookup_elem(skel->maps.inode_notes, &fds[0], 4, &got, sizeof(got), 0), 0);
	CHECK_U64(got.opens, 3);
out:
	bpf_link__destroy(link);
	CLOSE_FDS(fds[0], fds[1], fds[2]);
	remove_files(dir);
	local_storage__destroy(skel);
}
