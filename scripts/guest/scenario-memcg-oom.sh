# Scenario "memcg-oom": a container (a memory cgroup with memory.max) hits its
# limit, the OOM killer kills inside it and the machine survives; then the
# kernel is crashed another way (sysrq c), so the dump, taken at that panic
# (pvpanic-pci + QEMU -action panic=pause), holds a past memcg OOM kill and a
# panic that is not an OOM.
#
# The truth ("before-crash") is printed after the kill, with the memcg's
# memory.events counting it; the host answers GO and the guest crashes.

. /mw/truth.sh

run_scenario() {
	sysctl -qw vm.oom_dump_tasks=1
	cg2_mount
	cg_box=$(cg2_mk system.slice/batch.service)
	cg_web=$(cg2_mk system.slice/web.service)
	echo "${MEMCG_OOM_LIMIT_KIB}K" > "$cg_box/memory.max" || fail "memory.max"
	note "cg_box ${cg_box#/sys/fs/cgroup}"
	spawn web "$cg_web" nginx hog "${MEM_PY_KIB}K" 0x71
	waitfor /run/mw/web.out 'touched' 600
	# the hog allocates until the memcg OOM killer kills it
	spawn batch-oom "$cg_box" batchjob oomhog 1M 0x6b
	n=0
	until grep -q '^oom_kill [1-9]' "$cg_box/memory.events"; do
		n=$((n + 1))
		[ "$n" -le 3000 ] || fail "no memcg OOM kill in $cg_box after 600s"
		usleep 200000
	done
	wait "$PID_batch_oom" 2>/dev/null
	log "memcg OOM kill: $(tr '\n' ' ' < "$cg_box/memory.events")"
	settle 2
	print_truth before-crash
	wait_go 600
	log "crashing the kernel (sysrq c)"
	echo c > /proc/sysrq-trigger
	sleep 600
	fail "no panic after sysrq c"
}
