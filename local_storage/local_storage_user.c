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
#include "local_storage_inode.h"
#include "local_storage_demo.h" /* demo */
#include "local_storage_traps.h" /* traps */

static const struct sample_option options[] = {
	{ 'c', "cgroup", "DIR", "count the syscalls of the tasks in this cgroup v2 directory" },
	{}
};

static const struct sample_cli cli = {
	.name = "local_storage",
	.about = "Per-task, per-cgroup and per-inode storage (TASK_STORAGE, CGRP_STORAGE, "
		 "INODE_STORAGE) next to a HASH keyed by pid.",
	.demo = "Without -c: a demo with its own cgroup and workload.", /* demo */
	.options = options,
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

	*tasks = 0;
	*sys = 0;
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

	*entries = 0;
	*stale = 0;
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

int main(int argc, char **argv)
{
	struct local_storage_demo demo = LOCAL_STORAGE_DEMO_INIT; /* demo */
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	struct sample_opts o = {};
	struct local_storage *skel = NULL;
	struct bpf_link *link = NULL;
	struct bpf_link *lsm_link = NULL;
	struct sys_counts zero = {};
	const char *cgroup = NULL;
	char lsm_log[4096];
	int cg_fd = -1;
	int err = 0;
	int opt, ev, lsm_err;
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
	if (!cgroup && !cli.demo) {
		fprintf(stderr, "%s: whose syscalls? add -c DIR, a cgroup v2 directory\n", o.prog);
		return 2;
	}

	/* 1. Whose syscalls: the user's cgroup, or the demo's own (made now). */
	if (!cgroup) { /* demo */
		err = local_storage_demo_open(&demo, &o); /* demo */
		if (err) /* demo */
			goto cleanup; /* demo */
		cgroup = demo.cg.path; /* demo */
	} /* demo */
	cg_fd = sample_cgroup_open(o.prog, cgroup);
	if (cg_fd < 0) {
		err = cg_fd;
		goto cleanup;
	}

	/* 2. Open, set getppid's number as rodata, load (local_storage_load.h):
	 *    first with lsm/file_open; where the kernel refuses it (EPERM on this
	 *    6.18 host, before the verifier logs anything), once more without. */
	skel = local_storage_load(true, lsm_log, sizeof(lsm_log));
	lsm = skel != NULL;
	lsm_err = -errno;
	if (!lsm)
		skel = local_storage_load(false, NULL, 0);
	if (!skel) {
		err = sample_load_failed(&o, -errno);
		goto cleanup;
	}
	if (!lsm)
		fprintf(stderr,
			"%s: this kernel refuses lsm/file_open (%s, %s; %s): INODE_STORAGE is "
			"shown from user space only\n",
			o.prog, sample_errname(lsm_err), sample_strerror(lsm_err),
			local_storage_log_tail(lsm_log));
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
	local_storage_traps_show(skel, cg_fd); /* traps */

	/* 3. The inode storage, keyed by file fds; with lsm/file_open attached
	 *    (where it loaded) the opens of a tagged file are counted too. */
	if (lsm)
		lsm_link = bpf_program__attach_lsm(skel->progs.count_open);
	if (lsm && !lsm_link)
		fprintf(stderr, "%s: attaching lsm/file_open failed: %s\n", o.prog,
			sample_strerror(-errno));
	err = local_storage_inode_show(o.prog, skel->maps.inode_notes, lsm_link != NULL);
	bpf_link__destroy(lsm_link);
	if (err)
		goto cleanup;

	/* 4. The cgroup's storage, created from user space through its fd: the
	 *    program counts only tasks whose cgroup has storage. */
	if (cgrp)
		err = bpf_map__update_elem(skel->maps.cgrp_counts, &cg_fd, sizeof(cg_fd), &zero,
					   sizeof(zero), BPF_NOEXIST);
	if (err) {
		fprintf(stderr, "%s: creating the storage of %s failed: %s\n", o.prog, cgroup,
			sample_strerror(err));
		goto cleanup;
	}

	/* 5. Attach: a bpf_link, gone with the process. */
	if (cgrp)
		link = bpf_program__attach(skel->progs.count_syscall);
	else
		link = bpf_program__attach(skel->progs.count_syscall_by_id);
	if (!link) {
		err = -errno;
		fprintf(stderr, "%s: attaching tp_btf/sys_enter failed: %s\n", o.prog,
			sample_strerror(err));
		goto cleanup;
	}

	/* 6. Run: every tick prints the cgroup's storage, the live tasks'
	 *    storage and the pid HASH (in the demo after one child ran). */
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
		err = local_storage_demo_step(&demo, skel->maps.task_counts); /* demo */
		if (err) /* demo */
			goto cleanup; /* demo */
		err = print_row(skel, cg_fd, cgroup, start_ns);
		if (err)
			goto cleanup;
	}
	err = ev;
	if (err)
		goto cleanup;

	/* 7. Summary; then the demo removes its cgroup, looks for its storage
	 *    and says what its children did. */
	printf("final:\n");
	err = print_row(skel, cg_fd, cgroup, start_ns);
	if (err)
		goto cleanup;
	printf("summary: counted the syscalls of the tasks in %s\n", cgroup);
	err = local_storage_demo_close(&demo, skel->maps.cgrp_counts, cg_fd); /* demo */

cleanup:
	sample_loop_close(&loop);
	bpf_link__destroy(link);
	local_storage_demo_close(&demo, NULL, -1); /* demo */
	if (cg_fd >= 0)
		close(cg_fd);
	local_storage__destroy(skel);
	return err ? 1 : 0;
}
