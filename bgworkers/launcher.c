/*
 * launcher.c: registers Infracast's background workers when the library is preloaded.
 */
#include "infracast.h"

#include "miscadmin.h"

/* Registers the workers; they exist only with shared_preload_libraries (none yet). */
void
bgworkers_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		return;
}
