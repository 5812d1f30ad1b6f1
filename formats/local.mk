libmw_a_SOURCES += \
	formats/reader.c formats/reader.h formats/format.h \
	formats/source.h formats/source-file.c \
	formats/notes.c \
	formats/elf.c \
	formats/kcore.c \
	formats/kdump.c \
	formats/flattened.c
