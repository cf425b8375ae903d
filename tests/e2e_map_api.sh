# SPDX-License-Identifier: GPL-2.0
# map_api end to end (sourced by tests/e2e.sh).

# The tools these tests run (a missing one is a FAIL that names it).
need_tool e2e/map_api jq nsenter findmnt || return

MA="$BIN/map_api/map_api"
# Ids of the maps the walk creates by hand (all named api_*), and the bpffs
# mounts this (the host's) mount namespace sees.
api_maps() { bpftool -j map show 2>/dev/null | jq -r '.[] | select(.name // "" | startswith("api_")) | .id' | sort; }
host_bpffs() { findmnt -rn -t bpf -o TARGET 2>/dev/null | sort; }

# The no-argument demo: exit 0, all six steps, every answer as expected, the
# lock race without a torn read, nothing left (skeleton objects, api_* maps,
# pins, bpffs mounts).
t=e2e/map_api/demo_all_steps
snapshot
api_before=$(api_maps); mnt_before=$(host_bpffs)
run demo 30 "$MA"
left=$(leftovers map_api)
api_left=$(comm -13 <(echo "$api_before") <(api_maps) | tr '\n' ' ')
steps=$(out demo | grep -c '^== step [1-6]: ')
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails demo)"
elif [ "$steps" -ne 6 ]; then fail $t "$steps step headings, want 6"
elif ! out demo | grep -A1 '^final:' | tail -1 | grep -qE '^6 steps, [0-9]+ kernel answers, 0 unexpected; step 4: 0 torn reads with BPF_F_LOCK'; then
	fail $t "summary: $(out demo | grep -A1 '^final:' | tail -1)"
elif [ -s "$E2E_TMP/demo.err" ]; then fail $t "stderr: $(err demo | head -3 | tr '\n' '|')"
elif [ -n "$left" ] || [ -n "${api_left// /}" ]; then fail $t "left behind:$left ${api_left:+api maps: $api_left}"
elif [ "$(host_bpffs)" != "$mnt_before" ]; then fail $t "the host's bpffs mounts changed"
else pass $t; fi

# The lines a reader learns from, with the kernel's real answers.
t=e2e/map_api/demo_answers
miss=""
for re in 'the same, last byte of the buffer set to 1 +-> E2BIG' \
	'update key 1 BPF_NOEXIST +-> EEXIST' 'update key 2 BPF_EXIST +-> ENOENT' \
	'update key 5 BPF_ANY +-> E2BIG' 'update key 1 BPF_ANY +-> ok +replacing' \
	'lookup_batch, the last call +-> ENOENT' 'count 4 in, 2 out' \
	'update_batch 10 keys .* -> E2BIG' 'count 10 in, 8 out' \
	'1,000,000 updates by the program, .* 0 torn reads' \
	'peer: update key 3, read-only fd +-> EPERM' 'map id after unlink +-> ENOENT' \
	'verifier: "write into map forbidden' 'verifier: "read from map forbidden' \
	'bpf_map_freeze\(mmapped\), still mapped +-> EBUSY' 'the program.s sum: 131328 \(want 131328\)'; do
	out demo | grep -qE -- "$re" || miss="$miss|$re"
done
if [ -z "$miss" ]; then pass $t; else fail $t "missing:$miss"; fi

# -s N runs step N alone.
for s in 1 2 3 4 5 6; do
	t=e2e/map_api/step_$s
	run step 20 "$MA" -s "$s"
	heads=$(out step | grep -o '^== step [0-9]*:' | tr '\n' ' ')
	if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails step)"
	elif [ "$heads" != "== step $s: " ]; then fail $t "step headings: '$heads'"
	elif ! out step | grep -A1 '^final:' | tail -1 | grep -q '^1 step, .* 0 unexpected'; then
		fail $t "summary: $(out step | tail -1)"
	else pass $t; fi
done

# A step that does not exist, or no number: one line naming -s, exit 2.
for bad in 99 0 x 1x ''; do
	t="e2e/map_api/bad_input/step_'$bad'"
	run bad 10 "$MA" -s "$bad"
	if [ "$RC" -ne 2 ]; then fail "$t" "exit $RC, want 2"
	elif [ "$(wc -l < "$E2E_TMP/bad.err")" -ne 1 ] || ! grep -q -- "-s" "$E2E_TMP/bad.err"; then
		fail "$t" "stderr: $(err bad | tr '\n' '|')"
	elif [ -s "$E2E_TMP/bad.out" ]; then fail "$t" "printed: $(out bad | head -2 | tr '\n' '|')"
	else pass "$t"; fi
