/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bloom_filter_model.h - the kernel's BPF_MAP_TYPE_BLOOM_FILTER, recomputed in
 * user space (header-only: the demo and the tests include it), so that the
 * exact false positives of a filter made with BPF_F_ZERO_SEED can be predicted.
 *
 * The kernel (kernel/bpf/bloom_filter.c) sizes the bit array from max_entries
 * n and the number of hash functions k: n * k bits, times 7/5 (about 1/ln 2),
 * rounded up to a power of two, at least 64. Element i of k sets bit
 * jhash2(value as u32 words, seed + i) & (bits - 1); a 4-byte value is one
 * word. jhash2 is Bob Jenkins' lookup3 hash as include/linux/jhash.h has it.
 */
#ifndef BLOOM_FILTER_MODEL_H
#define BLOOM_FILTER_MODEL_H

#include <stdbool.h>
#include <stdlib.h>
#include <linux/types.h>

static inline __u32 bfm_rol(__u32 w, int s)
{
	return (w << s) | (w >> (32 - s));
}

/* lookup3's final mixing of (a, b, c), then c is the hash. */
static inline __u32 bfm_final(__u32 a, __u32 b, __u32 c)
{
	c ^= b;
	c -= bfm_rol(b, 14);
	a ^= c;
	a -= bfm_rol(c, 11);
	b ^= a;
	b -= bfm_rol(a, 25);
	c ^= b;
	c -= bfm_rol(b, 16);
	a ^= c;
	a -= bfm_rol(c, 4);
	b ^= a;
	b -= bfm_rol(a, 14);
	c ^= b;
	c -= bfm_rol(b, 24);
	return c;
}

/* jhash2() of one 32-bit word: the only case a 4-byte value needs. */
static inline __u32 bfm_jhash_word(__u32 w, __u32 initval)
{
	__u32 a, b, c;

	a = b = c = 0xdeadbeef + (1 << 2) + initval;
	a += w;
	return bfm_final(a, b, c);
}

struct bfm {
	__u32 mask; /* bits - 1 */
	__u32 k;
	__u64 *bits;
};

/* The kernel's sizing for max_entries n and k hash functions (k = 0 means 5). */
static inline __u32 bfm_nbits(__u32 n, __u32 k)
{
	__u64 nbits = (__u64)n * (k ? k : 5), p = 64;

	nbits = nbits / 5 * 7;
	if (nbits > (1ull << 31))
		return 0; /* 2^32 bits: not modelled */
	while (p < nbits)
		p <<= 1;
	return (__u32)p;
}

static inline int bfm_init(struct bfm *m, __u32 n, __u32 k)
{
	__u32 nbits = bfm_nbits(n, k);

	m->k = k ? k : 5;
	m->mask = nbits - 1;
	m->bits = nbits ? calloc(nbits / 64, sizeof(__u64)) : NULL;
	return m->bits ? 0 : -1;
}

/* value: the 4 bytes as they are in memory (an address in network order). */
static inline void bfm_add(struct bfm *m, __u32 value)
{
	for (__u32 i = 0; i < m->k; i++) {
		__u32 h = bfm_jhash_word(value, i) & m->mask; /* seed 0 + i */

		m->bits[h / 64] |= 1ull << (h % 64);
	}
}

static inline bool bfm_maybe(const struct bfm *m, __u32 value)
{
	for (__u32 i = 0; i < m->k; i++) {
		__u32 h = bfm_jhash_word(value, i) & m->mask;

		if (!(m->bits[h / 64] & (1ull << (h % 64))))
			return false;
	}
	return true;
}

static inline void bfm_free(struct bfm *m)
{
	free(m->bits);
	m->bits = NULL;
}

#endif /* BLOOM_FILTER_MODEL_H */
