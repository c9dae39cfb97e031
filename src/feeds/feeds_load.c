/*
 * feeds_load.c: how every feed load runs, and the SQL entry points.
 *
 * A load must never lose the data already in place, yet must leave a visible record of why it
 * failed, and the SQL call must still fail with an ERROR. Those pull against each other: the ERROR
 * aborts the caller's transaction, and with it anything written to feed_status. So:
 *
 *  1. The loader runs inside a subtransaction. On failure the subtransaction is rolled back, so the
 *     feed's tables are exactly as before (nothing was replaced), and the error is caught.
 *  2. SQL calls (raise = true) then record the error in feed_status from a short-lived background
 *     worker that runs its own transaction and commits it (an autonomous transaction, see
 *     feed_status.c), wait for it, and re-raise the original error unchanged. The caller sees the
 *     ERROR; every session sees state 'error' with the reason; the old rows are still there.
 *  3. The feed worker (raise = false) records the error in its own transaction, which it commits,
 *     and logs a WARNING instead: one bad file never stops it or the other feeds.
 *
 * On success the feed's feed_status row is written in the caller's transaction, so it commits (or
 * not) together with the data.
 */
#include "feeds/feeds.h"
#include "license/license.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/fd.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(infracast_feeds_load);

char		feeds_current_feed[64];
char		feeds_current_path[1024];

void
feeds_set_current(const char *feed, const char *path)
{
	strlcpy(feeds_current_feed, feed, sizeof(feeds_current_feed));
	strlcpy(feeds_current_path, path, sizeof(feeds_current_path));
}

/* Raises a reader's error with the SQLSTATE of its kind. */
void
feeds_raise(const FeedError *err)
{
	int			code;
	const char *hint;

	switch (err->kind)
	{
		case FEED_ERR_IO:
			code = ERRCODE_IC_FEED_UNREADABLE;
			hint = "Check the path and that the PostgreSQL server's operating-system user can read the file.";
			break;
		case FEED_ERR_EMPTY:
			code = ERRCODE_IC_FEED_EMPTY;
			hint = "The file holds no records; copy the feed file again.";
			break;
		case FEED_ERR_GZIP:
		case FEED_ERR_FORMAT:
			code = ERRCODE_IC_FEED_CORRUPT;
			hint = "The file is damaged or not the feed it claims to be; copy it again from the source. The data already loaded is unchanged.";
			break;
		case FEED_ERR_CHECKSUM:
			code = ERRCODE_IC_FEED_CHECKSUM;
			hint = "The file differs from the one its checksum describes; copy the file and its checksum again. The data already loaded is unchanged.";
			break;
		case FEED_ERR_COUNT:
			code = ERRCODE_IC_FEED_COUNT;
			hint = "The file is incomplete or was edited; copy it again from the source. The data already loaded is unchanged.";
			break;
		default:
			code = ERRCODE_INTERNAL_ERROR;
			hint = NULL;
	}
	ereport(ERROR, (errcode(code), errmsg("%s", err->msg), hint ? errhint("%s", hint) : 0));
}

FeedResult *
feeds_new_result(MemoryContext cxt, const char *feed, const char *path)
{
	FeedResult *r = MemoryContextAllocZero(cxt, sizeof(FeedResult));

	strlcpy(r->feed, feed, sizeof(r->feed));
	r->source_path = MemoryContextStrdup(cxt, path);
	return r;
}

/* Appends r to the results, in r's own (long-lived) memory context: loaders run inside SPI. */
void
feeds_add_result(List **results, FeedResult *r)
{
	MemoryContext old = MemoryContextSwitchTo(GetMemoryChunkContext(r));

	*results = lappend(*results, r);
	MemoryContextSwitchTo(old);
}

/* Marks a result as a warning when the feed says it is older than infracast.feed_max_age. */
void
feeds_finish_result(FeedResult *r)
{
	MemoryContext cxt = GetMemoryChunkContext(r);

	if (feeds_max_age_days > 0 && r->feed_date != 0)
	{
		TimestampTz now = GetCurrentTransactionStartTimestamp();
		int64		age_days = (now - r->feed_date) / USECS_PER_DAY;

		if (age_days > feeds_max_age_days)
		{
			r->warning = true;
			r->message = MemoryContextStrdup(cxt, psprintf("stale: the feed is dated %s, %lld days ago (infracast.feed_max_age is %d days)%s%s",
														   timestamptz_to_str(r->feed_date), (long long) age_days,
														   feeds_max_age_days, r->message ? "; " : "",
														   r->message ? r->message : ""));
		}
	}
}

