#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "analyzer/layout.h"

static void store(const struct mw_layout_field *f, const struct mw_field *v,
		  uint8_t *layout)
{
	if (f->found != MW_LAYOUT_NONE && !v->found)
		*(bool *)(layout + f->found) = false;
	if (f->raw)
		*f->raw = *v;
	if (f->dest == MW_LAYOUT_NONE)
		return;
	switch (f->take) {
	case MW_TAKE_OFFSET: {
		uint32_t u = mw_u32_of(v->offset);
		memcpy(layout + f->dest, &u, sizeof(u));
		break;
	}
	case MW_TAKE_SIZE: {
		uint32_t u = mw_u32_of(v->size);
		memcpy(layout + f->dest, &u, sizeof(u));
		break;
	}
	case MW_TAKE_VALUE: {
		int i = (int)v->value;
		memcpy(layout + f->dest, &i, sizeof(i));
		break;
	}
	case MW_TAKE_NOTHING:
		break;
	}
}

struct mw_error *mw_layout_resolve(struct mw_types *t,
				   const struct mw_layout_field *fields,
				   size_t nr_fields, void *layout)
{
	struct mw_field *vals = calloc(nr_fields ? nr_fields : 1, sizeof(*vals));
	struct mw_field_spec *specs = calloc(nr_fields ? nr_fields : 1, sizeof(*specs));
	if (!vals || !specs) {
		free(vals);
		free(specs);
		return &mw_error_nomem;
	}
	for (size_t i = 0; i < nr_fields; i++)
		specs[i] = (struct mw_field_spec){ fields[i].kind, fields[i].path,
						   &vals[i], fields[i].flags };
	struct mw_error *err = mw_types_resolve_fields(t, specs, nr_fields);
	if (!err) {
		uint8_t *base = layout;
		/* a group's flag is true until one of its fields is missing */
		for (size_t i = 0; i < nr_fields; i++)
			if (fields[i].found != MW_LAYOUT_NONE)
				*(bool *)(base + fields[i].found) = true;
		for (size_t i = 0; i < nr_fields; i++)
			store(&fields[i], &vals[i], base);
	}
	free(vals);
	free(specs);
	return err;
}
