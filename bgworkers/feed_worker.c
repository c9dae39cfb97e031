/*
 * feed_worker.c: the feed worker, which keeps the feeds loaded from the files operators carry in.
 *
 * Runs only with shared_preload_libraries (registered in registration.c). It connects to
 * infracast.database and, once CREATE EXTENSION infracast has been run there (it waits quietly
 * until then), loads each configured source: the bundle in infracast.feeds_dir, and the files in
 * infracast.kev_file, epss_file, nvd_dir and feodo_file.
 *
 *  - at start, and every infracast.feed_refresh_interval: each source whose content (sha256) is not
 *    what feed_status says is loaded, is loaded;
 *  - every infracast.feed_poll_interval: a source whose files changed on disk (size, mtime, names)
 *    is loaded;
 *  - infracast.refresh_feeds() wakes it through its latch: every source is loaded now.
 *
 * Each load is its own transaction; a failure is recorded in feed_status, logged as a WARNING, and
 * the worker carries on (the data loaded before stays). An unexpected error (say the database is
 * being dropped) is logged and retried with a growing back-off. SIGHUP re-reads the GUCs, SIGTERM
 * exits at the next CHECK_FOR_INTERRUPTS(), postmaster death ends the wait. It never opens a
 * network connection: offline mode is the only mode this version has.
 */
#include "feeds/feeds.h"

#include <dirent.h>
#include <sys/stat.h>

#include "access/xact.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

typedef struct FeedSource
{
	const char *kind;			/* loader kind: bundle, kev, epss, nvd, feodo */
	const char *guc;
	char	  **path;
	uint64		signature;		/* of the files when last attempted; 0 = never */
} FeedSource;

static FeedSource feed_sources[] = {
	{"bundle", "infracast.feeds_dir", &feeds_dir, 0},
	{"kev", "infracast.kev_file", &feeds_kev_file, 0},
	{"epss", "infracast.epss_file", &feeds_epss_file, 0},
	{"nvd", "infracast.nvd_dir", &feeds_nvd_dir, 0},
	{"feodo", "infracast.feodo_file", &feeds_feodo_file, 0},
};
#define N_FEED_SOURCES lengthof(feed_sources)

static uint64
fnv_mix(uint64 h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * UINT64CONST(1099511628211);
	return h;
}

/* A fingerprint of a file, or of a folder's files two levels deep: names, sizes and mtimes. */
static uint64
feeds_path_signature(const char *path, int depth)
{
	struct stat st;
	uint64		h = UINT64CONST(14695981039346656037);
	DIR		   *dir;
	struct dirent *de;

	if (stat(path, &st) != 0)
		return 1;				/* missing: a value of its own, so appearing is a change */
	h = fnv_mix(h, &st.st_size, sizeof(st.st_size));
	h = fnv_mix(h, &st.st_mtim, sizeof(st.st_mtim));
	if (!S_ISDIR(st.st_mode) || depth > 1 || (dir = opendir(path)) == NULL)
		return h;
	while ((de = readdir(dir)) != NULL)
	{
		char		sub[MAXPGPATH];
		uint64		s;

		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		s = feeds_path_signature(sub, depth + 1);
		h ^= fnv_mix(s, de->d_name, strlen(de->d_name));	/* order-independent */
	}
	closedir(dir);
	return h;
}

static void
feeds_worker_unpublish(int code, Datum arg)
{
	feeds_worker_publish(NULL);
}

/*
 * Is the extension created in this database, at this library's version? (Checked in its own
 * transaction.) After an upgrade the schema is older until ALTER EXTENSION infracast UPDATE (by
 * hand or by the startup worker): the worker waits rather than run against it.
 */
static bool
feeds_worker_extension_ready(void)
{
	bool		ready;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	feeds_spi_exec("SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'infracast' AND extversion = '" INFRACAST_EXTVERSION "'",
				   0, NULL, NULL, NULL);
	ready = SPI_processed > 0;
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	return ready;
}

/*
 * Has this file, byte for byte, already been loaded without error? (kev, epss, feodo; a bundle when
 * its manifest.json is the one loaded and every file still matches it.) NVD folders are always loaded.
 */
