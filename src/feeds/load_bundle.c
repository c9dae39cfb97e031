/*
 * load_bundle.c: infracast.load_feed_bundle(dir): a dated feed bundle (see manifest_parse.c).
 *
 * Every checksum is verified before any table is touched; then each feed in the bundle is loaded
 * as by its own load_* function, all in the one transaction: the bundle goes in whole or not at all.
 * Each file's checksum is verified again on the bytes actually loaded (see bundle_load_feed).
 */
#include "feeds/feeds.h"

#include "utils/builtins.h"

/*
 * Loads the bundle's files of one feed. Each loader hashes the bytes it loads as it reads them;
 * a file that no longer matches manifest.json (it was changed after the checks above, while the
 * bundle was loading) fails the whole bundle, so what goes in is always what was verified.
 */
static void
bundle_load_feed(const char *dir, const Manifest *m, const char *feed, FeedLoadFn fn,
				 List **results, MemoryContext cxt)
{
	for (int i = 0; i < m->nfiles; i++)
	{
		const FeedResult *loaded;
		int			before;

		if (strcmp(m->files[i].feed, feed) != 0)
			continue;
		before = list_length(*results);
		fn(psprintf("%s/%s", dir, m->files[i].path), results, cxt);
		/* one file, one result: a folder put in a file's place would load every file in it */
		loaded = (*results != NIL && list_length(*results) == before + 1) ? (const FeedResult *) llast(*results) : NULL;
		if (loaded == NULL || strcmp(loaded->sha256, m->files[i].sha256) != 0)
		{
			FeedError	err = {0};

			feeds_set_current("bundle", dir);
			if (loaded == NULL)
				feed_error_set(&err, FEED_ERR_CHECKSUM,
							   "feed bundle \"%s\": \"%s\" changed while the bundle was loading: it is no longer one file",
							   dir, m->files[i].path);
			else
				feed_error_set(&err, FEED_ERR_CHECKSUM,
							   "feed bundle \"%s\": \"%s\" changed while the bundle was loading: its sha256 was %s when it was verified, %s when it was loaded",
							   dir, m->files[i].path, m->files[i].sha256, loaded->sha256);
			feeds_raise(&err);
		}
	}
}

void
feeds_load_bundle(const char *dir, List **results, MemoryContext cxt)
{
	FeedError	err = {0};
	Manifest   *m;
	FeedResult *r;
	char		manifest_path[MAXPGPATH];

	feeds_set_current("bundle", dir);
	r = feeds_new_result(cxt, "bundle", dir);
	snprintf(manifest_path, sizeof(manifest_path), "%s/manifest.json", dir);
	m = manifest_read(dir, &err);
	if (m == NULL)
		ereport(ERROR,
				(errcode(err.kind == FEED_ERR_IO ? ERRCODE_IC_FEED_UNREADABLE : ERRCODE_IC_FEED_BUNDLE),
				 errmsg("%s", err.msg),
				 errhint("A feed bundle is a folder with manifest.json (each file's path, feed and sha256) and ATTRIBUTION.txt; see docs/feeds.md.")));
	PG_TRY();
	{
		if (manifest_verify(dir, m, &err) < 0)
		{
			if (err.kind == FEED_ERR_CHECKSUM)
				feeds_raise(&err);
			ereport(ERROR,
					(errcode(err.kind == FEED_ERR_IO ? ERRCODE_IC_FEED_UNREADABLE : ERRCODE_IC_FEED_BUNDLE),
					 errmsg("%s", err.msg),
					 errhint("Copy the whole bundle folder again.")));
		}
		if (feed_file_sha256(manifest_path, r->sha256, NULL, &err) < 0)
			feeds_raise(&err);
		r->rows = m->nfiles;
		if (m->created)
		{
			TimestampTz ts;

			if (feeds_parse_utc(m->created, &ts))
				r->feed_date = ts;
			r->version = MemoryContextStrdup(cxt, m->created);
		}
		r->message = MemoryContextStrdup(cxt, psprintf("%d files verified against manifest.json", m->nfiles));
		bundle_load_feed(dir, m, "kev", feeds_load_kev, results, cxt);
		bundle_load_feed(dir, m, "epss", feeds_load_epss, results, cxt);
		bundle_load_feed(dir, m, "feodo", feeds_load_feodo, results, cxt);
		bundle_load_feed(dir, m, "nvd", feeds_load_nvd, results, cxt);
		feeds_set_current("bundle", dir);
	}
	PG_FINALLY();
	{
		manifest_free(m);
	}
	PG_END_TRY();
	feeds_finish_result(r);
	feeds_add_result(results, r);
}
