// cytoscape.js on a canvas, with positions from our layered layout (lib/paths.ts): computed in
// one pass, so a graph of 500 nodes draws at once instead of waiting on a force simulation.
// The canvas is not keyboard-accessible: every view that draws a graph also lists its nodes and
// edges in a table with the same actions.
import { useEffect, useRef } from 'react';
import cytoscape from 'cytoscape';
import { layeredPositions, type Graph } from '../lib/paths';
import { likelihood } from '../lib/format';

export interface GraphViewProps {
  graph: Graph;
  label: string;
  onEdge?: (edgeId: number) => void;
  selectedEdge?: number | null;
  highlightPath?: number | null;
}

const STYLE: cytoscape.StylesheetJson = [
  {
    selector: 'node',
    style: {
      label: 'data(label)',
      'font-size': 11,
      'text-valign': 'bottom',
      'text-margin-y': 4,
      width: 18,
      height: 18,
      'background-color': '#4b6584',
      color: '#1e272e',
      'min-zoomed-font-size': 8,
    },
  },
  { selector: 'node[role = "source"]', style: { 'background-color': '#e67e22', shape: 'diamond' } },
  { selector: 'node[role = "target"]', style: { 'background-color': '#c0392b', shape: 'star', width: 24, height: 24 } },
  {
    selector: 'edge',
    style: {
      width: 2,
      'line-color': '#95a5a6',
      'target-arrow-color': '#95a5a6',
      'target-arrow-shape': 'triangle',
      'curve-style': 'bezier',
      label: 'data(label)',
      'font-size': 9,
      'text-background-color': '#ffffff',
      'text-background-opacity': 0.8,
      'min-zoomed-font-size': 7,
    },
  },
  { selector: 'edge[?cut]', style: { 'line-color': '#c0392b', 'target-arrow-color': '#c0392b', 'line-style': 'dashed', width: 3 } },
  { selector: 'edge.selected', style: { 'line-color': '#2980b9', 'target-arrow-color': '#2980b9', width: 4 } },
  { selector: 'edge.dim', style: { opacity: 0.15 } },
  { selector: 'node.dim', style: { opacity: 0.25 } },
];

// cytoscape adds a <style> element (".__________cytoscape_container { position: relative; }")
// unless an element with this id exists; a strict CSP (style-src 'self') refuses inline styles, so
// the rule lives in styles.css and an inert placeholder takes the id.
const CY_SHEET_ID = '__________cytoscape_stylesheet';
function claimCytoscapeSheet(): void {
  if (document.getElementById(CY_SHEET_ID)) return;
  const m = document.createElement('meta');
  m.id = CY_SHEET_ID;
  document.head.appendChild(m);
}

export default function GraphView({ graph, label, onEdge, selectedEdge, highlightPath }: GraphViewProps) {
  const box = useRef<HTMLDivElement>(null);
  const cy = useRef<cytoscape.Core | null>(null);
  const onEdgeRef = useRef(onEdge);
  onEdgeRef.current = onEdge;

  useEffect(() => {
    if (!box.current) return;
    claimCytoscapeSheet();
    const pos = layeredPositions(graph);
    const big = graph.nodes.length > 200;
    const c = cytoscape({
      container: box.current,
      style: STYLE,
      elements: [
        ...graph.nodes.map((n) => ({ data: { id: `n${n.id}`, label: n.label, role: n.role ?? '' }, position: pos.get(n.id) })),
        ...graph.edges.map((e) => ({
          data: {
            id: e.id,
            source: `n${e.source}`,
            target: `n${e.target}`,
            edgeId: e.edgeId,
            paths: e.paths,
            cut: e.cut ? true : undefined,
            label: !big && e.likelihood !== null ? likelihood(e.likelihood) : '',
          },
        })),
      ],
      layout: { name: 'preset', fit: true, padding: 30 },
      minZoom: 0.01,
      maxZoom: 3,
      // Large graphs: draw a cheap texture while panning and zooming, so the page stays responsive.
      textureOnViewport: big,
      hideEdgesOnViewport: big,
      pixelRatio: 1,
      boxSelectionEnabled: false,
      autoungrabify: true,
    });
    c.on('tap', 'edge', (ev) => {
      const id = ev.target.data('edgeId');
      if (typeof id === 'number') onEdgeRef.current?.(id);
    });
    cy.current = c;
    // The end-to-end test reads rendered edge positions from here to click on the canvas.
    (box.current as HTMLDivElement & { cy?: cytoscape.Core }).cy = c;
    box.current.dataset.nodes = String(graph.nodes.length);
    box.current.dataset.ready = 'true';
    return () => {
      c.destroy();
      cy.current = null;
    };
  }, [graph]);

  useEffect(() => {
    const c = cy.current;
    if (!c) return;
    c.batch(() => {
      c.elements().removeClass('selected dim');
      if (selectedEdge != null) c.edges().filter((e) => e.data('edgeId') === selectedEdge).addClass('selected');
      if (highlightPath != null) {
        const onPath = c.edges().filter((e) => (e.data('paths') as number[]).includes(highlightPath));
        c.edges().not(onPath).addClass('dim');
        c.nodes().not(onPath.connectedNodes()).addClass('dim');
      }
    });
  }, [selectedEdge, highlightPath, graph]);

  return <div className="graph" ref={box} role="img" aria-label={label} data-testid="graph" />;
}
