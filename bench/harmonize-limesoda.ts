/**
 * Real-data check of spectral harmonization on LimeSoDa MIR (../shared/data/limesoda-mir):
 * PLSR trained on NRW_115 + H_138 (reflectance % → absorbance, SOC % → g/kg x10), applied to
 * NRW_62, NRW_42 and O_32 — RMSE and bias with and without harmonization (reference NRW_115).
 * LimeSoDa has no transfer samples, so only reference-free methods (coral, instrument) apply.
 * Run: node --import tsx bench/harmonize-limesoda.ts   (prints a markdown table)
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { emptyArtifact, runStepInMemory } from "../src/engine/memory-step.js";
import { spectraPreprocess } from "../src/steps/spectra/preprocess.js";
import { harmonizeSpectra } from "../src/steps/harmonize/spectra.js";
import { plsPredict, plsRegressionFit } from "../src/core/chemometrics/pls-regression.js";
import type { SpectraBlock } from "../src/core/spectra/block.js";

const DIR = resolve(import.meta.dirname, "../../shared/data/limesoda-mir");
if (!existsSync(DIR)) {
  console.error(`LimeSoDa data not found at ${DIR} (it lives beside the checkout in ../shared/data)`);
  process.exit(1);
}
const TRAIN = ["NRW_115", "H_138"];
const TEST = ["NRW_62", "NRW_42", "O_32"];
const COMPONENTS = Number(process.env.PLS_COMPONENTS ?? 10);

interface Source {
  block: SpectraBlock;
  soc: Map<string, number>;
}

/** Simple local CSV parse (numeric LimeSoDa files, no quoted commas). */
function load(name: string): Source {
  const lines = readFileSync(resolve(DIR, `${name}.csv`), "utf8")
    .split(/\r?\n/)
    .filter((l) => l.trim());
  const head = lines[0]!.split(",").map((h) => h.replace(/"/g, ""));
  const wnCols = head.flatMap((h, i) => (h.startsWith("wn_") ? [i] : []));
  const idCol = head.indexOf("sample_id");
  const socCol = head.indexOf("SOC_target");
  const wavenumbers = Float64Array.from(wnCols, (i) => Number(head[i]!.slice(3)));
  const ids: string[] = [];
  const soc = new Map<string, number>();
  const values = new Float32Array((lines.length - 1) * wnCols.length);
  lines.slice(1).forEach((l, r) => {
    const cells = l.split(",");
    const id = `${name}:${cells[idCol]!.replace(/"/g, "")}`;
    ids.push(id);
    soc.set(id, 10 * Number(cells[socCol]));
    wnCols.forEach((c, j) => (values[r * wnCols.length + j] = Number(cells[c])));
  });
  return { block: { source: name, instrument: name, unit: "reflectance_percent", wavenumbers, ids, values }, soc };
}

const sources = [...TRAIN, ...TEST].map(load);
const soc = new Map<string, number>();
for (const s of sources) for (const [k, v] of s.soc) soc.set(k, v);

async function preprocess(normalize: string): Promise<SpectraBlock[]> {
  const art = emptyArtifact();
  art.spectra.set(
    "spectra",
    sources.map((s) => s.block),
  );
  const res = await runStepInMemory(spectraPreprocess, { grid: { from: 752, to: 3796, step: 4 }, normalize }, [
    { step: "ingest", type: "ingest.limesoda", artifact: art },
  ]);
  if (normalize === "none") {
    const log = res.artifact.tables.get("preprocess_log")!;
    const counts = new Map<string, number>();
    (log.source as string[]).forEach((s, i) => {
      const d = (log.defects as (string | null)[])[i];
      if (d) counts.set(`${s} ${d}`, (counts.get(`${s} ${d}`) ?? 0) + 1);
    });
    console.log(`scan defects found by spectra.preprocess: ${[...counts].map(([k, v]) => `${k}: ${v}`).join(", ") || "none"}`);
  }
  return res.artifact.spectra.get("spectra")!;
}

async function harmonize(
  blocks: SpectraBlock[],
  options: Record<string, unknown>,
): Promise<{ blocks: SpectraBlock[]; dist: Map<string, [number, number]> }> {
  const art = emptyArtifact();
  art.spectra.set("spectra", blocks);
  const res = await runStepInMemory(harmonizeSpectra, { reference: "NRW_115", ...options }, [
    { step: "pre", type: "spectra.preprocess", artifact: art },
  ]);
  const h = res.artifact.tables.get("harmonization")!;
  const dist = new Map<string, [number, number]>();
  (h.source as string[]).forEach((s, i) => dist.set(s, [(h.distance_before as Float64Array)[i]!, (h.distance_after as Float64Array)[i]!]));
  return { blocks: res.artifact.spectra.get("spectra")!, dist };
}

function evaluate(blocks: SpectraBlock[]): Map<string, { rmse: number; bias: number; n: number }> {
  const p = blocks[0]!.wavenumbers.length;
  const train = blocks.filter((b) => TRAIN.includes(b.source));
  const n = train.reduce((s, b) => s + b.ids.length, 0);
  const x = new Float32Array(n * p);
  const y: number[] = [];
  let off = 0;
  for (const b of train) {
    x.set(b.values, off * p);
    off += b.ids.length;
    y.push(...b.ids.map((id) => soc.get(id)!));
  }
  const model = plsRegressionFit(x, p, Float64Array.from(y), COMPONENTS);
  const out = new Map<string, { rmse: number; bias: number; n: number }>();
  for (const b of blocks.filter((b) => TEST.includes(b.source))) {
    const pred = plsPredict(model, b.values);
    let se = 0;
    let e = 0;
    b.ids.forEach((id, i) => {
      const r = pred[i]! - soc.get(id)!;
      se += r * r;
      e += r;
    });
    out.set(b.source, { rmse: Math.sqrt(se / b.ids.length), bias: e / b.ids.length, n: b.ids.length });
  }
  return out;
}

const rows: string[] = [];
const t0 = performance.now();
for (const normalize of ["none", "snv"]) {
  const pre = await preprocess(normalize);
  const variants: [string, Record<string, unknown> | null][] = [
    ["none", null],
    ["coral (k=5, mean_shift full)", { method: "coral", components: 5, coral: { mean_shift: "full" } }],
    ["coral (k=5, mean_shift none)", { method: "coral", components: 5, coral: { mean_shift: "none" } }],
    ["instrument (k=5, neighbours)", { method: "instrument", components: 5 }],
  ];
  for (const [label, opts] of variants) {
    const { blocks, dist } = opts ? await harmonize(pre, opts) : await harmonize(pre, { method: "none", components: 5 });
    const m = evaluate(blocks);
    for (const s of TEST) {
      const r = m.get(s)!;
      const d = dist.get(s)!;
      rows.push(
        `| ${normalize} | ${label} | ${s} | ${r.n} | ${r.rmse.toFixed(2)} | ${r.bias >= 0 ? "+" : ""}${r.bias.toFixed(2)} | ${d[0].toFixed(2)} → ${d[1].toFixed(2)} |`,
      );
    }
  }
}
console.log(
  `PLSR (${COMPONENTS} components) trained on ${TRAIN.join(" + ")}; reference NRW_115; grid 752–3796 cm-1 step 4, CO2 2300–2400 removed. SOC in g/kg.\n`,
);
console.log("| preprocessing | harmonization | test source | n | RMSE | bias | Mahalanobis to NRW_115 (before → after) |");
console.log("|---|---|---|---|---|---|---|");
console.log(rows.join("\n"));
const sd = (id: string[]) => {
  const v = id.map((k) => soc.get(k)!);
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return `${m.toFixed(1)} ± ${Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1)).toFixed(1)}`;
};
console.log(`\nSOC g/kg (mean ± sd): ${sources.map((s) => `${s.block.source} ${sd(s.block.ids as string[])}`).join(", ")}`);
console.log(`(${((performance.now() - t0) / 1000).toFixed(1)} s)`);
