/*
 * test_version: the four version orderings (src/match/version.c). Known vectors from the package
 * managers' own documentation and test suites, the Semantic Versioning 2.0.0 precedence example,
 * NVD-style bounds, and order properties (antisymmetry, transitivity) on generated versions.
 * The dpkg oracle test (a few hundred pairs through SQL) is test/integration/match_version_dpkg.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match/version.h"

static int	failures = 0;
static int	checks = 0;

#define CHECK(cond, ...) do { checks++; if (!(cond)) { failures++; \
	fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

static int
sign(int x)
{
	return (x > 0) - (x < 0);
}

static void
expect(VersionScheme scheme, const char *a, const char *b, int want)
{
	int			got = 0;
	VersionError err;

	if (!version_compare(scheme, a, b, &got, &err))
	{
		CHECK(false, "scheme %d: %s vs %s failed: %s", scheme, a, b, err.message);
		return;
	}
	CHECK(sign(got) == want, "scheme %d: cmp(%s, %s) = %d, want %d", scheme, a, b, sign(got), want);
	if (version_compare(scheme, b, a, &got, &err))
		CHECK(sign(got) == -want, "scheme %d: cmp(%s, %s) not antisymmetric", scheme, b, a);
}

static void
malformed(VersionScheme scheme, const char *a, int arg, const char *fragment)
{
	int			got;
	VersionError err;
	bool		ok = arg == 1 ? version_compare(scheme, a, "1.0.0", &got, &err)
		: version_compare(scheme, "1.0.0", a, &got, &err);

	CHECK(!ok, "scheme %d accepted malformed %s", scheme, a);
	if (!ok)
	{
		CHECK(err.arg == arg, "%s: error names argument %d, want %d", a, err.arg, arg);
		CHECK(strstr(err.message, fragment) != NULL, "%s: message \"%s\" lacks \"%s\"", a, err.message, fragment);
	}
}

static void
test_debian(void)
{
	static const struct { const char *a, *b; int want; } v[] = {
		{"1.0", "1.0", 0}, {"1.0", "1.0-0", 0}, {"1.0", "1.0-1", -1}, {"1.0~rc1", "1.0", -1},
		{"1.0~~", "1.0~", -1}, {"1.0~", "1.0", -1}, {"1.0", "1.0a", -1}, {"1.0a", "1.0+", -1},
		{"1.0+dfsg-1", "1.0-1", 1}, {"1:0.1", "2.0", 1}, {"0:2.0", "2.0", 0}, {"2.30-1", "2.3-1", 1},
		{"1.2.3-1ubuntu1", "1.2.3-1", 1}, {"1.1.1n-0+deb11u4", "1.1.1n-0+deb11u5", -1},
		{"7.88.1-10+deb12u5", "7.88.1-10+deb12u12", -1}, {"2.4.57-2", "2.4.62-1~deb12u1", -1},
		{"1:9.11.5.P4+dfsg-5.1+deb10u9", "1:9.16.50-1~deb11u1", -1}, {"001", "1", 0},
		{"1.2-3-4", "1.2-3-5", -1},
	};
	size_t		i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		expect(VERSION_DEBIAN, v[i].a, v[i].b, v[i].want);
	malformed(VERSION_DEBIAN, "", 1, "empty");
	malformed(VERSION_DEBIAN, "1 0", 2, "embedded spaces");
	malformed(VERSION_DEBIAN, ":1", 1, "epoch in version is empty");
	malformed(VERSION_DEBIAN, "a:1", 1, "epoch in version is empty");
	malformed(VERSION_DEBIAN, "1a:1", 2, "not a number");
	malformed(VERSION_DEBIAN, "1:", 1, "nothing after colon");
	malformed(VERSION_DEBIAN, "1-", 1, "revision number is empty");
	malformed(VERSION_DEBIAN, "1.2:3-1", 1, "not a number");
	/* leading/trailing blanks are allowed, as dpkg allows them */
	expect(VERSION_DEBIAN, " 1.0 ", "1.0", 0);
}

static void
test_rpm(void)
{
	/* rpm's own test vectors (tests/rpmvercmp.at) */
	static const struct { const char *a, *b; int want; } v[] = {
		{"1.0", "1.0", 0}, {"1.0", "2.0", -1}, {"2.0.1", "2.0", 1}, {"2.0.1a", "2.0.1", 1},
		{"5.5p1", "5.5p2", -1}, {"5.5p10", "5.5p1", 1}, {"10xyz", "10.1xyz", -1}, {"xyz10", "xyz10.1", -1},
		{"xyz.4", "8", -1}, {"xyz.4", "2", -1}, {"5.5p2", "5.6p1", -1}, {"5.6p1", "6.5p1", -1},
		{"6.0.rc1", "6.0", 1}, {"10b2", "10a1", 1}, {"10a2", "10b2", -1}, {"1.0a", "1.0aa", -1},
		{"10.0001", "10.1", 0}, {"10.0001", "10.0039", -1}, {"4.999.9", "5.0", -1},
		{"20101121", "20101122", -1}, {"2_0", "2.0", 0}, {"a+", "a_", 0}, {"+a", "_a", 0}, {"+", "_", 0},
		{"1.0~rc1", "1.0", -1}, {"1.0~rc1", "1.0~rc2", -1}, {"1.0~rc1~git123", "1.0~rc1", -1},
		{"1.0^", "1.0", 1}, {"1.0^git1", "1.0", 1}, {"1.0^git1", "1.0^git2", -1}, {"1.0^git1", "1.01", -1},
		{"1.0^20160101", "1.0.1", -1}, {"1.0^20160102", "1.0^20160101^git1", 1},
		{"1.0~rc1^git1", "1.0~rc1", 1}, {"1.0^git1", "1.0^git1~pre", 1},
		/* epoch and release */
		{"1:1.0", "2.0", 1}, {"0:1.0", "1.0", 0}, {"1.0-1", "1.0-2", -1}, {"1.0-2.el9", "1.0-10.el9", -1},
		{"1.0", "1.0-5", 0}, {"2:1.0-1", "1:9.9-9", 1}, {"3.0.7-16.el9_2", "3.0.7-24.el9", -1},
	};
	size_t		i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		expect(VERSION_RPM, v[i].a, v[i].b, v[i].want);
	malformed(VERSION_RPM, "", 2, "empty");
}

