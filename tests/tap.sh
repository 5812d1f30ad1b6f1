# The preamble of memwhere's shell tests: . "$MW_SRCDIR/tests/tap.sh"
# (the harness sets MEMWHERE, MW_SRCDIR and MW_BUILDDIR). TAP output, a
# scratch directory, the Python to run helpers with, and skips.
PY=/usr/bin/python3
caps=${MW_CAPTURES:-$MW_SRCDIR/captures}
tap_n=0
tap_failed=0
ok() { # ok COND-EXIT-STATUS DESCRIPTION
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $tap_n - $2"; else echo "not ok $tap_n - $2"; tap_failed=$((tap_failed + 1)); fi
}
# ok_todo COND-EXIT-STATUS DESCRIPTION REASON: a check of a known defect not
# yet fixed: a failure is reported, not counted ("# TODO"); a pass is a plain
# ok (an XPASS would fail the suite the day the fix is merged) with a note
# that the TODO can go
ok_todo() {
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $tap_n - $2"; diag "fixed now, the TODO can go: $3"
	else echo "not ok $tap_n - $2 # TODO $3"; fi
}
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP $1"; }
diag() { echo "# $*"; }
# diag_file FILE [LINES]: the first LINES (20) lines of FILE as comments
diag_file() { sed 's/^/# /' "$1" | head -n "${2:-20}"; }
done_testing() { echo "1..$tap_n"; [ "$tap_failed" -eq 0 ]; }
# skip_all REASON: the whole script has nothing to check here
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
# need_cmd COMMAND WHY: skip_all unless COMMAND is installed
need_cmd() { command -v "$1" >/dev/null 2>&1 || skip_all "$1 not installed${2:+ ($2)}"; }
# need_py_module MODULE PACKAGE: skip_all unless Python can import MODULE
need_py_module() { "$PY" -c "import $1" 2>/dev/null || skip_all "$1 ($2) not installed"; }

# tap_tmpdir NAME: $tmp, a scratch directory removed on exit or interrupt
tap_tmpdir() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/mw-$1.XXXXXX") || exit 1
	trap 'rm -rf "$tmp"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# ok_exit WANT GOT DESCRIPTION [STDERR-FILE]: memwhere's exit status; on a
# mismatch the first lines of its stderr
ok_exit() {
	[ "$2" -eq "$1" ]
	ok $? "$3 (got $2)"
	[ "$2" -eq "$1" ] || [ -z "${4:-}" ] || diag_file "$4"
}

# tap_lines [--strict] FILE: number a helper's unnumbered "ok - ..." and
# "not ok - ..." lines (tests/compare.py, the corrupters' checkers); other
# lines pass through. "not ok - ... # TODO" (a truth known to be stale, a
# defect not yet fixed) is numbered but not counted as a failure, unless
# --strict.
tap_lines() {
	_strict=0
	[ "$1" = --strict ] && { _strict=1; shift; }
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
	done <"$1"
}
