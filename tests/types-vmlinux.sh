#!/bin/sh
# The type layer on a real Debian vmlinux (6.1 from the -dbg package, placed
# by scripts/capture under captures/kernels/<release>/vmlinux, or given as
# $MW_VMLINUX): every member memwhere's analyzers use, from the DWARF backend
# and from the BTF backend on the same build's .BTF section; the two must
# agree with each other and with independent readers (drgn on the DWARF,
# bpftool on the BTF). Symbols from the ELF symbol table against nm and the
# build's System.map. Every vmlinux under captures/kernels/*/ is checked
# ($MW_VMLINUX: only that one). Skipped when there is none.
. "$MW_SRCDIR/tests/tap.sh"
. "$MW_SRCDIR/tests/types-lib.sh"
tap_tmpdir vmlinux

vmlinuxes=${MW_VMLINUX:-}
if [ -z "$vmlinuxes" ]; then
	for v in "$caps"/kernels/*/vmlinux; do
		[ -f "$v" ] && vmlinuxes="$vmlinuxes $v"
	done
fi
if [ -z "$vmlinuxes" ]; then
	skip "no vmlinux with DWARF (set MW_VMLINUX, or run scripts/capture)"
	done_testing
	exit $?
fi
check_vmlinux() {
	vmlinux=$1
	diag "vmlinux: $vmlinux"
	release=$(grep -a -m 1 -o 'Linux version [^ ]*' "$vmlinux" | head -n 1 | cut -d' ' -f3)

	# DWARF
	"$probe" --time --vmlinux "$vmlinux" --list "$members" >"$tmp/dwarf" 2>"$tmp/time"
	rc=$?
	case $release in
	6.1.*) [ $rc -eq 0 ]; ok $? "DWARF: every item resolves on $release (exit $rc)" ;;
	*) [ $rc -le 1 ]; ok $? "DWARF: resolves on $release (exit $rc)" ;;
	esac
	diag "$(cat "$tmp/time")"
	grep ' MISSING' "$tmp/dwarf" | while read -r line; do diag "this kernel lacks: $line"; done
	grep -q "release $release\$" "$tmp/time"; ok $? "DWARF: kernel release $release read from linux_banner"
	secs=$(sed -n 's/.*open \([0-9.]*\) s, [0-9]* items \([0-9.]*\) s.*/\1 \2/p' "$tmp/time")
	awk -v s="$secs" 'BEGIN { split(s, a, " "); exit !(a[1] + a[2] < 30) }'
	ok $? "DWARF: open and resolve the list in under 30 s ($secs; goal 3 s, see scripts/bench-types)"

	# BTF of the same build, from the vmlinux's .BTF section
	"$probe" --time --btf "$vmlinux" --list "$members" >"$tmp/btf" 2>"$tmp/time2"
	rc=$?
	[ $rc -le 1 ]; ok $? "BTF (.BTF section): resolves (exit $rc)"
	diag "$(cat "$tmp/time2")"
	compare_items "$tmp/btf" "$tmp/dwarf" "$release: BTF vs DWARF"

	# independent readers
	if [ -x "$PY" ] && "$PY" -c 'import drgn' 2>/dev/null; then
		"$PY" "$MW_SRCDIR/tests/types-dwarf-oracle.py" "$vmlinux" "$members" >"$tmp/drgn" 2>"$tmp/err"
		ok $? "drgn reads the vmlinux"
		compare_items "$tmp/dwarf" "$tmp/drgn" "$release: DWARF vs drgn"
	else
		skip "python3-drgn not installed: no independent DWARF check"
	fi
	if command -v bpftool >/dev/null && bpftool btf dump file "$vmlinux" >"$tmp/raw" 2>/dev/null; then
		"$PY" "$MW_SRCDIR/tests/types-btf-oracle.py" "$tmp/raw" "$members" >"$tmp/oracle"
		compare_items "$tmp/btf" "$tmp/oracle" "$release: BTF vs bpftool"
	else
		skip "bpftool not installed: no independent BTF check"
	fi

	# symbols: the ELF symbol table against nm, and System.map if a real
	# one is there; the architecture's own symbols by the vmlinux's
	# e_machine (x86-64: the direct map and vmemmap bases; arm64: the
	# page-table root, kimage_voffset and the linear map's base)
	syms="prb init_uts_ns _text _stext mem_section init_task node_data linux_banner jiffies"
	mach=$("$PY" -c 'import struct,sys
print(struct.unpack_from("<H", open(sys.argv[1], "rb").read(20), 18)[0])' "$vmlinux")
	case $mach in
	62) syms="$syms page_offset_base vmemmap_base fixed_percpu_data" ;;
	183) syms="$syms swapper_pg_dir kimage_voffset memstart_addr" ;;
	*) ok 1 "$release: a vmlinux of e_machine $mach: no symbol list for it" ;;
	esac
	# x86-64 kernels dropped fixed_percpu_data (7.3 has none): asked for
	# only where the image's own symbol table (nm) has it
	if command -v nm >/dev/null && ! nm "$vmlinux" | awk '$3 == "fixed_percpu_data" { f = 1 } END { exit !f }'; then
		syms=$(echo "$syms" | sed 's/ fixed_percpu_data//')
	fi
	args=
	for s in $syms; do args="$args --sym $s"; done
	"$probe" --symbols-elf "$vmlinux" $args >"$tmp/elfsyms"
	ok $? "ELF symbol table: every symbol of the list found"
	if command -v nm >/dev/null; then
		nm "$vmlinux" >"$tmp/nm"
		for s in $syms; do
			want=$(awk -v s="$s" '$3 == s { print $1; exit }' "$tmp/nm" | sed 's/^0*//')
			got=$(awk -v s="$s" '$2 == s { print $3 }' "$tmp/elfsyms" | sed 's/^0x//')
			[ "${got:-none}" = "${want:-0}" ]; ok $? "$release: ELF symbols vs nm: $s = 0x${want:-0} (memwhere: 0x$got)"
		done
		n_nm=$(wc -l <"$tmp/nm")
		n_mine=$(sed -n 's/^count //p' "$tmp/elfsyms")
		[ "$n_nm" -eq "$n_mine" ]; ok $? "ELF symbols: as many as nm lists ($n_mine, nm $n_nm)"
		addr=$(awk '$3 == "init_uts_ns" { print $1 }' "$tmp/nm")
		# add 0x82 to the low 32 bits (shell arithmetic is signed 64-bit)
		lo=${addr#????????}
		"$probe" --symbols-elf "$vmlinux" --addr "0x${addr%????????}$(printf '%08x' $((0x$lo + 0x82)))" >"$tmp/addr"
		grep -q "init_uts_ns+0x82\$" "$tmp/addr"; ok $? "address inside init_uts_ns maps back to init_uts_ns+0x82"
	else
		skip "nm (binutils) not installed"
	fi
	map=${MW_SYSTEM_MAP:-$(dirname "$vmlinux")/System.map}
	[ -n "${MW_VMLINUX:-}" ] || map=$(dirname "$vmlinux")/System.map
	if [ -f "$map" ] && [ "$(wc -l <"$map")" -gt 1000 ]; then
		"$probe" --system-map "$map" $args >"$tmp/mapsyms"
		ok $? "System.map: every symbol of the list found"
		grep -v '^count' "$tmp/elfsyms" | cut -d' ' -f1-3 >"$tmp/a"
		grep -v '^count' "$tmp/mapsyms" | cut -d' ' -f1-3 >"$tmp/b"
		cmp -s "$tmp/a" "$tmp/b"; ok $? "System.map and the ELF symbol table agree"
	else
		skip "no real System.map beside the vmlinux (Debian ships it in the -dbg package; set MW_SYSTEM_MAP)"
	fi
}

for v in $vmlinuxes; do
	check_vmlinux "$v"
done
done_testing
