/*
 * version.c: four version orderings, in plain C.
 *
 * debian and rpm re-implement the published algorithms (dpkg's verrevcmp, rpm's rpmvercmp) so that
 * Infracast agrees with the package managers byte for byte; the tests use dpkg itself as the oracle.
 * generic is ours, for NVD version bounds, and is documented in docs/matching.md: versions split
 * into runs of digits and runs of letters (everything else separates), compared run by run with
 * a total order per position:
 *     pre-release words (dev < alpha < beta < milestone < pre/preview < rc/cr)
 *   < missing run = 0 < other numbers (numerically) < other words (alphabetically, any case)
 * so "1.0" = "1.0.0", "1.0rc1" < "1.0" < "1.0.1" < "1.0a", "1.1.1n" < "1.1.1o", and
 * "14" < "14su5" < "14su10". Treating a missing run as zero keeps the order transitive.
 */
#include "match/version.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool
verr(VersionError *err, int arg, const char *msg)
{
	if (err)
	{
		err->arg = arg;
		snprintf(err->message, sizeof(err->message), "%s", msg);
	}
	return false;
}

bool
version_scheme_from_name(const char *name, VersionScheme *out)
{
	if (strcasecmp(name, "generic") == 0)
		*out = VERSION_GENERIC;
	else if (strcasecmp(name, "debian") == 0 || strcasecmp(name, "deb") == 0 || strcasecmp(name, "dpkg") == 0)
		*out = VERSION_DEBIAN;
	else if (strcasecmp(name, "rpm") == 0)
		*out = VERSION_RPM;
	else if (strcasecmp(name, "semver") == 0)
		*out = VERSION_SEMVER;
	else
		return false;
	return true;
}

/* Compare two digit strings numerically, whatever their length. */
static int
digits_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int			c;

	while (alen > 0 && *a == '0')
		a++, alen--;
	while (blen > 0 && *b == '0')
		b++, blen--;
	if (alen != blen)
		return alen < blen ? -1 : 1;
	c = memcmp(a, b, alen);
	return (c > 0) - (c < 0);
}

/* ---------------------------------------------------------------------------------------------
 * debian
 * --------------------------------------------------------------------------------------------- */

/* dpkg's character weight: "~" first, then end of string and digits, letters, other characters. */
static int
debian_order(int c)
{
	if (isdigit(c))
		return 0;
	if (isalpha(c))
		return c;
	if (c == '~')
		return -1;
	if (c)
		return c + 256;
	return 0;
}

/* Alternate non-digit parts (by debian_order) and digit parts (numerically). */
static int
debian_part_cmp(const char *a, const char *b)
{
	while (*a || *b)
	{
		int			first_diff = 0;

		while ((*a && !isdigit((unsigned char) *a)) || (*b && !isdigit((unsigned char) *b)))
		{
			int			ac = debian_order((unsigned char) *a);
			int			bc = debian_order((unsigned char) *b);

			if (ac != bc)
				return ac - bc;
			a++;
			b++;
		}
		while (*a == '0')
			a++;
		while (*b == '0')
			b++;
		while (isdigit((unsigned char) *a) && isdigit((unsigned char) *b))
		{
			if (!first_diff)
				first_diff = *a - *b;
			a++;
			b++;
		}
		if (isdigit((unsigned char) *a))
			return 1;
		if (isdigit((unsigned char) *b))
			return -1;
		if (first_diff)
			return first_diff;
	}
	return 0;
}

typedef struct DebianVersion
{
	long		epoch;
	char		upstream[512];
	char		revision[512];
} DebianVersion;

