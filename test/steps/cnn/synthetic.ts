/** A tiny synthetic MIR-like library for CNN step tests: C drives two bands, OM = C·ratio. */
import type { SpectraBlock } from "../../../src/core/spectra/block.js";
import { createRng } from "../../../src/core/random.js";
import type { Table } from "../../../src/core/table.js";

export function tinyLibrary(n = 240, p = 96, omLabelled = 0.3, seed = 3): { samples: Table; spectra: SpectraBlock[] } {
  const rng = createRng(seed);
  const grid = Float64Array.from({ length: p }, (_, j) => 4000 - (j * 3400) / (p - 1));
  const ids: string[] = [];
  const c = new Float64Array(n);
  const om = new Float64Array(n);
  const values = new Float32Array(n * p);
  for (let i = 0; i < n; i++) {
    ids.push(`s${i}`);
    const ci = Math.exp(rng.normal(2.8, 0.9));
    c[i] = ci;
    const ratio = 1.5 + 0.6 * rng.next();
    om[i] = rng.next() < omLabelled ? ci * ratio : NaN;
    const a = Math.log1p(ci) / 4;
    const clay = rng.next();
    for (let j = 0; j < p; j++) {
      const w = grid[j]!;
      values[i * p + j] =
        0.3 +
        0.2 * clay * Math.exp(-(((w - 3620) / 60) ** 2)) +
        a * Math.exp(-(((w - 2920) / 80) ** 2)) +
        0.5 * a * Math.exp(-(((w - 1640) / 120) ** 2)) +
        0.01 * rng.normal();
    }
  }
  const half = Math.floor(n / 2);
  const block = (name: string, from: number, to: number): SpectraBlock => ({
    source: name,
    instrument: "synthetic",
    unit: "absorbance",
    wavenumbers: grid,
    ids: ids.slice(from, to),
    values: values.slice(from * p, to * p),
  });
  const samples: Table = {
    sample_id: ids,
    source: ids.map((_, i) => (i < half ? "lab-a" : "lab-b")),
    depth_top_cm: Float64Array.from({ length: n }, (_, i) => (i % 3) * 30),
    c_gkg: c,
    om_gkg: om,
  };
  return { samples, spectra: [block("lab-a", 0, half), block("lab-b", half, n)] };
}
