import { useMemo, useState, lazy, Suspense } from 'react';
import { useQuery } from '@tanstack/react-query';
import { rpc } from '../api';
import { ErrorBox, Loading } from '../components';
import { likelihood, nodeList } from '../lib/format';
import { groupPaths, pathsGraph, stepEdgeLikelihood, type PathStep } from '../lib/paths';
import { PathForm, type PathArgs } from './PathForm';
import { EdgeWhy } from './EdgeWhy';

const GraphView = lazy(() => import('../graph/GraphView'));

export function pathRequest(a: PathArgs): Record<string, unknown> {
  const body: Record<string, unknown> = { k: a.k };
  const s = nodeList(a.sources);
  const t = nodeList(a.targets);
  if (s) body.sources = s;
  if (t) body.targets = t;
  if (a.maxHops.trim()) body.max_hops = Number(a.maxHops);
  return body;
}

export default function AttackPaths() {
  const [args, setArgs] = useState<PathArgs>({ sources: '', targets: '', k: 3, maxHops: '' });
  const [edge, setEdge] = useState<number | null>(null);
  const [hl, setHl] = useState<number | null>(null);
  const q = useQuery({ queryKey: ['attack_paths', args], queryFn: () => rpc<PathStep[]>('attack_paths', pathRequest(args)) });
  const paths = useMemo(() => groupPaths(q.data ?? []), [q.data]);
  const graph = useMemo(() => pathsGraph(paths), [paths]);

  return (
    <section aria-labelledby="ap-title">
      <h1 id="ap-title">Attack paths</h1>
      <PathForm initial={args} onRun={(a) => { setEdge(null); setHl(null); setArgs(a); }} submit="Find paths" />
      <ErrorBox error={q.error} />
      {q.isFetching ? <Loading what="attack paths" /> : null}
      {q.data && paths.length === 0 ? <p role="status">No path: the targets cannot be reached from these sources.</p> : null}
      {paths.length ? (
        <div className="split">
          <div>
            <Suspense fallback={<Loading what="the graph" />}>
              <GraphView graph={graph} label={`${paths.length} attack paths drawn left to right; the list beside it has the same content`} onEdge={setEdge} selectedEdge={edge} highlightPath={hl} />
            </Suspense>
            {edge !== null ? <EdgeWhy edgeId={edge} onClose={() => setEdge(null)} /> : null}
          </div>
          <ol className="paths" data-testid="path-list">
            {paths.map((p) => (
              <li key={p.id} onMouseEnter={() => setHl(p.id)} onMouseLeave={() => setHl(null)} onFocus={() => setHl(p.id)} onBlur={() => setHl(null)}>
                <div className="path-head">
                  Path {p.id}: likelihood <strong data-testid={`path-likelihood-${p.id}`}>{likelihood(p.likelihood)}</strong>, {p.hops} hops
                </div>
                <ol className="steps">
                  {p.steps.map((s) => (
                    <li key={s.path_seq}>
                      <span className="node">{s.node_external_id}</span>
                      {s.edge !== null ? (
                        <button type="button" className="edge-btn" onClick={() => setEdge(s.edge)} aria-label={`Why can ${s.node_external_id} reach the next step? Edge likelihood ${likelihood(stepEdgeLikelihood(s))}`}>
                          → {likelihood(stepEdgeLikelihood(s))}
                        </button>
                      ) : null}
                    </li>
                  ))}
                </ol>
              </li>
            ))}
          </ol>
        </div>
      ) : null}
    </section>
  );
}
