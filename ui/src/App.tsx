import { useCallback, useEffect, useState, lazy, Suspense } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import * as api from './api';
import type { Me } from './api';
import { navigate, usePath } from './router';
import { Login } from './views/Login';
import { Dashboard } from './views/Dashboard';
import { Inventory } from './views/Inventory';
import { Findings } from './views/Findings';
import { Feeds } from './views/Feeds';
import { Licence } from './views/Licence';
import { Users } from './views/Users';
import { Account } from './views/Account';
import { Loading } from './components';
import { roleName } from './lib/format';

// The graph views pull in cytoscape: loaded on first use, so the login and dashboard stay small.
const AttackPaths = lazy(() => import('./views/AttackPaths'));
const BlastRadius = lazy(() => import('./views/BlastRadius'));
const Remediation = lazy(() => import('./views/Remediation'));

interface Route {
  path: string;
  label: string;
  admin?: boolean;
}

export const ROUTES: Route[] = [
  { path: '/', label: 'Dashboard' },
  { path: '/inventory', label: 'Inventory' },
  { path: '/paths', label: 'Attack paths' },
  { path: '/blast-radius', label: 'Blast radius' },
  { path: '/remediation', label: 'Remediation' },
  { path: '/findings', label: 'Findings' },
  { path: '/feeds', label: 'Feeds' },
  { path: '/licence', label: 'Licence' },
  { path: '/users', label: 'Users', admin: true },
  { path: '/account', label: 'Account' },
];

export interface Session {
  me: Me;
  restricted?: string;
}

function View({ path, session }: { path: string; session: Session }) {
  const canWrite = session.me.role !== 'infracast_reader';
  switch (path) {
    case '/':
      return <Dashboard />;
    case '/inventory':
      return <Inventory />;
    case '/paths':
      return <AttackPaths />;
    case '/blast-radius':
      return <BlastRadius />;
    case '/remediation':
      return <Remediation />;
    case '/findings':
      return <Findings canWrite={canWrite} />;
    case '/feeds':
      return <Feeds />;
    case '/licence':
      return <Licence />;
    case '/users':
      return session.me.role === 'infracast_admin' ? <Users self={session.me.username} /> : <p>Only administrators see the users.</p>;
    case '/account':
      return <Account session={session} />;
    default:
      return (
        <p>
          No page here. <a href="/" onClick={(e) => { e.preventDefault(); navigate('/'); }}>Go to the dashboard</a>.
        </p>
      );
  }
}

export function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const path = usePath();
  const qc = useQueryClient();

  const endSession = useCallback(
    (why: string | null) => {
      api.setToken(null);
      qc.clear();
      setSession(null);
      setNotice(why);
    },
    [qc],
  );

  useEffect(() => api.onUnauthorized(() => endSession('Your session has ended (expired, revoked or logged out elsewhere). Log in again.')), [endSession]);

  useEffect(() => {
    const title = ROUTES.find((r) => r.path === path)?.label ?? 'Not found';
    document.title = session ? `${title} · Infracast` : 'Log in · Infracast';
  }, [path, session]);

  if (!session) {
    return (
      <Login
        notice={notice}
        onLoggedIn={(s) => {
          setNotice(null);
          setSession(s);
          if (s.restricted) navigate('/account');
        }}
      />
    );
  }

  const doLogout = async () => {
    try {
      await api.logout();
    } catch {
      // The token is forgotten here whatever the server said.
    }
    endSession('You are logged out.');
  };

  const routes = ROUTES.filter((r) => !r.admin || session.me.role === 'infracast_admin');
  return (
    <div className="layout">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Infracast</span>
        <span className="who" data-testid="who">
          {session.me.username} · {roleName(session.me.role)} · tenant {session.me.tenant}
        </span>
        <button type="button" onClick={doLogout}>
          Log out
        </button>
      </header>
      <nav aria-label="Main">
        <ul>
          {routes.map((r) => (
            <li key={r.path}>
              <a
                href={r.path}
                aria-current={r.path === path ? 'page' : undefined}
                onClick={(e) => {
                  if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
                  e.preventDefault();
                  navigate(r.path);
                  document.getElementById('main')?.focus();
                }}
              >
                {r.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {session.restricted ? (
          <p className="error" role="alert">
            This session is restricted ({session.restricted === 'password_change' ? 'change your password' : 'enrol an authenticator app'}) until
            you do so on the Account page; then log in again.
          </p>
        ) : null}
        <Suspense fallback={<Loading what="the view" />}>
          <View path={path} session={session} />
        </Suspense>
      </main>
    </div>
  );
}
