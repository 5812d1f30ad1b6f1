# Fuzz targets. `make fuzz` builds them with clang's libFuzzer, ASan and
# UBSan into fuzz/bin/; `make fuzz-run FUZZ_SECONDS=600` runs each in turn
# and saves new inputs to fuzz/corpus/TARGET/. `make check` replays the
# saved corpus through plain builds of the same targets (fuzz/replay.c).
FUZZ_TARGETS = reader kallsyms btf paths jsonparse objects decompress
EXTRA_DIST += fuzz/fuzz.h fuzz/replay.sh $(FUZZ_TARGETS:%=fuzz/fuzz-%.c)
EXTRA_DIST += fuzz/gen-btf-seed.py fuzz/gen-kallsyms-seed.py fuzz/gen-objects-seed.py \
	fuzz/gen-paths-seed.py fuzz/gen-reader-seeds.sh fuzz/gen-decompress-seeds.py

check_PROGRAMS += fuzz/replay-reader fuzz/replay-kallsyms fuzz/replay-btf fuzz/replay-paths \
	fuzz/replay-jsonparse fuzz/replay-objects fuzz/replay-decompress
fuzz_replay_reader_SOURCES = fuzz/replay.c fuzz/fuzz-reader.c fuzz/fuzz.h
fuzz_replay_reader_LDADD = $(MW_LIBS)
fuzz_replay_kallsyms_SOURCES = fuzz/replay.c fuzz/fuzz-kallsyms.c fuzz/fuzz.h tests/fakemem.c tests/fakemem.h
fuzz_replay_kallsyms_LDADD = $(MW_LIBS)
fuzz_replay_btf_SOURCES = fuzz/replay.c fuzz/fuzz-btf.c fuzz/fuzz.h
fuzz_replay_btf_LDADD = $(MW_LIBS)
fuzz_replay_paths_SOURCES = fuzz/replay.c fuzz/fuzz-paths.c fuzz/fuzz.h tests/fakemem.c tests/fakemem.h
fuzz_replay_paths_LDADD = $(MW_LIBS)
fuzz_replay_jsonparse_SOURCES = fuzz/replay.c fuzz/fuzz-jsonparse.c fuzz/fuzz.h
fuzz_replay_jsonparse_LDADD = $(MW_LIBS)
# objects: one kernel object of testdata/6.1-oom overlaid by the input,
# every analysis run over the dump
fuzz_replay_objects_SOURCES = fuzz/replay.c fuzz/fuzz-objects.c fuzz/fuzz.h
fuzz_replay_objects_CPPFLAGS = $(AM_CPPFLAGS) -DMW_TOP_SRCDIR='"$(abs_top_srcdir)"'
fuzz_replay_objects_LDADD = $(MW_LIBS)
# decompress: a zlib page through every inflate backend built in (ISA-L,
# libdeflate, zlib), which must accept and refuse the same pages
fuzz_replay_decompress_SOURCES = fuzz/replay.c fuzz/fuzz-decompress.c fuzz/fuzz.h
fuzz_replay_decompress_LDADD = $(MW_LIBS)
TESTS += fuzz/replay.sh

FUZZ_CC = clang
FUZZ_SECONDS = 600
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_LIBMW_FILES = $(filter %.c,$(libmw_a_SOURCES)) tests/fakemem.c

fuzz/bin/fuzz-%: $(srcdir)/fuzz/fuzz-%.c $(FUZZ_LIBMW_FILES:%=$(srcdir)/%) config.h
	@mkdir -p fuzz/bin
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_FLAGS) $(DEFS) $(DEFAULT_INCLUDES) $(AM_CPPFLAGS) \
		-DMW_TOP_SRCDIR='"$(abs_top_srcdir)"' \
		$< $(FUZZ_LIBMW_FILES:%=$(srcdir)/%) -o $@ \
		$(LIBDW_LIBS) $(LIBELF_LIBS) $(ISAL_LIBS) $(LIBDEFLATE_LIBS) $(ZLIB_LIBS) $(LZO_LIBS) $(SNAPPY_LIBS) $(ZSTD_LIBS) $(LIBS)

fuzz: $(FUZZ_TARGETS:%=fuzz/bin/fuzz-%)

fuzz-run: fuzz
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(srcdir)/fuzz/corpus/$$t fuzz/findings/$$t; \
		echo "fuzz-$$t: $(FUZZ_SECONDS) s"; \
		fuzz/bin/fuzz-$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
			-max_len=1048576 -artifact_prefix=fuzz/findings/$$t/ \
			$(srcdir)/fuzz/corpus/$$t 2>&1 | tail -3; \
	done

clean-local: clean-fuzz
clean-fuzz:
	rm -rf fuzz/bin fuzz/findings
.PHONY: fuzz fuzz-run clean-fuzz
