/*
 * graph_init.c: GUCs and hooks of the graph subsystem, defined from _PG_init.
 */
#include "infracast.h"

/* Defines the subsystem's GUCs (none yet). */
void
graph_init(void)
{
}
