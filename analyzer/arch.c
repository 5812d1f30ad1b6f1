#include "config.h"

#include <string.h>

#include "analyzer/arch.h"

const struct mw_arch *mw_arch_select(const struct mw_dump_info *info)
{
	const char *m = info->utsname_machine;
	if (strcmp(m, "aarch64") == 0 || strcmp(m, "arm64") == 0)
		return &mw_arch_arm64;
	if (strcmp(m, "x86_64") == 0)
		return &mw_arch_x86_64;
	/* QEMU's kdump files leave the machine empty */
	size_t len;
	if (info->vmcoreinfo && mw_vmcoreinfo_get(info, "NUMBER(kimage_voffset)", &len))
		return &mw_arch_arm64;
	return &mw_arch_x86_64;
}

static bool known_machine(const char *m)
{
	return strcmp(m, "aarch64") == 0 || strcmp(m, "arm64") == 0 || strcmp(m, "x86_64") == 0;
}

const char *mw_arch_machine(const struct mw_dump_info *info, bool *from_vmcoreinfo)
{
	*from_vmcoreinfo = false;
	if (known_machine(info->utsname_machine))
		return strcmp(info->utsname_machine, "arm64") == 0 ? "aarch64" : info->utsname_machine;
	if (!info->vmcoreinfo)
		return NULL;
	/* keys only one architecture's kernel writes */
	size_t len;
	*from_vmcoreinfo = true;
	if (mw_vmcoreinfo_get(info, "NUMBER(kimage_voffset)", &len) ||
	    mw_vmcoreinfo_get(info, "NUMBER(VA_BITS)", &len))
		return mw_arch_arm64.machine;
	if (mw_vmcoreinfo_get(info, "NUMBER(phys_base)", &len) ||
	    mw_vmcoreinfo_get(info, "SYMBOL(init_top_pgt)", &len))
		return mw_arch_x86_64.machine;
	*from_vmcoreinfo = false;
	return NULL;
}

uint32_t mw_arch_page_size(const struct mw_dump_info *info)
{
	uint64_t v;
	struct mw_error *err = mw_vmcoreinfo_u64(info, "PAGESIZE", &v);
	if (err) {
		mw_error_destroy(err);
		return info->page_size;
	}
	if (v < 4096 || v > 65536 || (v & (v - 1)))
		return info->page_size;
	return (uint32_t)v;
}
