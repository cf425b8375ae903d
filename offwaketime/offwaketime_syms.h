/* SPDX-License-Identifier: GPL-2.0 */
/*
 * offwaketime_syms.h - stack ids to names. Kernel addresses through
 * /proc/kallsyms; user addresses through /proc/PID/maps (which file, at which
 * offset) and that file's ELF symbol table (libelf): .symtab when the file
 * has one, else .dynsym.
 */
#ifndef OFFWAKETIME_SYMS_H
#define OFFWAKETIME_SYMS_H

#include <stdio.h>
#include <linux/types.h>

struct owt_ksym {
	__u64 addr;
	char *name;
};
struct owt_fsym {
	__u64 addr, size;
	char *name;
};
struct owt_file {
	char *path;
	struct owt_fsym *syms;
	size_t n;
	__u64 *seg;
	size_t nseg;
};
struct owt_map {
	__u64 start, end, off;
	struct owt_file *file;
};
struct owt_proc {
	__u32 tgid;
	struct owt_map *maps;
	size_t n;
};

struct owt_syms {
	struct owt_ksym *k;
	size_t nk;
	struct owt_file **files;
	size_t nfiles;
	struct owt_proc *procs;
	size_t nprocs;
};

/* Read /proc/kallsyms. 0 or -errno. */
int owt_syms_open(struct owt_syms *s);
void owt_syms_close(struct owt_syms *s);

/* A stack's frames from the STACK_TRACE map: the count (0 for a negative id,
 * a stack that was not taken), or -errno (-ENOENT: no such id). */
int owt_stack_read(int map_fd, __s32 id, __u64 *ips);

/* The name of one frame: "function" (or "function+0x12" when off is true),
 * "[unknown]" when nothing matches. user: look in tgid's mapped files. */
const char *owt_sym(struct owt_syms *s, __u32 tgid, __u64 ip, int user, char *buf, size_t len);

/* One stack printed, innermost frame first, one frame a line after indent:
 * the kernel part then the user part (-EFAULT: none, as for a kernel thread). */
void owt_print_stack(FILE *f, struct owt_syms *s, int map_fd, __u32 tgid, __s32 kid, __s32 uid,
		     const char *indent);

/* A stack as folded frames, appended to buf: outermost first when outer_first,
 * else innermost first; frames separated by ';'. */
void owt_fold_stack(char *buf, size_t len, struct owt_syms *s, int map_fd, __u32 tgid, __s32 kid,
		    __s32 uid, int outer_first);

/* One entry of the off-CPU HASH (key: struct owt_key, count = wakeups, weight
 * = nanoseconds) or of the profile (struct owt_prof_key, count = weight =
 * samples) on stdout: numbered with both stacks, or folded on one line. */
void owt_print_entry(struct owt_syms *s, int stacks_fd, int prof, int folded, const void *key,
		     __u64 count, __u64 weight, __u64 total, size_t rank);

#endif /* OFFWAKETIME_SYMS_H */
