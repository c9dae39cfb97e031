/*
 * cpe.c: CPE 2.3 parsing, binding and name matching (NISTIR 7695 and 7696), in plain C.
 *
 * Both bindings are unbound into the same form: per attribute ANY, NA, or a value held as its
 * logical characters (escapes removed, lower-cased) with the wildcards allowed at its ends. Keeping
 * wildcards out of the logical characters means an escaped "\*" and an unquoted "*" can never be
 * confused, and matching (compare_strings in NISTIR 7696 section 6.1.2) becomes a substring search
 * with a bound on what may precede and follow.
 *
 * Strictness: the formatted string must have all eleven attributes; punctuation other than "-", "."
 * and "_" must be escaped; wildcards may only start or end a value. Every rejection names the
 * attribute, because a bad CPE in an inventory of thousands is otherwise hard to find.
 */
#include "match/cpe.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const attr_names[CPE_NATTRS] = {
	"part", "vendor", "product", "version", "update", "edition", "language",
	"sw_edition", "target_sw", "target_hw", "other"
};

const char *
cpe_attr_name(int attr)
{
	return (attr >= 0 && attr < CPE_NATTRS) ? attr_names[attr] : "name";
}

/* Record why parsing failed; always returns false so callers can `return fail(...)`. */
static bool
fail(CpeError *err, int attr, const char *fmt, const char *detail)
{
	if (err)
	{
		err->attr = attr;
		snprintf(err->message, sizeof(err->message), fmt, detail ? detail : "");
	}
	return false;
}

/* Appends logical characters of the attribute being parsed. */
typedef struct CharSink
{
	Cpe		   *cpe;
	int			used;			/* bytes used in cpe->chars */
} CharSink;

static bool
sink_put(CharSink *sink, int attr, char c, CpeError *err)
{
	if (sink->used >= CPE_MAX_LEN)
		return fail(err, attr, "cpe name is longer than 1024 characters%s", NULL);
	sink->cpe->chars[sink->used++] = (char) tolower((unsigned char) c);
	return true;
}

static void
sink_begin(CharSink *sink, CpeAttr *a)
{
	a->off = sink->used;
	a->len = 0;
}

static void
sink_end(CharSink *sink, CpeAttr *a)
{
	a->len = sink->used - a->off;
	sink->cpe->chars[sink->used++] = '\0';
}

static void
attr_reset(CpeAttr *a, CpeAttrKind kind)
{
	memset(a, 0, sizeof(*a));
	a->kind = kind;
}

/* Characters a formatted string may carry unescaped inside a value. */
static bool
fs_plain_char(char c)
{
	return isalnum((unsigned char) c) || c == '_' || c == '-' || c == '.';
}

/* Printable ASCII other than blank: what a CPE value may contain at all. */
static bool
cpe_printable(char c)
{
	return c > 0x20 && c < 0x7f;
}

/*
 * One attribute of a formatted string: s[0..n) is the raw text between two unescaped colons.
 */
