import { useRef, useState, type FormEvent } from 'react';
import * as api from '../api';
import { ApiError } from '../api';
import { ErrorBox } from '../components';
import type { Session } from '../App';

export function Login({ onLoggedIn, notice }: { onLoggedIn: (s: Session) => void; notice: string | null }) {
  const [tenant, setTenant] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [needTotp, setNeedTotp] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const totpRef = useRef<HTMLInputElement>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api.login({ tenant, username, password, totp: totp || undefined });
      const me = await api.me();
      setPassword('');
      onLoggedIn({ me, restricted: r.restricted });
    } catch (err) {
      api.setToken(null);
      if (err instanceof ApiError && err.code === 'IC505') {
        setNeedTotp(true);
        setError(null);
        setTimeout(() => totpRef.current?.focus(), 0);
      } else {
        setError(err);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login" id="main">
      <h1>Infracast</h1>
      <form onSubmit={submit} aria-labelledby="login-title">
        <h2 id="login-title">Log in</h2>
        {notice ? (
          <p className="notice" role="status">
            {notice}
          </p>
        ) : null}
        <label htmlFor="login-tenant">Tenant</label>
        <input id="login-tenant" name="tenant" autoComplete="organization" required value={tenant} onChange={(e) => setTenant(e.target.value)} autoFocus />
        <label htmlFor="login-user">User name</label>
        <input id="login-user" name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} />
        <label htmlFor="login-password">Password</label>
        <input
          id="login-password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <label htmlFor="login-totp">Authenticator code {needTotp ? '(required)' : '(if two-factor authentication is on)'}</label>
        <input
          id="login-totp"
          name="totp"
          ref={totpRef}
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]{6}"
          maxLength={6}
          required={needTotp}
          aria-describedby={needTotp ? 'totp-needed' : undefined}
          value={totp}
          onChange={(e) => setTotp(e.target.value.trim())}
        />
        {needTotp ? (
          <p id="totp-needed" className="notice" role="alert">
            This account uses two-factor authentication: enter the 6-digit code of your authenticator app.
          </p>
        ) : null}
        <ErrorBox error={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </main>
  );
}
