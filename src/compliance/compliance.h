/*
 * compliance.h: what the compliance subsystem offers the rest of Infracast.
 *
 * Almost all of compliance is SQL (extension/sql/75_compliance.sql: import, profile resolution,
 * rules, assessments, scores; docs/compliance.md says why). The C part is the air-gap piece: the
 * NIST SP 800-53 rev5 catalog and its four baseline profiles are built into infracast.so, gzipped,
 * and handed to SQL by name, so CREATE EXTENSION fills the catalogue without reading any file.
 */
#ifndef INFRACAST_COMPLIANCE_H
#define INFRACAST_COMPLIANCE_H

#include "postgres.h"

/* IC6xx: compliance (docs/errors.md, docs/compliance.md#errors) */
#define ERRCODE_IC_OSCAL_MALFORMED      MAKE_SQLSTATE('I', 'C', '6', '0', '1')
#define ERRCODE_IC_OSCAL_UNKNOWN_DOC    MAKE_SQLSTATE('I', 'C', '6', '0', '5')

/* A shipped document: its name, and its gzipped bytes inside infracast.so. */
typedef struct ComplianceShippedDoc
{
	const char *name;
	const char *gz;
	size_t		gz_len;
} ComplianceShippedDoc;

/* The shipped documents (compliance_shipped.c); *n receives their number. */
extern const ComplianceShippedDoc *compliance_shipped_docs(int *n);

#endif							/* INFRACAST_COMPLIANCE_H */
