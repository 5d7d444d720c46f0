/**
 * The step graph's geometry (reports/src/components/dag-routes.ts): every label fits its box,
 * and no edge crosses a box other than touching its own two ends — on the demo pipeline's DAG,
 * whose edges skip up to six columns.
 */
import { describe, expect, it } from "vitest";
import { dagGeometry, type DagBox } from "../../reports/src/components/dag-routes.js";
import { layoutDag } from "../../src/report/overview.js";

/** pipelines/demo.yaml's steps and needs. */
const DEMO = [
  { name: "library", needs: [] },
  { name: "preprocess", needs: ["library"] },
  { name: "qc", needs: ["library", "preprocess"] },
  { name: "targets", needs: ["qc"] },
  { name: "harmonize", needs: ["preprocess", "targets"] },
  { name: "train-c", needs: ["harmonize", "targets"] },
  { name: "train-om", needs: ["harmonize", "targets"] },
  { name: "train-multi", needs: ["harmonize", "targets"] },
  { name: "plsr-c", needs: ["harmonize", "targets"] },
  { name: "plsr-om", needs: ["harmonize", "targets"] },
  { name: "evaluate", needs: ["train-c", "train-om", "train-multi", "plsr-c", "plsr-om"] },
  { name: "impute", needs: ["targets", "train-c", "train-multi", "library"] },
];

/** 7 px a character: a stand-in for the browser's text measure. */
const labelWidth = (s: string) => 7 * s.length;

function demoGeometry(available?: number) {
  const layout = layoutDag(DEMO);
  const nodes = DEMO.map((s) => ({ name: s.name, ...layout.get(s.name)! }));
  const links = DEMO.flatMap((s) => s.needs.map((from) => ({ from, to: s.name })));
  return { links, geo: dagGeometry(nodes, links, { labelWidth, ...(available === undefined ? {} : { available }) }) };
}

/** True when segment p→q passes through the inside of box b (shrunk by `inset` px). */
function segmentCrossesBox(p: { x: number; y: number }, q: { x: number; y: number }, b: DagBox, inset = 0.5): boolean {
  const [x0, x1, y0, y1] = [b.x + inset, b.x2 - inset, b.y + inset, b.y2 - inset];
  // Liang–Barsky clipping of the segment against the box
  let t0 = 0;
  let t1 = 1;
  const dx = q.x - p.x;
  const dy = q.y - p.y;
  for (const [den, num] of [
    [-dx, p.x - x0],
    [dx, x1 - p.x],
    [-dy, p.y - y0],
    [dy, y1 - p.y],
  ] as const) {
    if (den === 0) {
      if (num < 0) return false;
    } else {
      const t = num / den;
      if (den < 0) t0 = Math.max(t0, t);
      else t1 = Math.min(t1, t);
    }
  }
  return t0 < t1;
}

