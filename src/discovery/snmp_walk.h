/*
 * snmp_walk.h: walking one SNMP agent with net-snmp's single-session asynchronous API.
 *
 * Plain C: no PostgreSQL and no net-snmp header here (their configuration headers collide), so the
 * worker includes this and snmp_walk.c includes net-snmp. A walk reads the subtrees listed in
 * snmp_walk_roots (system group, interfaces, addresses, ARP, LLDP, CDP, installed software,
 * ENTITY-MIB) with GETBULK, numeric OIDs only, and keeps every value in memory for the caller.
 *
 * The caller drives it: it waits on snmp_walk_socket() (readable) for at most snmp_walk_wait_ms(),
 * then calls snmp_walk_readable() when the socket is readable and snmp_walk_tick() in any case;
 * net-snmp's callback moves the walk on. Many walks run side by side in one process.
 */
#ifndef INFRACAST_SNMP_WALK_H
#define INFRACAST_SNMP_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct SnmpWalkConfig
{
	const char *peer;			/* net-snmp peer: "udp:192.0.2.7:161", "udp6:[2001:db8::7]:161" */
	int			version;		/* 2 (v2c) or 3 (USM, authPriv) */
	const char *community;		/* v2c */
	const char *user;			/* v3 */
	const char *auth_protocol;	/* v3: SHA, SHA-256, SHA-512 */
	const char *auth_pass;
	const char *priv_protocol;	/* v3: AES, AES-256 */
	const char *priv_pass;
	int			timeout_ms;		/* per request, before net-snmp sends again */
	int			retries;
	size_t		max_values;		/* an agent answering more fails the walk */
} SnmpWalkConfig;

/* The subtrees walked, in order (index = SnmpRootId). */
typedef enum SnmpRootId
{
	SNMP_ROOT_SYSTEM = 0,		/* 1.3.6.1.2.1.1 */
	SNMP_ROOT_IF_DESCR,			/* ifTable: ifDescr, ifType, ifPhysAddress, ifOperStatus */
	SNMP_ROOT_IF_TYPE,
	SNMP_ROOT_IF_MAC,
	SNMP_ROOT_IF_OPER,
	SNMP_ROOT_IF_NAME,			/* ifXTable: ifName, ifAlias */
	SNMP_ROOT_IF_ALIAS,
	SNMP_ROOT_IPADDR,			/* ipAddrTable: ipAdEntAddr */
	SNMP_ROOT_IPADDRESS_TYPE,	/* ipAddressTable: ipAddressType (index = address) */
	SNMP_ROOT_ARP,				/* ipNetToMediaPhysAddress */
	SNMP_ROOT_LLDP_REM,			/* lldpRemTable */
	SNMP_ROOT_LLDP_MANADDR,		/* lldpRemManAddrIfSubtype (index = address) */
	SNMP_ROOT_CDP,				/* cdpCacheTable */
	SNMP_ROOT_HR_SW_NAME,		/* hrSWInstalledName */
	SNMP_ROOT_ENT_CLASS,		/* entPhysicalClass, SerialNum, MfgName, ModelName */
	SNMP_ROOT_ENT_SERIAL,
	SNMP_ROOT_ENT_MFG,
	SNMP_ROOT_ENT_MODEL,
	SNMP_N_ROOTS
} SnmpRootId;

typedef struct SnmpRoot
{
	const char *name;			/* for messages: "ifTable.ifDescr" */
	uint32_t	oid[16];
	size_t		oid_len;
} SnmpRoot;

extern const SnmpRoot snmp_walk_roots[SNMP_N_ROOTS];

typedef enum SnmpValueKind
{
	SNMP_VAL_INT,				/* INTEGER, Counter, Gauge, TimeTicks, Counter64: num */
	SNMP_VAL_OCTETS,			/* OCTET STRING, Opaque: bytes */
	SNMP_VAL_IPADDR,			/* IpAddress: 4 bytes */
	SNMP_VAL_OID,				/* OBJECT IDENTIFIER: bytes = dotted text, NUL-terminated */
	SNMP_VAL_OTHER
} SnmpValueKind;

typedef struct SnmpValue
{
	SnmpRootId	root;
	uint32_t   *oid;
	size_t		oid_len;
	SnmpValueKind kind;
	int64_t		num;
	unsigned char *bytes;		/* NUL-terminated copy (bytes_len excludes the NUL) */
	size_t		bytes_len;
} SnmpValue;

typedef enum SnmpWalkState
{
	SNMP_WALK_RUNNING,
	SNMP_WALK_DONE,				/* every subtree read (some may have been refused: see notes) */
	SNMP_WALK_FAILED			/* error says why; values hold what was read before */
} SnmpWalkState;

typedef struct SnmpWalk SnmpWalk;

/* Once per process: numeric OIDs only, no config files, no persistent state, no logging. */
extern void snmp_walk_library_init(void);

/* Forgets the SNMPv3 users (and keys) net-snmp cached; call with no walk running. */
extern void snmp_walk_forget_users(void);

/* Opens the session and sends the first request; NULL with err filled when it cannot. */
extern SnmpWalk *snmp_walk_start(const SnmpWalkConfig *cfg, char *err, size_t errlen);
extern int	snmp_walk_socket(const SnmpWalk *w);
/* Milliseconds until net-snmp must look at its timers (-1: nothing pending). */
extern long snmp_walk_wait_ms(SnmpWalk *w);
extern void snmp_walk_readable(SnmpWalk *w);
extern void snmp_walk_tick(SnmpWalk *w);
/* Ends a running walk as failed with reason (the per-device deadline). */
extern void snmp_walk_abort(SnmpWalk *w, const char *reason);

extern SnmpWalkState snmp_walk_state(const SnmpWalk *w);
extern const char *snmp_walk_error(const SnmpWalk *w);
extern const char *snmp_walk_notes(const SnmpWalk *w);	/* subtrees the agent refused; "" if none */
extern bool snmp_walk_root_complete(const SnmpWalk *w, SnmpRootId root);
extern const SnmpValue *snmp_walk_values(const SnmpWalk *w, size_t *n);
extern void snmp_walk_free(SnmpWalk *w);

#endif							/* INFRACAST_SNMP_WALK_H */
