/*
 * snmp_walk.c: one SNMP agent walked with net-snmp's single-session asynchronous API
 * (snmp_sess_open, snmp_sess_async_send, snmp_sess_select_info2, snmp_sess_read2,
 * snmp_sess_timeout). Plain C: no PostgreSQL header (see snmp_walk.h).
 *
 * Each subtree of snmp_walk_roots is read with GETBULK from its root until the agent answers with
 * an OID outside it or endOfMibView. The walk fails on a timeout (net-snmp has retried by then), a
 * REPORT (SNMPv3: unknown user, wrong digest, decryption error), a send failure, an agent that
 * answers OIDs that do not increase (it would loop forever) or more than max_values values. A
 * subtree the agent refuses with an error status is skipped and named in the notes (the walk is
 * then partial, not failed). tooBig halves max-repetitions and asks again. A value whose type or
 * index does not fit its MIB (walk_value_fits) is left out and counted in the notes, so one broken
 * column costs that column, not the device.
 */
#include "discovery/snmp_walk.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/large_fd_set.h>

#define WALK_MAX_REPETITIONS 25

const SnmpRoot snmp_walk_roots[SNMP_N_ROOTS] = {
	[SNMP_ROOT_SYSTEM] = {"system", {1, 3, 6, 1, 2, 1, 1}, 7},
	[SNMP_ROOT_IF_DESCR] = {"ifTable.ifDescr", {1, 3, 6, 1, 2, 1, 2, 2, 1, 2}, 10},
	[SNMP_ROOT_IF_TYPE] = {"ifTable.ifType", {1, 3, 6, 1, 2, 1, 2, 2, 1, 3}, 10},
	[SNMP_ROOT_IF_MAC] = {"ifTable.ifPhysAddress", {1, 3, 6, 1, 2, 1, 2, 2, 1, 6}, 10},
	[SNMP_ROOT_IF_OPER] = {"ifTable.ifOperStatus", {1, 3, 6, 1, 2, 1, 2, 2, 1, 8}, 10},
	[SNMP_ROOT_IF_NAME] = {"ifXTable.ifName", {1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 1}, 11},
	[SNMP_ROOT_IF_ALIAS] = {"ifXTable.ifAlias", {1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 18}, 11},
	[SNMP_ROOT_IPADDR] = {"ipAddrTable.ipAdEntAddr", {1, 3, 6, 1, 2, 1, 4, 20, 1, 1}, 10},
	[SNMP_ROOT_IPADDRESS_TYPE] = {"ipAddressTable.ipAddressType", {1, 3, 6, 1, 2, 1, 4, 34, 1, 4}, 10},
	[SNMP_ROOT_ARP] = {"ipNetToMediaTable.ipNetToMediaPhysAddress", {1, 3, 6, 1, 2, 1, 4, 22, 1, 2}, 10},
	[SNMP_ROOT_LLDP_REM] = {"lldpRemTable", {1, 0, 8802, 1, 1, 2, 1, 4, 1, 1}, 10},
	[SNMP_ROOT_LLDP_MANADDR] = {"lldpRemManAddrTable.lldpRemManAddrIfSubtype", {1, 0, 8802, 1, 1, 2, 1, 4, 2, 1, 3}, 11},
	[SNMP_ROOT_CDP] = {"cdpCacheTable", {1, 3, 6, 1, 4, 1, 9, 9, 23, 1, 2, 1, 1}, 13},
	[SNMP_ROOT_HR_SW_NAME] = {"hrSWInstalledTable.hrSWInstalledName", {1, 3, 6, 1, 2, 1, 25, 6, 3, 1, 2}, 11},
	[SNMP_ROOT_ENT_CLASS] = {"entPhysicalTable.entPhysicalClass", {1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1, 5}, 12},
	[SNMP_ROOT_ENT_SERIAL] = {"entPhysicalTable.entPhysicalSerialNum", {1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1, 11}, 12},
	[SNMP_ROOT_ENT_MFG] = {"entPhysicalTable.entPhysicalMfgName", {1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1, 12}, 12},
	[SNMP_ROOT_ENT_MODEL] = {"entPhysicalTable.entPhysicalModelName", {1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1, 13}, 12},
};

