/*
 * license.h: what the other subsystems may use of the licence (PostgreSQL side).
 *
 * The licence is the one place where Infracast says no. Other subsystems call:
 *   license_require_feature("attack_paths")  at the top of each function of their area; today the
 *                                            graph's SQL analyses check "attack_paths" and the feed
 *                                            loaders "feeds"; match_vulnerabilities() checks
 *                                            "vuln_matching" and "risk_scoring" from SQL, through
 *                                            infracast.require_feature();
 *   license_require_writable(action)         before anything that must be refused in a restricted
 *                                            state; today only infracast.require_valid_license(action)
 *                                            calls it (adding nodes is refused by the node-count
 *                                            triggers, through license_check_node_count);
 *   license_allows_writes()                  to decide without raising (for a future worker that
 *                                            should skip a run rather than fail; no caller yet).
 * Reads and analyses of existing data never need a valid licence, only the feature: in a restricted
 * state (any state but valid) they keep answering.
 *
 * The file format and the plain-C checks live in license_format.h (no PostgreSQL headers).
 */
#ifndef INFRACAST_LICENSE_H
#define INFRACAST_LICENSE_H

#include "infracast.h"

/*
 * The licence's SQLSTATEs (class IC3xx, listed in docs/license.md):
 *   IC301  the action is refused because the licence is not valid (restricted state)
 *   IC302  the action would take the licensable node count past the licence's node_limit
 *   IC303  the licence does not include the feature
 */
#define ERRCODE_IC_LICENSE_RESTRICTED		MAKE_SQLSTATE('I', 'C', '3', '0', '1')
#define ERRCODE_IC_LICENSE_NODE_LIMIT		MAKE_SQLSTATE('I', 'C', '3', '0', '2')
#define ERRCODE_IC_LICENSE_FEATURE			MAKE_SQLSTATE('I', 'C', '3', '0', '3')

/* The states, in the order they are judged (the first that applies wins). */
typedef enum LicenseState
{
	LICENSE_STATE_VALID = 0,
	LICENSE_STATE_MISSING,
	LICENSE_STATE_MALFORMED,
	LICENSE_STATE_INVALID_SIGNATURE,
	LICENSE_STATE_CLOCK_ROLLBACK,
	LICENSE_STATE_NOT_YET_VALID,
	LICENSE_STATE_EXPIRED,
	LICENSE_STATE_OVER_LIMIT
} LicenseState;

/* The state now (cheap: one stat() of the file and one counter lookup per call). */
extern LicenseState license_current_state(void);
extern const char *license_state_name(LicenseState state);

/* True when the licence is valid: adding nodes, discovery and documents are allowed. */
extern bool license_allows_writes(void);

/* Raises IC301 naming the state, its reason and the fix when the licence is not valid. */
extern void license_require_writable(const char *action);

/*
 * Raises IC303 when the licence lacks the feature (22023 for a name Infracast does not know). The
 * features are those of the licence file when its signature is good, whatever its dates or the node
 * count (an expired licence still analyses existing data); with no authentic licence at all, there is
 * no feature.
 */
extern void license_require_feature(const char *feature);
extern bool license_has_feature(const char *feature);

/* license_init.c */
extern char *license_file_guc;
extern void license_shmem_request(void);
extern void license_shmem_startup(void);
extern void license_file_changed(void);

#endif							/* INFRACAST_LICENSE_H */
