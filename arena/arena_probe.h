/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arena_probe.h - may this sample run here? Asked of the kernel before
 * anything is created (arena_user.c, and bench/arena_read for its row):
 *
 *  1. The kernel's BTF: does enum bpf_map_type have BPF_MAP_TYPE_ARENA, and
 *     is there a kfunc bpf_arena_alloc_pages()? Both came in Linux 6.9;
 *     Debian 12's 6.1 has neither (there, libbpf's load would stop at
 *     "extern (func ksym) 'bpf_arena_alloc_pages': not found").
 *  2. A bare BPF_MAP_CREATE of an ARENA (BPF_F_MMAPABLE, 2 pages), closed at
 *     once: a kernel that has arenas may still refuse to make one. Some
 *     machines answer EPERM even to root, and not on every run; libbpf would
 *     then suggest raising 'ulimit -l', which is not the cause.
 *
 * The user-space headers of Debian 12 (6.1) do not know the ARENA map type
 * either, hence its UAPI number below.
 */
#ifndef ARENA_PROBE_H
#define ARENA_PROBE_H

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "sample.h"

#define ARENA_MAP_TYPE 33 /* BPF_MAP_TYPE_ARENA, Linux 6.9 */
#define ARENA_NO_KERNEL 1 /* arena_probe(): this kernel has no arenas */
#define ARENA_EXIT_NO_KERNEL 3 /* the sample's exit status then */

/* Does enum type of the kernel's BTF have an enumerator name? */
static int arena_btf_has_enumerator(const struct btf *btf, const char *type, const char *name)
{
	int id = btf__find_by_name_kind(btf, type, BTF_KIND_ENUM);
	const struct btf_type *t;
	const struct btf_enum *e;
	int i;

	if (id < 0)
		return 0;
	t = btf__type_by_id(btf, id);
	e = btf_enum(t);
	for (i = 0; i < btf_vlen(t); i++) {
		if (!strcmp(btf__name_by_offset(btf, e[i].name_off), name))
			return 1;
	}
	return 0;
}

/*
 * 0: this kernel has arenas and made one. ARENA_NO_KERNEL: it has none
 * (why: "this kernel has no BPF_MAP_TYPE_ARENA (Linux >= 6.9)"). -errno: it
 * refused to create one (why: "the kernel refused to create an ARENA map:
 * Operation not permitted (EPERM)"), or its BTF could not be read. why gets
 * one line, without the program's name. Leaves nothing behind.
 */
static int arena_probe(char *why, size_t len)
{
	LIBBPF_OPTS(bpf_map_create_opts, mo, .map_flags = BPF_F_MMAPABLE);
	struct btf *btf;
	int has_type, has_kfunc, fd, err;

	btf = btf__load_vmlinux_btf();
	if (!btf) {
		err = -errno;
		snprintf(why, len,
			 "reading the kernel's BTF (/sys/kernel/btf/vmlinux) failed: %s (%s)",
			 sample_strerror(err), sample_errname(err));
		return err;
	}
	has_type = arena_btf_has_enumerator(btf, "bpf_map_type", "BPF_MAP_TYPE_ARENA");
	has_kfunc = btf__find_by_name_kind(btf, "bpf_arena_alloc_pages", BTF_KIND_FUNC) > 0;
	btf__free(btf);
	if (!has_type) {
		snprintf(why, len, "this kernel has no BPF_MAP_TYPE_ARENA (Linux >= 6.9)");
		return ARENA_NO_KERNEL;
	}
	if (!has_kfunc) {
		snprintf(why, len,
			 "this kernel has no kfunc bpf_arena_alloc_pages() (Linux >= 6.9)");
		return ARENA_NO_KERNEL;
	}

	fd = bpf_map_create(ARENA_MAP_TYPE, "arena_probe", 0, 0, 2, &mo);
	if (fd < 0) {
		err = -errno;
		snprintf(why, len, "the kernel refused to create an ARENA map: %s (%s)",
			 sample_strerror(err), sample_errname(err));
		return err;
	}
	close(fd);
	return 0;
}

#endif /* ARENA_PROBE_H */
