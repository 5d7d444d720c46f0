/** The study's published test-set values, shown beside every run as a fixed reference. */
export const REFERENCE_LABEL = "published study (reference)";

export interface ReferenceValues {
  target: "c" | "om";
  r2: number;
  rmse: number;
  mae: number;
  rpiq: number;
}

export const PUBLISHED_REFERENCE: readonly ReferenceValues[] = [
  { target: "c", r2: 0.96, rmse: 15.41, mae: 6.62, rpiq: 1.38 },
  { target: "om", r2: 0.79, rmse: 19.15, mae: 11.76, rpiq: 1.05 },
];

/**
 * The study the reference values come from, as this repository describes it (README): the
 * full bibliographic reference belongs here once the project records it.
 */
export const STUDY =
  "Published study: ~57,000 soil samples with MIR spectra from global libraries (C measured for 51,079, OM for 5,750), " +
  "normalized, outlier-screened, harmonized across laboratories, one CNN per property; test-set values as reported (no interval coverage or n per split published).";