struct SnmpWalk
{
	void	   *sess;			/* net-snmp single session */
	SnmpWalkState state;
	char		error[256];
	char		notes[1024];
	int			version;
	int			timeout_ms;
	int			tries;
	size_t		max_values;
	int			max_repetitions;
	int			root;			/* subtree being read */
	bool		complete[SNMP_N_ROOTS];
	oid			last[MAX_OID_LEN];	/* last OID received in this subtree */
	size_t		last_len;
	size_t		dropped[SNMP_N_ROOTS];	/* malformed values left out, per subtree */
	size_t		nread;			/* values received, kept or dropped: max_values bounds this */
	SnmpValue  *values;
	size_t		nvalues;
	size_t		cap;
};

void
snmp_walk_library_init(void)
{
	static bool done = false;

	if (done)
		return;
	/* No MIB files, config files or persistent state: numeric OIDs and in-memory sessions only. */
	setenv("MIBS", "", 1);
	setenv("MIBDIRS", "", 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
	snmp_disable_log();
	init_snmp("infracast");
	done = true;
}

static void walk_fail(SnmpWalk *w, const char *fmt,...) __attribute__((format(printf, 2, 3)));
static void walk_note(SnmpWalk *w, const char *fmt,...) __attribute__((format(printf, 2, 3)));

static void
walk_fail(SnmpWalk *w, const char *fmt,...)
{
	va_list		ap;

	if (w->state != SNMP_WALK_RUNNING)
		return;
	va_start(ap, fmt);
	vsnprintf(w->error, sizeof(w->error), fmt, ap);
	va_end(ap);
	w->state = SNMP_WALK_FAILED;
}

static void
walk_note(SnmpWalk *w, const char *fmt,...)
{
	va_list		ap;
	size_t		used = strlen(w->notes);

	if (used + 3 >= sizeof(w->notes))
		return;
	if (used > 0)
		used += (size_t) snprintf(w->notes + used, sizeof(w->notes) - used, "; ");
	va_start(ap, fmt);
	vsnprintf(w->notes + used, sizeof(w->notes) - used, fmt, ap);
	va_end(ap);
}

static void
walk_set_last_to_root(SnmpWalk *w)
{
	const SnmpRoot *r = &snmp_walk_roots[w->root];

	for (size_t i = 0; i < r->oid_len; i++)
		w->last[i] = r->oid[i];
	w->last_len = r->oid_len;
}

static bool
walk_in_root(const SnmpWalk *w, const oid *name, size_t len)
{
	const SnmpRoot *r = &snmp_walk_roots[w->root];

	if (len <= r->oid_len)
		return false;
	for (size_t i = 0; i < r->oid_len; i++)
		if (name[i] != r->oid[i])
			return false;
	return true;
}

static int	walk_callback(int op, netsnmp_session *session, int reqid, netsnmp_pdu *pdu, void *magic);

/* Asks for the next values of the current subtree, or ends the walk after the last one. */
static void
walk_send_next(SnmpWalk *w)
{
	netsnmp_pdu *pdu;

	if (w->state != SNMP_WALK_RUNNING)
		return;
	if (w->root >= SNMP_N_ROOTS)
	{
		w->state = SNMP_WALK_DONE;
		return;
	}
	pdu = snmp_pdu_create(SNMP_MSG_GETBULK);
	pdu->non_repeaters = 0;
	pdu->max_repetitions = w->max_repetitions;
	snmp_add_null_var(pdu, w->last, w->last_len);
	if (snmp_sess_async_send(w->sess, pdu, walk_callback, w) == 0)
	{
		int			liberr = 0;
		int			syserr = 0;
		char	   *msg = NULL;

		snmp_sess_error(w->sess, &liberr, &syserr, &msg);
		walk_fail(w, "could not send an SNMP request: %s", msg ? msg : "unknown error");
		free(msg);
		snmp_free_pdu(pdu);
	}
}

static void
walk_next_root(SnmpWalk *w)
{
	if (w->dropped[w->root] > 0)
		walk_note(w, "%s: %zu malformed values left out (wrong type or index)", snmp_walk_roots[w->root].name,
				  w->dropped[w->root]);
	w->complete[w->root] = true;
	w->root++;
	if (w->root < SNMP_N_ROOTS)
		walk_set_last_to_root(w);
}

/* Keeps one value (copies: net-snmp frees the PDU after the callback). */
static bool
walk_keep(SnmpWalk *w, const netsnmp_variable_list *vb)
{
	SnmpValue  *v;

	if (w->nvalues == w->cap)
	{
		size_t		cap = w->cap ? w->cap * 2 : 256;
		SnmpValue  *grown = realloc(w->values, cap * sizeof(SnmpValue));

		if (grown == NULL)
		{
			walk_fail(w, "out of memory after %zu values", w->nvalues);
			return false;
		}
		w->values = grown;
		w->cap = cap;
	}
	v = &w->values[w->nvalues];
	memset(v, 0, sizeof(*v));
	v->root = (SnmpRootId) w->root;
	v->oid = malloc(vb->name_length * sizeof(uint32_t) + 1);
	if (v->oid == NULL)
	{
		walk_fail(w, "out of memory after %zu values", w->nvalues);
		return false;
	}
	for (size_t i = 0; i < vb->name_length; i++)
		v->oid[i] = (uint32_t) vb->name[i];
	v->oid_len = vb->name_length;
	switch (vb->type)
	{
		case ASN_INTEGER:
			v->kind = SNMP_VAL_INT;
			v->num = *vb->val.integer;
			break;
		case ASN_COUNTER:
		case ASN_GAUGE:
		case ASN_TIMETICKS:
		case ASN_UINTEGER:
			v->kind = SNMP_VAL_INT;
			v->num = (int64_t) (uint32_t) *vb->val.integer;
			break;
		case ASN_COUNTER64:
			v->kind = SNMP_VAL_INT;
			v->num = (int64_t) (((uint64_t) vb->val.counter64->high << 32) | vb->val.counter64->low);
			break;
		case ASN_OCTET_STR:
		case ASN_OPAQUE:
		case ASN_IPADDRESS:
			v->kind = vb->type == ASN_IPADDRESS ? SNMP_VAL_IPADDR : SNMP_VAL_OCTETS;
			v->bytes = malloc(vb->val_len + 1);
			if (v->bytes == NULL)
			{
				free(v->oid);
				walk_fail(w, "out of memory after %zu values", w->nvalues);
				return false;
			}
			if (vb->val_len > 0)
				memcpy(v->bytes, vb->val.string, vb->val_len);
			v->bytes[vb->val_len] = '\0';
			v->bytes_len = vb->val_len;
			break;
		case ASN_OBJECT_ID:
			{
				size_t		n = vb->val_len / sizeof(oid);
				size_t		cap = n * 11 + 1;
				size_t		used = 0;

				v->kind = SNMP_VAL_OID;
				v->bytes = malloc(cap);
				if (v->bytes == NULL)
				{
					free(v->oid);
					walk_fail(w, "out of memory after %zu values", w->nvalues);
					return false;
				}
				v->bytes[0] = '\0';
				/* 11 bytes a sub-identifier holds any 32-bit value; stop rather than overrun if not */
				for (size_t i = 0; i < n; i++)
				{
					int			r = snprintf((char *) v->bytes + used, cap - used, "%s%lu", i ? "." : "",
											 (unsigned long) vb->val.objid[i]);

					if (r < 0 || (size_t) r >= cap - used)
					{
						used = strlen((char *) v->bytes);
						break;
					}
					used += (size_t) r;
				}
				v->bytes_len = used;
				break;
			}
		default:
			v->kind = SNMP_VAL_OTHER;
			break;
	}
	w->nvalues++;
	return true;
}

/* The value kind net-snmp's ASN.1 type stands for (as walk_keep stores it). */
static SnmpValueKind
walk_kind_of(u_char type)
{
	switch (type)
	{
		case ASN_INTEGER:
		case ASN_COUNTER:
		case ASN_GAUGE:
		case ASN_TIMETICKS:
		case ASN_UINTEGER:
		case ASN_COUNTER64:
			return SNMP_VAL_INT;
		case ASN_OCTET_STR:
		case ASN_OPAQUE:
			return SNMP_VAL_OCTETS;
		case ASN_IPADDRESS:
			return SNMP_VAL_IPADDR;
		case ASN_OBJECT_ID:
			return SNMP_VAL_OID;
		default:
			return SNMP_VAL_OTHER;
	}
}

/* True when the n sub-identifiers from ix are all octets (an address or a MAC in an index). */
static bool
walk_index_octets(const oid *ix, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ix[i] > 255)
			return false;
	return true;
}

