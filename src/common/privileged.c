/*
 * privileged.c: running a few catalogue-style queries as the bootstrap superuser, safely.
 *
 * Some lookups must see rows the caller's row-level security hides (the tenant a role asks for,
 * the licence counters). They run as the bootstrap superuser with SECURITY_RESTRICTED_OPERATION
 * (no SET ROLE, no temporary objects, as in a maintenance command) and, when the query names any
 * operator or function, with search_path pinned to pg_catalog, pg_temp: otherwise an operator the
 * caller put in a schema of its own, ahead of pg_catalog, would run with superuser rights.
 */
#include "infracast.h"

#include "catalog/pg_authid.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/guc.h"

void
ic_privileged_enter(IcPrivileged *p, bool pin_search_path)
{
	GetUserIdAndSecContext(&p->save_user, &p->save_sec);
	SetUserIdAndSecContext(BOOTSTRAP_SUPERUSERID,
						   p->save_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
	p->guc_level = -1;
	if (pin_search_path)
	{
		p->guc_level = NewGUCNestLevel();
		(void) set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
	}
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
}

void
ic_privileged_leave(IcPrivileged *p)
{
	SPI_finish();
	if (p->guc_level >= 0)
		AtEOXact_GUC(true, p->guc_level);
	SetUserIdAndSecContext(p->save_user, p->save_sec);
}
