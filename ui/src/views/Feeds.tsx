import { useQuery } from '@tanstack/react-query';
import { view } from '../api';
import { Badge, ErrorBox, Loading } from '../components';
import { ago, dateTime } from '../lib/format';
import type { FeedStatus } from './Dashboard';

export function Feeds() {
  const q = useQuery({ queryKey: ['feed_status'], queryFn: () => view<FeedStatus>('feed_status', { order: [{ column: 'feed' }] }) });
  return (
    <section aria-labelledby="feeds-page-title">
      <h1 id="feeds-page-title">Feeds</h1>
      <p className="muted">Vulnerability feeds are loaded from bundles on the server's disk (never from the internet); see docs/feeds.md.</p>
      <ErrorBox error={q.error} />
      {q.isPending ? <Loading what="feeds" /> : null}
      {q.data ? (
        <table data-testid="feeds">
          <thead>
            <tr>
              <th scope="col">Feed</th>
              <th scope="col">State</th>
              <th scope="col">Rows</th>
              <th scope="col">Version</th>
              <th scope="col">Dated</th>
              <th scope="col">Loaded</th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody>
            {q.data.map((f) => (
              <tr key={f.feed}>
                <td>{f.feed}</td>
                <td>
                  <Badge kind={f.state}>{f.state}</Badge>
                </td>
                <td>{f.rows ?? '–'}</td>
                <td>{f.version}</td>
                <td>
                  {dateTime(f.feed_date)} <span className="muted">({ago(f.feed_date)})</span>
                </td>
                <td>
                  {dateTime(f.loaded_at)} <span className="muted">({ago(f.loaded_at)})</span>
                </td>
                <td>{f.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
