/*
 * cpe.h: CPE 2.3 names in plain C (no PostgreSQL headers), so that the parser and the matcher are
 * unit-tested on their own, under Valgrind, and the NVD reader (src/feeds/parse, json-c side) splits
 * criteria with the same rules the matcher parses them with.
 *
 * A name has eleven attributes (NISTIR 7695): part, vendor, product, version, update, edition,
 * language, sw_edition, target_sw, target_hw, other. Each is ANY ("*"), NA ("-") or a value. A value
 * is kept as its logical characters (escapes removed, lower-cased: CPE values are case-insensitive),
 * plus the unquoted wildcards allowed at its two ends: one "*" or a run of "?".
 *
 * Matching follows NISTIR 7696 (CPE Name Matching): cpe_name_match(pattern, candidate) is true when
 * every attribute of the pattern is a SUPERSET of, or EQUAL to, the candidate's.
 */
#ifndef INFRACAST_MATCH_CPE_H
#define INFRACAST_MATCH_CPE_H

#include <stdbool.h>
#include <stddef.h>

#define CPE_NATTRS		11
#define CPE_MAX_LEN		1024	/* longest formatted string accepted, in bytes */

enum
{
	CPE_PART = 0, CPE_VENDOR, CPE_PRODUCT, CPE_VERSION, CPE_UPDATE, CPE_EDITION, CPE_LANGUAGE,
	CPE_SW_EDITION, CPE_TARGET_SW, CPE_TARGET_HW, CPE_OTHER
};

typedef enum CpeAttrKind
{
	CPE_ATTR_ANY = 0,			/* "*": any value, also "not known" */
	CPE_ATTR_NA,				/* "-": not applicable */
	CPE_ATTR_VALUE
} CpeAttrKind;

typedef struct CpeAttr
{
	CpeAttrKind kind;
	bool		lead_any;		/* value starts with an unquoted "*" */
	bool		trail_any;		/* value ends with an unquoted "*" */
	int			lead_one;		/* number of unquoted "?" it starts with */
	int			trail_one;		/* number of unquoted "?" it ends with */
	int			off;			/* logical characters: Cpe.chars[off .. off+len) */
	int			len;
} CpeAttr;

typedef struct Cpe
{
	CpeAttr		attr[CPE_NATTRS];
	char		chars[CPE_MAX_LEN + CPE_NATTRS + 1];	/* logical values, NUL-separated */
} Cpe;

/* NISTIR 7696 attribute comparison results. */
typedef enum CpeRelation
{
	CPE_REL_DISJOINT = 0,
	CPE_REL_SUBSET,
	CPE_REL_SUPERSET,
	CPE_REL_EQUAL,
	CPE_REL_UNDEFINED
} CpeRelation;

/* Why a string was rejected: the attribute (-1: the name as a whole) and a lower-case message. */
typedef struct CpeError
{
	int			attr;
	char		message[200];
} CpeError;

/* Attribute names, "part" .. "other". */
extern const char *cpe_attr_name(int attr);

/* Parse a formatted string ("cpe:2.3:...") or a URI binding ("cpe:/..."). */
extern bool cpe_name_parse(const char *s, size_t len, Cpe *out, CpeError *err);

/*
 * Build a name from raw words as inventories give them (no escapes, no wildcards): lower-cased,
 * blanks become "_". NULL or "" gives ANY, "-" gives NA. Fails only when a word is too long or not
 * printable ASCII.
 */
extern bool cpe_name_build(Cpe *out, const char *part, const char *vendor, const char *product,
					  const char *version, const char *update, CpeError *err);

/* Bindings. Each returns the length written (excluding NUL), or 0 when buf is too small. */
extern size_t cpe_name_format(const Cpe *cpe, char *buf, size_t buflen);		/* cpe:2.3:... */
extern size_t cpe_name_format_uri(const Cpe *cpe, char *buf, size_t buflen);	/* cpe:/... */
extern size_t cpe_name_format_attr(const Cpe *cpe, int attr, char *buf, size_t buflen);

/*
 * An attribute as text, the form infracast.cve_cpe_match stores (vendor, product, ...) and
 * infracast.cpe_value() returns: "*" ANY, "-" NA, a plain value as its logical characters (no
 * escapes, lower case), a value with wildcards in its formatted-string form. Returns the length
 * written (excluding NUL), or 0 when buf is too small.
 */
extern size_t cpe_attr_text(const Cpe *cpe, int attr, char *buf, size_t buflen);

/*
 * A CPE 2.3 formatted string (the form NVD criteria take; not the URI binding) split into its eleven
 * attributes as cpe_attr_text() gives them, written into buf (buflen >= strlen(s) + 1 always
 * suffices). False, with err set when not NULL, when s is not a valid formatted string or buf is
 * too small. The NVD reader stores what this returns; matching parses with cpe_name_parse(), whose
 * rules these are.
 */
extern bool cpe_name_split(const char *s, char *buf, size_t buflen, char *attr[CPE_NATTRS], CpeError *err);

/* The logical value of an attribute (no escapes); NULL when it is ANY or NA. */
extern const char *cpe_attr_value(const Cpe *cpe, int attr, int *len);

/* True when the attribute is a plain value (not ANY/NA, no wildcards). */
extern bool cpe_attr_is_literal(const Cpe *cpe, int attr);

extern CpeRelation cpe_attr_compare(const Cpe *source, const Cpe *target, int attr);

/* NISTIR 7696 CPE_SUPERSET or CPE_EQUAL: does the pattern name the candidate? */
extern bool cpe_name_match(const Cpe *pattern, const Cpe *candidate);

/*
 * The same, ignoring the attributes in skip_mask (bit 1 << attr): for candidates built from
 * inventory words, whose part (and, without a vendor, vendor) is simply not known.
 */
extern bool cpe_name_match_except(const Cpe *pattern, const Cpe *candidate, unsigned skip_mask);

#endif							/* INFRACAST_MATCH_CPE_H */
