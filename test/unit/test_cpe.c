/*
 * test_cpe: CPE 2.3 parsing, both bindings, the split the NVD reader stores, and NISTIR 7696 name
 * matching (src/match/cpe.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match/cpe.h"

static int	failures = 0;
static int	checks = 0;

#define CHECK(cond, ...) do { checks++; if (!(cond)) { failures++; \
	fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

static Cpe *
parse(const char *s)
{
	static Cpe	c[4];
	static int	k = 0;
	CpeError	err;
	Cpe		   *out = &c[k++ % 4];

	if (!cpe_name_parse(s, strlen(s), out, &err))
	{
		fprintf(stderr, "FAIL: could not parse %s: %s: %s\n", s, cpe_attr_name(err.attr), err.message);
		failures++;
		return NULL;
	}
	return out;
}

/* Parse s and format it back as a formatted string; compare with want. */
static void
roundtrip(const char *s, const char *want)
{
	Cpe		   *c = parse(s);
	char		buf[CPE_MAX_LEN * 2 + 64];

	if (!c)
		return;
	cpe_name_format(c, buf, sizeof(buf));
	CHECK(strcmp(buf, want) == 0, "%s formats as %s, want %s", s, buf, want);
}

static void
uri(const char *s, const char *want)
{
	Cpe		   *c = parse(s);
	char		buf[CPE_MAX_LEN * 3 + 64];

	if (!c)
		return;
	cpe_name_format_uri(c, buf, sizeof(buf));
	CHECK(strcmp(buf, want) == 0, "%s binds to URI %s, want %s", s, buf, want);
}

static void
rejects(const char *s, const char *attr, const char *fragment)
{
	Cpe			c;
	CpeError	err;
	bool		ok = cpe_name_parse(s, strlen(s), &c, &err);

	CHECK(!ok, "%s was accepted", s);
	if (!ok)
	{
		CHECK(strcmp(cpe_attr_name(err.attr), attr) == 0, "%s: error names %s, want %s (%s)",
			  s, cpe_attr_name(err.attr), attr, err.message);
		CHECK(strstr(err.message, fragment) != NULL, "%s: message \"%s\" lacks \"%s\"", s, err.message, fragment);
	}
}

static void
matches(const char *pattern, const char *candidate, bool want)
{
	Cpe			p,
				c;
	CpeError	err;

	if (!cpe_name_parse(pattern, strlen(pattern), &p, &err) || !cpe_name_parse(candidate, strlen(candidate), &c, &err))
	{
		CHECK(false, "unparsable %s / %s: %s", pattern, candidate, err.message);
		return;
	}
	CHECK(cpe_name_match(&p, &c) == want, "cpe_match(%s, %s) should be %s", pattern, candidate,
		  want ? "true" : "false");
}

static void
relation(const char *src, const char *tgt, int attr, CpeRelation want)
{
	Cpe		   *s = parse(src);
	Cpe		   *t = parse(tgt);

	if (s && t)
		CHECK(cpe_attr_compare(s, t, attr) == want, "compare %s / %s attr %s = %d, want %d",
			  src, tgt, cpe_attr_name(attr), cpe_attr_compare(s, t, attr), want);
}

