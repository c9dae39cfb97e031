/*
 * license_init.c: GUCs and hooks of the license subsystem, defined from _PG_init.
 */
#include "infracast.h"

/* Defines the subsystem's GUCs (none yet). */
void
license_init(void)
{
}
