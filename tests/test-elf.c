/* The ELF core and kcore readers on small synthetic ELF cores built here:
 * layouts of QEMU (with and without paging), kexec /proc/vmcore and kcore,
 * and broken files. Expected values come from how each file is built
 * (the ELF specification's meaning of each field), never from memwhere.
 * Corrupt files must give an error naming the file offset, and the command
 * line must exit 2 with one line naming the file and the offset.
 */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "formats/reader.h"
#include "tests/tap.h"

static char tmpdir[] = "/tmp/mw-test-elf-XXXXXX";

/* The byte at address a of memory "salt" (physical memory: salt 0). */
static uint8_t pat(uint64_t a, unsigned salt)
{
	return (uint8_t)((a >> 12) * 29 + (a & 0xfff) * 7 + 3 + salt * 101);
}

/* ---- building ELF cores ---- */

struct tseg {
	uint32_t type;
	uint64_t vaddr, paddr, filesz, memsz;
	uint64_t offset;	/* used if fixed_offset */
	bool fixed_offset;
	unsigned salt;		/* content: pat(paddr + i, salt) */
	const uint8_t *bytes;	/* or these bytes (PT_NOTE) */
	bool no_data;		/* write nothing at the offset */
};

struct tcore {
	uint8_t class, data;
	uint16_t type, machine, phentsize;
	bool xnum;		/* e_phnum = PN_XNUM, count in section 0 */
	bool xnum_no_shdr;	/* ... but no section header */
	uint32_t xnum_count;	/* sh_info to write (0: the real count) */
	uint32_t phnum_override;	/* e_phnum to write if nonzero */
	struct tseg *segs;
	size_t n;
	uint64_t truncate_at;	/* cut the file here (0: don't) */
	uint64_t data_start;	/* first data offset (0: right after notes) */
};

static uint64_t phoff_of(void)
{
	return sizeof(Elf64_Ehdr);
}

static char *path_for(const char *name)
{
	char *p;
	if (asprintf(&p, "%s/%s", tmpdir, name) < 0)
		abort();
	return p;
}

static void pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;
	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);
		if (n <= 0) {
			perror("pwrite");
			abort();
		}
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
}

/* Write the core; fills in the offsets of segments without fixed ones. */
static char *build(const char *name, struct tcore *c)
{
	char *path = path_for(name);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		abort();
	uint64_t off = phoff_of() + c->n * sizeof(Elf64_Phdr);
	if (c->data_start)
		off = c->data_start;
	for (size_t i = 0; i < c->n; i++) {
		struct tseg *s = &c->segs[i];
		if (!s->fixed_offset) {
			s->offset = off;
			off += s->filesz;
		}
	}
	uint64_t end = 0;
	for (size_t i = 0; i < c->n; i++) {
		struct tseg *s = &c->segs[i];
		if (s->no_data || (s->fixed_offset && s->offset == UINT64_MAX))
			continue;
		uint8_t *buf = malloc(s->filesz ? s->filesz : 1);
		for (uint64_t k = 0; k < s->filesz; k++)
			buf[k] = s->bytes ? s->bytes[k] :
				pat((s->paddr == UINT64_MAX ? 0 : s->paddr) + k, s->salt);
		pwrite_all(fd, buf, s->filesz, s->offset);
		free(buf);
		if (s->offset + s->filesz > end)
			end = s->offset + s->filesz;
	}
	Elf64_Ehdr eh = { 0 };
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = c->class ? c->class : ELFCLASS64;
	eh.e_ident[EI_DATA] = c->data ? c->data : ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = c->type ? c->type : ET_CORE;
	eh.e_machine = c->machine ? c->machine : EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = phoff_of();
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = c->phentsize ? c->phentsize : sizeof(Elf64_Phdr);
	eh.e_phnum = c->n >= PN_XNUM || c->xnum ? PN_XNUM : (uint16_t)c->n;
	if (c->phnum_override)
		eh.e_phnum = (uint16_t)c->phnum_override;
	if (eh.e_phnum == PN_XNUM && !c->xnum_no_shdr) {
		Elf64_Shdr sh = { 0 };
		sh.sh_info = c->xnum_count ? c->xnum_count : (uint32_t)c->n;
		uint64_t shoff = (end + 7) & ~7ULL;
		if (shoff < off)
			shoff = (off + 7) & ~7ULL;
		pwrite_all(fd, &sh, sizeof(sh), shoff);
		eh.e_shoff = shoff;
		eh.e_shentsize = sizeof(sh);
		eh.e_shnum = 0;
	}
	pwrite_all(fd, &eh, sizeof(eh), 0);
	for (size_t i = 0; i < c->n; i++) {
		struct tseg *s = &c->segs[i];
		Elf64_Phdr ph = {
			.p_type = s->type, .p_offset = s->offset,
			.p_vaddr = s->vaddr, .p_paddr = s->paddr,
			.p_filesz = s->filesz, .p_memsz = s->memsz,
		};
		pwrite_all(fd, &ph, sizeof(ph), phoff_of() + i * sizeof(ph));
	}
	if (c->truncate_at && ftruncate(fd, (off_t)c->truncate_at) < 0)
		abort();
	close(fd);
	return path;
}

