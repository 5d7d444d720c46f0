/**
 * The `spectra` output kind, defined once (the engine stores these blocks; core, formats and
 * steps compute on them). Spectra of one source on one wavenumber grid: a dense row-major matrix.
 * `values[i * wavenumbers.length + j]` is sample `ids[i]` at `wavenumbers[j]` (cm-1).
 * Wavenumbers are strictly monotonic (either direction, as the instrument wrote them);
 * `unit` says what the numbers are, so conversions are explicit and never guessed twice.
 */
export type SpectralUnit = "absorbance" | "reflectance" | "reflectance_percent";

export interface SpectraBlock {
  readonly source: string;
  readonly instrument: string;
  readonly unit: SpectralUnit;
  readonly wavenumbers: Float64Array;
  readonly ids: readonly string[];
  readonly values: Float32Array;
}

/** Rows and columns of a block, refusing one whose values do not fill ids x wavenumbers. */
export function blockShape(block: SpectraBlock): { rows: number; cols: number } {
  const cols = block.wavenumbers.length;
  const rows = block.ids.length;
  if (block.values.length !== rows * cols) {
    throw new RangeError(`spectra block "${block.source}": ${block.values.length} values for ${rows} ids x ${cols} wavenumbers`);
  }
  return { rows, cols };
}
