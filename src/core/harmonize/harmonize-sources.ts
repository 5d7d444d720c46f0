/**
 * Removes instrument differences between the sources of a library, towards a reference source
 * (harmonize.spectra is its adapter). Methods: `none`; with transfer samples (transfer-fit.ts):
 * `sst`, `pds`, `epo`; without them: `instrument` (a 4-parameter physical instrument model —
 * gain, wavenumber shift, baseline offset and slope — fitted by nearest-neighbour matching to
 * the reference, instrumentAlign; leaves soil differences alone) and `coral` (mean +
 * covariance alignment within the reference's k PCs, pcaAlign; its mean shift also erases real
 * soil differences between sources).
 * Evidence on the synthetic ring trial (test/steps/harmonize/synthetic.test.ts,
 * bench/harmonize-synth.ts): instrument, sst, pds, epo cut the same-soil distance ≥ 85 % and
 * the PLSR bias ≥ 80 %; coral cuts the distance ~70 % and can make the bias worse (organic
 * boreal soils). What each method did is measured by harmonizationDiagnostics.
 */
import type { SpectraBlock } from "../spectra/block.js";
import { matrixPca, type PcaModel } from "../chemometrics/matrix-pca.js";
import { pcaAlign } from "../chemometrics/pca-align.js";
import { matrixEpoApply } from "../chemometrics/matrix-epo.js";
import { instrumentAlignApply, instrumentAlignFit, type InstrumentModel } from "../chemometrics/instrument-align.js";
import { HarmonizeError } from "./harmonize-error.js";
import { fitEpo, fitPairwise, transferRows, type TransferOptions, type TransferPairs } from "./transfer-fit.js";
import { harmonizationDiagnostics, type HarmonizationDiagnostics } from "./harmonization-diagnostics.js";

export type HarmonizeMethod = "none" | "sst" | "pds" | "coral" | "epo" | "instrument";

export interface HarmonizeOptions {
  method: HarmonizeMethod;
  /** Reference PCA components: coral's space and the distance metric's. */
  components: number;
  transfer: TransferOptions;
  coral: { meanShift: "full" | "none"; shrinkage: number };
  instrument: { match: "neighbours" | "mean"; trim: number; iterations: number; maxRows: number };
  /** Spectra per source (evenly spaced) for the nearest-reference distances. */
  maxScores: number;
}

export interface HarmonizeInput {
  /** Every source, on one grid, finite. */
  blocks: readonly SpectraBlock[];
  /** One of `blocks`. */
  reference: SpectraBlock;
  /** Same-soil pairs (reference id, source id); null: ids shared with the reference. */
  pairs: TransferPairs | null;
}

export interface Harmonized {
  /** The blocks, corrected (a block left alone keeps its values array). */
  blocks: SpectraBlock[];
  /** Reference PCA before and after (the same model when the reference was left alone). */
  refModel: PcaModel;
  refModelAfter: PcaModel;
  diagnostics: HarmonizationDiagnostics;
}

export function harmonizeSources(input: HarmonizeInput, options: HarmonizeOptions): Harmonized {
  const { blocks, reference: ref } = input;
  const cols = ref.wavenumbers.length;
  const refModel = matrixPca(ref.values, { rows: ref.ids.length, cols, components: options.components });
  const { aligned, instrument } = alignSources(input, refModel, options);
  const refAfter = aligned.find((b) => b.source === ref.source)!;
  const refModelAfter =
    refAfter.values === ref.values
      ? refModel
      : matrixPca(refAfter.values, { rows: refAfter.ids.length, cols, components: options.components });
  const diagnostics = harmonizationDiagnostics(
    { before: blocks, after: aligned, reference: ref, refModel, refModelAfter, pairs: input.pairs, instrument },
    options,
  );
  return { blocks: aligned, refModel, refModelAfter, diagnostics };
}

/** Each block corrected by the method; a failure names its source (HarmonizeError). */
function alignSources(input: HarmonizeInput, refModel: PcaModel, options: HarmonizeOptions) {
  const { blocks, reference: ref, pairs } = input;
  const { method, components } = options;
  const shape = (b: SpectraBlock) => ({ rows: b.ids.length, cols: b.wavenumbers.length });
  const instrument = new Map<string, InstrumentModel>();
  const epo = method === "epo" ? fitEpo(blocks, ref, pairs, options.transfer, () => false) : null;
  const alignOne = (b: SpectraBlock): Float32Array => {
    if (method === "none") return b.values;
    if (method === "epo") return epo ? matrixEpoApply(b.values, shape(b), epo) : b.values;
    if (b === ref) return b.values;
    if (method === "coral") {
      if (b.ids.length < components + 2) throw new HarmonizeError({ kind: "coral-rows", source: b.source, rows: b.ids.length, components });
      return pcaAlign(b.values, shape(b), refModel, { meanShift: options.coral.meanShift, shrinkage: options.coral.shrinkage });
    }
    if (method === "instrument") {
      const m = instrumentAlignFit(b.values, shape(b), b.wavenumbers, ref.values, shape(ref), refModel, options.instrument);
      instrument.set(b.source, m);
      return instrumentAlignApply(b.values, shape(b), b.wavenumbers, m);
    }
    const rows = transferRows(ref, b, pairs, options.transfer.minTransfer);
    return fitPairwise(method, ref, b, rows, options.transfer)(b.values);
  };
  const aligned = blocks.map((b): SpectraBlock => {
    try {
      return { ...b, values: alignOne(b) };
    } catch (e) {
      if (e instanceof HarmonizeError) throw e;
      throw new HarmonizeError({ kind: "fit", source: b.source, message: (e as Error).message });
    }
  });
  return { aligned, instrument };
}
