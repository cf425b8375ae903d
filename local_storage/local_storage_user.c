// SPDX-License-Identifier: GPL-2.0
/*
 * local_storage - state that lives and dies with its owner: per-task and
 * per-cgroup syscall counts in a BPF_MAP_TYPE_TASK_STORAGE and a
 * BPF_MAP_TYPE_CGRP_STORAGE, per-file notes in a BPF_MAP_TYPE_INODE_STORAGE,
 * and a HASH keyed by pid that keeps stale entries for comparison.
 *
 * A tp_btf/sys_enter program counts the syscalls of the tasks of one cgroup v2
 * cgroup: user space creates that cgroup's storage through a cgroup fd, and
 * the program only counts where a cgroup has storage. User space reads a
 * task's counts with a pidfd as the key and the cgroup's with the cgroup fd.
 * When a task exits its storage goes with it, with no cleanup code; the HASH
 * keeps an entry per pid until someone deletes it.
 *
 *   sudo ./local_storage           demo: own cgroup, children making getppid()
 *   sudo ./local_storage -c CG     count the syscalls of the tasks in cgroup CG
 *   sudo ./local_storage -d 5      stop after 5 seconds
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "cgroup.h"
#include "local_storage.h"
#include "local_storage.skel.h"
#include "local_storage_load.h"
#include "local_storage_demo.h"
#include "local_storage_inode.h"

static const struct sample_cli cli = {
	.name = "local_storage",
	.about = "Per-task, per-cgroup and per-inode storage (TASK_STORAGE, CGRP_STORAGE, "
		 "INODE_STORAGE) next to a HASH keyed by pid.",
	.options =
		(const struct sample_option[]){
			{ 'c', "cgroup", "DIR",
			  "count the syscalls of the tasks in this cgroup v2 directory\n"
			  "(default: a demo with its own cgroup and workload)" },
			{},
		},
	.examples =
		"sudo ./local_storage -d 5        sudo ./local_storage -c /sys/fs/cgroup/system.slice",
};

/* The live processes listed in DIR/cgroup.procs that have task storage, and
 * the sum of their syscalls: each looked up with a pidfd as the key. */
static void sum_live_tasks(const struct bpf_map *map, const char *cgroup, __u64 *tasks, __u64 *sys)
{
	char path[SAMPLE_CGROUP_PATH_MAX + 16];
	struct sys_counts c;
	FILE *f;
	int pid;

	*tasks = *sys = 0;
	snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fscanf(f, "%d", &pid) == 1) {
		int fd = syscall(SYS_pidfd_open, pid, 0);

		if (fd >= 0 && !bpf_map__lookup_elem(map, &fd, sizeof(fd), &c, sizeof(c), 0)) {
			++*tasks;
			*sys += c.syscalls;
		}
		if (fd >= 0)
			close(fd);
	}
	fclose(f);
}

/* The HASH keyed by pid: its entries, and those whose pid is gone (stale:
 * nothing deleted them when the task exited). */
static void count_pid_entries(const struct bpf_map *map, __u64 *entries, __u64 *stale)
{
	__u32 key, next, *prev = NULL;

	*entries = *stale = 0;
	while (!bpf_map__get_next_key(map, prev, &next, sizeof(next))) {
		++*entries;
		*stale += kill(next, 0) && errno == ESRCH;
		key = next;
		prev = &key;
	}
}

static int print_row(struct local_storage *skel, int cg_fd, const char *cgroup, __u64 start_ns)
{
	__u64 v[6] = {}; /* v[0], v[1]: the cgroup's struct sys_counts */
	char b[6][SAMPLE_FMT_LEN];
	bool cgrp = bpf_map__fd(skel->maps.cgrp_counts) >= 0; /* no CGRP_STORAGE: -1 */
	int err = 0;

	if (cgrp)
		err = bpf_map__lookup_elem(skel->maps.cgrp_counts, &cg_fd, sizeof(cg_fd), v,
					   sizeof(struct sys_counts), 0);
	if (err) {
		fprintf(stderr, "local_storage: reading the cgroup's storage failed: %s\n",
			sample_strerror(err));
		return err;
	}
	sum_live_tasks(skel->maps.task_counts, cgroup, &v[2], &v[3]);
	count_pid_entries(skel->maps.pid_counts, &v[4], &v[5]);
	for (int i = 0; i < 6; i++)
		sample_fmt_u64(b[i], SAMPLE_FMT_LEN, v[i]);
	if (!cgrp) {
		snprintf(b[0], SAMPLE_FMT_LEN, "-");
		snprintf(b[1], SAMPLE_FMT_LEN, "-");
	}
	printf("%7.1f  %12s %11s  %10s %12s  %11s %7s\n", (sample_now_ns() - start_ns) / 1e9, b[0],
	       b[1], b[2], b[3], b[4], b[5]);
	fflush(stdout);
	return 0;
}

