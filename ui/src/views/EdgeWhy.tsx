// "Why does this edge exist?": the edge's row (kind, likelihood, port, where it came from, its
// attributes) and its kind's description.
import { useQuery } from '@tanstack/react-query';
import { view } from '../api';
import { ErrorBox, Loading } from '../components';
import { dateTime, likelihood } from '../lib/format';

interface EdgeRow {
  id: number;
  src_external_id: string;
  dst_external_id: string;
  kind: string;
  likelihood: number;
  fix_cost: number;
  port: number | null;
  protocol: string | null;
  attrs: Record<string, unknown>;
  first_seen: string | null;
  last_seen: string | null;
  source: string | null;
}

interface EdgeKind {
  name: string;
  description: string | null;
  likelihood: number;
  fix_cost: number;
}

export function EdgeWhy({ edgeId, onClose }: { edgeId: number; onClose: () => void }) {
  const edge = useQuery({
    queryKey: ['edge', edgeId],
    queryFn: async () => (await view<EdgeRow>('edges', { filters: [{ column: 'id', op: 'eq', value: edgeId }] }))[0] ?? null,
  });
  const kind = edge.data?.kind;
  const ek = useQuery({
    queryKey: ['edge_kind', kind],
    enabled: !!kind,
    queryFn: async () => (await view<EdgeKind>('edge_kinds', { filters: [{ column: 'name', op: 'eq', value: kind! }] }))[0] ?? null,
  });
  const e = edge.data;
  return (
    <aside className="card why" aria-labelledby="why-title" data-testid="edge-why">
      <h2 id="why-title">Why this edge exists</h2>
      <ErrorBox error={edge.error} />
      {edge.isPending ? <Loading what="the edge" /> : null}
      {edge.data === null ? <p>This edge is no longer in the inventory.</p> : null}
      {e ? (
        <dl>
          <dt>From → to</dt>
          <dd>
            {e.src_external_id} → {e.dst_external_id}
          </dd>
          <dt>Kind</dt>
          <dd>
            {e.kind}
            {ek.data?.description ? <span className="muted"> — {ek.data.description}</span> : null}
          </dd>
          <dt>Likelihood</dt>
          <dd>
            {likelihood(e.likelihood)}
            {ek.data ? <span className="muted"> (default for {e.kind}: {likelihood(ek.data.likelihood)})</span> : null}
          </dd>
          {e.port !== null ? (
            <>
              <dt>Port</dt>
              <dd>
                {e.port}/{e.protocol ?? 'tcp'}
              </dd>
            </>
          ) : null}
          <dt>Fix cost</dt>
          <dd>{e.fix_cost}</dd>
          <dt>Found by</dt>
          <dd>
            {e.source ?? '–'}, first seen {dateTime(e.first_seen)}, last seen {dateTime(e.last_seen)}
          </dd>
          {Object.keys(e.attrs ?? {}).length ? (
            <>
              <dt>Evidence</dt>
              <dd>
                <pre>{JSON.stringify(e.attrs, null, 2)}</pre>
              </dd>
            </>
          ) : null}
        </dl>
      ) : null}
      <button type="button" onClick={onClose}>
        Close
      </button>
    </aside>
  );
}
