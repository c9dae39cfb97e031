/*
 * feeds_init.c: GUCs and hooks of the feeds subsystem, defined from _PG_init.
 */
#include "infracast.h"

/* Defines the subsystem's GUCs (none yet). */
void
feeds_init(void)
{
}
