# Helpers for the type-layer shell tests: . "$MW_SRCDIR/tests/types-lib.sh"
# (after tests/tap.sh).
probe=$MW_BUILDDIR/tests/types-probe
members=$MW_SRCDIR/tests/types-members.list

# compare_items MINE ORACLE LABEL: one TAP line per item of the list. Both
# files are "ITEM ANSWER" lines in list order; an item missing from both
# (layout drift of that kernel) passes and is reported.
compare_items() {
	paste -d '|' "$1" "$2" >"$1.pairs"
	while IFS='|' read -r mine theirs; do
		item=${theirs%% *}
		want=${theirs#* }
		got=${mine#* }
		case $got in MISSING*) got=MISSING ;; esac
		case $want in MISSING*) want=MISSING ;; esac
		if [ "${mine%% *}" != "$item" ]; then
			ok 1 "$3: outputs out of step at '$item' / '${mine%% *}'"
		elif [ "$got" = "$want" ] && [ "$got" = MISSING ]; then
			ok 0 "$3: $item absent in this kernel (both agree)"
		else
			[ "$got" = "$want" ]
			ok $? "$3: $item = $want (memwhere: $got)"
		fi
	done <"$1.pairs"
}
