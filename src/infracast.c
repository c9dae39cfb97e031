/*
 * infracast.c: the module's entry point. _PG_init only hands over to each subsystem, so that
 * every GUC, hook and worker is defined beside the code that uses it.
 */
#include "infracast.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/guc.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	/* pg_upgrade loads libraries to check them; it needs no GUCs, hooks or workers. */
	if (IsBinaryUpgrade)
		return;

	tenant_init();
	graph_init();
	feeds_init();
	license_init();
	discovery_init();
	bgworkers_init();

	/* Last: every infracast.* GUC is defined now, so unknown ones in the config are typos. */
	MarkGUCPrefixReserved("infracast");
}
