/*
 * score_sql.c: infracast.risk_score(), infracast.risk_priority() and infracast.exploit_likelihood()
 * (glue over score/risk.c). NULL means "unknown" for cvss, epss and exposure, and false for kev,
 * ransomware and crown_jewel; criticality NULL is medium.
 */
#include "score/score.h"

#include <math.h>

#include "fmgr.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(infracast_risk_score);
PG_FUNCTION_INFO_V1(infracast_risk_priority);
PG_FUNCTION_INFO_V1(infracast_exploit_likelihood);

static double
unit_arg(FunctionCallInfo fcinfo, int i, const char *name, double max)
{
	double		v;

	if (PG_ARGISNULL(i))
		return -1.0;
	v = PG_GETARG_FLOAT8(i);
	if (!(v >= 0.0 && v <= max))	/* NaN fails too */
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s %g is outside 0..%g", name, v, max),
				 errhint("Pass NULL when the value is not known.")));
	return v;
}

/* Arguments: cvss, epss, kev, ransomware, criticality, crown_jewel, exposure. */
static void
risk_inputs(FunctionCallInfo fcinfo, RiskInputs *in)
{
	in->cvss = unit_arg(fcinfo, 0, "cvss", 10.0);
	in->epss = unit_arg(fcinfo, 1, "epss", 1.0);
	in->kev = !PG_ARGISNULL(2) && PG_GETARG_BOOL(2);
	in->ransomware = !PG_ARGISNULL(3) && PG_GETARG_BOOL(3);
	in->criticality = RISK_CRIT_MEDIUM;
	if (!PG_ARGISNULL(4))
	{
		char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(4));

		if (!risk_criticality_from_name(name, &in->criticality))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown criticality \"%s\"", name),
					 errhint("Use low, medium, high or critical, as infracast.nodes.criticality does.")));
	}
	in->crown_jewel = !PG_ARGISNULL(5) && PG_GETARG_BOOL(5);
	in->exposure = unit_arg(fcinfo, 6, "exposure", 1.0);
}

Datum
infracast_risk_score(PG_FUNCTION_ARGS)
{
	RiskInputs	in;

	risk_inputs(fcinfo, &in);
	PG_RETURN_FLOAT8(risk_score(&in));
}

Datum
infracast_risk_priority(PG_FUNCTION_ARGS)
{
	RiskInputs	in;

	risk_inputs(fcinfo, &in);
	PG_RETURN_TEXT_P(cstring_to_text(risk_priority_name(risk_priority(&in))));
}

/*
 * infracast.exploit_likelihood(epss, kev, ransomware): the likelihood of a can_exploit edge, that an
 * attacker who reaches the node exploits the vulnerability: 0.9 times the threat factor of the score
 * (0.9 is the default likelihood of a reach edge: exploiting is never surer than reaching).
 */
Datum
infracast_exploit_likelihood(PG_FUNCTION_ARGS)
{
	RiskInputs	in = {-1, -1, false, false, RISK_CRIT_MEDIUM, false, -1};
	RiskFactors f;

	in.epss = unit_arg(fcinfo, 0, "epss", 1.0);
	in.kev = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
	in.ransomware = !PG_ARGISNULL(2) && PG_GETARG_BOOL(2);
	risk_factors(&in, &f);
	PG_RETURN_FLOAT8(round(0.9 * f.threat * 10000.0) / 10000.0);
}
