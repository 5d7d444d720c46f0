/**
 * A synthetic ring trial for scoring harmonization: the demo-like library (each source its own
 * soils) plus shared latent soils rendered through every instrument, all through the real
 * `spectra.preprocess`; then the real `harmonize.spectra` per method, scored against the known
 * truth (the same soil on the reference instrument).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { emptyArtifact, runStepInMemory } from "../../../src/engine/memory-step.js";
import { spectraPreprocess } from "../../../src/steps/spectra/preprocess.js";
import { harmonizeSpectra } from "../../../src/steps/harmonize/spectra.js";
import { plsPredict, plsRegressionFit } from "../../../src/core/chemometrics/pls-regression.js";
import { generateLibrary } from "../../../src/core/synth/library.js";
import { renderThroughInstruments, sampleSoils } from "../../../src/core/synth/render.js";
import type { SpectraBlock } from "../../../src/core/spectra/block.js";
import { numberColumn, textColumn } from "../../../src/core/table.js";

export interface RingTrial {
  reference: string;
  /** Preprocessed blocks: each source's own soils followed by its renderings of the shared soils. */
  blocks: SpectraBlock[];
  transferIds: string[];
  evalIds: string[];
  /** True C (g/kg) by row id (own soils and `<soil>@<source>`). */
  cTrue: Map<string, number>;
  transferCsv: string;
}

export async function syntheticRingTrial(o: { n: number; seed: number; shared?: number; transfer?: number }): Promise<RingTrial> {
  const lib = generateLibrary({ n: o.n, seed: o.seed, defectRate: 0 });
  const shared = o.shared ?? 100;
  const nTransfer = o.transfer ?? 40;
  const soils = sampleSoils(shared, o.seed + 1);
  const soilIds = soils.map((_, i) => `ring-${String(i + 1).padStart(3, "0")}`);
  const rendered = renderThroughInstruments(soils, lib.instruments, o.seed + 2, { ids: soilIds });
  const raw = lib.blocks.map((b, s) => {
    const r = rendered[s]!;
    const values = new Float32Array(b.values.length + r.values.length);
    values.set(b.values);
    values.set(r.values, b.values.length);
    return { ...b, ids: [...b.ids, ...r.ids], values };
  });
  const cTrue = new Map<string, number>();
  const ids = textColumn(lib.truth, "sample_id");
  const c = numberColumn(lib.truth, "c_true_gkg");
  ids.forEach((id, i) => cTrue.set(id!, c[i]!));
  for (const b of rendered) b.ids.forEach((id, i) => cTrue.set(id, soils[i]!.cTrue));
  const art = emptyArtifact();
  art.spectra.set("spectra", raw);
  const pre = await runStepInMemory(spectraPreprocess, { grid: { from: 600, to: 4000, step: 4 }, out_of_range: "trim" }, [
    { step: "library", type: "synth.library", artifact: art },
  ]);
  const reference = lib.instruments.find((x) => x.reference)!.source;
  const transferIds = soilIds.slice(0, nTransfer);
  const dir = mkdtempSync(join(tmpdir(), "somflow-ring-"));
  const transferCsv = join(dir, "pairs.csv");
  const lines = ["reference_id,sample_id"];
  for (const inst of lib.instruments)
    if (inst.source !== reference) for (const id of transferIds) lines.push(`${id}@${reference},${id}@${inst.source}`);
  writeFileSync(transferCsv, lines.join("\n") + "\n");
  return { reference, blocks: pre.artifact.spectra.get("spectra")!, transferIds, evalIds: soilIds.slice(nTransfer), cTrue, transferCsv };
}

export interface SourceScore {
  source: string;
  distBefore: number;
  distAfter: number;
  /** Mean (prediction − true C), g/kg, over the evaluation soils. */
  biasBefore: number;
  biasAfter: number;
  /** Mean (prediction − prediction of the reference's rendering of the same soil): the bias the instrument adds. */
  instBiasBefore: number;
  instBiasAfter: number;
}

export interface HarmonizationScore {
  rows: SourceScore[];
  /** 1 − Σ after / Σ before over the non-reference sources. */
  distanceReduction: number;
  /** 1 − mean |bias after| / mean |bias before| (bias against true C). */
  biasReduction: number;
  /** The same for the bias against the reference's rendering (what an instrument adds). */
  instBiasReduction: number;
  refBiasBefore: number;
  refBiasAfter: number;
  table: Record<string, unknown>;
}

