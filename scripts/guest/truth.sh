# Ground truth printer (sourced by the scenario; busybox sh).
#
# Output on fd 3, one section per source, never mixed with kernel messages:
#   @@MW-TRUTH-BEGIN <phase>
#   @@MW-SECTION <key>
#   ...raw text...
#   @@MW-ENDSECTION
#   @@MW-TRUTH-END <phase>
# <key> is the guest path of the file that was read (e.g. /proc/meminfo,
# /sys/fs/cgroup/x/memory.stat, /proc/123/status) or a "mw:" name for
# synthetic sections (mw:uname, mw:pagesize, mw:fds:<pid>, mw:resid, mw:roles, mw:notes).

truth_sec() {
	# truth_sec KEY FILE
	echo "@@MW-SECTION $1"
	cat "$2" 2>&1
	echo
	echo "@@MW-ENDSECTION"
}

truth_cmd() {
	# truth_cmd KEY COMMAND...
	_k=$1
	shift
	echo "@@MW-SECTION $_k"
	"$@" 2>&1
	echo
	echo "@@MW-ENDSECTION"
}

truth_cgroup_dir() {
	for _f in memory.current memory.max memory.high memory.min memory.low \
		memory.stat memory.events memory.swap.current cgroup.stat \
		cgroup.procs cgroup.subtree_control cgroup.controllers \
		memory.usage_in_bytes memory.limit_in_bytes memory.max_usage_in_bytes \
		memory.failcnt memory.oom_control memory.kmem.usage_in_bytes \
		memory.kmem.tcp.usage_in_bytes memory.memsw.usage_in_bytes \
		memory.use_hierarchy tasks; do
		[ -f "$1/$_f" ] && truth_sec "$1/$_f" "$1/$_f"
	done
}

truth_fds() {
	for _fd in /proc/$1/fd/*; do
		[ -e "$_fd" ] || [ -L "$_fd" ] || continue
		echo "${_fd##*/} $(readlink "$_fd")"
	done
}

# Kernel symbols (KASLR ground truth) and the randomized memory bases read
# through /proc/kcore.
KSYMS='_text|_stext|_etext|_end|init_task|init_uts_ns|init_mm|mem_section|page_offset_base|vmemmap_base|vmalloc_base|phys_base|init_top_pgt|__start_BTF|__stop_BTF|kallsyms_names|kallsyms_num_syms|root_mem_cgroup|node_data|contig_page_data|vmcoreinfo_data|vmcoreinfo_note|prb|totalram_pages|max_pfn'
truth_ksyms() {
	grep -E " ($KSYMS)\$" /proc/kallsyms
}
truth_kvars() {
	_a=
	for _s in page_offset_base vmemmap_base vmalloc_base phys_base max_pfn mem_section root_mem_cgroup; do
		_v=$(grep -E " $_s\$" /proc/kallsyms | head -1 | cut -d' ' -f1)
		[ -n "$_v" ] && echo "$_s $(mwtool kread "$_v" | cut -d' ' -f2)"
	done
}

truth_slab_aliases() {
	for _l in /sys/kernel/slab/*; do
		[ -L "$_l" ] && echo "${_l##*/} $(readlink "$_l")"
	done
}

truth_body() {
	truth_cmd mw:uname uname -r
	truth_cmd mw:uname-a uname -a
	truth_cmd mw:pagesize mwtool pagesize
	truth_sec /proc/cmdline /proc/cmdline
	truth_cmd mw:date date -u +%s
	truth_sec /proc/uptime /proc/uptime
	truth_cmd mw:kallsyms truth_ksyms
	truth_cmd mw:kvars truth_kvars
	for _f in meminfo vmstat slabinfo zoneinfo buddyinfo pagetypeinfo \
		cgroups mounts swaps iomem vmallocinfo sysvipc/shm modules \
		net/tcp net/tcp6 net/udp net/udp6 net/unix net/sockstat \
		net/sockstat6 net/netstat net/snmp net/protocols net/dev \
		sys/vm/panic_on_oom sys/vm/dirty_writeback_centisecs \
		sys/net/core/rmem_max sys/net/ipv4/tcp_rmem; do
		[ -e "/proc/$_f" ] && truth_sec "/proc/$_f" "/proc/$_f"
	done
	for _d in /sys/kernel/mm/transparent_hugepage/enabled; do
		[ -e "$_d" ] && truth_sec "$_d" "$_d"
	done
	# SLUB's merged caches: an alias is a symlink in /sys/kernel/slab
	truth_cmd mw:slab-aliases truth_slab_aliases
	# Every cgroup directory of every mounted hierarchy.
	for _root in $(awk '$3 == "cgroup2" || $3 == "cgroup" { print $2 }' /proc/mounts); do
		for _d in $(find "$_root" -type d); do
			truth_cgroup_dir "$_d"
		done
	done
	# Tasks.
	for _p in /proc/[0-9]*; do
		_pid=${_p#/proc/}
		[ -f "$_p/status" ] || continue
		truth_sec "$_p/status" "$_p/status"
		truth_sec "$_p/cgroup" "$_p/cgroup"
		truth_sec "$_p/cmdline" "$_p/cmdline"
		if grep -q '^VmRSS' "$_p/status" 2>/dev/null; then
			truth_sec "$_p/maps" "$_p/maps"
			truth_cmd "mw:fds:$_pid" truth_fds "$_pid"
			truth_cmd "mw:resid-maps:$_pid" mwtool resid-maps "$_pid"
		fi
	done
	# Residency of every file in the scenario trees.
	truth_cmd mw:resid mwtool resid $RESID_TREES
	[ -f /run/mw/roles ] && truth_sec mw:roles /run/mw/roles
	[ -f /run/mw/notes ] && truth_sec mw:notes /run/mw/notes
	for _o in /run/mw/*.out; do
		[ -f "$_o" ] && truth_sec "mw:out:${_o##*/}" "$_o"
	done
	truth_cmd mw:df df -k
	# scenario rest: hugepages, zram, zswap, crash kernel, balloon, dmesg
	[ "${SCENARIO:-}" = rest ] && truth_rest
	:
}

