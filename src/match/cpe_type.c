/*
 * cpe_type.c: the infracast.cpe base type and its SQL functions (thin glue over match/cpe.c).
 *
 * A cpe is stored as its canonical formatted string (lower case, minimal escapes) in a text-like
 * varlena, so equal names are equal bytes: btree and hash support come from byte comparison, and
 * the value reads back in psql exactly as the canonical form.
 */
#include "match/match.h"

#include "access/hash.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(infracast_cpe_in);
PG_FUNCTION_INFO_V1(infracast_cpe_out);
PG_FUNCTION_INFO_V1(infracast_cpe_recv);
PG_FUNCTION_INFO_V1(infracast_cpe_send);
PG_FUNCTION_INFO_V1(infracast_cpe_attribute);
PG_FUNCTION_INFO_V1(infracast_cpe_uri);
PG_FUNCTION_INFO_V1(infracast_cpe_match);
PG_FUNCTION_INFO_V1(infracast_cpe_build);
PG_FUNCTION_INFO_V1(infracast_cpe_try);
PG_FUNCTION_INFO_V1(infracast_cpe_try_build);
PG_FUNCTION_INFO_V1(infracast_cpe_value);
PG_FUNCTION_INFO_V1(infracast_cpe_cmp);
PG_FUNCTION_INFO_V1(infracast_cpe_eq);
PG_FUNCTION_INFO_V1(infracast_cpe_ne);
PG_FUNCTION_INFO_V1(infracast_cpe_lt);
PG_FUNCTION_INFO_V1(infracast_cpe_le);
PG_FUNCTION_INFO_V1(infracast_cpe_gt);
PG_FUNCTION_INFO_V1(infracast_cpe_ge);
PG_FUNCTION_INFO_V1(infracast_cpe_hash);

void
match_cpe_parse_or_error(const char *s, size_t len, Cpe *out)
{
	CpeError	err;

	if (!cpe_name_parse(s, len, out, &err))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 err.attr >= 0
				 ? errmsg("invalid cpe \"%.*s\": %s: %s", (int) Min(len, 200), s, cpe_attr_name(err.attr), err.message)
				 : errmsg("invalid cpe \"%.*s\": %s", (int) Min(len, 200), s, err.message),
				 errdetail("A CPE 2.3 formatted string is cpe:2.3:part:vendor:product:version:update:edition:language:sw_edition:target_sw:target_hw:other."),
				 errhint("Use \"*\" for any value, \"-\" for not applicable, and escape punctuation other than \"-\", \".\" and \"_\" with a backslash.")));
}

/* The canonical formatted string of a parsed name, as a palloc'd text. */
static text *
cpe_to_text(const Cpe *cpe)
{
	char		buf[CPE_MAX_LEN * 2 + 64];
	size_t		len = cpe_name_format(cpe, buf, sizeof(buf));

	if (len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_STRING_DATA_RIGHT_TRUNCATION),
				 errmsg("cpe name is too long once escaped"),
				 errhint("A CPE name may have at most 1024 characters.")));
	return cstring_to_text_with_len(buf, (int) len);
}

/* Parse a stored (canonical) value back; it was validated on input. */
static void
cpe_from_datum(text *t, Cpe *out)
{
	match_cpe_parse_or_error(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), out);
}

Datum
infracast_cpe_in(PG_FUNCTION_ARGS)
{
	char	   *s = PG_GETARG_CSTRING(0);
	Cpe			cpe;

	match_cpe_parse_or_error(s, strlen(s), &cpe);
	PG_RETURN_TEXT_P(cpe_to_text(&cpe));
}

Datum
infracast_cpe_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(text_to_cstring(PG_GETARG_TEXT_PP(0)));
}

Datum
infracast_cpe_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			nbytes;
	char	   *s = pq_getmsgtext(buf, buf->len - buf->cursor, &nbytes);
	Cpe			cpe;

	match_cpe_parse_or_error(s, (size_t) nbytes, &cpe);
	PG_RETURN_TEXT_P(cpe_to_text(&cpe));
}

Datum
infracast_cpe_send(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendtext(&buf, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* infracast.cpe_attribute(cpe, name): one attribute in formatted-string form ("*", "-", escapes kept). */
Datum
infracast_cpe_attribute(PG_FUNCTION_ARGS)
{
	Cpe			cpe;
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(1));
	char		buf[CPE_MAX_LEN * 2 + 8];
	int			attr;

	for (attr = 0; attr < CPE_NATTRS; attr++)
		if (strcmp(name, cpe_attr_name(attr)) == 0)
			break;
	if (attr == CPE_NATTRS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown cpe attribute \"%s\"", name),
				 errhint("Attributes are part, vendor, product, version, update, edition, language, sw_edition, target_sw, target_hw and other.")));
	cpe_from_datum(PG_GETARG_TEXT_PP(0), &cpe);
	cpe_name_format_attr(&cpe, attr, buf, sizeof(buf));
	PG_RETURN_TEXT_P(cstring_to_text(buf));
}

Datum
infracast_cpe_uri(PG_FUNCTION_ARGS)
{
	Cpe			cpe;
	char		buf[CPE_MAX_LEN * 3 + 64];

	cpe_from_datum(PG_GETARG_TEXT_PP(0), &cpe);
	if (cpe_name_format_uri(&cpe, buf, sizeof(buf)) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_STRING_DATA_RIGHT_TRUNCATION),
				 errmsg("cpe name is too long for its URI binding")));
	PG_RETURN_TEXT_P(cstring_to_text(buf));
}

/*
 * The pattern is often a constant across many calls (WHERE cpe_match('cpe:2.3:a:openssl:...', s.cpe)):
 * keep its parse in fn_extra, keyed by its bytes.
 */
