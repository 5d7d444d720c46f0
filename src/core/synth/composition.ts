/**
 * Latent composition of one synthetic soil layer: true C and OM, depth, position and the
 * mass fractions of the spectrally active components. C is heavy-tailed (lognormal mineral
 * soils plus a tail of organic soils), decreases with depth, and OM = C x a variable ratio.
 */
import type { Rng } from "../random.js";
import type { SourceSpec } from "./sources.js";

export interface Composition {
  lat: number;
  lon: number;
  depthTop: number;
  depthBottom: number;
  organicSoil: boolean;
  cTrue: number;
  omTrue: number;
  /** OM / C. */
  ratio: number;
  /** Mass fractions, summing to 1. */
  om: number;
  /** Share of OM in the carbohydrate/carboxyl-rich pool (rises with the OM/C ratio). */
  omCarbohydrateShare: number;
  kaolinite: number;
  smectite: number;
  quartz: number;
  otherMinerals: number;
  carbonate: number;
  ironOxide: number;
  water: number;
  /** Clay mass fraction (kaolinite + smectite): LOI bias and sample scattering depend on it. */
  clay: number;
  /** Inorganic C from carbonate (CaCO3 is 12 % C), g/kg. */
  inorganicC: number;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

export function sampleComposition(rng: Rng, src: SourceSpec): Composition {
  const s = src.soil;
  const region = src.regions[rng.int(src.regions.length)]!;
  const lat = region[0] + rng.next() * (region[1] - region[0]);
  const lon = region[2] + rng.next() * (region[3] - region[2]);

  const organicSoil = rng.next() < s.organicShare;
  // Sampling favours the topsoil, as real libraries do; layers 5-50 cm thick, to 200 cm.
  const top = organicSoil ? Math.round(rng.next() * 40) : Math.round((180 * rng.next() ** 2.5) / 5) * 5;
  const bottom = Math.min(200, top + 5 + Math.round(rng.next() * 45));
  const mid = (top + bottom) / 2;

  let c: number;
  if (organicSoil) c = clamp(150 + 370 * rng.next() ** 0.7, 150, 540) * Math.exp(-mid / 400);
  else c = Math.exp(rng.normal(s.cLogMean, s.cLogSd)) * (0.15 + 0.85 * Math.exp(-mid / (1.6 * s.depthScale))) * (0.9 + 0.2 * rng.next());
  c = clamp(c, 0.3, 560);
  let ratio = clamp(rng.normal(1.86, 0.2), 1.4, 2.5);
  if (c * ratio > 980) ratio = 980 / c;
  const omG = c * ratio;
  const om = omG / 1000;

  const clayShare = clamp(rng.normal(s.clayMean, 0.12), 0.02, 0.7);
  const water = clamp(0.004 + 0.05 * clayShare + 0.08 * om + Math.abs(rng.normal(0, 0.006)), 0.002, 0.2);
  const mineral = Math.max(0, 1 - om - water);
  const kaolShare = clamp(rng.normal(s.kaoliniteShare, 0.15), 0, 1);
  const carbShare = rng.next() < s.carbonateProb ? clamp((0.01 + rng.next() * s.carbonateMax) * (1 + mid / 200), 0, 0.5) : 0;
  const ironShare = clamp(rng.normal(s.ironMean, s.ironMean / 2), 0, 0.15);
  const rest = Math.max(0, 1 - clayShare - carbShare - ironShare);
  const quartzShare = rest * (0.55 + 0.35 * rng.next());

  return {
    lat,
    lon,
    depthTop: top,
    depthBottom: bottom,
    organicSoil,
    cTrue: c,
    omTrue: omG,
    ratio,
    om,
    omCarbohydrateShare: clamp((ratio - 1.4) / 1.1, 0, 1),
    kaolinite: mineral * clayShare * kaolShare,
    smectite: mineral * clayShare * (1 - kaolShare),
    quartz: mineral * quartzShare,
    otherMinerals: mineral * (rest - quartzShare),
    carbonate: mineral * carbShare,
    ironOxide: mineral * ironShare,
    water,
    clay: mineral * clayShare,
    inorganicC: mineral * carbShare * 120,
  };
}