static void
test_formatted_strings(void)
{
	roundtrip("cpe:2.3:a:openssl:openssl:1.0.1f:*:*:*:*:*:*:*", "cpe:2.3:a:openssl:openssl:1.0.1f:*:*:*:*:*:*:*");
	roundtrip("CPE:2.3:A:Apache:HTTP_Server:2.4.49:*:*:*:*:*:*:*", "cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*");
	roundtrip("cpe:2.3:o:microsoft:windows_10:-:*:*:*:*:*:x64:*", "cpe:2.3:o:microsoft:windows_10:-:*:*:*:*:*:x64:*");
	/* escapes survive; needless escapes of . - _ are dropped */
	roundtrip("cpe:2.3:a:foo\\!bar:b\\.a\\_z:1\\:2:*:*:*:*:*:*:*", "cpe:2.3:a:foo\\!bar:b.a_z:1\\:2:*:*:*:*:*:*:*");
	roundtrip("cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:online:win2003:x64:*",
			  "cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:online:win2003:x64:*");
	/* a literal hyphen value stays distinct from NA */
	roundtrip("cpe:2.3:a:v:p:\\-:*:*:*:*:*:*:*", "cpe:2.3:a:v:p:\\-:*:*:*:*:*:*:*");
	/* wildcards at the ends, escaped ones in the middle or at the ends */
	roundtrip("cpe:2.3:a:v:p:1.*:*:*:*:*:*:*:*", "cpe:2.3:a:v:p:1.*:*:*:*:*:*:*:*");
	roundtrip("cpe:2.3:a:v:p:??1.2?:*:*:*:*:*:*:*", "cpe:2.3:a:v:p:??1.2?:*:*:*:*:*:*:*");
	roundtrip("cpe:2.3:a:v:*p\\*:1\\?:*:*:*:*:*:*:*", "cpe:2.3:a:v:*p\\*:1\\?:*:*:*:*:*:*:*");
	roundtrip("cpe:2.3:a:v:p\\\\:1:*:*:*:*:*:*:*", "cpe:2.3:a:v:p\\\\:1:*:*:*:*:*:*:*");
	roundtrip("cpe:2.3:*:*:*:*:*:*:*:*:*:*:*", "cpe:2.3:*:*:*:*:*:*:*:*:*:*:*");
}

static void
test_uri_binding(void)
{
	roundtrip("cpe:/a:microsoft:internet_explorer:8.0.6001:beta", "cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*");
	roundtrip("cpe:/a:hp:insight_diagnostics:7.4.0.1570::~~online~win2003~x64~",
			  "cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:*:*:*:online:win2003:x64:*");
	roundtrip("cpe:/a:foo%21bar:baz%3a1", "cpe:2.3:a:foo\\!bar:baz\\:1:*:*:*:*:*:*:*:*");
	roundtrip("cpe:/a:v:p:%021.%01", "cpe:2.3:a:v:p:*1.?:*:*:*:*:*:*:*");
	roundtrip("cpe:/o:linux:linux_kernel:-", "cpe:2.3:o:linux:linux_kernel:-:*:*:*:*:*:*:*");
	roundtrip("cpe:/a:v:p:1:u:e:en-us", "cpe:2.3:a:v:p:1:u:e:en-us:*:*:*:*");
	uri("cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*", "cpe:/a:microsoft:internet_explorer:8.0.6001:beta");
	uri("cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:online:win2003:x64:*",
		"cpe:/a:hp:insight_diagnostics:7.4.0.1570:-:~~online~win2003~x64~");
	uri("cpe:2.3:a:foo\\!bar:p:1\\:2:*:*:*:*:*:*:*", "cpe:/a:foo%21bar:p:1%3a2");
}

static void
test_rejections(void)
{
	rejects("cpe:2.3:a:openssl:openssl:1.0:*:*:*:*:*:*", "other", "only 10 of the 11");
	rejects("cpe:2.3:a:v:p:1:*:*:*:*:*:*:*:*", "name", "too many attributes");
	rejects("cpe:2.3:x:v:p:1:*:*:*:*:*:*:*", "part", "part must be");
	rejects("cpe:2.3:a:v::1:*:*:*:*:*:*:*", "product", "empty value");
	rejects("cpe:2.3:a:v:p:1.*.2:*:*:*:*:*:*:*", "version", "wildcards may only start or end");
	rejects("cpe:2.3:a:v:p:1?2:*:*:*:*:*:*:*", "version", "wildcard");
	rejects("cpe:2.3:a:v:p!:1:*:*:*:*:*:*:*", "product", "must be escaped");
	rejects("cpe:2.3:a:v:p:1:*:*:*:*:*:*:x\\", "other", "lone backslash");
	rejects("cpe:2.3:a:v:p:1:*:*:*:*:*:*:\\x", "other", "only punctuation may be escaped");
	rejects("cpe:2.3:a:ve ndor:p:1:*:*:*:*:*:*:*", "vendor", "printable");
	rejects("cpe:2.3:a:v:p:**:*:*:*:*:*:*:*", "version", "wildcards");
	rejects("cpe:/a:v:p:1%2", "version", "percent-encoding");
	rejects("cpe:/a:v:p:1%01x", "version", "wildcard");
	rejects("cpe:/a:v:p:1:u:~a~b~c", "edition", "5 \"~\"-separated");
	rejects("cpe:/a:v:p:1:u:e:l:extra", "name", "too many components");
	rejects("cpe:3.0:a:v:p", "name", "unknown CPE binding");
	rejects("openssl", "name", "not a CPE name");
	rejects("", "name", "not a CPE name");
}

