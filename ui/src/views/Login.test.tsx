import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import * as api from '../api';
import { Login } from './Login';

function respond(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

afterEach(() => {
  cleanup();
  api.setToken(null);
});

describe('Login', () => {
  it('labels every field', () => {
    render(<Login onLoggedIn={() => {}} notice={null} />);
    for (const l of ['Tenant', 'User name', 'Password', /Authenticator code/]) expect(screen.getByLabelText(l)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Log in' })).toBeTruthy();
  });

  it('asks for the TOTP code when the server says one is needed, then logs in with it', async () => {
    const f = vi
      .fn()
      .mockResolvedValueOnce(respond(401, { code: 'IC505', message: 'a TOTP code is required', details: null, hint: 'Send the code' }))
      .mockResolvedValueOnce(respond(200, { token: 'a.b.c', token_type: 'Bearer', expires_at: '', expires_in: 3600 }))
      .mockResolvedValueOnce(respond(200, { username: 'ana', role: 'infracast_analyst', tenant: 'acme', must_change_password: false, mfa_enabled: true, mfa_required: true }));
    api.setFetch(f);
    const done = vi.fn();
    render(<Login onLoggedIn={done} notice={null} />);
    fireEvent.change(screen.getByLabelText('Tenant'), { target: { value: 'acme' } });
    fireEvent.change(screen.getByLabelText('User name'), { target: { value: 'ana' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'secret pass' } });
    fireEvent.click(screen.getByRole('button', { name: 'Log in' }));
    await screen.findByText(/enter the 6-digit code/);
    const code = screen.getByLabelText(/Authenticator code \(required\)/) as HTMLInputElement;
    expect(code.required).toBe(true);
    fireEvent.change(code, { target: { value: '123456' } });
    fireEvent.click(screen.getByRole('button', { name: 'Log in' }));
    await waitFor(() => expect(done).toHaveBeenCalled());
    expect(JSON.parse(f.mock.calls[1][1].body).totp).toBe('123456');
    expect(done.mock.calls[0][0].me.username).toBe('ana');
  });

  it('shows the server message of a refused login as text', async () => {
    api.setFetch(vi.fn().mockResolvedValue(respond(401, { code: 'IC501', message: '<b>wrong</b> tenant, user name or password', details: null, hint: null })));
    const { container } = render(<Login onLoggedIn={() => {}} notice={null} />);
    fireEvent.change(screen.getByLabelText('Tenant'), { target: { value: 'x' } });
    fireEvent.change(screen.getByLabelText('User name'), { target: { value: 'x' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'x' } });
    fireEvent.click(screen.getByRole('button', { name: 'Log in' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('<b>wrong</b> tenant');
    expect(container.querySelector('b')).toBeNull();
  });
});
