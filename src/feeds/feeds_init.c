/*
 * feeds_init.c: GUCs and hooks of the feeds subsystem, defined from _PG_init.
 */
#include "feeds/feeds.h"

#include <limits.h>

#include "miscadmin.h"
#include "utils/guc.h"

char	   *feeds_database = NULL;
bool		feeds_offline_mode = true;
char	   *feeds_dir = NULL;
char	   *feeds_kev_file = NULL;
char	   *feeds_epss_file = NULL;
char	   *feeds_nvd_dir = NULL;
char	   *feeds_feodo_file = NULL;
int			feeds_refresh_interval_s = 86400;
int			feeds_poll_interval_s = 60;
int			feeds_max_age_days = 30;

static void
feeds_define_path(const char *name, const char *desc, char **var)
{
	DefineCustomStringVariable(name, desc,
							   "An absolute path on the database server; empty: not configured.",
							   var, "", PGC_SIGHUP, GUC_SUPERUSER_ONLY, NULL, NULL, NULL);
}

/* Defines the feeds' GUCs; with shared_preload_libraries, also the worker's shared memory. */
void
feeds_init(void)
{
	DefineCustomStringVariable("infracast.database",
							   "Database the infracast background workers connect to.",
							   "The database where CREATE EXTENSION infracast was run. Changing it needs a restart.",
							   &feeds_database, "postgres", PGC_POSTMASTER, 0, NULL, NULL, NULL);
	DefineCustomBoolVariable("infracast.offline_mode",
							 "The feed worker reads feeds from local files only and never opens a network connection.",
							 "On by default. This version has no online mode: off only logs that feeds still come from files.",
							 &feeds_offline_mode, true, PGC_SIGHUP, 0, NULL, NULL, NULL);
	feeds_define_path("infracast.feeds_dir", "Feed bundle folder (manifest.json, ATTRIBUTION.txt and the feed files) the feed worker loads.", &feeds_dir);
	feeds_define_path("infracast.kev_file", "CISA KEV catalogue (JSON) the feed worker loads.", &feeds_kev_file);
	feeds_define_path("infracast.epss_file", "FIRST EPSS scores (.csv or .csv.gz) the feed worker loads.", &feeds_epss_file);
	feeds_define_path("infracast.nvd_dir", "Folder of NVD 2.0 feed files (.json or .json.gz) the feed worker loads.", &feeds_nvd_dir);
	feeds_define_path("infracast.feodo_file", "Feodo Tracker ipblocklist.csv the feed worker loads.", &feeds_feodo_file);
	DefineCustomIntVariable("infracast.feed_refresh_interval",
							"How often the feed worker reloads every feed even when no file changed.",
							NULL, &feeds_refresh_interval_s, 86400, 60, INT_MAX / 1000,
							PGC_SIGHUP, GUC_UNIT_S, NULL, NULL, NULL);
	DefineCustomIntVariable("infracast.feed_poll_interval",
							"How often the feed worker looks for changed feed files.",
							NULL, &feeds_poll_interval_s, 60, 1, 86400,
							PGC_SIGHUP, GUC_UNIT_S, NULL, NULL, NULL);
	DefineCustomIntVariable("infracast.feed_max_age",
							"Age in days past which a loaded feed is reported as stale (state warning); 0 turns it off.",
							NULL, &feeds_max_age_days, 30, 0, 36500,
							PGC_SUSET, 0, NULL, NULL, NULL);
	feeds_hash_init();
	if (process_shared_preload_libraries_in_progress)
		feeds_shmem_init();
}