# The kernel's counters once more, last: reading the hundreds of files
# above allocates dentries and inodes, so these are the closest to the dump
# (tests/compare.py prefers them). They are read into shell variables first
# (no files; the counters by the shell's own read) so that the host can pause the guest
# right after the reads and print them after the dump.
# The memory cgroups' counters (memory.stat, memory.current, v1's
# memory.usage_in_bytes) are read there too, first: a container at its
# limit reclaims and swaps all the time, so its counters read minutes
# before the dump would not be the dump's.
FINAL_FILES="slabinfo zoneinfo buddyinfo vmstat meminfo"
FINAL_CGROUP_FILES="memory.stat memory.current memory.usage_in_bytes"
truth_final_read() {
	_fcg_n=0
	for _d in $(find /sys/fs/cgroup -type d 2>/dev/null); do
		for _f in $FINAL_CGROUP_FILES; do
			[ -f "$_d/$_f" ] || continue
			_fcg_n=$((_fcg_n + 1))
			eval "_fcg_p_$_fcg_n=\$_d/\$_f"
			eval "_fcg_t_$_fcg_n=\$(cat \"\$_d/\$_f\" 2>&1)"
		done
	done
	# every process's status (RSS, VmPTE, VmSwap at the dump: the
	# tasks' counters move while the hundreds of files above are read)
	_final_pids=
	for _p in /proc/[0-9]*; do
		_pid=${_p#/proc/}
		[ "$_pid" = "$$" ] && continue
		eval "_final_status_$_pid=\$(cat $_p/status 2>/dev/null)"
		_final_pids="$_final_pids $_pid"	# empty: it exited
	done
	# each NUMA node's own meminfo (per-node truth for the nodes and
	# zones memwhere reports), read without a fork too, and before the
	# counters: looking up sysfs names allocates inodes (inode_cache: one
	# slab more in the dump than in slabinfo, fresh 5.10 and 6.1 captures)
	_final_nodes=
	for _n in /sys/devices/system/node/node[0-9]*; do
		[ -f "$_n/meminfo" ] || continue
		_nid=${_n##*/node}
		truth_read_nofork "_final_node_$_nid" "$_n/meminfo"
		_final_nodes="$_final_nodes $_nid"
	done
	# the processes still there at the end (a glob, no fork): one that
	# exited since its status was read (an idle kworker culled) is not in
	# the dump
	_final_alive=
	for _p in /proc/[0-9]*; do
		_final_alive="$_final_alive ${_p#/proc/}"
	done
	# the counters with the shell's own read, no fork: a process started
	# after slabinfo was read would be in the dump (its task_struct, its
	# kernel stack's vmap_area, its pages) and not in slabinfo
	for _f in $FINAL_FILES; do
		truth_read_nofork "_final_$_f" "/proc/$_f"
	done
	# this shell's own last: keeping what it read grows its heap
	truth_read_nofork "_final_status_$$" "/proc/$$/status"
	_final_pids="$_final_pids $$"
}

# truth_read_nofork VAR FILE: FILE's lines into VAR, read by this shell
truth_read_nofork() {
	_rv=
	while IFS= read -r _l; do
		_rv="$_rv$_l
"
	done <"$2"
	eval "$1=\$_rv"
}

truth_final_print() {
	_i=1
	while [ "$_i" -le "$_fcg_n" ]; do
		eval "echo \"@@MW-SECTION mw:final:\$_fcg_p_$_i\""
		eval "printf '%s\\n' \"\$_fcg_t_$_i\""
		echo
		echo "@@MW-ENDSECTION"
		_i=$((_i + 1))
	done
	for _pid in $_final_pids; do
		echo "@@MW-SECTION mw:final:/proc/$_pid/status"
		eval "printf '%s\\n' \"\$_final_status_$_pid\""
		echo
		echo "@@MW-ENDSECTION"
	done
	for _f in $FINAL_FILES; do
		echo "@@MW-SECTION mw:final:/proc/$_f"
		eval "printf '%s\\n' \"\$_final_$_f\""
		echo
		echo "@@MW-ENDSECTION"
	done
	echo "@@MW-SECTION mw:final:alive"
	echo "$_final_alive"
	echo
	echo "@@MW-ENDSECTION"
	for _nid in $_final_nodes; do
		echo "@@MW-SECTION mw:final:/sys/devices/system/node/node$_nid/meminfo"
		eval "printf '%s\\n' \"\$_final_node_$_nid\""
		echo
		echo "@@MW-ENDSECTION"
	done
}

# print_truth PHASE [pause]
# With "pause" the guest says @@MW-PAUSE right after reading the final
# counters and waits for GO: the host stops the guest there, dumps it, lets
# it go on, and the final counters follow. Without, they are printed at
# once.
print_truth() {
	log "printing truth ($1)"
	{
		echo "@@MW-TRUTH-BEGIN $1"
		truth_body
		truth_final_read
		if [ "${2:-}" = pause ]; then
			echo "@@MW-PAUSE $1"
			wait_go 900
		fi
		truth_final_print
		echo "@@MW-TRUTH-END $1"
	} >&3
}
