// The REST client. The token lives in this module's memory only: never in localStorage,
// sessionStorage or a cookie, so a script injected into another tab or left on disk cannot read it,
// and a reload means logging in again. Every 401 (expired, revoked, logged out elsewhere) drops the
// token and tells the app, which returns to the login screen.

export interface ApiErrorBody {
  code: string;
  message: string;
  details: string | null;
  hint: string | null;
}

export class ApiError extends Error {
  status: number;
  code: string;
  details: string | null;
  hint: string | null;
  retryAfter: string | null;

  constructor(status: number, body: Partial<ApiErrorBody>, retryAfter: string | null = null) {
    super(body.message ?? `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.code ?? String(status);
    this.details = body.details ?? null;
    this.hint = body.hint ?? null;
    this.retryAfter = retryAfter;
  }
}

let token: string | null = null;
const unauthorizedListeners = new Set<() => void>();

export function setToken(t: string | null): void {
  token = t;
}

export function hasToken(): boolean {
  return token !== null;
}

/** Called whenever the server refuses the token (401): the app goes back to login. */
export function onUnauthorized(fn: () => void): () => void {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

type Fetch = typeof fetch;
let fetchImpl: Fetch = (...args) => fetch(...args);

/** For the unit tests. */
export function setFetch(f: Fetch): void {
  fetchImpl = f;
}

async function request<T>(method: string, path: string, body?: unknown, auth = true): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (auth && token) headers.Authorization = `Bearer ${token}`;
  const resp = await fetchImpl(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'omit',
    cache: 'no-store',
  });
  const text = await resp.text();
  let parsed: unknown = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = { message: text.slice(0, 200) };
    }
  }
  if (!resp.ok) {
    const err = new ApiError(resp.status, (parsed ?? {}) as Partial<ApiErrorBody>, resp.headers.get('Retry-After'));
    if (resp.status === 401 && auth) {
      token = null;
      unauthorizedListeners.forEach((fn) => fn());
    }
    throw err;
  }
  return parsed as T;
}

export interface LoginRequest {
  tenant: string;
  username: string;
  password: string;
  totp?: string;
}

export interface LoginResponse {
  token: string;
  token_type: string;
  expires_at: string;
  expires_in: number;
  restricted?: string;
}

export async function login(req: LoginRequest): Promise<LoginResponse> {
  const body: LoginRequest = { tenant: req.tenant, username: req.username, password: req.password };
  if (req.totp) body.totp = req.totp;
  const r = await request<LoginResponse>('POST', '/api/auth/login', body, false);
  token = r.token;
  return r;
}

/** POST /api/rpc/<fn>: infracast_api.<fn>(body::jsonb). */
export function rpc<T>(fn: string, args: Record<string, unknown> = {}): Promise<T> {
  if (!/^[a-z_][a-z0-9_]*$/.test(fn)) throw new Error(`bad function name ${fn}`);
  return request<T>('POST', `/api/rpc/${fn}`, args);
}

export type FilterOp = 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte' | 'like' | 'ilike' | 'is' | 'in';

export interface ViewFilter {
  column: string;
  op: FilterOp;
  value: string | number | boolean | (string | number)[];
  not?: boolean;
}

export interface ViewQuery {
  filters?: ViewFilter[];
  order?: { column: string; desc?: boolean; nulls?: 'first' | 'last' }[];
  limit?: number;
  offset?: number;
  select?: string[];
}

const IDENT = /^[a-z_][a-z0-9_]*$/;

/** In-list value: quoted when it holds a comma, parenthesis, quote or space (docs/api.md). */
function inItem(v: string | number): string {
  const s = String(v);
  return /[,()"\s\\]/.test(s) ? `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : s;
}

/** The query string of GET /api/<view> (PostgREST conventions, as the proxy reads them). */
export function viewQueryString(q: ViewQuery): string {
  const p = new URLSearchParams();
  for (const f of q.filters ?? []) {
    if (!IDENT.test(f.column)) throw new Error(`bad column ${f.column}`);
    let v: string;
    if (f.op === 'in') {
      const items = Array.isArray(f.value) ? f.value : [f.value as string];
      v = `(${items.map(inItem).join(',')})`;
    } else {
      v = String(f.value);
    }
    p.append(f.column, `${f.not ? 'not.' : ''}${f.op}.${v}`);
  }
  if (q.order?.length) {
    p.set(
      'order',
      q.order
        .map((o) => {
          if (!IDENT.test(o.column)) throw new Error(`bad column ${o.column}`);
          return `${o.column}${o.desc ? '.desc' : '.asc'}${o.nulls ? `.nulls${o.nulls}` : ''}`;
        })
        .join(','),
    );
  }
  if (q.select?.length) p.set('select', q.select.join(','));
  if (q.limit !== undefined) p.set('limit', String(q.limit));
  if (q.offset) p.set('offset', String(q.offset));
  return p.toString();
}

/** GET /api/<view>?... : rows as an array. */
export function view<T>(name: string, q: ViewQuery = {}): Promise<T[]> {
  if (!IDENT.test(name)) throw new Error(`bad view name ${name}`);
  const qs = viewQueryString(q);
  return request<T[]>('GET', `/api/${name}${qs ? `?${qs}` : ''}`);
}

export interface Me {
  username: string;
  role: string;
  tenant: string;
  must_change_password: boolean;
  mfa_enabled: boolean;
  mfa_required: boolean;
}

export function me(): Promise<Me> {
  return request<Me>('GET', '/api/auth/me');
}

/** Ends every session of the user on the server, then forgets the token here. */
export async function logout(): Promise<void> {
  try {
    await rpc('logout');
  } finally {
    token = null;
  }
}
