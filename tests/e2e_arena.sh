# SPDX-License-Identifier: GPL-2.0
# arena end to end (sourced by tests/e2e.sh).

# The one thing this machine may refuse: an ARENA map (the kernel may have no
# arenas, before 6.9, or refuse to create one: EPERM here, not on every run).
# Asked once, by the C tests' own probe (tests/test_arena.c, case probe: the
# type in the kernel's BTF, then a bare BPF_MAP_CREATE; tests/lib.sh
# refused). Where it was refused, the demo must refuse in exactly one line
# with its documented exit status (3 no arenas, 1 refused) and create
# nothing, and the cases that need a running demo skip with the probe's
# reason. Otherwise the demo is checked in full.
arena_refused=$(refused arena)
arena_want_rc="(none: the probe's reason is not one the sample names)"
arena_want_err=$arena_want_rc
case $arena_refused in
*"has no BPF_MAP_TYPE_ARENA"*)
	arena_want_rc=3
	arena_want_err="arena: this kernel has no BPF_MAP_TYPE_ARENA (Linux >= 6.9)" ;;
*"-> EPERM")
	arena_want_rc=1
	arena_want_err="arena: the kernel refused to create an ARENA map: Operation not permitted (EPERM)" ;;
esac

if [ -n "$arena_refused" ]; then
	t=e2e/arena/refuses_in_one_line
	snapshot
	run demo 20 "$BIN/arena/arena" -d 3
	left=$(leftovers arena)
	if [ "$RC" != "$arena_want_rc" ]; then
		fail $t "exit $RC, want $arena_want_rc ($arena_refused): $(tails demo)"
	elif [ "$(err demo)" != "$arena_want_err" ]; then
		fail $t "stderr is not the one line '$arena_want_err': $(err demo | head -5 | tr '\n' '|')"
	elif [ -s "$E2E_TMP/demo.out" ]; then
		fail $t "printed on stdout: $(out demo | head -3 | tr '\n' '|')"
	elif [ -n "$left" ]; then
		fail $t "left behind:$left"
	else pass $t; fi
	for t in demo_walk_matches_pushes traps_shown full_arena_frees_newest_page \
		sigkill_leaves_nothing INT_clean_exit TERM_clean_exit; do
		skip e2e/arena/$t "$arena_refused"
	done
fi

# The no-argument demo: exit 0; after P values pushed (1..P) the walk found P
# nodes with sum P(P+1)/2 on ceil(P/256) pages; the traps with the kernel's
# real answers; nothing left behind.
if [ -z "$arena_refused" ]; then
	t=e2e/arena/demo_walk_matches_pushes
	snapshot
	run demo 20 "$BIN/arena/arena" -d 3
	final=$(out demo | grep -A1 '^final:' | tail -1)
	read -r _ pushed freed walked sum pages _ <<< "$(num "$final")"
	left=$(leftovers arena)
	if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(err demo | head -3 | tr '\n' '|')"
	elif [ -z "$final" ]; then fail $t "no final row: $(tails demo)"
	elif [ "$pushed" -lt 200 ] || [ "$freed" != 0 ] || [ "$walked" != "$pushed" ]; then
		fail $t "pushed $pushed freed $freed walked $walked"
	elif [ "$sum" != $((pushed * (pushed + 1) / 2)) ]; then fail $t "sum $sum for 1..$pushed"
	elif [ "$pages" != $(((pushed + 255) / 256)) ]; then fail $t "$pages pages for $pushed nodes"
	elif ! out demo | tr -d , | grep -q "^arena: $pushed values pushed; every walk found"; then
		fail $t "no summary line for $pushed values"
	elif [ -n "$left" ]; then fail $t "left behind:$left"
	else pass $t; fi

	t=e2e/arena/traps_shown
	if out demo | grep -q 'BPF reads map_extra + 4096  -> 0, program returns 0' &&
	   out demo | grep -q 'bpf_map_lookup_elem()       -> EINVAL' &&
	   out demo | grep -q 'a second mmap() of the map  -> EINVAL' &&
	   out demo | grep -q 'user read of an unallocated page  *-> 0: the fault allocated' &&
	   out demo | grep -q 'BPF_F_SEGV_ON_FAULT  *-> SIGSEGV' &&
	   out demo | grep -qE 'map_extra 0x([0-9a-f]+) -> the user address; the arena is mapped at 0x\1$' &&
	   out demo | grep -qE 'upper 32 bits cleared -> ([0-9]+), was \1: BPF uses only the low 32 bits' &&
	   out demo | grep -qE "first node \(was $pushed\) -> 0: the page is gone" &&
	   out demo | grep -q 'user space reads it  *-> 0: its fault made a new zeroed page'; then pass $t
	else fail $t "traps section missing or wrong: $(out demo | head -12 | tr '\n' '|')"; fi

	# Filling the arena: 1000 values per 0.5 s fill the 16 pages (4096 nodes)
	# within 2.5 s; then each full arena frees its newest page (256 nodes). The
	# walk always finds pushed - freed nodes, on as many pages as they need.
	t=e2e/arena/full_arena_frees_newest_page
	run full 20 "$BIN/arena/arena" -n 1000 -I 0.5 -d 4
	final=$(out full | grep -A1 '^final:' | tail -1)
	read -r _ pushed freed walked sum pages _ <<< "$(num "$final")"
	fulls=$(out full | grep -c '^  arena full (16 pages): freed the newest page 0x[0-9a-f]*, 256 nodes unlinked$')
	if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(err full | head -3 | tr '\n' '|')"
	elif [ -z "$final" ] || [ "$fulls" -lt 1 ]; then fail $t "never full: $(tails full)"
	elif [ "$freed" != $((fulls * 256)) ] || [ "$walked" != $((pushed - freed)) ]; then
		fail $t "pushed $pushed freed $freed walked $walked, $fulls pages freed"
	elif [ "$pages" != $(((walked + 255) / 256)) ] || [ "$walked" -gt 4096 ]; then
		fail $t "$pages pages for $walked nodes"
	else pass $t; fi
fi

expect_bad_input arena nodes_zero 0 -n 0
expect_bad_input arena nodes_too_many 4097 -n 4097
expect_bad_input arena nodes_garbage 12x -n 12x
expect_bad_input arena duration_zero 0 -d 0
expect_bad_input arena interval_garbage 1x -I 1x
expect_bad_input arena unknown_option -x -x
expect_bad_input arena missing_value -n -n
expect_bad_input arena stray_argument eth0 eth0
expect_bad_input arena interface_option -i -i lo
expect_no_privileges arena -d 1
if [ -z "$arena_refused" ]; then
	expect_sigkill_clean arena '^ +time' -d 20
	expect_signal_clean arena INT '^ +time' -d 20
	expect_signal_clean arena TERM '^ +time' -d 20
fi
