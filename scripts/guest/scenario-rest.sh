# Scenario "rest": the rest of RAM (issue 21): memory that is neither page
# cache, anon nor slab.
#  - crashkernel= and hugepages= on the kernel command line (scripts/capture)
#  - a hugetlbfs mount with a file holding HUGE_FILE_PAGES of the pool, a SysV
#    SHM_HUGETLB segment and an anonymous MAP_HUGETLB mapping held by a
#    process named "hugedb"; the rest of the pool stays free
#  - zram0 (zsmalloc) with ZRAM_WRITE_KIB of half-compressible data
#  - zswap, where the kernel has it: a swap file and a memcg pushed into it
#  - the host inflates the virtio balloon (QEMU monitor "balloon") after
#    READY, says GO when the balloon reached its target
# Features a kernel lacks (zram or zswap not built) are recorded in the notes
# ("zram unavailable", "zswap unavailable"), never faked.

. /mw/truth.sh

truth_rest() {
	for _d in /sys/kernel/mm/hugepages/* /sys/devices/system/node/node*/hugepages/*; do
		[ -d "$_d" ] || continue
		for _f in "$_d"/*; do
			[ -f "$_f" ] && truth_sec "$_f" "$_f"
		done
	done
	for _z in /sys/block/zram*; do
		[ -d "$_z" ] || continue
		for _f in disksize mm_stat io_stat bd_stat comp_algorithm mem_used_max size; do
			[ -f "$_z/$_f" ] && truth_sec "$_z/$_f" "$_z/$_f"
		done
	done
	for _f in /sys/module/zswap/parameters/*; do
		[ -f "$_f" ] && truth_sec "$_f" "$_f"
	done
	if [ -d /sys/kernel/debug/zswap ]; then
		for _f in /sys/kernel/debug/zswap/*; do
			[ -f "$_f" ] && truth_sec "$_f" "$_f"
		done
	fi
	for _f in /sys/kernel/kexec_crash_size /sys/kernel/kexec_crash_loaded \
		/proc/sys/vm/nr_hugepages /proc/sys/vm/nr_overcommit_hugepages \
		/sys/kernel/debug/memblock/reserved /sys/kernel/debug/memblock/memory; do
		[ -f "$_f" ] && truth_sec "$_f" "$_f"
	done
	for _d in /sys/bus/virtio/drivers/virtio_balloon/virtio*; do
		[ -d "$_d" ] && truth_sec "mw:virtio-balloon:${_d##*/}:features" "$_d/features"
	done
	# the struct page array covers every present memory block (section)
	[ -f /sys/devices/system/memory/block_size_bytes ] &&
		truth_sec /sys/devices/system/memory/block_size_bytes /sys/devices/system/memory/block_size_bytes
	truth_cmd mw:memory-blocks ls /sys/devices/system/memory
	truth_cmd mw:hugefiles ls -ln /mnt/huge
	truth_cmd mw:dmesg dmesg
}

run_scenario() {
	mount_disk /var
	cg2_mount
	# 1. hugetlb: the pool from hugepages= on the command line
	mkdir -p /mnt/huge
	mount -t hugetlbfs -o pagesize=2M hugetlbfs /mnt/huge || fail "mount hugetlbfs"
	_total=$(cat /proc/sys/vm/nr_hugepages)
	note "hugepages_total $_total"
	[ "$_total" -ge $((HUGE_FILE_PAGES + HUGE_SHM_PAGES + HUGE_ANON_PAGES)) ] ||
		fail "hugepages pool $_total smaller than the holders"
	spawn hugedb "" hugedb hugehold /mnt/huge/pool.dat $((HUGE_FILE_PAGES * 2048))K \
		$((HUGE_SHM_PAGES * 2048))K $((HUGE_ANON_PAGES * 2048))K
	waitfor /run/mw/hugedb.out 'hugehold:' 300
	note "huge_file /mnt/huge/pool.dat $((HUGE_FILE_PAGES * 2048 * 1024))"
	note "huge_shm_bytes $((HUGE_SHM_PAGES * 2048 * 1024))"
	note "huge_anon_bytes $((HUGE_ANON_PAGES * 2048 * 1024))"
	# 2. zram
	if [ -e /sys/block/zram0 ]; then
		# lz4 where offered (6.1's lzo-rle stored this data uncompressed)
		grep -qw 'lz4' /sys/block/zram0/comp_algorithm &&
			echo lz4 > /sys/block/zram0/comp_algorithm
		echo "${ZRAM_DISK_KIB}K" > /sys/block/zram0/disksize || fail "zram0 disksize"
		run_in zram-writer "" zramfill zwrite /dev/zram0 "${ZRAM_WRITE_KIB}K"
		note "zram available"
		note "zram_written_bytes $((ZRAM_WRITE_KIB * 1024))"
	else
		note "zram unavailable (no /sys/block/zram0: CONFIG_ZRAM not set or module missing)"
	fi
	# 3. zswap: a swap file and a memcg whose anon exceeds its memory.max
	if [ -f /sys/module/zswap/parameters/enabled ]; then
		dd if=/dev/zero of=/var/swapfile bs=1M count=$((SWAP_KIB / 1024)) oflag=direct 2>/dev/null ||
			fail "dd swapfile"
		chmod 600 /var/swapfile
		mkswap /var/swapfile >/dev/null || fail "mkswap"
		swapon /var/swapfile || fail "swapon /var/swapfile"
		echo Y > /sys/module/zswap/parameters/enabled
		mkdir -p /sys/kernel/debug
		mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
		cg=$(cg2_mk system.slice/zswapped.service)
		echo "$((SWAPHOG_KIB / 2))K" > "$cg/memory.max"
		spawn zswapped "$cg" memcached hog "${SWAPHOG_KIB}K" 0x2d
		waitfor /run/mw/zswapped.out 'touched' 600
		note "zswap available"
		note "swap_file /var/swapfile $SWAP_KIB"
	else
		note "zswap unavailable (no /sys/module/zswap: CONFIG_ZSWAP not set)"
	fi
	settle 2
	ctl "@@MW-READY balloon"
	# the host inflates the balloon, then says GO
	wait_go 1200
	RESID_TREES="/var /mnt/huge"
	settle 2
	note "truth_first_transient_pid $(sh -c 'echo $$')"
	print_truth final pause
	idle_forever
}
