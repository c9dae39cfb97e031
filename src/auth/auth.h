/*
 * auth.h: the login building blocks of the API (argon2id passwords, RFC 6238 TOTP).
 *
 * Only SQL functions are exported (see extension/sql/90_api.sql); this header holds the cost
 * parameters so that they are stated once.
 */
#ifndef INFRACAST_AUTH_H
#define INFRACAST_AUTH_H

#include <sodium.h>

/*
 * argon2id cost: libsodium's "interactive" level (2 passes, 64 MiB). A login is then about a
 * tenth of a second of one core, which is also what makes guessing slow; login rate limiting in
 * infracast.api_login() bounds how many guesses reach it.
 */
#define AUTH_PWHASH_OPSLIMIT crypto_pwhash_OPSLIMIT_INTERACTIVE
#define AUTH_PWHASH_MEMLIMIT crypto_pwhash_MEMLIMIT_INTERACTIVE

/*
 * SQLSTATEs of the API (class IC5xx):
 *   IC501  login refused: wrong tenant, user, password or TOTP code
 *   IC502  TOTP code already used (replay)
 *   IC503  too many failed logins (rate limited)
 *   IC504  the password must be changed first / MFA enrolment required
 */

#endif							/* INFRACAST_AUTH_H */