static void
test_semver(void)
{
	/* semver.org, item 11 */
	static const char *const order[] = {
		"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
		"1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "2.0.0", "2.1.0", "2.1.1", "10.0.0"
	};
	size_t		i,
				j;
	size_t		n = sizeof(order) / sizeof(order[0]);

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			expect(VERSION_SEMVER, order[i], order[j], i < j ? -1 : (i > j ? 1 : 0));
	expect(VERSION_SEMVER, "1.0.0+build.1", "1.0.0+build.2", 0);
	expect(VERSION_SEMVER, "v1.2.3", "1.2.3", 0);
	expect(VERSION_SEMVER, "1.0.0-alpha-1", "1.0.0-alpha", 1);
	expect(VERSION_SEMVER, "99999999999999999999.0.0", "99999999999999999998.0.0", 1);
	malformed(VERSION_SEMVER, "1.0", 1, "MAJOR.MINOR.PATCH");
	malformed(VERSION_SEMVER, "01.0.0", 2, "leading zeros");
	malformed(VERSION_SEMVER, "1.0.0-01", 1, "pre-release");
	malformed(VERSION_SEMVER, "1.0.0-", 1, "pre-release");
	malformed(VERSION_SEMVER, "1.0.0-a..b", 1, "pre-release");
	malformed(VERSION_SEMVER, "1.0.0+", 2, "build metadata");
	malformed(VERSION_SEMVER, "1.0.0x", 1, "unexpected characters");
}

static void
test_generic(void)
{
	static const char *const order[] = {
		"0.9", "1.0-dev", "1.0alpha1", "1.0-beta", "1.0-beta.2", "1.0-rc1", "1.0-rc.2", "1.0", "1.0.1",
		"1.0a", "1.0b", "1.1", "1.1.1", "1.1.1a", "1.1.1n", "1.1.1o", "1.1.1za", "2.4.9", "2.4.49", "2.4.50",
		"14", "14su5", "14su10", "15",
	};
	size_t		i,
				j;
	size_t		n = sizeof(order) / sizeof(order[0]);

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			expect(VERSION_GENERIC, order[i], order[j], i < j ? -1 : (i > j ? 1 : 0));
	expect(VERSION_GENERIC, "1.0", "1.0.0", 0);
	expect(VERSION_GENERIC, "1.0.0.0", "1", 0);
	expect(VERSION_GENERIC, "1.0A", "1.0a", 0);
	expect(VERSION_GENERIC, "9.3(1)", "9.3(2)", -1);
	expect(VERSION_GENERIC, "8.4(7.31)", "8.4(7)", 1);
	expect(VERSION_GENERIC, "1.02", "1.2", 0);
	expect(VERSION_GENERIC, "2.4.62-1~deb12u1", "2.4.62", 1);
	expect(VERSION_GENERIC, "", "0", 0);
	expect(VERSION_GENERIC, "123456789012345678901234567890", "123456789012345678901234567891", -1);
}

/* Generated versions: the order must be antisymmetric and transitive. */
static void
test_order_properties(VersionScheme scheme, const char *alphabet, const char *name)
{
	char		v[60][12];
	int			cmp[60][60];
	int			i,
				j,
				k;
	unsigned	seed = 12345;
	int			bad = 0;
	size_t		na = strlen(alphabet);

	for (i = 0; i < 60; i++)
	{
		int			len = 1 + (int) ((seed = seed * 1103515245u + 12345u) >> 16) % 8;

		v[i][0] = '1';			/* debian wants a digit first; harmless for the others */
		for (j = 1; j < len; j++)
			v[i][j] = alphabet[((seed = seed * 1103515245u + 12345u) >> 16) % na];
		v[i][len] = '\0';
		if (v[i][len - 1] == '-' || v[i][len - 1] == ':')
			v[i][len - 1] = '0';
	}
	for (i = 0; i < 60; i++)
		for (j = 0; j < 60; j++)
		{
			VersionError err;

			if (!version_compare(scheme, v[i], v[j], &cmp[i][j], &err))
				cmp[i][j] = 2;
			else
				cmp[i][j] = sign(cmp[i][j]);
		}
	for (i = 0; i < 60; i++)
		for (j = 0; j < 60; j++)
		{
			if (cmp[i][j] == 2 || cmp[j][i] == 2)
				continue;
			if (cmp[i][j] != -cmp[j][i])
				bad++;
			for (k = 0; k < 60; k++)
				if (cmp[j][k] != 2 && cmp[i][k] != 2 && cmp[i][j] <= 0 && cmp[j][k] <= 0 && cmp[i][k] > 0)
					bad++;
		}
	CHECK(bad == 0, "%s: %d antisymmetry/transitivity violations", name, bad);
}

int
main(void)
{
	test_debian();
	test_rpm();
	test_semver();
	test_generic();
	test_order_properties(VERSION_GENERIC, "0123.ab~-+rcz", "generic");
	test_order_properties(VERSION_DEBIAN, "0129.ab~-+:", "debian");
	printf("test_version: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
