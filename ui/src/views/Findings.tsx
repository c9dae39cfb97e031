// Findings ranked by risk with the reasons the database gives; an analyst may accept a risk (with
// a note) or reopen an accepted one. Paginated by the server like the inventory.
import { useState } from 'react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { rpc, view, type ViewFilter } from '../api';
import { Badge, ErrorBox, Loading } from '../components';
import { likelihood } from '../lib/format';
import type { PrioritizedFinding } from './Dashboard';

const PAGE = 50;

interface FindingRow {
  id: number;
  node_external_id: string;
  cve_id: string;
  status: string;
  status_note: string | null;
  priority: string;
  risk: number;
}

function AcceptForm({ id, onDone }: { id: number; onDone: () => void }) {
  const [note, setNote] = useState('');
  const qc = useQueryClient();
  const m = useMutation({
    mutationFn: () => rpc('set_finding_status', { id, status: 'accepted_risk', note }),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: ['prioritized_findings'] });
      qc.invalidateQueries({ queryKey: ['findings'] });
      onDone();
    },
  });
  return (
    <form
      className="inline"
      onSubmit={(e) => {
        e.preventDefault();
        m.mutate();
      }}
    >
      <label htmlFor={`note-${id}`}>Why is this risk accepted?</label>
      <input id={`note-${id}`} required value={note} onChange={(e) => setNote(e.target.value)} autoFocus />
      <button type="submit" disabled={m.isPending}>
        Accept risk
      </button>
      <button type="button" onClick={onDone}>
        Cancel
      </button>
      <ErrorBox error={m.error} />
    </form>
  );
}

export function Findings({ canWrite }: { canWrite: boolean }) {
  const [page, setPage] = useState(0);
  const [kevOnly, setKevOnly] = useState(false);
  const [priority, setPriority] = useState('');
  const [accepting, setAccepting] = useState<number | null>(null);
  const qc = useQueryClient();
  const filters: ViewFilter[] = [];
  if (kevOnly) filters.push({ column: 'kev', op: 'is', value: true });
  if (priority) filters.push({ column: 'priority', op: 'eq', value: priority });
  const q = useQuery({
    queryKey: ['prioritized_findings', filters, page],
    queryFn: () => view<PrioritizedFinding>('prioritized_findings', { filters, order: [{ column: 'rank' }], limit: PAGE + 1, offset: page * PAGE }),
    placeholderData: keepPreviousData,
  });
  const accepted = useQuery({
    queryKey: ['findings', 'accepted'],
    queryFn: () => view<FindingRow>('findings', { filters: [{ column: 'status', op: 'eq', value: 'accepted_risk' }], order: [{ column: 'risk', desc: true }], limit: 100 }),
  });
  const reopen = useMutation({
    mutationFn: (id: number) => rpc('set_finding_status', { id, status: 'open', note: 'reopened' }),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: ['prioritized_findings'] });
      qc.invalidateQueries({ queryKey: ['findings'] });
    },
  });
  const rows = (q.data ?? []).slice(0, PAGE);

  return (
    <section aria-labelledby="f-title">
      <h1 id="f-title">Findings</h1>
      <form className="filters" aria-label="Filter the findings" onSubmit={(e) => e.preventDefault()}>
        <label>
          Priority
          <select value={priority} onChange={(e) => { setPriority(e.target.value); setPage(0); }}>
            <option value="">any</option>
            {['act', 'attend', 'track', 'defer'].map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={kevOnly} onChange={(e) => { setKevOnly(e.target.checked); setPage(0); }} /> in CISA KEV only
        </label>
      </form>
      <ErrorBox error={q.error} />
      {q.isPending ? <Loading what="findings" /> : null}
      <ol className="findings" data-testid="findings" start={page * PAGE + 1}>
        {rows.map((f) => (
          <li key={f.finding_id} className="card">
            <div className="finding-head">
              <Badge kind={f.priority}>{f.priority}</Badge> <strong>{f.cve_id}</strong> on <strong>{f.node_external_id}</strong>
              {f.node_name ? <span className="muted"> {f.node_name}</span> : null} — risk {f.risk.toFixed(1)}
              {f.kev ? <Badge kind="high">KEV</Badge> : null}
              {f.ransomware ? <Badge kind="critical">ransomware</Badge> : null}
            </div>
            <div className="muted">
              {f.software ?? ''} {f.software_version ?? ''} · CVSS {f.cvss ?? '–'} · EPSS {f.epss ?? '–'} · exposure {likelihood(f.exposure)}
            </div>
            <p className="reasons">{f.reasons}</p>
            {canWrite ? (
              accepting === f.finding_id ? (
                <AcceptForm id={f.finding_id} onDone={() => setAccepting(null)} />
              ) : (
                <button type="button" onClick={() => setAccepting(f.finding_id)}>
                  Accept risk of {f.cve_id} on {f.node_external_id}…
                </button>
              )
            ) : null}
          </li>
        ))}
      </ol>
      {q.data && rows.length === 0 ? <p>No open finding matches.</p> : null}
      <div className="pager">
        <button type="button" disabled={page === 0} onClick={() => setPage(page - 1)}>
          Previous page
        </button>
        <span>{rows.length ? `findings ${page * PAGE + 1}–${page * PAGE + rows.length}` : ''}</span>
        <button type="button" disabled={(q.data?.length ?? 0) <= PAGE} onClick={() => setPage(page + 1)}>
          Next page
        </button>
      </div>
      <h2>Accepted risks</h2>
      <ErrorBox error={accepted.error ?? reopen.error} />
      {accepted.data?.length ? (
        <table data-testid="accepted">
          <thead>
            <tr>
              <th scope="col">CVE</th>
              <th scope="col">Node</th>
              <th scope="col">Risk</th>
              <th scope="col">Note</th>
              {canWrite ? <th scope="col">Action</th> : null}
            </tr>
          </thead>
          <tbody>
            {accepted.data.map((f) => (
              <tr key={f.id}>
                <td>{f.cve_id}</td>
                <td>{f.node_external_id}</td>
                <td>{f.risk?.toFixed(1)}</td>
                <td>{f.status_note}</td>
                {canWrite ? (
                  <td>
                    <button type="button" onClick={() => reopen.mutate(f.id)}>
                      Reopen {f.cve_id} on {f.node_external_id}
                    </button>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>No accepted risk.</p>
      )}
    </section>
  );
}
