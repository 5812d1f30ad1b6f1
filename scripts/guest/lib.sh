# Shared helpers of the capture guest (sourced by /init; busybox sh).
# fd 3 is /dev/ttyS1: the control and truth channel to the host.

log() {
	echo "mw: $*"
	echo "@@MW-LOG $*" >&3
}

ctl() {
	echo "$*" >&3
}

idle_forever() {
	while :; do sleep 3600; done
}

fail() {
	echo "mw: FAIL: $*"
	echo "@@MW-FAIL $*" >&3
	idle_forever
}

# Wait for one line "GO" from the host (timeout in seconds).
wait_go() {
	_t=${1:-600}
	while :; do
		if ! read -t "$_t" _line <&3; then
			fail "timed out waiting for the host"
		fi
		case "$_line" in
		*GO*) return 0 ;;
		esac
	done
}

load_modules() {
	[ -f /lib/modules/mw/order ] || return 0
	while read -r _m; do
		[ -n "$_m" ] || continue
		if insmod "/lib/modules/mw/$_m.ko" 2>/tmp/insmod.err; then
			:
		elif grep -q 'File exists' /tmp/insmod.err; then
			:
		else
			log "insmod $_m failed: $(cat /tmp/insmod.err)"
		fi
	done < /lib/modules/mw/order
	log "modules: $(cut -d' ' -f1 /proc/modules | tr '\n' ' ')"
}

# Wait until FILE contains PATTERN (grep -E), at most TIMEOUT seconds.
waitfor() {
	_f=$1 _p=$2 _t=${3:-300} _n=0
	while ! grep -qE "$_p" "$_f" 2>/dev/null; do
		_n=$((_n + 1))
		[ "$_n" -le $((_t * 5)) ] || fail "timed out waiting for '$_p' in $_f"
		usleep 200000
	done
}

# spawn ROLE CGROUP_DIR COMM MWCMD ARGS...
# Runs mwtool command MWCMD as a process named COMM inside CGROUP_DIR (an
# absolute cgroup directory, or "" for none), output in /run/mw/ROLE.out.
# The cgroup is joined before exec, so every page the workload touches is
# charged there.  Registers the role for the truth.
spawn() {
	_role=$1 _cg=$2 _comm=$3 _cmd=$4
	shift 4
	[ -e "/usr/local/bin/$_comm" ] || ln -s /bin/mwtool "/usr/local/bin/$_comm"
	MW_CMD=$_cmd MW_CG=$_cg sh -c '
		if [ -n "$MW_CG" ]; then
			for d in $MW_CG; do echo $$ > "$d/cgroup.procs" || exit 97; done
		fi
		unset MW_CG
		exec "$0" "$@"' "/usr/local/bin/$_comm" "$@" \
		> "/run/mw/$_role.out" 2>&1 3>&- </dev/null &
	_pid=$!
	echo "$_role $_pid $_comm $_cmd $*" >> /run/mw/roles
	eval "PID_$(echo "$_role" | tr -c 'A-Za-z0-9\n' '_')=$_pid"
}

# Same as spawn but wait for the process to exit (fails on non-zero status).
run_in() {
	_role=$1 _cg=$2 _comm=$3 _cmd=$4
	shift 4
	[ -e "/usr/local/bin/$_comm" ] || ln -s /bin/mwtool "/usr/local/bin/$_comm"
	MW_CMD=$_cmd MW_CG=$_cg sh -c '
		if [ -n "$MW_CG" ]; then
			for d in $MW_CG; do echo $$ > "$d/cgroup.procs" || exit 97; done
		fi
		unset MW_CG
		exec "$0" "$@"' "/usr/local/bin/$_comm" "$@" \
		> "/run/mw/$_role.out" 2>&1 3>&- </dev/null
	_rc=$?
	echo "$_role exited:$_rc $_comm $_cmd $*" >> /run/mw/roles
	[ "$_rc" -eq 0 ] || fail "$_role ($_cmd) exited with $_rc: $(cat /run/mw/$_role.out)"
}

note() {
	# Scenario facts for the truth ("key value" lines).
	echo "$*" >> /run/mw/notes
}

setup_net() {
	ip link set lo up
	for _i in 1 2 3 4 5 6 7 8 9 10; do
		[ -e /sys/class/net/eth0 ] && break
		sleep 1
	done
	[ -e /sys/class/net/eth0 ] || fail "no eth0 (virtio_net)"
	ip link set eth0 up
	ip addr add 10.0.2.15/24 dev eth0
	ip route add default via 10.0.2.2
	log "net: $(cat /sys/class/net/eth0/address) $(readlink /sys/class/net/eth0/device/driver)"
}

mount_disk() {
	_dir=$1
	for _i in 1 2 3 4 5 6 7 8 9 10; do
		[ -b /dev/vda ] && break
		sleep 1
	done
	[ -b /dev/vda ] || fail "no /dev/vda (virtio_blk)"
	mkdir -p "$_dir"
	mount -t ext4 -o noatime /dev/vda "$_dir" || fail "mount ext4 /dev/vda on $_dir"
	log "disk: /dev/vda ext4 on $_dir"
}

# Mount cgroup v2 and enable the memory controller down a list of paths.
cg2_mount() {
	mkdir -p /sys/fs/cgroup
	mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup || fail "mount cgroup2"
	echo "+memory +pids" > /sys/fs/cgroup/cgroup.subtree_control || fail "enable memory controller"
}

# cg2_mk REL: create /sys/fs/cgroup/REL and all parents, with +memory enabled
# in every parent's subtree_control.
cg2_mk() {
	_p=/sys/fs/cgroup
	_rest=$1
	_IFS=$IFS
	IFS=/
	for _c in $_rest; do
		IFS=$_IFS
		[ -n "$_c" ] || continue
		if [ "$_p" != /sys/fs/cgroup ]; then
			grep -q memory "$_p/cgroup.subtree_control" ||
				echo "+memory +pids" > "$_p/cgroup.subtree_control" ||
				fail "subtree_control in $_p"
		fi
		_p="$_p/$_c"
		mkdir -p "$_p" || fail "mkdir $_p"
		IFS=/
	done
	IFS=$_IFS
	echo "$_p"
}

# A pseudo-random hex id of N characters (for container ids and pod uids).
hexid() {
	head -c 64 /dev/urandom | od -An -tx1 | tr -d ' \n' | cut -c1-"$1"
}

uuid() {
	_h=$(hexid 32)
	echo "$(echo $_h | cut -c1-8)-$(echo $_h | cut -c9-12)-$(echo $_h | cut -c13-16)-$(echo $_h | cut -c17-20)-$(echo $_h | cut -c21-32)"
}

# Settle: let per-cpu counters fold and writeback state stabilise.
settle() {
	echo 1 > /proc/sys/vm/stat_refresh 2>/dev/null
	sleep "${1:-2}"
	echo 1 > /proc/sys/vm/stat_refresh 2>/dev/null
}
