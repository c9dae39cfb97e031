/*
 * risk.h: Infracast's risk score and priority band, in plain C (no PostgreSQL headers).
 * The formula, its weights and the reasons for them are in docs/scoring.md; keep the two in step.
 */
#ifndef INFRACAST_SCORE_RISK_H
#define INFRACAST_SCORE_RISK_H

#include <stdbool.h>

/* Weights of the weighted geometric mean (they sum to 1). */
#define RISK_W_SEVERITY		0.30
#define RISK_W_THREAT		0.35
#define RISK_W_EXPOSURE		0.20
#define RISK_W_CRITICALITY	0.15

typedef enum RiskCriticality
{
	RISK_CRIT_LOW = 0,
	RISK_CRIT_MEDIUM,
	RISK_CRIT_HIGH,
	RISK_CRIT_CRITICAL
} RiskCriticality;

typedef struct RiskInputs
{
	double		cvss;			/* base score 0..10 (v4.0, else v3.1, else v2); < 0: unknown */
	double		epss;			/* probability 0..1; < 0: not in the EPSS feed */
	bool		kev;			/* in CISA's Known Exploited Vulnerabilities catalogue */
	bool		ransomware;		/* KEV says it is known to be used in ransomware campaigns */
	RiskCriticality criticality;
	bool		crown_jewel;
	double		exposure;		/* likelihood that an entry point reaches the node, 0..1; < 0: unknown */
} RiskInputs;

/* The four factors, each in (0, 1], as the score multiplies them (exposed for the docs and tests). */
typedef struct RiskFactors
{
	double		severity;
	double		threat;
	double		exposure;
	double		criticality;
} RiskFactors;

/* SSVC-style priority bands, lowest first (CISA's deployer decisions: track, track*, attend, act). */
typedef enum RiskPriority
{
	RISK_TRACK = 0,
	RISK_TRACK_STAR,
	RISK_ATTEND,
	RISK_ACT
} RiskPriority;

extern void risk_factors(const RiskInputs *in, RiskFactors *out);
extern double risk_score(const RiskInputs *in);		/* 0..100 */
extern RiskPriority risk_priority(const RiskInputs *in);
extern const char *risk_priority_name(RiskPriority p);	/* "track", "track*", "attend", "act" */
extern bool risk_criticality_from_name(const char *name, RiskCriticality *out);

/* EPSS at or above this counts as likely exploitation ("PoC" in SSVC terms) for the band. */
#define RISK_EPSS_LIKELY	0.10
/* Exposure at or above this counts as exposed for the band. */
#define RISK_EXPOSED		0.50

#endif							/* INFRACAST_SCORE_RISK_H */
