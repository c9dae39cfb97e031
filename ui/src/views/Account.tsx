// The caller's own account: change the password, enrol an authenticator app. A restricted token
// (first login, admin reset, MFA required) may only do these.
import { useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import { rpc } from '../api';
import { ErrorBox } from '../components';
import type { Session } from '../App';

export function Account({ session }: { session: Session }) {
  const [pw, setPw] = useState({ current: '', next: '' });
  const [enrolPw, setEnrolPw] = useState('');
  const [code, setCode] = useState('');
  const change = useMutation({ mutationFn: () => rpc('change_password', { current_password: pw.current, new_password: pw.next }) });
  const enrol = useMutation({ mutationFn: () => rpc<{ secret: string; otpauth_uri: string }>('mfa_enroll', { password: enrolPw }) });
  const confirm = useMutation({ mutationFn: () => rpc('mfa_confirm', { code }) });

  return (
    <section aria-labelledby="acct-title">
      <h1 id="acct-title">Account</h1>
      <p>
        {session.me.username}, tenant {session.me.tenant}; two-factor authentication {session.me.mfa_enabled ? 'on' : 'off'}
        {session.me.mfa_required ? ' (required by the tenant)' : ''}.
      </p>
      <h2>Change password</h2>
      {change.isSuccess ? (
        <p role="status" className="notice">
          Password changed. Every session of yours has ended: log out and log in with the new password.
        </p>
      ) : (
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            change.mutate();
          }}
        >
          <label htmlFor="pw-current">Current password</label>
          <input id="pw-current" type="password" autoComplete="current-password" required value={pw.current} onChange={(e) => setPw({ ...pw, current: e.target.value })} />
          <label htmlFor="pw-new">New password (12 characters or more)</label>
          <input id="pw-new" type="password" autoComplete="new-password" minLength={12} required value={pw.next} onChange={(e) => setPw({ ...pw, next: e.target.value })} />
          <ErrorBox error={change.error} />
          <button type="submit">Change password</button>
        </form>
      )}
      {!session.me.mfa_enabled ? (
        <>
          <h2>Two-factor authentication</h2>
          {!enrol.data ? (
            <form
              className="stack"
              onSubmit={(e) => {
                e.preventDefault();
                enrol.mutate();
              }}
            >
              <label htmlFor="mfa-pw">Your password (asked again)</label>
              <input id="mfa-pw" type="password" autoComplete="current-password" required value={enrolPw} onChange={(e) => setEnrolPw(e.target.value)} />
              <ErrorBox error={enrol.error} />
              <button type="submit">Start enrolment</button>
            </form>
          ) : confirm.isSuccess ? (
            <p role="status" className="notice">
              Two-factor authentication is on. Log in again with a code.
            </p>
          ) : (
            <form
              className="stack"
              onSubmit={(e) => {
                e.preventDefault();
                confirm.mutate();
              }}
            >
              <p>Add this secret to your authenticator app (or open the otpauth link on the phone):</p>
              <code data-testid="mfa-secret">{enrol.data.secret}</code>
              <code className="wrap">{enrol.data.otpauth_uri}</code>
              <label htmlFor="mfa-code">Code shown by the app</label>
              <input id="mfa-code" inputMode="numeric" pattern="[0-9]{6}" maxLength={6} required value={code} onChange={(e) => setCode(e.target.value.trim())} />
              <ErrorBox error={confirm.error} />
              <button type="submit">Turn on</button>
            </form>
          )}
        </>
      ) : null}
    </section>
  );
}