/*
 * cpe_name_split: the attributes as the NVD reader stores them (cve_cpe_match) and cpe_value()
 * returns them, by the same rules as cpe_name_parse.
 */
static void
split(const char *s, const char *const want[CPE_NATTRS])
{
	char		buf[CPE_MAX_LEN + 1];
	char	   *attr[CPE_NATTRS];
	CpeError	err;
	Cpe		   *c = parse(s);

	if (!cpe_name_split(s, buf, strlen(s) + 1, attr, &err))
	{
		CHECK(false, "%s does not split: %s: %s", s, cpe_attr_name(err.attr), err.message);
		return;
	}
	for (int a = 0; a < CPE_NATTRS; a++)
	{
		char		text[CPE_MAX_LEN * 2 + 8];

		CHECK(strcmp(attr[a], want[a]) == 0, "%s: %s is \"%s\", want \"%s\"", s, cpe_attr_name(a), attr[a], want[a]);
		/* the same text as the type's cpe_value() gives for that attribute */
		CHECK(c && cpe_attr_text(c, a, text, sizeof(text)) == strlen(attr[a]) && strcmp(text, attr[a]) == 0,
			  "%s: split and cpe_attr_text differ on %s", s, cpe_attr_name(a));
	}
}

static void
split_refuses(const char *s, const char *attr)
{
	char		buf[CPE_MAX_LEN + 1];
	char	   *out[CPE_NATTRS];
	CpeError	err = {0};

	CHECK(!cpe_name_split(s, buf, sizeof(buf), out, &err), "%s was split", s);
	CHECK(strcmp(cpe_attr_name(err.attr), attr) == 0, "%s: error names %s, want %s (%s)",
		  s, cpe_attr_name(err.attr), attr, err.message);
}

static void
test_split(void)
{
	static const char *const plain[] = {"a", "apache", "log4j", "2.0", "beta9", "*", "*", "*", "*", "*", "*"};
	static const char *const escaped[] = {"a", "foo:bar", "prod!x", "1.0", "*", "*", "-", "*", "*", "*", "*"};
	static const char *const cased[] = {"o", "microsoft", "windows_10", "-", "*", "*", "*", "*", "*", "x64", "*"};
	static const char *const wild[] = {"a", "v", "p\\!*", "1.?", "*", "*", "*", "*", "*", "*", "*"};
	static const char *const star[] = {"a", "v", "p*", "1", "*", "*", "*", "*", "*", "*", "*"};
	char		buf[64];
	char	   *attr[CPE_NATTRS];

	split("cpe:2.3:a:apache:log4j:2.0:beta9:*:*:*:*:*:*", plain);
	split("cpe:2.3:a:foo\\:bar:prod\\!x:1.0:*:*:-:*:*:*:*", escaped);
	/* CPE values compare case-insensitively: stored lower-cased, as matching reads them */
	split("CPE:2.3:O:Microsoft:Windows_10:-:*:*:*:*:*:X64:*", cased);
	/* wildcards keep their formatted form, so "p\!*" (p! then anything) is not "p!*" as a value */
	split("cpe:2.3:a:v:p\\!*:1.?:*:*:*:*:*:*:*", wild);
	/* an escaped "*" is a character, stored without its backslash */
	split("cpe:2.3:a:v:p\\*:1:*:*:*:*:*:*:*", star);

	/* what the NVD reader's own splitter let through before there was one splitter */
	split_refuses("cpe:/a:apache:log4j", "name");
	split_refuses("cpe:2.3:a:apache:log4j:2.0", "update");
	split_refuses("cpe:2.3:x:v:p:1:*:*:*:*:*:*:*", "part");
	split_refuses("cpe:2.3:a:v::1:*:*:*:*:*:*:*", "product");
	split_refuses("cpe:2.3:a:v:p!:1:*:*:*:*:*:*:*", "product");
	split_refuses("cpe:2.3:a:v:p:1.*.2:*:*:*:*:*:*:*", "version");
	split_refuses("cpe:2.3:a:v:p:1:*:*:*:*:*:*:\\x", "other");
	split_refuses("cpe:2.3:a:v:p:1:*:*:*:*:*:*:x\\", "other");
	split_refuses("cpe:2.3:a:v\x01:p:1:*:*:*:*:*:*:*", "vendor");
	/* too small a buffer is refused, never overrun */
	CHECK(!cpe_name_split("cpe:2.3:a:apache:log4j:2.0:beta9:*:*:*:*:*:*", buf, 12, attr, NULL),
		  "a 12-byte buffer is refused");
	CHECK(cpe_name_split("cpe:2.3:a:apache:log4j:2.0:beta9:*:*:*:*:*:*", buf, sizeof(buf), attr, NULL),
		  "a 64-byte buffer is enough");
}

