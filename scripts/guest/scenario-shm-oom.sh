# Scenario "shm-oom": a global OOM (vm.panic_on_oom=1) where most of the RAM
# is in tmpfs files that no process maps, so that killing processes cannot
# fix it: the /dev/shm spool of the seeds at its worst. Dumped at the panic
# (pvpanic-pci + QEMU -action panic=pause).
#
# /dev/shm is remounted larger (size=80%, as databases ask for); a report
# job writes SHMOOM_FILES spool files and one large export into it with
# write() and exits, so nobody maps them (and there is no swap to move them
# to). The guest prints its truth ("before-oom": the files' resident pages
# in mw:resid), waits for the host's GO, then an ordinary service allocates
# anonymous memory in its container until the kernel runs out; its RSS stays
# below the tmpfs files'.

. /mw/truth.sh

run_scenario() {
	sysctl -qw vm.panic_on_oom=1
	sysctl -qw vm.oom_dump_tasks=1
	mount -o remount,size=80% /dev/shm || fail "remount /dev/shm"
	cg2_mount
	cg_rep=$(cg2_mk system.slice/report-spool.service)
	cg_api=$(cg2_mk system.slice/api.service)
	note "shm_dir /dev/shm/spool"
	mkdir -p /dev/shm/spool
	run_in report-spool "$cg_rep" reportgen fill /dev/shm/spool "$SHMOOM_FILES" "${SHMOOM_FILE_KIB}K" report
	run_in report-export "$cg_rep" reportgen fill /dev/shm/spool 1 "${SHMOOM_BIG_KIB}K" export
	spawn py-hog "$cg_api" python3 hog "${MEM_PY_KIB}K" 0x71
	waitfor /run/mw/py-hog.out 'touched' 600
	RESID_TREES="/dev/shm"
	settle 2
	note "truth_first_transient_pid $(sh -c 'echo $$')"
	print_truth before-oom
	wait_go 600
	log "starting the OOM hog"
	spawn api-oom "$cg_api" api-server oomhog 4M 0x6b
	# The host dumps when the panic pauses the guest; this is a fallback.
	sleep 600
	fail "no OOM panic after 600s"
}
