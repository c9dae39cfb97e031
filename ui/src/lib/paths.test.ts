import { describe, expect, it } from 'vitest';
import { blastGraph, groupPaths, layeredPositions, pathsGraph, stepEdgeLikelihood, type PathStep } from './paths';

// Two paths from "internet" to "db": internet -> web -> db (0.5 * 0.8) and internet -> vpn -> web -> db.
function step(path_id: number, path_seq: number, node: number, ext: string, edge: number | null, l: number, cum: number): PathStep {
  return { path_id, path_seq, node, node_name: null, node_external_id: ext, edge, cost: edge === null ? 0 : -Math.log(l), agg_cost: -Math.log(cum), likelihood: cum };
}
const rows: PathStep[] = [
  step(2, 1, 1, 'internet', 12, 0.9, 1),
  step(2, 2, 4, 'vpn', 13, 0.5, 0.9),
  step(2, 3, 2, 'web', 11, 0.8, 0.45),
  step(2, 4, 3, 'db', null, 1, 0.36),
  step(1, 2, 2, 'web', 11, 0.8, 0.5),
  step(1, 1, 1, 'internet', 10, 0.5, 1),
  step(1, 3, 3, 'db', null, 1, 0.4),
];

describe('groupPaths', () => {
  it('groups steps by path in order, with the path likelihood and hop count', () => {
    const ps = groupPaths(rows);
    expect(ps.map((p) => p.id)).toEqual([1, 2]);
    expect(ps[0].steps.map((s) => s.node_external_id)).toEqual(['internet', 'web', 'db']);
    expect(ps[0].likelihood).toBeCloseTo(0.4);
    expect(ps[0].hops).toBe(2);
    expect(ps[1].hops).toBe(3);
  });
  it('recovers an edge likelihood from its cost', () => {
    expect(stepEdgeLikelihood(rows[0])).toBeCloseTo(0.9);
  });
  it('returns no path for no rows', () => {
    expect(groupPaths([])).toEqual([]);
  });
});

describe('pathsGraph', () => {
  const g = pathsGraph(groupPaths(rows));
  it('merges shared nodes and edges, remembering which paths use an edge', () => {
    expect(g.nodes).toHaveLength(4);
    expect(g.edges).toHaveLength(4);
    expect(g.edges.find((e) => e.edgeId === 11)?.paths).toEqual([1, 2]);
  });
  it('layers nodes by their fewest hops from a source, targets last', () => {
    const layer = Object.fromEntries(g.nodes.map((n) => [n.label, n.layer]));
    expect(layer).toEqual({ internet: 0, web: 1, vpn: 1, db: 2 });
    expect(g.nodes.find((n) => n.label === 'internet')?.role).toBe('source');
    expect(g.nodes.find((n) => n.label === 'db')?.role).toBe('target');
  });
  it('places layers left to right with distinct positions inside a layer', () => {
    const pos = layeredPositions(g, 100, 50);
    expect(pos.get('1')!.x).toBe(0);
    expect(pos.get('3')!.x).toBe(200);
    expect(pos.get('2')!.x).toBe(100);
    expect(pos.get('4')!.x).toBe(100);
    expect(pos.get('2')!.y).not.toBe(pos.get('4')!.y);
  });
});

describe('blastGraph', () => {
  it('draws at most max nodes, as a tree of the nodes it keeps', () => {
    const br = Array.from({ length: 700 }, (_, i) => ({
      node: i + 1,
      via: i === 0 ? null : Math.floor((i + 1) / 2),
      hops: Math.floor(Math.log2(i + 1)),
      likelihood: 1,
      name: null,
      external_id: `n${i + 1}`,
    }));
    const g = blastGraph(br, 500);
    expect(g.nodes).toHaveLength(500);
    expect(g.edges).toHaveLength(499);
    const ids = new Set(g.nodes.map((n) => n.id));
    expect(g.edges.every((e) => ids.has(e.source) && ids.has(e.target))).toBe(true);
  });
  it('positions 500 nodes in one pass', () => {
    const br = Array.from({ length: 500 }, (_, i) => ({ node: i + 1, via: i === 0 ? null : 1, hops: i === 0 ? 0 : 1, likelihood: 1, name: null, external_id: `n${i}` }));
    const pos = layeredPositions(blastGraph(br));
    expect(pos.size).toBe(500);
    expect(new Set([...pos.values()].map((p) => `${p.x},${p.y}`)).size).toBe(500);
  });
});
