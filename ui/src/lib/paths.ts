// Attack paths as the API returns them (one row per step) turned into paths and a graph, and the
// layered layout used to draw them: a node's layer is its hop distance from the sources, so paths
// read left to right from the entry points to the crown jewels.

export interface PathStep {
  path_id: number;
  path_seq: number;
  node: number;
  node_name: string | null;
  node_external_id: string;
  edge: number | null; // the edge to the next step; null on the last step
  cost: number; // -ln(likelihood of that edge)
  agg_cost: number;
  likelihood: number; // of the path up to this step
}

export interface AttackPath {
  id: number;
  steps: PathStep[];
  likelihood: number; // of the whole path: the product of its edges' likelihoods
  hops: number;
}

export interface GraphNode {
  id: string;
  label: string;
  layer: number;
  role?: 'source' | 'target' | 'cut';
}

export interface GraphEdge {
  id: string;
  edgeId: number | null;
  source: string;
  target: string;
  likelihood: number | null;
  paths: number[];
  cut?: boolean;
}

export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export function groupPaths(steps: PathStep[]): AttackPath[] {
  const byId = new Map<number, PathStep[]>();
  for (const s of steps) {
    let a = byId.get(s.path_id);
    if (!a) byId.set(s.path_id, (a = []));
    a.push(s);
  }
  return [...byId.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([id, ss]) => {
      ss.sort((a, b) => a.path_seq - b.path_seq);
      const last = ss[ss.length - 1];
      return { id, steps: ss, likelihood: last.likelihood, hops: ss.length - 1 };
    });
}

/** The likelihood of the edge leaving a step (cost is -ln of it). */
export function stepEdgeLikelihood(s: PathStep): number {
  return Math.exp(-s.cost);
}

/** The union of the paths as a graph; a node's layer is the fewest hops it sits from a source. */
export function pathsGraph(paths: AttackPath[]): Graph {
  const nodes = new Map<string, GraphNode>();
  const edges = new Map<string, GraphEdge>();
  for (const p of paths) {
    p.steps.forEach((s, i) => {
      const id = String(s.node);
      const role = i === 0 ? 'source' : i === p.steps.length - 1 ? 'target' : undefined;
      const n = nodes.get(id);
      if (!n) nodes.set(id, { id, label: s.node_external_id, layer: i, role });
      else {
        n.layer = Math.min(n.layer, i);
        if (role && !n.role) n.role = role;
      }
      if (i + 1 < p.steps.length) {
        const next = p.steps[i + 1];
        const eid = s.edge !== null ? `e${s.edge}` : `e${s.node}-${next.node}`;
        const e = edges.get(eid);
        if (e) e.paths.push(p.id);
        else
          edges.set(eid, {
            id: eid,
            edgeId: s.edge,
            source: id,
            target: String(next.node),
            likelihood: stepEdgeLikelihood(s),
            paths: [p.id],
          });
      }
    });
  }
  // Targets go in the last layer, so every path reads left to right and ends at the right edge.
  const all = [...nodes.values()];
  const last = Math.max(0, ...all.map((n) => n.layer));
  for (const n of all) if (n.role === 'target') n.layer = last;
  return { nodes: all, edges: [...edges.values()] };
}

export interface BlastRow {
  node: number;
  via: number | null;
  hops: number;
  likelihood: number;
  name: string | null;
  external_id: string;
}

/** The blast radius as a tree: each reached node hangs from the node it was reached through. */
export function blastGraph(rows: BlastRow[], max = 500): Graph {
  const kept = rows.slice(0, max);
  const ids = new Set(kept.map((r) => r.node));
  return {
    nodes: kept.map((r) => ({
      id: String(r.node),
      label: r.external_id,
      layer: r.hops,
      role: r.hops === 0 ? 'source' : undefined,
    })),
    edges: kept
      .filter((r) => r.via !== null && ids.has(r.via))
      .map((r) => ({
        id: `t${r.via}-${r.node}`,
        edgeId: null,
        source: String(r.via),
        target: String(r.node),
        likelihood: null,
        paths: [],
      })),
  };
}

/**
 * Positions for a layered drawing: x by layer, y spread evenly within the layer, nodes of a layer
 * ordered by the mean position of their predecessors (one barycentre sweep), which removes most
 * crossings of a few paths at no cost for hundreds of nodes.
 */
export function layeredPositions(g: Graph, dx = 200, dy = 60): Map<string, { x: number; y: number }> {
  const layers = new Map<number, GraphNode[]>();
  for (const n of g.nodes) {
    let l = layers.get(n.layer);
    if (!l) layers.set(n.layer, (l = []));
    l.push(n);
  }
  const preds = new Map<string, string[]>();
  for (const e of g.edges) {
    let p = preds.get(e.target);
    if (!p) preds.set(e.target, (p = []));
    p.push(e.source);
  }
  const pos = new Map<string, { x: number; y: number }>();
  const order = [...layers.keys()].sort((a, b) => a - b);
  // A wide layer (a blast radius fans out) would make a tall, thin drawing: space the layers so
  // the whole drawing keeps about the screen's shape (3:2).
  const tallest = Math.max(1, ...[...layers.values()].map((l) => l.length));
  dy = Math.max(12, Math.min(dy, 6000 / tallest));
  dx = Math.max(dx, ((tallest * dy) / Math.max(1, order.length - 1)) * 1.5);
  for (const layer of order) {
    const ns = layers.get(layer)!;
    const key = (n: GraphNode) => {
      const ys = (preds.get(n.id) ?? []).map((p) => pos.get(p)?.y).filter((y): y is number => y !== undefined);
      return ys.length ? ys.reduce((a, b) => a + b, 0) / ys.length : 0;
    };
    const keyed = ns.map((n, i) => ({ n, k: key(n), i }));
    keyed.sort((a, b) => a.k - b.k || a.i - b.i);
    const h = (keyed.length - 1) * dy;
    keyed.forEach(({ n }, i) => pos.set(n.id, { x: layer * dx, y: i * dy - h / 2 }));
  }
  return pos;
}