typedef struct CpeCache
{
	Size		len;
	char		bytes[CPE_MAX_LEN * 2 + 64];
	Cpe			cpe;
} CpeCache;

static const Cpe *
cpe_cached(FunctionCallInfo fcinfo, text *t)
{
	CpeCache   *cache = (CpeCache *) fcinfo->flinfo->fn_extra;
	Size		len = VARSIZE_ANY_EXHDR(t);

	if (cache == NULL)
	{
		cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(CpeCache));
		fcinfo->flinfo->fn_extra = cache;
	}
	else if (cache->len == len && memcmp(cache->bytes, VARDATA_ANY(t), len) == 0)
		return &cache->cpe;
	if (len >= sizeof(cache->bytes))
		len = sizeof(cache->bytes) - 1;
	match_cpe_parse_or_error(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), &cache->cpe);
	memcpy(cache->bytes, VARDATA_ANY(t), len);
	cache->len = len;
	return &cache->cpe;
}

/* infracast.cpe_match(pattern, candidate): NISTIR 7696 superset-or-equal. */
Datum
infracast_cpe_match(PG_FUNCTION_ARGS)
{
	const Cpe  *pattern = cpe_cached(fcinfo, PG_GETARG_TEXT_PP(0));
	Cpe			candidate;

	cpe_from_datum(PG_GETARG_TEXT_PP(1), &candidate);
	PG_RETURN_BOOL(cpe_name_match(pattern, &candidate));
}

/* infracast.cpe_build(part, vendor, product, version, update): a name from inventory words. */
Datum
infracast_cpe_build(PG_FUNCTION_ARGS)
{
	const char *words[5];
	int			i;
	Cpe			cpe;
	CpeError	err;

	for (i = 0; i < 5; i++)
		words[i] = PG_ARGISNULL(i) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(i));
	if (!cpe_name_build(&cpe, words[0], words[1], words[2], words[3], words[4], &err))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("cannot build a cpe: %s: %s", cpe_attr_name(err.attr), err.message),
				 errhint("Inventory words must be printable ASCII; part is a, o or h.")));
	PG_RETURN_TEXT_P(cpe_to_text(&cpe));
}

/* infracast.cpe_try(text): the name, or NULL when the text is not a valid CPE (for bulk matching). */
Datum
infracast_cpe_try(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	Cpe			cpe;
	CpeError	err;

	if (!cpe_name_parse(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), &cpe, &err))
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cpe_to_text(&cpe));
}

/* infracast.cpe_try_build(part, vendor, product, version, update): cpe_build, or NULL when it cannot. */
Datum
infracast_cpe_try_build(PG_FUNCTION_ARGS)
{
	const char *words[5];
	int			i;
	Cpe			cpe;
	CpeError	err;

	if (PG_ARGISNULL(2))
		PG_RETURN_NULL();
	for (i = 0; i < 5; i++)
		words[i] = PG_ARGISNULL(i) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(i));
	if (!cpe_name_build(&cpe, words[0], words[1], words[2], words[3], words[4], &err))
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cpe_to_text(&cpe));
}

/*
 * infracast.cpe_value(cpe, attribute): the attribute's logical value, escapes removed, as
 * infracast.cve_cpe_match stores its vendor/product/... columns ("*" ANY, "-" NA).
 */
Datum
infracast_cpe_value(PG_FUNCTION_ARGS)
{
	Cpe			cpe;
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(1));
	char		buf[CPE_MAX_LEN * 2 + 8];
	size_t		len;
	int			attr;

	for (attr = 0; attr < CPE_NATTRS; attr++)
		if (strcmp(name, cpe_attr_name(attr)) == 0)
			break;
	if (attr == CPE_NATTRS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown cpe attribute \"%s\"", name),
				 errhint("Attributes are part, vendor, product, version, update, edition, language, sw_edition, target_sw, target_hw and other.")));
	cpe_from_datum(PG_GETARG_TEXT_PP(0), &cpe);
	/* the NVD reader stores cve_cpe_match's columns with the same function (cpe_name_split) */
	len = cpe_attr_text(&cpe, attr, buf, sizeof(buf));
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf, (int) len));
}

/* Ordering: by canonical bytes (names of one vendor and product sort together). */
static int
cpe_cmp_internal(text *a, text *b)
{
	Size		la = VARSIZE_ANY_EXHDR(a),
				lb = VARSIZE_ANY_EXHDR(b);
	int			c = memcmp(VARDATA_ANY(a), VARDATA_ANY(b), Min(la, lb));

	if (c == 0 && la != lb)
		c = la < lb ? -1 : 1;
	return c;
}

#define CPE_CMP() cpe_cmp_internal(PG_GETARG_TEXT_PP(0), PG_GETARG_TEXT_PP(1))

Datum
infracast_cpe_cmp(PG_FUNCTION_ARGS)
{
	int			c = CPE_CMP();

	PG_RETURN_INT32((c > 0) - (c < 0));
}

Datum
infracast_cpe_eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(CPE_CMP() == 0);
}

Datum
infracast_cpe_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(CPE_CMP() != 0);
}

Datum
infracast_cpe_lt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(CPE_CMP() < 0);
}

Datum
infracast_cpe_le(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(CPE_CMP() <= 0);
}

Datum
infracast_cpe_gt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(CPE_CMP() > 0);
}

Datum
infracast_cpe_ge(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(CPE_CMP() >= 0);
}

Datum
infracast_cpe_hash(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);

	return hash_any((unsigned char *) VARDATA_ANY(t), (int) VARSIZE_ANY_EXHDR(t));
}
