// The tenant's users (administrators only): create, change role, reset password or MFA, delete.
import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { rpc, view } from '../api';
import { ErrorBox, Loading } from '../components';
import { dateTime, roleName } from '../lib/format';

interface UserRow {
  id: number;
  username: string;
  role: string;
  must_change_password: boolean;
  mfa_enabled: boolean;
  created_at: string;
  password_changed_at: string | null;
}

const ROLES = ['infracast_reader', 'infracast_analyst', 'infracast_admin'];

export function Users({ self }: { self: string }) {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['users'], queryFn: () => view<UserRow>('users', { order: [{ column: 'username' }] }) });
  const [form, setForm] = useState({ username: '', password: '', role: 'infracast_reader' });
  const [done, setDone] = useState<string | null>(null);
  const act = useMutation({
    mutationFn: ({ fn, args }: { fn: string; args: Record<string, unknown>; what: string }) => rpc(fn, args),
    onSuccess: (_d, v) => {
      setDone(v.what);
      qc.invalidateQueries({ queryKey: ['users'] });
    },
  });

  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">Users</h1>
      <ErrorBox error={q.error ?? act.error} />
      {done ? (
        <p role="status" className="notice">
          {done}
        </p>
      ) : null}
      {q.isPending ? <Loading what="users" /> : null}
      {q.data ? (
        <table data-testid="users">
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Role</th>
              <th scope="col">MFA</th>
              <th scope="col">Created</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {q.data.map((u) => (
              <tr key={u.id}>
                <td>
                  {u.username}
                  {u.must_change_password ? <span className="muted"> (must change password)</span> : null}
                </td>
                <td>
                  {u.username === self ? (
                    roleName(u.role)
                  ) : (
                    <select
                      aria-label={`Role of ${u.username}`}
                      value={u.role}
                      onChange={(e) => act.mutate({ fn: 'set_user_role', args: { username: u.username, role: e.target.value }, what: `${u.username} is now ${roleName(e.target.value)}.` })}
                    >
                      {ROLES.map((r) => (
                        <option key={r} value={r}>
                          {roleName(r)}
                        </option>
                      ))}
                    </select>
                  )}
                </td>
                <td>{u.mfa_enabled ? 'on' : 'off'}</td>
                <td>{dateTime(u.created_at)}</td>
                <td>
                  {u.username !== self ? (
                    <>
                      {u.mfa_enabled ? (
                        <button type="button" onClick={() => act.mutate({ fn: 'reset_mfa', args: { username: u.username }, what: `MFA of ${u.username} is off.` })}>
                          Reset MFA of {u.username}
                        </button>
                      ) : null}
                      <button
                        type="button"
                        className="danger"
                        onClick={() => {
                          if (window.confirm(`Delete the user ${u.username}?`))
                            act.mutate({ fn: 'delete_user', args: { username: u.username }, what: `${u.username} was deleted.` });
                        }}
                      >
                        Delete {u.username}
                      </button>
                    </>
                  ) : (
                    <span className="muted">you</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <h2>New user</h2>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          act.mutate({ fn: 'create_user', args: { ...form, must_change_password: true }, what: `${form.username} was created; they change the password at first login.` });
          setForm({ ...form, username: '', password: '' });
        }}
      >
        <label>
          User name
          <input required value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} autoComplete="off" />
        </label>
        <label>
          First password (12 characters or more)
          <input required type="password" minLength={12} value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} autoComplete="new-password" />
        </label>
        <label>
          Role
          <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value })}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {roleName(r)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Create user</button>
      </form>
    </section>
  );
}
