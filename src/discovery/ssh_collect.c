/*
 * ssh_collect.c: the SSH collection of one device with libssh, non-blocking (see ssh_collect.h).
 *
 * A state machine advanced by ssh_collect_step whenever the worker's wait says the socket may have
 * something, or a short timer passed: every libssh call here returns SSH_AGAIN instead of waiting,
 * so the worker's deadline, SIGTERM and shutdown are never held up by a slow or silent server.
 *
 *   CONNECT  TCP connect, banner, key exchange. Then the host key: when a pin is given and the
 *            offered key differs (type or SHA-256 fingerprint), the collection fails here, before
 *            any credential is sent.
 *   AUTH     password, or the private key (imported with its passphrase in ssh_collect_start).
 *   OPEN, EXEC, READ, CLOSE   per command: a session channel, exec of the fixed command (no PTY, no
 *            environment requests: LC_ALL=C is part of the command text, which does not depend on
 *            sshd's AcceptEnv), standard output kept up to max_output bytes and standard error up
 *            to a small prefix for the reason, until EOF and the exit status (or the channel's close).
 *
 * Nothing from the target or the job is put into a command: the commands are constants.
 */
#include "discovery/ssh_collect.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libssh/callbacks.h>
#include <libssh/libssh.h>

const SshCommand ssh_collect_commands[SSH_N_COMMANDS] = {
	[SSH_CMD_OS_RELEASE] = {"os-release", "LC_ALL=C cat /etc/os-release 2>/dev/null || LC_ALL=C cat /usr/lib/os-release"},
	[SSH_CMD_UNAME] = {"uname", "LC_ALL=C uname -snrm"},
	[SSH_CMD_DPKG] = {"dpkg-query", "LC_ALL=C dpkg-query -W -f '${Package}\\t${Version}\\t${Architecture}\\t${db:Status-Abbrev}\\n'"},
	[SSH_CMD_RPM] = {"rpm", "LC_ALL=C rpm -qa --qf '%{NAME}\\t%{EPOCH}\\t%{VERSION}-%{RELEASE}\\t%{ARCH}\\n'"},
	/* sudo -n never prompts: where the account may not run ss through sudo, ss runs as the account */
	[SSH_CMD_SS] = {"ss", "LC_ALL=C sudo -n ss -H -tulnp 2>/dev/null || LC_ALL=C ss -H -tulnp"},
	[SSH_CMD_GETENT] = {"getent passwd", "LC_ALL=C getent passwd"},
};

#define STDERR_KEEP 200

typedef enum CollectStep
{
	STEP_CONNECT,
	STEP_AUTH,
	STEP_OPEN,
	STEP_EXEC,
	STEP_READ,
	STEP_DONE,
	STEP_FAILED
} CollectStep;

/*
 * One command's output and end. The channel's callbacks point here, not at the collection: libssh
 * keeps a channel we closed early (too much output) until the server confirms, and a late
 * exit-signal for it must not land on the next command.
 */
typedef struct CommandOutput
{
	struct ssh_channel_callbacks_struct callbacks;
	int			exit_status;	/* -1 until the exit-status message came */
	bool		exit_signal;
	bool		closed;
	SshCommandResult result;
	char	   *out;
	size_t		len;
	size_t		cap;
	char		err[STDERR_KEEP + 1];
	size_t		err_len;
	char	   *error;			/* for SSH_RESULT_EXIT */
} CommandOutput;

struct SshCollect
{
	ssh_session session;
	ssh_key		key;			/* ssh_key credentials */
	char	   *password;
	char	   *user;
	char	   *pinned_type;
	char	   *pinned_fingerprint;
	size_t		max_output;
	CollectStep step;
	char	   *error;
	char	   *host_key_type;
	char	   *host_key_fingerprint;
	bool		host_key_changed;
	/* the command running */
	int			cmd;
	ssh_channel channel;
	CommandOutput outputs[SSH_N_COMMANDS];
};