static void
test_relations(void)
{
	const char *any = "cpe:2.3:a:v:p:*:*:*:*:*:*:*:*";
	const char *na = "cpe:2.3:a:v:p:-:*:*:*:*:*:*:*";
	const char *val = "cpe:2.3:a:v:p:1.0:*:*:*:*:*:*:*";
	const char *wild = "cpe:2.3:a:v:p:1.*:*:*:*:*:*:*:*";

	/* NISTIR 7696 table 6-2 */
	relation(any, any, CPE_VERSION, CPE_REL_EQUAL);
	relation(any, na, CPE_VERSION, CPE_REL_SUPERSET);
	relation(any, val, CPE_VERSION, CPE_REL_SUPERSET);
	relation(any, wild, CPE_VERSION, CPE_REL_SUPERSET);
	relation(na, any, CPE_VERSION, CPE_REL_SUBSET);
	relation(na, na, CPE_VERSION, CPE_REL_EQUAL);
	relation(na, val, CPE_VERSION, CPE_REL_DISJOINT);
	relation(na, wild, CPE_VERSION, CPE_REL_UNDEFINED);
	relation(val, any, CPE_VERSION, CPE_REL_SUBSET);
	relation(val, na, CPE_VERSION, CPE_REL_DISJOINT);
	relation(val, val, CPE_VERSION, CPE_REL_EQUAL);
	relation(val, "cpe:2.3:a:v:p:1.1:*:*:*:*:*:*:*", CPE_VERSION, CPE_REL_DISJOINT);
	relation(val, wild, CPE_VERSION, CPE_REL_UNDEFINED);
	relation(wild, val, CPE_VERSION, CPE_REL_SUPERSET);
	relation(wild, na, CPE_VERSION, CPE_REL_DISJOINT);
	relation(wild, any, CPE_VERSION, CPE_REL_SUBSET);
}

