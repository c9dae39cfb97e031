/*
 * startup_worker.c: the startup worker, which runs once each time the server starts.
 *
 * The deployment guide's first-boot checks read the server log: after an upgrade (new packages,
 * restart) it must say whether the database's schema matches the library now loaded, and which
 * licence is in force. This worker connects to infracast.database and:
 *
 *  - extension not created there: logs so, and the licence state as the library reads the file;
 *  - extension at this library's version: logs "infracast schema up to date (version X)";
 *  - extension at another version and infracast.auto_update = on: runs ALTER EXTENSION infracast
 *    UPDATE TO this library's version (the update scripts in extension/updates/, one transaction:
 *    all or nothing; lock_timeout 30 s, so a client's lock cannot stall the server's start) and logs
 *    "infracast schema migrated from X to Y"; a failed update is logged with its error and changes
 *    nothing, and the server carries on;
 *  - at another version with auto_update off (the default): a WARNING that says what to run;
 *  - then, with the extension current, logs the licence state from infracast.license_status().
 *
 * The feed and discovery workers wait until the extension is at this library's version (they
 * check extversion), so they never run against an older schema in between.
 *
 * It runs as the bootstrap superuser (ALTER EXTENSION of a superuser extension needs it), exits when
 * done, and is never restarted; SIGTERM ends it at the next interrupt check.
 */
#include "infracast.h"
#include "feeds/feeds.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "license/license.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/snapmgr.h"

PGDLLEXPORT void startup_worker_main(Datum arg);

static bool startup_auto_update = false;

/* Defines infracast.auto_update and registers the worker (with shared_preload_libraries only). */
void
startup_worker_register(void)
{
	BackgroundWorker worker;

	DefineCustomBoolVariable("infracast.auto_update",
							 "At server start, update the extension in infracast.database to the installed library's version.",
							 "Off by default: the startup worker then only logs that ALTER EXTENSION infracast UPDATE is due. "
							 "Take a pg_dump first (docs/operations.md, Upgrades).",
							 &startup_auto_update, false, PGC_SIGHUP, GUC_SUPERUSER_ONLY, NULL, NULL, NULL);
	if (!process_shared_preload_libraries_in_progress)
		return;
	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	strlcpy(worker.bgw_library_name, "infracast", BGW_MAXLEN);
	strlcpy(worker.bgw_function_name, "startup_worker_main", BGW_MAXLEN);
	strlcpy(worker.bgw_name, "infracast startup worker", BGW_MAXLEN);
	strlcpy(worker.bgw_type, "infracast startup worker", BGW_MAXLEN);
	RegisterBackgroundWorker(&worker);
}

static void
startup_begin(void)
{
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
}

static void
startup_commit(void)
{
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
}

/* The extension's version in this database, palloc'd in the caller's context; NULL when absent. */
static char *
startup_installed_version(void)
{
	char	   *version = NULL;
	MemoryContext caller = CurrentMemoryContext;

	startup_begin();
	if (SPI_execute("SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'infracast'", true, 1) != SPI_OK_SELECT)
		elog(ERROR, "reading pg_extension failed");
	if (SPI_processed > 0)
	{
		char	   *v = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

		version = MemoryContextStrdup(caller, v);
	}
	startup_commit();
	return version;
}

/* ALTER EXTENSION infracast UPDATE in a transaction of its own: true when it committed. */
static bool
startup_update(const char *from)
{
	MemoryContext caller = CurrentMemoryContext;
	volatile bool ok = false;

	PG_TRY();
	{
		startup_begin();
		pgstat_report_activity(STATE_RUNNING, "ALTER EXTENSION infracast UPDATE");
		/*
		 * A client holding a lock on one of the tables right after the restart would otherwise keep
		 * the worker waiting, and with it every query behind the locks it has taken: give up instead.
		 */
		if (SPI_execute("SET LOCAL lock_timeout = '30s'", false, 0) != SPI_OK_UTILITY)
			elog(ERROR, "SET LOCAL lock_timeout failed");
		/* to the library's own version, not whatever the control file on disk names */
		if (SPI_execute("ALTER EXTENSION infracast UPDATE TO '" INFRACAST_EXTVERSION "'", false, 0) != SPI_OK_UTILITY)
			elog(ERROR, "ALTER EXTENSION infracast UPDATE failed");
		startup_commit();
		ok = true;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(caller);
		edata = CopyErrorData();
		FlushErrorState();
		AbortCurrentTransaction();
		ereport(WARNING,
				(errmsg("infracast schema not migrated from %s to %s: %s", from, INFRACAST_EXTVERSION, edata->message),
				 edata->detail ? errdetail_internal("%s", edata->detail) : 0,
				 errhint("Nothing was changed (the update is one transaction). Run ALTER EXTENSION infracast UPDATE "
						 "by hand to see the whole error, or restore the pg_dump taken before the upgrade (docs/operations.md, Upgrades).")));
		FreeErrorData(edata);
	}
	PG_END_TRY();
	pgstat_report_activity(STATE_IDLE, NULL);
	return ok;
}

