#!/bin/sh
# memwhere sockets on every real dump at hand:
#  - against the guest's own view (truth.json): for every TCP and UDP socket
#    recv_queue_bytes equals /proc/net/{tcp,udp}'s rx_queue (and
#    send_queue_bytes tx_queue, state, addresses), every unix socket is
#    listed, and the owners (pid, fd) equal the guest's /proc/PID/fd socket
#    links (tests/compare_sockets.py);
#  - where drgn and the kernel's vmlinux are at hand, per socket skbs,
#    payload, truesize, frags and the distinct compound pages with their
#    orders against drgn's own walk of the ELF dump with paging
#    (tests/sockets-drgn.py), once per capture;
#  - sockets --memcg against the owners' /proc/PID/cgroup
#    (tests/sockets-memcg.py), once per capture.
. "$MW_SRCDIR/tests/tap.sh"
. "$MW_SRCDIR/tests/dumps.sh"
need_real_dumps
tap_tmpdir sockets

# the helpers print unnumbered "ok - ..." lines: number them here
run_py() {
	"$PY" "$@" >"$tmp/cmp.out" 2>"$tmp/cmp.err"
	rc=$?
	if [ $rc -gt 1 ]; then
		return $rc
	fi
	tap_lines --strict "$tmp/cmp.out"
	return 0
}

for d in $dirs; do
	label=$(dump_label "$d")
	for f in $(dump_files "$d"); do
		name="$label/$(basename "$f")"
		"$MEMWHERE" --json --top 0 sockets "$f" >"$tmp/s.json" 2>"$tmp/err"
		rc=$?
		# exit 1 is right when the dump left out pages the walk needs
		# (filtered test data): then every warning must say so
		if [ $rc -eq 1 ]; then
			"$PY" -c 'import json,sys; w=json.load(open(sys.argv[1]))["warnings"]; sys.exit(0 if w and all("left out of the dump" in x for x in w) else 1)' "$tmp/s.json"
			ok $? "$name: memwhere --json sockets exits 1 only for pages left out of the dump"
			"$PY" -c 'import json,sys; [print("#   " + x) for x in json.load(open(sys.argv[1]))["warnings"]]' "$tmp/s.json"
		else
			ok_exit 0 $rc "$name: memwhere --json sockets exits 0" "$tmp/err"
		fi
		[ $rc -le 1 ] || continue
		run_py "$MW_SRCDIR/tests/compare_sockets.py" "$tmp/s.json" "$d/truth.json" "$name" ||
			{ ok 1 "$name: compare_sockets.py ran"; sed 's/^/# /' "$tmp/cmp.err"; }
		# --memcg against the owners' /proc/PID/cgroup, on one file per capture
		if [ "$memcg_done" != "$d" ]; then
			memcg_done=$d
			run_py "$MW_SRCDIR/tests/sockets-memcg.py" "$MEMWHERE" "$f" "$tmp/s.json" \
				"$d/truth.json" "$name" ||
				{ ok 1 "$name: sockets-memcg.py ran"; sed 's/^/# /' "$tmp/cmp.err"; }
		fi
		# consistency: summary's skb_frags is what the sockets claim
		if "$MEMWHERE" --json summary "$f" >"$tmp/sum.json" 2>/dev/null ||
		   [ $? -eq 1 ]; then
			"$PY" -c 'import json,sys; a=json.load(open(sys.argv[1]))["categories"]["skb_frags"]; b=json.load(open(sys.argv[2]))["totals"]["skb_frags_bytes"]; print(a, b); sys.exit(a != b)' \
				"$tmp/sum.json" "$tmp/s.json" >"$tmp/eq" 2>&1
			ok $? "$name: summary's skb_frags equals the sockets' frag and page-frag head pages ($(cat "$tmp/eq"))"
		fi
		case "$f" in
		*/vmcore-paging.elf)
			vml=$(vmlinux_for "$d")
			if [ -z "$vml" ]; then
				skip "$name: no vmlinux for drgn"
			elif ! "$PY" -c 'import drgn' 2>/dev/null; then
				skip "$name: drgn (python3-drgn) not installed"
			else
				run_py "$MW_SRCDIR/tests/sockets-drgn.py" "$f" "$vml" "$tmp/s.json" "$name (drgn)" ||
					{ skip "$name: drgn cannot read it"; sed 's/^/# /' "$tmp/cmp.err" | head -n 3; }
			fi ;;
		esac
	done
done
done_testing
