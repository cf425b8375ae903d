/* SPDX-License-Identifier: GPL-2.0 */
/* local_storage_load.h - open and load local_storage's object, with or without
 * its LSM program; shared by local_storage_user.c (which tries with it first)
 * and its test. Include after <bpf/libbpf.h>, "sample.h" and
 * "local_storage.skel.h". */
#ifndef LOCAL_STORAGE_LOAD_H
#define LOCAL_STORAGE_LOAD_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

/* BPF_MAP_TYPE_CGRP_STORAGE (Linux 6.2) by its UAPI number: Debian 12's
 * <linux/bpf.h> (6.1) does not name it. */
#define LOCAL_STORAGE_CGRP_STORAGE 32

/* Does the kernel have CGRP_STORAGE? Asked of it (libbpf creates one). */
static inline bool local_storage_has_cgrp(void)
{
	return libbpf_probe_bpf_map_type(LOCAL_STORAGE_CGRP_STORAGE, NULL) == 1;
}

/* Open, set getppid_nr, load. with_lsm: load count_open (lsm/file_open)
 * too; its verifier log goes into log (may be NULL), libbpf stays quiet
 * during the load (a refusal is expected there). NULL with errno set on
 * failure. Where the kernel has no CGRP_STORAGE, cgrp_counts is not created
 * (its fd is -1) and count_syscall_by_id is loaded instead of count_syscall:
 * set bss->cg_id. */
static inline struct local_storage *local_storage_load(bool with_lsm, char *log, size_t len)
{
	bool cgrp = local_storage_has_cgrp();
	libbpf_print_fn_t old = NULL;
	struct local_storage *skel;
	int err;

	skel = local_storage__open();
	if (!skel)
		return NULL;
	skel->rodata->getppid_nr = SYS_getppid;
	bpf_program__set_autoload(skel->progs.count_open, with_lsm);
	/* Without CGRP_STORAGE (6.1): no cgrp_counts, and the program that
	 * picks the cgroup by id instead of the one that uses it. */
	bpf_map__set_autocreate(skel->maps.cgrp_counts, cgrp);
	bpf_program__set_autoload(skel->progs.count_syscall, cgrp);
	bpf_program__set_autoload(skel->progs.count_syscall_by_id, !cgrp);
	if (with_lsm && log) {
		log[0] = '\0';
		bpf_program__set_log_buf(skel->progs.count_open, log, len);
		bpf_program__set_log_level(skel->progs.count_open, 1);
	}
	if (with_lsm)
		old = libbpf_set_print(NULL);
	err = local_storage__load(skel);
	if (with_lsm)
		libbpf_set_print(old);
	if (err) {
		local_storage__destroy(skel);
		errno = -err;
		return NULL;
	}
	return skel;
}

/* The kernel's own words on a refused program: the last line of its verifier
 * log, or "empty" when it refused before verifying anything. */
static inline const char *local_storage_log_tail(char *log)
{
	size_t n = 0;
	char *nl;

	if (log)
		n = strlen(log);
	while (n && log[n - 1] == '\n') {
		n--;
		log[n] = '\0';
	}
	if (!n)
		return "its verifier log is empty";
	nl = strrchr(log, '\n');
	return nl ? nl + 1 : log;
}

#endif /* LOCAL_STORAGE_LOAD_H */
