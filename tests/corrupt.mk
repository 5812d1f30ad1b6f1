# the corruption suite (tests/hostile.py: no sanitizer report, no signal, no
# hang, bounded peak RSS, exit 1 naming the structure or exit 2 naming the
# file, no figure above RAM): the bundled dumps cut at every header
# boundary, non-regular files as the dump and debug files
# (corrupt-files.py); one field of each kernel structure the analyses walk
# changed by class (corrupt-structs.py, tests/structlib.py); random bytes
# over one kernel object a round, seeded (corrupt-sweep.py; a longer run:
# scripts/sweep-release). A fast subset here; MW_CORRUPT_FULL=1
# (scripts/test's sanitizer run) runs every dump, class and command.
TESTS += tests/corrupt-files.py tests/corrupt-structs.py tests/corrupt-sweep.py
EXTRA_DIST += tests/corrupt-files.py tests/hostile.py tests/corrupt-structs.py \
	tests/corrupt-sweep.py tests/structlib.py
