/*
 * test_ssh_parse.c: unit tests of the parsers of the SSH discovery commands' output and of the
 * package URLs (src/discovery/ssh_parse.c, plain C). Run under valgrind by make test: every parser
 * is also fed its input without a terminating NUL, so a read past the end shows.
 */
#include "discovery/ssh_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int	failures = 0;
static int	checks = 0;

#define CHECK(cond, ...) do { \
	checks++; \
	if (!(cond)) { failures++; printf("not ok: %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } \
} while (0)

#define CHECK_STR(got, want) do { \
	const char *g_ = (got); const char *w_ = (want); \
	CHECK((g_ == NULL && w_ == NULL) || (g_ && w_ && strcmp(g_, w_) == 0), "got \"%s\", want \"%s\"", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
} while (0)

/* A copy of s without its NUL, in a buffer of exactly its length (valgrind sees any overrun). */
static char *
exact(const char *s, size_t *len)
{
	char	   *b;

	*len = strlen(s);
	b = malloc(*len ? *len : 1);
	memcpy(b, s, *len);
	return b;
}

static void
test_os_release(void)
{
	SshOsRelease o;
	size_t		n;
	char	   *b = exact("# a comment\n"
						  "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
						  "NAME='Debian GNU/Linux'\n"
						  "VERSION_ID=\"12\"\n"
						  "VERSION=\"12 (bookworm)\"\n"
						  "  VERSION_CODENAME=bookworm  # trailing comment\n"
						  "ID=debian\n"
						  "ID_LIKE=\"a \\\"quoted\\\" \\$x\\\\y\"\n"
						  "HOME_URL=\"https://www.debian.org/\"\n"
						  "garbage line without equals\n"
						  "BUG_REPORT_URL=\"https://bugs.debian.org/\"", &n);

	CHECK(ssh_parse_os_release(b, n, &o) == 0, "os-release parses");
	CHECK_STR(o.id, "debian");
	CHECK_STR(o.name, "Debian GNU/Linux");
	CHECK_STR(o.version_id, "12");
	CHECK_STR(o.version, "12 (bookworm)");
	CHECK_STR(o.version_codename, "bookworm");
	CHECK_STR(o.pretty_name, "Debian GNU/Linux 12 (bookworm)");
	CHECK_STR(o.id_like, "a \"quoted\" $x\\y");
	{
		char	   *d = ssh_distro_qualifier(&o);

		CHECK_STR(d, "debian-12");
		free(d);
	}
	ssh_os_release_free(&o);
	free(b);

	/* RHEL-like: CRLF line ends, a bare value with an escaped blank, a key repeated (last wins) */
	b = exact("NAME=\"Rocky Linux\"\r\nID=\"rocky\"\r\nID=\"Rocky\"\r\nVERSION_ID=\"9.3\"\r\nPRETTY_NAME=Rocky\\ Linux\\ 9.3\r\n", &n);
	CHECK(ssh_parse_os_release(b, n, &o) == 0, "CRLF os-release parses");
	CHECK_STR(o.id, "Rocky");
	CHECK_STR(o.pretty_name, "Rocky Linux 9.3");
	{
		char	   *d = ssh_distro_qualifier(&o);

		CHECK_STR(d, "rocky-9.3");
		free(d);
	}
	ssh_os_release_free(&o);
	free(b);

	/* no ID: not an os-release file */
	b = exact("NAME=\"Something\"\nVERSION_ID=1\n", &n);
	CHECK(ssh_parse_os_release(b, n, &o) == -1, "no ID is refused");
	CHECK(o.name == NULL, "and nothing is kept");
	free(b);

	/* an unterminated quote and a control character in a value */
	b = exact("ID=\"debian\nNAME=\"a\x01b\"\n", &n);
	CHECK(ssh_parse_os_release(b, n, &o) == 0, "an unterminated quote ends at the line's end");
	CHECK_STR(o.id, "debian");
	CHECK(o.name == NULL, "a value with a control character is dropped");
	ssh_os_release_free(&o);
	free(b);
}

static void
test_uname(void)
{
	SshUname u;
	size_t		n;
	char	   *b = exact("Linux web01 6.1.0-18-amd64 x86_64\n", &n);

	CHECK(ssh_parse_uname(b, n, &u) == 0, "uname parses");
	CHECK_STR(u.sysname, "Linux");
	CHECK_STR(u.nodename, "web01");
	CHECK_STR(u.release, "6.1.0-18-amd64");
	CHECK_STR(u.machine, "x86_64");
	ssh_uname_free(&u);
	free(b);
	b = exact("Linux web01 6.1.0 x86_64 GNU/Linux\n", &n);
	CHECK(ssh_parse_uname(b, n, &u) == -1, "five words (uname -a) are refused");
	free(b);
	b = exact("", &n);
	CHECK(ssh_parse_uname(b, n, &u) == -1, "empty output is refused");
	free(b);
}

static void
test_dpkg(void)
{
	SshPackageList l;
	size_t		n;
	char	   *b = exact("adduser\t3.134\tall\tii \n"
						  "libc6\t2.36-9+deb12u4\tamd64\tii \n"
						  "libc6\t2.36-9+deb12u4\ti386\thi \n"
						  "oldpkg\t1.0-1\tamd64\trc \n"
						  "bash\t5.2.15-2+b2\tamd64\tii \n"
						  "vim\t2:9.0.1378-2\tamd64\tii \n"
						  "broken line\n"
						  "too\tmany\tfields\there\tii \n"
						  "\n"
						  "nover\t\tamd64\tii ", &n);

	ssh_parse_dpkg(b, n, &l);
	CHECK(l.n == 5, "five installed packages, got %zu", l.n);
	CHECK(l.not_installed == 1, "one removed package (rc), got %zu", l.not_installed);
	CHECK(l.skipped == 3, "three odd lines skipped, got %zu", l.skipped);
	if (l.n == 5)
	{
		CHECK_STR(l.items[0].name, "adduser");
		CHECK_STR(l.items[0].version, "3.134");
		CHECK_STR(l.items[0].arch, "all");
		CHECK_STR(l.items[2].arch, "i386");
		CHECK_STR(l.items[4].version, "2:9.0.1378-2");
	}
	ssh_package_list_free(&l);
	free(b);
}

static void
test_rpm(void)
{
	SshPackageList l;
	size_t		n;
	char	   *b = exact("bash\t(none)\t5.1.8-6.el9\tx86_64\n"
						  "openssl\t1\t3.0.7-25.el9\tx86_64\n"
						  "gpg-pubkey\t(none)\t8483c65d-5ccc5b19\t(none)\n"
						  "tzdata\t0\t2024a-1.el9\tnoarch\n"
						  "weird\tx1\t1.0-1\tx86_64\n"
						  "short\t1\n", &n);

	ssh_parse_rpm(b, n, &l);
	CHECK(l.n == 4, "four rpm packages, got %zu", l.n);
	CHECK(l.skipped == 2, "a bad epoch and a short line skipped, got %zu", l.skipped);
	if (l.n == 4)
	{
		CHECK_STR(l.items[0].version, "5.1.8-6.el9");
		CHECK_STR(l.items[1].version, "1:3.0.7-25.el9");
		CHECK(l.items[2].arch == NULL, "arch (none) is no arch");
		CHECK_STR(l.items[3].version, "0:2024a-1.el9");
	}
	{
		char	   *p = ssh_purl("rpm", "rocky", l.items[1].name, l.items[1].version, l.items[1].arch, "rocky-9.3");

		CHECK_STR(p, "pkg:rpm/rocky/openssl@1:3.0.7-25.el9?arch=x86_64&distro=rocky-9.3");
		free(p);
	}
	ssh_package_list_free(&l);
	free(b);
}

static void
test_ss(void)
{
	SshListenerList l;
	size_t		n;
	char	   *b = exact("State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n"
						  "LISTEN 0      128          0.0.0.0:22        0.0.0.0:*    users:((\"sshd\",pid=612,fd=3))\n"
						  "LISTEN 0      128             [::]:22           [::]:*    users:((\"sshd\",pid=612,fd=4))\n"
						  "LISTEN 0      244        [::1]:5432           [::]:*    users:((\"postgres\",pid=901,fd=6),(\"postgres\",pid=902,fd=6))\n"
						  "LISTEN 0      4096   127.0.0.53%lo:53        0.0.0.0:*\n"
						  "LISTEN 0      511                *:80              *:*    users:((\"apache2\",pid=77,fd=4))\n"
						  "LISTEN 0      5     [fe80::1%eth0]:8080         [::]:*\n"
						  "udp   UNCONN 0      0      0.0.0.0:161 0.0.0.0:* users:((\"snmpd\",pid=5,fd=8))\n"
						  "tcp   LISTEN 0      5      [fe80::2]%eth1:9000 [::]:*\n"
						  "LISTEN 0 1 0.0.0.0:* 0.0.0.0:*\n"
						  "nonsense\n", &n);

	ssh_parse_ss(b, n, &l);
	CHECK(l.n == 8, "eight listeners, got %zu", l.n);
	CHECK(l.skipped == 2, "two odd lines skipped, got %zu", l.skipped);
	if (l.n == 8)
	{
		CHECK_STR(l.items[0].proto, "tcp");
		CHECK_STR(l.items[0].address, "0.0.0.0");
		CHECK(l.items[0].port == 22, "port 22");
		CHECK_STR(l.items[0].process, "sshd");
		CHECK(l.items[0].pid == 612, "pid 612, got %ld", l.items[0].pid);
		CHECK_STR(l.items[1].address, "::");
		CHECK_STR(l.items[2].address, "::1");
		CHECK(l.items[2].port == 5432, "port 5432");
		CHECK_STR(l.items[2].process, "postgres");
		CHECK(l.items[2].pid == 901, "the first process's pid");
		CHECK_STR(l.items[3].address, "127.0.0.53");
		CHECK(l.items[3].process == NULL && l.items[3].pid == 0, "no process column: unknown");
		CHECK_STR(l.items[4].address, "*");
		CHECK_STR(l.items[5].address, "fe80::1");
		CHECK(l.items[5].port == 8080, "port 8080");
		CHECK_STR(l.items[6].proto, "udp");
		CHECK(l.items[6].port == 161, "udp 161");
		CHECK_STR(l.items[6].process, "snmpd");
		CHECK_STR(l.items[7].address, "fe80::2");
	}
	ssh_listener_list_free(&l);
	free(b);
}

static void
test_passwd(void)
{
	SshAccountList l;
	size_t		n;
	char	   *b = exact("root:x:0:0:root:/root:/bin/bash\n"
						  "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
						  "sync:x:4:65534:sync:/bin:/bin/sync\n"
						  "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
						  "alice:x:1000:1000:Alice,,,:/home/alice:/bin/zsh\n"
						  "svc:x:1001:1001::/srv/svc:/bin/false\n"
						  "noshell:x:1002:1002::/home/noshell:\n"
						  "+::::::\n"
						  "bad:x:notanumber:1::/:/bin/sh\n"
						  "short:x:1\n", &n);

	ssh_parse_passwd(b, n, &l);
	CHECK(l.n == 7, "seven accounts, got %zu", l.n);
	CHECK(l.skipped == 3, "three odd lines skipped, got %zu", l.skipped);
	if (l.n == 7)
	{
		CHECK_STR(l.items[0].name, "root");
		CHECK(l.items[0].uid == 0 && l.items[0].system && l.items[0].login, "root: uid 0, system, login");
		CHECK(l.items[1].system && !l.items[1].login, "daemon: system, no login");
		CHECK(!l.items[2].login, "sync: no login");
		CHECK(l.items[3].uid == 65534 && l.items[3].system, "nobody is a system account");
		CHECK_STR(l.items[4].shell, "/bin/zsh");
		CHECK_STR(l.items[4].home, "/home/alice");
		CHECK(l.items[4].uid == 1000 && !l.items[4].system && l.items[4].login, "alice: a login account");
		CHECK(!l.items[5].system && !l.items[5].login, "svc: /bin/false");
		CHECK(!l.items[6].login, "an empty shell field: no login here");
	}
	ssh_account_list_free(&l);
	free(b);
}

static void
test_purl(void)
{
	char	   *p = ssh_purl("deb", "debian", "libc6", "2.36-9+deb12u4", "amd64", "debian-12");

	CHECK_STR(p, "pkg:deb/debian/libc6@2.36-9+deb12u4?arch=amd64&distro=debian-12");
	free(p);
	p = ssh_purl("deb", "debian", "vim", "2:9.0.1378-2", "amd64", "debian-12");
	CHECK_STR(p, "pkg:deb/debian/vim@2:9.0.1378-2?arch=amd64&distro=debian-12");
	free(p);
	p = ssh_purl("deb", NULL, "we ird/pkg", "1.0@x", NULL, "debian-12");
	CHECK_STR(p, "pkg:deb/we%20ird%2Fpkg@1.0%40x?distro=debian-12");
	free(p);
	p = ssh_purl("rpm", "fedora", "curl", "7.50.3-1.fc25", NULL, NULL);
	CHECK_STR(p, "pkg:rpm/fedora/curl@7.50.3-1.fc25");
	free(p);
}

int
main(void)
{
	test_os_release();
	test_uname();
	test_dpkg();
	test_rpm();
	test_ss();
	test_passwd();
	test_purl();
	printf("%d checks, %d failed\n", checks, failures);
	return failures == 0 ? 0 : 1;
}
