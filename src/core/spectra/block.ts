/** The block type lives with the shared contracts (src/contracts/spectra.ts); its helpers here. */
import type { SpectraBlock } from "../../contracts/spectra.js";

export { blockShape, type SpectraBlock, type SpectralUnit } from "../../contracts/spectra.js";

/** Row `i` as a view (no copy). */
export function blockRow(block: SpectraBlock, i: number): Float32Array {
  const p = block.wavenumbers.length;
  return block.values.subarray(i * p, (i + 1) * p);
}

/** The first block whose grid differs from the first block's (length, or any point by more than 1e-6). */
export function offGridBlock(blocks: readonly SpectraBlock[]): SpectraBlock | undefined {
  const w0 = blocks[0]?.wavenumbers;
  return blocks.find((b) => b.wavenumbers.length !== w0!.length || b.wavenumbers.some((w, j) => Math.abs(w - w0![j]!) > 1e-6));
}

export interface StackedBlocks {
  /** Row-major, rows × cols, block after block. */
  values: Float32Array;
  cols: number;
  /** Per row: spectrum id and source. */
  ids: string[];
  source: string[];
  /** Rows of each block, in order. */
  blockRows: number[];
}

/** Blocks on one grid (see offGridBlock) as one matrix. */
export function stackBlocks(blocks: readonly SpectraBlock[]): StackedBlocks {
  const cols = blocks[0]!.wavenumbers.length;
  const values = new Float32Array(blocks.reduce((s, b) => s + b.ids.length, 0) * cols);
  let off = 0;
  for (const b of blocks) {
    values.set(b.values, off * cols);
    off += b.ids.length;
  }
  const source = blocks.flatMap((b) => b.ids.map(() => b.source));
  return { values, cols, ids: blocks.flatMap((b) => [...b.ids]), source, blockRows: blocks.map((b) => b.ids.length) };
}
