/**
 * Real-data check of the CNN against PLSR on LimeSoDa MIR (../shared/data/limesoda-mir, 5 files,
 * n = 32…138): for each file, 10-fold CV with the file's own `fold` column, SOC only.
 * - Ingest: src/formats/wide-table.ts (reflectance %, SOC % → g/kg ×10), then spectra.preprocess
 *   in memory (common 4 cm-1 grid 752–3796 cm-1, reflectance % → absorbance, CO2 band trimmed,
 *   SNV by default: it helped the CNN at these n (R² +0.02…+0.33 on 4 of 5 files) and PLSR on 3).
 * - Both models fit log1p(SOC g/kg); metrics on g/kg of the pooled out-of-fold predictions.
 * - PLSR: plsRegressionCv (components by inner 5-fold CV, one-SE rule, ≤ 15).
 * - CNN: trainCnn, a small net for n ≈ 30–125 training spectra (8k9/16k7/16k5, pools 4/4/2,
 *   flatten → dense 32), MSE on standardized log1p targets, cosine LR, fixed epochs (no
 *   validation split at these n), seed 1 — the same core the cnn.train step uses.
 * Run: node --import tsx bench/limesoda-cv-core.ts [--epochs 60] [--normalize snv|none]  (~2.5 min on 2 cores)
 * Prints a markdown table (one row per file × model) and the wall time.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { initBackend } from "../src/runtime/cnn/backend.js";
import type { ArchitectureConfig, CnnConfig, TargetStats } from "../src/core/cnn/model.js";
import { fitInputScaling, predictRaw, scaleRows } from "../src/core/cnn/predict.js";
import { trainCnn } from "../src/runtime/cnn/train.js";
import { plsPredict, plsRegressionCv } from "../src/core/chemometrics/pls-regression.js";
import type { SpectraBlock } from "../src/core/spectra/block.js";
import { regressionMetrics } from "../src/core/stats/metrics.js";
import { emptyArtifact, runStepInMemory } from "../src/engine/memory-step.js";
import { parseWideTable } from "../src/formats/wide-table.js";
import { spectraPreprocess } from "../src/steps/spectra/preprocess.js";

const DIR = resolve(import.meta.dirname, "../../shared/data/limesoda-mir");
if (!existsSync(DIR)) {
  console.error(`LimeSoDa data not found at ${DIR} (it lives beside the checkout in ../shared/data)`);
  process.exit(1);
}
const FILES = ["O_32", "NRW_42", "NRW_62", "NRW_115", "H_138"];
function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}
const EPOCHS = Number(arg("epochs", "60"));
const NORMALIZE = arg("normalize", "snv");

const b = (filters: number, kernel: number, pool: number) => ({ filters, kernel, pool, dropout: 0, batchNorm: false });
/** Small-data CNN: ~10k parameters, most in the dense layer. */
export const SMALL_ARCH: ArchitectureConfig = {
  conv: [b(8, 9, 4), b(16, 7, 4), b(16, 5, 2)],
  headPool: "flatten",
  dense: [32],
  denseDropout: 0.2,
};

