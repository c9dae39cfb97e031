/*
 * load_epss.c: infracast.load_epss(path): FIRST EPSS scores into infracast.epss, replacing them.
 *
 * Rows go through feed_insert.c (COPY's multi-insert path): about 300k rows in the time COPY takes.
 */
#include "feeds/feeds.h"

#include "miscadmin.h"
#include "utils/builtins.h"

void
feeds_load_epss(const char *path, List **results, MemoryContext cxt)
{
	FeedError	err = {0};
	FeedResult *r;
	EpssReader *rd;

	feeds_set_current("epss", path);
	r = feeds_new_result(cxt, "epss", path);
	rd = epss_open(path, &err);
	if (rd == NULL)
		feeds_raise(&err);
	PG_TRY();
	{
		const char *model = epss_model_version(rd);
		const char *date = epss_score_date(rd);
		Datum		model_d = model ? CStringGetTextDatum(model) : (Datum) 0;
		TimestampTz score_date = 0;
		FeedInserter *fi;
		EpssRow		row;
		int			rc;

		if (date != NULL && !feeds_parse_utc(date, &score_date))
			ereport(ERROR,
					(errcode(ERRCODE_IC_FEED_CORRUPT),
					 errmsg("EPSS file \"%s\" has a score_date that is not a date-time: \"%s\"", path, date),
					 errhint("The first line should read like #model_version:v2025.03.14,score_date:2025-12-26T12:55:00Z.")));
		feeds_spi_exec("DELETE FROM infracast.epss", 0, NULL, NULL, NULL);
		fi = feed_inserter_begin(feeds_relid("epss"));
		while ((rc = epss_next(rd, &row, &err)) > 0)
		{
			bool	   *isnull;
			Datum	   *v;

			CHECK_FOR_INTERRUPTS();
			v = feed_inserter_row(fi, &isnull);
			v[0] = CStringGetTextDatum(row.cve);
			v[1] = Float8GetDatum(row.epss);
			v[2] = Float8GetDatum(row.percentile);
			v[3] = model_d;
			isnull[3] = (model == NULL);
			v[4] = TimestampTzGetDatum(score_date);
			isnull[4] = (date == NULL);
			feed_inserter_store(fi);
		}
		if (rc < 0 || epss_file_sha256(rd, r->sha256, &err) < 0)
			feeds_raise(&err);
		feed_inserter_end(fi);
		r->rows = epss_rows(rd);
		if (model)
			r->version = MemoryContextStrdup(cxt, model);
		else
			r->message = MemoryContextStrdup(cxt, "the file has no #model_version line (an older EPSS file): model_version and score_date are unknown");
		r->feed_date = score_date;
	}
	PG_FINALLY();
	{
		epss_close(rd);
	}
	PG_END_TRY();
	feeds_finish_result(r);
	feeds_add_result(results, r);
}
