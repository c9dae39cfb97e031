import { afterEach, describe, expect, it, vi } from 'vitest';
import * as api from './api';

function respond(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

afterEach(() => {
  api.setToken(null);
  localStorage.clear();
});

describe('viewQueryString', () => {
  it('writes filters, order, select, limit and offset as the proxy reads them', () => {
    const qs = api.viewQueryString({
      filters: [
        { column: 'name', op: 'ilike', value: '*web*' },
        { column: 'crown_jewel', op: 'is', value: true },
        { column: 'kind', op: 'in', value: ['host', 'a,b', 'say "hi"'] },
        { column: 'criticality', op: 'eq', value: 'low', not: true },
      ],
      order: [{ column: 'name', desc: true, nulls: 'last' }, { column: 'id' }],
      select: ['id', 'name'],
      limit: 101,
      offset: 200,
    });
    const p = new URLSearchParams(qs);
    expect(p.get('name')).toBe('ilike.*web*');
    expect(p.get('crown_jewel')).toBe('is.true');
    expect(p.get('kind')).toBe('in.(host,"a,b","say \\"hi\\"")');
    expect(p.get('criticality')).toBe('not.eq.low');
    expect(p.get('order')).toBe('name.desc.nullslast,id.asc');
    expect(p.get('select')).toBe('id,name');
    expect(p.get('limit')).toBe('101');
    expect(p.get('offset')).toBe('200');
  });
  it('encodes values so that they cannot add parameters', () => {
    const qs = api.viewQueryString({ filters: [{ column: 'name', op: 'eq', value: 'a&limit=1' }] });
    expect(new URLSearchParams(qs).get('name')).toBe('eq.a&limit=1');
    expect(new URLSearchParams(qs).get('limit')).toBeNull();
  });
  it('refuses column and view names that are not identifiers', () => {
    expect(() => api.viewQueryString({ filters: [{ column: 'name;drop', op: 'eq', value: 1 }] })).toThrow();
    expect(() => api.viewQueryString({ order: [{ column: 'a b' }] })).toThrow();
    expect(() => api.view('../auth/login')).toThrow();
    expect(() => api.rpc('x/y')).toThrow();
  });
});

describe('the client', () => {
  it('logs in without sending an empty TOTP, keeps the token in memory only, and sends it', async () => {
    const f = vi.fn().mockResolvedValueOnce(respond(200, { token: 'tok.en.x', token_type: 'Bearer', expires_at: '', expires_in: 3600 })).mockResolvedValueOnce(respond(200, []));
    api.setFetch(f);
    await api.login({ tenant: 'acme', username: 'ana', password: 'pw', totp: '' });
    expect(JSON.parse(f.mock.calls[0][1].body)).toEqual({ tenant: 'acme', username: 'ana', password: 'pw' });
    expect(f.mock.calls[0][1].headers.Authorization).toBeUndefined();
    expect(localStorage.length).toBe(0);
    expect(sessionStorage.length).toBe(0);
    await api.view('nodes', { limit: 1 });
    expect(f.mock.calls[1][0]).toBe('/api/nodes?limit=1');
    expect(f.mock.calls[1][1].headers.Authorization).toBe('Bearer tok.en.x');
    expect(f.mock.calls[1][1].credentials).toBe('omit');
  });
  it('turns error bodies into ApiError with code, hint and Retry-After', async () => {
    api.setFetch(vi.fn().mockResolvedValue(respond(429, { code: 'IC503', message: 'too many failed logins', details: null, hint: 'wait' }, { 'Retry-After': '900' })));
    const err = await api.login({ tenant: 't', username: 'u', password: 'p' }).catch((e) => e);
    expect(err).toBeInstanceOf(api.ApiError);
    expect(err.code).toBe('IC503');
    expect(err.status).toBe(429);
    expect(err.hint).toBe('wait');
    expect(err.retryAfter).toBe('900');
    expect(api.hasToken()).toBe(false);
  });
  it('drops the token and tells the app on a 401', async () => {
    api.setToken('old');
    const seen = vi.fn();
    const off = api.onUnauthorized(seen);
    api.setFetch(vi.fn().mockResolvedValue(respond(401, { code: '28000', message: 'this token is no longer valid', details: null, hint: null })));
    await expect(api.rpc('whoami')).rejects.toMatchObject({ status: 401, code: '28000' });
    expect(seen).toHaveBeenCalledTimes(1);
    expect(api.hasToken()).toBe(false);
    off();
  });
  it('does not treat a failed login (401) as the end of a session', async () => {
    const seen = vi.fn();
    const off = api.onUnauthorized(seen);
    api.setFetch(vi.fn().mockResolvedValue(respond(401, { code: 'IC501', message: 'wrong', details: null, hint: null })));
    await expect(api.login({ tenant: 't', username: 'u', password: 'p' })).rejects.toMatchObject({ code: 'IC501' });
    expect(seen).not.toHaveBeenCalled();
    off();
  });
  it('forgets the token on logout even when the server fails', async () => {
    api.setToken('t');
    api.setFetch(vi.fn().mockResolvedValue(respond(503, { code: 'IC516', message: 'down', details: null, hint: null })));
    await expect(api.logout()).rejects.toBeInstanceOf(api.ApiError);
    expect(api.hasToken()).toBe(false);
  });
});