describe("dagGeometry", () => {
  it("gives every step a box as wide as its label plus padding, one column per layer", () => {
    const { geo } = demoGeometry();
    const box = new Map(geo.boxes.map((b) => [b.name, b]));
    for (const b of geo.boxes) expect(b.x2 - b.x, b.name).toBeGreaterThanOrEqual(labelWidth(b.name) + 16);
    // one column per layer: the five models share a column, left of evaluate and impute
    const models = ["train-c", "train-om", "train-multi", "plsr-c", "plsr-om"].map((n) => box.get(n)!);
    expect(new Set(models.map((b) => b.x)).size).toBe(1);
    expect(box.get("impute")!.x).toBeGreaterThan(models[0]!.x2);
    expect(box.get("library")!.x).toBe(0);
    expect(geo.width).toBe(Math.max(...geo.boxes.map((b) => b.x2)));
    // boxes of one column do not touch: lanes of (44 − 26) px between them
    expect(models[1]!.y - models[0]!.y2).toBe(18);
  });

  it("routes every edge from its source's right side to its target's left side", () => {
    const { geo, links } = demoGeometry();
    expect(geo.routes).toHaveLength(links.length);
    const box = new Map(geo.boxes.map((b) => [b.name, b]));
    for (const r of geo.routes) {
      const first = r.points[0]!;
      const last = r.points.at(-1)!;
      expect(first, `${r.from}→${r.to}`).toEqual({ x: box.get(r.from)!.x2, y: box.get(r.from)!.cy });
      expect(last, `${r.from}→${r.to}`).toEqual({ x: box.get(r.to)!.x, y: box.get(r.to)!.cy });
    }
    // adjacent columns: one straight segment; library → impute skips five columns: four points
    expect(geo.routes.find((r) => r.from === "harmonize" && r.to === "train-c")!.points).toHaveLength(2);
    expect(geo.routes.find((r) => r.from === "library" && r.to === "impute")!.points).toHaveLength(4);
  });

  it("gives each source its own track in a shared lane, between the rows' boxes", () => {
    const { geo } = demoGeometry();
    const laneY = (from: string, to: string) => geo.routes.find((r) => r.from === from && r.to === to)!.points[1]!.y;
    // library, preprocess and targets all route below row 0, in the lane at y = 44 between row 0's
    // boxes (22 ± 13: 9..35) and row 1's (66 ± 13: 53..79)
    expect(laneY("library", "qc")).toBe(laneY("library", "impute"));
    const tracks = [laneY("library", "impute"), laneY("preprocess", "harmonize"), laneY("targets", "train-om")];
    expect(new Set(tracks).size).toBe(3);
    for (const y of tracks) {
      expect(y).toBeGreaterThan(35 + 1);
      expect(y).toBeLessThan(53 - 1);
    }
    // a skipping edge keeps its track from one gap to the other
    for (const r of geo.routes.filter((x) => x.points.length === 4)) expect(r.points[1]!.y).toBe(r.points[2]!.y);
  });

  it("crosses no box with any edge", () => {
    for (const available of [undefined, 400, 1200]) {
      const { geo } = demoGeometry(available);
      const crossings: string[] = [];
      for (const r of geo.routes) {
        for (let i = 1; i < r.points.length; i++) {
          for (const b of geo.boxes) {
            if (segmentCrossesBox(r.points[i - 1]!, r.points[i]!, b)) crossings.push(`${r.from}→${r.to} crosses ${b.name}`);
          }
        }
      }
      expect(crossings, `available ${available}`).toEqual([]);
    }
  });

  it("detects a crossing when there is one (the check is not vacuous)", () => {
    const { geo } = demoGeometry();
    const box = new Map(geo.boxes.map((b) => [b.name, b]));
    // the straight line library → impute, as the old chart drew it, passes through the model boxes
    const straight = [
      { x: box.get("library")!.cx, y: box.get("library")!.cy },
      { x: box.get("impute")!.cx, y: box.get("impute")!.cy },
    ] as const;
    expect(geo.boxes.filter((b) => segmentCrossesBox(straight[0], straight[1], b)).length).toBeGreaterThan(0);
  });

  it("spreads the columns over the available width, within the gap limits", () => {
    const narrow = demoGeometry(10).geo;
    const wide = demoGeometry(100_000).geo;
    const columns = 7;
    const labels = narrow.width - 6 * 40; // minimum gap 40 between the 7 columns
    expect(new Set(narrow.boxes.map((b) => b.x)).size).toBe(columns);
    expect(wide.width).toBe(labels + 6 * 100); // maximum gap 100
    expect(demoGeometry(labels + 6 * 70).geo.width).toBe(labels + 6 * 70);
  });

  it("handles a single step and an empty graph", () => {
    const one = dagGeometry([{ name: "only", layer: 0, row: 0 }], [], { labelWidth });
    expect(one.boxes).toHaveLength(1);
    expect(one.width).toBe(7 * 4 + 16);
    expect(one.routes).toEqual([]);
    expect(dagGeometry([], [], { labelWidth })).toEqual({ width: 0, height: 44, boxes: [], routes: [] });
  });
});
