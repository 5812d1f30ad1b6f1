/* types-probe: resolve member paths, sizes, enum values and symbols with
 * memwhere's type layer, one answer a line, for the shell tests and
 * scripts/bench-types.
 *
 *   types-probe --btf FILE | --btf-buf FILE | --vmlinux FILE
 *               [--release R] [--list FILE] [--time] [ITEM...]
 *   types-probe --symbols-elf FILE | --system-map FILE [--relocate DELTA]
 *               [--sym NAME]... [--addr ADDR]...
 *
 * ITEM: "type.member.path" -> "ITEM offset size bit_offset bit_size"
 *       "sizeof:TYPE"       -> "ITEM size"
 *       "enum:ENUM.NAME"    -> "ITEM value" ("enum:NAME" for any enum)
 *       missing             -> "ITEM MISSING <message>"
 * --btf-buf reads the file into memory and opens it as a dump's BTF blob.
 * Exit 0 if every item resolved, 1 if some are missing, 2 on other errors.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "btf/symbols.h"
#include "btf/types.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int fail(struct mw_error *err)
{
	char *s = mw_error_string(err);
	fprintf(stderr, "types-probe: %s\n", s ? s : err->message);
	free(s);
	mw_error_destroy(err);
	return 2;
}

/* 0 resolved, 1 missing, 2 other error */
static int probe(struct mw_types *t, const char *item)
{
	struct mw_error *err;
	if (strncmp(item, "sizeof:", 7) == 0) {
		uint64_t size;
		if (!(err = mw_types_sizeof(t, item + 7, &size))) {
			printf("%s %" PRIu64 "\n", item, size);
			return 0;
		}
	} else if (strncmp(item, "enum:", 5) == 0) {
		const char *spec = item + 5;
		const char *dot = strrchr(spec, '.');
		int64_t value;
		if (dot) {
			char *name = strndup(spec, (size_t)(dot - spec));
			err = mw_types_enum_value(t, name, dot + 1, &value);
			free(name);
		} else {
			err = mw_types_enum_value(t, NULL, spec, &value);
		}
		if (!err) {
			printf("%s %" PRId64 "\n", item, value);
			return 0;
		}
	} else {
		struct mw_member m;
		if (!(err = mw_types_member(t, item, &m))) {
			printf("%s %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu32 "\n",
			       item, m.offset, m.size, m.bit_offset, m.bit_size);
			return 0;
		}
	}
	int rc = err->code == MW_ERR_NOT_FOUND ? 1 : 2;
	printf("%s MISSING %s\n", item, err->message);
	mw_error_destroy(err);
	return rc;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (n < cap)
			break;
		char *nb = realloc(buf, cap *= 2);
		if (!nb) {
			free(buf);
			buf = NULL;
		}
		buf = nb;
	}
	fclose(f);
	*len = n;
	return buf;
}

