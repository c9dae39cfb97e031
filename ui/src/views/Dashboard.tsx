import { useQuery } from '@tanstack/react-query';
import { rpc, view } from '../api';
import { Badge, ErrorBox, Loading, Stat } from '../components';
import { ago, dateTime, likelihood, pct } from '../lib/format';
import { navigate } from '../router';

export interface ExposureSummary {
  severity: string;
  principals: number;
  crown_jewels: number;
  entry_points: number;
  exposure_pct: number;
  exposed_principals: number;
  best_entry_likelihood: number | null;
  entry_points_reaching: number;
}

export interface ChokePoint {
  rank: number;
  object: 'node' | 'edge';
  node: number | null;
  node_name: string | null;
  node_external_id: string | null;
  edge: number | null;
  src: number | null;
  dst: number | null;
  paths: number;
  path_share: number;
  dominated_targets: number | null;
}

export interface FeedStatus {
  feed: string;
  rows: number | null;
  version: string | null;
  feed_date: string | null;
  loaded_at: string | null;
  state: string;
  message: string | null;
  attempted_at: string | null;
}

export interface LicenseStatus {
  state: string;
  tier: string | null;
  reason: string | null;
  fix: string | null;
  customer: string | null;
  features: string[] | null;
  features_in_force: string[] | null;
  expires_at: string | null;
  node_limit: number | null;
  nodes_used: number | null;
  offline_mode: boolean | null;
  checked_at: string | null;
}

export interface PrioritizedFinding {
  rank: number;
  finding_id: number;
  priority: string;
  risk: number;
  cve_id: string;
  node_id: number;
  node_external_id: string;
  node_name: string | null;
  criticality: string | null;
  crown_jewel: boolean;
  software: string | null;
  software_version: string | null;
  cvss: number | null;
  kev: boolean;
  ransomware: boolean;
  kev_due_date: string | null;
  epss: number | null;
  exposure: number | null;
  exposure_hops: number | null;
  path_to_crown_jewel: boolean;
  reasons: string;
}

export function Dashboard() {
  const summary = useQuery({ queryKey: ['exposure_summary'], queryFn: () => rpc<ExposureSummary>('exposure_summary') });
  const chokes = useQuery({ queryKey: ['choke_points', 5], queryFn: () => rpc<ChokePoint[]>('choke_points', { top: 5 }) });
  const kev = useQuery({
    queryKey: ['prioritized_findings', 'kev'],
    queryFn: () =>
      view<PrioritizedFinding>('prioritized_findings', {
        filters: [{ column: 'kev', op: 'is', value: true }],
        order: [{ column: 'rank' }],
        limit: 10,
      }),
  });
  const feeds = useQuery({ queryKey: ['feed_status'], queryFn: () => view<FeedStatus>('feed_status', { order: [{ column: 'feed' }] }) });
  const lic = useQuery({ queryKey: ['license_status'], queryFn: () => rpc<LicenseStatus>('license_status') });

  const s = summary.data;
  return (
    <section aria-labelledby="dash-title">
      <h1 id="dash-title">Dashboard</h1>
      <ErrorBox error={summary.error} />
      {summary.isPending ? <Loading what="the exposure" /> : null}
      {s ? (
        <div className="stats" data-testid="exposure">
          <Stat label="Exposure" value={pct(s.exposure_pct)} testid="exposure-pct">
            {s.exposed_principals} of {s.principals} principals can reach a crown jewel
          </Stat>
          <Stat label="Severity" value={<Badge kind={s.severity}>{s.severity}</Badge>} testid="severity" />
          <Stat label="Entry points reaching a crown jewel" value={`${s.entry_points_reaching} of ${s.entry_points}`} testid="entry-points" />
          <Stat label="Most likely entry path" value={likelihood(s.best_entry_likelihood)} testid="best-likelihood">
            {s.crown_jewels} crown jewels
          </Stat>
        </div>
      ) : null}

      <div className="grid2">
        <section aria-labelledby="choke-title" className="card">
          <h2 id="choke-title">Top choke points</h2>
          <ErrorBox error={chokes.error} />
          {chokes.isPending ? <Loading what="choke points" /> : null}
          {chokes.data ? (
            <table data-testid="choke-points">
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">Node</th>
                  <th scope="col">Paths through it</th>
                </tr>
              </thead>
              <tbody>
                {chokes.data
                  .filter((c) => c.object === 'node')
                  .map((c) => (
                    <tr key={`${c.rank}-${c.node}`}>
                      <td>{c.rank}</td>
                      <td>
                        {c.node_external_id}
                        {c.node_name ? <span className="muted"> {c.node_name}</span> : null}
                      </td>
                      <td>
                        {c.paths} ({pct(c.path_share * 100, 0)})
                      </td>
                    </tr>
                  ))}
              </tbody>
            </table>
          ) : null}
        </section>

        <section aria-labelledby="kev-title" className="card">
          <h2 id="kev-title">Findings in CISA KEV</h2>
          <ErrorBox error={kev.error} />
          {kev.isPending ? <Loading what="findings" /> : null}
          {kev.data ? (
            kev.data.length === 0 ? (
              <p data-testid="kev-findings">No open finding is in the KEV catalogue.</p>
            ) : (
              <table data-testid="kev-findings">
                <thead>
                  <tr>
                    <th scope="col">Rank</th>
                    <th scope="col">CVE</th>
                    <th scope="col">Node</th>
                    <th scope="col">Risk</th>
                  </tr>
                </thead>
                <tbody>
                  {kev.data.map((f) => (
                    <tr key={f.finding_id}>
                      <td>{f.rank}</td>
                      <td>
                        {f.cve_id}
                        {f.ransomware ? <Badge kind="high">ransomware</Badge> : null}
                      </td>
                      <td>{f.node_external_id}</td>
                      <td>{f.risk.toFixed(1)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          ) : null}
          <p>
            <a href="/findings" onClick={(e) => { e.preventDefault(); navigate('/findings'); }}>
              All findings
            </a>
          </p>
        </section>

        <section aria-labelledby="feeds-title" className="card">
          <h2 id="feeds-title">Feeds</h2>
          <ErrorBox error={feeds.error} />
          {feeds.data ? (
            <ul className="plain" data-testid="feed-states">
              {feeds.data.map((f) => (
                <li key={f.feed}>
                  <Badge kind={f.state}>{f.state}</Badge> <strong>{f.feed}</strong> dated {f.feed_date ? dateTime(f.feed_date).slice(0, 10) : '–'} (
                  {ago(f.feed_date)}), loaded {ago(f.loaded_at)}
                </li>
              ))}
              {feeds.data.length === 0 ? <li>No feed has been loaded.</li> : null}
            </ul>
          ) : null}
        </section>

        <section aria-labelledby="lic-title" className="card">
          <h2 id="lic-title">Licence</h2>
          <ErrorBox error={lic.error} />
          {lic.data ? (
            <div data-testid="licence-state">
              <Badge kind={lic.data.state}>{lic.data.state}</Badge> {lic.data.tier} tier, expires {dateTime(lic.data.expires_at).slice(0, 10)}
              <div className="muted">
                {lic.data.nodes_used ?? '–'} of {lic.data.node_limit ?? '–'} nodes in use
              </div>
            </div>
          ) : null}
        </section>
      </div>
    </section>
  );
}
