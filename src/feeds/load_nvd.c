/*
 * load_nvd.c: infracast.load_nvd(path): NVD 2.0 feed files into infracast.cve and cve_cpe_match.
 *
 * path is one .json/.json.gz file or a folder of them (year files first, then modified, then
 * recent). Each file is a "file feed" named after it ('2002', 'modified', 'recent'; feed_status
 * row 'nvd:<name>'), and every CVE row remembers the file feed that gave it (cve.nvd_feed).
 *
 *  - A year file replaces its file feed: the CVEs it gave last time are deleted first, so a CVE
 *    dropped from the file goes too.
 *  - Every file then upserts by lastModified: a CVE already present (from another file feed, e.g.
 *    the modified feed) is replaced only when the file's version is at least as new; an older
 *    version is skipped and the newer one stays.
 *
 * The file is streamed (parse/nvd_stream.c): one CVE in memory at a time. Which CVEs exist already is
 * read once into a hash (id -> lastModified), so the common case, a CVE not present, goes straight
 * into the multi-insert path; a present one has its old rows deleted by id first. The hash holds
 * the CVEs already in the database, never the file's. Those deletes are collected and made a
 * thousand ids at a time (= ANY($1)), always before either table gets a batch of new rows, so an
 * old row is gone before a new one with its key goes in.
 */
#include "feeds/feeds.h"

#include <dirent.h>
#include <sys/stat.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/fd.h"
#include "storage/ipc.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

typedef struct CveSeen
{
	char		id[32];
	TimestampTz last_modified;
} CveSeen;

#define NVD_DELETE_BATCH 1000

typedef struct NvdLoad
{
	const char *path;
	char		feed[64];
	HTAB	   *existing;
	SPIPlanPtr	delete_cve;		/* ... WHERE id = ANY($1) */
	SPIPlanPtr	delete_cpe;
	MemoryContext loadcxt;
	Datum	   *replacing;		/* ids (text, in loadcxt) of CVEs whose old rows are still there */
	int			nreplacing;
	FeedInserter *cve_ins;
	FeedInserter *cpe_ins;
	Datum		feed_d;
	int32		score_typmod;
	int64		inserted;
	int64		replaced;
	int64		kept;
} NvdLoad;

/*
 * The stream being loaded, so that a FATAL exit in the middle of a load (pg_terminate_backend,
 * SIGTERM of the feed worker), which leaves without running PG_FINALLY, still stops and joins the
 * stream's parse thread before the process exits.
 */
static NvdStream *nvd_active_stream = NULL;
static bool nvd_exit_hook_set = false;

static void
nvd_close_at_exit(int code, Datum arg)
{
	NvdStream  *s = nvd_active_stream;

	nvd_active_stream = NULL;
	nvd_close(s);
}

