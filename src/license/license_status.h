/*
 * license_status.h: the judged licence, handed from license_state.c to the SQL functions and triggers
 * of license_sql.c. Internal to the licence subsystem (other subsystems use license.h).
 */
#ifndef INFRACAST_LICENSE_STATUS_H
#define INFRACAST_LICENSE_STATUS_H

#include "license/license.h"
#include "license/license_format.h"

typedef struct LicenseStatus
{
	LicenseState state;
	char	   *reason;
	char	   *path;				/* NULL when infracast.license_file is unset */
	const LicenseClaims *claims;	/* the file's claims when its signature is good, else NULL */
	const char *fingerprint;		/* of the key embedded in this build */
	bool		development_key;
	bool		counters_available; /* the licence tables exist in this database */
	int64		nodes_used;
	bool		has_highest_seen;
	int64		highest_seen;		/* Unix seconds */
	int64		now;				/* Unix seconds, the time judged at */
	char	  **remembered_features;	/* of the last authentic licence, when the file is not one */
	int			n_remembered_features;
	char	   *remembered_license_id;
} LicenseStatus;

extern void license_evaluate(LicenseStatus *s);
extern void license_note_state(const LicenseStatus *s);
extern const char *license_state_fix(const LicenseStatus *s);
extern char *license_features_text(const LicenseClaims *c);
extern void license_check_node_count(int64 added, int64 total);

#endif							/* INFRACAST_LICENSE_STATUS_H */
