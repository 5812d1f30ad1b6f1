# Scenario "leak": one guest dumped twice, a leak growing in between, for
# `memwhere diff BEFORE AFTER` (tests/diff-leak-real.py). A service in its
# own memory cgroup (system.slice/leaky.service) appends to a tmpfs file no
# one ever truncates (/dev/shm/leak/sessions.log): LEAK1_KIB before the
# first dump, LEAK2_KIB more before the second, beside an application
# whose anon memory (LEAK_BG_KIB) stays put. The first truth (phase
# "before") pauses for the first dump, the second ("final") for the usual
# dumps of the capture directory. Not in "all": asked for by name.

. /mw/truth.sh

run_scenario() {
	cg2_mount
	cg=$(cg2_mk system.slice/leaky.service)
	mkdir -p /dev/shm/leak
	RESID_TREES="/dev/shm/leak"
	note "leak_file /dev/shm/leak/sessions.log"
	note "leak_cgroup /system.slice/leaky.service"
	note "leak_comm leaky"
	# a steady neighbour: an application's anon memory that does not move
	# between the dumps (diff must not blame it)
	app=$(cg2_mk system.slice/app.service)
	spawn app "$app" java hog "${LEAK_BG_KIB}K" 0x6b
	waitfor /run/mw/app.out 'touched' 900
	# the service's main process, alive in both dumps
	spawn service "$cg" leaky sleep
	run_in leak1 "$cg" leaky logwrite-exit "${LEAK1_KIB}K" /dev/shm/leak/sessions.log
	settle 2
	print_truth before pause
	# the host dumps the guest in the pause above, then says GO once more
	# here: the leak grows only after that dump
	wait_go 900
	run_in leak2 "$cg" leaky logwrite-exit "${LEAK2_KIB}K" /dev/shm/leak/sessions.log
	settle 2
	print_truth final pause
	idle_forever
}
