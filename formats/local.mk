libmw_a_SOURCES += \
	formats/reader.c formats/reader.h formats/format.h \
	formats/source.h formats/source-file.c \
	formats/notes.c \
	formats/elf.c \
	formats/elf-core.c formats/elf-core.h \
	formats/elf-extents.c formats/elf-extents.h \
	formats/kcore.c \
	formats/kdump.c formats/dumpset.c \
	formats/decompress.c formats/decompress.h \
	formats/page-cache.c formats/page-cache.h \
	formats/flattened.c