/* Append one ELF note to buf at *len (4-byte aligned fields). */
static void note_add(uint8_t *buf, size_t *len, const char *name,
		     uint32_t type, const void *desc, uint32_t descsz)
{
	Elf64_Nhdr nh = {
		.n_namesz = (uint32_t)strlen(name) + 1,
		.n_descsz = descsz, .n_type = type,
	};
	memcpy(buf + *len, &nh, sizeof(nh));
	*len += sizeof(nh);
	memset(buf + *len, 0, (nh.n_namesz + 3) & ~3u);
	memcpy(buf + *len, name, nh.n_namesz);
	*len += (nh.n_namesz + 3) & ~3u;
	memset(buf + *len, 0, (descsz + 3) & ~3u);
	if (desc)
		memcpy(buf + *len, desc, descsz);
	*len += (descsz + 3) & ~3u;
}

static const char vmcoreinfo[] = "OSRELEASE=6.1.0-test-amd64\nPAGESIZE=4096\nKERNELOFFSET=1a000000\n";

/* CORE PRSTATUS x nr_cpus, VMCOREINFO, optionally a QEMU note per CPU. */
static size_t std_notes(uint8_t *buf, unsigned nr_cpus, bool qemu)
{
	size_t len = 0;
	uint8_t prstatus[336] = { 0 };
	for (unsigned i = 0; i < nr_cpus; i++)
		note_add(buf, &len, "CORE", NT_PRSTATUS, prstatus, sizeof(prstatus));
	if (qemu)
		for (unsigned i = 0; i < nr_cpus; i++)
			note_add(buf, &len, "QEMU", 0, prstatus, 64);
	note_add(buf, &len, "VMCOREINFO", 0, vmcoreinfo, sizeof(vmcoreinfo) - 1);
	return len;
}

/* ---- checks ---- */

static struct mw_reader *open_ok(const char *path, const char *what)
{
	struct mw_reader *r = NULL;
	struct mw_error *err = mw_reader_open(path, &r);
	if (err) {
		char *s = mw_error_string(err);
		tap_ok(0, "%s: opens (%s)", what, s);
		free(s);
		mw_error_destroy(err);
		return NULL;
	}
	tap_ok(1, "%s: opens", what);
	return r;
}

/* Read [a, a+len) and compare with pat(a + i, salt). Checks the buffer's
 * guard bytes too (no copy past len). */
static bool read_matches(struct mw_reader *r, bool virt, uint64_t a,
			 size_t len, unsigned salt, uint64_t pat_base)
{
	uint8_t *buf = malloc(len + 64);
	memset(buf, 0xee, len + 64);
	struct mw_error *err = virt ? mw_reader_read_segment(r, a, buf, len) :
		mw_reader_read_phys(r, a, buf, len);
	bool ok = !err;
	if (err) {
		char *s = mw_error_string(err);
		tap_diag("read 0x%" PRIx64 "+%zu: %s", a, len, s);
		free(s);
		mw_error_destroy(err);
	}
	for (size_t i = 0; ok && i < len; i++)
		if (buf[i] != pat(pat_base + i, salt)) {
			tap_diag("byte 0x%" PRIx64 ": got %02x want %02x", a + i,
				 buf[i], pat(pat_base + i, salt));
			ok = false;
		}
	for (size_t i = len; ok && i < len + 64; i++)
		if (buf[i] != 0xee) {
			tap_diag("wrote past the %zu bytes asked", len);
			ok = false;
		}
	free(buf);
	return ok;
}

/* A read that must fail with code at address at. */
static bool read_fails(struct mw_reader *r, bool virt, uint64_t a, size_t len,
		       enum mw_error_code code, uint64_t at)
{
	uint8_t *buf = malloc(len);
	struct mw_error *err = virt ? mw_reader_read_segment(r, a, buf, len) :
		mw_reader_read_phys(r, a, buf, len);
	free(buf);
	if (!err) {
		tap_diag("read 0x%" PRIx64 "+%zu succeeded", a, len);
		return false;
	}
	bool ok = err->code == code && err->where == MW_WHERE_ADDRESS &&
		err->address == at;
	if (!ok)
		tap_diag("got %s at 0x%" PRIx64 " (%s), want %s at 0x%" PRIx64,
			 mw_error_code_name(err->code), err->address, err->message,
			 mw_error_code_name(code), at);
	mw_error_destroy(err);
	return ok;
}

static bool ranges_are(const struct mw_dump_info *info,
		       const struct mw_phys_range *want, size_t n)
{
	bool ok = info->nr_ranges == n;
	uint64_t total = 0;
	for (size_t i = 0; i < n; i++) {
		total += want[i].end - want[i].start;
		if (ok && (info->ranges[i].start != want[i].start ||
			   info->ranges[i].end != want[i].end))
			ok = false;
	}
	if (!ok) {
		for (size_t i = 0; i < info->nr_ranges; i++)
			tap_diag("range 0x%" PRIx64 "-0x%" PRIx64,
				 info->ranges[i].start, info->ranges[i].end);
	}
	return ok && info->total_bytes == total;
}

/*
 * The file must be refused: the library's error says MW_WHERE_OFFSET at
 * offset (if offset != UINT64_MAX) and the command line exits 2 with one
 * line on stderr naming the file and "file offset N".
 */