/*
 * Whether a value has the type and index shape its MIB gives it. The store reads numbers, addresses
 * and MACs out of these values and indexes; an agent with a broken MIB implementation (a class
 * that is a string, an address octet of 300, an index one part short) would otherwise make the
 * whole device fail to store. Values the walk does not interpret (sysORTable, other columns) pass.
 */
static bool
walk_value_fits(int root, const netsnmp_variable_list *vb)
{
	const oid  *ix = vb->name + snmp_walk_roots[root].oid_len;
	size_t		n = vb->name_length - snmp_walk_roots[root].oid_len;
	SnmpValueKind kind = walk_kind_of(vb->type);

	switch ((SnmpRootId) root)
	{
		case SNMP_ROOT_SYSTEM:
			if (n != 2 || ix[1] != 0 || ix[0] < 1 || ix[0] > 7)
				return true;	/* sysORTable and the like: kept as they are, never read */
			if (ix[0] == 2)
				return kind == SNMP_VAL_OID;
			if (ix[0] == 3 || ix[0] == 7)
				return kind == SNMP_VAL_INT;
			return kind == SNMP_VAL_OCTETS;
		case SNMP_ROOT_IF_TYPE:
		case SNMP_ROOT_IF_OPER:
		case SNMP_ROOT_ENT_CLASS:
			return n == 1 && kind == SNMP_VAL_INT;
		case SNMP_ROOT_IF_DESCR:
		case SNMP_ROOT_IF_MAC:
		case SNMP_ROOT_IF_NAME:
		case SNMP_ROOT_IF_ALIAS:
		case SNMP_ROOT_HR_SW_NAME:
		case SNMP_ROOT_ENT_SERIAL:
		case SNMP_ROOT_ENT_MFG:
		case SNMP_ROOT_ENT_MODEL:
			return n == 1 && kind == SNMP_VAL_OCTETS;
		case SNMP_ROOT_IPADDR:
			return n == 4 && walk_index_octets(ix, 4) && kind == SNMP_VAL_IPADDR && vb->val_len == 4;
		case SNMP_ROOT_IPADDRESS_TYPE:
			/* ipAddressAddrType . length . address octets */
			return n >= 2 && ix[1] == n - 2 && walk_index_octets(ix + 2, n - 2) && kind == SNMP_VAL_INT;
		case SNMP_ROOT_ARP:
			/* ipNetToMediaIfIndex . IPv4 address */
			return n == 5 && walk_index_octets(ix + 1, 4) && kind == SNMP_VAL_OCTETS;
		case SNMP_ROOT_LLDP_REM:
			/* column . lldpRemTimeMark . lldpRemLocalPortNum . lldpRemIndex */
			if (n != 4)
				return false;
			if (ix[0] == 4 || ix[0] == 6)
				return kind == SNMP_VAL_INT;
			if (ix[0] >= 5 && ix[0] <= 10)
				return kind == SNMP_VAL_OCTETS;
			return true;
		case SNMP_ROOT_LLDP_MANADDR:
			/* the three lldpRemTable indexes . lldpRemManAddrSubtype . length . address octets */
			return n >= 5 && ix[4] == n - 5 && walk_index_octets(ix + 5, n - 5) && kind == SNMP_VAL_INT;
		case SNMP_ROOT_CDP:
			/* column . cdpCacheIfIndex . cdpCacheDeviceIndex */
			if (n != 3)
				return false;
			if (ix[0] == 3)
				return kind == SNMP_VAL_INT;
			if (ix[0] >= 4 && ix[0] <= 8)
				return kind == SNMP_VAL_OCTETS;
			return true;
		case SNMP_N_ROOTS:
			break;
	}
	return false;
}

