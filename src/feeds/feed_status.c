/*
 * feed_status.c: writes infracast.feed_status, including from an autonomous transaction.
 *
 * A failed SQL load must leave a committed 'error' row although the call itself ends in an ERROR
 * that aborts the caller's transaction (see feeds_load.c). PostgreSQL has no autonomous
 * transactions, so the row is written by a dynamic background worker (feed_status_recorder.c): it
 * connects to this database as the extension's owner, writes the row in its own transaction,
 * commits and exits, while this backend waits for it. Dynamic workers need no
 * shared_preload_libraries, only a free max_worker_processes slot.
 *
 * If the caller's own transaction already changed feed_status (a successful load earlier in the
 * same transaction block), the worker would wait for that row lock until our transaction ends,
 * which waits for the worker: that case, and a missing worker slot, are reported as a WARNING and
 * the error is only in the ERROR itself.
 */
#include "feeds/feeds.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "storage/dsm.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "feeds/feed_status_job.h"

static TransactionId feeds_status_written_xid = InvalidTransactionId;

static Datum
text_or_null(const char *s, char *null)
{
	*null = s ? ' ' : 'n';
	return s ? CStringGetTextDatum(s) : (Datum) 0;
}

void
feeds_status_write_ok(const FeedResult *r)
{
	Oid			types[8] = {TEXTOID, TEXTOID, TEXTOID, INT8OID, TEXTOID, TIMESTAMPTZOID, TEXTOID, TEXTOID};
	Datum		values[8];
	char		nulls[8];

	values[0] = text_or_null(r->feed, &nulls[0]);
	values[1] = text_or_null(r->source_path, &nulls[1]);
	values[2] = text_or_null(r->sha256[0] ? r->sha256 : NULL, &nulls[2]);
	values[3] = Int64GetDatum(r->rows);
	nulls[3] = ' ';
	values[4] = text_or_null(r->version, &nulls[4]);
	values[5] = TimestampTzGetDatum(r->feed_date);
	nulls[5] = r->feed_date != 0 ? ' ' : 'n';
	values[6] = text_or_null(r->warning ? "warning" : "ok", &nulls[6]);
	values[7] = text_or_null(r->message, &nulls[7]);
	feeds_spi_exec("INSERT INTO infracast.feed_status AS s "
				   "  (feed, source_path, sha256, rows, version, feed_date, loaded_at, state, message, attempted_at, attempted_path) "
				   "VALUES ($1, $2, $3, $4, $5, $6, pg_catalog.now(), $7, $8, pg_catalog.now(), $2) "
				   "ON CONFLICT (feed) DO UPDATE SET source_path = EXCLUDED.source_path, sha256 = EXCLUDED.sha256, "
				   "  rows = EXCLUDED.rows, version = EXCLUDED.version, feed_date = EXCLUDED.feed_date, "
				   "  loaded_at = EXCLUDED.loaded_at, state = EXCLUDED.state, message = EXCLUDED.message, "
				   "  attempted_at = EXCLUDED.attempted_at, attempted_path = EXCLUDED.attempted_path",
				   8, types, values, nulls);
	feeds_status_written_xid = GetTopTransactionIdIfAny();
}

/* Records a failed attempt; the description of the data in place (source_path .. loaded_at) stays. */
void
feeds_status_write_error(const char *feed, const char *path, const char *message)
{
	Oid			types[3] = {TEXTOID, TEXTOID, TEXTOID};
	Datum		values[3];
	char		nulls[3];

	values[0] = text_or_null(feed, &nulls[0]);
	values[1] = text_or_null(path, &nulls[1]);
	values[2] = text_or_null(message, &nulls[2]);
	feeds_spi_exec("INSERT INTO infracast.feed_status AS s (feed, state, message, attempted_at, attempted_path) "
				   "VALUES ($1, 'error', $3, pg_catalog.now(), $2) "
				   "ON CONFLICT (feed) DO UPDATE SET state = 'error', message = EXCLUDED.message, "
				   "  attempted_at = EXCLUDED.attempted_at, attempted_path = EXCLUDED.attempted_path",
				   3, types, values, nulls);
}

/* Is this exact file (same path and sha256) what the feed holds now, loaded without error? */
bool
feeds_status_unchanged(const char *feed, const char *path, const char *sha256)
{
	Oid			types[3] = {TEXTOID, TEXTOID, TEXTOID};
	Datum		values[3] = {CStringGetTextDatum(feed), CStringGetTextDatum(path), CStringGetTextDatum(sha256)};

	feeds_spi_exec("SELECT 1 FROM infracast.feed_status WHERE feed = $1 AND source_path = $2 "
				   "AND sha256 = $3 AND state <> 'error'", 3, types, values, NULL);
	return SPI_processed > 0;
}

void
feeds_status_record_error_autonomously(const char *feed, const char *path, const char *message)
{
	BackgroundWorker worker;
	BackgroundWorkerHandle *handle;
	dsm_segment *seg;
	FeedStatusJob *job;
	pid_t		pid;
	bool		recorded = false;

	if (TransactionIdIsValid(feeds_status_written_xid) &&
		feeds_status_written_xid == GetTopTransactionIdIfAny())
	{
		ereport(WARNING,
				(errmsg("the failure of feed \"%s\" is not recorded in infracast.feed_status", feed),
				 errdetail("This transaction already changed infracast.feed_status and is about to be rolled back."),
				 errhint("Load each feed in its own transaction.")));
		return;
	}
	seg = dsm_create(sizeof(FeedStatusJob), 0);
	job = dsm_segment_address(seg);
	memset(job, 0, sizeof(*job));
	job->database = MyDatabaseId;
	job->role = GetUserId();	/* the extension owner: the loaders are SECURITY DEFINER */
	strlcpy(job->feed, feed, sizeof(job->feed));
	strlcpy(job->path, path, sizeof(job->path));
	strlcpy(job->message, message ? message : "unknown error", sizeof(job->message));

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_ConsistentState;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	strlcpy(worker.bgw_library_name, "infracast", BGW_MAXLEN);
	strlcpy(worker.bgw_function_name, "feeds_status_recorder_main", BGW_MAXLEN);
	strlcpy(worker.bgw_name, "infracast feed status recorder", BGW_MAXLEN);
	strlcpy(worker.bgw_type, "infracast feed status recorder", BGW_MAXLEN);
	worker.bgw_main_arg = UInt32GetDatum(dsm_segment_handle(seg));
	worker.bgw_notify_pid = MyProcPid;

	if (RegisterDynamicBackgroundWorker(&worker, &handle))
	{
		if (WaitForBackgroundWorkerStartup(handle, &pid) == BGWH_STARTED)
			WaitForBackgroundWorkerShutdown(handle);
		recorded = job->done;
	}
	if (!recorded)
		ereport(WARNING,
				(errmsg("the failure of feed \"%s\" could not be recorded in infracast.feed_status", feed),
				 errdetail("%s", job->failure[0] ? job->failure : "No background worker slot was free."),
				 errhint("Raise max_worker_processes if this repeats.")));
	dsm_detach(seg);
}