static void refused(const char *path, const char *what,
		    enum mw_error_code code, uint64_t offset, const char *words)
{
	struct mw_reader *r = NULL;
	struct mw_error *err = mw_reader_open(path, &r);
	if (!err) {
		tap_ok(0, "%s: refused", what);
		mw_reader_destroy(r);
		return;
	}
	char *s = mw_error_string(err);
	bool ok = err->code == code &&
		(offset == UINT64_MAX ||
		 (err->where == MW_WHERE_OFFSET && err->address == offset)) &&
		(!words || strstr(s, words));
	tap_ok(ok, "%s: refused with %s%s%s", what, mw_error_code_name(code),
	       words ? ", saying " : "", words ? words : "");
	if (!ok)
		tap_diag("got %s: %s", mw_error_code_name(err->code), s);
	free(s);
	mw_error_destroy(err);

	const char *mw = getenv("MEMWHERE");
	if (!mw)
		return;
	char *cmd;
	if (asprintf(&cmd, "'%s' info '%s' 2>&1 >/dev/null", mw, path) < 0)
		abort();
	FILE *f = popen(cmd, "r");
	char line[4096] = "", extra[4096];
	size_t lines = 0;
	if (f) {
		if (fgets(line, sizeof(line), f))
			lines++;
		while (fgets(extra, sizeof(extra), f))
			lines++;
	}
	int st = f ? pclose(f) : -1;
	free(cmd);
	char want_off[64] = "";
	if (offset != UINT64_MAX)
		snprintf(want_off, sizeof(want_off), "file offset %" PRIu64, offset);
	ok = WIFEXITED(st) && WEXITSTATUS(st) == 2 && lines == 1 &&
		strstr(line, path) && strstr(line, want_off);
	tap_ok(ok, "%s: memwhere info exits 2 with one line naming the file%s",
	       what, offset != UINT64_MAX ? " and offset" : "");
	if (!ok)
		tap_diag("exit %d, %zu lines: %s", WIFEXITED(st) ? WEXITSTATUS(st) : -1,
			 lines, line);
}

/* memwhere --json info on path exits 1 with a warning containing words. */
static void cli_warns(const char *path, const char *words, const char *what)
{
	const char *mw = getenv("MEMWHERE");
	if (!mw) {
		tap_skip("MEMWHERE not set");
		return;
	}
	char *cmd;
	if (asprintf(&cmd, "'%s' info '%s' 2>/dev/null", mw, path) < 0)
		abort();
	FILE *f = popen(cmd, "r");
	/* the whole text, a wrapped warning's line breaks (and the indent
	 * after them) read as one space */
	char text[65536];
	size_t n = 0;
	int c;
	bool brk = false;
	while (f && (c = fgetc(f)) != EOF && n + 1 < sizeof(text)) {
		if (c == '\n') {
			brk = true;
			continue;
		}
		if (brk && c == ' ')
			continue;
		if (brk)
			text[n++] = ' ';
		brk = false;
		if (n + 1 < sizeof(text))
			text[n++] = (char)c;
	}
	text[n] = '\0';
	bool found = strstr(text, words) != NULL;
	int st = f ? pclose(f) : -1;
	free(cmd);
	tap_ok(found && WIFEXITED(st) && WEXITSTATUS(st) == 1,
	       "%s: memwhere info warns '%s...' and exits 1", what, words);
}

/* ---- the cases ---- */

enum { MiB = 1 << 20, PG = 4096 };
#define DIRECT 0xffff888000000000ULL
#define KTEXT 0xffffffff81000000ULL