/* One GETBULK answer: keep what lies in the subtree, then ask for more or move to the next one. */
static void
walk_on_response(SnmpWalk *w, netsnmp_pdu *pdu)
{
	bool		root_done = pdu->variables == NULL;

	if (pdu->command == SNMP_MSG_REPORT)
	{
		walk_fail(w, "the agent refused the request: %s", snmp_api_errstring(snmpv3_get_report_type(pdu)));
		return;
	}
	if (pdu->errstat == SNMP_ERR_TOOBIG && w->max_repetitions > 1)
	{
		w->max_repetitions /= 2;
		walk_send_next(w);
		return;
	}
	if (pdu->errstat != SNMP_ERR_NOERROR)
	{
		walk_note(w, "%s refused (%s)", snmp_walk_roots[w->root].name, snmp_errstring((int) pdu->errstat));
		w->root++;
		if (w->root < SNMP_N_ROOTS)
			walk_set_last_to_root(w);
		walk_send_next(w);
		return;
	}
	for (netsnmp_variable_list *vb = pdu->variables; vb != NULL; vb = vb->next_variable)
	{
		if (vb->type == SNMP_ENDOFMIBVIEW || vb->type == SNMP_NOSUCHOBJECT || vb->type == SNMP_NOSUCHINSTANCE)
		{
			root_done = true;
			break;
		}
		/*
		 * Before the subtree test: an OID that goes backwards is outside the subtree too, but it is
		 * a broken agent, not the end of the table (taken as the end, it would store the table as
		 * read in full and empty).
		 */
		if (snmp_oid_compare(vb->name, vb->name_length, w->last, w->last_len) <= 0)
		{
			walk_fail(w, "the agent answered OIDs out of order in %s (it would loop)", snmp_walk_roots[w->root].name);
			return;
		}
		if (!walk_in_root(w, vb->name, vb->name_length))
		{
			root_done = true;
			break;
		}
		if (w->nread >= w->max_values)
		{
			walk_fail(w, "the agent answered more than %zu values (infracast.discovery_max_values)", w->max_values);
			return;
		}
		w->nread++;
		if (!walk_value_fits(w->root, vb))
			w->dropped[w->root]++;
		else if (!walk_keep(w, vb))
			return;
		memcpy(w->last, vb->name, vb->name_length * sizeof(oid));
		w->last_len = vb->name_length;
	}
	if (root_done)
		walk_next_root(w);
	walk_send_next(w);
}