/* The licence in force, in one log line, from infracast.license_status(). */
static void
startup_log_license(void)
{
	startup_begin();
	if (SPI_execute("SELECT coalesce(state, 'unknown'), coalesce(reason, ''), coalesce(license_id, '-'), coalesce(customer, '-'), "
					"coalesce(node_limit::text, '-'), coalesce(nodes_used::text, '-'), "
					"coalesce(array_to_string(features_in_force, ','), ''), coalesce(expires_at::text, '-') "
					"FROM infracast.license_status()", true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "infracast.license_status() returned nothing");
	{
		HeapTuple	t = SPI_tuptable->vals[0];
		TupleDesc	d = SPI_tuptable->tupdesc;
		const char *state = SPI_getvalue(t, d, 1);
		bool		valid = strcmp(state, "valid") == 0;

		ereport(valid ? LOG : WARNING,
				(errmsg("infracast licence: %s, licence %s for %s, nodes %s of %s, features {%s}, expires %s",
						state, SPI_getvalue(t, d, 3), SPI_getvalue(t, d, 4), SPI_getvalue(t, d, 6),
						SPI_getvalue(t, d, 5), SPI_getvalue(t, d, 7), SPI_getvalue(t, d, 8)),
				 valid ? 0 : errdetail_internal("%s", SPI_getvalue(t, d, 2)),
				 valid ? 0 : errhint("See infracast.license_status() and docs/license.md.")));
	}
	startup_commit();
}

void
startup_worker_main(Datum arg)
{
	char	   *version;

	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(feeds_database, NULL, 0);
	pgstat_report_appname("infracast startup worker");

	version = startup_installed_version();
	if (version == NULL)
	{
		ereport(LOG,
				(errmsg("infracast startup: the extension is not created in database \"%s\"; nothing to migrate", feeds_database),
				 errhint("Run CREATE EXTENSION infracast there, or set infracast.database to the database that has it.")));
		ereport(LOG, (errmsg("infracast licence: %s (as the library reads the licence file; infracast.license_status() tells more once the extension exists)",
							 license_state_name(license_current_state()))));
		proc_exit(0);
	}
	if (strcmp(version, INFRACAST_EXTVERSION) == 0)
		ereport(LOG, (errmsg("infracast schema up to date (version %s in database \"%s\")", version, feeds_database)));
	else if (!startup_auto_update)
	{
		ereport(WARNING,
				(errmsg("infracast schema is at version %s but the library is %s, and infracast.auto_update is off", version, INFRACAST_EXTVERSION),
				 errdetail("The feed and discovery workers wait until the schema matches the library."),
				 errhint("After a pg_dump, run ALTER EXTENSION infracast UPDATE in database \"%s\", or set infracast.auto_update = on and restart (docs/operations.md, Upgrades).",
						 feeds_database)));
		ereport(LOG, (errmsg("infracast licence: %s (as the library reads the licence file)",
							 license_state_name(license_current_state()))));
		proc_exit(0);
	}
	else if (startup_update(version))
		ereport(LOG, (errmsg("infracast schema migrated from %s to %s in database \"%s\"", version, INFRACAST_EXTVERSION, feeds_database)));
	else
	{
		ereport(LOG, (errmsg("infracast licence: %s (as the library reads the licence file)",
							 license_state_name(license_current_state()))));
		proc_exit(0);
	}
	startup_log_license();
	proc_exit(0);
}
