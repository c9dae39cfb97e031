// Small shared pieces: error and loading states, a stat card, a labelled field.
import type { ReactNode } from 'react';
import { ApiError } from './api';

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const e = error instanceof ApiError ? error : null;
  return (
    <div className="error" role="alert">
      <strong>{e ? `${e.message}` : String((error as Error).message ?? error)}</strong>
      {e?.details ? <div>{e.details}</div> : null}
      {e?.hint ? <div className="hint">{e.hint}</div> : null}
      {e ? <div className="code">code {e.code}</div> : null}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function Stat({ label, value, testid, children }: { label: string; value: ReactNode; testid?: string; children?: ReactNode }) {
  return (
    <div className="stat">
      <div className="stat-label">{label}</div>
      <div className="stat-value" data-testid={testid}>
        {value}
      </div>
      {children ? <div className="stat-more">{children}</div> : null}
    </div>
  );
}

export function Badge({ kind, children }: { kind: string; children: ReactNode }) {
  return <span className={`badge badge-${kind.replace(/[^a-z_-]/gi, '')}`}>{children}</span>;
}