/* QEMU without paging: p_vaddr 0 (or = p_paddr), holes between blocks. */
static void test_qemu_physical(void)
{
	uint8_t notes[4096];
	size_t nlen = std_notes(notes, 2, true);
	struct tseg segs[] = {
		{ .type = PT_NOTE, .filesz = nlen, .memsz = nlen, .bytes = notes },
		{ .type = PT_LOAD, .paddr = 0, .filesz = 0xa0000, .memsz = 0xa0000 },
		/* physically contiguous with the next one, but before it in the file */
		{ .type = PT_LOAD, .paddr = 0x400000, .filesz = 0x100000, .memsz = 0x100000 },
		{ .type = PT_LOAD, .vaddr = 0xc0000, .paddr = 0xc0000, .filesz = 0x340000, .memsz = 0x340000 },
		{ .type = PT_LOAD, .paddr = 0xfd000000, .filesz = 0x2000, .memsz = 0x2000 },
	};
	struct tcore c = { .segs = segs, .n = 5 };
	char *path = build("qemu.elf", &c);
	struct mw_reader *r = open_ok(path, "QEMU physical");
	if (!r)
		return;
	const struct mw_dump_info *info = mw_reader_info(r);
	const struct mw_phys_range want[] = {
		{ 0, 0xa0000 }, { 0xc0000, 0x500000 }, { 0xfd000000, 0xfd002000 },
	};
	tap_ok(info->format == MW_FORMAT_ELF, "QEMU physical: format elf");
	tap_ok(ranges_are(info, want, 3), "QEMU physical: ranges are the PT_LOADs, merged where contiguous");
	tap_ok(info->nr_cpus == 2, "QEMU physical: 2 CPUs from PRSTATUS notes");
	size_t vl;
	const char *rel = mw_vmcoreinfo_get(info, "OSRELEASE", &vl);
	tap_ok(rel && vl == 16 && memcmp(rel, "6.1.0-test-amd64", 16) == 0,
	       "QEMU physical: VMCOREINFO OSRELEASE");
	tap_ok(info->excluded_pages == 0 && !info->incomplete &&
	       info->compression == MW_COMP_NONE && info->page_size == 4096 &&
	       strcmp(info->utsname_machine, "x86_64") == 0,
	       "QEMU physical: no exclusions, no compression, 4 KiB pages, x86_64");
	tap_ok(info->nr_segments == 0, "QEMU physical: no virtual segments");
	tap_ok(read_matches(r, false, 0, 0xa0000, 0, 0), "QEMU physical: first block reads back");
	tap_ok(read_matches(r, false, 0x3ff000 + 123, 2 * PG, 0, 0x3ff000 + 123),
	       "QEMU physical: read across two segments contiguous in memory");
	tap_ok(read_matches(r, false, 0xc0000, 0x440000, 0, 0xc0000),
	       "QEMU physical: one large read over two segments");
	tap_ok(read_fails(r, false, 0x9f000, 0x2000, MW_ERR_HOLE, 0xa0000),
	       "QEMU physical: read into the hole fails at the hole's first address");
	tap_ok(read_fails(r, false, 0xa0000, 1, MW_ERR_HOLE, 0xa0000),
	       "QEMU physical: read in a hole is MW_ERR_HOLE");
	tap_ok(read_fails(r, false, 0xfd001000, 0x1001, MW_ERR_HOLE, 0xfd002000),
	       "QEMU physical: read past the last range");
	tap_ok(mw_reader_page_state(r, 0x9f) == MW_PAGE_PRESENT &&
	       mw_reader_page_state(r, 0xa0) == MW_PAGE_HOLE &&
	       mw_reader_page_state(r, 0xfd001) == MW_PAGE_PRESENT &&
	       mw_reader_page_state(r, UINT64_MAX) == MW_PAGE_HOLE,
	       "QEMU physical: page states");
	tap_ok(read_fails(r, true, 0xc0000, 8, MW_ERR_NOT_MAPPED, 0xc0000),
	       "QEMU physical: read_segment says not mapped");
	mw_reader_destroy(r);
	free(path);
}

/* kexec /proc/vmcore: kernel text mapped twice; a filtered tail as
 * makedumpfile -E writes it. */
static void test_kexec(void)
{
	uint8_t notes[4096];
	size_t nlen = std_notes(notes, 4, false);
	struct tseg segs[] = {
		{ .type = PT_NOTE, .filesz = nlen, .memsz = nlen, .bytes = notes },
		/* kernel text: other bytes than the RAM copy, so we see who wins */
		{ .type = PT_LOAD, .vaddr = KTEXT, .paddr = 0x1000000, .filesz = 0x200000, .memsz = 0x200000, .salt = 1 },
		{ .type = PT_LOAD, .vaddr = DIRECT + 0x1000, .paddr = 0x1000, .filesz = 0x9ec00, .memsz = 0x9ec00 },
		{ .type = PT_LOAD, .vaddr = DIRECT + 0x100000, .paddr = 0x100000, .filesz = 0x3f00000, .memsz = 0x3f00000 },
		/* makedumpfile -E style: filtered tail of 3 pages */
		{ .type = PT_LOAD, .vaddr = DIRECT + 0x8000000, .paddr = 0x8000000, .filesz = 0x1000, .memsz = 0x4000 },
	};
	struct tcore c = { .segs = segs, .n = 5 };
	char *path = build("kexec.elf", &c);
	struct mw_reader *r = open_ok(path, "kexec vmcore");
	if (!r)
		return;
	const struct mw_dump_info *info = mw_reader_info(r);
	const struct mw_phys_range want[] = {
		{ 0x1000, 0x9fc00 }, { 0x100000, 0x4000000 }, { 0x8000000, 0x8004000 },
	};
	tap_ok(info->format == MW_FORMAT_ELF, "kexec vmcore: format elf, not kcore");
	tap_ok(ranges_are(info, want, 3), "kexec vmcore: ranges (text inside RAM, byte-exact ends)");
	tap_ok(info->nr_cpus == 4, "kexec vmcore: 4 CPUs");
	tap_ok(info->nr_segments == 4 && info->segments[0].vaddr == DIRECT + 0x1000 &&
	       info->segments[3].vaddr == KTEXT && info->segments[3].paddr == 0x1000000 &&
	       info->segments[3].size == 0x200000,
	       "kexec vmcore: 4 virtual segments, sorted, with physical addresses");
	tap_ok(read_matches(r, false, 0xfff000, 0x202000, 0, 0xfff000),
	       "kexec vmcore: physical reads over the text come from the RAM segment");
	tap_ok(read_matches(r, true, KTEXT + 0x800, 0x1000, 1, 0x1000800),
	       "kexec vmcore: virtual reads of the text come from the text segment");
	tap_ok(read_matches(r, true, DIRECT + 0x200000, 0x3000, 0, 0x200000),
	       "kexec vmcore: virtual reads in the direct map");
	tap_ok(read_fails(r, true, KTEXT + 0x1ff000, 0x2000, MW_ERR_NOT_MAPPED, KTEXT + 0x200000),
	       "kexec vmcore: virtual read past the text fails where it ends");
	tap_ok(read_matches(r, false, 0x9f000, 0xc00, 0, 0x9f000) &&
	       read_fails(r, false, 0x9f000, 0xc01, MW_ERR_HOLE, 0x9fc00),
	       "kexec vmcore: a range ending mid-page");
	tap_ok(mw_reader_page_state(r, 0x9f) == MW_PAGE_HOLE &&
	       mw_reader_page_state(r, 0x9e) == MW_PAGE_PRESENT &&
	       mw_reader_page_state(r, 0x0) == MW_PAGE_HOLE &&
	       mw_reader_page_state(r, 0x1) == MW_PAGE_PRESENT,
	       "kexec vmcore: a page only partly in a range is a hole, whole pages are present");
	tap_ok(read_matches(r, false, 0x8000000, 0x1000, 0, 0x8000000) &&
	       read_fails(r, false, 0x8000ff0, 0x20, MW_ERR_NOT_IN_DUMP, 0x8001000),
	       "kexec vmcore: p_filesz < p_memsz tail is not in the dump (makedumpfile -E filtering)");
	tap_ok(mw_reader_page_state(r, 0x8000) == MW_PAGE_PRESENT &&
	       mw_reader_page_state(r, 0x8001) == MW_PAGE_EXCLUDED &&
	       mw_reader_page_state(r, 0x8003) == MW_PAGE_EXCLUDED &&
	       mw_reader_page_state(r, 0x8004) == MW_PAGE_HOLE,
	       "kexec vmcore: tail pages are excluded");
	tap_ok(info->excluded_pages == 3 && !info->incomplete,
	       "kexec vmcore: 3 excluded pages (%" PRIu64 "), not incomplete",
	       info->excluded_pages);
	mw_reader_destroy(r);
	free(path);
}

