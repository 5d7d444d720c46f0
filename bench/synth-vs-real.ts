/**
 * The synthetic library's spectra beside real MIR spectra: the same statistics
 * (src/core/synth/spectral-stats.ts) on the same grid, absorbance.
 * - Real: LimeSoDa's 389 spectra from five instruments (../shared/data/limesoda-mir,
 *   reflectance % → absorbance log10(100/R)); the 20 KSSL Vertex spectra of
 *   ../shared/data/ossl-samples (already absorbance) as a sanity check only.
 * - Synthetic: synth.library (defect-free rows), every source resampled to the same grid.
 * Grid: 752–3796 cm-1 every 4 (what every LimeSoDa instrument covers), linear interpolation.
 * Run: node --import tsx bench/synth-vs-real.ts [--n 3000] [--seed 1]
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { commonGrid } from "../src/core/spectra/common-grid.js";
import { xAbsorbance } from "../src/core/spectra/x-absorbance.js";
import { resamplePlan, xResample } from "../src/core/spectra/x-resample.js";
import { generateLibrary } from "../src/core/synth/library.js";
import { spectralStats, type SpectralStats } from "../src/core/synth/spectral-stats.js";
import { textColumn } from "../src/core/table.js";

const DATA = resolve(import.meta.dirname, "../../shared/data");
const LIMESODA = ["H_138", "NRW_115", "NRW_62", "NRW_42", "O_32"];
function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}
const N = Number(arg("n", "3000"));
const SEED = Number(arg("seed", "1"));
const GRID = commonGrid({ from: 752, to: 3796, step: 4 });
const P = GRID.length;

interface Set {
  values: Float64Array;
  groups: string[];
}

function push(rows: Float64Array[], groups: string[], wn: Float64Array, absorb: Float64Array, group: string) {
  rows.push(xResample(absorb, resamplePlan(wn, GRID)));
  groups.push(group);
}

function stack(rows: Float64Array[], groups: string[]): Set {
  const values = new Float64Array(rows.length * P);
  rows.forEach((r, i) => values.set(r, i * P));
  return { values, groups };
}

function readLimeSoDa(): Set {
  const rows: Float64Array[] = [];
  const groups: string[] = [];
  for (const f of LIMESODA) {
    const file = resolve(DATA, "limesoda-mir", `${f}.csv`);
    const lines = readFileSync(file, "utf8")
      .split(/\r?\n/)
      .filter((l) => l.trim());
    const head = lines[0]!.split(",");
    const cols = head.flatMap((h, j) => (h.startsWith("wn_") ? [j] : []));
    const wn = Float64Array.from(cols, (j) => Number(head[j]!.slice(3)));
    for (const line of lines.slice(1)) {
      const c = line.split(",");
      const r = Float64Array.from(cols, (j) => Number(c[j]));
      const a = xAbsorbance(r, { unit: "reflectance_percent" }).values;
      if (a.some((v) => !Number.isFinite(v))) throw new Error(`${file}: non-finite absorbance in row ${c[0]}`);
      push(rows, groups, wn, a, f);
    }
  }
  return stack(rows, groups);
}

function readKssl(): Set {
  const file = resolve(DATA, "ossl-samples", "sample_mir_data_kssl_vertex.csv");
  const lines = readFileSync(file, "utf8")
    .split(/\r?\n/)
    .filter((l) => l.trim());
  const wn = Float64Array.from(lines[0]!.split(",").slice(1), (h) => Number(h.replace(/"/g, "")));
  const rows: Float64Array[] = [];
  const groups: string[] = [];
  for (const line of lines.slice(1)) push(rows, groups, wn, Float64Array.from(line.split(",").slice(1), Number), "kssl");
  return stack(rows, groups);
}

/** Group label of mineral, carbonate-free soils of the reference source (the regional-set-like subset). */
const PLAIN = "kssl-like mineral, no carbonate";

function synthetic(): Set & { plain: Set } {
  const lib = generateLibrary({ n: N, seed: SEED });
  const defect = textColumn(lib.truth, "defect");
  const ids = textColumn(lib.truth, "sample_id");
  const organic = lib.truth.organic_soil as (boolean | null)[];
  const carbonate = lib.truth.carbonate as Float64Array;
  const bad = new Set(ids.filter((_, i) => defect[i] !== null));
  const plainIds = new Set(ids.filter((_, i) => !organic[i] && carbonate[i] === 0));
  const plainRows: Float64Array[] = [];
  const plainGroups: string[] = [];
  const rows: Float64Array[] = [];
  const groups: string[] = [];
  for (const b of lib.blocks) {
    const p = b.wavenumbers.length;
    b.ids.forEach((id, i) => {
      if (bad.has(id)) return;
      const a = xAbsorbance(b.values.subarray(i * p, (i + 1) * p), { unit: b.unit }).values;
      push(rows, groups, b.wavenumbers, a, b.source);
      if (b.source === "kssl-like" && plainIds.has(id)) push(plainRows, plainGroups, b.wavenumbers, a, PLAIN);
    });
  }
  return { ...stack(rows, groups), plain: stack(plainRows, plainGroups) };
}

