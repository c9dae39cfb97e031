/*
 * feeds.h: what the feeds subsystem offers the rest of the extension (PostgreSQL side).
 *
 * The plain-C readers live in parse/, behind parse/feeds_parse.h; the files here turn their records
 * into rows (README.md).
 * SQLSTATEs of the class IC2xx (documented in docs/feeds.md):
 *   IC201  feed file missing or unreadable          IC204  checksum mismatch (manifest.json, .meta)
 *   IC202  feed file empty                          IC205  count mismatch (count, totalResults, END n)
 *   IC203  feed file corrupt: bad gzip, bad JSON,   IC206  bad feed bundle (manifest.json, ATTRIBUTION.txt)
 *          wrong columns, bad values, truncated
 */
#ifndef FEEDS_H
#define FEEDS_H

#include "infracast.h"

#include "datatype/timestamp.h"
#include "nodes/pg_list.h"
#include "storage/latch.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "feeds/parse/feeds_parse.h"

#define ERRCODE_IC_FEED_UNREADABLE   MAKE_SQLSTATE('I', 'C', '2', '0', '1')
#define ERRCODE_IC_FEED_EMPTY        MAKE_SQLSTATE('I', 'C', '2', '0', '2')
#define ERRCODE_IC_FEED_CORRUPT      MAKE_SQLSTATE('I', 'C', '2', '0', '3')
#define ERRCODE_IC_FEED_CHECKSUM     MAKE_SQLSTATE('I', 'C', '2', '0', '4')
#define ERRCODE_IC_FEED_COUNT        MAKE_SQLSTATE('I', 'C', '2', '0', '5')
#define ERRCODE_IC_FEED_BUNDLE       MAKE_SQLSTATE('I', 'C', '2', '0', '6')

/* GUCs (feeds_init.c) */
extern char *feeds_database;
extern bool feeds_offline_mode;
extern char *feeds_dir;
extern char *feeds_kev_file;
extern char *feeds_epss_file;
extern char *feeds_nvd_dir;
extern char *feeds_feodo_file;
extern int	feeds_refresh_interval_s;
extern int	feeds_poll_interval_s;
extern int	feeds_max_age_days;

/* What one load did: becomes the feed's row in infracast.feed_status. */
typedef struct FeedResult
{
	char		feed[64];
	char	   *source_path;
	char		sha256[65];
	int64		rows;
	char	   *version;		/* or NULL */
	TimestampTz feed_date;		/* 0: unknown */
	char	   *message;		/* or NULL */
	bool		warning;
} FeedResult;

/* The feed a failing load was working on, so the error is recorded against it. */
extern char feeds_current_feed[64];
extern char feeds_current_path[1024];
extern void feeds_set_current(const char *feed, const char *path);

/* feeds_load.c: running loads */
typedef void (*FeedLoadFn) (const char *path, List **results, MemoryContext resultcxt);
/* Runs fn in a subtransaction. raise: on failure record the error (autonomously) and re-raise it;
 * otherwise record it in the current transaction, log a WARNING and return false. */
extern bool feeds_run(FeedLoadFn fn, const char *path, bool raise, List **feeds_out);
extern void feeds_raise(const FeedError *err);
extern FeedLoadFn feeds_loader_for(const char *kind);
extern void feeds_finish_result(FeedResult *r);
extern void feeds_add_result(List **results, FeedResult *r);
extern FeedResult *feeds_new_result(MemoryContext cxt, const char *feed, const char *path);

/* feed_status.c */
extern void feeds_status_write_ok(const FeedResult *r);
extern void feeds_status_write_error(const char *feed, const char *path, const char *message);
extern void feeds_status_record_error_autonomously(const char *feed, const char *path, const char *message);
extern bool feeds_status_unchanged(const char *feed, const char *path, const char *sha256);

/* feed_insert.c: multi-row inserts into a table, index entries included (COPY's path) */
typedef struct FeedInserter FeedInserter;
typedef void (*FeedInserterHook) (void *arg);
extern FeedInserter *feed_inserter_begin(Oid relid);
extern void feed_inserter_before_flush(FeedInserter *fi, FeedInserterHook hook, void *arg);
extern Datum *feed_inserter_row(FeedInserter *fi, bool **nulls);
extern void feed_inserter_store(FeedInserter *fi);
extern void feed_inserter_end(FeedInserter *fi);
extern int	feed_inserter_natts(FeedInserter *fi);
extern Oid	feeds_relid(const char *relname);
extern void feeds_spi_exec(const char *sql, int nargs, Oid *types, Datum *values, const char *nulls);

/* feeds_hash.c */
extern void feeds_hash_init(void);

/* feeds_time.c */
extern bool feeds_parse_utc(const char *s, TimestampTz *out);

/* the loaders (load_*.c) */
extern void feeds_load_kev(const char *path, List **results, MemoryContext cxt);
extern void feeds_load_epss(const char *path, List **results, MemoryContext cxt);
extern void feeds_load_feodo(const char *path, List **results, MemoryContext cxt);
extern void feeds_load_nvd(const char *path, List **results, MemoryContext cxt);
extern void feeds_load_bundle(const char *dir, List **results, MemoryContext cxt);
extern Manifest *feeds_bundle_verify(const char *dir);

/* kev_seed.c */
extern const char *feeds_kev_seed(size_t *len, const char **name);

/* feeds_shmem.c: the feed worker's wake-up */
extern void feeds_shmem_init(void);
extern void feeds_worker_publish(Latch *latch);
extern bool feeds_worker_take_refresh(void);

/* bgworkers/feed_worker.c, bgworkers/feed_status_recorder.c */
extern PGDLLEXPORT void feeds_worker_main(Datum arg);
extern PGDLLEXPORT void feeds_status_recorder_main(Datum arg);

#endif							/* FEEDS_H */
