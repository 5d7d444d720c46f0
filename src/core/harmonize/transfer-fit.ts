/**
 * Transfer samples (the same soil measured by the reference and by another source) and the
 * corrections fitted on them: SST (Du et al. 2011), PDS (banded ridge windows + offset) per
 * source, EPO (one projection off the transfer-difference directions, shared by all sources).
 */
import type { SpectraBlock } from "../spectra/block.js";
import { matrixSstApply, matrixSstFit } from "../chemometrics/matrix-sst.js";
import { matrixPdsApply, matrixPdsFit } from "../chemometrics/matrix-pds.js";
import { matrixEpoFit } from "../chemometrics/matrix-epo.js";
import { matrixRows } from "../matrix-rows.js";
import { HarmonizeError } from "./harmonize-error.js";

/** Pairs (reference id, source id) of the same soil. */
export type TransferPairs = readonly (readonly [string, string])[];

export interface TransferOptions {
  sstComponents: number;
  pdsHalfWindow: number;
  pdsRidge: number;
  epoComponents: number;
  /** Fewest pairs a source needs for a transfer method. */
  minTransfer: number;
}

/** The given rows of a block, copied into one matrix. */
export function blockRows(block: SpectraBlock, rows: readonly number[]): Float32Array {
  return matrixRows(block.values, block.wavenumbers.length, rows);
}

/**
 * Rows of the same soils in the reference (first list) and in `block` (second): the pairs whose
 * ids both have a spectrum; without pairs, the ids `block` shares with the reference.
 */
export function pairRows(reference: SpectraBlock, block: SpectraBlock, pairs: TransferPairs | null): [number[], number[]] {
  const refRow = new Map(reference.ids.map((id, i) => [id, i]));
  const row = new Map(block.ids.map((id, i) => [id, i]));
  const list = pairs ?? reference.ids.filter((id) => row.has(id)).map((id) => [id, id] as const);
  const m: number[] = [];
  const s: number[] = [];
  for (const [r, x] of list) {
    if (refRow.has(r) && row.has(x)) {
      m.push(refRow.get(r)!);
      s.push(row.get(x)!);
    }
  }
  return [m, s];
}

/** pairRows, refusing fewer than minTransfer pairs. */
export function transferRows(
  reference: SpectraBlock,
  block: SpectraBlock,
  pairs: TransferPairs | null,
  minTransfer: number,
): [number[], number[]] {
  const [m, s] = pairRows(reference, block, pairs);
  if (m.length < minTransfer) {
    throw new HarmonizeError({ kind: "pairs", source: block.source, reference: reference.source, found: m.length, needed: minTransfer });
  }
  return [m, s];
}

/** An SST or PDS correction of `block`'s spectra, fitted on the pairs at reference rows m and block rows s. */
export function fitPairwise(
  method: "sst" | "pds",
  reference: SpectraBlock,
  block: SpectraBlock,
  [m, s]: [number[], number[]],
  options: TransferOptions,
): (x: Float32Array) => Float32Array {
  const p = block.wavenumbers.length;
  const xm = blockRows(reference, m);
  const xs = blockRows(block, s);
  const t = m.length;
  const shape = (x: Float32Array) => ({ rows: x.length / p, cols: p });
  if (method === "sst") {
    if (options.sstComponents > t - 1)
      throw new HarmonizeError({ kind: "sst-components", source: block.source, pairs: t, components: options.sstComponents });
    const model = matrixSstFit(xm, xs, { rows: t, cols: p, components: options.sstComponents });
    return (x) => matrixSstApply(x, shape(x), model);
  }
  const model = matrixPdsFit(xm, xs, { rows: t, cols: p, halfWindow: options.pdsHalfWindow, ridge: options.pdsRidge });
  return (x) => matrixPdsApply(x, shape(x), model);
}

/**
 * The EPO projection from every non-reference source's transfer pairs (pair i of a source left
 * out when drop(block, i)); null when there is no other source.
 */
export function fitEpo(
  blocks: readonly SpectraBlock[],
  reference: SpectraBlock,
  pairs: TransferPairs | null,
  options: TransferOptions,
  drop: (block: SpectraBlock, i: number) => boolean,
): Float64Array | null {
  const p = reference.wavenumbers.length;
  const ms: Float32Array[] = [];
  const ss: Float32Array[] = [];
  for (const b of blocks) {
    if (b === reference) continue;
    const [m, s] = transferRows(reference, b, pairs, options.minTransfer);
    const keep = m.flatMap((_, i) => (drop(b, i) ? [] : [i]));
    ms.push(
      blockRows(
        reference,
        keep.map((i) => m[i]!),
      ),
    );
    ss.push(
      blockRows(
        b,
        keep.map((i) => s[i]!),
      ),
    );
  }
  if (!ms.length) return null;
  const t = ms.reduce((a, x) => a + x.length / p, 0);
  const cat = (xs: Float32Array[]) => {
    const v = new Float32Array(t * p);
    let off = 0;
    for (const x of xs) {
      v.set(x, off);
      off += x.length;
    }
    return v;
  };
  return matrixEpoFit(cat(ms), cat(ss), { rows: t, cols: p, components: Math.min(options.epoComponents, t) });
}
