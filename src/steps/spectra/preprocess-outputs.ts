/**
 * What `spectra.preprocess` writes besides the spectra: the `preprocess_log` table (one row per
 * spectrum, and per sample without one), the `grid` json and the `mean_spectra` table.
 */
import type { SpectraBlock } from "../../core/spectra/block.js";
import { textColumn, type Table } from "../../core/table.js";
import { meanSpectraTable } from "../shared/spectra-io.js";
import type { PreprocessOptions } from "./preprocess-options.js";

/** Collects `preprocess_log` rows in order; `seen` holds every spectrum's sample id. */
export class PreprocessLog {
  readonly seen = new Set<string>();
  private readonly id: string[] = [];
  private readonly source: string[] = [];
  private readonly status: string[] = [];
  private readonly note: (string | null)[] = [];
  private readonly defects: (string | null)[] = [];

  /** A spectrum's row (its status and note follow with `finish`). */
  start(id: string, source: string, defects: readonly string[]): void {
    this.seen.add(id);
    this.id.push(id);
    this.source.push(source);
    this.defects.push(defects.length ? defects.join(";") : null);
  }

  finish(status: string, notes: readonly string[]): void {
    this.status.push(status);
    this.note.push(notes.length ? notes.join("; ") : null);
  }

  /** A row for every sample id with no spectrum in any block. */
  addMissing(samples: Table): void {
    for (const id of textColumn(samples, "sample_id")) {
      if (id !== null && !this.seen.has(id)) {
        this.id.push(id);
        this.source.push(null as never);
        this.status.push("no_spectrum");
        this.note.push("sample has no spectrum in any block");
        this.defects.push(null);
      }
    }
  }

  build(): Table {
    return { sample_id: this.id, source: this.source, status: this.status, note: this.note, defects: this.defects };
  }

  /** Rows per status. */
  counts(): Record<string, number> {
    return this.status.reduce<Record<string, number>>((acc, s) => ((acc[s] = (acc[s] ?? 0) + 1), acc), {});
  }
}

/** Mean spectra per source, resampled (`raw`) then preprocessed, in one table. */
export function meanSpectra(raw: readonly SpectraBlock[], out: readonly SpectraBlock[]): Table {
  const a0 = meanSpectraTable(raw, "raw");
  const b0 = meanSpectraTable(out, "preprocessed");
  return Object.fromEntries(
    Object.keys(a0).map((k) => {
      const a = a0[k]!;
      const b = b0[k]!;
      return [k, a instanceof Float64Array ? Float64Array.from([...a, ...(b as Float64Array)]) : [...(a as string[]), ...(b as string[])]];
    }),
  );
}

/** The `grid` json: the output wavenumbers and the options that made them. */
export function gridJson(outGrid: Float64Array, grid: Float64Array, o: PreprocessOptions): Record<string, unknown> {
  return {
    wavenumbers: Array.from(outGrid),
    from: grid[0],
    to: grid[grid.length - 1],
    step: o.grid === "native" ? "native" : o.grid.step,
    exclude: o.exclude,
    savgol: o.savgol,
    normalize: o.normalize,
    unit: "absorbance",
  };
}
