/**
 * Geometry of the overview's step graph, in pixels: one column per layer (longest path from a
 * root), a box per step holding its label, and edges that never cross a box. An edge leaves its
 * step's box on the right and enters the next one's on the left; between adjacent columns it is a
 * straight segment in the gap, where no box is. An edge that skips columns runs along the lane
 * half a row above or below its source's row — between the boxes of every column it passes, on
 * a track of its source's within the lane — and turns into the gaps at both ends. Labels sit
 * inside their boxes, so no edge crosses a label.
 * Pure (the page passes a text measure), so it is tested without a browser.
 */

export interface DagPlacement {
  name: string;
  /** Column (0 = steps that need nothing). */
  layer: number;
  /** Position within the column. */
  row: number;
}

export interface DagLink {
  from: string;
  to: string;
}

export interface DagGeometryOptions {
  /** Width of a label in pixels (the page measures it in the chart's font). */
  labelWidth: (label: string) => number;
  /** Space the chart may take; the gaps between columns shrink to `minGap` to fit it. */
  available?: number;
  /** Horizontal padding inside a box, each side. Default 8. */
  padX?: number;
  /** Distance between row centres. Default 44. */
  rowHeight?: number;
  /** Box height, less than rowHeight so lanes run between boxes. Default 26. */
  boxHeight?: number;
  minGap?: number;
  maxGap?: number;
}

export interface DagBox {
  name: string;
  x: number;
  x2: number;
  y: number;
  y2: number;
  /** Centre, where the label goes. */
  cx: number;
  cy: number;
}

export interface DagRoute {
  from: string;
  to: string;
  points: { x: number; y: number }[];
}

export interface DagGeometry {
  width: number;
  height: number;
  boxes: DagBox[];
  routes: DagRoute[];
}

export function dagGeometry(nodes: readonly DagPlacement[], links: readonly DagLink[], options: DagGeometryOptions): DagGeometry {
  const padX = options.padX ?? 8;
  const rowHeight = options.rowHeight ?? 44;
  const boxHeight = Math.min(options.boxHeight ?? 26, rowHeight - 8);
  const minGap = options.minGap ?? 40;
  const maxGap = options.maxGap ?? 100;
  const layers = Math.max(0, ...nodes.map((n) => n.layer + 1));
  const rows = Math.max(1, ...nodes.map((n) => n.row + 1));
  // each column as wide as its widest label
  const colWidth = Array.from({ length: layers }, () => 0);
  for (const n of nodes) colWidth[n.layer] = Math.max(colWidth[n.layer]!, Math.ceil(options.labelWidth(n.name)) + 2 * padX);
  const sum = colWidth.reduce((a, b) => a + b, 0);
  const free = options.available === undefined ? Infinity : options.available - sum;
  const gap = layers > 1 ? Math.floor(Math.max(minGap, Math.min(maxGap, free / (layers - 1)))) : 0;
  const left: number[] = [];
  for (let l = 0, x = 0; l < layers; l++) {
    left.push(x);
    x += colWidth[l]! + gap;
  }
  const right = (l: number) => left[l]! + colWidth[l]!;
  const cy = (row: number) => row * rowHeight + rowHeight / 2;
  const boxes = nodes.map((n) => ({
    name: n.name,
    x: left[n.layer]!,
    x2: right(n.layer),
    y: cy(n.row) - boxHeight / 2,
    y2: cy(n.row) + boxHeight / 2,
    cx: left[n.layer]! + colWidth[n.layer]! / 2,
    cy: cy(n.row),
  }));
  const at = new Map(nodes.map((n) => [n.name, n] as const));
  // Edges that skip columns run along the lane between rows on the side of the target (below
  // when level); within a lane each source gets a track of its own, so bundles from different
  // steps stay apart while staying between the boxes.
  const laneOf = (a: DagPlacement, b: DagPlacement) => cy(a.row) + (b.row < a.row ? -rowHeight / 2 : rowHeight / 2);
  const tracks = new Map<number, string[]>();
  for (const { from, to } of links) {
    const a = at.get(from);
    const b = at.get(to);
    if (!a || !b || b.layer <= a.layer + 1) continue;
    const sources = tracks.get(laneOf(a, b)) ?? [];
    if (!sources.includes(from)) sources.push(from);
    tracks.set(laneOf(a, b), sources);
  }
  const room = rowHeight - boxHeight - 4;
  const trackY = (lane: number, from: string) => {
    const sources = tracks.get(lane)!;
    const k = sources.length;
    return lane + (sources.indexOf(from) - (k - 1) / 2) * Math.min(6, room / Math.max(1, k - 1));
  };
  const routes: DagRoute[] = [];
  for (const { from, to } of links) {
    const a = at.get(from);
    const b = at.get(to);
    if (!a || !b || b.layer <= a.layer) continue; // needs always sit in an earlier column
    const start = { x: right(a.layer), y: cy(a.row) };
    const end = { x: left[b.layer]!, y: cy(b.row) };
    if (b.layer === a.layer + 1) routes.push({ from, to, points: [start, end] });
    else {
      const y = trackY(laneOf(a, b), from);
      routes.push({ from, to, points: [start, { x: left[a.layer + 1]!, y }, { x: right(b.layer - 1), y }, end] });
    }
  }
  return { width: layers ? right(layers - 1) : 0, height: rows * rowHeight, boxes, routes };
}
