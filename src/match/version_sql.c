/*
 * version_sql.c: infracast.version_cmp() and infracast.version_in_range() (glue over match/version.c).
 */
#include "match/match.h"

#include "fmgr.h"
#include "utils/builtins.h"

#include "match/nvd_config.h"
#include "match/version.h"

PG_FUNCTION_INFO_V1(infracast_version_cmp);
PG_FUNCTION_INFO_V1(infracast_version_in_range);

/* infracast.version_cmp(a, b, scheme DEFAULT 'generic'): -1, 0 or 1. */
Datum
infracast_version_cmp(PG_FUNCTION_ARGS)
{
	char	   *a = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *b = text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *scheme_name = text_to_cstring(PG_GETARG_TEXT_PP(2));
	VersionScheme scheme;
	VersionError err;
	int			result;

	if (!version_scheme_from_name(scheme_name, &scheme))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown version scheme \"%s\"", scheme_name),
				 errhint("Use one of debian, rpm, semver or generic.")));
	if (!version_compare(scheme, a, b, &result, &err))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid %s version \"%s\" (argument %s): %s", scheme_name,
						err.arg == 1 ? a : b, err.arg == 1 ? "a" : "b", err.message),
				 errhint(scheme == VERSION_SEMVER
						 ? "A semantic version is MAJOR.MINOR.PATCH[-pre-release][+build], for example 1.4.2-rc.1."
						 : "Compare with scheme 'generic' for versions that follow no packaging rules.")));
	PG_RETURN_INT32((result > 0) - (result < 0));
}

static const char *
arg_or_null(FunctionCallInfo fcinfo, int i)
{
	return PG_ARGISNULL(i) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(i));
}

/* infracast.version_in_range(v, start_incl, start_excl, end_incl, end_excl): NVD bounds, generic order. */
Datum
infracast_version_in_range(PG_FUNCTION_ARGS)
{
	NvdRange	r;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	r.start_including = arg_or_null(fcinfo, 1);
	r.start_excluding = arg_or_null(fcinfo, 2);
	r.end_including = arg_or_null(fcinfo, 3);
	r.end_excluding = arg_or_null(fcinfo, 4);
	PG_RETURN_BOOL(applicability_version_in_range(text_to_cstring(PG_GETARG_TEXT_PP(0)), &r));
}
