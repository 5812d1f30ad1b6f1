/* memwhere command line: what happened (the panic, the OOM reports), in `report`. */
#ifndef MW_CLI_INCIDENT_H
#define MW_CLI_INCIDENT_H

#include "analyzer/incident.h"
#include "cli/cli.h"

extern const struct mw_renderer mw_incident_renderer;	/* output-incident.c */
/* One OOM report as JSON (an object): invoker, gfp, order, ..., victim. */
struct mw_json;
void mw_json_oom_report(struct mw_json *j, const struct mw_oom_report *r, bool panic_on_oom);

#endif