/* dpkg's parseversion: only what dpkg rejects is rejected (it merely warns about the rest). */
static bool
debian_parse(const char *s, int arg, DebianVersion *v, VersionError *err)
{
	const char *start = s;
	const char *end;
	const char *colon;
	const char *hyphen;
	const char *p;
	size_t		ulen;

	while (*start && isspace((unsigned char) *start))
		start++;
	end = start + strlen(start);
	while (end > start && isspace((unsigned char) end[-1]))
		end--;
	if (end == start)
		return verr(err, arg, "version string is empty");
	for (p = start; p < end; p++)
		if (isspace((unsigned char) *p))
			return verr(err, arg, "version string has embedded spaces");
	if ((size_t) (end - start) >= sizeof(v->upstream))
		return verr(err, arg, "version string is longer than 511 characters");

	colon = memchr(start, ':', (size_t) (end - start));
	v->epoch = 0;
	if (colon)
	{
		char		buf[32];
		char	   *stop;
		size_t		elen = (size_t) (colon - start);

		if (elen == 0 || elen >= sizeof(buf) || !(isdigit((unsigned char) *start) || *start == '-'))
			return verr(err, arg, "epoch in version is empty");
		memcpy(buf, start, elen);
		buf[elen] = '\0';
		v->epoch = strtol(buf, &stop, 10);
		if (*stop != '\0')
			return verr(err, arg, "epoch in version is not a number");
		if (v->epoch < 0)
			return verr(err, arg, "epoch in version is negative");
		if (v->epoch > INT_MAX)
			return verr(err, arg, "epoch in version is too big");
		start = colon + 1;
		if (start == end)
			return verr(err, arg, "nothing after colon in version number");
	}
	hyphen = NULL;
	for (p = start; p < end; p++)
		if (*p == '-')
			hyphen = p;
	ulen = (size_t) ((hyphen ? hyphen : end) - start);
	memcpy(v->upstream, start, ulen);
	v->upstream[ulen] = '\0';
	v->revision[0] = '\0';
	if (hyphen)
	{
		size_t		rlen = (size_t) (end - hyphen - 1);

		if (rlen == 0)
			return verr(err, arg, "revision number is empty");
		memcpy(v->revision, hyphen + 1, rlen);
		v->revision[rlen] = '\0';
	}
	if (ulen == 0)
		return verr(err, arg, "version number is empty");
	return true;
}

bool
version_cmp_debian(const char *a, const char *b, int *result, VersionError *err)
{
	DebianVersion va,
				vb;
	int			c;

	if (!debian_parse(a, 1, &va, err) || !debian_parse(b, 2, &vb, err))
		return false;
	if (va.epoch != vb.epoch)
		c = va.epoch < vb.epoch ? -1 : 1;
	else if ((c = debian_part_cmp(va.upstream, vb.upstream)) == 0)
		c = debian_part_cmp(va.revision, vb.revision);
	*result = (c > 0) - (c < 0);
	return true;
}

/* ---------------------------------------------------------------------------------------------
 * rpm
 * --------------------------------------------------------------------------------------------- */

/* rpm's rpmvercmp: alphanumeric segments, "~" sorts before anything, "^" after the base only. */
static int
rpm_segment_cmp(const char *one, const char *two)
{
	if (strcmp(one, two) == 0)
		return 0;
	while (*one || *two)
	{
		const char *s1,
				   *s2;
		bool		isnum;
		size_t		l1,
					l2;
		int			c;

		while (*one && !isalnum((unsigned char) *one) && *one != '~' && *one != '^')
			one++;
		while (*two && !isalnum((unsigned char) *two) && *two != '~' && *two != '^')
			two++;

		if (*one == '~' || *two == '~')
		{
			if (*one != '~')
				return 1;
			if (*two != '~')
				return -1;
			one++, two++;
			continue;
		}
		if (*one == '^' || *two == '^')
		{
			if (!*one)
				return -1;
			if (!*two)
				return 1;
			if (*one != '^')
				return 1;
			if (*two != '^')
				return -1;
			one++, two++;
			continue;
		}
		if (!(*one && *two))
			break;

		s1 = one;
		s2 = two;
		isnum = isdigit((unsigned char) *s1);
		if (isnum)
		{
			while (isdigit((unsigned char) *s1))
				s1++;
			while (isdigit((unsigned char) *s2))
				s2++;
		}
		else
		{
			while (isalpha((unsigned char) *s1))
				s1++;
			while (isalpha((unsigned char) *s2))
				s2++;
		}
		/* segments of different types: numbers are newer than letters */
		if (s2 == two)
			return isnum ? 1 : -1;
		l1 = (size_t) (s1 - one);
		l2 = (size_t) (s2 - two);
		if (isnum)
			c = digits_cmp(one, l1, two, l2);
		else
		{
			c = memcmp(one, two, l1 < l2 ? l1 : l2);
			if (c == 0 && l1 != l2)
				c = l1 < l2 ? -1 : 1;
			c = (c > 0) - (c < 0);
		}
		if (c)
			return c;
		one = s1;
		two = s2;
	}
	if (!*one && !*two)
		return 0;
	return *one ? 1 : -1;
}