static void
test_matching(void)
{
	const char *ossl = "cpe:2.3:a:openssl:openssl:1.0.1f:*:*:*:*:*:*:*";

	matches("cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*", ossl, true);
	matches("cpe:2.3:a:openssl:openssl:1.0.1f:*:*:*:*:*:*:*", ossl, true);
	matches("cpe:2.3:a:OpenSSL:OpenSSL:1.0.1F:*:*:*:*:*:*:*", ossl, true);	/* case-insensitive */
	matches("cpe:2.3:a:openssl:openssl:1.0.1g:*:*:*:*:*:*:*", ossl, false);
	matches("cpe:2.3:o:openssl:openssl:*:*:*:*:*:*:*:*", ossl, false);
	/* ANY vs NA: a pattern fixing update to NA does not match a candidate whose update is unknown */
	matches("cpe:2.3:a:openssl:openssl:1.0.1f:-:*:*:*:*:*:*", ossl, false);
	matches("cpe:2.3:a:openssl:openssl:1.0.1f:-:*:*:*:*:*:*", "cpe:2.3:a:openssl:openssl:1.0.1f:-:*:*:*:*:*:*", true);
	matches("cpe:2.3:a:openssl:openssl:1.0.1f:*:*:*:*:*:*:*", "cpe:2.3:a:openssl:openssl:1.0.1f:-:*:*:*:*:*:*", true);
	matches("cpe:2.3:a:openssl:openssl:1.0.1f:beta1:*:*:*:*:*:*", "cpe:2.3:a:openssl:openssl:1.0.1f:-:*:*:*:*:*:*", false);
	/* target_sw narrows: a pattern for node.js does not match an unknown platform */
	matches("cpe:2.3:a:v:p:1:*:*:*:*:node.js:*:*", "cpe:2.3:a:v:p:1:*:*:*:*:*:*:*", false);
	matches("cpe:2.3:a:v:p:1:*:*:*:*:*:*:*", "cpe:2.3:a:v:p:1:*:*:*:*:node.js:*:*", true);
	/* embedded wildcards */
	matches("cpe:2.3:a:v:p:1.0.*:*:*:*:*:*:*:*", "cpe:2.3:a:v:p:1.0.17:*:*:*:*:*:*:*", true);
	matches("cpe:2.3:a:v:p:1.0.*:*:*:*:*:*:*:*", "cpe:2.3:a:v:p:1.1.0:*:*:*:*:*:*:*", false);
	matches("cpe:2.3:a:v:p:*.0:*:*:*:*:*:*:*", "cpe:2.3:a:v:p:2.0:*:*:*:*:*:*:*", true);
	matches("cpe:2.3:a:v:p:*.0:*:*:*:*:*:*:*", "cpe:2.3:a:v:p:2.0.1:*:*:*:*:*:*:*", false);
	matches("cpe:2.3:a:v:p:*ja*:*:*:*:*:*:*:*", "cpe:2.3:a:v:p:ninjas:*:*:*:*:*:*:*", true);
	matches("cpe:2.3:a:v:p:1.?:*:*:*:*:*:*:*", "cpe:2.3:a:v:p:1.5:*:*:*:*:*:*:*", true);
	matches("cpe:2.3:a:v:p:1.?:*:*:*:*:*:*:*", "cpe:2.3:a:v:p:1.:*:*:*:*:*:*:*", true);	/* "?": at most one, per the 7696 algorithm */
	matches("cpe:2.3:a:v:p:1.?:*:*:*:*:*:*:*", "cpe:2.3:a:v:p:1.55:*:*:*:*:*:*:*", false);
	matches("cpe:2.3:a:v:p:??5:*:*:*:*:*:*:*", "cpe:2.3:a:v:p:1.5:*:*:*:*:*:*:*", true);
	matches("cpe:2.3:a:v:p:??5:*:*:*:*:*:*:*", "cpe:2.3:a:v:p:1.2.5:*:*:*:*:*:*:*", false);
	matches("cpe:2.3:a:v:p:?.?:*:*:*:*:*:*:*", "cpe:2.3:a:v:p:1.2:*:*:*:*:*:*:*", true);
	/* an escaped wildcard is a literal character */
	matches("cpe:2.3:a:v:p:1\\*:*:*:*:*:*:*:*", "cpe:2.3:a:v:p:12:*:*:*:*:*:*:*", false);
	matches("cpe:2.3:a:v:p:1\\*:*:*:*:*:*:*:*", "cpe:2.3:a:v:p:1\\*:*:*:*:*:*:*:*", true);
	matches("cpe:2.3:a:v:p:*\\*:*:*:*:*:*:*:*", "cpe:2.3:a:v:p:12\\*:*:*:*:*:*:*:*", true);
	/* escaped punctuation in the target counts as one character */
	matches("cpe:2.3:a:v:p:?1:*:*:*:*:*:*:*", "cpe:2.3:a:v:p:\\!1:*:*:*:*:*:*:*", true);
	matches("cpe:2.3:a:v:p\\!x:1:*:*:*:*:*:*:*", "cpe:/a:v:p%21x:1", true);
	/* a candidate with wildcards is UNDEFINED: never a match */
	matches("cpe:2.3:a:v:p:1.0:*:*:*:*:*:*:*", "cpe:2.3:a:v:p:1.*:*:*:*:*:*:*:*", false);
	matches("cpe:2.3:*:*:*:*:*:*:*:*:*:*:*", "cpe:2.3:h:cisco:asa_5505:-:*:*:*:*:*:*:*", true);
}

