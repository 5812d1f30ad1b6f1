# the kernel model on real dumps (tests/kmodel.c, tests/kernel-real.sh); the
# same results with no debug file as with the vmlinux (tests/nodebug-real.sh)
check_PROGRAMS += tests/kmodel
tests_kmodel_SOURCES = tests/kmodel.c
tests_kmodel_LDADD = $(MW_LIBS)
TESTS += tests/kernel-real.sh tests/nodebug-real.sh
EXTRA_DIST += tests/kernel-real.sh tests/nodebug-real.sh tests/dumps.sh
