/*
 * ssh_collect.h: plain C (no PostgreSQL headers), one SSH collection per device with libssh in
 * non-blocking mode, so the discovery worker can drive many at once from its own wait loop (the
 * sockets, its latch, postmaster death) and never sits inside libssh for long.
 *
 * A collection connects, checks the server's host key against the pinned one (before anything is
 * sent: a changed key never sees a password), logs in with a password or a private key, then runs
 * the fixed commands of ssh_collect_commands one after the other, each on its own exec channel
 * (no PTY), keeping at most max_output bytes of each command's standard output.
 */
#ifndef INFRACAST_SSH_COLLECT_H
#define INFRACAST_SSH_COLLECT_H

#include <stdbool.h>
#include <stddef.h>

typedef enum SshCommandId
{
	SSH_CMD_OS_RELEASE,
	SSH_CMD_UNAME,
	SSH_CMD_DPKG,
	SSH_CMD_RPM,
	SSH_CMD_SS,
	SSH_CMD_GETENT,
	SSH_N_COMMANDS
} SshCommandId;

/* The allowlist: fixed text, nothing from the target or the job is ever spliced into it. */
typedef struct SshCommand
{
	const char *name;			/* "os-release", "uname", ... as in discovery_runs reasons */
	const char *command;
} SshCommand;

extern const SshCommand ssh_collect_commands[SSH_N_COMMANDS];

typedef enum SshCommandResult
{
	SSH_RESULT_NOT_RUN,			/* the session ended before it */
	SSH_RESULT_OK,				/* exit status 0: output is complete */
	SSH_RESULT_ABSENT,			/* exit status 127: the command does not exist there */
	SSH_RESULT_EXIT,			/* another exit status (or a signal): see ssh_collect_command_error */
	SSH_RESULT_TOO_LARGE		/* more than max_output bytes: the output is dropped */
} SshCommandResult;

typedef enum SshCollectState
{
	SSH_COLLECT_RUNNING,
	SSH_COLLECT_DONE,			/* every command ran (each with its own result) */
	SSH_COLLECT_FAILED			/* see ssh_collect_error; commands run before stay readable */
} SshCollectState;

typedef struct SshCollectConfig
{
	const char *host;
	int			port;
	const char *user;
	const char *password;		/* ssh_password credentials */
	const char *private_key;	/* ssh_key credentials: the key's text */
	const char *key_passphrase; /* NULL when the key has none */
	const char *pinned_type;	/* NULL on first use */
	const char *pinned_fingerprint;
	size_t		max_output;
	long		timeout_s;		/* libssh's own timeout for anything it does blocking */
} SshCollectConfig;

typedef struct SshCollect SshCollect;

/* NULL with err filled when the session cannot even be set up (bad key, out of memory). */
extern SshCollect *ssh_collect_start(const SshCollectConfig *cfg, char *err, size_t errlen);
/* Does whatever can be done without blocking. */
extern void ssh_collect_step(SshCollect *c);
extern SshCollectState ssh_collect_state(const SshCollect *c);
/* The session's socket (-1 before it exists) and whether libssh has output waiting to be sent. */
extern int	ssh_collect_socket(const SshCollect *c);
extern bool ssh_collect_wants_write(const SshCollect *c);
extern const char *ssh_collect_error(const SshCollect *c);
extern void ssh_collect_abort(SshCollect *c, const char *reason);
/* The host key the server offered ("ssh-ed25519", "SHA256:..."), once known; false before. */
extern bool ssh_collect_host_key(const SshCollect *c, const char **type, const char **fingerprint);
/* True when the offered key differs from the pinned one (the collection then FAILED). */
extern bool ssh_collect_host_key_changed(const SshCollect *c);
extern SshCommandResult ssh_collect_result(const SshCollect *c, SshCommandId id);
extern const char *ssh_collect_output(const SshCollect *c, SshCommandId id, size_t *len);
/* For SSH_RESULT_EXIT: "exit status N: <start of standard error>". */
extern const char *ssh_collect_command_error(const SshCollect *c, SshCommandId id);
extern void ssh_collect_free(SshCollect *c);

#endif							/* INFRACAST_SSH_COLLECT_H */
