/*
 * load_kev.c: infracast.load_kev(path): the CISA KEV catalogue into infracast.kev, replacing it;
 * and, from CREATE EXTENSION, the catalogue built into the extension (kev_seed.c) when no KEV load
 * was ever recorded.
 */
#include "feeds/feeds.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"

PG_FUNCTION_INFO_V1(infracast_feeds_apply_kev_seed);

static Datum
kev_text(const char *s, bool *isnull)
{
	*isnull = (s == NULL);
	return s ? CStringGetTextDatum(s) : (Datum) 0;
}

static Datum
kev_date(const char *s, bool *isnull)
{
	*isnull = (s == NULL || *s == '\0');
	return *isnull ? (Datum) 0 : DirectFunctionCall1(date_in, CStringGetDatum(s));
}

/* Replaces infracast.kev with the catalogue's entries; fills rows, version and feed_date of r. */
static void
feeds_kev_store(KevDoc *doc, FeedResult *r)
{
	MemoryContext cxt = GetMemoryChunkContext(r);
	FeedError	err = {0};
	FeedInserter *fi;
	int			n = kev_count(doc);
	TimestampTz released;

	feeds_spi_exec("DELETE FROM infracast.kev", 0, NULL, NULL, NULL);
	fi = feed_inserter_begin(feeds_relid("kev"));
	for (int i = 0; i < n; i++)
	{
		KevEntry	e;
		Datum	   *v;
		bool	   *isnull;
		Datum		cwes[32];

		CHECK_FOR_INTERRUPTS();
		if (kev_entry(doc, i, &e, &err) < 0)
			feeds_raise(&err);
		v = feed_inserter_row(fi, &isnull);
		v[0] = CStringGetTextDatum(e.cve_id);
		v[1] = kev_text(e.vendor_project, &isnull[1]);
		v[2] = kev_text(e.product, &isnull[2]);
		v[3] = kev_text(e.vulnerability_name, &isnull[3]);
		v[4] = kev_date(e.date_added, &isnull[4]);
		v[5] = kev_text(e.short_description, &isnull[5]);
		v[6] = kev_text(e.required_action, &isnull[6]);
		v[7] = kev_date(e.due_date, &isnull[7]);
		v[8] = kev_text(e.known_ransomware_campaign_use, &isnull[8]);
		v[9] = kev_text(e.notes, &isnull[9]);
		for (int k = 0; k < e.ncwes; k++)
			cwes[k] = CStringGetTextDatum(e.cwes[k]);
		v[10] = PointerGetDatum(construct_array(cwes, e.ncwes, TEXTOID, -1, false, TYPALIGN_INT));
		feed_inserter_store(fi);
	}
	feed_inserter_end(fi);
	r->rows = n;
	if (kev_catalog_version(doc))
		r->version = MemoryContextStrdup(cxt, kev_catalog_version(doc));
	if (kev_date_released(doc) && feeds_parse_utc(kev_date_released(doc), &released))
		r->feed_date = released;
}

void
feeds_load_kev(const char *path, List **results, MemoryContext cxt)
{
	FeedError	err = {0};
	FeedResult *r;
	KevDoc	   *doc;

	feeds_set_current("kev", path);
	r = feeds_new_result(cxt, "kev", path);
	doc = kev_open_file(path, r->sha256, &err);
	if (doc == NULL)
		feeds_raise(&err);
	PG_TRY();
	{
		feeds_kev_store(doc, r);
	}
	PG_FINALLY();
	{
		kev_close(doc);
	}
	PG_END_TRY();
	feeds_finish_result(r);
	feeds_add_result(results, r);
}

/* Loads the seed catalogue built into the extension, once: when no KEV load was ever recorded. */
static void
feeds_load_kev_seed(const char *unused, List **results, MemoryContext cxt)
{
	size_t		len;
	const char *name;
	const char *seed = feeds_kev_seed(&len, &name);
	FeedError	err = {0};
	KevDoc	   *doc;
	FeedResult *r;
	char	   *label = psprintf("embedded seed (%s)", name);

	feeds_set_current("kev", label);
	r = feeds_new_result(cxt, "kev", label);
	feed_buffer_sha256(seed, len, r->sha256);
	doc = kev_open_buffer(seed, len, label, &err);
	if (doc == NULL)
		feeds_raise(&err);
	PG_TRY();
	{
		feeds_kev_store(doc, r);
	}
	PG_FINALLY();
	{
		kev_close(doc);
	}
	PG_END_TRY();
	r->warning = true;
	r->message = MemoryContextStrdup(cxt, psprintf("no KEV file has been loaded: using the KEV catalogue built into the extension (%s, catalogVersion %s); load a current one with infracast.load_kev()",
												   name, r->version ? r->version : "unknown"));
	feeds_add_result(results, r);
}

Datum
infracast_feeds_apply_kev_seed(PG_FUNCTION_ARGS)
{
	bool		seeded;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	feeds_spi_exec("SELECT 1 FROM infracast.feed_status WHERE feed = 'kev'", 0, NULL, NULL, NULL);
	seeded = SPI_processed > 0;
	SPI_finish();
	if (seeded)
		PG_RETURN_BOOL(false);
	feeds_run(feeds_load_kev_seed, "", true, NULL);
	PG_RETURN_BOOL(true);
}