if (!existsSync(resolve(DATA, "limesoda-mir"))) {
  console.error(`real spectra not found at ${DATA}/limesoda-mir (they live beside the checkout in ../shared/data)`);
  process.exit(1);
}
const t0 = performance.now();
const synth = synthetic();
const sets: [string, Set][] = [
  ["LimeSoDa (real, 5 instr.)", readLimeSoDa()],
  ["KSSL sample (real, 20)", readKssl()],
  [`synthetic n=${N} seed=${SEED}`, synth],
];
const stats: [string, SpectralStats][] = sets.map(([name, s]) => [name, spectralStats(s.values, GRID, { groups: s.groups })]);
// Within one instrument (no instrument effect): the largest real file vs the reference source.
const within = (s: Set, g: string): SpectralStats => {
  const idx = s.groups.flatMap((h, i) => (h === g ? [i] : []));
  const v = new Float64Array(idx.length * P);
  idx.forEach((i, k) => v.set(s.values.subarray(i * P, (i + 1) * P), k * P));
  return spectralStats(v, GRID);
};
stats.push(["H_138 alone (real)", within(sets[0]![1], "H_138")]);
stats.push(["NRW_115 alone (real)", within(sets[0]![1], "NRW_115")]);
stats.push(["kssl-like alone (synthetic)", within(sets[2]![1], "kssl-like")]);
stats.push([`${PLAIN} (synthetic)`, spectralStats(synth.plain.values, GRID)]);

const f = (v: number, d = 3) => (Number.isFinite(v) ? v.toFixed(d) : "—");
const rows: [string, (s: SpectralStats) => string][] = [
  ["spectra", (s) => String(s.n)],
  ["mean absorbance (5–95 % of spectra)", (s) => `${f(s.level.mean, 2)} (${f(s.level.q05, 2)}–${f(s.level.q95, 2)})`],
  ["PCA: PC1 / PC1–3 / PC1–5 share", (s) => `${f(s.pcaCumulative[0]!)} / ${f(s.pcaCumulative[2]!)} / ${f(s.pcaCumulative[4]!)}`],
  ["PCA: components for 95 % / 99 %", (s) => `${s.pcaFor95} / ${s.pcaFor99}`],
  ["noise σ̂ (SG-5 residual), median, ×1e-3", (s) => f(s.noise * 1e3, 2)],
  ...[0, 1, 2, 3, 4, 5].map((k): [string, (s: SpectralStats) => string] => [
    `noise ${DEFAULT_LABEL(k)} ×1e-3`,
    (s) => f(s.noiseByRegion[k]!.sd * 1e3, 2),
  ]),
  ["SD of baseline offset a (A at 2300)", (s) => f(s.offsetSd)],
  ["SD of baseline slope b (A per 1000 cm-1)", (s) => f(s.slopeSd)],
  ["CV of SNV scale (SD over ν)", (s) => f(s.snvScaleCv)],
  ["per-instrument means: RMS SD across instr.", (s) => (s.groups ? `${f(s.groups.meanSpread)} (${s.groups.count})` : "—")],
  [
    "per-instrument mean levels",
    (s) => (s.groups ? `${f(Math.min(...Object.values(s.groups.levels)), 2)}–${f(Math.max(...Object.values(s.groups.levels)), 2)}` : "—"),
  ],
];
function DEFAULT_LABEL(k: number): string {
  const r = stats[0]![1].noiseByRegion[k]!.region;
  return `${r[0]}–${r[1]} cm-1`;
}
console.log(`grid ${GRID[0]}–${GRID[P - 1]} cm-1 step 4 (${P} points), absorbance\n`);
console.log(`| statistic | ${stats.map(([n]) => n).join(" | ")} |`);
console.log(`|---|${stats.map(() => "---:").join("|")}|`);
for (const [name, fn] of rows) console.log(`| ${name} | ${stats.map(([, s]) => fn(s)).join(" | ")} |`);
console.log(`\n${((performance.now() - t0) / 1000).toFixed(1)} s`);
