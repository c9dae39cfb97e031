import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import * as api from '../api';
import { Inventory, inventoryFilters, PAGE } from './Inventory';

afterEach(() => cleanup());

describe('inventoryFilters', () => {
  it('turns the form into server-side filters', () => {
    expect(inventoryFilters({ text: ' web* ', kind: 'host', criticality: '', crownJewel: true, entryPoint: false })).toEqual([
      { column: 'name', op: 'ilike', value: '*web*' },
      { column: 'kind', op: 'eq', value: 'host' },
      { column: 'crown_jewel', op: 'is', value: true },
    ]);
    expect(inventoryFilters({ text: '', kind: '', criticality: '', crownJewel: false, entryPoint: false })).toEqual([]);
  });
});

function node(i: number, name = `host-${i}`) {
  return { id: i, external_id: `h${i}`, kind: 'host', name, addresses: [], criticality: 'low', crown_jewel: false, entry_point: false, last_seen: null, source: 'import' };
}

describe('Inventory', () => {
  it('asks the server for one page (plus one row), pages with offset, and renders names as text', async () => {
    const urls: string[] = [];
    api.setFetch(
      vi.fn(async (url: string | URL | Request) => {
        const u = String(url);
        urls.push(u);
        let body: unknown = [];
        if (u.startsWith('/api/nodes')) {
          const off = Number(new URL(u, 'http://x').searchParams.get('offset') ?? 0);
          body = Array.from({ length: PAGE + 1 }, (_, i) => node(off + i + 1, i === 0 ? '<img src=x onerror=alert(1)>' : undefined));
        } else if (u.startsWith('/api/rpc/graph_stats')) body = { nodes: 100000 };
        return new Response(JSON.stringify(body), { status: 200 });
      }) as typeof fetch,
    );
    const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const { container } = render(
      <QueryClientProvider client={qc}>
        <Inventory />
      </QueryClientProvider>,
    );
    await screen.findByText('rows 1–100');
    expect(container.querySelectorAll('tbody tr')).toHaveLength(PAGE);
    expect(container.querySelector('tbody img')).toBeNull();
    expect(screen.getByText('<img src=x onerror=alert(1)>')).toBeTruthy();
    const first = urls.find((u) => u.startsWith('/api/nodes'))!;
    expect(new URL(first, 'http://x').searchParams.get('limit')).toBe('101');
    expect(new URL(first, 'http://x').searchParams.get('order')).toBe('external_id.asc.nullslast,id.asc');
    fireEvent.click(screen.getByRole('button', { name: 'Next page' }));
    await screen.findByText('rows 101–200');
    expect(urls.some((u) => u.startsWith('/api/nodes') && new URL(u, 'http://x').searchParams.get('offset') === '100')).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: /^Name/ }));
    await waitFor(() => expect(urls.some((u) => u.includes('order=name.asc'))).toBe(true));
    expect(screen.getByRole('columnheader', { name: /^Name/ }).getAttribute('aria-sort')).toBe('ascending');
  });
});
