/**
 * Small helpers shared by the spectra/qc/harmonize step adapters: picking the right upstream
 * output, per-source mean spectra for reports, seeded subsampling.
 */
import { StepInputError, type InputArtifact, type StepInputs } from "../../engine/step.js";
import type { SpectraBlock } from "../../core/spectra/block.js";
import { createRng, permutation } from "../../core/random.js";
import type { Table } from "../../core/table.js";

/**
 * The input holding output `name`. With several candidates: the one named by `fromStep`
 * (an option), else the first whose type is in `prefer` (latest producer first), else an
 * error naming the candidates and the option to set.
 */
export function pickInput(
  inputs: StepInputs,
  name: string,
  prefer: readonly string[],
  fromStep: string | undefined,
  optionName: string,
): InputArtifact {
  const all = inputs.findAll(name);
  if (fromStep !== undefined) {
    const a = all.find((x) => x.step === fromStep);
    if (!a) {
      throw new StepInputError(
        `option ${optionName}: step "${fromStep}" has no output "${name}" among this step's needs ` +
          `(candidates: ${all.map((x) => x.step).join(", ") || "none"})`,
      );
    }
    return a;
  }
  if (all.length === 0) {
    throw new StepInputError(`no upstream step provides "${name}": add one (e.g. ingest.* or synth.library) to needs`);
  }
  if (all.length === 1) return all[0]!;
  for (const t of prefer) {
    const a = all.find((x) => x.type === t);
    if (a) return a;
  }
  throw new StepInputError(
    `several upstream steps provide "${name}" (${all.map((x) => `${x.step} [${x.type}]`).join(", ")}): ` +
      `set option ${optionName} to the step name to use`,
  );
}

/** Per-source mean and SD at each wavenumber: columns source, stage, wavenumber, mean, sd. */
export function meanSpectraTable(blocks: readonly SpectraBlock[], stage: string): Table {
  const source: string[] = [];
  const stg: string[] = [];
  const wn: number[] = [];
  const mean: number[] = [];
  const sd: number[] = [];
  for (const b of blocks) {
    const p = b.wavenumbers.length;
    const n = b.ids.length;
    if (n === 0) continue;
    for (let j = 0; j < p; j++) {
      let s = 0;
      let c = 0;
      for (let i = 0; i < n; i++) {
        const v = b.values[i * p + j]!;
        if (Number.isFinite(v)) {
          s += v;
          c++;
        }
      }
      const m = c ? s / c : NaN;
      let v2 = 0;
      for (let i = 0; i < n; i++) {
        const v = b.values[i * p + j]!;
        if (Number.isFinite(v)) v2 += (v - m) ** 2;
      }
      source.push(b.source);
      stg.push(stage);
      wn.push(b.wavenumbers[j]!);
      mean.push(m);
      sd.push(c > 1 ? Math.sqrt(v2 / (c - 1)) : NaN);
    }
  }
  return {
    source,
    stage: stg,
    wavenumber: Float64Array.from(wn),
    mean: Float64Array.from(mean),
    sd: Float64Array.from(sd),
  };
}

/** Up to `max` indices of 0..n−1, seeded, sorted. */
export function subsampleIndices(n: number, max: number, seed: number): Int32Array {
  if (n <= max) return Int32Array.from({ length: n }, (_, i) => i);
  return permutation(n, createRng(seed)).slice(0, max).sort();
}