static bool
feeds_worker_already_loaded(const FeedSource *src, const char *path)
{
	char		file[MAXPGPATH];
	char		sha[65];
	FeedError	err = {0};
	bool		same;

	if (strcmp(src->kind, "nvd") == 0)
		return false;
	if (strcmp(src->kind, "bundle") == 0)
		snprintf(file, sizeof(file), "%s/manifest.json", path);
	else
		strlcpy(file, path, sizeof(file));
	if (feed_file_sha256(file, sha, NULL, &err) < 0)
		return false;			/* let the load report it */
	if (strcmp(src->kind, "bundle") == 0)
	{
		/* the same manifest says nothing about the files: they must still match it */
		Manifest   *m = manifest_read(path, &err);
		bool		intact = m != NULL && manifest_verify(path, m, &err) == 0;

		manifest_free(m);
		if (!intact)
			return false;
	}
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	same = feeds_status_unchanged(src->kind, path, sha);
	SPI_finish();
	return same;
}

static void
feeds_worker_load(FeedSource *src, bool forced)
{
	const char *path = *src->path;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	if (forced || !feeds_worker_already_loaded(src, path))
	{
		pgstat_report_activity(STATE_RUNNING, psprintf("loading %s from %s", src->kind, path));
		if (feeds_run(feeds_loader_for(src->kind), path, false, NULL))
			ereport(LOG, (errmsg("infracast feed worker loaded %s from \"%s\"", src->kind, path)));
	}
	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_activity(STATE_IDLE, NULL);
}

/* One pass over the sources. full: start, interval or refresh; forced: refresh_feeds(). */
static void
feeds_worker_cycle(bool full, bool forced)
{
	for (size_t i = 0; i < N_FEED_SOURCES; i++)
	{
		FeedSource *src = &feed_sources[i];
		uint64		sig;

		CHECK_FOR_INTERRUPTS();
		if (*src->path == NULL || (*src->path)[0] == '\0')
		{
			src->signature = 0;
			continue;
		}
		if (!is_absolute_path(*src->path))
		{
			if (full)
				ereport(WARNING,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s = \"%s\" is not an absolute path; the feed worker ignores it", src->guc, *src->path)));
			continue;
		}
		sig = feeds_path_signature(*src->path, 0);
		if (!full && sig == src->signature)
			continue;
		src->signature = sig;
		feeds_worker_load(src, forced);
	}
}

void
feeds_worker_main(Datum arg)
{
	MemoryContext loopcxt;
	volatile TimestampTz last_full = 0;
	volatile int backoff_s = 0;
	volatile bool said_waiting = false;
	volatile bool said_online = false;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(feeds_database, NULL, 0);
	feeds_worker_publish(MyLatch);
	before_shmem_exit(feeds_worker_unpublish, 0);
	ereport(LOG, (errmsg("infracast feed worker started in database \"%s\"", feeds_database)));

	loopcxt = AllocSetContextCreate(TopMemoryContext, "infracast feed worker", ALLOCSET_DEFAULT_SIZES);
	for (;;)
	{
		long		wait_ms = (long) feeds_poll_interval_s * 1000L;
		bool		forced;
		bool		full;
		TimestampTz now;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			for (size_t i = 0; i < N_FEED_SOURCES; i++)
				feed_sources[i].signature = 0;	/* paths may have changed: look again */
		}
		if (!feeds_offline_mode && !said_online)
		{
			ereport(LOG, (errmsg("infracast.offline_mode is off, but this version fetches nothing: feeds are read from the configured files only")));
			said_online = true;
		}
		forced = feeds_worker_take_refresh();
		now = GetCurrentTimestamp();
		full = forced || last_full == 0 ||
			TimestampDifferenceExceeds(last_full, now, feeds_refresh_interval_s * 1000);

		MemoryContextSwitchTo(loopcxt);
		PG_TRY();
		{
			if (!feeds_worker_extension_ready())
			{
				if (!said_waiting)
					ereport(LOG, (errmsg("infracast feed worker is waiting for CREATE EXTENSION infracast (or its update to %s) in database \"%s\"",
										 INFRACAST_EXTVERSION, feeds_database)));
				said_waiting = true;
			}
			else
			{
				said_waiting = false;
				feeds_worker_cycle(full, forced);
				if (full)
					last_full = now;
			}
			backoff_s = 0;
		}
		PG_CATCH();
		{
			HOLD_INTERRUPTS();
			EmitErrorReport();
			FlushErrorState();
			AbortCurrentTransaction();
			RESUME_INTERRUPTS();
			backoff_s = backoff_s == 0 ? 5 : Min(backoff_s * 2, 300);
			wait_ms = backoff_s * 1000L;
			ereport(LOG, (errmsg("infracast feed worker will try again in %d s", backoff_s)));
		}
		PG_END_TRY();
		MemoryContextSwitchTo(TopMemoryContext);
		MemoryContextReset(loopcxt);

		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, wait_ms, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}
