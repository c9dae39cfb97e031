// The remediation plan: the cheapest set of edges (a minimum cut by fix cost) that cuts every
// source off from every target, drawn over the most likely paths it breaks.
import { useMemo, useState, lazy, Suspense } from 'react';
import { useQuery } from '@tanstack/react-query';
import { rpc } from '../api';
import { ErrorBox, Loading } from '../components';
import { groupPaths, pathsGraph, type PathStep } from '../lib/paths';
import { PathForm, type PathArgs } from './PathForm';
import { pathRequest } from './AttackPaths';
import { EdgeWhy } from './EdgeWhy';

const GraphView = lazy(() => import('../graph/GraphView'));

export interface PlanRow {
  edge: number;
  kind: string;
  src: number;
  dst: number;
  src_external_id: string;
  dst_external_id: string;
  fix_cost: number;
  paths_broken: number;
}

export default function Remediation() {
  const [args, setArgs] = useState<PathArgs | null>(null);
  const [edge, setEdge] = useState<number | null>(null);
  const body = args ? pathRequest(args) : {};
  const plan = useQuery({
    queryKey: ['remediation_plan', args],
    enabled: args !== null,
    queryFn: () => {
      const b = { ...body };
      delete b.k;
      delete b.max_hops;
      return rpc<PlanRow[]>('remediation_plan', b);
    },
  });
  const paths = useQuery({ queryKey: ['attack_paths', args], enabled: args !== null, queryFn: () => rpc<PathStep[]>('attack_paths', body) });
  const grouped = useMemo(() => groupPaths(paths.data ?? []), [paths.data]);
  const cut = useMemo(() => new Set((plan.data ?? []).map((r) => r.edge)), [plan.data]);
  const graph = useMemo(() => {
    const g = pathsGraph(grouped);
    for (const e of g.edges) e.cut = e.edgeId !== null && cut.has(e.edgeId);
    return g;
  }, [grouped, cut]);
  const brokenBy = (edgeId: number) => grouped.filter((p) => p.steps.some((s) => s.edge === edgeId)).map((p) => p.id);
  const total = (plan.data ?? []).reduce((a, r) => a + r.fix_cost, 0);

  return (
    <section aria-labelledby="rp-title">
      <h1 id="rp-title">Remediation plan</h1>
      <p className="muted">The cheapest set of edges to fix (by fix cost) so that no source reaches any target.</p>
      <PathForm initial={{ sources: '', targets: '', k: 5, maxHops: '' }} onRun={(a) => { setEdge(null); setArgs(a); }} submit="Plan remediation" />
      <ErrorBox error={plan.error ?? paths.error} />
      {plan.isFetching || paths.isFetching ? <Loading what="the plan" /> : null}
      {plan.data ? (
        plan.data.length === 0 ? (
          <p role="status">Nothing to cut: no path leads from these sources to these targets.</p>
        ) : (
          <>
            <p role="status" data-testid="plan-summary">
              Fix {plan.data.length} edges, total fix cost {total}, to cut every path; the {grouped.length} most likely paths are drawn, cut edges dashed in red.
            </p>
            <table data-testid="plan">
              <caption className="sr-only">Edges to fix</caption>
              <thead>
                <tr>
                  <th scope="col">Edge</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Fix cost</th>
                  <th scope="col">Most likely paths it breaks</th>
                  <th scope="col">Why it exists</th>
                </tr>
              </thead>
              <tbody>
                {plan.data.map((r) => {
                  const b = brokenBy(r.edge);
                  return (
                    <tr key={r.edge}>
                      <td>
                        {r.src_external_id} → {r.dst_external_id}
                      </td>
                      <td>{r.kind}</td>
                      <td>{r.fix_cost}</td>
                      <td>
                        {r.paths_broken}
                        {b.length ? <span className="muted"> (drawn: path {b.join(', ')})</span> : null}
                      </td>
                      <td>
                        <button type="button" onClick={() => setEdge(r.edge)}>
                          Why {r.src_external_id} → {r.dst_external_id}?
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            {edge !== null ? <EdgeWhy edgeId={edge} onClose={() => setEdge(null)} /> : null}
            {grouped.length ? (
              <Suspense fallback={<Loading what="the graph" />}>
                <GraphView graph={graph} label="the most likely attack paths with the edges to fix dashed; the table above lists them" onEdge={setEdge} selectedEdge={edge} />
              </Suspense>
            ) : null}
          </>
        )
      ) : null}
    </section>
  );
}