const OPTIONS: Record<string, (t: RingTrial) => Record<string, unknown>> = {
  none: () => ({ method: "none" }),
  coral: () => ({ method: "coral" }),
  "coral-none": () => ({ method: "coral", coral: { mean_shift: "none" } }),
  sst: (t) => ({ method: "sst", transfer_csv: t.transferCsv, sst: { components: 8 } }),
  pds: (t) => ({ method: "pds", transfer_csv: t.transferCsv }),
  instrument: () => ({ method: "instrument" }),
  "instrument-mean": () => ({ method: "instrument", instrument: { match: "mean" } }),
  epo: (t) => ({ method: "epo", transfer_csv: t.transferCsv, epo: { components: 4 } }),
};

function rowsById(b: SpectraBlock): Map<string, number> {
  return new Map(b.ids.map((id, i) => [id, i]));
}

function score(
  blocks: SpectraBlock[],
  t: RingTrial,
): { dist: Map<string, number>; bias: Map<string, number>; instBias: Map<string, number> } {
  const ref = blocks.find((b) => b.source === t.reference)!;
  const p = ref.wavenumbers.length;
  const refRows = rowsById(ref);
  const own = ref.ids.flatMap((id, i) => (id.includes("@") ? [] : [i]));
  const x = new Float32Array(own.length * p);
  own.forEach((r, i) => x.set(ref.values.subarray(r * p, (r + 1) * p), i * p));
  const model = plsRegressionFit(
    x,
    p,
    Float64Array.from(own, (r) => t.cTrue.get(ref.ids[r]!)!),
    10,
  );
  const dist = new Map<string, number>();
  const bias = new Map<string, number>();
  const instBias = new Map<string, number>();
  for (const b of blocks) {
    const rows = rowsById(b);
    let d = 0;
    let e = 0;
    let f = 0;
    for (const soil of t.evalIds) {
      const i = rows.get(`${soil}@${b.source}`)!;
      const j = refRows.get(`${soil}@${t.reference}`)!;
      let s = 0;
      for (let c = 0; c < p; c++) s += (b.values[i * p + c]! - ref.values[j * p + c]!) ** 2;
      d += Math.sqrt(s);
      const pred = plsPredict(model, b.values.subarray(i * p, (i + 1) * p))[0]!;
      e += pred - t.cTrue.get(`${soil}@${b.source}`)!;
      f += pred - plsPredict(model, ref.values.subarray(j * p, (j + 1) * p))[0]!;
    }
    dist.set(b.source, d / t.evalIds.length);
    bias.set(b.source, e / t.evalIds.length);
    instBias.set(b.source, f / t.evalIds.length);
  }
  return { dist, bias, instBias };
}

export async function scoreHarmonization(t: RingTrial, method: string, extra: Record<string, unknown> = {}): Promise<HarmonizationScore> {
  const art = emptyArtifact();
  art.spectra.set("spectra", t.blocks);
  const res = await runStepInMemory(harmonizeSpectra, { ...OPTIONS[method]!(t), reference: t.reference, ...extra }, [
    { step: "preprocess", type: "spectra.preprocess", artifact: art },
  ]);
  const before = score(t.blocks, t);
  const after = score(res.artifact.spectra.get("spectra")!, t);
  const rows = t.blocks
    .filter((b) => b.source !== t.reference)
    .map((b) => ({
      source: b.source,
      distBefore: before.dist.get(b.source)!,
      distAfter: after.dist.get(b.source)!,
      biasBefore: before.bias.get(b.source)!,
      biasAfter: after.bias.get(b.source)!,
      instBiasBefore: before.instBias.get(b.source)!,
      instBiasAfter: after.instBias.get(b.source)!,
    }));
  const sum = (f: (r: SourceScore) => number) => rows.reduce((s, r) => s + f(r), 0);
  return {
    rows,
    distanceReduction: 1 - sum((r) => r.distAfter) / sum((r) => r.distBefore),
    biasReduction: 1 - sum((r) => Math.abs(r.biasAfter)) / sum((r) => Math.abs(r.biasBefore)),
    instBiasReduction: 1 - sum((r) => Math.abs(r.instBiasAfter)) / sum((r) => Math.abs(r.instBiasBefore)),
    refBiasBefore: before.bias.get(t.reference)!,
    refBiasAfter: after.bias.get(t.reference)!,
    table: res.artifact.tables.get("harmonization")!,
  };
}
