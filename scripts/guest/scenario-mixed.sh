# Scenario "mixed" (cgroup v2): every case of the seed articles in one machine.
#
#  - container log files in page cache under a containerd overlay snapshot
#    path on a real ext4 disk, written from a Kubernetes-like memcg
#  - many ~160 KiB files in /dev/shm/ganglia (tmpfs, no process maps them)
#  - an unlinked /dev/shm file and a removed SysV segment still mapped
#  - an nginx-like TCP listener that never reads while the host sends many
#    tiny packets over virtio-net (receive_mergeable frag pages pile up)
#  - an unread UDP socket and unread unix socketpairs
#  - memory cgroups that wrote page cache and were removed (dying)
#  - anonymous memory hogs inside container cgroups
#  - many dentries/inodes incl. negative dentries (high SReclaimable)
#  - a swap file and a container swapping (memory.max below its anon size)
#  - fragmented free memory (every other page of a region freed)
#  - pipes full of unread data (pages no meminfo counter shows)
#  - BPF maps of several types and two programs held by a process
# Sizes come from /etc/mw.conf (scaled by the host to the guest's memory).

. /mw/truth.sh

run_scenario() {
	sysctl -qw vm.dirty_writeback_centisecs=0
	sysctl -qw vm.dirty_expire_centisecs=360000
	sysctl -qw net.core.rmem_max=67108864

	mount_disk /var
	setup_net
	cg2_mount

	CG=/sys/fs/cgroup
	BU=kubepods.slice/kubepods-burstable.slice
	BE=kubepods.slice/kubepods-besteffort.slice
	POD1=$(uuid | tr - _)
	POD2=$(uuid | tr - _)
	POD3=$(uuid | tr - _)
	C_APP=$(hexid 64)
	C_JAVA=$(hexid 64)
	C_PY=$(hexid 64)
	C_NGX=$(hexid 64)
	SNAP=${SNAPSHOT_ID:-1187}

	cg_app=$(cg2_mk "$BU/kubepods-burstable-pod$POD1.slice/cri-containerd-$C_APP.scope")
	cg_java=$(cg2_mk "$BU/kubepods-burstable-pod$POD1.slice/cri-containerd-$C_JAVA.scope")
	cg_py=$(cg2_mk "$BE/kubepods-besteffort-pod$POD2.slice/cri-containerd-$C_PY.scope")
	cg_ngx=$(cg2_mk "$BU/kubepods-burstable-pod$POD3.slice/cri-containerd-$C_NGX.scope")
	cg_gmond=$(cg2_mk system.slice/ganglia-monitor.service)
	cg_pg=$(cg2_mk system.slice/postgresql.service)
	cg_statsd=$(cg2_mk system.slice/statsd.service)
	cg_dbus=$(cg2_mk system.slice/dbus.service)
	cg_nscd=$(cg2_mk system.slice/nscd.service)
	echo "$((MEM_JAVA_KIB * 2))K" > "$cg_java/memory.max"
	note "pod_app $POD1"
	note "pod_besteffort $POD2"
	note "pod_nginx $POD3"
	note "cg_app ${cg_app#$CG}"
	note "cg_java ${cg_java#$CG}"
	note "cg_py ${cg_py#$CG}"
	note "cg_nginx ${cg_ngx#$CG}"
	note "cg_gmond ${cg_gmond#$CG}"
	note "cg_pg ${cg_pg#$CG}"

	# 1. Container logs in page cache (article 000 case 1).
	LOGDIR=/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/$SNAP/fs/var/log/app
	mkdir -p "$LOGDIR"
	note "logdir $LOGDIR"
	spawn app-logs "$cg_app" app-server logwrite "${LOG_KIB}K" \
		"$LOGDIR/access.log" "$LOGDIR/error.log" "$LOGDIR/app.log"
	waitfor /run/mw/app-logs.out 'logwrite:' 600

	# 2. Ganglia: many 160 KiB tmpfs files nobody maps (article 000 case 2).
	mkdir -p /dev/shm/ganglia
	run_in gmond "$cg_gmond" gmond fill /dev/shm/ganglia "$GANGLIA_COUNT" 163840 gmond-metrics
	note "ganglia_files $GANGLIA_COUNT"
	note "ganglia_file_bytes 163840"

	# 3. Deleted shm still mapped: unlinked /dev/shm file + removed SysV segment.
	PGSHM=/dev/shm/PostgreSQL.1804289383
	spawn pg-shm "$cg_pg" postgres shmfile "$PGSHM" "${SHM_KIB}K" 0x5a
	waitfor /run/mw/pg-shm.out 'unlinked' 300
	spawn pg-sysv "$cg_pg" postgres sysvshm "${SYSV_KIB}K" 0x3c
	waitfor /run/mw/pg-sysv.out 'removed' 300
	note "deleted_shm_file $PGSHM ${SHM_KIB}"
	note "deleted_sysv_kib $SYSV_KIB"

	# 4. Anonymous hogs in containers.
	spawn java-hog "$cg_java" java hog "${MEM_JAVA_KIB}K" 0x6b
	waitfor /run/mw/java-hog.out 'touched' 600
	spawn py-hog "$cg_py" python3 hog "${MEM_PY_KIB}K" 0x71
	waitfor /run/mw/py-hog.out 'touched' 600

	# 4b. Swap (article 003/004): a swap file on the ext4 disk and a container
	#     whose memory.max is half its anonymous working set.
	dd if=/dev/zero of=/var/swapfile bs=1M count=$((SWAP_KIB / 1024)) oflag=direct 2>/dev/null ||
		fail "dd swapfile"
	chmod 600 /var/swapfile
	mkswap /var/swapfile >/dev/null || fail "mkswap"
	swapon /var/swapfile || fail "swapon /var/swapfile"
	cg_redis=$(cg2_mk "$BE/kubepods-besteffort-pod$POD2.slice/cri-containerd-$(hexid 64).scope")
	echo "$((SWAPHOG_KIB / 2))K" > "$cg_redis/memory.max"
	spawn redis "$cg_redis" redis-server hog "${SWAPHOG_KIB}K" 0x2d
	waitfor /run/mw/redis.out 'touched' 600
	note "swap_file /var/swapfile $SWAP_KIB"
	note "cg_redis ${cg_redis#$CG}"
	note "redis_memory_max_kib $((SWAPHOG_KIB / 2))"

	# 4d. Pipes nobody reads: pipe buffer pages counted in no meminfo field.
	cg_fl=$(cg2_mk system.slice/fluentd.service)
	spawn fluentd "$cg_fl" fluentd pipe-sink "$PIPE_COUNT" "$PIPE_SIZE"
	waitfor /run/mw/fluentd.out 'queued' 300
	note "pipes $(cat /run/mw/fluentd.out)"

	# 5. Dying memory cgroups: dead pods whose page cache outlives them.
	i=0
	while [ "$i" -lt "$DYING_COUNT" ]; do
		i=$((i + 1))
		dpod=$(uuid)
		dpod_=$(echo "$dpod" | tr - _)
		rel="$BE/kubepods-besteffort-pod$dpod_.slice/cri-containerd-$(hexid 64).scope"
		cgd=$(cg2_mk "$rel")
		vol=/var/lib/kubelet/pods/$dpod/volumes/kubernetes.io~empty-dir/cache
		mkdir -p "$vol"
		run_in "dead-pod-$i" "$cgd" job-runner logwrite-exit "${DYING_KIB}K" "$vol/data.log"
		rmdir "$cgd" "${cgd%/*}" || fail "rmdir $cgd"
		note "dying_memcg /$rel"
	done
	# A dying cgroup outside kubepods too (a finished systemd unit).
	cgd=$(cg2_mk system.slice/logrotate.service)
	mkdir -p /var/log/rotated
	run_in logrotate "$cgd" logrotate logwrite-exit "${DYING_KIB}K" /var/log/rotated/syslog.1
	rmdir "$cgd" || fail "rmdir $cgd"
	note "dying_memcg /system.slice/logrotate.service"

	# 6. Dentries and inodes: negative lookups and many empty files.
	mkdir -p /var/cache/nscd
	run_in nscd "$cg_nscd" nscd dentries /var/cache/nscd "$NEG_DENTRIES" "$POS_FILES"
	note "negative_lookups $NEG_DENTRIES"
	note "empty_files $POS_FILES"

	# Write back everything so far, then leave some dirty log pages.
	sync
	run_in app-dirty "$cg_app" app-server logwrite-exit "${DIRTY_KIB}K" "$LOGDIR/access.log"
	note "dirty_kib_expected $DIRTY_KIB"

	# 6b. Fragmentation (article 004): every other page of a region given back,
	#     last, so that no later allocation fills the holes before the truth.
	cg_mc=$(cg2_mk system.slice/memcached.service)
	spawn memcached "$cg_mc" memcached fragment "${FRAG_KIB}K" 0x1e
	waitfor /run/mw/memcached.out 'given back' 300

	# 7. Sockets: unread unix socketpairs, UDP sink, nginx-like TCP listener.
	spawn dbus "$cg_dbus" dbus-daemon unix-sink "${UNIX_KIB}K"
	waitfor /run/mw/dbus.out 'queued' 300
	spawn statsd "$cg_statsd" statsd udp-sink 8081 4M
	waitfor /run/mw/statsd.out 'udp-sink' 60
	spawn nginx "$cg_ngx" nginx tcp-listen 8080 "$NGINX_RCVBUF"
	waitfor /run/mw/nginx.out 'tcp-listen' 60

	# 8. BPF maps and programs (raw bpf(2)); each fd's fdinfo in bpf.out.
	cg_bpf=$(cg2_mk system.slice/bpf-exporter.service)
	spawn bpf "$cg_bpf" bpf-exporter bpf-load
	waitfor /run/mw/bpf.out 'bpf-load: ready' 120

	RESID_TREES="/var/lib/containerd /var/lib/kubelet /var/log /dev/shm"
	ctl "@@MW-READY tcp=8080 udp=8081 conns=$TCP_CONNS"
	wait_go 900
	log "host traffic done: $(grep -c accepted /run/mw/nginx.out) connections accepted"
	settle 3
	note "truth_first_transient_pid $(sh -c 'echo $$')"
	print_truth final pause
	idle_forever
}