typedef struct RpmVersion
{
	char		epoch[32];		/* digits; "" = none (0) */
	char		version[512];
	char		release[512];
	bool		has_release;
} RpmVersion;

/* rpm's parseEVR: [digits:]version[-release], release after the last hyphen. */
static bool
rpm_parse(const char *s, int arg, RpmVersion *v, VersionError *err)
{
	const char *p = s;
	const char *rest;
	const char *hyphen;
	size_t		len;

	if (*s == '\0')
		return verr(err, arg, "version string is empty");
	if (strlen(s) >= sizeof(v->version))
		return verr(err, arg, "version string is longer than 511 characters");
	while (isdigit((unsigned char) *p))
		p++;
	v->epoch[0] = '\0';
	if (*p == ':')
	{
		len = (size_t) (p - s);
		if (len >= sizeof(v->epoch))
			return verr(err, arg, "epoch in version is too big");
		memcpy(v->epoch, s, len);
		v->epoch[len] = '\0';
		rest = p + 1;
	}
	else
		rest = s;
	hyphen = strrchr(rest, '-');
	len = hyphen ? (size_t) (hyphen - rest) : strlen(rest);
	memcpy(v->version, rest, len);
	v->version[len] = '\0';
	v->has_release = hyphen != NULL;
	snprintf(v->release, sizeof(v->release), "%s", hyphen ? hyphen + 1 : "");
	return true;
}

bool
version_cmp_rpm(const char *a, const char *b, int *result, VersionError *err)
{
	RpmVersion	va,
				vb;
	int			c;

	if (!rpm_parse(a, 1, &va, err) || !rpm_parse(b, 2, &vb, err))
		return false;
	/* rpmverCmp: a missing epoch is 0; a release takes part only when both sides have one */
	c = rpm_segment_cmp(va.epoch[0] ? va.epoch : "0", vb.epoch[0] ? vb.epoch : "0");
	if (c == 0)
		c = rpm_segment_cmp(va.version, vb.version);
	if (c == 0 && va.has_release && vb.has_release)
		c = rpm_segment_cmp(va.release, vb.release);
	*result = c;
	return true;
}

/* ---------------------------------------------------------------------------------------------
 * semver
 * --------------------------------------------------------------------------------------------- */

typedef struct SemVer
{
	const char *core[3];
	size_t		core_len[3];
	const char *pre;			/* after "-", up to "+" or end; NULL when absent */
	size_t		pre_len;
} SemVer;

static bool
semver_ident_char(char c)
{
	return isalnum((unsigned char) c) || c == '-';
}

/* Dot-separated identifiers, none empty; numeric ones without leading zeros when numeric_strict. */
static bool
semver_check_idents(const char *s, size_t n, bool numeric_strict)
{
	size_t		i = 0;

	while (true)
	{
		size_t		start = i;
		bool		all_digits = true;

		while (i < n && s[i] != '.')
		{
			if (!semver_ident_char(s[i]))
				return false;
			if (!isdigit((unsigned char) s[i]))
				all_digits = false;
			i++;
		}
		if (i == start)
			return false;
		if (numeric_strict && all_digits && i - start > 1 && s[start] == '0')
			return false;
		if (i == n)
			return true;
		i++;					/* the dot */
	}
}

