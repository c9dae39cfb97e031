/*
 * errors.c: SQLSTATE to HTTP status, as PostgREST maps them, and the JSON error body
 * {"code", "message", "details", "hint"} built from PostgreSQL's diagnostic fields.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "proxy.h"

int
http_status_for_sqlstate(const char *s, bool authenticated)
{
	if (s == NULL || strlen(s) != 5)
		return 500;
	if (strncmp(s, "08", 2) == 0)
		return 503;				/* connection exception */
	if (strncmp(s, "09", 2) == 0)
		return 500;				/* triggered action exception */
	if (strcmp(s, "28000") == 0)
		return 401;				/* the token's user is gone or revoked it: log in again */
	if (strncmp(s, "0L", 2) == 0 || strncmp(s, "0P", 2) == 0 || strncmp(s, "28", 2) == 0)
		return 403;				/* invalid grantor, role specification, authorization */
	if (strcmp(s, "2D000") == 0 || strcmp(s, "2F003") == 0 || strcmp(s, "2F004") == 0)
		return 500;
	if (strcmp(s, "23503") == 0 || strcmp(s, "23505") == 0 || strcmp(s, "40001") == 0)
		return 409;				/* foreign key, unique, serialization */
	if (strcmp(s, "25006") == 0)
		return 405;				/* read-only transaction */
	if (strcmp(s, "42883") == 0 || strcmp(s, "42P01") == 0 || strcmp(s, "P0002") == 0)
		return 404;				/* undefined function or table, no data found */
	if (strcmp(s, "42501") == 0)
		return authenticated ? 403 : 401;
	if (strcmp(s, "P0001") == 0)
		return 400;
	if (strncmp(s, "25", 2) == 0 || strncmp(s, "2D", 2) == 0 || strncmp(s, "38", 2) == 0 ||
		strncmp(s, "39", 2) == 0 || strncmp(s, "3B", 2) == 0 || strncmp(s, "40", 2) == 0 ||
		strncmp(s, "F0", 2) == 0 || strncmp(s, "HV", 2) == 0 || strncmp(s, "P0", 2) == 0 ||
		strncmp(s, "XX", 2) == 0 || strncmp(s, "55", 2) == 0 || strncmp(s, "58", 2) == 0)
		return 500;
	if (strncmp(s, "53", 2) == 0)
		return 503;				/* insufficient resources */
	if (strncmp(s, "54", 2) == 0)
		return 500;				/* program limit exceeded */
	if (strcmp(s, "57014") == 0)
		return 504;				/* statement timeout */
	if (strncmp(s, "57", 2) == 0)
		return 503;				/* operator intervention (shutdown) */
	if (strcmp(s, "IC503") == 0)
		return 429;				/* too many wrong passwords (self-service checks, as logins) */
	if (strcmp(s, "IC504") == 0)
		return 403;				/* a restricted token: change the password or enrol MFA first */
	if (strcmp(s, "IC303") == 0)
		return 403;				/* the licence lacks the feature (for the API itself: "api") */
	if (strcmp(s, "IC001") == 0 || strcmp(s, "IC002") == 0)
		return 403;				/* no or unknown tenant: the token's tenant is gone */
	return 400;
}

static void
put_nullable(json_object *obj, const char *key, const char *value)
{
	json_object_object_add(obj, key, value ? json_object_new_string(value) : NULL);
}

char *
error_json(const char *code, const char *message, const char *details, const char *hint)
{
	json_object *obj = json_object_new_object();
	char	   *out;

	put_nullable(obj, "code", code);
	put_nullable(obj, "message", message ? message : "");
	put_nullable(obj, "details", details);
	put_nullable(obj, "hint", hint);
	out = strdup(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(obj);
	return out;
}
