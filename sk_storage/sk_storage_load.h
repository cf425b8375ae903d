/* SPDX-License-Identifier: GPL-2.0 */
/* sk_storage_load.h - open and load sk_storage's object with one of its two
 * iterators, and attach that iterator; shared by sk_storage_user.c and its test. Include after
 * <bpf/libbpf.h> and "sk_storage.skel.h". */
#ifndef SK_STORAGE_LOAD_H
#define SK_STORAGE_LOAD_H

#include <errno.h>
#include <stdbool.h>

/* map_iter: load dump_sk_stats (iter/bpf_sk_storage_map), else dump_tcp_stats
 * (iter/tcp); the other one is not loaded. quiet: no libbpf warnings for this
 * try (a refusal is expected there). NULL with errno set on failure. */
static inline struct sk_storage *sk_storage_load_with(bool map_iter, bool quiet)
{
	libbpf_print_fn_t old = quiet ? libbpf_set_print(NULL) : NULL;
	struct sk_storage *skel = sk_storage__open();
	int err = skel ? 0 : -errno;

	if (skel) {
		bpf_program__set_autoload(
			map_iter ? skel->progs.dump_tcp_stats : skel->progs.dump_sk_stats, false);
		err = sk_storage__load(skel);
		if (err) {
			sk_storage__destroy(skel);
			skel = NULL;
		}
	}
	if (quiet)
		libbpf_set_print(old);
	errno = -err;
	return skel;
}

/* The iterator that was loaded: over the map (it needs the map as its
 * target), or over the TCP sockets (no target). NULL with errno on failure. */
static inline struct bpf_link *sk_storage_attach_iter(struct sk_storage *skel, bool map_iter)
{
	DECLARE_LIBBPF_OPTS(bpf_iter_attach_opts, iter_opts);
	union bpf_iter_link_info linfo = {};

	if (!map_iter)
		return bpf_program__attach_iter(skel->progs.dump_tcp_stats, NULL);
	linfo.map.map_fd = bpf_map__fd(skel->maps.sk_stats_map);
	iter_opts.link_info = &linfo;
	iter_opts.link_info_len = sizeof(linfo);
	return bpf_program__attach_iter(skel->progs.dump_sk_stats, &iter_opts);
}

#endif /* SK_STORAGE_LOAD_H */
