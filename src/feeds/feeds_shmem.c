/*
 * feeds_shmem.c: the little shared state that lets infracast.refresh_feeds() wake the feed worker.
 *
 * Only with shared_preload_libraries: shared memory is requested in shmem_request_hook (PostgreSQL
 * 15 refuses it elsewhere) and set up in shmem_startup_hook; both chain to the previous hooks.
 */
#include "feeds/feeds.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "port/atomics.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/spin.h"
#include "storage/shmem.h"

PG_FUNCTION_INFO_V1(infracast_refresh_feeds);

typedef struct FeedsShared
{
	slock_t		mutex;
	Latch	   *worker_latch;	/* NULL while no feed worker runs */
	pg_atomic_uint32 refresh_requested;
} FeedsShared;

static FeedsShared *feeds_shared = NULL;
static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static void
feeds_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(FeedsShared)));
}

static void
feeds_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	feeds_shared = ShmemInitStruct("infracast feeds", sizeof(FeedsShared), &found);
	if (!found)
	{
		SpinLockInit(&feeds_shared->mutex);
		feeds_shared->worker_latch = NULL;
		pg_atomic_init_u32(&feeds_shared->refresh_requested, 0);
	}
	LWLockRelease(AddinShmemInitLock);
}

/* Called from _PG_init while preloading. */
void
feeds_shmem_init(void)
{
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = feeds_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = feeds_shmem_startup;
}

/* The worker announces its latch (NULL when it exits). */
void
feeds_worker_publish(Latch *latch)
{
	if (feeds_shared == NULL)
		return;
	SpinLockAcquire(&feeds_shared->mutex);
	feeds_shared->worker_latch = latch;
	SpinLockRelease(&feeds_shared->mutex);
}

bool
feeds_worker_take_refresh(void)
{
	return feeds_shared != NULL && pg_atomic_exchange_u32(&feeds_shared->refresh_requested, 0) != 0;
}

/* infracast.refresh_feeds(): asks the feed worker to load every configured feed now. */
Datum
infracast_refresh_feeds(PG_FUNCTION_ARGS)
{
	Latch	   *latch;

	if (feeds_shared == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the infracast feed worker is not available"),
				 errhint("Add infracast to shared_preload_libraries and restart PostgreSQL; or load feeds directly with infracast.load_feed_bundle().")));
	pg_atomic_write_u32(&feeds_shared->refresh_requested, 1);
	SpinLockAcquire(&feeds_shared->mutex);
	latch = feeds_shared->worker_latch;
	if (latch)
		SetLatch(latch);
	SpinLockRelease(&feeds_shared->mutex);
	if (latch == NULL)
		ereport(NOTICE,
				(errmsg("the infracast feed worker is not running; it will load the feeds when it starts")));
	PG_RETURN_BOOL(latch != NULL);
}