/* QEMU paging: one physical page at several virtual addresses, the same
 * file bytes; MMIO mappings with p_offset -1 and p_filesz 0. */
static void test_qemu_paging(void)
{
	uint8_t notes[4096];
	size_t nlen = std_notes(notes, 1, true);
	struct tseg segs[] = {
		{ .type = PT_NOTE, .filesz = nlen, .memsz = nlen, .bytes = notes },
		{ .type = PT_LOAD, .vaddr = DIRECT, .paddr = 0, .filesz = 0x400000, .memsz = 0x400000 },
		{ .type = PT_LOAD, .vaddr = KTEXT, .paddr = 0x200000, .fixed_offset = true, .filesz = 0x10000, .memsz = 0x10000 },
		{ .type = PT_LOAD, .vaddr = 0xffffc90000000000ULL, .paddr = 0x3ff000, .fixed_offset = true, .filesz = 0x1000, .memsz = 0x1000 },
		{ .type = PT_LOAD, .vaddr = 0xffffc90000001000ULL, .paddr = 0xfee00000, .fixed_offset = true, .offset = UINT64_MAX, .filesz = 0, .memsz = 0x1000 },
	};
	struct tcore c = { .segs = segs, .n = 5 };
	/* offsets of the aliases point into the first segment's data */
	uint64_t base = phoff_of() + 5 * sizeof(Elf64_Phdr) + nlen;
	segs[2].offset = base + 0x200000;
	segs[3].offset = base + 0x3ff000;
	char *path = build("paging.elf", &c);
	struct mw_reader *r = open_ok(path, "QEMU paging");
	if (!r)
		return;
	const struct mw_dump_info *info = mw_reader_info(r);
	const struct mw_phys_range want[] = { { 0, 0x400000 } };
	tap_ok(info->format == MW_FORMAT_ELF, "QEMU paging: format elf, not kcore");
	tap_ok(ranges_are(info, want, 1), "QEMU paging: MMIO mapping is not in the ranges");
	tap_ok(info->nr_segments == 4, "QEMU paging: 4 virtual segments");
	tap_ok(read_matches(r, false, 0, 0x400000, 0, 0), "QEMU paging: physical memory reads back");
	tap_ok(read_fails(r, false, 0xfee00000, 4, MW_ERR_HOLE, 0xfee00000),
	       "QEMU paging: MMIO physical address is a hole");
	tap_ok(read_matches(r, true, KTEXT + 0x123, 0x5000, 0, 0x200123),
	       "QEMU paging: kernel text alias reads the same bytes");
	tap_ok(read_matches(r, true, 0xffffc90000000000ULL, 0x1000, 0, 0x3ff000),
	       "QEMU paging: vmalloc alias reads the same bytes");
	tap_ok(read_fails(r, true, 0xffffc90000000ff0ULL, 0x20, MW_ERR_NOT_MAPPED, 0xffffc90000001000ULL),
	       "QEMU paging: MMIO virtual mapping has no bytes");
	mw_reader_destroy(r);
	free(path);
}

