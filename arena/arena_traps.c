// SPDX-License-Identifier: GPL-2.0
/*
 * arena_traps.c - the traps of BPF_MAP_TYPE_ARENA, shown with the kernel's
 * real answers on the sample's live arena (and on two throw-away arenas of
 * one page for the user-space faults, which would otherwise take a page of
 * the sample's own). It runs the programs with a run() of its own, never
 * through the loader; peek (arena_traps_kern.h) is there for it and the tests.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "arena.h"
#include "arena_traps.h"
#include "arena.skel.h"

/* Newer than Debian 12's <linux/bpf.h> (kernel 6.1 headers): kernel 6.9. */
#define ARENA_MAP_TYPE 33 /* BPF_MAP_TYPE_ARENA */
#define ARENA_F_SEGV_ON_FAULT (1U << 17) /* BPF_F_SEGV_ON_FAULT */

/* Run a SEC("syscall") program once with args as its ctx; the kernel copies
 * the ctx back. The program's return value (0 or -errno), or -errno. */
static int run(struct bpf_program *p, struct arena_args *args)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts, .ctx_in = args, .ctx_size_in = sizeof(*args));
	int err;

	err = bpf_prog_test_run_opts(bpf_program__fd(p), &topts);
	if (err)
		return -errno;
	return (int)topts.retval;
}

/* What BPF reads at addr (the peek program); *err is its result. */
static __u64 peek(struct arena *skel, __u64 addr, int *err)
{
	struct arena_args a = { .addr = addr, .value = ~0ull };

	*err = run(skel->progs.peek, &a);
	return a.value;
}

static sigjmp_buf segv_jmp;

static void on_segv(int sig)
{
	siglongjmp(segv_jmp, 1);
}

/* *p into *val, or -EFAULT if the read raised SIGSEGV. */
static int read_guarded(volatile const __u64 *p, __u64 *val)
{
	struct sigaction sa = { .sa_handler = on_segv }, old;
	int faulted;

	sigaction(SIGSEGV, &sa, &old);
	faulted = sigsetjmp(segv_jmp, 1);
	if (!faulted)
		*val = *p;
	sigaction(SIGSEGV, &old, NULL);
	return faulted ? -EFAULT : 0;
}

/* Make an arena of one page with extra map flags, map it, and read its first
 * word from user space, where no program allocated a page. 0 and the value
 * read, -EFAULT if the read raised SIGSEGV, or -errno. */
static int user_read_fresh_arena(__u32 flags, __u64 *val)
{
	LIBBPF_OPTS(bpf_map_create_opts, mo, .map_flags = BPF_F_MMAPABLE | flags);
	volatile __u64 *p;
	int fd, err;

	fd = bpf_map_create(ARENA_MAP_TYPE, "arena_probe", 0, 0, 1, &mo);
	if (fd < 0)
		return fd;
	/* No map_extra: the first mmap() chooses the address. */
	p = mmap(NULL, ARENA_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		err = -errno;
		close(fd);
		return err;
	}
	err = read_guarded(p, val);
	munmap((void *)p, ARENA_PAGE_SIZE);
	close(fd);
	return err;
}

static const char *errname_or(int err, const char *ok)
{
	return err ? sample_errname(err) : ok;
}

