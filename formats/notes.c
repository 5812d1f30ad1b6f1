#include "config.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "formats/format.h"

enum { MAX_NOTES = 65536, VMCOREINFO_MAX = 1 << 20 };

static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

struct mw_error *mw_notes_parse(struct mw_reader *r, uint8_t *buf, size_t len,
				uint64_t file_offset)
{
	struct mw_dump_info *info = &r->info;
	/* Several note segments: keep the older buffers alive too. */
	if (r->notes_buf) {
		/* Only one notes buffer is supported; callers concatenate. */
		free(buf);
		return mw_error_create(MW_ERR_UNSUPPORTED,
				       "notes parsed twice");
	}
	r->notes_buf = buf;
	size_t off = 0;
	while (off + sizeof(Elf64_Nhdr) <= len) {
		Elf64_Nhdr nh;
		memcpy(&nh, buf + off, sizeof(nh));
		size_t name_off = off + sizeof(nh);
		if (nh.n_namesz > len - name_off)
			return mw_error_at_offset(MW_ERR_FORMAT, file_offset + off,
						  "ELF note name runs past the notes");
		size_t desc_off = name_off + align4(nh.n_namesz);
		if (desc_off > len || nh.n_descsz > len - desc_off)
			return mw_error_at_offset(MW_ERR_FORMAT, file_offset + off,
						  "ELF note descriptor runs past the notes");
		if (info->nr_notes >= MAX_NOTES)
			return mw_error_at_offset(MW_ERR_LIMIT, file_offset + off,
						  "more than %d ELF notes", MAX_NOTES);
		/* an all-zero header ends the notes (padding) */
		if (nh.n_namesz == 0 && nh.n_descsz == 0 && nh.n_type == 0)
			break;
		if ((info->nr_notes & (info->nr_notes + 1)) == 0 || info->nr_notes == 0) {
			size_t cap = info->nr_notes ? (info->nr_notes + 1) * 2 : 16;
			struct mw_note *nn = realloc(info->notes, cap * sizeof(*nn));
			if (!nn)
				return &mw_error_nomem;
			info->notes = nn;
		}
		struct mw_note *note = &info->notes[info->nr_notes++];
		memset(note, 0, sizeof(*note));
		note->type = nh.n_type;
		size_t nlen = nh.n_namesz;
		if (nlen && buf[name_off + nlen - 1] == '\0')
			nlen--;
		if (nlen >= sizeof(note->name))
			nlen = sizeof(note->name) - 1;
		memcpy(note->name, buf + name_off, nlen);
		note->desc = buf + desc_off;
		note->descsz = nh.n_descsz;

		if (strcmp(note->name, "CORE") == 0 && note->type == NT_PRSTATUS)
			info->nr_cpus++;
		if (strcmp(note->name, "VMCOREINFO") == 0 && !info->vmcoreinfo &&
		    note->descsz <= VMCOREINFO_MAX) {
			info->vmcoreinfo = malloc(note->descsz + 1);
			if (!info->vmcoreinfo)
				return &mw_error_nomem;
			memcpy(info->vmcoreinfo, note->desc, note->descsz);
			info->vmcoreinfo[note->descsz] = '\0';
			/* stop at an embedded NUL */
			info->vmcoreinfo_len = strlen(info->vmcoreinfo);
		}
		off = desc_off + align4(nh.n_descsz);
	}
	return NULL;
}