static bool
parse_fs_attr(const char *s, size_t n, int attr, CharSink *sink, CpeError *err)
{
	CpeAttr    *a = &sink->cpe->attr[attr];
	size_t		i = 0;
	size_t		end = n;

	if (n == 0)
		return fail(err, attr, "empty value%s; use \"*\" for any value or \"-\" for not applicable", NULL);
	if (n == 1 && s[0] == '*')
	{
		attr_reset(a, CPE_ATTR_ANY);
		sink_begin(sink, a);
		sink_end(sink, a);
		return true;
	}
	if (n == 1 && s[0] == '-')
	{
		attr_reset(a, CPE_ATTR_NA);
		sink_begin(sink, a);
		sink_end(sink, a);
		return true;
	}
	attr_reset(a, CPE_ATTR_VALUE);

	/* Leading wildcards: one "*", or a run of "?". */
	if (s[0] == '*')
	{
		a->lead_any = true;
		i = 1;
	}
	else
		while (i < n && s[i] == '?')
		{
			a->lead_one++;
			i++;
		}

	/* Trailing wildcards, unless escaped (an odd number of backslashes before them). */
	if (end > i && s[end - 1] == '*')
	{
		size_t		bs = 0;

		while (end - 1 - bs > 0 && s[end - 2 - bs] == '\\')
			bs++;
		if (bs % 2 == 0)
		{
			a->trail_any = true;
			end--;
		}
	}
	else
	{
		while (end > i && s[end - 1] == '?')
		{
			size_t		bs = 0;

			while (end - 1 - bs > 0 && s[end - 2 - bs] == '\\')
				bs++;
			if (bs % 2 == 1)
				break;
			a->trail_one++;
			end--;
		}
	}

	sink_begin(sink, a);
	for (; i < end; i++)
	{
		char		c = s[i];

		if (c == '\\')
		{
			if (i + 1 >= end)
				return fail(err, attr, "value ends with a lone backslash%s", NULL);
			c = s[++i];
			if (!cpe_printable(c) || isalnum((unsigned char) c))
				return fail(err, attr, "only punctuation may be escaped with a backslash%s", NULL);
		}
		else if (c == '*' || c == '?')
			return fail(err, attr, "wildcard \"%s\" inside a value: wildcards may only start or end a value (escape it with a backslash to mean the character)",
						c == '*' ? "*" : "?");
		else if (!cpe_printable(c))
			return fail(err, attr, "invalid character in value%s: only printable ASCII is allowed", NULL);
		else if (!fs_plain_char(c))
		{
			char		shown[2] = {c, '\0'};

			return fail(err, attr, "unescaped \"%s\" in value: punctuation other than \"-\", \".\" and \"_\" must be escaped with a backslash", shown);
		}
		if (!sink_put(sink, attr, c, err))
			return false;
	}
	sink_end(sink, a);

	if (a->len == 0 && (a->lead_any || a->trail_any) && !(a->lead_one || a->trail_one))
		return fail(err, attr, "a value may not consist of wildcards \"**\"%s", NULL);
	return true;
}

static bool
check_part(Cpe *cpe, CpeError *err)
{
	const CpeAttr *a = &cpe->attr[CPE_PART];
	char		c;

	if (a->kind != CPE_ATTR_VALUE)
		return true;
	c = a->len == 1 ? cpe->chars[a->off] : '\0';
	if (a->lead_any || a->trail_any || a->lead_one || a->trail_one || (c != 'a' && c != 'o' && c != 'h'))
		return fail(err, CPE_PART, "part must be \"a\" (application), \"o\" (operating system), \"h\" (hardware), \"*\" or \"-\"%s", NULL);
	return true;
}