int arena_show_traps(struct arena *skel, const void *mapped)
{
	int fd = bpf_map__fd(skel->maps.arena), err, err2;
	__u64 base = bpf_map__map_extra(skel->maps.arena), key = 0, v = ~0ull, v2 = ~0ull;
	char sz[SAMPLE_FMT_LEN];
	const char *answer;
	void *again;

	printf("BPF_MAP_TYPE_ARENA traps, on the live map:\n");
	printf("  pointers: BPF stores user addresses (the head column below is what BPF wrote "
	       "in .bss, followed here as is)\n");
	printf("  max_entries %u          -> %u pages of %d bytes: %s bytes of address space, "
	       "no memory until a program allocates pages\n",
	       bpf_map__max_entries(skel->maps.arena), ARENA_PAGES, ARENA_PAGE_SIZE,
	       sample_fmt_u64(sz, sizeof(sz), (__u64)ARENA_PAGES * ARENA_PAGE_SIZE));
	printf("  map_extra 0x%llx -> the user address; the arena is mapped at %p%s\n",
	       (unsigned long long)base, mapped,
	       (__u64)(unsigned long)mapped == base ? "" :
						      " (NOT the same: pointers would differ)");
	if ((__u64)(unsigned long)mapped != base)
		return -EINVAL;

	v = peek(skel, base + ARENA_PAGE_SIZE, &err);
	printf("  BPF reads map_extra + 4096  -> %llu, program returns %s: no page there, and a "
	       "fault in the arena reads zero\n",
	       (unsigned long long)v, errname_or(err, "0"));
	if (err)
		return err;

	err = bpf_map_lookup_elem(fd, &key, &v) ? -errno : 0;
	printf("  bpf_map_lookup_elem()       -> %s: an arena has pages, not elements\n",
	       errname_or(err, "found, unexpected"));
	again = mmap(NULL, ARENA_PAGE_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	err = again == MAP_FAILED ? -errno : 0;
	if (!err)
		munmap(again, ARENA_PAGE_SIZE);
	printf("  a second mmap() of the map  -> %s: one mapping per arena (libbpf >= 1.4 makes "
	       "it at load)\n",
	       errname_or(err, "mapped, unexpected"));

	err = user_read_fresh_arena(0, &v);
	err2 = user_read_fresh_arena(ARENA_F_SEGV_ON_FAULT, &v2);
	if (err && err != -EFAULT)
		goto probe_failed;
	answer = "0";
	if (err)
		answer = "SIGSEGV, unexpected";
	else if (v)
		answer = "not 0, unexpected";
	printf("  user read of an unallocated page                       -> %s: the fault "
	       "allocated a zeroed page\n",
	       answer);
	if (err2 && err2 != -EFAULT) {
		err = err2;
		goto probe_failed;
	}
	printf("  the same in an arena made with BPF_F_SEGV_ON_FAULT      -> %s\n\n",
	       err2 == -EFAULT ? "SIGSEGV: no page is made for user space" :
				 "no fault, unexpected");
	return 0;

probe_failed:
	fprintf(stderr, "arena: making a one-page probe arena failed: %s\n", sample_strerror(err));
	return err;
}

int arena_show_free_trap(struct arena *skel)
{
	struct arena_list *l = &skel->bss->list;
	const struct arena_node *h = l->head;
	struct arena_args fr = {}, one = { .first = 0, .count = 1 };
	__u64 old, v, pages = l->pages;
	int err;

	printf("Freeing the newest page with bpf_arena_free_pages() (program free_newest):\n");
	if (!h) {
		printf("  the list is empty: no page to free\n");
		return 0;
	}
	old = h->value; /* the newest node, on the newest page */
	v = peek(skel, (__u64)(unsigned long)&h->value & 0xffffffffull, &err);
	printf("  BPF reads %p (head->value) with its upper 32 bits cleared -> %llu, "
	       "was %llu: BPF uses only the low 32 bits\n",
	       (void *)&h->value, (unsigned long long)v, (unsigned long long)old);
	err = run(skel->progs.free_newest, &fr);
	if (err) {
		fprintf(stderr, "arena: running free_newest failed: %s\n", sample_strerror(err));
		return err;
	}
	printf("  page 0x%llx freed, %llu nodes unlinked first; pages %llu -> %llu\n",
	       (unsigned long long)fr.addr, (unsigned long long)fr.count, (unsigned long long)pages,
	       (unsigned long long)l->pages);
	v = peek(skel, (__u64)(unsigned long)&h->value, &err);
	printf("  BPF reads the value of its first node (was %llu) -> %llu: the page is gone\n",
	       (unsigned long long)old, (unsigned long long)v);
	printf("  user space reads it                           -> %llu: its fault made a new zeroed "
	       "page there\n",
	       (unsigned long long)*(volatile const __u64 *)&h->value);
	err = run(skel->progs.push, &one);
	if (err == -ENOMEM)
		printf("  BPF allocates a page -> none (ENOMEM): the reader's page was the last free one\n");
	else if (!err)
		printf("  BPF allocates a page -> 0x%llx, not the freed 0x%llx: the reader's page "
		       "holds that one\n",
		       (unsigned long long)((__u64)(unsigned long)l->head &
					    ~(__u64)(ARENA_PAGE_SIZE - 1)),
		       (unsigned long long)fr.addr);
	else
		fprintf(stderr, "arena: running push failed: %s\n", sample_strerror(err));
	return err == -ENOMEM ? 0 : err;
}