static HTAB *
nvd_existing_cves(void)
{
	HASHCTL		ctl;
	HTAB	   *h;
	Portal		portal;

	ctl.keysize = 32;
	ctl.entrysize = sizeof(CveSeen);
	ctl.hcxt = CurrentMemoryContext;
	h = hash_create("infracast existing CVEs", 1024, &ctl, HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	portal = SPI_cursor_open_with_args(NULL, "SELECT id, last_modified FROM infracast.cve",
									   0, NULL, NULL, NULL, false, 0);
	for (;;)
	{
		SPI_cursor_fetch(portal, true, 10000);
		if (SPI_processed == 0)
			break;
		for (uint64 i = 0; i < SPI_processed; i++)
		{
			bool		isnull;
			HeapTuple	t = SPI_tuptable->vals[i];
			char	   *id = TextDatumGetCString(SPI_getbinval(t, SPI_tuptable->tupdesc, 1, &isnull));
			CveSeen    *e;

			if (strlen(id) >= 32)
				continue;
			e = hash_search(h, id, HASH_ENTER, NULL);
			e->last_modified = DatumGetTimestampTz(SPI_getbinval(t, SPI_tuptable->tupdesc, 2, &isnull));
			pfree(id);
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	return h;
}

static Datum
nvd_text(const char *s, bool *isnull)
{
	*isnull = (s == NULL);
	return s ? CStringGetTextDatum(s) : (Datum) 0;
}

static void
nvd_cvss_columns(NvdLoad *ld, const NvdCvss *c, Datum *v, bool *isnull)
{
	char		buf[32];

	isnull[0] = isnull[1] = isnull[2] = !c->present;
	if (!c->present)
		return;
	snprintf(buf, sizeof(buf), "%.1f", c->score);
	v[0] = DirectFunctionCall3(numeric_in, CStringGetDatum(buf), ObjectIdGetDatum(InvalidOid),
							   Int32GetDatum(ld->score_typmod));
	v[1] = nvd_text(c->vector, &isnull[1]);
	v[2] = nvd_text(c->severity, &isnull[2]);
}

static void
nvd_ts(NvdLoad *ld, const NvdCve *cve, const char *s, const char *what, Datum *v, bool *isnull)
{
	TimestampTz ts;

	*isnull = (s == NULL);
	if (s == NULL)
		return;
	if (!feeds_parse_utc(s, &ts))
		ereport(ERROR,
				(errcode(ERRCODE_IC_FEED_CORRUPT),
				 errmsg("NVD file \"%s\": %s of %s is not a date-time: \"%s\"", ld->path, what, cve->id, s)));
	*v = TimestampTzGetDatum(ts);
}

static void
nvd_store_cve(NvdLoad *ld, const NvdCve *cve)
{
	bool	   *isnull;
	Datum	   *v = feed_inserter_row(ld->cve_ins, &isnull);
	Datum		cwes[64];

	v[0] = CStringGetTextDatum(cve->id);
	v[1] = nvd_text(cve->source_identifier, &isnull[1]);
	nvd_ts(ld, cve, cve->published, "published", &v[2], &isnull[2]);
	nvd_ts(ld, cve, cve->last_modified, "lastModified", &v[3], &isnull[3]);
	v[4] = CStringGetTextDatum(cve->vuln_status);
	v[5] = nvd_text(cve->description, &isnull[5]);
	nvd_cvss_columns(ld, &cve->v40, &v[6], &isnull[6]);
	nvd_cvss_columns(ld, &cve->v31, &v[9], &isnull[9]);
	nvd_cvss_columns(ld, &cve->v30, &v[12], &isnull[12]);
	nvd_cvss_columns(ld, &cve->v2, &v[15], &isnull[15]);
	for (int i = 0; i < cve->ncwes; i++)
		cwes[i] = CStringGetTextDatum(cve->cwes[i]);
	v[18] = PointerGetDatum(construct_array(cwes, cve->ncwes, TEXTOID, -1, false, TYPALIGN_INT));
	v[19] = ld->feed_d;
	feed_inserter_store(ld->cve_ins);

	for (int m = 0; m < cve->nmatches; m++)
	{
		const NvdCpeMatch *x = &cve->matches[m];

		v = feed_inserter_row(ld->cpe_ins, &isnull);
		v[0] = CStringGetTextDatum(cve->id);
		v[1] = Int32GetDatum(x->config_index);
		v[2] = nvd_text(x->config_operator, &isnull[2]);
		v[3] = BoolGetDatum(x->config_negate);
		v[4] = Int32GetDatum(x->node_index);
		v[5] = CStringGetTextDatum(x->node_operator);
		v[6] = BoolGetDatum(x->node_negate);
		v[7] = Int32GetDatum(x->match_index);
		v[8] = BoolGetDatum(x->vulnerable);
		v[9] = CStringGetTextDatum(x->criteria);
		v[10] = nvd_text(x->match_criteria_id, &isnull[10]);
		for (int a = 0; a < CPE_NATTRS; a++)
			v[11 + a] = CStringGetTextDatum(x->cpe[a]);
		v[22] = nvd_text(x->version_start_including, &isnull[22]);
		v[23] = nvd_text(x->version_start_excluding, &isnull[23]);
		v[24] = nvd_text(x->version_end_including, &isnull[24]);
		v[25] = nvd_text(x->version_end_excluding, &isnull[25]);
		feed_inserter_store(ld->cpe_ins);
	}
}

/*
 * Deletes the old rows of the CVEs being replaced. Runs before either inserter writes a batch (its
 * before-flush hook), when a thousand ids are waiting, and at the end.
 */
static void
nvd_delete_replaced(void *arg)
{
	NvdLoad    *ld = arg;
	Datum		ids;

	if (ld->nreplacing == 0)
		return;
	ids = PointerGetDatum(construct_array(ld->replacing, ld->nreplacing, TEXTOID, -1, false, TYPALIGN_INT));
	if (SPI_execute_plan(ld->delete_cpe, &ids, NULL, false, 0) < 0 ||
		SPI_execute_plan(ld->delete_cve, &ids, NULL, false, 0) < 0)
		elog(ERROR, "could not delete the previous versions of %d CVEs", ld->nreplacing);
	pfree(DatumGetPointer(ids));
	for (int i = 0; i < ld->nreplacing; i++)
		pfree(DatumGetPointer(ld->replacing[i]));
	ld->nreplacing = 0;
}

/* Notes a CVE whose old rows must go before its new ones are written. */
static void
nvd_replace_cve(NvdLoad *ld, const char *id)
{
	MemoryContext old = MemoryContextSwitchTo(ld->loadcxt);

	ld->replacing[ld->nreplacing++] = CStringGetTextDatum(id);
	MemoryContextSwitchTo(old);
	if (ld->nreplacing == NVD_DELETE_BATCH)
		nvd_delete_replaced(ld);
}

static void
nvd_load_file(const char *path, List **results, MemoryContext cxt)
{
	FeedError	err = {0};
	NvdLoad		ld = {0};
	FeedResult *r;
	NvdStream  *s;
	char		name[64];
	bool		upsert_only;
	MemoryContext loadcxt,
				cvecxt,
				old;

	if (!nvd_file_feed(path, ld.feed, sizeof(ld.feed)))
		ereport(ERROR,
				(errcode(ERRCODE_IC_FEED_UNREADABLE),
				 errmsg("\"%s\" is not an NVD feed file name", path),
				 errhint("NVD feed files are named like nvdcve-2.0-2024.json.gz, nvdcve-2.0-modified.json or nvdcve-2024.json.")));
	snprintf(name, sizeof(name), "nvd:%s", ld.feed);
	feeds_set_current(name, path);
	ld.path = path;
	upsert_only = (strcmp(ld.feed, "modified") == 0 || strcmp(ld.feed, "recent") == 0);
	r = feeds_new_result(cxt, name, path);

	loadcxt = AllocSetContextCreate(CurrentMemoryContext, "infracast NVD load", ALLOCSET_DEFAULT_SIZES);
	cvecxt = AllocSetContextCreate(loadcxt, "infracast NVD CVE", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(loadcxt);
	if (!nvd_exit_hook_set)
	{
		before_shmem_exit(nvd_close_at_exit, (Datum) 0);
		nvd_exit_hook_set = true;
	}
	s = nvd_open(path, &err);
	if (s == NULL)
		feeds_raise(&err);
	nvd_active_stream = s;
	PG_TRY();
	{
		Oid			textoid = TEXTOID;
		Oid			textarrayoid = TEXTARRAYOID;
		NvdCve		cve;
		int			rc;

		if (!upsert_only)
		{
			Datum		f = CStringGetTextDatum(ld.feed);

			feeds_spi_exec("DELETE FROM infracast.cve_cpe_match m USING infracast.cve c "
						   "WHERE m.cve_id = c.id AND c.nvd_feed = $1", 1, &textoid, &f, NULL);
			feeds_spi_exec("DELETE FROM infracast.cve WHERE nvd_feed = $1", 1, &textoid, &f, NULL);
		}
		ld.existing = nvd_existing_cves();
		ld.delete_cpe = SPI_prepare("DELETE FROM infracast.cve_cpe_match WHERE cve_id = ANY ($1)", 1, &textarrayoid);
		ld.delete_cve = SPI_prepare("DELETE FROM infracast.cve WHERE id = ANY ($1)", 1, &textarrayoid);
		if (ld.delete_cpe == NULL || ld.delete_cve == NULL)
			elog(ERROR, "SPI_prepare failed");
		ld.feed_d = CStringGetTextDatum(ld.feed);
		ld.score_typmod = ((3 << 16) | 1) + VARHDRSZ;
		ld.loadcxt = loadcxt;
		ld.replacing = palloc(sizeof(Datum) * NVD_DELETE_BATCH);
		ld.cve_ins = feed_inserter_begin(feeds_relid("cve"));
		ld.cpe_ins = feed_inserter_begin(feeds_relid("cve_cpe_match"));
		feed_inserter_before_flush(ld.cve_ins, nvd_delete_replaced, &ld);
		feed_inserter_before_flush(ld.cpe_ins, nvd_delete_replaced, &ld);

		for (;;)
		{
			CveSeen    *seen;
			TimestampTz lm;

			CHECK_FOR_INTERRUPTS();
			MemoryContextReset(cvecxt);
			MemoryContextSwitchTo(cvecxt);
			rc = nvd_next(s, &cve, &err);
			if (rc <= 0)
				break;
			if (!feeds_parse_utc(cve.last_modified, &lm))
				ereport(ERROR,
						(errcode(ERRCODE_IC_FEED_CORRUPT),
						 errmsg("NVD file \"%s\": lastModified of %s is not a date-time: \"%s\"", path, cve.id, cve.last_modified)));
			seen = hash_search(ld.existing, cve.id, HASH_FIND, NULL);
			if (seen != NULL)
			{
				if (seen->last_modified > lm)
				{
					ld.kept++;
					continue;
				}
				nvd_replace_cve(&ld, cve.id);
				hash_search(ld.existing, cve.id, HASH_REMOVE, NULL);
				ld.replaced++;
			}
			else
				ld.inserted++;
			nvd_store_cve(&ld, &cve);
		}
		MemoryContextSwitchTo(loadcxt);
		if (rc < 0)
			feeds_raise(&err);
		nvd_delete_replaced(&ld);
		feed_inserter_end(ld.cve_ins);
		feed_inserter_end(ld.cpe_ins);

		/* the digest of the bytes this load read, not of a second read of the path */
		nvd_file_sha256(s, r->sha256);
		r->rows = nvd_cves(s);
		if (nvd_version(s))
			r->version = MemoryContextStrdup(cxt, nvd_version(s));
		if (nvd_timestamp(s))
		{
			TimestampTz ts;

			if (feeds_parse_utc(nvd_timestamp(s), &ts))
				r->feed_date = ts;
		}
		r->message = MemoryContextStrdup(cxt, psprintf("%lld CVEs: %lld new, %lld replaced, %lld skipped (a newer version is loaded)%s",
													   (long long) r->rows, (long long) ld.inserted,
													   (long long) ld.replaced, (long long) ld.kept,
													   nvd_has_meta(s) ? "; sha256 checked against the .meta file" : ""));
	}
	PG_FINALLY();
	{
		nvd_active_stream = NULL;
		nvd_close(s);
	}
	PG_END_TRY();
	MemoryContextSwitchTo(old);
	MemoryContextDelete(loadcxt);
	feeds_finish_result(r);
	feeds_add_result(results, r);
}

/* Year files first, then modified, then recent; by name within each group. */
static int
nvd_file_order(const char *name)
{
	char		feed[64];

	nvd_file_feed(name, feed, sizeof(feed));
	if (strcmp(feed, "modified") == 0)
		return 1;
	if (strcmp(feed, "recent") == 0)
		return 2;
	return 0;
}

static int
nvd_file_cmp(const ListCell *a, const ListCell *b)
{
	const char *x = lfirst(a);
	const char *y = lfirst(b);
	int			ox = nvd_file_order(x),
				oy = nvd_file_order(y);

	if (ox != oy)
		return ox - oy;
	return strcmp(x, y);
}

void
feeds_load_nvd(const char *path, List **results, MemoryContext cxt)
{
	struct stat st;
	DIR		   *dir;
	struct dirent *de;
	List	   *files = NIL;
	ListCell   *lc;

	feeds_set_current("nvd", path);
	if (stat(path, &st) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_IC_FEED_UNREADABLE),
				 errmsg("could not open \"%s\": %m", path),
				 errhint("Pass an NVD feed file or a folder of them that the database server can read.")));
	if (!S_ISDIR(st.st_mode))
	{
		nvd_load_file(path, results, cxt);
		return;
	}
	dir = AllocateDir(path);
	while ((de = ReadDir(dir, path)) != NULL)
	{
		char		feed[64];

		if (de->d_name[0] != '.' && nvd_file_feed(de->d_name, feed, sizeof(feed)))
			files = lappend(files, psprintf("%s/%s", path, de->d_name));
	}
	FreeDir(dir);
	if (files == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_IC_FEED_EMPTY),
				 errmsg("folder \"%s\" holds no NVD feed files", path),
				 errhint("NVD feed files are named like nvdcve-2.0-2024.json.gz or nvdcve-2.0-modified.json.")));
	list_sort(files, nvd_file_cmp);
	foreach(lc, files)
		nvd_load_file((const char *) lfirst(lc), results, cxt);
}
