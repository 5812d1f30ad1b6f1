# processes and their memory: tasks-real.sh against the guests' /proc
TESTS += tests/tasks-real.sh tests/tasks-corrupt.sh
EXTRA_DIST += tests/tasks-real.sh tests/tasks_compare.py tests/tasks-corrupt.sh tests/corrupt_tasks.py
