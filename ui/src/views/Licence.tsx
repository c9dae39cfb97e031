import { useQuery } from '@tanstack/react-query';
import { rpc } from '../api';
import { Badge, ErrorBox, Loading } from '../components';
import { ago, dateTime } from '../lib/format';
import type { LicenseStatus } from './Dashboard';

export function Licence() {
  const q = useQuery({ queryKey: ['license_status'], queryFn: () => rpc<LicenseStatus>('license_status') });
  const l = q.data;
  return (
    <section aria-labelledby="lic-page-title">
      <h1 id="lic-page-title">Licence</h1>
      <ErrorBox error={q.error} />
      {q.isPending ? <Loading what="the licence" /> : null}
      {l ? (
        <dl className="card" data-testid="licence">
          <dt>State</dt>
          <dd>
            <Badge kind={l.state}>{l.state}</Badge> {l.reason}
          </dd>
          {l.fix ? (
            <>
              <dt>What to do</dt>
              <dd>{l.fix}</dd>
            </>
          ) : null}
          <dt>Customer</dt>
          <dd>{l.customer ?? '–'}</dd>
          <dt>Tier</dt>
          <dd>{l.tier ?? '–'}</dd>
          <dt>Expires</dt>
          <dd>{dateTime(l.expires_at)}</dd>
          <dt>Nodes</dt>
          <dd>
            {l.nodes_used ?? '–'} used of {l.node_limit ?? '–'}
          </dd>
          <dt>Features in force</dt>
          <dd>{(l.features_in_force ?? []).join(', ') || 'none'}</dd>
          <dt>Offline mode</dt>
          <dd>{l.offline_mode ? 'yes' : 'no'}</dd>
          <dt>Checked</dt>
          <dd>
            {dateTime(l.checked_at)} ({ago(l.checked_at)})
          </dd>
        </dl>
      ) : null}
    </section>
  );
}
