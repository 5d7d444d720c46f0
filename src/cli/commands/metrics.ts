import type { Command } from "../main.js";
import { findRun, runMetrics } from "../../engine/queries.js";
import type { MetricRow } from "../../contracts/metrics.js";
import { PUBLISHED_REFERENCE, REFERENCE_LABEL } from "../../report/reference.js";
import { parse, resolveStore, storeOption } from "../shared.js";

/** Held-out splits first: what a reader compares; then the others in a fixed order. */
const SPLIT_ORDER = ["test", "cv", "missing-truth", "calibration", "cal", "val", "validation", "train"];
const TARGET_NAMES: Record<string, string> = { c: "organic carbon", om: "organic matter" };

const splitRank = (s: string) => {
  const i = SPLIT_ORDER.indexOf(s);
  return i < 0 ? SPLIT_ORDER.length : i;
};
const groupRank = (g: string) => (g === "all" ? 0 : g.startsWith("source=") ? 1 : g.startsWith("depth=") ? 2 : 3);
/** Depth groups in numeric order (0-30, 30-100, 100-200), others by name. */
const groupKey = (g: string) => g.replace(/\d+/g, (d) => d.padStart(6, "0"));

/** Rows sorted by target, scale (g/kg first), split (test first), step, group. */
export function sortMetricRows(rows: readonly MetricRow[]): MetricRow[] {
  return [...rows].sort(
    (a, b) =>
      a.target.localeCompare(b.target) ||
      (a.scale === "gkg" ? 0 : 1) - (b.scale === "gkg" ? 0 : 1) ||
      a.scale.localeCompare(b.scale) ||
      splitRank(a.split) - splitRank(b.split) ||
      a.split.localeCompare(b.split) ||
      a.step.localeCompare(b.step) ||
      groupRank(a.group) - groupRank(b.group) ||
      groupKey(a.group).localeCompare(groupKey(b.group)),
  );
}

/** Three significant digits (R², coverage: three decimals), never exponent notation for soil values. */
function num(v: number | null | undefined, kind: "fraction" | "value"): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  if (kind === "fraction") return v.toFixed(3);
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(1) : a >= 10 ? v.toFixed(2) : v.toFixed(3);
}

export interface MetricsTableOptions {
  split?: string;
  target?: string;
}

/**
 * The human form of `somflow metrics`: one block per target and scale, units in the header,
 * rows sorted (test first), `n` as an integer, and in the g/kg blocks the published study's
 * test values as a reference row.
 */
export function formatMetricsTable(rows: readonly MetricRow[], o: MetricsTableOptions = {}): string[] {
  const picked = sortMetricRows(rows.filter((r) => (!o.split || r.split === o.split) && (!o.target || r.target === o.target)));
  const out: string[] = [];
  const blocks = new Map<string, MetricRow[]>();
  for (const r of picked) {
    const k = `${r.target}\u0000${r.scale}`;
    blocks.set(k, [...(blocks.get(k) ?? []), r]);
  }
  for (const [k, block] of blocks) {
    const [target, scale] = k.split("\u0000") as [string, string];
    const unit = scale === "gkg" ? "g/kg" : scale === "log1p" ? "ln(1+g/kg)" : scale;
    out.push("", `${target} (${TARGET_NAMES[target] ?? target}), ${scale === "gkg" ? "g/kg" : `${scale} scale`}`);
    const head = ["step", "model", "split", "group", "n", "R²", `RMSE ${unit}`, `MAE ${unit}`, `bias ${unit}`, "RPIQ", "CCC", "PI cov"];
    const cells = block.map((r) => [
      r.step,
      r.model,
      r.split,
      r.group,
      Number.isFinite(r.n) ? String(Math.round(r.n)) : "—",
      num(r.r2, "fraction"),
      num(r.rmse, "value"),
      num(r.mae, "value"),
      num(r.bias, "value"),
      num(r.rpiq, "value"),
      num(r.ccc, "fraction"),
      r.pi_coverage === null || r.pi_coverage === undefined
        ? "—"
        : `${num(r.pi_coverage, "fraction")}${r.pi_level ? ` (${Math.round(r.pi_level * 100)} %)` : ""}`,
    ]);
    const ref = scale === "gkg" && (!o.split || o.split === "test") ? PUBLISHED_REFERENCE.find((p) => p.target === target) : undefined;
    if (ref) {
      cells.push([
        REFERENCE_LABEL,
        "",
        "test",
        "all",
        "",
        num(ref.r2, "fraction"),
        num(ref.rmse, "value"),
        num(ref.mae, "value"),
        "—",
        num(ref.rpiq, "value"),
        "—",
        "—",
      ]);
    }
    const numeric = new Set([4, 5, 6, 7, 8, 9, 10]);
    const widths = head.map((h, j) => Math.max(h.length, ...cells.map((c) => c[j]!.length)));
    const line = (c: string[]) =>
      c
        .map((v, j) => (numeric.has(j) ? v.padStart(widths[j]!) : v.padEnd(widths[j]!)))
        .join("  ")
        .trimEnd();
    out.push(line(head), ...cells.map(line));
  }
  return out;
}

export const command: Command = {
  usage: "somflow metrics [--run ID] [--pipeline NAME] [--split test|cv|…] [--target c|om] [--store DIR] [--json]",
  async run(args) {
    const { values } = parse(args, {
      ...storeOption,
      run: { type: "string" },
      pipeline: { type: "string" },
      json: { type: "boolean" },
      split: { type: "string" },
      target: { type: "string" },
    });
    const store = resolveStore(values.store);
    const run = await findRun(store, values.run, values.pipeline);
    const all = await runMetrics(store, run);
    const rows = all.filter((r) => (!values.split || r.split === values.split) && (!values.target || r.target === values.target));
    if (values.json) {
      console.log(JSON.stringify(rows));
      return 0;
    }
    console.log(`run ${run.run_id} (${run.pipeline}): ${rows.length} of ${all.length} metric rows`);
    if (rows.length === 0) {
      const splits = [...new Set(all.map((r) => r.split))].join(", ") || "none";
      const targets = [...new Set(all.map((r) => r.target))].join(", ") || "none";
      console.log(`no rows match; splits: ${splits}; targets: ${targets}`);
      return 0;
    }
    for (const l of formatMetricsTable(rows, { split: values.split, target: values.target })) console.log(l);
    console.log("", "R², CCC, PI cov: fractions; PI cov = share of observations inside the prediction interval (its level in brackets).");
    return 0;
  },
};
