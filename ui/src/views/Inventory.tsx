// The inventory, paginated, filtered and sorted by the server (GET /api/nodes with limit, offset,
// order and filters): a tenant of 100k nodes is never fetched whole. One extra row is asked for
// to know whether a next page exists, since the API sends no total count.
import { useEffect, useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { rpc, view, type ViewFilter } from '../api';
import { Badge, ErrorBox, Loading } from '../components';
import { dateTime } from '../lib/format';

export const PAGE = 100;

export interface NodeRow {
  id: number;
  external_id: string;
  kind: string;
  name: string | null;
  addresses: string[];
  criticality: string | null;
  crown_jewel: boolean;
  entry_point: boolean;
  last_seen: string | null;
  source: string | null;
}

type SortCol = 'external_id' | 'name' | 'kind' | 'criticality' | 'last_seen';

export interface InventoryFilter {
  text: string;
  kind: string;
  criticality: string;
  crownJewel: boolean;
  entryPoint: boolean;
}

/** The view filters of the form; the name filter is a case-insensitive substring of the name. */
export function inventoryFilters(f: InventoryFilter): ViewFilter[] {
  const out: ViewFilter[] = [];
  const t = f.text.trim().replace(/\*/g, '');
  if (t) out.push({ column: 'name', op: 'ilike', value: `*${t}*` });
  if (f.kind) out.push({ column: 'kind', op: 'eq', value: f.kind });
  if (f.criticality) out.push({ column: 'criticality', op: 'eq', value: f.criticality });
  if (f.crownJewel) out.push({ column: 'crown_jewel', op: 'is', value: true });
  if (f.entryPoint) out.push({ column: 'entry_point', op: 'is', value: true });
  return out;
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

export function Inventory() {
  const [text, setText] = useState('');
  const [kind, setKind] = useState('');
  const [criticality, setCriticality] = useState('');
  const [crownJewel, setCrownJewel] = useState(false);
  const [entryPoint, setEntryPoint] = useState(false);
  const [sort, setSort] = useState<{ col: SortCol; desc: boolean }>({ col: 'external_id', desc: false });
  const [page, setPage] = useState(0);
  const debouncedText = useDebounced(text, 250);
  const filters = inventoryFilters({ text: debouncedText, kind, criticality, crownJewel, entryPoint });

  useEffect(() => setPage(0), [debouncedText, kind, criticality, crownJewel, entryPoint, sort]);

  const kinds = useQuery({ queryKey: ['node_kinds'], queryFn: () => view<{ name: string }>('node_kinds', { order: [{ column: 'name' }], select: ['name'] }) });
  const stats = useQuery({ queryKey: ['graph_stats'], queryFn: () => rpc<{ nodes: number }>('graph_stats') });
  const rows = useQuery({
    queryKey: ['nodes', filters, sort, page],
    queryFn: () =>
      view<NodeRow>('nodes', {
        filters,
        // id breaks ties so that pages never overlap or skip rows.
        order: [{ column: sort.col, desc: sort.desc, nulls: 'last' }, { column: 'id' }],
        select: ['id', 'external_id', 'kind', 'name', 'addresses', 'criticality', 'crown_jewel', 'entry_point', 'last_seen', 'source'],
        limit: PAGE + 1,
        offset: page * PAGE,
      }),
    placeholderData: keepPreviousData,
  });

  const data = rows.data ?? [];
  const shown = data.slice(0, PAGE);
  const hasNext = data.length > PAGE;

  const header = (col: SortCol, label: string) => {
    const active = sort.col === col;
    return (
      <th scope="col" aria-sort={active ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
        <button type="button" className="sort" onClick={() => setSort({ col, desc: active ? !sort.desc : false })}>
          {label}
          <span aria-hidden="true">{active ? (sort.desc ? ' ▼' : ' ▲') : ''}</span>
        </button>
      </th>
    );
  };

  return (
    <section aria-labelledby="inv-title">
      <h1 id="inv-title">Inventory</h1>
      <p className="muted">{stats.data ? `${stats.data.nodes.toLocaleString('en')} nodes in this tenant.` : ' '}</p>
      <form className="filters" role="search" aria-label="Filter the inventory" onSubmit={(e) => e.preventDefault()}>
        <label>
          Name contains
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} data-testid="inv-search" />
        </label>
        <label>
          Kind
          <select value={kind} onChange={(e) => setKind(e.target.value)}>
            <option value="">any</option>
            {(kinds.data ?? []).map((k) => (
              <option key={k.name} value={k.name}>
                {k.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Criticality
          <select value={criticality} onChange={(e) => setCriticality(e.target.value)}>
            <option value="">any</option>
            {['critical', 'high', 'medium', 'low'].map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={crownJewel} onChange={(e) => setCrownJewel(e.target.checked)} /> crown jewels only
        </label>
        <label className="check">
          <input type="checkbox" checked={entryPoint} onChange={(e) => setEntryPoint(e.target.checked)} /> entry points only
        </label>
      </form>
      <ErrorBox error={rows.error} />
      {rows.isPending ? <Loading what="nodes" /> : null}
      <table className="inventory" data-testid="inventory" aria-busy={rows.isFetching}>
        <caption className="sr-only">Nodes, sorted by {sort.col}</caption>
        <thead>
          <tr>
            {header('external_id', 'External id')}
            {header('name', 'Name')}
            {header('kind', 'Kind')}
            {header('criticality', 'Criticality')}
            <th scope="col">Addresses</th>
            <th scope="col">Role</th>
            {header('last_seen', 'Last seen')}
          </tr>
        </thead>
        <tbody>
          {shown.map((n) => (
            <tr key={n.id}>
              <td>{n.external_id}</td>
              <td>{n.name}</td>
              <td>{n.kind}</td>
              <td>{n.criticality ? <Badge kind={n.criticality}>{n.criticality}</Badge> : null}</td>
              <td>{n.addresses.join(', ')}</td>
              <td>
                {n.crown_jewel ? <Badge kind="critical">crown jewel</Badge> : null}
                {n.entry_point ? <Badge kind="medium">entry point</Badge> : null}
              </td>
              <td>{dateTime(n.last_seen)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="pager">
        <button type="button" disabled={page === 0} onClick={() => setPage(page - 1)}>
          Previous page
        </button>
        <span data-testid="inv-range" aria-live="polite">
          {shown.length ? `rows ${page * PAGE + 1}–${page * PAGE + shown.length}` : 'no rows'}
        </span>
        <button type="button" disabled={!hasNext} onClick={() => setPage(page + 1)}>
          Next page
        </button>
      </div>
    </section>
  );
}