/* More than 65535 program headers: e_phnum PN_XNUM, count in sh_info. */
static void test_xnum(void)
{
	enum { N = 70000 };
	struct tseg *segs = calloc(N, sizeof(*segs));
	for (size_t i = 0; i < N; i++)
		segs[i] = (struct tseg){ .type = PT_LOAD, .paddr = (uint64_t)i * 2 * PG,
					 .filesz = 16, .memsz = 16 };
	struct tcore c = { .segs = segs, .n = N };
	char *path = build("xnum.elf", &c);
	struct mw_reader *r = open_ok(path, "PN_XNUM");
	if (r) {
		const struct mw_dump_info *info = mw_reader_info(r);
		tap_ok(info->nr_ranges == N && info->total_bytes == 16 * N,
		       "PN_XNUM: %d program headers read", N);
		tap_ok(read_matches(r, false, (uint64_t)(N - 1) * 2 * PG, 16, 0,
				    (uint64_t)(N - 1) * 2 * PG),
		       "PN_XNUM: the last segment reads back");
		mw_reader_destroy(r);
	}
	free(path);

	c.xnum_no_shdr = true;
	path = build("xnum-noshdr.elf", &c);
	refused(path, "PN_XNUM without section header", MW_ERR_FORMAT,
		offsetof(Elf64_Ehdr, e_shoff), "PN_XNUM");
	free(path);

	struct tcore small = { .segs = segs, .n = 3, .xnum = true, .xnum_count = 0xffffffffu };
	path = build("xnum-absurd.elf", &small);
	refused(path, "PN_XNUM count 4294967295", MW_ERR_LIMIT,
		offsetof(Elf64_Ehdr, e_phnum), "program headers");
	free(path);
	free(segs);
}

static void test_truncated(void)
{
	struct tseg segs[] = {
		{ .type = PT_LOAD, .paddr = 0, .filesz = 0x10000, .memsz = 0x10000 },
		{ .type = PT_LOAD, .paddr = 0x100000, .filesz = 0x10000, .memsz = 0x10000 },
		{ .type = PT_LOAD, .paddr = 0x200000, .filesz = 0x10000, .memsz = 0x10000 },
	};
	struct tcore c = { .segs = segs, .n = 3 };
	uint64_t data0 = phoff_of() + 3 * sizeof(Elf64_Phdr);
	/* cut in the middle of the second segment, 0x2800 bytes into it */
	c.truncate_at = data0 + 0x10000 + 0x2800;
	char *path = build("truncated.elf", &c);
	struct mw_reader *r = open_ok(path, "truncated file");
	if (r) {
		const struct mw_dump_info *info = mw_reader_info(r);
		const struct mw_phys_range want[] = {
			{ 0, 0x10000 }, { 0x100000, 0x110000 }, { 0x200000, 0x210000 },
		};
		tap_ok(ranges_are(info, want, 3), "truncated file: ranges as the headers say");
		/* pages 0x102 (partly there) .. 0x10f, and 0x200..0x20f */
		tap_ok(info->excluded_pages == 14 + 16 && info->incomplete,
		       "truncated file: %" PRIu64 " pages excluded (want 30), incomplete",
		       info->excluded_pages);
		tap_ok(read_matches(r, false, 0x100000, 0x2800, 0, 0x100000),
		       "truncated file: bytes before the cut read back");
		tap_ok(read_fails(r, false, 0x101000, 0x4000, MW_ERR_NOT_IN_DUMP, 0x102800),
		       "truncated file: read over the cut fails at the first missing byte");
		tap_ok(read_fails(r, false, 0x200010, 4, MW_ERR_NOT_IN_DUMP, 0x200010),
		       "truncated file: segment wholly past the end is not in the dump");
		cli_warns(path, "(cut short); 30 pages (120.0 KiB) of RAM are missing",
			  "truncated file");
		tap_ok(mw_reader_page_state(r, 0x101) == MW_PAGE_PRESENT &&
		       mw_reader_page_state(r, 0x102) == MW_PAGE_EXCLUDED &&
		       mw_reader_page_state(r, 0x20f) == MW_PAGE_EXCLUDED &&
		       mw_reader_page_state(r, 0x210) == MW_PAGE_HOLE,
		       "truncated file: page states");
		mw_reader_destroy(r);
	}
	free(path);

	/* cut inside the program header table */
	c.truncate_at = phoff_of() + sizeof(Elf64_Phdr) + 10;
	path = build("truncated-phdrs.elf", &c);
	refused(path, "file cut in the program headers", MW_ERR_FORMAT, phoff_of(),
		"past the end");
	free(path);

	c.truncate_at = 40;
	path = build("truncated-ehdr.elf", &c);
	refused(path, "file cut in the ELF header", MW_ERR_FORMAT, 0, "too short");
	free(path);
}

