/* SPDX-License-Identifier: GPL-2.0 */
/* sk_storage_table.h - what sk_storage lists: the iterator's records, and the
 * table both modes print, one row per socket's struct sk_stats under one
 * header. */
#ifndef SK_STORAGE_TABLE_H
#define SK_STORAGE_TABLE_H

struct bpf_link;
struct sk_record;
struct sk_stats;

/* Every socket that has storage, as the iterator (iter) writes them: how
 * many, up to max of them copied into recs (which may be NULL), or -errno. */
int sk_storage_iter_read(struct bpf_link *iter, struct sk_record *recs, int max);

void sk_storage_print_header(void);
/* local: the first column (an address, or the demo's "#N fd F"). */
void sk_storage_print_stats(const char *local, const char *remote, const struct sk_stats *st);

#endif /* SK_STORAGE_TABLE_H */
