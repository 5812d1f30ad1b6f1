libmw_a_SOURCES += \
	common/addr-map.c common/addr-map.h \
	common/error.c common/error.h \
	common/json.c common/json.h \
	common/warn.c common/warn.h
