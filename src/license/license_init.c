/*
 * license_init.c: the licence subsystem's GUC and, when preloaded, its bit of shared memory.
 *
 * infracast.license_file is PGC_SIGHUP (postgresql.conf or ALTER SYSTEM, then a reload) and hidden from
 * non-superusers. Setting it, at start or on reload, makes every backend judge the file afresh; a file
 * swapped in place is noticed without a reload (license_state.c watches its identity).
 */
#include "license/license.h"

#include "miscadmin.h"
#include "storage/ipc.h"
#include "utils/guc.h"

char	   *license_file_guc = NULL;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static void
license_file_assign(const char *newval, void *extra)
{
	license_file_changed();
}

static void
license_shmem_request_chain(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	license_shmem_request();
}

static void
license_shmem_startup_chain(void)
{
	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	license_shmem_startup();
}

/* Defines infracast.license_file; with preloading, the shared "last state logged" table. */
void
license_init(void)
{
	DefineCustomStringVariable("infracast.license_file",
							   "Path of the Infracast licence file (license.json).",
							   "Takes effect on reload. With no licence the state is \"missing\": "
							   "reads and analyses work, adding nodes does not.",
							   &license_file_guc,
							   "",
							   PGC_SIGHUP,
							   GUC_SUPERUSER_ONLY,
							   NULL, license_file_assign, NULL);

	if (process_shared_preload_libraries_in_progress)
	{
		prev_shmem_request_hook = shmem_request_hook;
		shmem_request_hook = license_shmem_request_chain;
		prev_shmem_startup_hook = shmem_startup_hook;
		shmem_startup_hook = license_shmem_startup_chain;
	}
}
