#!/bin/sh
# Dumps cut short (a copy interrupted, a disk full): the commonest bad
# customer file. Each bundled dump, as kdump, flattened stream and ELF, is
# cut in half; memwhere must read what is there and say where the file
# ends, how much it should have had and how much RAM is missing, in one
# line naming the file, with no signal and no hang.
. "$MW_SRCDIR/tests/tap.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mw-cut.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
conv="$MW_BUILDDIR/tests/tools/mw-convert"
n=0
for d in "$MW_SRCDIR"/testdata/*/; do
	src="$d/vmcore.kdump"
	[ -f "$src" ] || continue
	n=$((n + 1))
	name=$(basename "$d")
	cp "$src" "$tmp/full.kdump"
	"$conv" --flatten "$src" "$tmp/full.flat" 2>/dev/null &&
		"$conv" --format elf "$src" "$tmp/full.elf" 2>/dev/null
	ok $? "$name: flattened and ELF copies"
	for fmt in kdump flat elf; do
		size=$(wc -c <"$tmp/full.$fmt")
		head -c $((size / 2)) "$tmp/full.$fmt" >"$tmp/cut.$fmt"
		for cmd in info summary; do
			timeout 60 "$MEMWHERE" --json "$cmd" "$tmp/cut.$fmt" >"$tmp/out" 2>"$tmp/err"
			rc=$?
			[ $rc -eq 1 ] || [ $rc -eq 2 ]
			ok $? "$name $fmt cut in half, $cmd: exit 1 or 2, no signal or hang (got $rc)"
			# the cut is said, with the file's name: in the warnings (exit 1)
			# or on the one line of a fatal error (exit 2)
			if [ $rc -eq 2 ]; then
				[ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "$tmp/cut.$fmt: the dump ends at $((size / 2))" "$tmp/err"
			else
				grep -q "$tmp/cut.$fmt: the dump ends at $((size / 2))" "$tmp/out"
			fi
			ok $? "$name $fmt cut in half, $cmd: says where the file ends, naming it"
			[ $rc -eq 2 ] || continue
			grep -q "runs past the end" "$tmp/err"
			[ $? -ne 0 ]; ok $? "$name $fmt cut in half, $cmd: read as far as it goes, not refused as corrupt"
		done
	done
	rm -f "$tmp"/full.* "$tmp"/cut.*
done
[ "$n" -gt 0 ] || skip "no bundled dumps"

# An offset in an error about a flattened stream is an offset in that file:
# corrupt the kdump header's bitmap_blocks (offset 436 of the contents,
# carried by the stream's first record) and look where the message points.
src=$(ls "$MW_SRCDIR"/testdata/*/vmcore.kdump 2>/dev/null | head -1)
if [ -n "$src" ] && "$conv" --flatten "$src" "$tmp/bad.flat" 2>/dev/null; then
	/usr/bin/python3 - "$tmp/bad.flat" <<'PYEOF'
import struct, sys
with open(sys.argv[1], "r+b") as f:
    f.seek(4096)
    off, size = struct.unpack(">qq", f.read(16))
    assert off == 0 and size > 440
    f.seek(4096 + 16 + 436)
    f.write(b"\xff\xff\xff\x7f")
PYEOF
	"$MEMWHERE" info "$tmp/bad.flat" >/dev/null 2>"$tmp/err"; rc=$?
	at=$(sed -n 's/.*(file offset \([0-9]*\)).*/\1/p' "$tmp/err")
	[ $rc -eq 2 ] && [ "$at" = $((4096 + 16 + 436)) ]
	ok $? "flattened stream, corrupt kdump header: the offset is the file's (got '$at', exit $rc)"
	[ $rc -eq 2 ] || sed 's/^/# /' "$tmp/err"
else
	skip "no bundled dump"
fi
done_testing
