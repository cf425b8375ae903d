// SPDX-License-Identifier: GPL-2.0
/*
 * offwaketime_traps.c - the STACK_TRACE map's traps, on the live map.
 *
 * stack_probe (offwaketime_traps_kern.h) is a raw_tp program that is never
 * attached: BPF_PROG_TEST_RUN runs it in this thread, so BPF_F_USER_STACK
 * takes this process's own user stack, from owt_probe_a() or owt_probe_b()
 * (two call paths, two stacks).
 *
 * Frame pointers: the kernel walks a user stack only through the frame-pointer
 * chain, and the Makefile builds with -O2, where gcc omits them. This file
 * keeps them, as offwaketime_demo.c does, and keeps every call a call (a tail
 * call, a jmp, leaves no frame of its own).
 */
#pragma GCC optimize("no-omit-frame-pointer", "no-optimize-sibling-calls")
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "offwaketime.h"
#include "offwaketime_syms.h"
#include "offwaketime_traps.h"
#include "offwaketime.skel.h"

#define NOINLINE __attribute__((noinline))

/* The two call paths: owt_probe_b's stack is owt_probe_a's with one frame more. */
static NOINLINE int owt_probe_run(int prog_fd)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);

	return bpf_prog_test_run_opts(prog_fd, &opts) ? -errno : 0;
}

NOINLINE int owt_probe_a(int prog_fd)
{
	return owt_probe_run(prog_fd);
}

NOINLINE int owt_probe_b(int prog_fd)
{
	return owt_probe_a(prog_fd);
}

/* Run the probe with flags from path b (or a); its result. */
static long run_probe(struct offwaketime *skel, bool tiny, __u64 flags, bool from_b)
{
	int fd = bpf_program__fd(skel->progs.stack_probe);

	skel->bss->probe_tiny = tiny;
	skel->bss->probe_flags = flags;
	if (from_b ? owt_probe_b(fd) : owt_probe_a(fd))
		return -errno;
	return skel->bss->probe_id;
}

static const char *id_or_errname(long id, char *buf)
{
	if (id >= 0)
		snprintf(buf, 32, "id %ld", id);
	else
		snprintf(buf, 32, "%s", sample_errname(id));
	return buf;
}

int owt_show_traps(struct offwaketime *skel)
{
	int fd = bpf_map__fd(skel->maps.stacks), tiny = bpf_map__fd(skel->maps.tiny_stacks);
	__u64 ips[OWT_MAX_DEPTH], u = BPF_F_USER_STACK;
	char r[4][32], name[2][256];
	struct owt_syms syms;
	long a, b, a_skip, k;
	int n, n_skip, err;
	__u32 id;

	err = owt_syms_open(&syms);
	if (err)
		return err;
	printf("BPF_MAP_TYPE_STACK_TRACE traps, on the live map (stack_probe run with BPF_PROG_TEST_RUN):\n");
	k = run_probe(skel, false, 0, false);
	n = owt_stack_read(fd, k, ips);
	printf("  kernel stack: bpf_get_stackid() -> %s, %d frames, innermost %s;\n"
	       "    bpf_get_stack() copied %lld bytes = %lld frames, no map needed\n",
	       id_or_errname(k, r[0]), n,
	       n > 0 ? owt_sym(&syms, 0, ips[0], 0, name[0], sizeof(name[0])) : "-",
	       (long long)skel->bss->probe_len, (long long)skel->bss->probe_len / 8);
	a = run_probe(skel, false, u, false);
	n = owt_stack_read(fd, a, ips);
	printf("  BPF_F_USER_STACK from owt_probe_a -> %s (%d frames: %s, %s, ...: owt_probe_run,\n"
	       "    which called libbpf (no frame pointers), is missing)\n",
	       id_or_errname(a, r[0]), n,
	       n > 1 ? owt_sym(&syms, getpid(), ips[0], 1, name[0], sizeof(name[0])) : "-",
	       n > 1 ? owt_sym(&syms, getpid(), ips[1], 1, name[1], sizeof(name[1])) : "-");
	b = run_probe(skel, false, u, true);
	printf("  BPF_F_USER_STACK from owt_probe_b -> %s: %s\n", id_or_errname(b, r[0]),
	       a == b ? "the same id: the two paths cannot be told apart" :
			"another path, another id");
	a_skip = run_probe(skel, false, u | 1, false);
	n_skip = owt_stack_read(fd, a_skip, ips);
	printf("  ... | skip 1 (flags & BPF_F_SKIP_FIELD_MASK) -> %s, %d frames: the innermost one dropped\n",
	       id_or_errname(a_skip, r[0]), n_skip);
	if (a < 0 || b < 0 || a == b || n_skip != n - 1) {
		/* What code built without frame pointers gives: the walk stops
		 * or wanders at once, and both paths look the same. Valgrind
		 * (its own stack, not the program's) gives it too. */
		fprintf(stderr,
			"offwaketime: note: user stacks of two call paths are not told apart "
			"(%s, %s): no frame pointers, or under valgrind? (traps cut short)\n",
			id_or_errname(a, r[0]), id_or_errname(b, r[1]));
		owt_syms_close(&syms);
		return 0;
	}

	a = run_probe(skel, true, u, false);
	b = run_probe(skel, true, u, true);
	k = run_probe(skel, true, u, false);
	printf("  a 1-bucket map: path a -> %s, path b -> %s (bucket taken: counted as a failure),\n"
	       "    path a again -> %s (the same stack finds itself)\n",
	       id_or_errname(a, r[0]), id_or_errname(b, r[1]), id_or_errname(k, r[2]));
	k = run_probe(skel, true, u | BPF_F_REUSE_STACKID, true);
	printf("  path b with BPF_F_REUSE_STACKID -> %s: REUSE swaps a spare element in before it\n"
	       "    frees the old one, and a map whose every element is in use has none\n",
	       id_or_errname(k, r[0]));
	id = 0;
	err = bpf_map_delete_elem(tiny, &id) ? -errno : 0;
	b = run_probe(skel, true, u, true);
	n = owt_stack_read(tiny, 0, ips);
	printf("  delete id 0 -> %s; path b -> %s: id 0 now names path b's stack (%s, %s):\n"
	       "    an id kept from before names whatever stack holds the bucket now\n",
	       err ? sample_errname(err) : "ok", id_or_errname(b, r[0]),
	       n > 1 ? owt_sym(&syms, getpid(), ips[1], 1, name[0], sizeof(name[0])) : "-",
	       n > 2 ? owt_sym(&syms, getpid(), ips[2], 1, name[1], sizeof(name[1])) : "-");
	id = a_skip;
	err = bpf_map_delete_elem(fd, &id) ? -errno : 0;
	n = owt_stack_read(fd, id, ips);
	printf("  delete id %u in the big map -> %s; lookup it again -> %s\n\n", id,
	       err ? sample_errname(err) : "ok", n < 0 ? sample_errname(n) : "found");
	owt_syms_close(&syms);
	return 0;
}