/* "cpe:2.3:" followed by eleven attributes separated by unescaped colons. */
static bool
parse_fs(const char *s, size_t len, Cpe *out, CpeError *err)
{
	CharSink	sink = {out, 0};
	size_t		start = 8;		/* after "cpe:2.3:" */
	int			attr = 0;
	size_t		i;

	for (i = start; i <= len; i++)
	{
		if (i + 1 < len && s[i] == '\\')
		{
			i++;				/* skip the escaped character (even a colon) */
			continue;
		}
		if (i == len || s[i] == ':')
		{
			if (attr >= CPE_NATTRS)
				return fail(err, -1, "too many attributes: a CPE 2.3 formatted string has 11 after \"cpe:2.3:\"%s", NULL);
			if (!parse_fs_attr(s + start, i - start, attr, &sink, err))
				return false;
			attr++;
			start = i + 1;
		}
	}
	if (attr < CPE_NATTRS)
	{
		char		count[16];

		snprintf(count, sizeof(count), "%d", attr);
		return fail(err, attr, "missing: the name has only %s of the 11 attributes of a CPE 2.3 formatted string", count);
	}
	return check_part(out, err);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char) tolower((unsigned char) c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * One component of a URI binding (NISTIR 7695 section 6.1.3.2, decode): percent-encoded characters
 * are literal, except %01 ("?") and %02 ("*"), which are wildcards at a value's ends.
 */
static bool
parse_uri_attr(const char *s, size_t n, int attr, CharSink *sink, CpeError *err)
{
	CpeAttr    *a = &sink->cpe->attr[attr];
	size_t		i = 0;
	bool		seen_char = false;
	int			trail_one = 0;	/* "?" seen after the first character: must stay trailing */
	bool		trail_any = false;

	if (n == 0 || (n == 1 && s[0] == '*'))
	{
		attr_reset(a, CPE_ATTR_ANY);
		sink_begin(sink, a);
		sink_end(sink, a);
		return true;
	}
	if (n == 1 && s[0] == '-')
	{
		attr_reset(a, CPE_ATTR_NA);
		sink_begin(sink, a);
		sink_end(sink, a);
		return true;
	}
	attr_reset(a, CPE_ATTR_VALUE);
	sink_begin(sink, a);
	while (i < n)
	{
		char		c = s[i];
		int			wildcard = 0;	/* 1: "?", 2: "*" */

		if (c == '%')
		{
			int			hi = (i + 1 < n) ? hexval(s[i + 1]) : -1;
			int			lo = (i + 2 < n) ? hexval(s[i + 2]) : -1;

			if (hi < 0 || lo < 0)
				return fail(err, attr, "bad percent-encoding in URI binding%s: expected \"%%\" and two hex digits", NULL);
			c = (char) (hi * 16 + lo);
			i += 3;
			if (c == 1)
				wildcard = 1;
			else if (c == 2)
				wildcard = 2;
			else if (!cpe_printable(c))
				return fail(err, attr, "percent-encoded character is not printable ASCII%s", NULL);
		}
		else
		{
			if (!cpe_printable(c))
				return fail(err, attr, "invalid character in value%s: only printable ASCII is allowed", NULL);
			i++;
		}

		if (wildcard == 0)
		{
			if (trail_one || trail_any)
				return fail(err, attr, "wildcard inside a value%s: wildcards (%%01, %%02) may only start or end a value", NULL);
			seen_char = true;
			if (!sink_put(sink, attr, c, err))
				return false;
		}
		else if (!seen_char && wildcard == 2 && !a->lead_any && a->lead_one == 0)
			a->lead_any = true;
		else if (!seen_char && wildcard == 1 && !a->lead_any)
			a->lead_one++;
		else if (seen_char && wildcard == 1 && !trail_any)
			trail_one++;
		else if (seen_char && wildcard == 2 && !trail_any && trail_one == 0)
			trail_any = true;
		else
			return fail(err, attr, "misplaced wildcard%s: a value may start and end with one %%02 (\"*\") or a run of %%01 (\"?\")", NULL);
	}
	a->trail_one = trail_one;
	a->trail_any = trail_any;
	sink_end(sink, a);
	return true;
}

/* "cpe:/part:vendor:product:version:update:edition:language"; absent trailing parts are ANY. */
static bool
parse_uri(const char *s, size_t len, Cpe *out, CpeError *err)
{
	CharSink	sink = {out, 0};
	bool		set[CPE_NATTRS] = {false};
	size_t		start = 5;		/* after "cpe:/" */
	int			comp = 0;
	size_t		i;
	int			attr;

	for (i = start; i <= len; i++)
	{
		if (i < len && s[i] != ':')
			continue;
		if (comp >= 7)
			return fail(err, -1, "too many components: a CPE URI has at most 7 after \"cpe:/\"%s", NULL);
		if (comp == CPE_EDITION && i > start && s[start] == '~')
		{
			/* Packed edition: ~edition~sw_edition~target_sw~target_hw~other */
			static const int packed[5] = {CPE_EDITION, CPE_SW_EDITION, CPE_TARGET_SW, CPE_TARGET_HW, CPE_OTHER};
			size_t		p = start + 1;
			int			k = 0;
			size_t		j;

			for (j = p; j <= i; j++)
			{
				if (j < i && s[j] != '~')
					continue;
				if (k >= 5)
					return fail(err, CPE_EDITION, "packed edition has more than 5 \"~\"-separated fields%s", NULL);
				if (!parse_uri_attr(s + p, j - p, packed[k], &sink, err))
					return false;
				set[packed[k]] = true;
				k++;
				p = j + 1;
			}
			if (k != 5)
				return fail(err, CPE_EDITION, "packed edition must have 5 \"~\"-separated fields (~edition~sw_edition~target_sw~target_hw~other)%s", NULL);
		}
		else
		{
			int			target = comp == 6 ? CPE_LANGUAGE : comp;

			if (!parse_uri_attr(s + start, i - start, target, &sink, err))
				return false;
			set[target] = true;
		}
		comp++;
		start = i + 1;
	}
	for (attr = 0; attr < CPE_NATTRS; attr++)
	{
		if (set[attr])
			continue;
		attr_reset(&out->attr[attr], CPE_ATTR_ANY);
		sink_begin(&sink, &out->attr[attr]);
		sink_end(&sink, &out->attr[attr]);
	}
	return check_part(out, err);
}

bool
cpe_name_parse(const char *s, size_t len, Cpe *out, CpeError *err)
{
	memset(out->attr, 0, sizeof(out->attr));
	if (len > CPE_MAX_LEN)
		return fail(err, -1, "cpe name is longer than 1024 characters%s", NULL);
	if (len >= 8 && strncasecmp(s, "cpe:2.3:", 8) == 0)
		return parse_fs(s, len, out, err);
	if (len >= 5 && strncasecmp(s, "cpe:/", 5) == 0)
		return parse_uri(s, len, out, err);
	if (len >= 4 && strncasecmp(s, "cpe:", 4) == 0)
		return fail(err, -1, "unknown CPE binding%s: expected \"cpe:2.3:\" (formatted string) or \"cpe:/\" (URI)", NULL);
	return fail(err, -1, "not a CPE name%s: it must start with \"cpe:2.3:\" or \"cpe:/\"", NULL);
}

/* One raw inventory word as a literal value: lower case, blanks to "_". */
static bool
build_attr(CharSink *sink, int attr, const char *word, CpeError *err)
{
	CpeAttr    *a = &sink->cpe->attr[attr];
	const char *p;

	if (word == NULL || *word == '\0' || strcmp(word, "*") == 0)
		attr_reset(a, CPE_ATTR_ANY);
	else if (strcmp(word, "-") == 0)
		attr_reset(a, CPE_ATTR_NA);
	else
		attr_reset(a, CPE_ATTR_VALUE);
	sink_begin(sink, a);
	if (a->kind == CPE_ATTR_VALUE)
	{
		for (p = word; *p; p++)
		{
			char		c = *p;

			if (c == ' ' || c == '\t')
				c = '_';
			else if (!cpe_printable(c))
				return fail(err, attr, "invalid character%s: only printable ASCII can be part of a CPE", NULL);
			if (!sink_put(sink, attr, c, err))
				return false;
		}
	}
	sink_end(sink, a);
	return true;
}

bool
cpe_name_build(Cpe *out, const char *part, const char *vendor, const char *product,
		  const char *version, const char *update, CpeError *err)
{
	/* cppcheck-suppress ctuuninitvar ; the sink only keeps the pointer: out is filled below */
	CharSink	sink = {out, 0};
	const char *words[CPE_NATTRS] = {part, vendor, product, version, update};
	int			attr;

	memset(out->attr, 0, sizeof(out->attr));
	for (attr = 0; attr < CPE_NATTRS; attr++)
		if (!build_attr(&sink, attr, words[attr], err))
			return false;
	return check_part(out, err);
}

/* Output buffer with overflow tracking. */
typedef struct Out
{
	char	   *buf;
	size_t		cap;
	size_t		len;
	bool		overflow;
} Out;

static void
out_char(Out *o, char c)
{
	if (o->len + 1 < o->cap)
		o->buf[o->len] = c;
	else
		o->overflow = true;
	o->len++;
}

static void
out_str(Out *o, const char *s)
{
	while (*s)
		out_char(o, *s++);
}

static size_t
out_finish(Out *o)
{
	if (o->overflow || o->cap == 0)
	{
		if (o->cap > 0)
			o->buf[0] = '\0';
		return 0;
	}
	o->buf[o->len] = '\0';
	return o->len;
}

static void
format_fs_attr(const Cpe *cpe, int attr, Out *o)
{
	const CpeAttr *a = &cpe->attr[attr];
	const char *v = cpe->chars + a->off;
	int			i;

	if (a->kind == CPE_ATTR_ANY)
	{
		out_char(o, '*');
		return;
	}
	if (a->kind == CPE_ATTR_NA)
	{
		out_char(o, '-');
		return;
	}
	if (a->lead_any)
		out_char(o, '*');
	for (i = 0; i < a->lead_one; i++)
		out_char(o, '?');
	for (i = 0; i < a->len; i++)
	{
		/* A value that is one literal hyphen must not read back as NA. */
		bool		lone_hyphen = (a->len == 1 && v[i] == '-' && !a->lead_any && !a->trail_any
								   && !a->lead_one && !a->trail_one);

		if (!fs_plain_char(v[i]) || lone_hyphen)
			out_char(o, '\\');
		out_char(o, v[i]);
	}
	for (i = 0; i < a->trail_one; i++)
		out_char(o, '?');
	if (a->trail_any)
		out_char(o, '*');
}

size_t
cpe_name_format(const Cpe *cpe, char *buf, size_t buflen)
{
	Out			o = {buf, buflen, 0, false};
	int			attr;

	out_str(&o, "cpe:2.3");
	for (attr = 0; attr < CPE_NATTRS; attr++)
	{
		out_char(&o, ':');
		format_fs_attr(cpe, attr, &o);
	}
	return out_finish(&o);
}

size_t
cpe_name_format_attr(const Cpe *cpe, int attr, char *buf, size_t buflen)
{
	Out			o = {buf, buflen, 0, false};

	format_fs_attr(cpe, attr, &o);
	return out_finish(&o);
}

static void
format_uri_attr(const Cpe *cpe, int attr, Out *o)
{
	static const char hex[] = "0123456789abcdef";
	const CpeAttr *a = &cpe->attr[attr];
	const char *v = cpe->chars + a->off;
	int			i;

	if (a->kind == CPE_ATTR_ANY)
		return;
	if (a->kind == CPE_ATTR_NA)
	{
		out_char(o, '-');
		return;
	}
	if (a->lead_any)
		out_str(o, "%02");
	for (i = 0; i < a->lead_one; i++)
		out_str(o, "%01");
	for (i = 0; i < a->len; i++)
	{
		unsigned char c = (unsigned char) v[i];

		if (isalnum(c) || c == '_' || c == '.' || (c == '-' && a->len > 1))
			out_char(o, (char) c);
		else
		{
			out_char(o, '%');
			out_char(o, hex[c >> 4]);
			out_char(o, hex[c & 15]);
		}
	}
	for (i = 0; i < a->trail_one; i++)
		out_str(o, "%01");
	if (a->trail_any)
		out_str(o, "%02");
}

size_t
cpe_name_format_uri(const Cpe *cpe, char *buf, size_t buflen)
{
	Out			o = {buf, buflen, 0, false};
	bool		packed = false;
	int			attr;
	int			last;

	for (attr = CPE_SW_EDITION; attr <= CPE_OTHER; attr++)
		if (cpe->attr[attr].kind != CPE_ATTR_ANY)
			packed = true;

	out_str(&o, "cpe:/");
	for (attr = CPE_PART; attr <= CPE_UPDATE; attr++)
	{
		if (attr > CPE_PART)
			out_char(&o, ':');
		format_uri_attr(cpe, attr, &o);
	}
	out_char(&o, ':');
	if (packed)
	{
		static const int pack[5] = {CPE_EDITION, CPE_SW_EDITION, CPE_TARGET_SW, CPE_TARGET_HW, CPE_OTHER};
		int			k;

		for (k = 0; k < 5; k++)
		{
			out_char(&o, '~');
			format_uri_attr(cpe, pack[k], &o);
		}
	}
	else
		format_uri_attr(cpe, CPE_EDITION, &o);
	out_char(&o, ':');
	format_uri_attr(cpe, CPE_LANGUAGE, &o);

	/* Trailing empty (ANY) components are dropped, as the URI binding does. */
	if (!o.overflow)
	{
		last = (int) o.len;
		while (last > 0 && o.buf[last - 1] == ':')
			last--;
		o.len = (size_t) last;
	}
	return out_finish(&o);
}

const char *
cpe_attr_value(const Cpe *cpe, int attr, int *len)
{
	const CpeAttr *a = &cpe->attr[attr];

	if (a->kind != CPE_ATTR_VALUE)
		return NULL;
	if (len)
		*len = a->len;
	return cpe->chars + a->off;
}

static bool
attr_has_wildcards(const CpeAttr *a)
{
	return a->lead_any || a->trail_any || a->lead_one > 0 || a->trail_one > 0;
}

bool
cpe_attr_is_literal(const Cpe *cpe, int attr)
{
	const CpeAttr *a = &cpe->attr[attr];

	return a->kind == CPE_ATTR_VALUE && !attr_has_wildcards(a);
}

size_t
cpe_attr_text(const Cpe *cpe, int attr, char *buf, size_t buflen)
{
	const CpeAttr *a = &cpe->attr[attr];
	Out			o = {buf, buflen, 0, false};
	int			i;

	/* ANY and NA read "*" and "-"; a value with wildcards keeps its escapes, so that an escaped
	 * "\*" and a wildcard stay apart */
	if (a->kind != CPE_ATTR_VALUE || attr_has_wildcards(a))
		return cpe_name_format_attr(cpe, attr, buf, buflen);
	for (i = 0; i < a->len; i++)
		out_char(&o, cpe->chars[a->off + i]);
	return out_finish(&o);
}

bool
cpe_name_split(const char *s, char *buf, size_t buflen, char *attr[CPE_NATTRS], CpeError *err)
{
	Cpe			cpe;
	size_t		len = strlen(s);
	size_t		used = 0;
	int			a;

	if (len < 8 || strncasecmp(s, "cpe:2.3:", 8) != 0)
		return fail(err, -1, "not a CPE 2.3 formatted string%s: it must start with \"cpe:2.3:\"", NULL);
	if (!cpe_name_parse(s, len, &cpe, err))
		return false;
	for (a = 0; a < CPE_NATTRS; a++)
	{
		size_t		n = used < buflen ? cpe_attr_text(&cpe, a, buf + used, buflen - used) : 0;

		if (n == 0)
			return fail(err, a, "no room for the attribute%s", NULL);
		attr[a] = buf + used;
		used += n + 1;
	}
	return true;
}

/*
 * NISTIR 7696 compare_strings: the source has wildcards, the target is literal. The source's core
 * must occur in the target with at most lead_one characters before it (any number after "*"), and
 * at most trail_one after it. "?" thus matches zero or one character, as the specification's
 * reference algorithm does.
 */
static CpeRelation
compare_wildcard(const char *src, const CpeAttr *sa, const char *tgt, const CpeAttr *ta)
{
	int			pos;

	for (pos = 0; pos + sa->len <= ta->len; pos++)
	{
		int			after;

		if (!sa->lead_any && pos > sa->lead_one)
			break;
		if (memcmp(tgt + pos, src, (size_t) sa->len) != 0)
			continue;
		after = ta->len - pos - sa->len;
		if (!sa->trail_any && after > sa->trail_one)
			continue;
		return CPE_REL_SUPERSET;
	}
	return CPE_REL_DISJOINT;
}

CpeRelation
cpe_attr_compare(const Cpe *source, const Cpe *target, int attr)
{
	const CpeAttr *sa = &source->attr[attr];
	const CpeAttr *ta = &target->attr[attr];
	const char *sv = source->chars + sa->off;
	const char *tv = target->chars + ta->off;

	if (sa->kind == CPE_ATTR_ANY)
		return ta->kind == CPE_ATTR_ANY ? CPE_REL_EQUAL : CPE_REL_SUPERSET;
	if (ta->kind == CPE_ATTR_ANY)
		return CPE_REL_SUBSET;
	if (sa->kind == CPE_ATTR_NA)
		return ta->kind == CPE_ATTR_NA ? CPE_REL_EQUAL :
			(attr_has_wildcards(ta) ? CPE_REL_UNDEFINED : CPE_REL_DISJOINT);
	if (ta->kind == CPE_ATTR_NA)
		return CPE_REL_DISJOINT;
	if (attr_has_wildcards(ta))
		return CPE_REL_UNDEFINED;
	if (!attr_has_wildcards(sa))
		return (sa->len == ta->len && memcmp(sv, tv, (size_t) sa->len) == 0)
			? CPE_REL_EQUAL : CPE_REL_DISJOINT;
	return compare_wildcard(sv, sa, tv, ta);
}

bool
cpe_name_match(const Cpe *pattern, const Cpe *candidate)
{
	return cpe_name_match_except(pattern, candidate, 0);
}

bool
cpe_name_match_except(const Cpe *pattern, const Cpe *candidate, unsigned skip_mask)
{
	int			attr;

	/* vendor and product first: they reject almost every non-match at once */
	static const int order[CPE_NATTRS] = {
		CPE_PRODUCT, CPE_VENDOR, CPE_VERSION, CPE_PART, CPE_UPDATE, CPE_EDITION, CPE_LANGUAGE,
		CPE_SW_EDITION, CPE_TARGET_SW, CPE_TARGET_HW, CPE_OTHER
	};

	for (attr = 0; attr < CPE_NATTRS; attr++)
	{
		CpeRelation r;

		if (skip_mask & (1u << order[attr]))
			continue;
		r = cpe_attr_compare(pattern, candidate, order[attr]);

		if (r != CPE_REL_SUPERSET && r != CPE_REL_EQUAL)
			return false;
	}
	return true;
}
