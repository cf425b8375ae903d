/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/probe.h - probes of the one thing a platform may refuse, for the
 * tests (test_<s>.c) and tools/bpfprobe (the end-to-end scripts ask it).
 *
 * A test skips only when its probe gets the refusal it names (EPERM), never
 * because the sample's own object failed to load: a verifier regression in
 * the sample is a FAIL. Each probe loads the smallest program of the refused
 * kind (r0 = 0; exit), then attaches it the way the sample would, and tells
 * which step got which errno. Nothing stays loaded.
 *
 * Include after <bpf/bpf.h> and <bpf/libbpf.h>.
 */
#ifndef TESTS_PROBE_H
#define TESTS_PROBE_H

#include <errno.h>
#include <unistd.h>
#include <bpf/btf.h>

/* The step of a probe that failed (or the last one, when all succeeded). */
enum probe_step { PROBE_BTF, PROBE_LOAD, PROBE_MAP, PROBE_ATTACH };

static inline const char *probe_step_name(enum probe_step s)
{
	static const char *const names[] = { "finding the hook in the kernel's BTF", "loading",
					     "creating the map", "attaching" };

	return names[s];
}

/* Load r0 = 0; exit as TYPE for the kernel function BTF_NAME (attach type AT).
 * The fd, or -errno; *step says which step failed. */
static inline int probe_prog_load(enum bpf_prog_type type, enum bpf_attach_type at,
				  const char *btf_name, enum probe_step *step)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = at);
	int id, fd;

	*step = PROBE_BTF;
	id = libbpf_find_vmlinux_btf_id(btf_name, at);
	if (id < 0)
		return id;
	o.attach_btf_id = id;
	*step = PROBE_LOAD;
	fd = bpf_prog_load(type, "probe", "GPL", insns, 2, &o);
	if (fd < 0)
		return -errno;
	return fd;
}

/* lsm/file_open (a BPF LSM program): 0 if the kernel loads and attaches one,
 * else the -errno of *step. */
static inline int probe_lsm_file_open(enum probe_step *step)
{
	int prog, link, err = 0;

	prog = probe_prog_load(BPF_PROG_TYPE_LSM, BPF_LSM_MAC, "file_open", step);
	if (prog < 0)
		return prog;
	*step = PROBE_ATTACH;
	link = bpf_raw_tracepoint_open(NULL, prog);
	if (link < 0)
		err = -errno;
	else
		close(link);
	close(prog);
	return err;
}

/* A map element iterator, iter/bpf_sk_storage_map over an SK_STORAGE map (the
 * one sk_storage uses): 0 if the kernel loads it and attaches it to such a
 * map, else the -errno of *step. */
static inline int probe_sk_storage_map_iter(enum probe_step *step)
{
	LIBBPF_OPTS(bpf_map_create_opts, mo, .map_flags = BPF_F_NO_PREALLOC);
	LIBBPF_OPTS(bpf_link_create_opts, lo);
	union bpf_iter_link_info info = {};
	struct btf *btf = NULL;
	int prog, map = -1, link, err, int_id;

	prog = probe_prog_load(BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER, "bpf_sk_storage_map", step);
	if (prog < 0)
		return prog;
	/* SK_STORAGE needs BTF for its value: one int, for key and value. */
	*step = PROBE_MAP;
	btf = btf__new_empty();
	err = libbpf_get_error(btf);
	if (err) {
		btf = NULL;
		goto out;
	}
	int_id = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	if (int_id < 0) {
		err = int_id;
		goto out;
	}
	err = btf__load_into_kernel(btf);
	if (err)
		goto out;
	mo.btf_fd = btf__fd(btf);
	mo.btf_key_type_id = int_id;
	mo.btf_value_type_id = int_id;
	map = bpf_map_create(BPF_MAP_TYPE_SK_STORAGE, "probe", 4, 4, 0, &mo);
	if (map < 0) {
		err = -errno;
		goto out;
	}
	*step = PROBE_ATTACH;
	info.map.map_fd = map;
	lo.iter_info = &info;
	lo.iter_info_len = sizeof(info);
	link = bpf_link_create(prog, 0, BPF_TRACE_ITER, &lo);
	if (link < 0) {
		err = -errno;
		goto out;
	}
	close(link);
	err = 0;
out:
	if (map >= 0)
		close(map);
	btf__free(btf);
	close(prog);
	return err;
}

#endif /* TESTS_PROBE_H */
