/*
 * tenant.c: the current tenant, held in the superuser-only GUC infracast.tenant_id.
 *
 * Only infracast.set_tenant() (SECURITY DEFINER, it checks the caller may act for the tenant) can
 * set it, so a role cannot widen its own row-level-security view with set_config(). The policies
 * call infracast.rls_tenant(), which gives NULL when no tenant is set: a query then sees nothing.
 */
#include "infracast.h"

#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"

PG_FUNCTION_INFO_V1(infracast_current_tenant);
PG_FUNCTION_INFO_V1(infracast_rls_tenant);
PG_FUNCTION_INFO_V1(infracast_set_tenant);

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

/* Is `member` a member (directly or not) of the role called `rolename`? False if no such role. */
static bool
member_of_named_role(Oid member, const char *rolename)
{
	Oid			role = get_role_oid(rolename, true);

	return OidIsValid(role) && is_member_of_role(member, role);
}

/*
 * Looks the tenant up by id (all digits) or name, bypassing row-level security (a role sees only
 * its current tenant's row), and tells whether `caller` may act for it and whether it may act for
 * any tenant (*privileged). Returns 0 when unknown.
 *
 * Privileged: superusers, members of infracast_operator, and the proxy's authenticator session
 * (it sets the tenant of a token it verified). infracast_admin is not: it administers one tenant,
 * and a member of it must be bound to the tenant in tenant_roles like any other role.
 */
static int64
tenant_lookup(const char *tenant, Oid caller, Oid session, bool *allowed, bool *privileged)
{
	IcPrivileged priv;
	int64		id = 0;
	bool		isnull;
	Datum		arg = CStringGetTextDatum(tenant);
	Oid			argtype = TEXTOID;

	*allowed = false;
	/* search_path pinned, operators qualified: none of the caller's objects may run as superuser */
	ic_privileged_enter(&priv, true);
	if (SPI_execute_with_args("SELECT t.id FROM infracast.tenants t "
							  "WHERE ($1 OPERATOR(pg_catalog.~) '^[0-9]{1,18}$' "
							  "       AND t.id OPERATOR(pg_catalog.=) $1::pg_catalog.int8) "
							  "   OR t.name OPERATOR(pg_catalog.=) $1 "
							  "ORDER BY (t.name OPERATOR(pg_catalog.=) $1) LIMIT 1",
							  1, &argtype, &arg, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read infracast.tenants");
	if (SPI_processed == 1)
		id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));

	*privileged = superuser_arg(caller) ||
		member_of_named_role(caller, "infracast_operator") ||
		member_of_named_role(session, "infracast_operator") ||
		(session != BOOTSTRAP_SUPERUSERID && !superuser_arg(session) &&
		 member_of_named_role(session, "infracast_authenticator"));
	if (id != 0)
	{
		if (*privileged)
			*allowed = true;
		else
		{
			Datum		idarg = Int64GetDatum(id);
			Oid			idtype = INT8OID;

			if (SPI_execute_with_args("SELECT role_name::pg_catalog.text FROM infracast.tenant_roles "
									  "WHERE tenant_id OPERATOR(pg_catalog.=) $1",
									  1, &idtype, &idarg, NULL, true, 0) != SPI_OK_SELECT)
				elog(ERROR, "could not read infracast.tenant_roles");
			for (uint64 i = 0; i < SPI_processed && !*allowed; i++)
				*allowed = member_of_named_role(caller,
												SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1));
		}
	}
	ic_privileged_leave(&priv);
	return id;
}

/*
 * infracast.set_tenant(tenant text, is_local boolean DEFAULT true): sets the current tenant for
 * the transaction (or the session, as set_config does) after checking the caller may act for it.
 */
Datum
infracast_set_tenant(PG_FUNCTION_ARGS)
{
	char	   *tenant;
	bool		is_local = PG_ARGISNULL(1) ? true : PG_GETARG_BOOL(1);
	bool		allowed,
				privileged;
	int64		id;
	char		idbuf[32];

	tenant = PG_ARGISNULL(0) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(0));
	if (tenant == NULL || strspn(tenant, " \t\r\n") == strlen(tenant))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("tenant must not be null or empty"),
				 errhint("Pass a tenant name or id, for example SELECT infracast.set_tenant('acme').")));

	id = tenant_lookup(tenant, GetUserId(), GetSessionUserId(), &allowed, &privileged);
	/* only a role that may act for any tenant learns which tenants exist */
	if (id == 0 && privileged)
		ereport(ERROR,
				(errcode(ERRCODE_IC_UNKNOWN_TENANT),
				 errmsg("tenant \"%s\" does not exist", tenant),
				 errhint("List tenants with SELECT id, name FROM infracast.tenants (as an infracast_operator), "
						 "or create one with infracast.create_tenant().")));
	if (!allowed)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("role \"%s\" may not act for tenant \"%s\" (or it does not exist)",
						GetUserNameFromId(GetUserId(), false), tenant),
				 errhint("An infracast_operator can allow it: INSERT INTO infracast.tenant_roles "
						 "VALUES (<tenant id>, '<role>').")));

	snprintf(idbuf, sizeof(idbuf), INT64_FORMAT, id);
	(void) set_config_option("infracast.tenant_id", idbuf, PGC_SUSET, PGC_S_SESSION,
							 is_local ? GUC_ACTION_LOCAL : GUC_ACTION_SET, true, 0, false);
	PG_RETURN_INT64(id);
}
