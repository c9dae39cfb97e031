// Sources and targets as the analysis functions take them: node external ids (or ids), empty for
// the defaults (entry points and crown jewels).
import { useState, type FormEvent } from 'react';

export interface PathArgs {
  sources: string;
  targets: string;
  k: number;
  maxHops: string;
}

export function PathForm({ initial, onRun, withK = true, submit }: { initial: PathArgs; onRun: (a: PathArgs) => void; withK?: boolean; submit: string }) {
  const [a, setA] = useState(initial);
  const run = (e: FormEvent) => {
    e.preventDefault();
    onRun(a);
  };
  return (
    <form className="filters" onSubmit={run} aria-label="Sources and targets">
      <label>
        From (external ids; empty: entry points)
        <input value={a.sources} onChange={(e) => setA({ ...a, sources: e.target.value })} placeholder="internet" name="sources" />
      </label>
      <label>
        To (external ids; empty: crown jewels)
        <input value={a.targets} onChange={(e) => setA({ ...a, targets: e.target.value })} placeholder="db-finance" name="targets" />
      </label>
      {withK ? (
        <label>
          Paths (k)
          <input type="number" min={1} max={20} value={a.k} onChange={(e) => setA({ ...a, k: Number(e.target.value) || 1 })} name="k" />
        </label>
      ) : null}
      <label>
        Max hops
        <input type="number" min={1} max={64} value={a.maxHops} onChange={(e) => setA({ ...a, maxHops: e.target.value })} name="max_hops" />
      </label>
      <button type="submit">{submit}</button>
    </form>
  );
}
