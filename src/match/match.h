/*
 * match.h: what the matching subsystem offers the rest of the extension (server side), and its
 * error codes (docs/matching.md lists them):
 *   22P02  malformed CPE name or version string (the message names the field or argument)
 *   22023  unknown version scheme
 *   IC401  no NVD configurations are loaded: matching would call every finding fixed
 *
 * The plain-C cores are match/cpe.h, match/version.h and match/nvd_config.h.
 */
#ifndef INFRACAST_MATCH_H
#define INFRACAST_MATCH_H

#include "infracast.h"

#include "match/cpe.h"

#define ERRCODE_IC_NO_NVD_DATA		MAKE_SQLSTATE('I', 'C', '4', '0', '1')

/* Parse a CPE (either binding) or raise 22P02 naming the bad attribute. */
extern void match_cpe_parse_or_error(const char *s, size_t len, Cpe *out);

#endif							/* INFRACAST_MATCH_H */
