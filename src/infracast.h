/*
 * infracast.h: what every subsystem of the extension may use.
 *
 * Each subsystem (src/<name>/) keeps its own header for what it exports; this one holds only the
 * module-wide pieces: the extension's own SQLSTATEs, the subsystem initialisers called from
 * _PG_init, and the tenant accessors.
 *
 * Files that speak json-c must not include this header (it pulls in postgres.h).
 */
#ifndef INFRACAST_H
#define INFRACAST_H

#include "postgres.h"

/*
 * The extension's own SQLSTATE class "IC" (documented in docs/errors.md). Standard SQLSTATEs are
 * used wherever one fits; these are for states no standard code names.
 *   IC001  no tenant set for this transaction or session
 *   IC002  unknown tenant
 *   IC003  unknown node or edge kind
 *   IC004  import document names a node that does not exist (strict import)
 *   IC1xx  graph engine            IC2xx  feeds            IC3xx  licence
 *   IC4xx  matching and scoring   IC5xx  REST API and proxy
 */
#define ERRCODE_IC_NO_TENANT          MAKE_SQLSTATE('I', 'C', '0', '0', '1')
#define ERRCODE_IC_UNKNOWN_TENANT     MAKE_SQLSTATE('I', 'C', '0', '0', '2')
#define ERRCODE_IC_UNKNOWN_KIND       MAKE_SQLSTATE('I', 'C', '0', '0', '3')
#define ERRCODE_IC_UNKNOWN_NODE_REF   MAKE_SQLSTATE('I', 'C', '0', '0', '4')

/* Subsystem initialisers, called once from _PG_init (GUCs, hooks, workers). */
extern void tenant_init(void);
extern void graph_init(void);
extern void feeds_init(void);
extern void license_init(void);
extern void discovery_init(void);
extern void discovery_worker_register(void);
extern void bgworkers_init(void);
extern void startup_worker_register(void);

/* The current tenant: tenant_current() raises IC001 when none is set. */
extern bool tenant_is_set(void);
extern int64 tenant_current(void);

/*
 * privileged.c: SPI as the bootstrap superuser, in a restricted security context, for lookups
 * that must bypass row-level security. pin_search_path: run with search_path pg_catalog, pg_temp
 * (required whenever the queries name an operator or function). An ERROR in between is cleaned
 * up by the transaction's abort.
 */
typedef struct IcPrivileged
{
	Oid			save_user;
	int			save_sec;
	int			guc_level;
} IcPrivileged;

extern void ic_privileged_enter(IcPrivileged *p, bool pin_search_path);
extern void ic_privileged_leave(IcPrivileged *p);

#endif							/* INFRACAST_H */