done
expect_bad_input map_api stray_argument 3 3
expect_bad_input map_api unknown_option -x -x
expect_bad_input map_api duration_zero 0 -d 0
expect_no_privileges map_api

# -d: the locked race goes on, rows grow, no torn read, the summary follows.
t=e2e/map_api/watch_rows
run watch 30 "$MA" -s 1 -d 2 -I 0.5
rows=$(out watch | grep -cE '^ +[0-9]+\.[0-9] +[0-9,]+ ')
final=$(out watch | grep -A1 '^final:' | tail -1)
read -r _ upd reads _ torn <<< "$(num "$final")"
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails watch)"
elif [ "$rows" -lt 4 ]; then fail $t "$rows rows, want at least 4"
elif [ "$torn" != 0 ] || [ "${upd:-0}" -lt 100000 ] || [ "${reads:-0}" -lt 1 ]; then
	fail $t "final row: $final"
else pass $t; fi

# -d on one CPU (taskset): the race cannot be watched, one line says so, the
# rest runs: the walk, its summary without step 4's race, exit 0.
t=e2e/map_api/watch_one_cpu
run one 30 taskset -c 0 "$MA" -d 1
final=$(out one | grep -A1 '^final:' | tail -1)
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails one)"
elif [ "$(err one | wc -l)" -ne 1 ] || ! err one | grep -q 'needs two CPUs'; then
	fail $t "stderr, want one line naming two CPUs: $(err one | head -3 | tr '\n' '|')"
elif ! echo "$final" | grep -qE '^6 steps, [0-9]+ kernel answers, 0 unexpected$'; then
	fail $t "summary: $final"
else pass $t; fi

# SIGKILL while watching, with the race's map pinned: the pin is there, in the
# tool's own mount namespace only; after kill -9 the namespace, its bpffs, the
# pin and the map are gone, and nothing else is left.
t=e2e/map_api/sigkill_leaves_no_pin_no_mount
snapshot
api_before=$(api_maps); mnt_before=$(host_bpffs)
"$MA" -d 30 -I 0.2 > "$E2E_TMP/kill.out" 2> "$E2E_TMP/kill.err" &
pid=$!
ok=""
for i in $(seq 100); do
	grep -qE '^ +[0-9]+\.[0-9] ' "$E2E_TMP/kill.out" && { ok=1; break; }
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
pin=$(nsenter -t "$pid" -m ls /sys/fs/bpf/map_api 2>/dev/null)
host_pin=$(ls /sys/fs/bpf/map_api 2>/dev/null)
mnt_during=$(host_bpffs)
id=""
for f in /proc/"$pid"/fdinfo/*; do
	m=$(awk '/^map_id:/ {print $2}' "$f" 2>/dev/null)
	[ -n "$m" ] && [ "$(bpf_name map "$m")" = stamps ] && id=$m
done
kill -9 "$pid" 2>/dev/null
wait_exit "$pid" 50 2>/dev/null
gone=""
for i in $(seq 30); do
	bpftool map show id "${id:-0}" > /dev/null 2>&1 || { gone=1; break; }
	sleep 0.1
done
left=$(leftovers map_api)
api_left=$(comm -13 <(echo "$api_before") <(api_maps) | tr '\n' ' ')
if [ -z "$ok" ]; then fail $t "no row within 10 s: $(tails kill)"
elif [ "$pin" != stamps ]; then fail $t "no pin in the tool's mount namespace: '$pin'"
elif [ -n "$host_pin" ] || [ "$mnt_during" != "$mnt_before" ]; then fail $t "the host saw the private bpffs"
elif [ -z "$id" ]; then fail $t "the race's map was not among the tool's fds"
elif [ -z "$gone" ]; then fail $t "map $id (pinned) still there after SIGKILL"
elif [ -n "$left" ] || [ -n "${api_left// /}" ]; then fail $t "left behind:$left ${api_left:+api maps: $api_left}"
elif [ "$(host_bpffs)" != "$mnt_before" ]; then fail $t "the host's bpffs mounts changed"
else pass $t; fi

expect_signal_clean map_api INT '^ +time' -d 20
expect_signal_clean map_api TERM '^ +time' -d 20
