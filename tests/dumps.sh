# Real dumps for the tests: . "$MW_SRCDIR/tests/dumps.sh"
#
# real_dump_dirs prints one capture directory per line: each holds vmcore*
# files, truth.json (the guest's own numbers at dump time) and, for
# captures, console.log. Sources: the bundled testdata/*/ always, plus
# $MW_CAPTURES/<release>/<scenario>/ (default: captures/ in the source
# tree, where scripts/capture writes; make check-capture points it at fresh
# captures of the current Debian kernels).
real_dump_dirs() {
	for d in "$MW_SRCDIR"/testdata/*/; do
		[ -f "$d/truth.json" ] && echo "${d%/}"
	done
	caps=${MW_CAPTURES:-$MW_SRCDIR/captures}
	if [ -d "$caps" ]; then
		for d in "$caps"/*/*/; do
			[ -f "$d/truth.json" ] && echo "${d%/}"
		done
	fi
	return 0
}
# dump_files DIR: the dump files in a capture directory
dump_files() {
	for f in "$1"/vmcore*; do
		case "$f" in *.partial|*.tmp) continue ;; esac
		[ -f "$f" ] && echo "$f"
	done
	return 0
}
# system_map DIR: a real System.map for the capture's kernel, if one is at
# hand (captures/kernels/<release>/System.map once capture --vmlinux ran;
# Debian's image package itself ships a one-line placeholder)
system_map() {
	rel=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["kernel"]["release"])' "$1/truth.json" 2>/dev/null)
	for m in "$1/System.map" "$1/../../kernels/$rel/System.map" \
		 "${MW_CAPTURES:-$MW_SRCDIR/captures}/kernels/$rel/System.map"; do
		if [ -f "$m" ] && [ "$(wc -l <"$m")" -gt 1000 ]; then echo "$m"; return 0; fi
	done
	return 0
}
# vmlinux_for DIR: the capture's kernel's vmlinux (DWARF, for drgn), if one
# is at hand (captures/kernels/<release>/vmlinux once capture --vmlinux ran)
vmlinux_for() {
	rel=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["kernel"]["release"])' "$1/truth.json" 2>/dev/null)
	for v in "$1/vmlinux" "$1/../../kernels/$rel/vmlinux" \
		 "${MW_CAPTURES:-$MW_SRCDIR/captures}/kernels/$rel/vmlinux"; do
		[ -f "$v" ] && { echo "$v"; return 0; }
	done
	return 0
}

# run_compare [--strict] ARGS...: run tests/compare.py and number its
# unnumbered "ok - ..." / "not ok - ..." lines through tap.sh's ok. A
# "not ok - ... # TODO" line (a truth known to be stale) is numbered but not
# counted as a failure, unless --strict.
run_compare() {
	_strict=0
	[ "${1:-}" = --strict ] && { _strict=1; shift; }
	_out=$(mktemp "${TMPDIR:-/tmp}/mw-compare.XXXXXX") || return 1
	/usr/bin/python3 "$MW_SRCDIR/tests/compare.py" "$@" >"$_out" 2>&1
	_rc=$?
	if [ $_rc -gt 1 ]; then
		ok 1 "compare.py $*"
		sed 's/^/# /' "$_out"
		rm -f "$_out"
		return 0
	fi
	while IFS= read -r line; do
		case "$line" in
		"ok - "*) ok 0 "${line#ok - }" ;;
		"not ok - "*"# TODO"*)
			if [ $_strict -eq 1 ]; then
				ok 1 "${line#not ok - }"
			else
				tap_n=$((tap_n + 1))
				echo "not ok $tap_n - ${line#not ok - }"
			fi ;;
		"not ok - "*) ok 1 "${line#not ok - }" ;;
		*) echo "$line" ;;
		esac
	done <"$_out"
	rm -f "$_out"
	return 0
}
