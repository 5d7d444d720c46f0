/** What keeps a source from being harmonized; the step words it in terms of its options. */
export type HarmonizeProblem =
  /** Fewer transfer pairs than a transfer method needs. */
  | { kind: "pairs"; source: string; reference: string; found: number; needed: number }
  /** SST with more components than pairs − 1. */
  | { kind: "sst-components"; source: string; pairs: number; components: number }
  /** CORAL with fewer spectra than components + 2. */
  | { kind: "coral-rows"; source: string; rows: number; components: number }
  /** Any other failure of a source's fit. */
  | { kind: "fit"; source: string; message: string };

export class HarmonizeError extends Error {
  constructor(readonly problem: HarmonizeProblem) {
    super(`${problem.kind} (source "${problem.source}")${problem.kind === "fit" ? `: ${problem.message}` : ""}`);
  }
}
