// A workload's components as a small graph: the component that answers (or the service) on
// the left, the components it calls to its right, one arrow per linked import, labelled with
// the interface and how many calls crossed it.
import type { ChainNodeView } from '../../api/types.ts';
import { formatCount } from '../../lib/format.ts';

const BOX_W = 190;
const BOX_H = 40;
const COL_GAP = 120;
const ROW_GAP = 26;
const PAD = 8;
/** How far a link that skips a column arches above the boxes. */
const ARCH = 40;

interface Placed {
  node: ChainNodeView;
  x: number;
  y: number;
}

/** Columns by distance from the root (the chain's last node): callers left of what they call. */
function layout(chain: readonly ChainNodeView[]): Map<string, Placed> {
  const byName = new Map(chain.map((n) => [n.name, n]));
  const depth = new Map<string, number>();
  const visit = (name: string, d: number) => {
    if ((depth.get(name) ?? -1) >= d) return;
    depth.set(name, d);
    for (const link of byName.get(name)?.links ?? []) visit(link.component, d + 1);
  };
  const root = chain.at(-1);
  if (root) visit(root.name, 0);
  const rows = new Map<number, number>();
  const placed = new Map<string, Placed>();
  // Room above the boxes for links that skip a column.
  const skipping = chain.some((n) => n.links.some((l) => (depth.get(l.component) ?? 0) > (depth.get(n.name) ?? 0) + 1));
  // Providers come first in the chain; walking it backwards keeps the root's callees in order.
  for (const node of [...chain].reverse()) {
    const d = depth.get(node.name) ?? 0;
    const row = rows.get(d) ?? 0;
    rows.set(d, row + 1);
    placed.set(node.name, { node, x: PAD + d * (BOX_W + COL_GAP), y: PAD + (skipping ? 2 * ARCH : 0) + row * (BOX_H + ROW_GAP) });
  }
  return placed;
}

/** The interface without its package prefix and version, for a short label. */
function shortName(iface: string): string {
  return iface.replace(/^[^/]*\//, '').replace(/@.*$/, '');
}

export function ChainGraph({ chain }: { chain: readonly ChainNodeView[] }) {
  const placed = layout(chain);
  const all = [...placed.values()];
  const width = Math.max(...all.map((p) => p.x + BOX_W)) + PAD;
  const height = Math.max(...all.map((p) => p.y + BOX_H)) + PAD;
  const edges = chain.flatMap((node) => node.links.map((link) => ({ from: placed.get(node.name)!, to: placed.get(link.component), link })));
  return (
    <figure className="chain-graph" aria-label="Linked components">
      <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img">
        <defs>
          <marker id="chain-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" className="chain-arrow" />
          </marker>
        </defs>
        {edges.map(({ from, to, link }, i) => {
          if (!to) return null;
          const x1 = from.x + BOX_W;
          const y1 = from.y + BOX_H / 2;
          const x2 = to.x;
          const y2 = to.y + BOX_H / 2;
          // A link that skips a column arches over the boxes between, instead of through them.
          const skips = x2 - x1 > COL_GAP + 1;
          const midX = (x1 + x2) / 2;
          const midY = skips ? Math.min(y1, y2) - ARCH : (y1 + y2) / 2;
          const path = skips ? `M ${x1} ${y1} Q ${midX} ${midY - ARCH} ${x2} ${y2}` : `M ${x1} ${y1} L ${x2} ${y2}`;
          return (
            <g key={`${from.node.name}-${link.import}-${i}`} className="chain-edge">
              <title>{`${from.node.name} imports ${link.import} from ${link.component} (${link.export}): ${link.calls} calls`}</title>
              <path d={path} markerEnd="url(#chain-arrow)" />
              <text x={midX} y={skips ? midY - 20 : midY - 6} textAnchor="middle">
                {shortName(link.import)}
              </text>
              <text x={midX} y={skips ? midY - 6 : midY + 12} textAnchor="middle" className="chain-calls" data-testid={`calls-${from.node.name}-${link.component}`}>
                {formatCount(link.calls)} calls
              </text>
            </g>
          );
        })}
        {all.map(({ node, x, y }) => (
          <g key={node.name} className="chain-node" data-node={node.name}>
            <title>{node.wasmPath}</title>
            <rect x={x} y={y} width={BOX_W} height={BOX_H} rx={6} />
            <text x={x + BOX_W / 2} y={y + BOX_H / 2 + 4} textAnchor="middle">
              {node.name}
            </text>
          </g>
        ))}
      </svg>
    </figure>
  );
}
