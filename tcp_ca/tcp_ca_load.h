/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tcp_ca_load.h - open the object under a name of our choosing, and turn the
 * registration into a bpf_link's fd on every libbpf; shared by tcp_ca_user.c,
 * tcp_ca_traps.c and the test.
 * Include after <bpf/libbpf.h>, "tcp_ca.h" and "tcp_ca.skel.h".
 */
#ifndef TCP_CA_LOAD_H
#define TCP_CA_LOAD_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>

/* Debian 12's UAPI headers (Linux 6.1) predate both (Linux 6.4). */
#ifndef BPF_F_LINK
#define BPF_F_LINK (1U << 13)
#endif
#define TCP_CA_BPF_STRUCT_OPS 44 /* enum bpf_attach_type BPF_STRUCT_OPS */

/* The exit status for "this kernel cannot" (bad input is 2, errors 1). */
#define TCP_CA_EXIT_KERNEL 3

/*
 * Does this kernel register struct_ops through a bpf_link (Linux 6.4+)?
 * Asked of its BTF: the link object, struct bpf_struct_ops_link, came with
 * that feature (enum bpf_link_type's BPF_LINK_TYPE_STRUCT_OPS is older: 6.0
 * uses it inside the kernel). 1 yes, 0 no, -errno when the kernel's BTF
 * cannot be read. Linux 6.1 registers a struct_ops map only by a map update,
 * which outlives the process: with no link, kill -9 would leave the
 * algorithm registered.
 */
static inline int tcp_ca_kernel_has_links(void)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	int id;

	if (!vmlinux)
		return -errno;
	id = btf__find_by_name_kind(vmlinux, "bpf_struct_ops_link", BTF_KIND_STRUCT);
	btf__free(vmlinux);
	return id > 0;
}

/*
 * Open the skeleton with the struct's name field set to name.
 *
 * libbpf 1.1 has no way to change a struct_ops map's data between open and
 * load (bpf_map__initial_value() returns NULL for it; libbpf 1.4 returns the
 * struct, and bpftool's skeletons then have skel->struct_ops.tcp_ca_ops).
 * So the name is written where libbpf reads it: the object's ELF image, which
 * the skeleton carries in memory. The placeholder string occurs once, as the
 * start of the 16-byte name field. *elf is the patched copy; free it after
 * tcp_ca__destroy(). NULL with errno set on failure.
 */
static inline struct tcp_ca *tcp_ca_open_named(const char *name, void **elf)
{
	static const char ph[] = TCP_CA_NAME_PLACEHOLDER;
	struct tcp_ca *skel = calloc(1, sizeof(*skel));
	char *at;
	int err;

	*elf = NULL;
	if (!skel || tcp_ca__create_skeleton(skel)) {
		free(skel);
		errno = ENOMEM;
		return NULL;
	}
	*elf = malloc(skel->skeleton->data_sz);
	if (!*elf || strlen(name) >= TCP_CA_NAME_LEN) {
		err = *elf ? -ENAMETOOLONG : -ENOMEM;
		goto fail;
	}
	memcpy(*elf, skel->skeleton->data, skel->skeleton->data_sz);
	at = memmem(*elf, skel->skeleton->data_sz, ph, sizeof(ph));
	if (!at) {
		err = -ENOENT;
		goto fail;
	}
	memset(at, 0, TCP_CA_NAME_LEN);
	memcpy(at, name, strlen(name));
	skel->skeleton->data = *elf;
	err = bpf_object__open_skeleton(skel->skeleton, NULL);
	if (!err)
		return skel;
fail:
	tcp_ca__destroy(skel);
	free(*elf);
	*elf = NULL;
	errno = -err;
	return NULL;
}

/*
 * The fd of the kernel bpf_link that holds the registration made by
 * bpf_map__attach_struct_ops(l = its result) on map, a loaded struct_ops map
 * whose flags have BPF_F_LINK; close it, or die, to unregister. Frees libbpf's
 * handle l. -errno on failure.
 *
 * On a BPF_F_LINK map, bpf_map__attach_struct_ops()'s write of the value only
 * checks and stores it; the algorithm is registered when a link is created on
 * the map. libbpf >= 1.2 creates that link itself; libbpf 1.1 returns a "link"
 * whose fd is the map's own fd, so the link is made here by hand.
 */
static inline int tcp_ca_link_fd(struct bpf_link *l, struct bpf_map *map)
{
	int fd = bpf_link__fd(l);

	bpf_link__disconnect(l); /* keep what it made, free only libbpf's handle */
	bpf_link__destroy(l);
	if (fd != bpf_map__fd(map))
		return fd; /* a real link: libbpf >= 1.2 */
	fd = bpf_link_create(fd, 0, TCP_CA_BPF_STRUCT_OPS, NULL);
	if (fd < 0)
		return -errno;
	return fd;
}

/*
 * The same registration in one call, for the traps and the tests: the link's
 * fd, or -errno (-EINVAL for a map without BPF_F_LINK).
 */
static inline int tcp_ca_register(struct bpf_map *map)
{
	struct bpf_link *l;

	/* Without the flag the write would register the algorithm for good (it
	 * outlives the process), and no link could be made after it. */
	if (!(bpf_map__map_flags(map) & BPF_F_LINK))
		return -EINVAL;
	l = bpf_map__attach_struct_ops(map);
	if (!l)
		return -errno;
	return tcp_ca_link_fd(l, map);
}

#endif /* TCP_CA_LOAD_H */
