// SPDX-License-Identifier: GPL-2.0
/* offwaketime_syms.c - see offwaketime_syms.h. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "sample.h"
#include "offwaketime.h"
#include "offwaketime_syms.h"

static int cmp_addr(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b; /* addr is first in both */

	return x < y ? -1 : x > y;
}

int owt_syms_open(struct owt_syms *s)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char name[256], type;
	unsigned long long addr;
	size_t cap = 0;

	memset(s, 0, sizeof(*s));
	if (!f)
		return -errno;
	while (fscanf(f, "%llx %c %255s%*[^\n]", &addr, &type, name) == 3) {
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			continue;
		if (s->nk == cap) {
			size_t more = cap ? 2 * cap : 65536;
			struct owt_ksym *k = realloc(s->k, more * sizeof(*k));

			if (!k)
				break;
			s->k = k;
			cap = more;
		}
		s->k[s->nk].addr = addr;
		s->k[s->nk++].name = strdup(name);
	}
	fclose(f);
	qsort(s->k, s->nk, sizeof(*s->k), cmp_addr);
	return s->nk ? 0 : -ENOENT;
}

static void file_free(struct owt_file *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->syms[i].name);
	free(f->syms);
	free(f->seg);
	free(f->path);
	free(f);
}

void owt_syms_close(struct owt_syms *s)
{
	for (size_t i = 0; i < s->nk; i++)
		free(s->k[i].name);
	for (size_t i = 0; i < s->nfiles; i++)
		file_free(s->files[i]);
	for (size_t i = 0; i < s->nprocs; i++)
		free(s->procs[i].maps);
	free(s->k);
	free(s->files);
	free(s->procs);
	memset(s, 0, sizeof(*s));
}

/* Function symbols and PT_LOAD segments (offset, vaddr, filesz triples) of
 * one ELF file, through libelf. */
