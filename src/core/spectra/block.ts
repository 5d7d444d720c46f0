/** The block type lives with the shared contracts (src/contracts/spectra.ts); its helpers here. */
import type { SpectraBlock } from "../../contracts/spectra.js";

export { blockShape, type SpectraBlock, type SpectralUnit } from "../../contracts/spectra.js";

/** Row `i` as a view (no copy). */
export function blockRow(block: SpectraBlock, i: number): Float32Array {
  const p = block.wavenumbers.length;
  return block.values.subarray(i * p, (i + 1) * p);
}