static void test_bad_notes(void)
{
	uint8_t notes[4096];
	size_t nlen = std_notes(notes, 1, false);
	struct tseg segs[] = {
		{ .type = PT_NOTE, .filesz = nlen, .memsz = nlen, .bytes = notes },
		{ .type = PT_LOAD, .paddr = 0, .filesz = 0x1000, .memsz = 0x1000 },
	};
	struct tcore c = { .segs = segs, .n = 2 };
	uint64_t note_off = phoff_of() + 2 * sizeof(Elf64_Phdr);
	/* the second note (VMCOREINFO) starts after the PRSTATUS note */
	size_t second = sizeof(Elf64_Nhdr) + 8 + 336;

	uint8_t bad[4096];
	memcpy(bad, notes, nlen);
	Elf64_Nhdr *nh = (Elf64_Nhdr *)(bad + second);
	nh->n_namesz = 0x7fffffff;
	segs[0].bytes = bad;
	char *path = build("note-namesz.elf", &c);
	refused(path, "note with huge n_namesz", MW_ERR_FORMAT, note_off + second, "note name");
	free(path);

	memcpy(bad, notes, nlen);
	nh->n_descsz = (uint32_t)nlen;
	path = build("note-descsz.elf", &c);
	refused(path, "note with n_descsz past its segment", MW_ERR_FORMAT,
		note_off + second, "descriptor");
	free(path);

	/* a PT_NOTE whose bytes lie past the end of the file */
	segs[0].bytes = notes;
	segs[0].fixed_offset = true;
	segs[0].offset = 1 << 30;
	segs[0].no_data = true;
	path = build("note-past-eof.elf", &c);
	refused(path, "PT_NOTE past the end of the file", MW_ERR_FORMAT, phoff_of(),
		"PT_NOTE");
	free(path);
	segs[0].fixed_offset = false;
	segs[0].no_data = false;

	/* two PT_NOTE segments, padding at the end of the first */
	uint8_t n1[1024], n2[1024];
	size_t l1 = 0, l2 = 0;
	uint8_t prstatus[336] = { 0 };
	note_add(n1, &l1, "CORE", NT_PRSTATUS, prstatus, sizeof(prstatus));
	note_add(n1, &l1, "CORE", NT_PRSTATUS, prstatus, sizeof(prstatus));
	memset(n1 + l1, 0, 24);
	l1 += 24;
	note_add(n2, &l2, "VMCOREINFO", 0, vmcoreinfo, sizeof(vmcoreinfo) - 1);
	struct tseg two[] = {
		{ .type = PT_NOTE, .filesz = l1, .memsz = l1, .bytes = n1 },
		{ .type = PT_NOTE, .filesz = l2, .memsz = l2, .bytes = n2 },
		{ .type = PT_LOAD, .paddr = 0, .filesz = 0x1000, .memsz = 0x1000 },
	};
	struct tcore c2 = { .segs = two, .n = 3 };
	path = build("two-notes.elf", &c2);
	struct mw_reader *r = open_ok(path, "two PT_NOTE segments");
	if (r) {
		const struct mw_dump_info *info = mw_reader_info(r);
		tap_ok(info->nr_cpus == 2 &&
		       mw_vmcoreinfo_get(info, "OSRELEASE", NULL) != NULL,
		       "two PT_NOTE segments: notes of both are found");
		mw_reader_destroy(r);
	}
	free(path);
}

static void test_bad_headers(void)
{
	struct tseg segs[] = {
		{ .type = PT_LOAD, .paddr = 0, .filesz = 0x1000, .memsz = 0x1000 },
		{ .type = PT_LOAD, .paddr = 0x100000, .filesz = 0x1000, .memsz = 0x1000 },
	};
	struct tcore c = { .segs = segs, .n = 2 };
	char *path;

	c.phnum_override = 0xfffe;
	path = build("phnum-absurd.elf", &c);
	refused(path, "e_phnum 65534 in a small file", MW_ERR_FORMAT, phoff_of(),
		"past the end");
	free(path);
	c.phnum_override = 0;

	segs[1].filesz = 0x2000;	/* > p_memsz */
	path = build("filesz-gt-memsz.elf", &c);
	refused(path, "p_filesz > p_memsz", MW_ERR_FORMAT,
		phoff_of() + sizeof(Elf64_Phdr), "p_filesz");
	free(path);
	segs[1].filesz = 0x1000;

	segs[1].paddr = UINT64_MAX - 0x800;	/* wraps */
	path = build("wrap.elf", &c);
	refused(path, "segment wrapping around", MW_ERR_FORMAT,
		phoff_of() + sizeof(Elf64_Phdr), "wraps");
	free(path);
	segs[1].paddr = 0x100000;

	c.type = ET_EXEC;
	path = build("exec.elf", &c);
	refused(path, "an executable", MW_ERR_UNSUPPORTED, offsetof(Elf64_Ehdr, e_type),
		"not a core dump");
	free(path);
	c.type = 0;

	c.machine = EM_PPC64;	/* x86-64 and aarch64 are read */
	path = build("ppc64.elf", &c);
	refused(path, "a ppc64 core", MW_ERR_UNSUPPORTED,
		offsetof(Elf64_Ehdr, e_machine), "ppc64");
	free(path);
	c.machine = 0;

	c.class = ELFCLASS32;
	path = build("elf32.elf", &c);
	refused(path, "an ELF32 file", MW_ERR_UNSUPPORTED, EI_CLASS, "ELF64");
	free(path);
	c.class = 0;

	c.data = ELFDATA2MSB;
	path = build("be.elf", &c);
	refused(path, "a big-endian ELF", MW_ERR_UNSUPPORTED, EI_DATA, "little-endian");
	free(path);
	c.data = 0;

	c.phentsize = 32;
	path = build("phentsize.elf", &c);
	refused(path, "e_phentsize 32", MW_ERR_FORMAT,
		offsetof(Elf64_Ehdr, e_phentsize), "e_phentsize");
	free(path);
	c.phentsize = 0;

	struct tseg notes_only[] = {
		{ .type = PT_NOTE, .filesz = 0, .memsz = 0 },
	};
	struct tcore c3 = { .segs = notes_only, .n = 1 };
	path = build("noload.elf", &c3);
	refused(path, "no PT_LOAD", MW_ERR_FORMAT, phoff_of(), "PT_LOAD");
	free(path);
}

/* /proc/kcore's layout: file offset = vaddr - page_offset + hdr; the
 * kernel half starts at 0xffff800000000000 with 4-level paging, at
 * 0xff00000000000000 with 5 levels (la57: direct map from
 * 0xff11000000000000). */
