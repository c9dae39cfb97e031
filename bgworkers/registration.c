/*
 * registration.c: registers Infracast's static background workers from _PG_init, and only when the
 * library is in shared_preload_libraries. It launches nothing itself: the postmaster starts each
 * registered worker. One worker per file in this folder:
 *   feed_worker.c           the feed worker (registered here)
 *   discovery_worker.c      the discovery worker (it registers itself: discovery_worker_register)
 *   feed_status_recorder.c  a one-shot worker, registered dynamically by src/feeds/feed_status.c
 *                           when a failed load must be recorded in its own transaction
 */
#include "infracast.h"

#include "miscadmin.h"
#include "postmaster/bgworker.h"

/* Registers the workers; they exist only with shared_preload_libraries. */
void
bgworkers_init(void)
{
	BackgroundWorker worker;

	/* infracast.auto_update exists with or without preloading; the worker only with it. */
	startup_worker_register();	/* startup_worker.c: migrations and the licence line at start */
	if (!process_shared_preload_libraries_in_progress)
		return;

	/* The feed worker (feed_worker.c): loads the configured feed files and keeps them current. */
	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 60;	/* after a crash, start again a minute later */
	strlcpy(worker.bgw_library_name, "infracast", BGW_MAXLEN);
	strlcpy(worker.bgw_function_name, "feeds_worker_main", BGW_MAXLEN);
	strlcpy(worker.bgw_name, "infracast feed worker", BGW_MAXLEN);
	strlcpy(worker.bgw_type, "infracast feed worker", BGW_MAXLEN);
	RegisterBackgroundWorker(&worker);
	discovery_worker_register();	/* discovery_worker.c */
}