static bool
semver_parse(const char *s, int arg, SemVer *v, VersionError *err)
{
	const char *p = s;
	const char *plus;
	int			k;

	if (*p == 'v' || *p == 'V')
		p++;
	for (k = 0; k < 3; k++)
	{
		const char *start = p;

		while (isdigit((unsigned char) *p))
			p++;
		if (p == start)
			return verr(err, arg, "not a semantic version: expected MAJOR.MINOR.PATCH with numbers");
		if (p - start > 1 && *start == '0')
			return verr(err, arg, "not a semantic version: numbers must not have leading zeros");
		v->core[k] = start;
		v->core_len[k] = (size_t) (p - start);
		if (k < 2)
		{
			if (*p != '.')
				return verr(err, arg, "not a semantic version: expected MAJOR.MINOR.PATCH with numbers");
			p++;
		}
	}
	plus = strchr(p, '+');
	v->pre = NULL;
	v->pre_len = 0;
	if (*p == '-')
	{
		v->pre = p + 1;
		v->pre_len = plus ? (size_t) (plus - v->pre) : strlen(v->pre);
		if (!semver_check_idents(v->pre, v->pre_len, true))
			return verr(err, arg, "not a semantic version: bad pre-release (dot-separated [0-9A-Za-z-] identifiers, numbers without leading zeros)");
	}
	else if (*p != '+' && *p != '\0')
		return verr(err, arg, "not a semantic version: unexpected characters after MAJOR.MINOR.PATCH");
	if (plus && !semver_check_idents(plus + 1, strlen(plus + 1), false))
		return verr(err, arg, "not a semantic version: bad build metadata (dot-separated [0-9A-Za-z-] identifiers)");
	return true;
}

/* Pre-release precedence (semver.org item 11). */
static int
semver_pre_cmp(const SemVer *a, const SemVer *b)
{
	size_t		i = 0,
				j = 0;

	if (!a->pre && !b->pre)
		return 0;
	if (!a->pre)
		return 1;				/* a release is newer than its pre-releases */
	if (!b->pre)
		return -1;
	for (;;)
	{
		size_t		si = i,
					sj = j;
		bool		na = true,
					nb = true;
		int			c;

		if (i >= a->pre_len || j >= b->pre_len)
			return (i >= a->pre_len && j >= b->pre_len) ? 0 : (i >= a->pre_len ? -1 : 1);
		for (; i < a->pre_len && a->pre[i] != '.'; i++)
			na = na && isdigit((unsigned char) a->pre[i]);
		for (; j < b->pre_len && b->pre[j] != '.'; j++)
			nb = nb && isdigit((unsigned char) b->pre[j]);
		if (na && nb)
			c = digits_cmp(a->pre + si, i - si, b->pre + sj, j - sj);
		else if (na != nb)
			c = na ? -1 : 1;	/* numeric identifiers have lower precedence */
		else
		{
			size_t		la = i - si,
						lb = j - sj;

			c = memcmp(a->pre + si, b->pre + sj, la < lb ? la : lb);
			if (c == 0 && la != lb)
				c = la < lb ? -1 : 1;
			c = (c > 0) - (c < 0);
		}
		if (c)
			return c;
		if (i < a->pre_len)
			i++;				/* the dot; an identifier always follows it */
		if (j < b->pre_len)
			j++;
	}
}

bool
version_cmp_semver(const char *a, const char *b, int *result, VersionError *err)
{
	SemVer		va,
				vb;
	int			k,
				c = 0;

	if (!semver_parse(a, 1, &va, err) || !semver_parse(b, 2, &vb, err))
		return false;
	for (k = 0; k < 3 && c == 0; k++)
		c = digits_cmp(va.core[k], va.core_len[k], vb.core[k], vb.core_len[k]);
	if (c == 0)
		c = semver_pre_cmp(&va, &vb);
	*result = c;
	return true;
}

