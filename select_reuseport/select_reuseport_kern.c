// SPDX-License-Identifier: GPL-2.0
/*
 * select_reuseport_kern.c - choose the receiving socket of an SO_REUSEPORT
 * group from a BPF_MAP_TYPE_REUSEPORT_SOCKARRAY.
 *
 * select_by_key (UDP): the first byte of the UDP payload is a shard key; the
 * worker in slot key % nr_workers gets the datagram. If the helper fails (an
 * empty slot) the program still returns SK_PASS without a choice, and the
 * kernel falls back to its own hash over the group: counted, never dropped.
 *
 * select_or_migrate (TCP): a SYN goes to the listener in syn_slot; when that
 * listener closes with connections still in its queue (and the netns has
 * net.ipv4.tcp_migrate_req=1), the kernel runs the program once per pending
 * connection with migrating_sk set, and it moves them to migrate_slot.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "sample_kern.h"
#include "select_reuseport.h"

#ifndef ENOENT
#define ENOENT 2
#endif

/* The workers (UDP) and the listeners (TCP): two groups, so two maps. The
 * value is the socket; user space writes an fd (4 or 8 bytes: 8 lets a lookup
 * from user space return the socket's cookie). */
struct {
	__uint(type, BPF_MAP_TYPE_REUSEPORT_SOCKARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, SR_MAX_WORKERS);
} udp_workers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_REUSEPORT_SOCKARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, SR_MAX_WORKERS);
} tcp_listeners SEC(".maps");

/* Datagrams each slot's worker was chosen for. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, SR_MAX_WORKERS);
} per_slot SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct sr_counters);
	__uint(max_entries, 1);
} counters SEC(".maps");

const volatile __u32 nr_workers = 4; /* set by user space before load */
__u32 syn_slot; /* TCP: where new connections go */
__u32 migrate_slot = 1; /* TCP: where a closing listener's go */

SEC("sk_reuseport")
int select_by_key(struct sk_reuseport_md *md)
{
	__u32 zero = 0, slot;
	struct sr_counters *c = bpf_map_lookup_elem(&counters, &zero);
	__u64 *n;
	__u8 key;
	long err;

	if (!c)
		return SK_PASS;
	/* For UDP the packet starts at the UDP header: the payload is at 8. */
	if (bpf_skb_load_bytes(md, sizeof(struct udphdr), &key, 1)) {
		__sync_fetch_and_add(&c->no_key, 1);
		return SK_PASS; /* no choice made: the kernel hashes */
	}
	slot = nr_workers ? key % nr_workers : 0;
	err = bpf_sk_select_reuseport(md, &udp_workers, &slot, 0);
	if (err)
		c->last_err = err;
	if (err == -ENOENT) {
		__sync_fetch_and_add(&c->empty_slot, 1);
		return SK_PASS;
	}
	if (err) {
		__sync_fetch_and_add(&c->select_failed, 1);
		return SK_PASS;
	}
	__sync_fetch_and_add(&c->selected, 1);
	n = bpf_map_lookup_elem(&per_slot, &slot);
	if (n)
		__sync_fetch_and_add(n, 1);
	return SK_PASS;
}

SEC("sk_reuseport/migrate")
int select_or_migrate(struct sk_reuseport_md *md)
{
	__u32 zero = 0, slot = md->migrating_sk ? migrate_slot : syn_slot;
	struct sr_counters *c = bpf_map_lookup_elem(&counters, &zero);
	long err;

	if (!c)
		return SK_PASS;
	err = bpf_sk_select_reuseport(md, &tcp_listeners, &slot, 0);
	if (err)
		c->last_err = err;
	if (md->migrating_sk)
		__sync_fetch_and_add(err ? &c->migrate_failed : &c->migrated, 1);
	else if (!err)
		__sync_fetch_and_add(&c->syn_selected, 1);
	return SK_PASS;
}

char LICENSE[] SEC("license") = "GPL";
