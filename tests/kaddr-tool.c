/* kaddr-tool: answer questions about a dump's kernel for the corruption
 * tests, which patch a copy of a real dump at a structure's address.
 *   kaddr-tool DUMP sym NAME            the symbol's address
 *   kaddr-tool DUMP read64 VADDR        the 8 bytes at VADDR
 *   kaddr-tool DUMP phys VADDR          VADDR's physical address
 *   kaddr-tool DUMP walk VADDR          the same by the page-table walk
 *                                       alone (no linear-map or image shortcut)
 *   kaddr-tool DUMP offsetof T.MEMBER   the member's offset (decimal)
 *   kaddr-tool DUMP sizeof TYPE         the type's size (decimal)
 *   kaddr-tool DUMP btf FILE            write the dump's own BTF
 *                                       (__start_BTF..__stop_BTF) to FILE
 *   kaddr-tool DUMP batch -             questions from stdin, one "CMD ARG"
 *                                       a line; one answer a line, "?" for
 *                                       one not known (the dump opened once)
 * Addresses are printed as 0x hex; exit 1 if the answer is not known.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/kernel.h"

static int fail(struct mw_error *err)
{
	char *s = mw_error_string(err);
	fprintf(stderr, "kaddr-tool: %s\n", s ? s : err->message);
	free(s);
	mw_error_destroy(err);
	return 1;
}

static struct mw_error *answer(struct mw_kernel *k, const char *cmd, const char *arg)
{
	uint64_t v;
	struct mw_error *err;
	if (strcmp(cmd, "sym") == 0) {
		if ((err = mw_kernel_symbol(k, arg, &v)))
			return err;
	} else if (strcmp(cmd, "read64") == 0) {
		if ((err = mw_kernel_read(k, strtoull(arg, NULL, 0), &v, sizeof(v))))
			return err;
	} else if (strcmp(cmd, "phys") == 0) {
		uint64_t left;
		if ((err = mw_vm_translate(&k->vm, strtoull(arg, NULL, 0), &v, &left)))
			return err;
	} else if (strcmp(cmd, "walk") == 0) {
		uint64_t left;
		if ((err = mw_vm_walk(&k->vm, strtoull(arg, NULL, 0), &v, &left)))
			return err;
	} else if (strcmp(cmd, "offsetof") == 0 || strcmp(cmd, "sizeof") == 0) {
		err = cmd[0] == 'o' ? mw_types_offsetof(k->types, arg, &v) :
				      mw_types_sizeof(k->types, arg, &v);
		if (err)
			return err;
		printf("%" PRIu64 "\n", v);
		return NULL;
	} else if (strcmp(cmd, "btf") == 0) {
		uint64_t start, stop;
		if ((err = mw_kernel_symbol(k, "__start_BTF", &start)) ||
		    (err = mw_kernel_symbol(k, "__stop_BTF", &stop)))
			return err;
		if (stop <= start || stop - start > (256u << 20))
			return mw_error_create(MW_ERR_BAD_DATA, "BTF of %" PRIu64 " bytes", stop - start);
		uint8_t *buf = malloc(stop - start);
		if (!buf)
			return &mw_error_nomem;
		FILE *f = NULL;
		if (!(err = mw_kernel_read(k, start, buf, stop - start)) &&
		    (!(f = fopen(arg, "wb")) || fwrite(buf, 1, stop - start, f) != stop - start))
			err = mw_error_create(MW_ERR_IO, "%s: cannot write", arg);
		if (f)
			fclose(f);
		free(buf);
		return err;
	} else {
		return mw_error_create(MW_ERR_USAGE, "unknown question %s", cmd);
	}
	printf("0x%" PRIx64 "\n", v);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: kaddr-tool DUMP sym|read64|phys|walk|offsetof|sizeof ARG\n");
		return 2;
	}
	struct mw_reader *r;
	struct mw_kernel *k;
	struct mw_warnings w;
	mw_warnings_init(&w);
	struct mw_error *err = mw_reader_open(argv[1], &r);
	if (err)
		return fail(err);
	struct mw_kernel_options ko = { 0 };
	if ((err = mw_kernel_open(r, argv[1], &ko, &w, &k))) {
		mw_reader_destroy(r);
		return fail(err);
	}
	if (strcmp(argv[2], "batch") == 0) {
		char line[512], cmd[64], arg[400];
		while (fgets(line, sizeof(line), stdin)) {
			struct mw_error *e;
			if (sscanf(line, "%63s %399s", cmd, arg) != 2 || strcmp(cmd, "btf") == 0)
				printf("?\n");
			else if ((e = answer(k, cmd, arg))) {
				mw_error_destroy(e);
				printf("?\n");
			}
			fflush(stdout);
		}
		err = NULL;
	} else {
		err = answer(k, argv[2], argv[3]);
	}
	mw_kernel_destroy(k);
	mw_reader_destroy(r);
	mw_warnings_deinit(&w);
	return err ? fail(err) : 0;
}
