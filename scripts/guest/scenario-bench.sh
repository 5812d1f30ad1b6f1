# Scenario "bench": a large guest for the page-walk benchmark
# (scripts/bench-summary), quick to build at 8 GiB under TCG: page cache on
# ext4, an anonymous hog and a tmpfs file in a service cgroup, the rest
# free. Not in "all": the benchmark asks for it by name.

. /mw/truth.sh

run_scenario() {
	mount_disk /var
	cg2_mount
	cg=$(cg2_mk system.slice/bench.service)
	mkdir -p /var/lib/bench /dev/shm/bench
	run_in cache "$cg" app-server logwrite-exit "${BENCH_CACHE_KIB}K" /var/lib/bench/data.log
	spawn hog "$cg" java hog "${BENCH_ANON_KIB}K" 0x6b
	waitfor /run/mw/hog.out 'touched' 3600
	spawn shm "$cg" postgres shmfile /dev/shm/bench/segment "${BENCH_SHM_KIB}K" 0x5a
	waitfor /run/mw/shm.out 'unlinked' 3600
	RESID_TREES="/var/lib/bench"
	settle 2
	print_truth final pause
	idle_forever
}