static void elf_load(struct owt_file *of, const char *path)
{
	Elf_Scn *scn = NULL, *use = NULL;
	GElf_Shdr sh;
	GElf_Phdr ph;
	size_t nph;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf *e;

	if (fd < 0)
		return;
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (e && !elf_getphdrnum(e, &nph))
		of->seg = calloc(nph ? nph : 1, 3 * sizeof(__u64));
	if (of->seg)
		for (size_t i = 0; i < nph; i++)
			if (gelf_getphdr(e, i, &ph) && ph.p_type == PT_LOAD) {
				of->seg[3 * of->nseg] = ph.p_offset;
				of->seg[3 * of->nseg + 1] = ph.p_vaddr;
				of->seg[3 * of->nseg++ + 2] = ph.p_filesz;
			}
	scn = e ? elf_nextscn(e, NULL) : NULL;
	while (scn) {
		if (gelf_getshdr(scn, &sh) &&
		    (sh.sh_type == SHT_SYMTAB || (sh.sh_type == SHT_DYNSYM && !use)))
			use = scn;
		scn = elf_nextscn(e, scn);
	}
	if (use && gelf_getshdr(use, &sh) && sh.sh_entsize) {
		Elf_Data *d = elf_getdata(use, NULL);
		size_t n = sh.sh_size / sh.sh_entsize;
		GElf_Sym sym;

		of->syms = calloc(n ? n : 1, sizeof(*of->syms));
		for (size_t i = 0; d && of->syms && i < n; i++) {
			const char *name;

			if (!gelf_getsym(d, i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
			    !sym.st_value)
				continue;
			name = elf_strptr(e, sh.sh_link, sym.st_name);
			if (!name)
				continue;
			of->syms[of->n++] =
				(struct owt_fsym){ sym.st_value, sym.st_size, strdup(name) };
		}
		if (of->syms)
			qsort(of->syms, of->n, sizeof(*of->syms), cmp_addr);
	}
	if (e)
		elf_end(e);
	close(fd);
}

static struct owt_file *file_get(struct owt_syms *s, __u32 tgid, const char *path)
{
	struct owt_file **files, *of;
	char full[4096 + 32];

	for (size_t i = 0; i < s->nfiles; i++)
		if (!strcmp(s->files[i]->path, path))
			return s->files[i];
	files = realloc(s->files, (s->nfiles + 1) * sizeof(*files));
	if (!files)
		return NULL;
	s->files = files;
	of = calloc(1, sizeof(*of));
	if (!of)
		return NULL;
	of->path = strdup(path);
	/* Through the process's root: right even in another mount namespace. */
	snprintf(full, sizeof(full), "/proc/%u/root%s", tgid, path);
	elf_load(of, full);
	s->files[s->nfiles++] = of;
	return of;
}

/* The executable mappings of tgid, read once. */
static struct owt_proc *proc_get(struct owt_syms *s, __u32 tgid)
{
	unsigned long long start, end, off;
	char line[4352], perms[8], path[4096];
	struct owt_proc *p;
	FILE *f;

	for (size_t i = 0; i < s->nprocs; i++)
		if (s->procs[i].tgid == tgid)
			return &s->procs[i];
	p = realloc(s->procs, (s->nprocs + 1) * sizeof(*p));
	if (!p)
		return NULL;
	s->procs = p;
	p = &s->procs[s->nprocs++];
	*p = (struct owt_proc){ .tgid = tgid };
	snprintf(line, sizeof(line), "/proc/%u/maps", tgid);
	f = fopen(line, "re");
	while (f && fgets(line, sizeof(line), f)) {
		struct owt_map *m;

		if (sscanf(line, "%llx-%llx %7s %llx %*s %*s %4095s", &start, &end, perms, &off,
			   path) != 5 ||
		    perms[2] != 'x' || path[0] != '/')
			continue;
		m = realloc(p->maps, (p->n + 1) * sizeof(*m));
		if (!m)
			break;
		p->maps = m;
		p->maps[p->n++] = (struct owt_map){ start, end, off, file_get(s, tgid, path) };
	}
	if (f)
		fclose(f);
	return p;
}

const char *owt_sym(struct owt_syms *s, __u32 tgid, __u64 ip, int user, char *buf, size_t len)
{
	struct owt_proc *p;

	snprintf(buf, len, "[unknown]");
	if (!user) {
		size_t lo = 0, hi = s->nk;

		while (hi - lo > 1) { /* the last symbol at or below ip */
			size_t mid = (lo + hi) / 2;

			*(s->k[mid].addr <= ip ? &lo : &hi) = mid;
		}
		if (s->nk && s->k[lo].addr <= ip)
			snprintf(buf, len, "%s", s->k[lo].name);
		return buf;
	}
	p = proc_get(s, tgid);
	if (!p)
		return buf;
	for (size_t i = 0; i < p->n; i++) {
		struct owt_map *m = &p->maps[i];
		struct owt_file *f = m->file;
		__u64 foff = ip - m->start + m->off, va = 0;
		int found = 0;

		if (ip < m->start || ip >= m->end || !f)
			continue;
		for (size_t j = 0; j < f->nseg && !found; j++) /* file offset -> ELF vaddr */
			if (foff >= f->seg[3 * j] && foff < f->seg[3 * j] + f->seg[3 * j + 2]) {
				va = foff - f->seg[3 * j] + f->seg[3 * j + 1];
				found = 1;
			}
		for (size_t j = f->n; found && j-- > 0;)
			if (f->syms[j].addr <= va) {
				if (va < f->syms[j].addr + (f->syms[j].size ? f->syms[j].size : 1))
					snprintf(buf, len, "%s", f->syms[j].name);
				break;
			}
		if (!strcmp(buf, "[unknown]"))
			snprintf(buf, len, "[%s]", strrchr(f->path, '/') + 1);
		return buf;
	}
	return buf;
}

int owt_stack_read(int map_fd, __s32 id, __u64 *ips)
{
	int n = 0;

	if (id < 0)
		return 0;
	if (bpf_map_lookup_elem(map_fd, &id, ips))
		return -errno;
	while (n < OWT_MAX_DEPTH && ips[n])
		n++;
	return n;
}

void owt_print_stack(FILE *f, struct owt_syms *s, int map_fd, __u32 tgid, __s32 kid, __s32 uid,
		     const char *indent)
{
	__u64 ips[OWT_MAX_DEPTH];
	char name[256];

	for (int user = 0; user < 2; user++) {
		__s32 id = user ? uid : kid;
		int n = owt_stack_read(map_fd, id, ips);
		const char *why = "failed";

		if (id == -EFAULT)
			why = "EFAULT";
		if (id == -EEXIST)
			why = "EEXIST, bucket taken";
		if (id < 0 && !(user && id == -EFAULT && kid >= 0))
			fprintf(f, "%s[no %s stack: %s]\n", indent, user ? "user" : "kernel", why);
		for (int i = 0; i < n; i++)
			fprintf(f, "%s%s\n", indent,
				owt_sym(s, tgid, ips[i], user, name, sizeof(name)));
	}
}

void owt_fold_stack(char *buf, size_t len, struct owt_syms *s, int map_fd, __u32 tgid, __s32 kid,
		    __s32 uid, int outer_first)
{
	__u64 ips[2][OWT_MAX_DEPTH];
	int n[2] = { owt_stack_read(map_fd, kid, ips[0]), owt_stack_read(map_fd, uid, ips[1]) };
	char name[256];

	/* Innermost first: kernel frames (leaf first), then user frames. */
	for (int k = 0; k < n[0] + n[1]; k++) {
		int i = outer_first ? n[0] + n[1] - 1 - k : k, user = i >= n[0] && n[0] >= 0;
		size_t used = strlen(buf);

		if (n[0] < 0 || n[1] < 0)
			break;
		owt_sym(s, tgid, ips[user][user ? i - n[0] : i], user, name, sizeof(name));
		snprintf(buf + used, len - used, "%s%s", used ? ";" : "", name);
	}
}

void owt_print_entry(struct owt_syms *s, int fd, int prof, int folded, const void *key, __u64 count,
		     __u64 weight, __u64 total, size_t rank)
{
	const struct owt_prof_key *pk = key;
	const struct owt_key *k = key;
	static char line[16384];
	char b[2][SAMPLE_FMT_LEN];

	if (prof && folded) {
		snprintf(line, sizeof(line), "%s", pk->comm);
		owt_fold_stack(line, sizeof(line), s, fd, pk->tgid, pk->kstack, pk->ustack, 1);
		printf("%s %llu\n", line, (unsigned long long)count);
	} else if (prof) {
		printf("#%zu %-16s samples %s (%.1f%%)\n", rank, pk->comm,
		       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, count),
		       100.0 * weight / (total ? total : 1));
		owt_print_stack(stdout, s, fd, pk->tgid, pk->kstack, pk->ustack, "    ");
	} else if (folded) {
		/* waker;outermost..innermost;--;innermost..outermost;target */
		snprintf(line, sizeof(line), "%s", k->waker[0] ? k->waker : "[unknown]");
		owt_fold_stack(line, sizeof(line), s, fd, k->waker_tgid, k->waker_kstack,
			       k->waker_ustack, 1);
		snprintf(line + strlen(line), sizeof(line) - strlen(line), ";--");
		owt_fold_stack(line, sizeof(line), s, fd, k->tgid, k->kstack, k->ustack, 0);
		printf("%s;%s %llu\n", line, k->comm, (unsigned long long)weight / 1000);
	} else {
		printf("#%zu %-16s <- %-16s wakeups %s  off-CPU %s us\n", rank, k->comm,
		       k->waker[0] ? k->waker : "[unknown]",
		       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, count),
		       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, weight / 1000));
		printf("    target (went off CPU here):\n");
		owt_print_stack(stdout, s, fd, k->tgid, k->kstack, k->ustack, "      ");
		printf("    waker (woke it from here):\n");
		owt_print_stack(stdout, s, fd, k->waker_tgid, k->waker_kstack, k->waker_ustack,
				"      ");
	}
}