/* Runs fn in a subtransaction; returns NULL on success, else the error (the subtransaction is gone). */
static ErrorData *
feeds_run_subxact(FeedLoadFn fn, const char *path, List **results)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	ErrorData  *volatile edata = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcxt);
	PG_TRY();
	{
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		fn(path, results, oldcxt);
		SPI_finish();
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
	}
	PG_END_TRY();
	return edata;
}

bool
feeds_run(FeedLoadFn fn, const char *path, bool raise, List **feeds_out)
{
	List	   *results = NIL;
	ErrorData  *edata;
	ListCell   *lc;

	feeds_set_current("unknown", path);
	edata = feeds_run_subxact(fn, path, &results);

	if (edata != NULL)
	{
		char	   *feed = pstrdup(feeds_current_feed);
		char	   *fpath = pstrdup(feeds_current_path);

		if (raise)
		{
			feeds_status_record_error_autonomously(feed, fpath, edata->message);
			ReThrowError(edata);
		}
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		feeds_status_write_error(feed, fpath, edata->message);
		SPI_finish();
		ereport(WARNING,
				(errcode(edata->sqlerrcode),
				 errmsg("infracast feed \"%s\" was not loaded from \"%s\": %s", feed, fpath, edata->message),
				 errdetail("The data loaded before is unchanged; infracast.feed_status records the error.")));
		FreeErrorData(edata);
		return false;
	}

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	foreach(lc, results)
	{
		FeedResult *r = (FeedResult *) lfirst(lc);

		feeds_status_write_ok(r);
		if (feeds_out)
			*feeds_out = lappend(*feeds_out, pstrdup(r->feed));
	}
	SPI_finish();
	return true;
}

FeedLoadFn
feeds_loader_for(const char *kind)
{
	if (strcmp(kind, "kev") == 0)
		return feeds_load_kev;
	if (strcmp(kind, "epss") == 0)
		return feeds_load_epss;
	if (strcmp(kind, "nvd") == 0)
		return feeds_load_nvd;
	if (strcmp(kind, "feodo") == 0)
		return feeds_load_feodo;
	if (strcmp(kind, "bundle") == 0)
		return feeds_load_bundle;
	return NULL;
}

/*
 * infracast._feeds_load(kind text, path text) RETURNS text[]: loads, and names the feed_status rows
 * written. SECURITY DEFINER (the tables belong to the extension's owner); EXECUTE is granted only to
 * infracast_operator and pg_read_server_files: feeds are shared by every tenant, so a tenant's
 * infracast_admin may not load them (infracast._feeds_load_status tells it so, naming the operator).
 */
Datum
infracast_feeds_load(PG_FUNCTION_ARGS)
{
	char	   *kind;
	char	   *path;
	FeedLoadFn	fn;
	List	   *feeds = NIL;
	Datum	   *elems;
	int			i = 0;
	ListCell   *lc;

	/* Loading feeds is a licensed feature (IC303 when the licence lacks it). */
	license_require_feature("feeds");

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the feed path must not be null"),
				 errhint("Pass the absolute path of a feed file or folder on the database server.")));
	kind = text_to_cstring(PG_GETARG_TEXT_PP(0));
	path = text_to_cstring(PG_GETARG_TEXT_PP(1));
	fn = feeds_loader_for(kind);
	if (fn == NULL)
		elog(ERROR, "unknown feed kind \"%s\"", kind);
	if (!is_absolute_path(path))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("feed path \"%s\" is not absolute", path),
				 errhint("Pass an absolute path on the database server, such as /var/lib/infracast/feeds/kev.json.")));
	canonicalize_path(path);
	feeds_run(fn, path, true, &feeds);
	elems = palloc(sizeof(Datum) * (list_length(feeds) + 1));
	foreach(lc, feeds)
		elems[i++] = CStringGetTextDatum((char *) lfirst(lc));
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, i, TEXTOID, -1, false, TYPALIGN_INT));
}
