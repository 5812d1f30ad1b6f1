# Scenario "cgroup-v1": a cgroup v1 memory hierarchy (article 003/004).
#
# The v1 memory controller is mounted on its own (cgroup v2 is not mounted),
# next to cpu,cpuacct and pids hierarchies, with a kubelet-cgroupfs-like layout
# (kubepods/burstable/pod<uid>/<container id>) and a docker/<id> group:
#  - page cache (ext4) written from one container, anon memory in another
#  - a group with memory.limit_in_bytes smaller than what it writes: page
#    cache reclaimed inside the group (failcnt, pgpgout)
#  - a group whose anon hog exceeds its limit: memcg OOM kill (oom_control)
#  - a tmpfs file charged to a group (shmem in memory.stat)
#  - groups removed after writing page cache (dying v1 memcgs)
# Kernels built without CONFIG_MEMCG_V1 (Debian's 6.12) cannot mount the v1
# memory controller: the scenario then records "memcg_v1 unavailable", mounts
# the other v1 controllers and runs the same workloads (all charged to the
# root memcg), so the analyzer meets that case too.

. /mw/truth.sh

V1=/sys/fs/cgroup

v1_mk() {
	# v1_mk REL: the group REL in every mounted v1 hierarchy; prints the
	# list of directories (space separated) for spawn.
	_dirs=
	for _h in $V1_HIERS; do
		mkdir -p "$V1/$_h/$1" || fail "mkdir $V1/$_h/$1"
		_dirs="$_dirs $V1/$_h/$1"
	done
	echo $_dirs
}

run_scenario() {
	sysctl -qw vm.dirty_writeback_centisecs=0
	sysctl -qw vm.dirty_expire_centisecs=360000
	mount_disk /var
	mkdir -p $V1
	mount -t tmpfs -o mode=755 cgroup_root $V1 || fail "mount tmpfs on $V1"
	V1_HIERS=
	mkdir -p $V1/memory
	if mount -t cgroup -o memory cgroup $V1/memory 2>/tmp/v1.err; then
		V1_HIERS=memory
		note "memcg_v1 available"
		echo 1 > $V1/memory/memory.use_hierarchy 2>/dev/null
		log "cgroup v1 memory controller mounted"
	else
		rmdir $V1/memory
		note "memcg_v1 unavailable ($(cat /tmp/v1.err | tr '\n' ' '); CONFIG_MEMCG_V1 not set?)"
		log "cgroup v1 memory controller unavailable: $(cat /tmp/v1.err)"
	fi
	mkdir -p $V1/cpu,cpuacct $V1/pids
	mount -t cgroup -o cpu,cpuacct cgroup $V1/cpu,cpuacct && V1_HIERS="$V1_HIERS cpu,cpuacct"
	mount -t cgroup -o pids cgroup $V1/pids && V1_HIERS="$V1_HIERS pids"
	[ -n "$V1_HIERS" ] || fail "no cgroup v1 hierarchy could be mounted"
	note "v1_hierarchies $V1_HIERS"
	MEMV1=0
	case " $V1_HIERS " in *" memory "*) MEMV1=1 ;; esac

	POD1=$(uuid)
	POD2=$(uuid)
	C_WEB=$(hexid 64)
	C_CACHE=$(hexid 64)
	C_DOCK=$(hexid 64)
	g_web=$(v1_mk "kubepods/burstable/pod$POD1/$C_WEB")
	g_batch=$(v1_mk "kubepods/besteffort/pod$POD2/$C_CACHE")
	g_dock=$(v1_mk "docker/$C_DOCK")
	g_lim=$(v1_mk "kubepods/burstable/pod$POD1/limited-cache")
	g_oom=$(v1_mk "kubepods/burstable/pod$POD1/oom-victim")
	note "v1_web kubepods/burstable/pod$POD1/$C_WEB"
	note "v1_batch kubepods/besteffort/pod$POD2/$C_CACHE"
	note "v1_docker docker/$C_DOCK"
	if [ "$MEMV1" = 1 ]; then
		echo $((V1_CACHE_KIB * 4))K > "$V1/memory/kubepods/burstable/pod$POD1/memory.limit_in_bytes"
		echo "${V1_LIMIT_KIB}K" > "$V1/memory/kubepods/burstable/pod$POD1/limited-cache/memory.limit_in_bytes"
		echo $((V1_ANON_KIB / 2))K > "$V1/memory/kubepods/burstable/pod$POD1/oom-victim/memory.limit_in_bytes"
		note "v1_limited_cache_limit_kib $V1_LIMIT_KIB"
	fi

	DATA=/var/lib/docker/overlay2/$(hexid 64)/diff/var/lib/app
	mkdir -p "$DATA" /var/lib/kubelet/pods/$POD1/volumes /var/log/pods
	LOGDIR=/var/log/pods/default_web-$POD1/web
	mkdir -p "$LOGDIR"
	spawn web-logs "$g_web" nginx logwrite "${V1_CACHE_KIB}K" "$LOGDIR/0.log"
	waitfor /run/mw/web-logs.out 'logwrite:' 600
	spawn batch-anon "$g_batch" java hog "${V1_ANON_KIB}K" 0x6b
	waitfor /run/mw/batch-anon.out 'touched' 600
	run_in docker-data "$g_dock" mysqld logwrite-exit "${V1_CACHE_KIB}K" "$DATA/ibdata1"
	mkdir -p /dev/shm/app
	run_in docker-shm "$g_dock" mysqld fill /dev/shm/app 8 "$((V1_CACHE_KIB / 8 * 1024))" shm-seg
	# Page cache beyond the group's limit: reclaimed inside the group.
	run_in limited-writer "$g_lim" rsync logwrite-exit "$((V1_LIMIT_KIB * 3))K" /var/lib/kubelet/pods/$POD1/volumes/big.dat
	note "limited_writer_written_kib $((V1_LIMIT_KIB * 3))"
	if [ "$MEMV1" = 1 ]; then
		# Anon beyond the limit: memcg OOM kill (no panic: panic_on_oom=0).
		spawn oom-victim "$g_oom" stress hog "${V1_ANON_KIB}K" 0x4f
		_n=0
		while kill -0 "$PID_oom_victim" 2>/dev/null; do
			_n=$((_n + 1))
			[ "$_n" -lt 600 ] || fail "memcg OOM victim still alive"
			usleep 100000
		done
		note "memcg_oom_victim_pid $PID_oom_victim"
	fi
	# Dying v1 memcgs.
	i=0
	while [ "$i" -lt "$DYING_COUNT" ]; do
		i=$((i + 1))
		rel="kubepods/besteffort/pod$(uuid)"
		gd=$(v1_mk "$rel/$(hexid 64)")
		mkdir -p /var/lib/kubelet/pods/dead-$i
		run_in "dead-pod-$i" "$gd" job-runner logwrite-exit "${DYING_KIB}K" /var/lib/kubelet/pods/dead-$i/data.log
		for _d in $gd; do rmdir "$_d" "${_d%/*}" || fail "rmdir $_d"; done
		note "dying_memcg /$rel"
	done
	sync
	run_in web-dirty "$g_web" nginx logwrite-exit "${DIRTY_KIB}K" "$LOGDIR/0.log"

	RESID_TREES="/var/lib /var/log /dev/shm"
	settle 3
	note "truth_first_transient_pid $(sh -c 'echo $$')"
	print_truth final pause
	idle_forever
}