static int
walk_callback(int op, netsnmp_session *session, int reqid, netsnmp_pdu *pdu, void *magic)
{
	SnmpWalk   *w = magic;

	if (w->state != SNMP_WALK_RUNNING)
		return 1;
	switch (op)
	{
		case NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE:
			walk_on_response(w, pdu);
			break;
		case NETSNMP_CALLBACK_OP_TIMED_OUT:
			walk_fail(w, "timeout: no answer to %d tries of %d ms while reading %s%s", w->tries, w->timeout_ms,
					  snmp_walk_roots[w->root].name,
					  w->nvalues > 0 ? "" : w->version == 3 ? " (unreachable, no agent, or a wrong privacy passphrase)"
					  : " (unreachable, no agent, or a wrong community)");
			break;
		case NETSNMP_CALLBACK_OP_RESEND:
		case NETSNMP_CALLBACK_OP_CONNECT:
			break;				/* net-snmp telling us it sent again: the request is still pending */
		case NETSNMP_CALLBACK_OP_SEC_ERROR:
			walk_fail(w, "the agent's answer failed the security checks: %s",
					  snmp_api_errstring(session->s_snmp_errno ? session->s_snmp_errno : SNMPERR_AUTHENTICATION_FAILURE));
			break;
		case NETSNMP_CALLBACK_OP_SEND_FAILED:
			walk_fail(w, "could not send an SNMP request: %s", snmp_api_errstring(session->s_snmp_errno));
			break;
		default:
			walk_fail(w, "SNMP session error %d (%s)", op, snmp_api_errstring(session->s_snmp_errno));
			break;
	}
	return 1;
}

