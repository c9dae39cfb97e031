/*
 * ssh_parse.h: plain C (no PostgreSQL, no libssh), the parsers of what the SSH discovery commands
 * print, and the package URLs built from it. Kept apart from the worker so test/unit/test_ssh_parse.c
 * can run them under valgrind on crafted output.
 *
 * Every parser reads a buffer that need not end in NUL (the command's output, capped), allocates
 * with malloc, and skips lines it cannot read, counting them in `skipped` (a line we do not
 * understand is never a reason to drop the others). Every *_free accepts a zeroed struct.
 */
#ifndef INFRACAST_SSH_PARSE_H
#define INFRACAST_SSH_PARSE_H

#include <stdbool.h>
#include <stddef.h>

/* /etc/os-release (os-release(5)): the keys we keep; NULL when absent. */
typedef struct SshOsRelease
{
	char	   *id;				/* ID, e.g. "debian" */
	char	   *id_like;
	char	   *name;			/* NAME, e.g. "Debian GNU/Linux" */
	char	   *version;		/* VERSION, e.g. "12 (bookworm)" */
	char	   *version_id;		/* VERSION_ID, e.g. "12" */
	char	   *version_codename;
	char	   *pretty_name;
} SshOsRelease;

/* uname -snrm: kernel name, host name, kernel release, machine. */
typedef struct SshUname
{
	char	   *sysname;
	char	   *nodename;
	char	   *release;
	char	   *machine;
} SshUname;

typedef struct SshPackage
{
	char	   *name;
	char	   *version;		/* dpkg: as dpkg prints it (with its epoch); rpm: [EPOCH:]VERSION-RELEASE */
	char	   *arch;
} SshPackage;

typedef struct SshPackageList
{
	SshPackage *items;
	size_t		n;
	size_t		cap;
	size_t		skipped;		/* lines not understood */
	size_t		not_installed;	/* dpkg: packages removed with their configuration kept, and the like */
} SshPackageList;

/* One listening socket from ss -H -tulnp. */
typedef struct SshListener
{
	char	   *proto;			/* "tcp" or "udp" */
	char	   *address;		/* without brackets and %interface; "*" for any */
	int			port;
	char	   *process;		/* NULL when ss could not see it (another user's process, no sudo) */
	long		pid;			/* 0 when unknown */
} SshListener;

typedef struct SshListenerList
{
	SshListener *items;
	size_t		n;
	size_t		cap;
	size_t		skipped;
} SshListenerList;

/* One getent passwd entry. */
typedef struct SshAccount
{
	char	   *name;
	long		uid;
	long		gid;
	char	   *home;
	char	   *shell;
	bool		system;			/* uid below 1000 (Debian's and RHEL's UID_MIN) or above 60000 (nobody) */
	bool		login;			/* the shell lets someone log in: not nologin, false, sync, halt, shutdown, empty */
} SshAccount;

typedef struct SshAccountList
{
	SshAccount *items;
	size_t		n;
	size_t		cap;
	size_t		skipped;
} SshAccountList;

/* Each returns 0, or -1 when nothing usable was found (os-release without ID, uname not 4 words). */
extern int	ssh_parse_os_release(const char *text, size_t len, SshOsRelease *out);
extern int	ssh_parse_uname(const char *text, size_t len, SshUname *out);
/* lines "NAME\tVERSION\tARCH\tSTATUS-ABBREV" (dpkg-query -W -f, the format in ssh_collect.c) */
extern void ssh_parse_dpkg(const char *text, size_t len, SshPackageList *out);
/* lines "NAME\tEPOCH\tVERSION-RELEASE\tARCH" (rpm -qa --qf); EPOCH "(none)" when the package has none */
extern void ssh_parse_rpm(const char *text, size_t len, SshPackageList *out);
extern void ssh_parse_ss(const char *text, size_t len, SshListenerList *out);
extern void ssh_parse_passwd(const char *text, size_t len, SshAccountList *out);

extern void ssh_os_release_free(SshOsRelease *o);
extern void ssh_uname_free(SshUname *u);
extern void ssh_package_list_free(SshPackageList *l);
extern void ssh_listener_list_free(SshListenerList *l);
extern void ssh_account_list_free(SshAccountList *l);

/*
 * A package URL (purl-spec): pkg:TYPE/NAMESPACE/NAME@VERSION?arch=ARCH&distro=DISTRO, with each part
 * percent-encoded where purl asks for it (":" and "+" are kept: they are how Debian and RPM write
 * epochs and revisions). namespace, arch and distro may be NULL. Returns malloc'd text.
 */
extern char *ssh_purl(const char *type, const char *namespace_, const char *name, const char *version,
					  const char *arch, const char *distro);

/* "debian-12" from ID and VERSION_ID (lower case); NULL when either is missing. malloc'd. */
extern char *ssh_distro_qualifier(const SshOsRelease *o);

#endif							/* INFRACAST_SSH_PARSE_H */
