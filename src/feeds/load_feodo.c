/*
 * load_feodo.c: infracast.load_feodo(path): the Feodo Tracker C2 list into infracast.feodo, replacing it.
 */
#include "feeds/feeds.h"

#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/inet.h"

static Datum
feodo_text(const char *s, bool *isnull)
{
	*isnull = (s == NULL);
	return s ? CStringGetTextDatum(s) : (Datum) 0;
}

static void
feodo_store_row(FeedInserter *fi, const FeodoRow *row, const char *path)
{
	bool	   *isnull;
	Datum	   *v = feed_inserter_row(fi, &isnull);
	TimestampTz ts;

	v[0] = DirectFunctionCall1(inet_in, CStringGetDatum(row->ip));
	v[1] = Int32GetDatum(row->port);
	v[2] = feodo_text(row->status, &isnull[2]);
	v[3] = feodo_text(row->hostname, &isnull[3]);
	isnull[4] = true;
	if (row->as_number != NULL)
	{
		const char *p = row->as_number;
		char	   *end;
		long long	asn;

		if (strncasecmp(p, "AS", 2) == 0)
			p += 2;
		asn = strtoll(p, &end, 10);
		if (*end != '\0' || asn < 0)
			ereport(ERROR,
					(errcode(ERRCODE_IC_FEED_CORRUPT),
					 errmsg("Feodo file \"%s\": as_number \"%s\" of %s is not a number", path, row->as_number, row->ip)));
		v[4] = Int64GetDatum(asn);
		isnull[4] = false;
	}
	v[5] = feodo_text(row->as_name, &isnull[5]);
	v[6] = feodo_text(row->country, &isnull[6]);
	isnull[7] = true;
	if (row->first_seen != NULL)
	{
		if (!feeds_parse_utc(row->first_seen, &ts))
			ereport(ERROR,
					(errcode(ERRCODE_IC_FEED_CORRUPT),
					 errmsg("Feodo file \"%s\": first_seen \"%s\" of %s is not a date-time", path, row->first_seen, row->ip)));
		v[7] = TimestampTzGetDatum(ts);
		isnull[7] = false;
	}
	isnull[8] = (row->last_online == NULL);
	if (row->last_online != NULL)
		v[8] = DirectFunctionCall1(date_in, CStringGetDatum(row->last_online));
	v[9] = CStringGetTextDatum(row->malware);
	feed_inserter_store(fi);
}

void
feeds_load_feodo(const char *path, List **results, MemoryContext cxt)
{
	FeedError	err = {0};
	FeedResult *r;
	FeodoReader *rd;

	feeds_set_current("feodo", path);
	r = feeds_new_result(cxt, "feodo", path);
	rd = feodo_open(path, &err);
	if (rd == NULL)
		feeds_raise(&err);
	PG_TRY();
	{
		FeedInserter *fi;
		FeodoRow	row;
		int			rc;

		feeds_spi_exec("DELETE FROM infracast.feodo", 0, NULL, NULL, NULL);
		fi = feed_inserter_begin(feeds_relid("feodo"));
		while ((rc = feodo_next(rd, &row, &err)) > 0)
		{
			CHECK_FOR_INTERRUPTS();
			feodo_store_row(fi, &row, path);
		}
		if (rc < 0 || feodo_file_sha256(rd, r->sha256, &err) < 0)
			feeds_raise(&err);
		feed_inserter_end(fi);
		r->rows = feodo_rows(rd);
		if (feodo_last_updated(rd))
		{
			TimestampTz ts;

			if (feeds_parse_utc(feodo_last_updated(rd), &ts))
				r->feed_date = ts;
		}
	}
	PG_FINALLY();
	{
		feodo_close(rd);
	}
	PG_END_TRY();
	feeds_finish_result(r);
	feeds_add_result(results, r);
}
