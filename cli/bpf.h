/* memwhere command line: bpf (BPF maps and programs). */
#ifndef MW_CLI_BPF_H
#define MW_CLI_BPF_H

#include "analyzer/bpf.h"
#include "cli/cli.h"

extern const struct mw_renderer mw_bpf_renderer;	/* output-bpf.c */

#endif
