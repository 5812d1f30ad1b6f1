#!/bin/sh
# The BTF backend on this machine's kernel (/sys/kernel/btf/vmlinux): every
# member memwhere's analyzers use (tests/types-members.list) against bpftool's
# reading of the same BTF (an independent parser: libbpf), and the list of
# what this kernel lacks. Skipped where there is no kernel BTF.
. "$MW_SRCDIR/tests/tap.sh"
. "$MW_SRCDIR/tests/types-lib.sh"
btf=${MW_SYS_BTF:-/sys/kernel/btf/vmlinux}
tap_tmpdir sysbtf

if [ ! -r "$btf" ]; then
	skip "no $btf"
	done_testing
	exit $?
fi

"$probe" --time --btf "$btf" --list "$members" >"$tmp/mine" 2>"$tmp/time"
rc=$?
[ $rc -le 1 ]; ok $? "types-probe reads $btf (exit $rc: 0 all found, 1 some missing)"
diag "$(cat "$tmp/time")"
n=$(grep -c . "$tmp/mine"); missing=$(grep -c ' MISSING' "$tmp/mine")
[ "$n" -gt 0 ] && [ "$missing" -lt $((n / 4)) ]; ok $? "most items resolve ($missing of $n missing)"
grep ' MISSING' "$tmp/mine" | while read -r line; do diag "this kernel lacks: $line"; done

# The same blob through the dump's code path (a buffer)
"$probe" --btf-buf "$btf" --list "$members" >"$tmp/buf" 2>/dev/null
sed 's/ (BTF [^)]*)$//; s/ ([^)]*)$//' "$tmp/mine" >"$tmp/mine.n"
sed 's/ ([^)]*)$//' "$tmp/buf" >"$tmp/buf.n"
cmp -s "$tmp/mine.n" "$tmp/buf.n"; ok $? "a BTF buffer answers as the BTF file does"

if command -v bpftool >/dev/null && [ -x "$PY" ]; then
	if bpftool btf dump file "$btf" >"$tmp/raw" 2>"$tmp/err"; then
		"$PY" "$MW_SRCDIR/tests/types-btf-oracle.py" "$tmp/raw" "$members" >"$tmp/oracle"
		compare_items "$tmp/mine" "$tmp/oracle" "sys BTF vs bpftool"
	else
		skip "bpftool cannot dump $btf: $(head -n 1 "$tmp/err")"
	fi
else
	skip "bpftool (Debian package bpftool) not installed: no independent check"
fi
done_testing
