/* mw-exclude: which page frames a test-data dump can leave out.
 *
 *   mw-exclude DUMP > ranges.txt
 *   mw-convert --exclude-pfns-file ranges.txt --exclude-zero DUMP OUT
 *
 * Prints inclusive PFN ranges "A-B", one per line, of memory no analysis
 * reads: the kernel's text (_stext.._etext, found through the dump's own
 * kallsyms). Page cache, user and free page contents follow once the page
 * walker classifies pages (as makedumpfile -d 31 does).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "analyzer/kernel.h"

static int fail(struct mw_error *err)
{
	char *s = mw_error_string(err);
	fprintf(stderr, "mw-exclude: %s\n", s ? s : err->message);
	return 2;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: mw-exclude DUMP\n");
		return 2;
	}
	struct mw_reader *r;
	struct mw_error *err = mw_reader_open(argv[1], &r);
	if (err)
		return fail(err);
	struct mw_warnings w;
	mw_warnings_init(&w);
	struct mw_kernel *k;
	struct mw_kernel_options opt = { 0 };
	if ((err = mw_kernel_open(r, argv[1], &opt, &w, &k)))
		return fail(err);
	uint64_t stext, etext, ps, pe, left;
	if ((err = mw_kernel_symbol(k, "_stext", &stext)) ||
	    (err = mw_kernel_symbol(k, "_etext", &etext)) ||
	    (err = mw_vm_translate(&k->vm, stext, &ps, &left)) ||
	    (err = mw_vm_translate(&k->vm, etext, &pe, &left)))
		return fail(err);
	/* whole pages inside the text only */
	uint64_t first = (ps + 4095) / 4096, last = pe / 4096;
	if (last > first)
		printf("%" PRIu64 "-%" PRIu64 "\n", first, last - 1);
	fprintf(stderr, "mw-exclude: kernel text: %" PRIu64 " pages\n",
		last > first ? last - first : 0);
	mw_kernel_destroy(k);
	mw_warnings_deinit(&w);
	mw_reader_destroy(r);
	return 0;
}
