import { useMemo, useState, lazy, Suspense, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { rpc } from '../api';
import { ErrorBox, Loading } from '../components';
import { likelihood } from '../lib/format';
import { blastGraph, type BlastRow } from '../lib/paths';

const GraphView = lazy(() => import('../graph/GraphView'));
const DRAW_MAX = 500;

export default function BlastRadius() {
  const [form, setForm] = useState({ source: 'internet', maxHops: '', minLikelihood: '0' });
  const [args, setArgs] = useState<typeof form | null>(null);
  const q = useQuery({
    queryKey: ['blast_radius', args],
    enabled: args !== null,
    queryFn: () => {
      const body: Record<string, unknown> = { source: args!.source.trim() };
      if (args!.maxHops.trim()) body.max_hops = Number(args!.maxHops);
      if (Number(args!.minLikelihood) > 0) body.min_likelihood = Number(args!.minLikelihood);
      return rpc<BlastRow[]>('blast_radius', body);
    },
  });
  const graph = useMemo(() => blastGraph(q.data ?? [], DRAW_MAX), [q.data]);
  const run = (e: FormEvent) => {
    e.preventDefault();
    setArgs({ ...form });
  };

  return (
    <section aria-labelledby="br-title">
      <h1 id="br-title">Blast radius</h1>
      <p className="muted">What an attacker who holds this node can reach, and how likely.</p>
      <form className="filters" onSubmit={run} aria-label="Blast radius source">
        <label>
          Source node (external id)
          <input required value={form.source} onChange={(e) => setForm({ ...form, source: e.target.value })} name="source" />
        </label>
        <label>
          Max hops
          <input type="number" min={1} max={64} value={form.maxHops} onChange={(e) => setForm({ ...form, maxHops: e.target.value })} />
        </label>
        <label>
          Min likelihood (0–1)
          <input type="number" min={0} max={1} step={0.05} value={form.minLikelihood} onChange={(e) => setForm({ ...form, minLikelihood: e.target.value })} />
        </label>
        <button type="submit">Show blast radius</button>
      </form>
      <ErrorBox error={q.error} />
      {q.isFetching ? <Loading what="the blast radius" /> : null}
      {q.data ? (
        <>
          <p role="status" data-testid="blast-count">
            {q.data.length - 1} nodes reachable{q.data.length > DRAW_MAX ? ` (the ${DRAW_MAX} most likely are drawn)` : ''}.
          </p>
          <Suspense fallback={<Loading what="the graph" />}>
            <GraphView graph={graph} label={`blast radius of ${args?.source}: ${graph.nodes.length} nodes drawn by hop distance; the table below lists them`} />
          </Suspense>
          <table>
            <thead>
              <tr>
                <th scope="col">Node</th>
                <th scope="col">Name</th>
                <th scope="col">Hops</th>
                <th scope="col">Likelihood</th>
              </tr>
            </thead>
            <tbody>
              {q.data.slice(0, 200).map((r) => (
                <tr key={r.node}>
                  <td>{r.external_id}</td>
                  <td>{r.name}</td>
                  <td>{r.hops}</td>
                  <td>{likelihood(r.likelihood)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {q.data.length > 200 ? <p className="muted">The first 200 of {q.data.length} rows are listed.</p> : null}
        </>
      ) : null}
    </section>
  );
}
