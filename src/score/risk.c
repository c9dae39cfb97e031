/*
 * risk.c: the risk score and the priority band (docs/scoring.md explains every number here).
 *
 * score = 100 * S^0.30 * T^0.35 * X^0.20 * C^0.15, a weighted geometric mean of four factors in
 * (0, 1]: severity S (CVSS), threat T (EPSS, KEV, ransomware), exposure X (attack paths from entry
 * points) and criticality C (of the node). A geometric mean keeps the score at 100 only when all four
 * are at their worst, lets no single factor zero the score, and makes each weight the elasticity of
 * the score to its factor. Each factor is non-decreasing in its inputs, so the score is too: more
 * EPSS, KEV, exposure, severity or criticality never lowers it (test_match_score checks this).
 */
#include "score/risk.h"

#include <math.h>
#include <string.h>
#include <strings.h>

static double
clamp(double v, double lo, double hi)
{
	return v < lo ? lo : (v > hi ? hi : v);
}

void
risk_factors(const RiskInputs *in, RiskFactors *f)
{
	static const double crit[] = {0.25, 0.50, 0.75, 1.00};
	double		threat;

	/* Severity: unknown (not yet scored by NVD) counts as a medium 5.0; floor keeps the product > 0. */
	f->severity = in->cvss < 0 ? 0.5 : clamp(in->cvss / 10.0, 0.01, 1.0);

	/*
	 * Threat: EPSS is concentrated near zero (most CVEs score below 0.01), so its cube root spreads
	 * the low range (0.001 -> 0.10, 0.01 -> 0.22, 0.1 -> 0.46, 0.5 -> 0.79) without changing the
	 * order. Not in EPSS: 0.10, as for a typical (median) CVE. KEV lifts it to 0.95, known ransomware
	 * use to 1.
	 */
	threat = in->epss < 0 ? 0.10 : cbrt(clamp(in->epss, 0.0, 1.0));
	if (in->kev && threat < 0.95)
		threat = 0.95;
	if (in->ransomware)
		threat = 1.0;
	f->threat = clamp(threat, 0.01, 1.0);

	/* Exposure: unreachable nodes keep a quarter (inventories are incomplete, insiders exist). */
	f->exposure = 0.25 + 0.75 * (in->exposure < 0 ? 0.5 : clamp(in->exposure, 0.0, 1.0));

	f->criticality = in->crown_jewel ? 1.0
		: crit[(in->criticality >= RISK_CRIT_LOW && in->criticality <= RISK_CRIT_CRITICAL) ? in->criticality : RISK_CRIT_MEDIUM];
}

double
risk_score(const RiskInputs *in)
{
	RiskFactors f;
	double		s;

	risk_factors(in, &f);
	s = 100.0 * pow(f.severity, RISK_W_SEVERITY) * pow(f.threat, RISK_W_THREAT)
		* pow(f.exposure, RISK_W_EXPOSURE) * pow(f.criticality, RISK_W_CRITICALITY);
	/* two decimals: stable to compare and to show */
	return clamp(round(s * 100.0) / 100.0, 0.0, 100.0);
}

/*
 * The band, after CISA's SSVC deployer tree reduced to three decision points:
 *   exploitation  active (in KEV) | likely (EPSS >= 0.10) | none
 *   exposed       an entry point reaches the node with likelihood >= 0.5 (unknown counts as exposed,
 *                 the cautious choice SSVC recommends for missing information)
 *   high impact   crown jewel, criticality high or critical, or CVSS >= 9.0
 *
 *                     exposed+high  exposed  high  neither
 *   active            act           act      attend attend
 *   likely            attend        track*   track* track
 *   none              track*        track    track  track
 *
 * Every row and column is non-decreasing, so more evidence never lowers the band.
 */
RiskPriority
risk_priority(const RiskInputs *in)
{
	int			exploitation = (in->kev || in->ransomware) ? 2 : (in->epss >= RISK_EPSS_LIKELY ? 1 : 0);
	bool		exposed = in->exposure < 0 || in->exposure >= RISK_EXPOSED;
	bool		high = in->crown_jewel || in->criticality >= RISK_CRIT_HIGH || in->cvss >= 9.0;

	switch (exploitation)
	{
		case 2:
			return exposed ? RISK_ACT : RISK_ATTEND;
		case 1:
			if (exposed && high)
				return RISK_ATTEND;
			return (exposed || high) ? RISK_TRACK_STAR : RISK_TRACK;
		default:
			return (exposed && high) ? RISK_TRACK_STAR : RISK_TRACK;
	}
}

const char *
risk_priority_name(RiskPriority p)
{
	switch (p)
	{
		case RISK_ACT:
			return "act";
		case RISK_ATTEND:
			return "attend";
		case RISK_TRACK_STAR:
			return "track*";
		case RISK_TRACK:
			break;
	}
	return "track";
}

bool
risk_criticality_from_name(const char *name, RiskCriticality *out)
{
	static const char *const names[] = {"low", "medium", "high", "critical"};
	int			i;

	for (i = 0; i < 4; i++)
		if (strcasecmp(name, names[i]) == 0)
		{
			*out = (RiskCriticality) i;
			return true;
		}
	return false;
}