/* Fills the USM fields of a v3 session; false with err filled on a bad protocol or passphrase. */
static bool
walk_setup_usm(netsnmp_session *s, const SnmpWalkConfig *cfg, char *err, size_t errlen)
{
	s->version = SNMP_VERSION_3;
	s->securityName = strdup(cfg->user);
	s->securityNameLen = strlen(cfg->user);
	s->securityLevel = SNMP_SEC_LEVEL_AUTHPRIV;
	if (strcmp(cfg->auth_protocol, "SHA") == 0)
	{
		s->securityAuthProto = snmp_duplicate_objid(usmHMACSHA1AuthProtocol, OID_LENGTH(usmHMACSHA1AuthProtocol));
		s->securityAuthProtoLen = OID_LENGTH(usmHMACSHA1AuthProtocol);
	}
	else if (strcmp(cfg->auth_protocol, "SHA-256") == 0)
	{
		s->securityAuthProto = snmp_duplicate_objid(usmHMAC192SHA256AuthProtocol, OID_LENGTH(usmHMAC192SHA256AuthProtocol));
		s->securityAuthProtoLen = OID_LENGTH(usmHMAC192SHA256AuthProtocol);
	}
	else if (strcmp(cfg->auth_protocol, "SHA-512") == 0)
	{
		s->securityAuthProto = snmp_duplicate_objid(usmHMAC384SHA512AuthProtocol, OID_LENGTH(usmHMAC384SHA512AuthProtocol));
		s->securityAuthProtoLen = OID_LENGTH(usmHMAC384SHA512AuthProtocol);
	}
	else
	{
		snprintf(err, errlen, "unknown SNMPv3 authentication protocol \"%s\"", cfg->auth_protocol);
		return false;
	}
	if (strcmp(cfg->priv_protocol, "AES") == 0)
	{
		s->securityPrivProto = snmp_duplicate_objid(usmAESPrivProtocol, OID_LENGTH(usmAESPrivProtocol));
		s->securityPrivProtoLen = OID_LENGTH(usmAESPrivProtocol);
	}
	else if (strcmp(cfg->priv_protocol, "AES-256") == 0)
	{
		s->securityPrivProto = snmp_duplicate_objid(usmAES256PrivProtocol, OID_LENGTH(usmAES256PrivProtocol));
		s->securityPrivProtoLen = OID_LENGTH(usmAES256PrivProtocol);
	}
	else
	{
		snprintf(err, errlen, "unknown SNMPv3 privacy protocol \"%s\"", cfg->priv_protocol);
		return false;
	}
	s->securityAuthKeyLen = sizeof(s->securityAuthKey);
	s->securityPrivKeyLen = sizeof(s->securityPrivKey);
	if (generate_Ku(s->securityAuthProto, (u_int) s->securityAuthProtoLen, (const u_char *) cfg->auth_pass,
					strlen(cfg->auth_pass), s->securityAuthKey, &s->securityAuthKeyLen) != SNMPERR_SUCCESS ||
		generate_Ku(s->securityAuthProto, (u_int) s->securityAuthProtoLen, (const u_char *) cfg->priv_pass,
					strlen(cfg->priv_pass), s->securityPrivKey, &s->securityPrivKeyLen) != SNMPERR_SUCCESS)
	{
		snprintf(err, errlen, "could not derive the SNMPv3 keys from the passphrases (at least 8 characters each)");
		return false;
	}
	return true;
}

static void
walk_session_clear(netsnmp_session *s)
{
	free(s->peername);
	free(s->community);
	free(s->securityName);
	free(s->securityAuthProto);
	free(s->securityPrivProto);
	memset(s->securityAuthKey, 0, sizeof(s->securityAuthKey));
	memset(s->securityPrivKey, 0, sizeof(s->securityPrivKey));
}

/*
 * net-snmp keeps the USM users it learns in a process-wide list, keyed by engine ID and name, and
 * a new session whose user is already listed uses the listed keys, not its own: a wrong passphrase
 * would pass after a right one. The worker forgets them all between jobs (the walks of one job
 * share one credential), which also drops the localized keys from memory.
 */
void
snmp_walk_forget_users(void)
{
	struct usmUser *u;

	while ((u = usm_get_userList()) != NULL)
	{
		usm_remove_user(u);
		usm_free_user(u);
	}
}