/* The traps of local storage, on the live maps, before anything counts. */
static void show_traps(struct local_storage *skel, int cg_fd)
{
	const struct bpf_map *task = skel->maps.task_counts;
	LIBBPF_OPTS(bpf_map_create_opts, mo, .btf_fd = bpf_object__btf_fd(skel->obj),
		    .btf_key_type_id = bpf_map__btf_key_type_id(task),
		    .btf_value_type_id = bpf_map__btf_value_type_id(task));
	int me = getpid(), self = syscall(SYS_pidfd_open, me, 0), fd, err[6], id, next;
	struct sys_counts c;
	struct stat st = {};

	/* The same map as task_counts (same BTF), once without the flag. */
	fd = bpf_map_create(BPF_MAP_TYPE_TASK_STORAGE, "no_prealloc", 4, sizeof(c), 0, &mo);
	err[0] = fd < 0 ? -errno : close(fd);
	mo.map_flags = BPF_F_NO_PREALLOC;
	fd = bpf_map_create(BPF_MAP_TYPE_TASK_STORAGE, "no_prealloc", 4, sizeof(c), 0, &mo);
	err[1] = fd < 0 ? -errno : close(fd);
	err[2] = bpf_map__lookup_elem(task, &me, sizeof(me), &c, sizeof(c), 0);
	err[3] = bpf_map__lookup_elem(task, &self, sizeof(self), &c, sizeof(c), 0);
	fstat(cg_fd, &st);
	id = (int)st.st_ino; /* on cgroup v2 the directory's inode number is the cgroup id */
	err[4] = -ENOENT;
	if (bpf_map__fd(skel->maps.cgrp_counts) >= 0)
		err[4] = bpf_map__lookup_elem(skel->maps.cgrp_counts, &id, sizeof(id), &c,
					      sizeof(c), 0);
	err[5] = bpf_map__get_next_key(task, &id, &next, sizeof(id));
	printf("Local storage traps, on the live maps:\n"
	       "  create TASK_STORAGE with map_flags 0 -> %s; with BPF_F_NO_PREALLOC -> %s\n"
	       "  task lookup(key = my pid)            -> %s: the key is a pidfd, not a pid\n"
	       "  task lookup(key = my pidfd)          -> %s: no storage until a program creates it\n"
	       "                                          (BPF_LOCAL_STORAGE_GET_F_CREATE) or user space does\n",
	       sample_errname(err[0]), err[1] ? sample_errname(err[1]) : "ok",
	       sample_errname(err[2]), err[3] ? sample_errname(err[3]) : "found");
	if (bpf_map__fd(skel->maps.cgrp_counts) >= 0)
		printf("  cgroup lookup(key = the cgroup's id) -> %s: the key is a cgroup fd, not an id\n",
		       sample_errname(err[4]));
	printf("  get_next_key                         -> %s: no walking the map from user space\n\n",
	       err[5] == -524 ? "error 524 (ENOTSUPP)" : sample_errname(err[5]));
	if (self >= 0)
		close(self);
}

