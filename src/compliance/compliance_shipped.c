/*
 * compliance_shipped.c: the OSCAL documents built into infracast.so.
 *
 * An enclave must get its catalogue of controls without any file from outside the install and
 * without the network, so the NIST SP 800-53 rev5 catalog (5.0.1) and the LOW, MODERATE, HIGH and
 * PRIVACY baseline profiles are pulled in by the assembler (.incbin), as stored gzipped in
 * extension/data/compliance/ (about 360 KB in all; the catalog inflates to 1.7 MB). CREATE
 * EXTENSION calls infracast.compliance_shipped_document(name) for each and imports it with the same
 * SQL a user's import goes through. The LLVM bitcode copy of this file leaves the bytes out: nothing
 * inlines them (mk/compliance.mk).
 */
#include "compliance/compliance.h"

#include <zlib.h>

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"

#ifndef INFRACAST_COMPLIANCE_DATA	/* set by mk/compliance.mk; this default serves linters */
#define INFRACAST_COMPLIANCE_DATA "extension/data/compliance"
#endif

#define SHIPPED_CATALOG  "NIST_SP-800-53_rev5.0.1_catalog-min.json.gz"
#define SHIPPED_PROFILE(level) "NIST_SP-800-53_rev5_" level "-baseline_profile.json.gz"

#ifndef INFRACAST_COMPLIANCE_BITCODE
#define INCBIN(sym, file) \
	__asm__(".section .rodata\n.balign 16\n" #sym "_start:\n.incbin \"" INFRACAST_COMPLIANCE_DATA "/" file "\"\n" \
			#sym "_end:\n.previous\n"); \
	extern const char sym##_start[] __asm__(#sym "_start"); \
	extern const char sym##_end[] __asm__(#sym "_end")

INCBIN(infracast_oscal_catalog, SHIPPED_CATALOG);
INCBIN(infracast_oscal_low, SHIPPED_PROFILE("LOW"));
INCBIN(infracast_oscal_moderate, SHIPPED_PROFILE("MODERATE"));
INCBIN(infracast_oscal_high, SHIPPED_PROFILE("HIGH"));
INCBIN(infracast_oscal_privacy, SHIPPED_PROFILE("PRIVACY"));

#define DOC(name, sym) {name, sym##_start, 0}
static ComplianceShippedDoc shipped[] = {
	DOC("nist-800-53-rev5", infracast_oscal_catalog),
	DOC("nist-800-53-rev5-low", infracast_oscal_low),
	DOC("nist-800-53-rev5-moderate", infracast_oscal_moderate),
	DOC("nist-800-53-rev5-high", infracast_oscal_high),
	DOC("nist-800-53-rev5-privacy", infracast_oscal_privacy),
};
static const char *const shipped_ends[] = {
	infracast_oscal_catalog_end, infracast_oscal_low_end, infracast_oscal_moderate_end,
	infracast_oscal_high_end, infracast_oscal_privacy_end,
};
#else
static ComplianceShippedDoc shipped[] = {{"", "", 0}};
static const char *const shipped_ends[] = {""};
#endif

const ComplianceShippedDoc *
compliance_shipped_docs(int *n)
{
	*n = (int) lengthof(shipped);
	for (int i = 0; i < *n; i++)
		shipped[i].gz_len = (size_t) ((uintptr_t) shipped_ends[i] - (uintptr_t) shipped[i].gz);
	return shipped;
}

/* Inflates a gzip member held in memory; any zlib complaint is a broken build, not a user error. */
static char *
shipped_inflate(const ComplianceShippedDoc *doc, size_t *out_len)
{
	z_stream	zs;
	StringInfoData out;
	int			rc;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
		elog(ERROR, "zlib inflateInit2 failed");
	initStringInfo(&out);
	zs.next_in = (Bytef *) doc->gz;
	zs.avail_in = (uInt) doc->gz_len;
	do
	{
		enlargeStringInfo(&out, 256 * 1024);
		zs.next_out = (Bytef *) (out.data + out.len);
		zs.avail_out = (uInt) (out.maxlen - out.len - 1);
		rc = inflate(&zs, Z_NO_FLUSH);
		out.len = (int) ((char *) zs.next_out - out.data);
		if (rc != Z_OK && rc != Z_STREAM_END)
		{
			inflateEnd(&zs);
			elog(ERROR, "shipped OSCAL document \"%s\" does not inflate (zlib %d): infracast.so is damaged",
				 doc->name, rc);
		}
	} while (rc != Z_STREAM_END);
	inflateEnd(&zs);
	out.data[out.len] = '\0';
	*out_len = (size_t) out.len;
	return out.data;
}

PG_FUNCTION_INFO_V1(infracast_compliance_shipped_document);

/*
 * infracast.compliance_shipped_document(name text) RETURNS text: the JSON of a document built into
 * the library, converted to the database encoding (the files are UTF-8).
 */
Datum
infracast_compliance_shipped_document(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	int			n;
	const ComplianceShippedDoc *docs = compliance_shipped_docs(&n);

	for (int i = 0; i < n; i++)
	{
		size_t		len;
		char	   *json;
		char	   *converted;

		if (docs[i].gz_len == 0 || strcmp(docs[i].name, name) != 0)
			continue;
		json = shipped_inflate(&docs[i], &len);
		(void) pg_verify_mbstr(PG_UTF8, json, (int) len, false);
		converted = pg_any_to_server(json, (int) len, PG_UTF8);
		PG_RETURN_TEXT_P(cstring_to_text(converted));
	}
	ereport(ERROR,
			(errcode(ERRCODE_IC_OSCAL_UNKNOWN_DOC),
			 errmsg("no OSCAL document named \"%s\" ships with infracast", name),
			 errhint("The shipped documents are nist-800-53-rev5 (the catalog) and nist-800-53-rev5-low, -moderate, -high and -privacy (the baselines).")));
	PG_RETURN_NULL();
}