static int symbols_main(int argc, char **argv)
{
	struct mw_symbols *s = NULL;
	struct mw_error *err = NULL;
	int rc = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v) {
			fprintf(stderr, "types-probe: %s needs a value\n", a);
			return 2;
		}
		i++;
		if (strcmp(a, "--symbols-elf") == 0) {
			err = mw_symbols_open_elf(v, &s);
		} else if (strcmp(a, "--system-map") == 0) {
			err = mw_symbols_open_system_map(v, &s);
		} else if (!s) {
			fprintf(stderr, "types-probe: give --symbols-elf or --system-map first\n");
			return 2;
		} else if (strcmp(a, "--relocate") == 0) {
			err = mw_symbols_relocate(s, (int64_t)strtoull(v, NULL, 0));
		} else if (strcmp(a, "--sym") == 0) {
			const struct mw_symbol *sym = mw_symbols_find(s, v);
			if (sym) {
				printf("sym %s 0x%" PRIx64 " %c\n", v, sym->address, sym->type);
			} else {
				printf("sym %s MISSING\n", v);
				rc = 1;
			}
		} else if (strcmp(a, "--addr") == 0) {
			uint64_t addr = strtoull(v, NULL, 0), off;
			const struct mw_symbol *sym = mw_symbols_lookup_addr(s, addr, &off);
			if (sym) {
				printf("addr %s %s+0x%" PRIx64 "\n", v, sym->name, off);
			} else {
				printf("addr %s MISSING\n", v);
				rc = 1;
			}
		} else {
			fprintf(stderr, "types-probe: unknown option %s\n", a);
			return 2;
		}
		if (err) {
			mw_symbols_destroy(s);
			return fail(err);
		}
	}
	if (s)
		printf("count %zu\n", mw_symbols_count(s));
	mw_symbols_destroy(s);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "--symbols-elf") == 0 ||
			 strcmp(argv[1], "--system-map") == 0))
		return symbols_main(argc, argv);

	const char *btf = NULL, *btf_buf = NULL, *vmlinux = NULL, *list = NULL, *release = NULL;
	bool timing = false;
	int first_item = argc;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **slot = NULL;
		if (strcmp(a, "--btf") == 0)
			slot = &btf;
		else if (strcmp(a, "--btf-buf") == 0)
			slot = &btf_buf;
		else if (strcmp(a, "--vmlinux") == 0)
			slot = &vmlinux;
		else if (strcmp(a, "--list") == 0)
			slot = &list;
		else if (strcmp(a, "--release") == 0)
			slot = &release;
		else if (strcmp(a, "--time") == 0) {
			timing = true;
			continue;
		} else {
			first_item = i;
			break;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "types-probe: %s needs a value\n", a);
			return 2;
		}
		*slot = argv[++i];
	}

	double t0 = now();
	struct mw_types *t;
	struct mw_error *err;
	if (btf) {
		err = mw_types_open_btf_file(btf, &t);
	} else if (btf_buf) {
		size_t len;
		char *buf = read_file(btf_buf, &len);
		if (!buf) {
			perror(btf_buf);
			return 2;
		}
		err = mw_types_open_btf_buf(buf, len, btf_buf, &t);
		free(buf);
	} else if (vmlinux) {
		err = mw_types_open_dwarf(vmlinux, &t);
	} else {
		fprintf(stderr, "usage: types-probe --btf FILE | --btf-buf FILE | --vmlinux FILE [ITEM...]\n");
		return 2;
	}
	if (err)
		return fail(err);
	if (release && (err = mw_types_set_release(t, release)))
		return fail(err);
	double t1 = now();

	int rc = 0;
	size_t n = 0, missing = 0;
	if (list) {
		size_t len;
		char *buf = read_file(list, &len);
		if (!buf) {
			perror(list);
			mw_types_destroy(t);
			return 2;
		}
		char *save, *line = strtok_r(buf, "\n", &save);
		for (; line && (size_t)(line - buf) < len; line = strtok_r(NULL, "\n", &save)) {
			line += strspn(line, " \t");
			if (!*line || *line == '#')
				continue;
			line[strcspn(line, "#")] = 0;
			size_t l = strlen(line);
			while (l && (line[l - 1] == ' ' || line[l - 1] == '\t' || line[l - 1] == '\r'))
				line[--l] = 0;
			int r = probe(t, line);
			n++;
			missing += r == 1;
			if (r > rc)
				rc = r;
		}
		free(buf);
	}
	for (int i = first_item; i < argc; i++) {
		int r = probe(t, argv[i]);
		n++;
		missing += r == 1;
		if (r > rc)
			rc = r;
	}
	double t2 = now();
	if (timing)
		fprintf(stderr, "types-probe: %s: open %.3f s, %zu items %.3f s (%zu missing), release %s\n",
			mw_types_description(t), t1 - t0, n, t2 - t1, missing,
			mw_types_release(t) ? mw_types_release(t) : "unknown");
	mw_types_destroy(t);
	return rc;
}
