libmw_a_SOURCES += \
	common/addr-map.c common/addr-map.h \
	common/error.c common/error.h \
	common/file.c common/file.h \
	common/format.c common/format.h \
	common/grow.h \
	common/json.c common/json.h \
	common/jsonparse.c common/jsonparse.h \
	common/le.h \
	common/read.c common/read.h \
	common/warn.c common/warn.h
