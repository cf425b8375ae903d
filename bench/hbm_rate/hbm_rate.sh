#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench/hbm_rate/hbm_rate.sh - rate accuracy of hbm: the no-argument demo (a TCP sender
# in hbm's own cgroup, a receiver outside it) at -r 10, 50 and 200 Mbit/s,
# goodput measured at the receiver against the rate asked.
#
#   BUILD=build BIN=. bench/hbm_rate/hbm_rate.sh [--quick]      (root; bench/run runs it)
#
# One run of hbm per rate, -I 2: every 2-second row after the first (which
# holds the first burst: a full credit plus the whole virtual queue) is one
# window, measured = the receiver's goodput in that row, against the rate
# asked. This is an accuracy row, not an A/B comparison: the B column is the
# constant rate asked (nothing is measured on that side), and the n of the row
# counts consecutive windows of one run, not pairs of independent trials, so
# its spread is the window-to-window variation within one run. The ROW keeps
# the common format (A = measured, B = asked, ratio = A/B per window, 1.0 =
# exact) and says so in its labels and note. The window is 2 s because a TCP
# sender that the limiter keeps at its queue limit sends in bursts about
# 200 ms apart (its probe timer): a 2 s window holds 10 of them, give or take
# one.
# Output: ROW lines (protocol in bench/benchlib.h) on stdout.
set -u
cd "$(dirname "$0")/../.." || exit 1
BIN=${BIN:-.}
PAIRS=7
[ "${1:-}" = --quick ] && PAIRS=5
HBM=$BIN/hbm/hbm
[ -x "$HBM" ] || { echo "bench/hbm_rate: $HBM is not built (make hbm)" >&2; exit 1; }
TMP=$(mktemp /tmp/bench-hbm.XXXXXX) || exit 1
trap 'rm -f "$TMP"' EXIT

failed=0
for rate in 10 50 200; do
	secs=$((2 * (PAIRS + 1)))
	echo "bench/hbm_rate: -r $rate for $secs s" >&2
	if ! timeout -k 2 $((secs + 20)) "$HBM" -r "$rate" -I 2 -d "$secs" > "$TMP" 2>&1; then
		echo "bench/hbm_rate: hbm -r $rate failed: $(tail -3 "$TMP" | tr '\n' '|')" >&2
		failed=1
		continue
	fi
	# Data rows (time, allowed, at hook, received, passed, cn, marked,
	# dropped, credit) before "final:", without the first. The final row
	# must show drops: else the sender, not the limiter, set the pace.
	awk -v rate="$rate" -v pairs="$PAIRS" '
		/^final:/ { fin = 1; next }
		fin { gsub(/,/, ""); drops = $8; exit }
		$1 ~ /^[0-9]+\.[0-9]+$/ && $2 == rate { if (++row > 1 && n < pairs) { a[++n] = $4 } }
		function med(v, k,    i, j, t, s) {
			for (i = 1; i <= k; i++) s[i] = v[i]
			for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (s[j] < s[i]) { t = s[i]; s[i] = s[j]; s[j] = t }
			lo = s[1]; hi = s[k]
			return k % 2 ? s[(k + 1) / 2] : (s[k / 2] + s[k / 2 + 1]) / 2
		}
		END {
			if (n < pairs) { print "bench/hbm_rate: only " n " rows at -r " rate > "/dev/stderr"; exit 1 }
			if (drops + 0 < 1) { print "bench/hbm_rate: no drops at -r " rate ": the sender did not outrun it" > "/dev/stderr"; exit 1 }
			for (i = 1; i <= n; i++) r[i] = a[i] / rate
			ma = med(a, n); mina = lo; maxa = hi
			mr = med(r, n); minr = lo; maxr = hi
			printf "ROW\thbm_rate_%d\thbm at -r %d Mbit/s: %d windows of one run\tgoodput per 2 s window\t-r %d (asked, constant)\tMbit/s\t%.4g\t%.4g\t%.4g\t%d\t%d\t%d\t%.4g\t%.4g\t%.4g\t%d\t1.0 = the rate asked\tnot A/B pairs: n = consecutive 2 s windows of one hbm run, B the constant rate asked, spread = min-max over the windows; goodput = TCP payload, the limiter counts IP bytes, so a little under 1 is exact\n",
			       rate, rate, n, rate, ma, mina, maxa, rate, rate, rate, mr, minr, maxr, n
		}' "$TMP" || failed=1
done
exit $failed