static char *
dupstr(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void collect_fail(SshCollect *c, const char *fmt,...) __attribute__((format(printf, 2, 3)));

static void
collect_fail(SshCollect *c, const char *fmt,...)
{
	char		buf[512];
	va_list		ap;

	if (c->step == STEP_FAILED)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	free(c->error);
	c->error = strdup(buf);
	c->step = STEP_FAILED;
}

static void
on_exit_status(ssh_session session, ssh_channel channel, int exit_status, void *userdata)
{
	((CommandOutput *) userdata)->exit_status = exit_status;
}

static void
on_exit_signal(ssh_session session, ssh_channel channel, const char *signal, int core,
			   const char *errmsg, const char *lang, void *userdata)
{
	((CommandOutput *) userdata)->exit_signal = true;
}

static void
on_close(ssh_session session, ssh_channel channel, void *userdata)
{
	((CommandOutput *) userdata)->closed = true;
}

SshCollect *
ssh_collect_start(const SshCollectConfig *cfg, char *err, size_t errlen)
{
	SshCollect *c = calloc(1, sizeof(SshCollect));
	int			port = cfg->port;
	long		timeout = cfg->timeout_s > 0 ? cfg->timeout_s : 10;
	int			no = 0;

	if (c == NULL)
	{
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->max_output = cfg->max_output;
	c->password = dupstr(cfg->password);
	c->user = dupstr(cfg->user);
	c->pinned_type = dupstr(cfg->pinned_type);
	c->pinned_fingerprint = dupstr(cfg->pinned_fingerprint);
	c->cmd = 0;
	if (cfg->private_key)
	{
		/* a wrong passphrase fails here, before any connection */
		if (ssh_pki_import_privkey_base64(cfg->private_key, cfg->key_passphrase, NULL, NULL, &c->key) != SSH_OK)
		{
			snprintf(err, errlen, "the private key could not be read (a wrong passphrase, or a key format libssh does not read)");
			ssh_collect_free(c);
			return NULL;
		}
	}
	c->session = ssh_new();
	if (c->session == NULL)
	{
		snprintf(err, errlen, "libssh could not make a session");
		ssh_collect_free(c);
		return NULL;
	}
	/*
	 * Nothing of the server's user's own SSH set-up is read: no ~/.ssh/config, no known_hosts (the
	 * pin in infracast.ssh_host_keys is the only trust), no agent.
	 */
	if (ssh_options_set(c->session, SSH_OPTIONS_PROCESS_CONFIG, &no) != SSH_OK ||
		ssh_options_set(c->session, SSH_OPTIONS_HOST, cfg->host) != SSH_OK ||
		ssh_options_set(c->session, SSH_OPTIONS_PORT, &port) != SSH_OK ||
		ssh_options_set(c->session, SSH_OPTIONS_USER, cfg->user) != SSH_OK ||
		ssh_options_set(c->session, SSH_OPTIONS_KNOWNHOSTS, "/dev/null") != SSH_OK ||
		ssh_options_set(c->session, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null") != SSH_OK ||
		ssh_options_set(c->session, SSH_OPTIONS_TIMEOUT, &timeout) != SSH_OK)
	{
		snprintf(err, errlen, "libssh refused the session options: %s", ssh_get_error(c->session));
		ssh_collect_free(c);
		return NULL;
	}
	ssh_set_blocking(c->session, 0);
	c->step = STEP_CONNECT;
	ssh_collect_step(c);
	return c;
}

/* After the key exchange: records the offered key and compares it with the pin. */
static void
collect_check_host_key(SshCollect *c)
{
	ssh_key		key = NULL;
	unsigned char *hash = NULL;
	size_t		hlen = 0;
	char	   *fp;

	if (ssh_get_server_publickey(c->session, &key) != SSH_OK)
	{
		collect_fail(c, "the server offered no host key");
		return;
	}
	if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen) != 0)
	{
		ssh_key_free(key);
		collect_fail(c, "the server's host key could not be hashed");
		return;
	}
	fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
	ssh_clean_pubkey_hash(&hash);
	c->host_key_type = dupstr(ssh_key_type_to_char(ssh_key_type(key)));
	c->host_key_fingerprint = dupstr(fp);
	ssh_string_free_char(fp);
	ssh_key_free(key);
	if (c->host_key_type == NULL || c->host_key_fingerprint == NULL)
	{
		collect_fail(c, "the server's host key is of a type libssh does not name");
		return;
	}
	if (c->pinned_fingerprint &&
		(strcmp(c->pinned_fingerprint, c->host_key_fingerprint) != 0 ||
		 (c->pinned_type && strcmp(c->pinned_type, c->host_key_type) != 0)))
	{
		c->host_key_changed = true;
		collect_fail(c, "the host key changed: pinned %s %s, offered %s %s; refused before logging in",
					 c->pinned_type ? c->pinned_type : "?", c->pinned_fingerprint,
					 c->host_key_type, c->host_key_fingerprint);
		return;
	}
	c->step = STEP_AUTH;
}

static void
collect_auth(SshCollect *c)
{
	int			rc = c->key ? ssh_userauth_publickey(c->session, NULL, c->key)
		: ssh_userauth_password(c->session, NULL, c->password ? c->password : "");

	if (rc == SSH_AUTH_AGAIN)
		return;
	if (rc == SSH_AUTH_SUCCESS)
	{
		c->step = STEP_OPEN;
		return;
	}
	if (rc == SSH_AUTH_ERROR)
		collect_fail(c, "authentication failed: %s", ssh_get_error(c->session));
	else
		collect_fail(c, "authentication refused for user \"%s\" (%s)", c->user ? c->user : "",
					 c->key ? "the key is not accepted for this account"
					 : "a wrong password, or password authentication is not allowed");
}

/* Ends the running command with result and moves to the next one. */
static void
collect_end_command(SshCollect *c, SshCommandResult result)
{
	CommandOutput *o = &c->outputs[c->cmd];

	o->result = result;
	if (result == SSH_RESULT_TOO_LARGE)
	{
		free(o->out);
		o->out = NULL;
		o->len = o->cap = 0;
	}
	else if (result == SSH_RESULT_EXIT)
	{
		char		buf[STDERR_KEEP + 64];

		o->err[o->err_len] = '\0';
		for (size_t i = 0; i < o->err_len; i++)
			if ((unsigned char) o->err[i] < 0x20)
				o->err[i] = ' ';
		if (o->exit_signal)
			snprintf(buf, sizeof(buf), "killed by a signal%s%s", o->err_len ? ": " : "", o->err);
		else if (o->exit_status >= 0)
			snprintf(buf, sizeof(buf), "exit status %d%s%s", o->exit_status, o->err_len ? ": " : "", o->err);
		else
			snprintf(buf, sizeof(buf), "no exit status%s%s", o->err_len ? ": " : "", o->err);
		o->error = strdup(buf);
	}
	if (c->channel)
	{
		/* non-blocking: the close message is queued; the server may still be sending */
		ssh_channel_close(c->channel);
		ssh_channel_free(c->channel);
		c->channel = NULL;
	}
	c->cmd++;
	c->step = c->cmd < SSH_N_COMMANDS ? STEP_OPEN : STEP_DONE;
}

static void
collect_open(SshCollect *c)
{
	int			rc;

	if (c->channel == NULL)
	{
		CommandOutput *o = &c->outputs[c->cmd];

		c->channel = ssh_channel_new(c->session);
		if (c->channel == NULL)
		{
			collect_fail(c, "could not make a channel: %s", ssh_get_error(c->session));
			return;
		}
		o->exit_status = -1;
		memset(&o->callbacks, 0, sizeof(o->callbacks));
		o->callbacks.userdata = o;
		o->callbacks.channel_exit_status_function = on_exit_status;
		o->callbacks.channel_exit_signal_function = on_exit_signal;
		o->callbacks.channel_close_function = on_close;
		ssh_callbacks_init(&o->callbacks);
		ssh_set_channel_callbacks(c->channel, &o->callbacks);
	}
	rc = ssh_channel_open_session(c->channel);
	if (rc == SSH_AGAIN)
		return;
	if (rc != SSH_OK)
	{
		collect_fail(c, "the server refused a session channel for %s: %s",
					 ssh_collect_commands[c->cmd].name, ssh_get_error(c->session));
		return;
	}
	c->step = STEP_EXEC;
}

static void
collect_exec(SshCollect *c)
{
	int			rc = ssh_channel_request_exec(c->channel, ssh_collect_commands[c->cmd].command);

	if (rc == SSH_AGAIN)
		return;
	if (rc != SSH_OK)
	{
		collect_fail(c, "the server refused to run %s: %s", ssh_collect_commands[c->cmd].name,
					 ssh_get_error(c->session));
		return;
	}
	c->step = STEP_READ;
}

/* Appends n bytes to the command's output; false (and the output dropped) past max_output. */
static bool
collect_append(SshCollect *c, CommandOutput *o, const char *buf, size_t n)
{
	if (o->len + n > c->max_output)
		return false;
	if (o->len + n + 1 > o->cap)
	{
		size_t		cap = o->cap ? o->cap : 8192;
		char	   *p;

		while (cap < o->len + n + 1)
			cap *= 2;
		p = realloc(o->out, cap);
		if (p == NULL)
			return false;
		o->out = p;
		o->cap = cap;
	}
	memcpy(o->out + o->len, buf, n);
	o->len += n;
	o->out[o->len] = '\0';
	return true;
}

/* Reads what is there of the command's output; ends the command at EOF plus its exit status. */
static void
collect_read(SshCollect *c)
{
	CommandOutput *o = &c->outputs[c->cmd];
	char		buf[16384];
	bool		out_eof = false;
	bool		err_eof = false;

	for (int round = 0; round < 64; round++)
	{
		int			n = ssh_channel_read_nonblocking(c->channel, buf, sizeof(buf), 0);
		int			e;

		if (n == SSH_ERROR)
		{
			collect_fail(c, "reading the output of %s failed: %s", ssh_collect_commands[c->cmd].name,
						 ssh_get_error(c->session));
			return;
		}
		if (n > 0 && !collect_append(c, o, buf, (size_t) n))
		{
			collect_end_command(c, SSH_RESULT_TOO_LARGE);
			return;
		}
		e = ssh_channel_read_nonblocking(c->channel, buf, sizeof(buf), 1);
		if (e == SSH_ERROR)
		{
			collect_fail(c, "reading the errors of %s failed: %s", ssh_collect_commands[c->cmd].name,
						 ssh_get_error(c->session));
			return;
		}
		if (e > 0 && o->err_len < STDERR_KEEP)
		{
			size_t		keep = (size_t) e < STDERR_KEEP - o->err_len ? (size_t) e : STDERR_KEEP - o->err_len;

			memcpy(o->err + o->err_len, buf, keep);
			o->err_len += keep;
		}
		out_eof = n == SSH_EOF || (n == 0 && ssh_channel_is_eof(c->channel));
		err_eof = e == SSH_EOF || (e == 0 && ssh_channel_is_eof(c->channel));
		if (n <= 0 && e <= 0)
			break;
	}
	if (!(out_eof && err_eof) && !o->closed)
		return;
	/* EOF: the exit status follows (OpenSSH sends it before closing the channel) */
	if (o->exit_status < 0 && !o->exit_signal && !o->closed)
	{
		/* in non-blocking mode this only processes what has arrived */
		(void) ssh_channel_get_exit_status(c->channel);
		if (o->exit_status < 0 && !o->exit_signal && !o->closed)
			return;
	}
	if (o->exit_status == 0)
		collect_end_command(c, SSH_RESULT_OK);
	else if (o->exit_status == 127)
		collect_end_command(c, SSH_RESULT_ABSENT);
	else
		collect_end_command(c, SSH_RESULT_EXIT);
}

void
ssh_collect_step(SshCollect *c)
{
	/* each pass either advances a step or waits; bounded so one busy server cannot starve the others */
	for (int pass = 0; pass < 32; pass++)
	{
		CollectStep before = c->step;
		int			before_cmd = c->cmd;

		switch (c->step)
		{
			case STEP_CONNECT:
				{
					int			rc = ssh_connect(c->session);

					if (rc == SSH_AGAIN)
						return;
					if (rc != SSH_OK)
					{
						collect_fail(c, "could not connect: %s", ssh_get_error(c->session));
						return;
					}
					collect_check_host_key(c);
					break;
				}
			case STEP_AUTH:
				collect_auth(c);
				break;
			case STEP_OPEN:
				collect_open(c);
				break;
			case STEP_EXEC:
				collect_exec(c);
				break;
			case STEP_READ:
				collect_read(c);
				break;
			case STEP_DONE:
			case STEP_FAILED:
				return;
		}
		if (c->step == before && c->cmd == before_cmd)
			return;				/* waiting for the server */
	}
}

SshCollectState
ssh_collect_state(const SshCollect *c)
{
	return c->step == STEP_DONE ? SSH_COLLECT_DONE : c->step == STEP_FAILED ? SSH_COLLECT_FAILED : SSH_COLLECT_RUNNING;
}

int
ssh_collect_socket(const SshCollect *c)
{
	if (c->session == NULL || c->step == STEP_DONE || c->step == STEP_FAILED)
		return -1;
	return (int) ssh_get_fd(c->session);
}

bool
ssh_collect_wants_write(const SshCollect *c)
{
	return c->session != NULL && c->step != STEP_DONE && c->step != STEP_FAILED &&
		(ssh_get_poll_flags(c->session) & SSH_WRITE_PENDING) != 0;
}

const char *
ssh_collect_error(const SshCollect *c)
{
	return c->error ? c->error : "";
}

void
ssh_collect_abort(SshCollect *c, const char *reason)
{
	collect_fail(c, "%s", reason);
}

bool
ssh_collect_host_key(const SshCollect *c, const char **type, const char **fingerprint)
{
	if (c->host_key_fingerprint == NULL)
		return false;
	*type = c->host_key_type;
	*fingerprint = c->host_key_fingerprint;
	return true;
}

bool
ssh_collect_host_key_changed(const SshCollect *c)
{
	return c->host_key_changed;
}

SshCommandResult
ssh_collect_result(const SshCollect *c, SshCommandId id)
{
	return c->outputs[id].result;
}

const char *
ssh_collect_output(const SshCollect *c, SshCommandId id, size_t *len)
{
	*len = c->outputs[id].len;
	return c->outputs[id].out ? c->outputs[id].out : "";
}

const char *
ssh_collect_command_error(const SshCollect *c, SshCommandId id)
{
	return c->outputs[id].error ? c->outputs[id].error : "";
}

static void
wipe_free(char *s)
{
	if (s)
	{
		memset(s, 0, strlen(s));
		free(s);
	}
}

void
ssh_collect_free(SshCollect *c)
{
	if (c == NULL)
		return;
	if (c->channel)
		ssh_channel_free(c->channel);
	if (c->session)
	{
		ssh_disconnect(c->session);
		ssh_free(c->session);
	}
	if (c->key)
		ssh_key_free(c->key);
	wipe_free(c->password);
	free(c->user);
	free(c->pinned_type);
	free(c->pinned_fingerprint);
	free(c->error);
	free(c->host_key_type);
	free(c->host_key_fingerprint);
	for (int i = 0; i < SSH_N_COMMANDS; i++)
	{
		free(c->outputs[i].out);
		free(c->outputs[i].error);
	}
	free(c);
}
