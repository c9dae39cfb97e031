/*
 * version.h: version comparison schemes in plain C (no PostgreSQL headers).
 *
 *   debian   dpkg's ordering: [epoch:]upstream[-revision], "~" before everything
 *   rpm      rpmvercmp with epoch and release: [epoch:]version[-release], "~" and "^"
 *   semver   Semantic Versioning 2.0.0 (pre-release ordering, build metadata ignored)
 *   generic  numeric and alphabetic segments, as NVD version bounds need ("14su5", "1.1.1n")
 *
 * Each comparison returns <0, 0 or >0. The debian, rpm and semver forms can be malformed; then the
 * function returns false and fills VersionError (which argument, why).
 */
#ifndef INFRACAST_MATCH_VERSION_H
#define INFRACAST_MATCH_VERSION_H

#include <stdbool.h>

typedef enum VersionScheme
{
	VERSION_GENERIC = 0,
	VERSION_DEBIAN,
	VERSION_RPM,
	VERSION_SEMVER
} VersionScheme;

typedef struct VersionError
{
	int			arg;			/* 1 or 2: which version was malformed */
	char		message[160];
} VersionError;

/* Scheme by name ("generic", "debian", "rpm", "semver"); false when unknown. */
extern bool version_scheme_from_name(const char *name, VersionScheme *out);

/* Compare a and b under a scheme; false (with err) when either is malformed for it. */
extern bool version_compare(VersionScheme scheme, const char *a, const char *b, int *result,
							VersionError *err);

/* The schemes one by one. generic never fails. */
extern int	version_cmp_generic(const char *a, const char *b);
extern bool version_cmp_debian(const char *a, const char *b, int *result, VersionError *err);
extern bool version_cmp_rpm(const char *a, const char *b, int *result, VersionError *err);
extern bool version_cmp_semver(const char *a, const char *b, int *result, VersionError *err);

#endif							/* INFRACAST_MATCH_VERSION_H */
