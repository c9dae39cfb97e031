/*
 * license_sql.c: the licence's SQL functions (license_status, require_feature, has_feature,
 * require_valid_license) and the node-count check the triggers on infracast.nodes call.
 */
#include "license/license_status.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/jsonb.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(infracast_license_status);
PG_FUNCTION_INFO_V1(infracast_require_feature);
PG_FUNCTION_INFO_V1(infracast_has_feature);
PG_FUNCTION_INFO_V1(infracast_require_valid_license);
PG_FUNCTION_INFO_V1(infracast_license_check_node_count);

enum
{
	COL_STATE, COL_REASON, COL_FIX, COL_FILE, COL_LICENSE_ID, COL_CUSTOMER, COL_TIER, COL_NODE_LIMIT,
	COL_NODES_USED, COL_FEATURES, COL_ISSUED_AT, COL_NOT_BEFORE, COL_EXPIRES_AT, COL_OFFLINE_MODE,
	COL_CLAIMS, COL_UNKNOWN_CLAIMS, COL_KEY_FINGERPRINT, COL_DEVELOPMENT_KEY, COL_FEATURES_IN_FORCE,
	COL_HIGHEST_TIME_SEEN, COL_CHECKED_AT, NCOLS
};

static Datum
time_datum(int64 t)
{
	return TimestampTzGetDatum(time_t_to_timestamptz((pg_time_t) t));
}

static Datum
text_array_datum(char **items, int n)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));

	for (int i = 0; i < n; i++)
		elems[i] = CStringGetTextDatum(items[i]);
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/*
 * JSON text to jsonb, or NULL when PostgreSQL cannot hold it (json-c and PostgreSQL disagree on a few
 * escapes, such as lone surrogates): showing the status must never fail because of a claim.
 */
static bool
jsonb_from_text(const char *text, Datum *result)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	volatile bool ok = true;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		Datum		d = DirectFunctionCall1(jsonb_in, CStringGetDatum(text));

		MemoryContextSwitchTo(cxt);
		*result = datumCopy(d, false, -1);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		ok = false;
	}
	PG_END_TRY();
	return ok;
}

/* infracast.license_status(): one row saying everything about the licence in force. */
Datum
infracast_license_status(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[NCOLS];
	bool		nulls[NCOLS];
	LicenseStatus s;
	const LicenseClaims *c;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "license_status must return a composite");
	tupdesc = BlessTupleDesc(tupdesc);
	memset(nulls, true, sizeof(nulls));

	license_evaluate(&s);
	license_note_state(&s);
	c = s.claims;

	values[COL_STATE] = CStringGetTextDatum(license_state_name(s.state));
	values[COL_REASON] = CStringGetTextDatum(s.reason);
	values[COL_FIX] = CStringGetTextDatum(license_state_fix(&s));
	nulls[COL_STATE] = nulls[COL_REASON] = nulls[COL_FIX] = false;
	/* the path is as private as the superuser-only setting it comes from */
	if (s.path != NULL && has_privs_of_role(GetUserId(), ROLE_PG_READ_ALL_SETTINGS))
	{
		values[COL_FILE] = CStringGetTextDatum(s.path);
		nulls[COL_FILE] = false;
	}
	if (c != NULL)
	{
		values[COL_LICENSE_ID] = CStringGetTextDatum(c->license_id);
		values[COL_CUSTOMER] = CStringGetTextDatum(c->customer);
		values[COL_TIER] = CStringGetTextDatum(c->tier);
		values[COL_NODE_LIMIT] = Int64GetDatum(c->node_limit);
		values[COL_FEATURES] = text_array_datum(c->features, c->nfeatures);
		values[COL_ISSUED_AT] = time_datum(c->issued_at);
		values[COL_EXPIRES_AT] = time_datum(c->expires_at);
		values[COL_OFFLINE_MODE] = BoolGetDatum(c->offline_mode);
		nulls[COL_LICENSE_ID] = nulls[COL_CUSTOMER] = nulls[COL_TIER] = nulls[COL_NODE_LIMIT] = false;
		nulls[COL_FEATURES] = nulls[COL_ISSUED_AT] = nulls[COL_EXPIRES_AT] = nulls[COL_OFFLINE_MODE] = false;
		if (c->has_not_before)
		{
			values[COL_NOT_BEFORE] = time_datum(c->not_before);
			nulls[COL_NOT_BEFORE] = false;
		}
		nulls[COL_CLAIMS] = !jsonb_from_text(c->claims_json, &values[COL_CLAIMS]);
		nulls[COL_UNKNOWN_CLAIMS] = !jsonb_from_text(c->unknown_json, &values[COL_UNKNOWN_CLAIMS]);
		values[COL_FEATURES_IN_FORCE] = values[COL_FEATURES];
		nulls[COL_FEATURES_IN_FORCE] = false;
	}
	else if (s.remembered_features != NULL)
	{
		values[COL_FEATURES_IN_FORCE] = text_array_datum(s.remembered_features, s.n_remembered_features);
		nulls[COL_FEATURES_IN_FORCE] = false;
	}
	if (s.counters_available)
	{
		values[COL_NODES_USED] = Int64GetDatum(s.nodes_used);
		nulls[COL_NODES_USED] = false;
	}
	values[COL_KEY_FINGERPRINT] = CStringGetTextDatum(s.fingerprint);
	values[COL_DEVELOPMENT_KEY] = BoolGetDatum(s.development_key);
	nulls[COL_KEY_FINGERPRINT] = nulls[COL_DEVELOPMENT_KEY] = false;
	if (s.has_highest_seen)
	{
		values[COL_HIGHEST_TIME_SEEN] = time_datum(s.highest_seen);
		nulls[COL_HIGHEST_TIME_SEEN] = false;
	}
	values[COL_CHECKED_AT] = time_datum(s.now);
	nulls[COL_CHECKED_AT] = false;

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

static char *
feature_arg(FunctionCallInfo fcinfo)
{
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("feature name must not be null"),
				 errhint("Pass one of the names listed in docs/license.md, for example 'attack_paths'.")));
	return text_to_cstring(PG_GETARG_TEXT_PP(0));
}

/* infracast.require_feature(name): raises IC303 when the licence lacks the feature. */
Datum
infracast_require_feature(PG_FUNCTION_ARGS)
{
	license_require_feature(feature_arg(fcinfo));
	PG_RETURN_VOID();
}

Datum
infracast_has_feature(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(license_has_feature(feature_arg(fcinfo)));
}

/* infracast.require_valid_license(action): raises IC301 in a restricted state. */
Datum
infracast_require_valid_license(PG_FUNCTION_ARGS)
{
	const char *action = PG_ARGISNULL(0) ? "do this" : text_to_cstring(PG_GETARG_TEXT_PP(0));

	license_require_writable(action);
	PG_RETURN_VOID();
}

/* infracast.license_check_node_count(added, total): called by the trigger that counts new nodes. */
Datum
infracast_license_check_node_count(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		elog(ERROR, "license_check_node_count takes two counts");
	license_check_node_count(PG_GETARG_INT64(0), PG_GETARG_INT64(1));
	PG_RETURN_VOID();
}
