/* SPDX-License-Identifier: GPL-2.0 */
/* local_storage_load.h - open and load local_storage's object, with or without
 * its LSM program; shared by local_storage_user.c and its test. Include after
 * <bpf/libbpf.h>, "sample.h" and "local_storage.skel.h". */
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

/* with_lsm: load count_open (lsm/file_open) too; its verifier log goes into
 * log (may be NULL), libbpf stays quiet (a refusal is expected there). NULL
 * with errno set on failure. getppid_nr is set between open and load. Where the
 * kernel has no CGRP_STORAGE, cgrp_counts is not created (its fd is -1) and
 * count_syscall_by_id is loaded instead of count_syscall: set bss->cg_id. */
static inline struct local_storage *local_storage_load(bool with_lsm, char *log, size_t len)
{
	libbpf_print_fn_t old = with_lsm ? libbpf_set_print(NULL) : NULL;
	struct local_storage *skel = local_storage__open();
	int err = skel ? 0 : -errno;

	if (skel) {
		skel->rodata->getppid_nr = SYS_getppid;
		bpf_program__set_autoload(skel->progs.count_open, with_lsm);
		/* Without CGRP_STORAGE (6.1): no cgrp_counts, and the program
		 * that picks the cgroup by id instead of the one that uses it. */
		bpf_map__set_autocreate(skel->maps.cgrp_counts, local_storage_has_cgrp());
		bpf_program__set_autoload(skel->progs.count_syscall, local_storage_has_cgrp());
		bpf_program__set_autoload(skel->progs.count_syscall_by_id,
					  !local_storage_has_cgrp());
		if (with_lsm && log) {
			log[0] = '\0';
			bpf_program__set_log_buf(skel->progs.count_open, log, len);
			bpf_program__set_log_level(skel->progs.count_open, 1);
		}
		err = local_storage__load(skel);
		if (err) {
			local_storage__destroy(skel);
			skel = NULL;
		}
	}
	if (with_lsm)
		libbpf_set_print(old);
	errno = -err;
	return skel;
}

/* The kernel's own words on a refused program: the last line of its verifier
 * log, or "empty" when it refused before verifying anything. */
static inline const char *local_storage_log_tail(char *log)
{
	size_t n = log ? strlen(log) : 0;
	char *nl;

	while (n && log[n - 1] == '\n')
		log[--n] = '\0';
	if (!n)
		return "its verifier log is empty";
	nl = strrchr(log, '\n');
	return nl ? nl + 1 : log;
}

/* The loader's way: lsm/file_open is tried first; where the kernel refuses
 * it (EPERM on this 6.18 host, before the verifier logs anything) the object
 * loads without it, after one line on stderr, and *lsm says which. NULL with
 * errno set when even that fails. */
static inline struct local_storage *local_storage_open_load(const char *prog, bool *lsm)
{
	static char log[4096];
	struct local_storage *skel = local_storage_load(true, log, sizeof(log));
	int err = -errno;

	*lsm = skel;
	if (skel || !(skel = local_storage_load(false, NULL, 0)))
		return skel;
	fprintf(stderr,
		"%s: this kernel refuses lsm/file_open (%s, %s; %s): INODE_STORAGE is "
		"shown from user space only\n",
		prog, sample_errname(err), sample_strerror(err), local_storage_log_tail(log));
	return skel;
}

#endif /* LOCAL_STORAGE_LOAD_H */
