# Real dumps for the tests: . "$MW_SRCDIR/tests/dumps.sh" (after tap.sh)
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
	if [ -d "$caps" ]; then
		for d in "$caps"/*/*/; do
			[ -f "$d/truth.json" ] && echo "${d%/}"
		done
	fi
	return 0
}
# need_real_dumps: $dirs, the real dump directories; skip_all without any
need_real_dumps() {
	dirs=$(real_dump_dirs)
	[ -n "$dirs" ] || skip_all "no real dumps (testdata/ empty and no captures in $caps)"
}
# dump_label DIR: RELEASE/SCENARIO of a capture directory, for messages
dump_label() { echo "$(basename "$(dirname "$1")")/$(basename "$1")"; }
# dump_files DIR: the dump files in a capture directory
dump_files() {
	for f in "$1"/vmcore*; do
		case "$f" in *.partial|*.tmp) continue ;; esac
		[ -f "$f" ] && echo "$f"
	done
	return 0
}
# small_mixed_dirs: the small captures of the "mixed" scenario (unread
# sockets, kubelet pod directories) with both physical ELF dumps, the ones
# the drgn-driven corrupters copy
small_mixed_dirs() {
	for d in $(real_dump_dirs); do
		case "$d" in *mixed*-small) ;; *) continue ;; esac
		[ -f "$d/vmcore-paging.elf" ] && [ -f "$d/vmcore.elf" ] && echo "$d"
	done
	return 0
}
# kernel_file DIR NAME [MIN-LINES]: the capture's kernel's file NAME
# (vmlinux, System.map), if one is at hand: beside the dump, or under
# captures/kernels/<release>/ once capture --vmlinux ran; with MIN-LINES,
# only a file longer than that
kernel_file() {
	rel=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["kernel"]["release"])' "$1/truth.json" 2>/dev/null)
	for k in "$1/$2" "$1/../../kernels/$rel/$2" "$caps/kernels/$rel/$2"; do
		[ -f "$k" ] || continue
		[ -z "${3:-}" ] || [ "$(wc -l <"$k")" -gt "$3" ] || continue
		echo "$k"
		return 0
	done
	return 0
}
# system_map DIR: a real System.map for the capture's kernel (Debian's
# image package itself ships a one-line placeholder)
system_map() { kernel_file "$1" System.map 1000; }
# vmlinux_for DIR: the capture's kernel's vmlinux (DWARF, for drgn)
vmlinux_for() { kernel_file "$1" vmlinux; }
# map_beside DUMP DIR: the System.map beside DUMP (a capture of a kernel
# without KALLSYMS_ALL, such as Debian's arm64, has the -dbg package's
# there) linked into DIR too, where copies of DUMP go; a link left from
# another dump is removed
map_beside() {
	rm -f "$2/System.map"
	[ -f "$(dirname "$1")/System.map" ] || return 0
	ln -s "$(cd "$(dirname "$1")" && pwd)/System.map" "$2/System.map"
}

# run_compare [--strict] ARGS...: run tests/compare.py and number its lines
# (tap_lines; --strict counts its TODO lines as failures too)
run_compare() {
	_s=
	[ "${1:-}" = --strict ] && { _s=--strict; shift; }
	_out=$(mktemp "${TMPDIR:-/tmp}/mw-compare.XXXXXX") || return 1
	"$PY" "$MW_SRCDIR/tests/compare.py" "$@" >"$_out" 2>&1
	if [ $? -gt 1 ]; then
		ok 1 "compare.py $*"
		diag_file "$_out" 1000
	else
		tap_lines $_s "$_out"
	fi
	rm -f "$_out"
	return 0
}

# run_checker SCRIPT ARGS...: a Python checker printing "ok - "/"not ok - "
# lines (tests/*_compare.py); its lines become TAP (tap_lines --strict), or
# one failure with its output when it exits non-zero
run_checker() {
	_name=$(basename "$1")
	_out=$(mktemp "${TMPDIR:-/tmp}/mw-checker.XXXXXX") || return 1
	/usr/bin/python3 "$@" >"$_out" 2>&1
	_rc=$?
	shift
	if [ $_rc -ne 0 ]; then
		ok 1 "$_name $* (exit $_rc)"
		sed 's/^/# /' "$_out"
	else
		tap_lines --strict "$_out"
	fi
	rm -f "$_out"
	return 0
}

# need_guest_kernels: $kernel_dirs, the captured kernels' directories
# ($caps/kernels/<release>/ with a vmlinuz) to boot guests of, and QEMU;
# skip_all without them
need_guest_kernels() {
	kernel_dirs=
	for v in "$caps"/kernels/*/vmlinuz; do
		# (arm64 kernels, scripts/capture --arch arm64, are not booted here)
		grep -qs '"arch": "arm64"' "$(dirname "$v")/package.json" && continue
		[ -f "$v" ] && kernel_dirs="$kernel_dirs $(dirname "$v")"
	done
	[ -n "$kernel_dirs" ] || skip_all "no captured kernels in $caps/kernels"
	need_cmd qemu-system-x86_64 scripts/install-deps
}

# hostile_case LABEL EXPECT INTACT BAD INTACT-OUT BAD-OUT ARGS...: memwhere
# ARGS on the intact dump and on a corrupted copy, with tests/hostile.py's
# checks (no sanitizer report, no signal, within twice the intact run's time
# plus 5 s, EXPECT: exit1:REGEX or exit2, no figure above RAM). Its status:
# the corrupted run's exit status, 3 if it hung or died.
hostile_case() {
	_out=$(mktemp "${TMPDIR:-/tmp}/mw-hostile.XXXXXX") || return 3
	"$PY" "$MW_SRCDIR/tests/hostile.py" "$@" >"$_out"
	_hrc=$?
	tap_lines --strict "$_out"
	rm -f "$_out"
	return $_hrc
}

# drgn_corrupt DIR COMMAND WARNS CORRUPTER [ARGS...]: CORRUPTER (a
# tests/corrupt_*.py, run with drgn and the capture's vmlinux on DIR's
# vmcore-paging.elf) writes $tmp/corrupt.elf, a copy of DIR's vmcore.elf,
# and says what it changed in $tmp/what.json; then memwhere --json --top 0
# COMMAND reads the intact dump into $tmp/good.json and the copy into
# $tmp/bad.json: a hostile_case that must exit 1 with a warning matching
# WARNS. $label names the capture. Non-zero (a skip or a failure
# reported) when there is nothing to compare.
drgn_corrupt() {
	_d=$1 _cmd=$2 _warns=$3 _corrupter=$4
	shift 4
	label=$(dump_label "$_d")
	_vml=$(vmlinux_for "$_d")
	[ -n "$_vml" ] || { skip "$label: no vmlinux for drgn"; return 1; }
	if ! "$PY" "$MW_SRCDIR/tests/$_corrupter" "$_d/vmcore-paging.elf" "$_vml" \
		"$_d/vmcore.elf" "$@" "$tmp/corrupt.elf" >"$tmp/what.json" 2>"$tmp/err"; then
		skip "$label: cannot corrupt it ($(head -n 1 "$tmp/err"))"
		return 1
	fi
	hostile_case "$label corrupted" "exit1:$_warns" "$_d/vmcore.elf" "$tmp/corrupt.elf" \
		"$tmp/good.json" "$tmp/bad.json" --json --top 0 "$_cmd"
	_rc=$?
	rm -f "$tmp/corrupt.elf"
	[ $_rc -le 1 ]
}