int main(int argc, char **argv)
{
	struct local_storage_demo demo = LOCAL_STORAGE_DEMO_INIT;
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	struct sample_opts o = {};
	struct local_storage *skel = NULL;
	struct bpf_link *link = NULL;
	struct sys_counts zero = {};
	const char *cgroup = NULL;
	int opt, cg_fd = -1, err, ev;
	struct stat st = {};
	__u64 start_ns;
	bool lsm, cgrp;

	while ((opt = sample_getopt(&cli, argc, argv, &o)) != -1)
		if (opt == 'c') /* -c DIR, the only option of its own */
			cgroup = optarg;

	/* libbpf's warnings on stderr (its debug log too with -v); SIGINT and
	 * SIGTERM wait, blocked, for sample_wait()'s signalfd from here on, so one
	 * that comes during setup still ends the run through cleanup; a closed
	 * peer or stdout (| head) gives EPIPE instead of killing the process. */
	libbpf_set_print(o.verbose ? sample_print_all : sample_print_warnings);
	sample_block_stop_signals();
	signal(SIGPIPE, SIG_IGN);

	/* 1. Whose syscalls: the user's cgroup, or the demo's own (made now). */
	if (!cgroup && !(err = local_storage_demo_open(&demo, &o)))
		cgroup = demo.cg.path;
	if (!cgroup)
		goto cleanup; /* the demo's cgroup could not be made */
	cg_fd = sample_cgroup_open(o.prog, cgroup);
	if (cg_fd < 0) {
		err = cg_fd;
		goto cleanup;
	}

	/* 2. Load (getppid's number set as rodata in between), then the traps
	 *    and the inode storage, keyed by file fds. */
	skel = local_storage_open_load(o.prog, &lsm);
	if (!skel) {
		err = sample_load_failed(&o, -errno);
		goto cleanup;
	}
	/* Where the kernel has no CGRP_STORAGE (Linux < 6.2) the cgroup's own
	 * counts are left out, and the program picks the cgroup by its id. */
	cgrp = bpf_map__fd(skel->maps.cgrp_counts) >= 0;
	if (!cgrp) {
		fstat(cg_fd, &st);
		skel->bss->cg_id = st.st_ino; /* on cgroup v2 the inode number is the id */
		fprintf(stderr,
			"%s: this kernel has no BPF_MAP_TYPE_CGRP_STORAGE (Linux >= 6.2): "
			"no per-cgroup counts; the rest runs\n",
			o.prog);
	}
	show_traps(skel, cg_fd);
	err = local_storage_inode_show(o.prog, skel->maps.inode_notes,
				       lsm ? skel->progs.count_open : NULL);
	if (err)
		goto cleanup;

	/* 3. The cgroup's storage, created from user space through its fd: the
	 *    program counts only tasks whose cgroup has storage. */
	err = 0;
	if (cgrp)
		err = bpf_map__update_elem(skel->maps.cgrp_counts, &cg_fd, sizeof(cg_fd), &zero,
					   sizeof(zero), BPF_NOEXIST);
	if (err) {
		fprintf(stderr, "%s: creating the storage of %s failed: %s\n", o.prog, cgroup,
			sample_strerror(err));
		goto cleanup;
	}

	/* 4. Attach: a bpf_link, gone with the process. */
	link = bpf_program__attach(cgrp ? skel->progs.count_syscall :
					  skel->progs.count_syscall_by_id);
	if (!link) {
		err = -errno;
		fprintf(stderr, "%s: attaching tp_btf/sys_enter failed: %s\n", o.prog,
			sample_strerror(err));
		goto cleanup;
	}

	/* 5. Run: the demo runs one child per tick; every tick prints the
	 *    cgroup's storage, the live tasks' storage and the pid HASH. */
	printf("Syscalls of the tasks in %s\n(cgroup storage by cgroup fd, task storage of its "
	       "live processes by pidfd,\nHASH by pid: stale = pid gone)\n",
	       cgroup);
	printf("%7s  %12s %11s  %10s %12s  %11s %7s\n", "time", "cg syscalls", "cg getppid",
	       "live tasks", "task sysc.", "pid entries", "stale");
	start_ns = sample_now_ns();
	err = sample_loop_open(&loop, &o, -1);
	if (err)
		goto cleanup;
	while ((ev = sample_wait(&loop)) == SAMPLE_TICK) {
		if (demo.open) {
			err = local_storage_demo_step(&demo, skel->maps.task_counts);
			if (err)
				goto cleanup;
		}
		err = print_row(skel, cg_fd, cgroup, start_ns);
		if (err)
			goto cleanup;
	}
	err = ev;
	if (err)
		goto cleanup;

	/* 6. Summary: the demo removes its cgroup and looks for its storage. */
	printf("final:\n");
	err = print_row(skel, cg_fd, cgroup, start_ns);
	if (err)
		goto cleanup;
	if (demo.open)
		err = local_storage_demo_close(&demo, cgrp ? skel->maps.cgrp_counts : NULL, cg_fd);
	else
		printf("summary: counted the syscalls of the tasks in %s\n", cgroup);

cleanup:
	sample_loop_close(&loop);
	bpf_link__destroy(link);
	local_storage_demo_close(&demo, NULL, -1); /* on an error path: the cgroup removed */
	if (cg_fd >= 0)
		close(cg_fd);
	local_storage__destroy(skel);
	return err ? 1 : 0;
}
