/*
 * tenant.c: the current tenant, held in the superuser-only GUC infracast.tenant_id.
 *
 * Only infracast.set_tenant() (SECURITY DEFINER, it checks the caller may act for the tenant) can
 * set it, so a role cannot widen its own row-level-security view with set_config(). The policies
 * call infracast.rls_tenant(), which gives NULL when no tenant is set: a query then sees nothing.
 */
#include "infracast.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/guc.h"

PG_FUNCTION_INFO_V1(infracast_current_tenant);
PG_FUNCTION_INFO_V1(infracast_rls_tenant);

static char *tenant_guc_value = NULL;

/* Accepts '' (no tenant) or a positive decimal id. */
static bool
tenant_guc_check(char **newval, void **extra, GucSource source)
{
	const char *p = *newval;

	if (p == NULL || *p == '\0')
		return true;
	for (; *p; p++)
	{
		if (*p < '0' || *p > '9' || p - *newval >= 18)
		{
			GUC_check_errdetail("infracast.tenant_id must be a tenant id (digits only).");
			return false;
		}
	}
	return true;
}

/* Defines infracast.tenant_id. */
void
tenant_init(void)
{
	DefineCustomStringVariable("infracast.tenant_id",
							   "Id of the tenant whose rows this transaction or session sees.",
							   "Set it with infracast.set_tenant(); it is superuser-only so that "
							   "row-level security cannot be widened with set_config().",
							   &tenant_guc_value,
							   "",
							   PGC_SUSET,
							   GUC_NOT_IN_SAMPLE | GUC_NO_SHOW_ALL,
							   tenant_guc_check, NULL, NULL);
}

bool
tenant_is_set(void)
{
	return tenant_guc_value != NULL && tenant_guc_value[0] != '\0';
}

/* The current tenant id; raises IC001 with a hint when none is set. */
int64
tenant_current(void)
{
	if (!tenant_is_set())
		ereport(ERROR,
				(errcode(ERRCODE_IC_NO_TENANT),
				 errmsg("no tenant is set"),
				 errhint("Call SELECT infracast.set_tenant('<tenant name or id>') first.")));
	return pg_strtoint64(tenant_guc_value);
}

Datum
infracast_current_tenant(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(tenant_current());
}

Datum
infracast_rls_tenant(PG_FUNCTION_ARGS)
{
	if (!tenant_is_set())
		PG_RETURN_NULL();
	PG_RETURN_INT64(pg_strtoint64(tenant_guc_value));
}
