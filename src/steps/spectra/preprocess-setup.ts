/**
 * What `spectra.preprocess` sets up before the blocks: the common grid (option `grid`, trimmed
 * to the sources' common range with `out_of_range: trim`), the points kept after `exclude`, and
 * the Savitzky–Golay filter. Each refusal names the option and what to do.
 */
import type { SpectraBlock } from "../../core/spectra/block.js";
import { commonGrid, gridKeepIndices } from "../../core/spectra/common-grid.js";
import { savitzkyGolayFilter } from "../../core/spectra/x-savitzky-golay.js";
import { StepInputError } from "../../engine/step.js";
import type { PreprocessOptions } from "./preprocess-options.js";

/** What the chain applies to every spectrum of every block. */
export interface GridSetup {
  /** The common grid, before exclusion. */
  grid: Float64Array;
  /** Indices into `grid` kept after exclusion, and those wavenumbers. */
  keep: Int32Array;
  outGrid: Float64Array;
  /** Savitzky–Golay on `grid`, or null when off. */
  sg: ((y: ArrayLike<number>) => Float64Array) | null;
}

function blockRange(b: SpectraBlock): [number, number] {
  const w = b.wavenumbers;
  return [Math.min(w[0]!, w[w.length - 1]!), Math.max(w[0]!, w[w.length - 1]!)];
}

const described = (bs: readonly SpectraBlock[]) => bs.map((b) => `"${b.source}" (${blockRange(b).join("–")} cm-1)`).join(", ");

/** Option grid as wavenumbers; a source not covering it is refused, or the grid trimmed (out_of_range: trim). */
export function targetGrid(blocks: readonly SpectraBlock[], o: PreprocessOptions, log: (msg: string) => void): Float64Array {
  let grid: Float64Array;
  try {
    grid = o.grid === "native" ? Float64Array.from(blocks[0]!.wavenumbers).sort() : commonGrid(o.grid);
  } catch (e) {
    throw new StepInputError(`option grid: ${(e as Error).message}`);
  }
  const ranges = blocks.map(blockRange);
  const uncovered = blocks.filter((_, b) => ranges[b]![0] > grid[0]! + 1e-6 || ranges[b]![1] < grid[grid.length - 1]! - 1e-6);
  if (uncovered.length === 0) return grid;
  if (o.out_of_range === "error") {
    throw new StepInputError(
      `grid ${grid[0]}–${grid[grid.length - 1]} cm-1 is not covered by source(s) ` +
        described(uncovered) +
        `: no extrapolation. Set option grid.from/grid.to inside every source's range, or out_of_range: trim`,
    );
  }
  const disjoint = blocks.filter((_, b) => ranges[b]![1] <= grid[0]! || ranges[b]![0] >= grid[grid.length - 1]!);
  if (disjoint.length > 0) {
    throw new StepInputError(
      `source(s) ${described(disjoint)} do not overlap the grid ${grid[0]}–${grid[grid.length - 1]} cm-1 at all: remove them or set option grid to their range`,
    );
  }
  const lo = Math.max(...ranges.map((r) => r[0]));
  const hi = Math.min(...ranges.map((r) => r[1]));
  const before = grid.length;
  grid = grid.filter((w) => w >= lo - 1e-6 && w <= hi + 1e-6);
  if (grid.length < 10) {
    throw new StepInputError(
      `out_of_range: trim leaves ${grid.length} grid points (common range ${lo}–${hi} cm-1): check the sources' grids`,
    );
  }
  log(
    `grid trimmed to ${grid[0]}–${grid[grid.length - 1]} cm-1 (${grid.length} of ${before} points) to fit ${uncovered.map((b) => b.source).join(", ")}`,
  );
  return grid;
}

/** The points kept after option exclude, and the Savitzky–Golay filter of option savgol on the grid's spacing. */
export function gridSetup(grid: Float64Array, o: PreprocessOptions): GridSetup {
  const keep = gridKeepIndices(grid, o.exclude);
  if (keep.length < 5) throw new StepInputError(`option exclude removes all but ${keep.length} grid points`);
  const outGrid = Float64Array.from(keep, (j) => grid[j]!);
  if (!o.savgol) return { grid, keep, outGrid, sg: null };
  try {
    const sg = savitzkyGolayFilter(grid.length, {
      windowSize: o.savgol.window,
      polynomial: o.savgol.polyorder,
      derivative: o.savgol.deriv,
      deltaX: o.grid === "native" ? (grid[grid.length - 1]! - grid[0]!) / (grid.length - 1) : grid[1]! - grid[0]!,
    });
    return { grid, keep, outGrid, sg };
  } catch (e) {
    throw new StepInputError(`option savgol: ${(e as Error).message}`);
  }
}