/* Built inventory names leave part (and without a vendor, vendor) open. */
static void
test_match_except(void)
{
	Cpe			pattern,
				candidate;
	CpeError	err;
	const char *p = "cpe:2.3:o:paloaltonetworks:pan-os:10.2.7:*:*:*:*:*:*:*";

	cpe_name_parse(p, strlen(p), &pattern, &err);
	CHECK(cpe_name_build(&candidate, "a", NULL, "PAN-OS", "10.2.7", "-", &err), "build");
	CHECK(!cpe_name_match(&pattern, &candidate), "part and vendor differ: no plain match");
	CHECK(!cpe_name_match_except(&pattern, &candidate, 1u << CPE_PART), "vendor still differs");
	CHECK(cpe_name_match_except(&pattern, &candidate, (1u << CPE_PART) | (1u << CPE_VENDOR)),
		  "part and vendor left open: match");
	CHECK(cpe_name_build(&candidate, "a", NULL, "PAN-OS", "10.2.8", "-", &err), "build");
	CHECK(!cpe_name_match_except(&pattern, &candidate, (1u << CPE_PART) | (1u << CPE_VENDOR)),
		  "the version still counts");
}

static void
test_build(void)
{
	Cpe			c;
	CpeError	err;
	char		buf[512];

	CHECK(cpe_name_build(&c, "a", "Apache Software Foundation", "HTTP Server", "2.4.49", "-", &err), "build");
	cpe_name_format(&c, buf, sizeof(buf));
	CHECK(strcmp(buf, "cpe:2.3:a:apache_software_foundation:http_server:2.4.49:-:*:*:*:*:*:*") == 0, "built %s", buf);
	CHECK(cpe_name_build(&c, "a", "acme", "c++ tools", "1:2*", NULL, &err), "build with punctuation");
	cpe_name_format(&c, buf, sizeof(buf));
	CHECK(strcmp(buf, "cpe:2.3:a:acme:c\\+\\+_tools:1\\:2\\*:*:*:*:*:*:*:*") == 0, "built %s", buf);
	CHECK(!cpe_name_build(&c, "a", "acme", "t\x01", "1", NULL, &err) && err.attr == CPE_PRODUCT, "control char rejected");
	CHECK(cpe_name_format(&c, buf, 4) == 0 || 1, "small buffer");
}

static void
test_long_and_truncated(void)
{
	char		big[CPE_MAX_LEN + 64];
	Cpe			c;
	CpeError	err;
	char		small[16];
	Cpe		   *p;

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "cpe:2.3:a:", 10);
	CHECK(!cpe_name_parse(big, strlen(big), &c, &err), "over-long name rejected");
	p = parse("cpe:2.3:a:openssl:openssl:1.0.1f:*:*:*:*:*:*:*");
	if (p)
		CHECK(cpe_name_format(p, small, sizeof(small)) == 0 && small[0] == '\0', "too small a buffer gives 0");
}

int
main(void)
{
	test_formatted_strings();
	test_uri_binding();
	test_rejections();
	test_split();
	test_relations();
	test_matching();
	test_match_except();
	test_build();
	test_long_and_truncated();
	printf("test_cpe: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
