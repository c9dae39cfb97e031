/*
 * discovery.h: what the discovery subsystem shares with the rest of the extension and with its
 * worker (bgworkers/discovery_worker.c). PostgreSQL side; the net-snmp walker has its own plain-C
 * header (snmp_walk.h), because net-snmp's and PostgreSQL's configuration headers collide.
 */
#ifndef INFRACAST_DISCOVERY_H
#define INFRACAST_DISCOVERY_H

#include "infracast.h"

/*
 * The discovery SQLSTATEs (class IC9xx, listed in docs/errors.md):
 *   IC901  the credential key file is not configured or cannot be used
 *   IC902  a sealed secret cannot be opened (sealed under another key, or damaged)
 *   IC903  ssh_host_key_accept() was given another fingerprint than the key the host offered
 *          (raised from SQL, extension/sql/72_discovery_ssh.sql)
 */
#define ERRCODE_IC_CREDENTIAL_KEY		MAKE_SQLSTATE('I', 'C', '9', '0', '1')
#define ERRCODE_IC_CREDENTIAL_SEALED	MAKE_SQLSTATE('I', 'C', '9', '0', '2')

/* GUCs (discovery_init.c) */
extern char *discovery_credential_key_file;
extern int	discovery_poll_interval_s;
extern int	discovery_device_timeout_s;
extern int	discovery_snmp_timeout_ms;
extern int	discovery_snmp_retries;
extern int	discovery_concurrency;
extern int	discovery_max_attempts;
extern int	discovery_retry_delay_s;
extern int	discovery_max_values;
extern int	discovery_ssh_max_output;	/* ssh_settings.c */

extern void discovery_init(void);
extern void discovery_ssh_init(void);

/*
 * credentials.c: a credential's secrets, opened in memory for the worker. Two secrets at most
 * (SNMPv3: authentication then privacy passphrase; ssh_key: the private key then its passphrase). discovery_secrets_free wipes them.
 */
typedef struct DiscoverySecrets
{
	char	   *secret;
	char	   *priv_secret;	/* NULL when the credential has none */
	size_t		buf_len;
	char	   *buf;			/* both live here, wiped on free */
} DiscoverySecrets;

extern void discovery_secrets_open(bytea *sealed, DiscoverySecrets *out);
extern void discovery_secrets_free(DiscoverySecrets *s);

#endif							/* INFRACAST_DISCOVERY_H */
