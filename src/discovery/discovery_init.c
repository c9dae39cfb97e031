/*
 * discovery_init.c: the GUCs of the discovery subsystem (docs/discovery.md lists them), defined
 * from _PG_init. The worker itself is registered in bgworkers/launcher.c.
 */
#include "discovery/discovery.h"

#include "utils/guc.h"

char	   *discovery_credential_key_file = NULL;
int			discovery_poll_interval_s = 10;
int			discovery_device_timeout_s = 60;
int			discovery_snmp_timeout_ms = 1000;
int			discovery_snmp_retries = 1;
int			discovery_concurrency = 32;
int			discovery_max_attempts = 3;
int			discovery_retry_delay_s = 300;
int			discovery_max_values = 200000;
static int	discovery_max_targets = 4096;

void
discovery_init(void)
{
	DefineCustomStringVariable("infracast.credential_key_file",
							   "File holding the 32-byte key that seals discovery credentials.",
							   "An absolute path, readable by the server's user only (chmod 600): 32 raw bytes or 64 hex digits.",
							   &discovery_credential_key_file, "", PGC_SIGHUP, GUC_SUPERUSER_ONLY, NULL, NULL, NULL);
	DefineCustomIntVariable("infracast.discovery_max_targets",
							"Most addresses one discovery job may stand for (CIDR blocks expanded).",
							NULL, &discovery_max_targets, 4096, 1, 16777216, PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("infracast.discovery_poll_interval",
							"How often the discovery worker looks for due jobs.",
							NULL, &discovery_poll_interval_s, 10, 1, 3600, PGC_SIGHUP, GUC_UNIT_S, NULL, NULL, NULL);
	DefineCustomIntVariable("infracast.discovery_device_timeout",
							"Deadline for walking one device, from the first request to the last answer.",
							NULL, &discovery_device_timeout_s, 60, 1, 3600, PGC_SIGHUP, GUC_UNIT_S, NULL, NULL, NULL);
	DefineCustomIntVariable("infracast.discovery_snmp_timeout",
							"How long the discovery worker waits for one SNMP answer before sending again.",
							NULL, &discovery_snmp_timeout_ms, 1000, 10, 60000, PGC_SIGHUP, GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomIntVariable("infracast.discovery_snmp_retries",
							"How often an unanswered SNMP request is sent again.",
							NULL, &discovery_snmp_retries, 1, 0, 10, PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("infracast.discovery_concurrency",
							"How many devices the discovery worker walks at once.",
							NULL, &discovery_concurrency, 32, 1, 1000, PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("infracast.discovery_max_attempts",
							"Attempts of a discovery job where every device failed before the job is marked failed.",
							NULL, &discovery_max_attempts, 3, 1, 100, PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("infracast.discovery_retry_delay",
							"Wait before a failed discovery job's next attempt; doubled at each attempt.",
							NULL, &discovery_retry_delay_s, 300, 1, 86400, PGC_SIGHUP, GUC_UNIT_S, NULL, NULL, NULL);
	DefineCustomIntVariable("infracast.discovery_max_values",
							"Most SNMP values read from one device; an agent answering more is recorded as a failure.",
							NULL, &discovery_max_values, 200000, 100, 10000000, PGC_SIGHUP, 0, NULL, NULL, NULL);
	discovery_ssh_init();
}
