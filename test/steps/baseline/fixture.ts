/**
 * A small synthetic library for the model/impute step tests: two sources on one 60-point grid,
 * C drives a band, OM ≈ 1.724·C; some samples unlabelled, some without a spectrum.
 */
import type { MemoryArtifact, MemoryInput } from "../../../src/engine/memory-step.js";
import { emptyArtifact } from "../../../src/engine/memory-step.js";
import { createRng } from "../../../src/core/random.js";
import type { SpectraBlock } from "../../../src/core/spectra/block.js";
import type { Table } from "../../../src/core/table.js";

export interface Fixture {
  samples: Table;
  blocks: SpectraBlock[];
  truth: Table;
  input: MemoryInput;
}

export function makeFixture(n = 240, seed = 5): Fixture {
  const rng = createRng(seed);
  const p = 60;
  const grid = Float64Array.from({ length: p }, (_, j) => 4000 - j * 50);
  const band = Float64Array.from({ length: p }, (_, j) => Math.exp(-(((j - 20) / 4) ** 2)));
  const clay = Float64Array.from({ length: p }, (_, j) => Math.exp(-(((j - 45) / 6) ** 2)));
  const ids: string[] = [];
  const source: string[] = [];
  const lat = new Float64Array(n);
  const lon = new Float64Array(n);
  const top = new Float64Array(n);
  const bottom = new Float64Array(n);
  const c = new Float64Array(n);
  const om = new Float64Array(n);
  const cTrue = new Float64Array(n);
  const omTrue = new Float64Array(n);
  const exclude: (boolean | null)[] = [];
  const qc: (string | null)[] = [];
  const rows: { src: string; id: string; spec: Float32Array }[] = [];
  for (let i = 0; i < n; i++) {
    const id = `s${String(i).padStart(4, "0")}`;
    ids.push(id);
    source.push(i % 3 === 0 ? "lab-b" : "lab-a");
    lat[i] = -40 + (i % 9) * 10 + rng.next();
    lon[i] = -120 + (i % 7) * 30 + rng.next();
    top[i] = [0, 10, 30, 60, 100][i % 5]!;
    bottom[i] = top[i]! + 20;
    const logc = 1 + 2.5 * rng.next();
    cTrue[i] = Math.expm1(logc);
    omTrue[i] = cTrue[i]! * (1.6 + 0.25 * rng.next());
    c[i] = i % 4 === 3 ? NaN : cTrue[i]! * Math.exp(rng.normal(0, 0.03));
    om[i] = i % 5 === 4 || i % 4 === 3 ? NaN : omTrue[i]! * Math.exp(rng.normal(0, 0.03));
    exclude.push(i % 37 === 1 ? true : false);
    qc.push(i % 37 === 1 ? "spectral_outlier" : null);
    const spec = new Float32Array(p);
    const k = rng.next();
    for (let j = 0; j < p; j++) spec[j] = 0.5 + 0.3 * logc * band[j]! + 0.4 * k * clay[j]! + rng.normal(0, 0.003);
    if (i % 41 === 40) continue; // no spectrum
    if (i % 43 === 42) spec[7] = NaN; // broken spectrum
    rows.push({ src: source[i]!, id, spec });
  }
  const blocks: SpectraBlock[] = ["lab-a", "lab-b"].map((src) => {
    const mine = rows.filter((r) => r.src === src).reverse(); // order differs from samples
    const values = new Float32Array(mine.length * p);
    mine.forEach((r, k) => values.set(r.spec, k * p));
    return { source: src, instrument: `ftir-${src}`, unit: "absorbance", wavenumbers: grid, ids: mine.map((r) => r.id), values };
  });
  const samples: Table = {
    sample_id: ids,
    source,
    instrument: source.map((s) => `ftir-${s}`),
    lat,
    lon,
    depth_top_cm: top,
    depth_bottom_cm: bottom,
    c_gkg: c,
    om_gkg: om,
    qc_flags: qc,
    exclude_train: exclude,
  };
  const truth: Table = { sample_id: [...ids], c_true_gkg: cTrue, om_true_gkg: omTrue, defect: ids.map(() => null) };
  const artifact: MemoryArtifact = emptyArtifact();
  artifact.tables.set("samples", samples);
  artifact.spectra.set("spectra", blocks);
  artifact.tables.set("truth", truth);
  return { samples, blocks, truth, input: { step: "prep", type: "spectra.preprocess", artifact } };
}
