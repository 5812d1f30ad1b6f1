# mw-convert: writes kdump-compressed (plain or flattened) and ELF dumps from
# any dump memwhere reads; the conversion tests use it from the build dir.
noinst_PROGRAMS += tests/tools/mw-convert
tests_tools_mw_convert_SOURCES = tests/tools/mw-convert.c \
	tests/tools/convert.h tests/tools/conv.c tests/tools/sink.c \
	tests/tools/compress.c tests/tools/kdump-write.c tests/tools/elf-write.c
tests_tools_mw_convert_LDADD = $(MW_LIBS)

# Conversion tests: synthetic source always, real captures when present.
TESTS += tests/convert-synth.py tests/convert-real.py
EXTRA_DIST += tests/convlib.py tests/convert-synth.py tests/convert-real.py
