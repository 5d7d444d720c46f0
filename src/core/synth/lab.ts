/**
 * What the lab reports: true C and OM seen through the method (Walkley-Black recovers ~76 %
 * of organic C; loss on ignition adds structural water of clays), rounded, with the
 * study's missingness (C for ~90 % of samples, OM for ~10 %, partly overlapping).
 */
import type { Rng } from "../random.js";
import type { Composition } from "./composition.js";
import { DEFAULT_PHYSICAL_RANGE } from "../chemometrics/physical-range.js";

export type CMethod = "dry_combustion" | "walkley_black";
export type OmMethod = "loi";

export interface LabResult {
  c: number;
  om: number;
  cMethod: CMethod | null;
  omMethod: OmMethod | null;
}

const round1 = (v: number) => Math.round(v * 10) / 10;

export function measure(
  rng: Rng,
  comp: Composition,
  walkleyBlackShare: number,
  pOm: number,
  pCGivenOm: number,
  pCGivenNoOm: number,
): LabResult {
  const omMeasured = rng.next() < pOm;
  const cMeasured = rng.next() < (omMeasured ? pCGivenOm : pCGivenNoOm);
  const res: LabResult = { c: NaN, om: NaN, cMethod: null, omMethod: null };
  if (cMeasured) {
    const wb = rng.next() < walkleyBlackShare;
    const recovery = wb ? Math.min(0.95, Math.max(0.55, rng.normal(0.76, 0.05))) : rng.normal(1, 0.03);
    res.c = Math.max(0.1, round1(comp.cTrue * recovery));
    res.cMethod = wb ? "walkley_black" : "dry_combustion";
  }
  if (omMeasured) {
    // Structural water of clays: ~5-9 % of the clay mass is lost on ignition.
    const clayLoss = comp.clay * 1000 * Math.max(0.03, rng.normal(0.07, 0.015));
    res.om = Math.min(DEFAULT_PHYSICAL_RANGE.omMax, Math.max(0.5, round1(comp.omTrue * rng.normal(1, 0.04) + clayLoss)));
    res.omMethod = "loi";
  }
  return res;
}
