/**
 * The same latent soils measured on several instruments (a ring trial): each composition is
 * rendered through every given instrument with the generator's own spectrum code
 * (`drawScanEffects` + `renderSpectrum`: grid, wavenumber shift, baseline, scatter, CO2,
 * noise, unit). Pure and deterministic from the seed.
 *
 * Scan effects: by default (`rescan: "shared"`) one soil draws the same standardized sample and
 * scan deviates on every instrument (its baseline/tilt are the powder's; its scatter is
 * 1 + z·scatterSd of each instrument), so two renderings of a soil differ only by the
 * instruments' distortions and noise — the instrument effect is isolated and known.
 * `rescan: "independent"` repacks the sample for every instrument (independent scan effects),
 * as a real ring trial does; then even a perfect harmonization leaves the repacking spread.
 */
import { createRng, type Rng } from "../random.js";
import type { SpectraBlock } from "../spectra/block.js";
import { sampleComposition, type Composition } from "./composition.js";
import type { InstrumentSpec } from "./instruments.js";
import { SOURCES, type SourceSpec } from "./sources.js";
import { drawScanEffects, renderPlan, renderSpectrum } from "./spectrum.js";

export interface RenderOptions {
  /** Soil ids (default `soil-000001`, ...); rows are `<soil>@<source>`. */
  ids?: readonly string[];
  /** Default "shared" (see the module comment). */
  rescan?: "shared" | "independent";
}

/** One block per instrument (in the given order), rows in the order of `compositions`. */
export function renderThroughInstruments(
  compositions: readonly Composition[],
  instruments: readonly InstrumentSpec[],
  seed: number,
  options: RenderOptions = {},
): SpectraBlock[] {
  const ids = options.ids ?? compositions.map((_, i) => `soil-${String(i + 1).padStart(6, "0")}`);
  if (ids.length !== compositions.length)
    throw new RangeError(`renderThroughInstruments: ${ids.length} ids for ${compositions.length} compositions`);
  const rng = createRng(seed);
  const soilSeeds = compositions.map(() => Math.floor(rng.next() * 4294967296));
  const instRngs: Rng[] = instruments.map(() => rng.fork());
  return instruments.map((inst, t) => {
    const plan = renderPlan(inst);
    const p = plan.grid.length;
    const values = new Float32Array(compositions.length * p);
    const r = instRngs[t]!;
    compositions.forEach((comp, i) => {
      const fxRng = options.rescan === "independent" ? r : createRng(soilSeeds[i]!);
      const fx = drawScanEffects(fxRng, comp, inst);
      renderSpectrum(values.subarray(i * p, (i + 1) * p), plan, comp, fx, null, r);
    });
    return {
      source: inst.source,
      instrument: inst.instrument,
      unit: inst.unit,
      wavenumbers: plan.grid,
      ids: ids.map((id) => `${id}@${inst.source}`),
      values,
    };
  });
}

/** `n` latent soils drawn in turn from the given sources' soil profiles (default all seven). */
export function sampleSoils(n: number, seed: number, sources: readonly SourceSpec[] = SOURCES): Composition[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) => sampleComposition(rng, sources[i % sources.length]!));
}
