import { describe, expect, it } from 'vitest';
import { ageDays, ago, likelihood, nodeList, pct, roleName } from './format';

describe('format', () => {
  it('formats percentages and likelihoods', () => {
    expect(pct(34.285714)).toBe('34.3 %');
    expect(pct(null)).toBe('–');
    expect(likelihood(0.46102)).toBe('46.1 %');
    expect(likelihood(0.0012)).toBe('0.12 %');
  });
  it('counts whole days of staleness', () => {
    const now = new Date('2026-12-03T12:00:00Z');
    expect(ageDays('2026-12-01T13:00:00Z', now)).toBe(1);
    expect(ageDays(null, now)).toBeNull();
    expect(ago('2025-01-01T00:00:00Z', now)).toBe('701 days ago');
    expect(ago('2026-12-03T01:00:00Z', now)).toBe('today');
    expect(ago(undefined, now)).toBe('never');
  });
  it('reads node lists typed by users', () => {
    expect(nodeList(' internet, ws-1  ws-2,,')).toEqual(['internet', 'ws-1', 'ws-2']);
    expect(nodeList('  ')).toBeUndefined();
  });
  it('shortens role names', () => {
    expect(roleName('infracast_analyst')).toBe('analyst');
  });
});