/** The `fold` column (1…10) by sample_id, read straight from the CSV (ingest keeps only its own columns). */
function folds(file: string): Map<string, number> {
  const lines = readFileSync(file, "utf8")
    .split(/\r?\n/)
    .filter((l) => l.trim());
  const head = lines[0]!.split(",").map((h) => h.replace(/"/g, ""));
  const id = head.indexOf("sample_id");
  const fold = head.indexOf("fold");
  return new Map(
    lines.slice(1).map((l) => {
      const c = l.split(",").map((v) => v.replace(/"/g, ""));
      return [c[id]!, Number(c[fold])];
    }),
  );
}

async function load(name: string) {
  const file = resolve(DIR, `${name}.csv`);
  const ing = parseWideTable(file, readFileSync(file), {
    spectralPrefix: "wn_",
    unit: "reflectance_percent",
    idColumn: "sample_id",
    source: name,
    targets: { c: { column: "SOC_target", unit: "percent" } },
  });
  const art = emptyArtifact();
  art.spectra.set("spectra", ing.blocks);
  const res = await runStepInMemory(spectraPreprocess, { grid: { from: 752, to: 3796, step: 4 }, normalize: NORMALIZE }, [
    { step: "ingest", type: "ingest.table", artifact: art },
  ]);
  const blocks = res.artifact.spectra.get("spectra")! as SpectraBlock[];
  const block = blocks[0]!;
  const p = block.wavenumbers.length;
  const ids = ing.samples.sample_id as (string | null)[];
  const soc = ing.samples.c_gkg as Float64Array;
  const socOf = new Map(ids.map((id, i) => [id!, soc[i]!]));
  const foldOf = folds(file);
  const keep: number[] = [];
  block.ids.forEach((id, r) => {
    const v = socOf.get(id);
    if (v !== undefined && Number.isFinite(v) && block.values.subarray(r * p, (r + 1) * p).every(Number.isFinite)) keep.push(r);
  });
  const x = new Float32Array(keep.length * p);
  keep.forEach((r, k) => x.set(block.values.subarray(r * p, (r + 1) * p), k * p));
  const y = Float64Array.from(keep, (r) => socOf.get(block.ids[r]!)!);
  const fold = Int32Array.from(keep, (r) => foldOf.get(block.ids[r]!) ?? 0);
  return { x, y, fold, p, dropped: block.ids.length - keep.length };
}

function rows(fold: Int32Array, f: number, inFold: boolean): Int32Array {
  return Int32Array.from(Array.from(fold.keys()).filter((i) => (fold[i] === f) === inFold));
}

function take(x: Float32Array, p: number, idx: Int32Array): Float32Array {
  const out = new Float32Array(idx.length * p);
  idx.forEach((r, k) => out.set(x.subarray(r * p, (r + 1) * p), k * p));
  return out;
}

function meanSd(v: number[]): { mean: number; sd: number } {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return { mean: m, sd: Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, v.length - 1)) };
}

const fmt = (v: number | null) => (v === null ? "–" : v.toFixed(2));
const started = performance.now();
const backend = await initBackend("auto");
const table: string[] = ["| file | n | model | R² | RMSE (g/kg) | RPIQ | seconds |", "|---|---:|---|---:|---:|---:|---:|"];
for (const name of FILES) {
  const d = await load(name);
  const n = d.y.length;
  const ty = Float64Array.from(d.y, Math.log1p);
  const predPls = new Float64Array(n);
  const predCnn = new Float64Array(n);
  const foldIds = [...new Set(d.fold)].sort((a, b) => a - b);
  let tPls = 0;
  let tCnn = 0;
  for (const f of foldIds) {
    const tr = rows(d.fold, f, false);
    const te = rows(d.fold, f, true);
    let t0 = performance.now();
    const pls = plsRegressionCv(
      take(d.x, d.p, tr),
      d.p,
      Float64Array.from(tr, (i) => ty[i]!),
      { maxComponents: 15, folds: 5, seed: 1 },
    );
    plsPredict(pls.model, take(d.x, d.p, te)).forEach((v, k) => (predPls[te[k]!] = Math.expm1(v)));
    tPls += performance.now() - t0;

    t0 = performance.now();
    const ms = meanSd(Array.from(tr, (i) => ty[i]!));
    const stats: TargetStats = { mean: { c: ms.mean, om: NaN }, sd: { c: ms.sd > 1e-3 ? ms.sd : 1, om: NaN }, ratio0: 1.724 };
    const config: CnnConfig = { inputPoints: d.p, target: "c", variance: false, arch: SMALL_ARCH };
    const input = fitInputScaling(d.x, d.p, tr);
    const xs = scaleRows(d.x, d.p, input);
    const y = [Float32Array.from(ty, (v, i) => (d.fold[i] === f ? NaN : v))];
    const res = await trainCnn(
      config,
      stats,
      { x: xs, y, train: tr, val: new Int32Array(0) },
      {
        epochs: EPOCHS,
        batch: 16,
        lr: 2e-3,
        patience: 0,
        seed: 1,
        schedule: "cosine",
        clipNorm: 5,
        threads: 1,
        backend: "auto",
      },
    );
    const raw = predictRaw({ config, stats, input, members: [{ weights: res.weights, state: res.state }] }, take(d.x, d.p, te));
    raw.c.t.forEach((v, k) => (predCnn[te[k]!] = Math.expm1(v)));
    tCnn += performance.now() - t0;
  }
  for (const [model, pred, ms] of [
    ["PLSR", predPls, tPls],
    ["CNN", predCnn, tCnn],
  ] as const) {
    const m = regressionMetrics(d.y, pred);
    table.push(`| ${name} | ${n} | ${model} | ${fmt(m.r2)} | ${fmt(m.rmse)} | ${fmt(m.rpiq)} | ${(ms / 1000).toFixed(1)} |`);
  }
  console.error(`${name}: n=${n}, ${foldIds.length} folds, ${d.dropped} dropped (non-finite spectrum or SOC) done`);
}
console.log(table.join("\n"));
console.log(
  `\n10-fold CV (LimeSoDa folds), SOC g/kg; backend ${backend}, 1 thread, CNN ${EPOCHS} epochs, normalize ${NORMALIZE}; ` +
    `wall ${((performance.now() - started) / 1000).toFixed(0)} s`,
);