SnmpWalk *
snmp_walk_start(const SnmpWalkConfig *cfg, char *err, size_t errlen)
{
	netsnmp_session s;
	SnmpWalk   *w = calloc(1, sizeof(SnmpWalk));

	if (w == NULL)
	{
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snmp_sess_init(&s);
	s.peername = strdup(cfg->peer);
	s.timeout = (long) cfg->timeout_ms * 1000L;
	s.retries = cfg->retries;
	s.callback = walk_callback;
	s.callback_magic = w;
	if (cfg->version == 3)
	{
		if (!walk_setup_usm(&s, cfg, err, errlen))
		{
			walk_session_clear(&s);
			free(w);
			return NULL;
		}
	}
	else
	{
		s.version = SNMP_VERSION_2c;
		s.community = (u_char *) strdup(cfg->community);
		s.community_len = strlen(cfg->community);
	}
	/* SNMPv3: opening probes the agent's engine ID (synchronously, bounded by timeout x tries). */
	w->sess = snmp_sess_open(&s);
	if (w->sess == NULL)
	{
		int			liberr = 0;
		int			syserr = 0;
		char	   *msg = NULL;

		snmp_error(&s, &liberr, &syserr, &msg);
		snprintf(err, errlen, "could not open an SNMP session to %s: %s", cfg->peer, msg ? msg : "unknown error");
		free(msg);
		walk_session_clear(&s);
		free(w);
		return NULL;
	}
	walk_session_clear(&s);		/* snmp_sess_open copied it */
	w->state = SNMP_WALK_RUNNING;
	w->version = cfg->version;
	w->timeout_ms = cfg->timeout_ms;
	w->tries = cfg->retries + 1;
	w->max_values = cfg->max_values;
	w->max_repetitions = WALK_MAX_REPETITIONS;
	w->root = 0;
	walk_set_last_to_root(w);
	walk_send_next(w);
	return w;
}

int
snmp_walk_socket(const SnmpWalk *w)
{
	netsnmp_transport *t = snmp_sess_transport(w->sess);

	return t ? t->sock : -1;
}

long
snmp_walk_wait_ms(SnmpWalk *w)
{
	netsnmp_large_fd_set fds;
	struct timeval tv = {0, 0};
	int			numfds = 0;
	int			block = 1;

	if (w->state != SNMP_WALK_RUNNING)
		return 0;
	netsnmp_large_fd_set_init(&fds, FD_SETSIZE);
	snmp_sess_select_info2(w->sess, &numfds, &fds, &tv, &block);
	netsnmp_large_fd_set_cleanup(&fds);
	if (block)
		return -1;
	return (long) tv.tv_sec * 1000L + (tv.tv_usec + 999) / 1000;
}

void
snmp_walk_readable(SnmpWalk *w)
{
	netsnmp_large_fd_set fds;
	int			sock = snmp_walk_socket(w);

	if (w->state != SNMP_WALK_RUNNING || sock < 0)
		return;
	netsnmp_large_fd_set_init(&fds, sock + 1);
	NETSNMP_LARGE_FD_SET(sock, &fds);
	snmp_sess_read2(w->sess, &fds);
	netsnmp_large_fd_set_cleanup(&fds);
}

void
snmp_walk_tick(SnmpWalk *w)
{
	if (w->state == SNMP_WALK_RUNNING)
		snmp_sess_timeout(w->sess);
}

void
snmp_walk_abort(SnmpWalk *w, const char *reason)
{
	walk_fail(w, "%s", reason);
}

SnmpWalkState
snmp_walk_state(const SnmpWalk *w)
{
	return w->state;
}

const char *
snmp_walk_error(const SnmpWalk *w)
{
	return w->error;
}

const char *
snmp_walk_notes(const SnmpWalk *w)
{
	return w->notes;
}

bool
snmp_walk_root_complete(const SnmpWalk *w, SnmpRootId root)
{
	return w->complete[root];
}

const SnmpValue *
snmp_walk_values(const SnmpWalk *w, size_t *n)
{
	*n = w->nvalues;
	return w->values;
}

void
snmp_walk_free(SnmpWalk *w)
{
	if (w == NULL)
		return;
	if (w->sess)
		snmp_sess_close(w->sess);
	for (size_t i = 0; i < w->nvalues; i++)
	{
		free(w->values[i].oid);
		free(w->values[i].bytes);
	}
	free(w->values);
	free(w);
}
