#!/bin/sh
# --help, the man page and the bash completion (completion/memwhere) agree:
# every command and option `memwhere --help` lists is in memwhere(1)'s
# COMMANDS or OPTIONS and completes; the man page's EXAMPLES use every
# command; the man page names no option --help does not list.
. "$MW_SRCDIR/tests/tap.sh"
need_cmd bash "the completion is for bash"
comp="$MW_SRCDIR/completion/memwhere"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# complete WORD...: what the completion offers for the last word
complete_words() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _memwhere
		printf "%s\n" "${COMPREPLY[@]}"' sh "$comp" "$@" 2>/dev/null | sort
}

"$MEMWHERE" --help >"$tmp/help"
sed -n '/^Commands:/,/^$/p' "$tmp/help" | awk 'NF && !/:$/ {print $1}' | sort >"$tmp/cmds"
sed -n '/^Options/,/^$/p' "$tmp/help" | grep -o -- '--[a-z-]*' | sort -u >"$tmp/opts"
[ "$(wc -l <"$tmp/cmds")" -ge 10 ] && [ "$(wc -l <"$tmp/opts")" -ge 10 ]
ok $? "--help lists $(wc -l <"$tmp/cmds") commands and $(wc -l <"$tmp/opts") options"

complete_words memwhere "" | grep -v / >"$tmp/got-cmds"
missing=$(comm -23 "$tmp/cmds" "$tmp/got-cmds" | tr '\n' ' ')
[ -z "$missing" ]; ok $? "every command of --help completes after memwhere${missing:+ (missing: $missing)}"
for w in live help; do
	grep -qx "$w" "$tmp/got-cmds"; ok $? "$w completes after memwhere"
done
complete_words memwhere -- >"$tmp/got-opts"
missing=$(comm -23 "$tmp/opts" "$tmp/got-opts" | tr '\n' ' ')
[ -z "$missing" ]; ok $? "every option of --help completes after --${missing:+ (missing: $missing)}"
extra=$(comm -13 "$tmp/opts" "$tmp/got-opts" | tr '\n' ' ')
[ -z "$extra" ]; ok $? "the completion offers no option --help does not list${extra:+ ($extra)}"

[ "$(complete_words memwhere su)" = summary ]; ok $? "su completes to summary"
[ "$(complete_words memwhere --no-t)" = --no-timing ]; ok $? "--no-t completes to --no-timing"
got=$(complete_words memwhere live "" | tr '\n' ' ')
case " $got " in *" memcg "*) ! echo "$got" | grep -qw diff ;; *) false ;; esac
ok $? "after live: the commands, not diff ($got)"
[ "$(complete_words memwhere --level cr)" = crit ]; ok $? "--level cr completes to crit"
mkdir "$tmp/d" && : >"$tmp/d/vmcore.kdump"
[ "$(complete_words memwhere summary "$tmp/d/vm")" = "$tmp/d/vmcore.kdump" ]
ok $? "a dump file completes after a command"
[ "$(complete_words memwhere --btf "$tmp/d/vm")" = "$tmp/d/vmcore.kdump" ]
ok $? "a file completes after --btf"

# live where /proc/kcore cannot be read says why and what to do
if [ ! -e /proc/kcore ] || [ ! -r /proc/kcore ] || [ ! -f /proc/kcore ]; then
	"$MEMWHERE" live info >/dev/null 2>"$tmp/live.err"; rc=$?
	if [ ! -e /proc/kcore ]; then want="CONFIG_PROC_KCORE.*container"
	elif [ ! -f /proc/kcore ]; then want="masked"
	else want="root\|locked down"; fi
	[ $rc -eq 2 ] && [ "$(wc -l <"$tmp/live.err")" -eq 1 ] && grep -q "$want" "$tmp/live.err"
	ok $? "live without a readable /proc/kcore: exit 2 and one line saying why ($want): $(cat "$tmp/live.err")"
else
	skip "/proc/kcore is readable here: live's explanations are not reached"
fi

# the man page, as text
man="$MW_SRCDIR/memwhere.1"
sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' "$man" >"$tmp/man"
missing=
for o in $(cat "$tmp/opts"); do
	grep -q -- "^\.B[IR]* .*$o\b" "$man" || grep -q -- "^\.B[IR]* .*$(echo "$o" | sed 's/-/\\\\-/g')\b" "$man" ||
		missing="$missing $o"
done
[ -z "$missing" ]; ok $? "every option of --help has its entry in memwhere(1)${missing:+ (missing:$missing)}"
sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$man" | sed 's/\\-/-/g' | grep '^\.B' | grep -o -- '--[a-z-]*' | sort -u >"$tmp/man-opts"
extra=$(comm -13 "$tmp/opts" "$tmp/man-opts" | tr '\n' ' ')
[ -z "$extra" ]; ok $? "memwhere(1) has no option --help does not list${extra:+ ($extra)}"
missing=
for c in $(cat "$tmp/cmds"); do
	grep -q "^\.B $c\$" "$man" || missing="$missing $c"
done
[ -z "$missing" ]; ok $? "every command of --help has its entry in memwhere(1)'s COMMANDS${missing:+ (missing:$missing)}"
sed -n '/^\.SH EXAMPLES/,/^\.SH /p' "$tmp/man" >"$tmp/examples"
missing=
for c in $(cat "$tmp/cmds"); do
	[ "$c" = report ] && continue	# the default: `memwhere DUMP`
	grep -q "memwhere .*\b$c\b" "$tmp/examples" || missing="$missing $c"
done
[ -z "$missing" ]; ok $? "memwhere(1)'s EXAMPLES use every command${missing:+ (missing:$missing)}"
for w in "OOM panic" "offline" "live" "diff"; do
	grep -q "$w" "$tmp/examples"; ok $? "EXAMPLES has a case for: $w"
done
for w in "seeds'" "the contract" "does not filter sockets"; do
	! grep -q "$w" "$tmp/man" "$MW_SRCDIR/README"; ok $? "no \"$w\" in the man page or README"
done
done_testing