/* ---------------------------------------------------------------------------------------------
 * generic
 * --------------------------------------------------------------------------------------------- */

typedef enum TokenClass
{
	TOK_PRERELEASE = 0,			/* dev, alpha, beta, milestone, pre, preview, rc, cr */
	TOK_ZERO = 1,				/* a number equal to 0, or no token at all */
	TOK_NUMBER = 2,
	TOK_WORD = 3
} TokenClass;

typedef struct Token
{
	TokenClass	cls;
	int			rank;			/* pre-release rank */
	const char *s;
	size_t		len;
} Token;

static const struct
{
	const char *word;
	int			rank;
}			prerelease_words[] = {
	{"dev", 0}, {"snapshot", 0}, {"alpha", 1}, {"beta", 2}, {"milestone", 3},
	{"pre", 4}, {"preview", 4}, {"rc", 5}, {"cr", 5}
};

/* Next run of digits or letters at *p (separators skipped); false at the end. */
static bool
generic_next(const char **p, Token *t)
{
	const char *s = *p;
	size_t		i;

	while (*s && !isalnum((unsigned char) *s))
		s++;
	if (!*s)
	{
		*p = s;
		return false;
	}
	t->s = s;
	if (isdigit((unsigned char) *s))
	{
		bool		zero = true;

		while (isdigit((unsigned char) *s))
			zero = zero && *s == '0', s++;
		t->cls = zero ? TOK_ZERO : TOK_NUMBER;
	}
	else
	{
		while (isalpha((unsigned char) *s))
			s++;
		t->cls = TOK_WORD;
		for (i = 0; i < sizeof(prerelease_words) / sizeof(prerelease_words[0]); i++)
			if (strlen(prerelease_words[i].word) == (size_t) (s - t->s)
				&& strncasecmp(prerelease_words[i].word, t->s, (size_t) (s - t->s)) == 0)
			{
				t->cls = TOK_PRERELEASE;
				t->rank = prerelease_words[i].rank;
			}
	}
	t->len = (size_t) (s - t->s);
	*p = s;
	return true;
}

static int
word_cmp(const Token *a, const Token *b)
{
	size_t		n = a->len < b->len ? a->len : b->len;
	int			c = strncasecmp(a->s, b->s, n);

	if (c == 0 && a->len != b->len)
		c = a->len < b->len ? -1 : 1;
	return (c > 0) - (c < 0);
}

static int
token_cmp(const Token *a, const Token *b)
{
	if (a->cls != b->cls)
		return a->cls < b->cls ? -1 : 1;
	switch (a->cls)
	{
		case TOK_PRERELEASE:
			if (a->rank != b->rank)
				return a->rank < b->rank ? -1 : 1;
			return word_cmp(a, b);
		case TOK_ZERO:
			return 0;
		case TOK_NUMBER:
			return digits_cmp(a->s, a->len, b->s, b->len);
		case TOK_WORD:
			return word_cmp(a, b);
	}
	return 0;
}

int
version_cmp_generic(const char *a, const char *b)
{
	static const Token missing = {TOK_ZERO, 0, "", 0};

	for (;;)
	{
		Token		ta,
					tb;
		bool		ha = generic_next(&a, &ta);
		bool		hb = generic_next(&b, &tb);
		int			c;

		if (!ha && !hb)
			return 0;
		c = token_cmp(ha ? &ta : &missing, hb ? &tb : &missing);
		if (c)
			return c;
	}
}

bool
version_compare(VersionScheme scheme, const char *a, const char *b, int *result, VersionError *err)
{
	switch (scheme)
	{
		case VERSION_GENERIC:
			*result = version_cmp_generic(a, b);
			return true;
		case VERSION_DEBIAN:
			return version_cmp_debian(a, b, result, err);
		case VERSION_RPM:
			return version_cmp_rpm(a, b, result, err);
		case VERSION_SEMVER:
			return version_cmp_semver(a, b, result, err);
	}
	return verr(err, 1, "unknown version scheme");
}
