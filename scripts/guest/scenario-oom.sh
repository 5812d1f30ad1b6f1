# Scenario "oom": a global OOM that panics (vm.panic_on_oom=1), dumped at the
# moment of the panic (pvpanic-pci + QEMU -action panic=pause).
#
# Before the OOM the guest holds page cache (ext4), tmpfs files, an unlinked
# mapped /dev/shm file and an anonymous process in containers; it prints its
# truth ("before-oom"), waits for the host's GO, then a "java" process in a
# container cgroup without a limit allocates until the kernel runs out of
# memory.  The serial console (console.log, loglevel=7) holds the kernel's OOM
# report and panic message: that is the truth of the dumped moment.

. /mw/truth.sh

run_scenario() {
	sysctl -qw vm.panic_on_oom=1
	sysctl -qw vm.oom_dump_tasks=1
	mount_disk /var
	cg2_mount
	BU=kubepods.slice/kubepods-burstable.slice
	POD=$(uuid | tr - _)
	cg_app=$(cg2_mk "$BU/kubepods-burstable-pod$POD.slice/cri-containerd-$(hexid 64).scope")
	cg_java=$(cg2_mk "$BU/kubepods-burstable-pod$POD.slice/cri-containerd-$(hexid 64).scope")
	cg_side=$(cg2_mk system.slice/ganglia-monitor.service)
	note "cg_java ${cg_java#/sys/fs/cgroup}"
	LOGDIR=/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/${SNAPSHOT_ID:-1187}/fs/var/log/app
	mkdir -p "$LOGDIR" /dev/shm/ganglia
	spawn app-logs "$cg_app" app-server logwrite "${OOM_CACHE_KIB}K" "$LOGDIR/app.log"
	waitfor /run/mw/app-logs.out 'logwrite:' 600
	run_in gmond "$cg_side" gmond fill /dev/shm/ganglia "$((GANGLIA_COUNT / 4 + 1))" 163840 gmond-metrics
	spawn pg-shm "$cg_side" postgres shmfile /dev/shm/PostgreSQL.1804289383 "$((SHM_KIB / 2))K" 0x5a
	waitfor /run/mw/pg-shm.out 'unlinked' 300
	spawn py-hog "$cg_app" python3 hog "${MEM_PY_KIB}K" 0x71
	waitfor /run/mw/py-hog.out 'touched' 600
	sync
	RESID_TREES="/var/lib/containerd /dev/shm"
	settle 2
	note "truth_first_transient_pid $(sh -c 'echo $$')"
	print_truth before-oom
	wait_go 600
	log "starting the OOM hog"
	spawn java-oom "$cg_java" java oomhog 4M 0x6b
	# The host dumps when the panic pauses the guest; this is a fallback.
	sleep 600
	fail "no OOM panic after 600s"
}
