/*
 * ssh_settings.c: the settings of SSH discovery (docs/discovery.md#ssh), defined from
 * discovery_init(). The cap is a setting, not a constant, so that an operator can allow a host
 * with a very large package list and a test can make a real command's output "too large".
 */
#include "discovery/discovery.h"

#include "utils/guc.h"

int			discovery_ssh_max_output = 4 * 1024 * 1024;

void
discovery_ssh_init(void)
{
	DefineCustomIntVariable("infracast.discovery_ssh_max_output",
							"Most bytes of output kept from one SSH discovery command.",
							"A command printing more is recorded as too large in discovery_runs, and nothing of its output is stored.",
							&discovery_ssh_max_output, 4 * 1024 * 1024, 1024, 256 * 1024 * 1024,
							PGC_SIGHUP, GUC_UNIT_BYTE, NULL, NULL, NULL);
}