static void test_kcore(uint64_t page_offset, const char *lv)
{
	uint8_t notes[4096];
	size_t nlen = std_notes(notes, 1, false);
	const uint64_t hdr = 0x3000;
	const uint64_t direct = page_offset + 0x10000000;	/* "page_offset_base" */
	struct tseg segs[] = {
		{ .type = PT_NOTE, .filesz = nlen, .memsz = nlen, .bytes = notes },
		/* vmalloc: no physical address */
		{ .type = PT_LOAD, .vaddr = page_offset + 0x40000000, .paddr = UINT64_MAX, .filesz = 0x2000, .memsz = 0x2000, .salt = 2 },
		{ .type = PT_LOAD, .vaddr = direct + 0x1000, .paddr = 0x1000, .filesz = 0x9e000, .memsz = 0x9e000 },
		{ .type = PT_LOAD, .vaddr = direct + 0x100000, .paddr = 0x100000, .filesz = 0x700000, .memsz = 0x700000 },
		/* vmemmap with a physical address of its own: not RAM */
		{ .type = PT_LOAD, .vaddr = page_offset + 0x50000000, .paddr = 0x2000000, .filesz = 0x1000, .memsz = 0x1000, .salt = 3 },
	};
	for (size_t i = 1; i < 5; i++) {
		segs[i].fixed_offset = true;
		segs[i].offset = segs[i].vaddr - page_offset + hdr;
	}
	segs[0].fixed_offset = true;
	segs[0].offset = phoff_of() + 5 * sizeof(Elf64_Phdr);
	struct tcore c = { .segs = segs, .n = 5 };
	char *path = build("kcore", &c);
	char what[64];
	snprintf(what, sizeof(what), "kcore layout (%s)", lv);
	struct mw_reader *r = open_ok(path, what);
	if (!r)
		return;
	const struct mw_dump_info *info = mw_reader_info(r);
	const struct mw_phys_range want[] = { { 0x1000, 0x9f000 }, { 0x100000, 0x800000 } };
	tap_ok(info->format == MW_FORMAT_KCORE, "%s: detected as kcore from content", what);
	tap_ok(ranges_are(info, want, 2), "%s: ranges are the direct-map RAM segments", what);
	tap_ok(mw_vmcoreinfo_get(info, "OSRELEASE", NULL) != NULL, "%s: VMCOREINFO", what);
	tap_ok(info->nr_segments == 4, "%s: 4 virtual segments", what);
	tap_ok(read_matches(r, false, 0x9e000, 0x1000, 0, 0x9e000) &&
	       read_matches(r, false, 0x100000, 0x700000, 0, 0x100000),
	       "%s: physical reads through the direct map", what);
	tap_ok(read_fails(r, false, 0x2000000, 8, MW_ERR_HOLE, 0x2000000),
	       "%s: a non-direct-map segment's p_paddr is not RAM", what);
	tap_ok(read_matches(r, true, page_offset + 0x40000100, 0x1000, 2, 0x100),
	       "%s: vmalloc segment readable by virtual address", what);
	tap_ok(mw_reader_page_state(r, 0x1) == MW_PAGE_PRESENT &&
	       mw_reader_page_state(r, 0x0) == MW_PAGE_HOLE,
	       "%s: page states", what);
	mw_reader_destroy(r);
	free(path);
}

struct thread_arg {
	struct mw_reader *r;
	unsigned seed;
	bool ok;
};

static void *reader_thread(void *p)
{
	struct thread_arg *a = p;
	a->ok = true;
	for (int i = 0; i < 2000 && a->ok; i++) {
		uint64_t addr = 0xc0000 + (rand_r(&a->seed) % (0x440000 - 0x3000));
		size_t len = 1 + rand_r(&a->seed) % 0x3000;
		uint8_t buf[0x3000];
		struct mw_error *err = mw_reader_read_phys(a->r, addr, buf, len);
		if (err) {
			mw_error_destroy(err);
			a->ok = false;
		}
		for (size_t k = 0; a->ok && k < len; k++)
			a->ok = buf[k] == pat(addr + k, 0);
	}
	return NULL;
}

static void test_threads(void)
{
	char *path = path_for("qemu.elf");
	struct mw_reader *r;
	struct mw_error *err = mw_reader_open(path, &r);
	free(path);
	if (err) {
		mw_error_destroy(err);
		tap_ok(0, "threads: open");
		return;
	}
	pthread_t t[4];
	struct thread_arg args[4];
	for (int i = 0; i < 4; i++) {
		args[i] = (struct thread_arg){ .r = r, .seed = (unsigned)i + 1 };
		pthread_create(&t[i], NULL, reader_thread, &args[i]);
	}
	bool ok = true;
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		ok = ok && args[i].ok;
	}
	tap_ok(ok, "threads: 4 threads reading at once get the right bytes");
	mw_reader_destroy(r);
}

static void cleanup(void)
{
	char *cmd;
	if (asprintf(&cmd, "rm -rf '%s'", tmpdir) >= 0) {
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
		free(cmd);
	}
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_qemu_physical();
	test_kexec();
	test_qemu_paging();
	test_xnum();
	test_truncated();
	test_bad_notes();
	test_bad_headers();
	test_kcore(0xffff800000000000ULL, "4-level");
	test_kcore(0xff11000000000000ULL, "5-level");
	test_threads();
	cleanup();
	return tap_done();
}
