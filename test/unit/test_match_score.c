/*
 * test_match_score: the risk score and band (src/score/risk.c). Monotonicity over a grid of every
 * input: more EPSS, KEV, ransomware, exposure, severity or criticality never lowers the score or
 * the band; the score stays in [0, 100]; and the worked examples of docs/scoring.md hold.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score/risk.h"

static int	failures = 0;
static long checks = 0;

#define CHECK(cond, ...) do { checks++; if (!(cond)) { failures++; if (failures < 30) { \
	fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } } while (0)

static const double cvss_grid[] = {-1, 0, 0.1, 3.1, 5.0, 7.5, 8.9, 9.0, 9.8, 10};
static const double epss_grid[] = {-1, 0, 0.00004, 0.0007, 0.001, 0.01, 0.0999, 0.1, 0.4, 0.97, 1};
static const double expo_grid[] = {-1, 0, 0.1, 0.4999, 0.5, 0.81, 1};

#define N(a) ((int) (sizeof(a) / sizeof((a)[0])))

/* b is "more" than a in one input: its score and band must not be lower. */
static void
not_lower(const RiskInputs *a, const RiskInputs *b, const char *what)
{
	double		sa = risk_score(a),
				sb = risk_score(b);

	CHECK(sb >= sa, "%s lowered the score %.2f -> %.2f (cvss %.1f epss %g kev %d exp %g crit %d)",
		  what, sa, sb, a->cvss, a->epss, a->kev, a->exposure, a->criticality);
	CHECK(risk_priority(b) >= risk_priority(a), "%s lowered the band %s -> %s", what,
		  risk_priority_name(risk_priority(a)), risk_priority_name(risk_priority(b)));
}

static void
test_monotonicity(void)
{
	int			ic,
				ie,
				ix,
				k,
				r,
				cr,
				cj;

	for (ic = 0; ic < N(cvss_grid); ic++)
		for (ie = 0; ie < N(epss_grid); ie++)
			for (ix = 0; ix < N(expo_grid); ix++)
				for (k = 0; k < 2; k++)
					for (r = 0; r <= k; r++)	/* ransomware use is a KEV field */
						for (cr = 0; cr < 4; cr++)
							for (cj = 0; cj < 2; cj++)
							{
								RiskInputs	in = {cvss_grid[ic], epss_grid[ie], k, r, cr, cj, expo_grid[ix]};
								RiskInputs	up;
								double		s = risk_score(&in);

								CHECK(s >= 0 && s <= 100, "score %.2f out of range", s);
								/* unknown (-1) is not a quantity: compare known values only */
								if (ie + 1 < N(epss_grid) && epss_grid[ie] >= 0)
								{
									up = in;
									up.epss = epss_grid[ie + 1];
									not_lower(&in, &up, "more EPSS");
								}
								if (!k)
								{
									up = in;
									up.kev = true;
									not_lower(&in, &up, "KEV");
								}
								if (k && !r)
								{
									up = in;
									up.ransomware = true;
									not_lower(&in, &up, "ransomware");
								}
								if (ix + 1 < N(expo_grid) && expo_grid[ix] >= 0)
								{
									up = in;
									up.exposure = expo_grid[ix + 1];
									not_lower(&in, &up, "more exposure");
								}
								if (ic + 1 < N(cvss_grid) && cvss_grid[ic] >= 0)
								{
									up = in;
									up.cvss = cvss_grid[ic + 1];
									not_lower(&in, &up, "higher CVSS");
								}
								if (cr < 3)
								{
									up = in;
									up.criticality = cr + 1;
									not_lower(&in, &up, "higher criticality");
								}
								if (!cj)
								{
									up = in;
									up.crown_jewel = true;
									not_lower(&in, &up, "crown jewel");
								}
							}
}

static void
example(double cvss, double epss, bool kev, bool ransom, RiskCriticality crit, bool jewel, double expo,
		double want_score, const char *want_band)
{
	RiskInputs	in = {cvss, epss, kev, ransom, crit, jewel, expo};
	double		s = risk_score(&in);

	CHECK(fabs(s - want_score) < 0.011, "example cvss %.1f epss %g kev %d: score %.2f, want %.2f",
		  cvss, epss, kev, s, want_score);
	CHECK(strcmp(risk_priority_name(risk_priority(&in)), want_band) == 0, "example cvss %.1f epss %g: band %s, want %s",
		  cvss, epss, risk_priority_name(risk_priority(&in)), want_band);
}

static void
test_examples(void)
{
	/* the worked examples in docs/scoring.md */
	example(10.0, 1.0, true, true, RISK_CRIT_CRITICAL, true, 1.0, 100.0, "act");
	example(9.8, 0.94, true, false, RISK_CRIT_HIGH, false, 1.0, 94.51, "act");
	example(9.8, 0.001, false, false, RISK_CRIT_MEDIUM, false, 0.0, 30.33, "track");
	example(7.5, 0.2, false, false, RISK_CRIT_HIGH, false, 0.9, 71.69, "attend");
	example(5.3, -1, false, false, RISK_CRIT_LOW, false, -1, 27.30, "track");
}

int
main(void)
{
	RiskCriticality c;

	test_monotonicity();
	test_examples();
	CHECK(risk_criticality_from_name("Critical", &c) && c == RISK_CRIT_CRITICAL, "criticality names");
	CHECK(!risk_criticality_from_name("severe", &c), "unknown criticality");
	printf("test_match_score: %ld checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
