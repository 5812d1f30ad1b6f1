# what happened: the panic and OOM reports read from log records built by
# hand; incident-real.py against the guests' own OOM reports (truth `oom`)
check_PROGRAMS += tests/test-incident
tests_test_incident_SOURCES = tests/test-incident.c
tests_test_incident_LDADD = $(MW_LIBS)
TESTS += tests/test-incident
TESTS += tests/incident-real.py
EXTRA_DIST += tests/incident-real.py tests/taplib.py
