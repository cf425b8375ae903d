// SPDX-License-Identifier: GPL-2.0
/* sk_storage_table.c - the iterator's records and the rows of sk_storage's
 * table (see sk_storage_table.h). */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "sk_storage.h"
#include "sk_storage_table.h"

/* One whole struct sk_record per read(). */
int sk_storage_iter_read(struct bpf_link *iter, struct sk_record *recs, int max)
{
	struct sk_record r;
	ssize_t got;
	int fd, n = 0;

	fd = bpf_iter_create(bpf_link__fd(iter));
	if (fd < 0)
		return -errno;
	while ((got = read(fd, &r, sizeof(r))) == sizeof(r)) {
		if (recs && n < max)
			recs[n] = r;
		n++;
	}
	if (got < 0)
		n = -errno;
	close(fd);
	return n;
}

static const char *tcp_state(__u32 s)
{
	static const char *names[] = { "?",	     "ESTABLISHED", "SYN_SENT",	 "SYN_RECV",
				       "FIN_WAIT1",  "FIN_WAIT2",   "TIME_WAIT", "CLOSE",
				       "CLOSE_WAIT", "LAST_ACK",    "LISTEN",	 "CLOSING" };

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

void sk_storage_print_header(void)
{
	printf("%-22s %-21s %-6s %11s %11s %8s %8s %5s %7s %7s %9s %s\n", "connection", "remote",
	       "side", "bytes acked", "bytes rcvd", "segs out", "segs in", "rtts", "srtt us",
	       "retrans", "delivered", "state");
	fflush(stdout);
}

void sk_storage_print_stats(const char *local, const char *remote, const struct sk_stats *st)
{
	char b[7][SAMPLE_FMT_LEN];
	const char *side = "?";

	if (st->role == SK_ROLE_CLIENT)
		side = "client";
	else if (st->role == SK_ROLE_SERVER)
		side = "server";
	sample_fmt_u64(b[0], SAMPLE_FMT_LEN, st->bytes_acked);
	sample_fmt_u64(b[1], SAMPLE_FMT_LEN, st->bytes_received);
	sample_fmt_u64(b[2], SAMPLE_FMT_LEN, st->segs_out);
	sample_fmt_u64(b[3], SAMPLE_FMT_LEN, st->segs_in);
	sample_fmt_u64(b[4], SAMPLE_FMT_LEN, st->rtt_samples);
	sample_fmt_u64(b[5], SAMPLE_FMT_LEN, st->total_retrans);
	sample_fmt_u64(b[6], SAMPLE_FMT_LEN, st->delivered);
	printf("%-22s %-21s %-6s %11s %11s %8s %8s %5s %7llu %7s %9s %s\n", local, remote, side,
	       b[0], b[1], b[2], b[3], b[4], (unsigned long long)st->srtt_us, b[5], b[6],
	       tcp_state(st->state));
}
