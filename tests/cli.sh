#!/bin/sh
# The command line: usage errors, help, version, exit codes on bad input.
. "$MW_SRCDIR/tests/tap.sh"
tap_tmpdir cli

"$MEMWHERE" --version >"$tmp/out" 2>&1; ok $? "--version exits 0"
grep -q '^memwhere [0-9]' "$tmp/out"; ok $? "--version prints the version"
grep -q '^zlib pages: \(ISA-L\|libdeflate\|zlib\) [0-9]' "$tmp/out"; ok $? "--version names what inflates zlib pages"
"$MEMWHERE" --help >"$tmp/out" 2>&1; ok $? "--help exits 0"
grep -q 'info' "$tmp/out"; ok $? "--help lists info"
"$MEMWHERE" info --help >"$tmp/out" 2>&1; ok $? "info --help exits 0"
grep -q 'Usage: memwhere \[OPTIONS\] info DUMP' "$tmp/out"; ok $? "info --help shows its usage"
"$MEMWHERE" help >"$tmp/out2" 2>&1; ok $? "help exits 0"
"$MEMWHERE" --help | cmp -s - "$tmp/out2"; ok $? "help prints what --help prints"
"$MEMWHERE" help info >"$tmp/out2" 2>&1; ok $? "help info exits 0"
"$MEMWHERE" info --help | cmp -s - "$tmp/out2"; ok $? "help info prints what info --help prints"
"$MEMWHERE" help nosuch >"$tmp/out2" 2>"$tmp/err"; [ $? -eq 2 ]; ok $? "help nosuch: exit 2"
grep -q "unknown command 'nosuch'" "$tmp/err"; ok $? "help nosuch: names the command"
"$MEMWHERE" nosuch --help >"$tmp/out2" 2>&1; [ $? -eq 2 ]; ok $? "nosuch --help: exit 2"
"$MEMWHERE" frobnicate "$tmp" >/dev/null 2>"$tmp/err"; [ $? -eq 2 ]; ok $? "unknown command: exit 2"
grep -q "^memwhere: unknown command 'frobnicate'" "$tmp/err"; ok $? "unknown command: says so"
"$MEMWHERE" >/dev/null 2>&1; [ $? -eq 2 ]; ok $? "no arguments: exit 2"
"$MEMWHERE" --bogus x >/dev/null 2>&1; [ $? -eq 2 ]; ok $? "unknown option: exit 2"
"$MEMWHERE" --top >/dev/null 2>&1; [ $? -eq 2 ]; ok $? "--top without value: exit 2"
"$MEMWHERE" --top=abc x >/dev/null 2>&1; [ $? -eq 2 ]; ok $? "--top=abc: exit 2"
"$MEMWHERE" info "$tmp/missing" 2>"$tmp/err"; [ $? -eq 2 ]; ok $? "missing file: exit 2"
grep -q "$tmp/missing" "$tmp/err"; ok $? "missing file: message names the file"
printf 'not a dump at all' >"$tmp/junk"
"$MEMWHERE" info "$tmp/junk" 2>"$tmp/err" >/dev/null; [ $? -eq 2 ]; ok $? "junk file: exit 2"
[ "$(wc -l <"$tmp/err")" -eq 1 ]; ok $? "junk file: one line on stderr"
: >"$tmp/empty"
"$MEMWHERE" --json info "$tmp/empty" >"$tmp/out" 2>/dev/null; [ $? -eq 2 ]; ok $? "empty file: exit 2"
[ ! -s "$tmp/out" ]; ok $? "empty file: nothing on stdout"
# Named files that are not regular files: never block, never silence.
dump="$MW_SRCDIR/testdata/6.1-mixed/vmcore.kdump"
mkfifo "$tmp/fifo"
timeout 10 "$MEMWHERE" info "$tmp/fifo" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ]; ok $? "a FIFO as the dump: exit 2 at once (got $rc; 124 is a hang)"
grep -q "$tmp/fifo: a FIFO" "$tmp/err"; ok $? "a FIFO as the dump: the message names the file and says what it is"
"$MEMWHERE" info "$tmp" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q "a directory" "$tmp/err"; ok $? "a directory as the dump: exit 2 naming it (got $rc)"
"$MEMWHERE" info /dev/null >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q "character device" "$tmp/err"; ok $? "/dev/null as the dump: exit 2 naming it (got $rc)"
if [ -f "$dump" ]; then
	for opt in --btf --vmlinux; do
		timeout 10 "$MEMWHERE" $opt "$tmp/fifo" summary "$dump" >/dev/null 2>"$tmp/err"; rc=$?
		[ $rc -eq 2 ] && grep -q "$tmp/fifo: a FIFO" "$tmp/err"
		ok $? "$opt FIFO: exit 2 at once, naming the file (got $rc)"
	done
	timeout 10 "$MEMWHERE" --json --system-map "$tmp/fifo" summary "$dump" >"$tmp/out" 2>/dev/null; rc=$?
	[ $rc -eq 1 ] && grep -q "system-map $tmp/fifo not used" "$tmp/out"
	ok $? "--system-map FIFO on a dump with kallsyms: exit 1, a warning says it was not used (got $rc)"
	printf 'ffffffff81000000 T _text\n' >"$tmp/map"
	"$MEMWHERE" --json --system-map "$tmp/map" info "$dump" >"$tmp/out" 2>/dev/null; rc=$?
	[ $rc -eq 1 ] && grep -q "system-map $tmp/map not used" "$tmp/out"
	ok $? "a System.map the dump does not need: exit 1 with a warning, not silence (got $rc)"
else
	skip "no bundled dump"; skip "no bundled dump"; skip "no bundled dump"; skip "no bundled dump"
fi

# Types of another kernel are refused before any use, naming both kernels.
d61="$MW_SRCDIR/testdata/6.1-mixed/vmcore.kdump" d612="$MW_SRCDIR/testdata/6.12-mixed/vmcore.kdump"
kt="$MW_BUILDDIR/tests/kaddr-tool"
if [ -f "$d61" ] && [ -f "$d612" ] && "$kt" "$d612" btf "$tmp/612.btf" && "$kt" "$d61" btf "$tmp/61.btf"; then
	"$MEMWHERE" --btf "$tmp/612.btf" summary "$d61" >/dev/null 2>"$tmp/err"; rc=$?
	[ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
		grep -q -- "--btf $tmp/612.btf does not describe the dumped kernel 6.1.0-.*refusing" "$tmp/err"
	ok $? "6.12's BTF on a 6.1 dump: refused, one line naming the file and the dump's kernel (got $rc)"
	[ $rc -eq 2 ] || sed 's/^/# /' "$tmp/err"
	"$MEMWHERE" --json --btf "$tmp/61.btf" info "$d612" >"$tmp/out" 2>/dev/null; rc=$?
	[ $rc -eq 1 ] && grep -q "does not describe the dumped kernel 6.12" "$tmp/out"
	ok $? "6.1's BTF on a 6.12 dump: info still describes the dump, exit 1 with the refusal as a warning (got $rc)"
	"$MEMWHERE" --json --btf "$tmp/61.btf" summary "$MW_SRCDIR/testdata/6.1-oom/vmcore.kdump" >/dev/null 2>"$tmp/err"; rc=$?
	[ $rc -eq 0 ]; ok $? "the same kernel's BTF from another dump of it is accepted (got $rc)"
else
	skip "no bundled 6.1 and 6.12 dumps"; skip "no bundled dumps"; skip "no bundled dumps"
fi
done_testing
