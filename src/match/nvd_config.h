/*
 * nvd_config.h: NVD 2.0 applicability statements ("configurations"), evaluated exactly, in plain C.
 *
 * A CVE has configurations; it applies when any configuration holds. A configuration joins its
 * nodes with AND or OR (and may be negated); a node joins its cpeMatch entries with AND or OR (and
 * may be negated). An entry names software by a CPE pattern, optionally narrowed by version bounds
 * (versionStartIncluding/Excluding, versionEndIncluding/Excluding); "vulnerable": false marks the
 * platform an application must run on ("running on/with" configurations: AND of a node of
 * vulnerable applications and a node of platforms).
 *
 * The caller decides which entries match the inventory (applicability_entry_matches); applicability_cve_applies then
 * says whether the CVE applies and which matched entries are the vulnerable software to report.
 */
#ifndef INFRACAST_MATCH_NVD_CONFIG_H
#define INFRACAST_MATCH_NVD_CONFIG_H

#include <stdbool.h>

#include "match/cpe.h"

/* Version bounds of one cpeMatch entry; NULL or "" means the bound is absent. */
typedef struct NvdRange
{
	const char *start_including;
	const char *start_excluding;
	const char *end_including;
	const char *end_excluding;
} NvdRange;

typedef struct NvdEntry
{
	bool		vulnerable;
	bool		matched;		/* set by the caller: some inventory CPE satisfies the entry */
} NvdEntry;

typedef struct NvdNode
{
	bool		op_and;
	bool		negate;
	int			first_entry;	/* entries[first_entry .. first_entry + n_entries) */
	int			n_entries;
} NvdNode;

typedef struct NvdConfiguration
{
	bool		op_and;			/* NVD leaves the operator out for one node: OR */
	bool		negate;
	int			first_node;		/* nodes[first_node .. first_node + n_nodes) */
	int			n_nodes;
} NvdConfiguration;

typedef struct NvdCve
{
	int			n_configurations;
	const NvdConfiguration *configurations;
	const NvdNode *nodes;
	const NvdEntry *entries;
} NvdCve;

/* Is the version within the bounds (generic ordering)? True when there are no bounds. */
extern bool applicability_version_in_range(const char *version, const NvdRange *range);

/* True when the range has at least one bound. */
extern bool applicability_range_present(const NvdRange *range);

/*
 * Does the candidate (an inventory CPE) satisfy the entry? Name match (NISTIR 7696) of the criteria
 * against the candidate; with bounds, the candidate must also carry a literal version inside them
 * (an unknown version never satisfies a range: we report what we can show).
 */
extern bool applicability_entry_matches(const Cpe *criteria, const NvdRange *range, const Cpe *candidate);

/* The same, ignoring the candidate attributes in skip_mask (see cpe_name_match_except). */
extern bool applicability_entry_matches_except(const Cpe *criteria, const NvdRange *range,
											   const Cpe *candidate, unsigned skip_mask);

/*
 * Does the CVE apply, given entries[].matched? When it does and `culprit` is not NULL,
 * culprit[i] is set for every vulnerable, matched entry in a true, non-negated node of a
 * configuration that holds: the software to report. A CVE whose holding configurations match
 * only platforms (no vulnerable entry) does not apply.
 */
extern bool applicability_cve_applies(const NvdCve *cve, bool *culprit);

#endif							/* INFRACAST_MATCH_NVD_CONFIG_H */
