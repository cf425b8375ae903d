/* SPDX-License-Identifier: GPL-2.0 */
/* sk_storage_table.h - the table both modes of sk_storage print: one row per
 * socket's struct sk_stats, under one header. */
#ifndef SK_STORAGE_TABLE_H
#define SK_STORAGE_TABLE_H

struct sk_stats;

void sk_storage_print_header(void);
/* local: the first column (an address, or the demo's "#N fd F"). */
void sk_storage_print_stats(const char *local, const char *remote, const struct sk_stats *st);

#endif /* SK_STORAGE_TABLE_H */
