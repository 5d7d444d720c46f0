/**
 * The synthetic sources: a lab, its region, its soils and its methods, each with its own
 * instrument. Seven labs on six continents, loosely modelled on real libraries (KSSL as the
 * reference, AfSIS, LUCAS, ...), without claiming their numbers.
 */
import type { InstrumentSpec } from "./instruments.js";

export interface SoilProfile {
  /** ln(C g/kg) of mineral topsoils: mean and sd. */
  cLogMean: number;
  cLogSd: number;
  /** Share of organic soils (C 150-520 g/kg). */
  organicShare: number;
  /** e-folding depth of C, cm. */
  depthScale: number;
  clayMean: number;
  kaoliniteShare: number;
  carbonateProb: number;
  carbonateMax: number;
  ironMean: number;
}

export interface LabProfile {
  /** Share of C measured by Walkley-Black (the rest dry combustion). */
  walkleyBlackShare: number;
  /** Relative propensity to measure OM by loss on ignition (scaled to the library-wide rate). */
  omPropensity: number;
}

export interface SourceSpec {
  name: string;
  weight: number;
  /** lat/lon boxes [latMin, latMax, lonMin, lonMax]. */
  regions: [number, number, number, number][];
  soil: SoilProfile;
  lab: LabProfile;
  instrument: InstrumentSpec;
}

const inst = (s: Omit<InstrumentSpec, "reference"> & { reference?: boolean }): InstrumentSpec => ({ reference: false, ...s });

export const SOURCES: SourceSpec[] = [
  {
    name: "kssl-like",
    weight: 0.35,
    regions: [
      [30, 48, -122, -75],
      [35, 47, -100, -85],
    ],
    soil: {
      cLogMean: 2.9,
      cLogSd: 0.75,
      organicShare: 0.03,
      depthScale: 45,
      clayMean: 0.25,
      kaoliniteShare: 0.3,
      carbonateProb: 0.22,
      carbonateMax: 0.3,
      ironMean: 0.02,
    },
    lab: { walkleyBlackShare: 0.02, omPropensity: 0.2 },
    instrument: inst({
      source: "kssl-like",
      instrument: "vertex70-hts-xt",
      reference: true,
      unit: "absorbance",
      grid: { start: 600, end: 4000, step: 2 },
      shift: 0,
      baselineOffset: 0,
      baselineSlope: 0,
      scatterMean: 1,
      scatterSd: 0.03,
      noiseSd: 3.6e-5,
      co2Sd: 0.004,
    }),
  },
  {
    name: "afsis-like",
    weight: 0.12,
    regions: [
      [-25, 12, 10, 40],
      [5, 14, -12, 5],
    ],
    soil: {
      cLogMean: 2.7,
      cLogSd: 0.6,
      organicShare: 0.005,
      depthScale: 40,
      clayMean: 0.35,
      kaoliniteShare: 0.8,
      carbonateProb: 0.05,
      carbonateMax: 0.1,
      ironMean: 0.06,
    },
    lab: { walkleyBlackShare: 0.1, omPropensity: 0.3 },
    instrument: inst({
      source: "afsis-like",
      instrument: "alpha-zns-drift",
      unit: "absorbance",
      grid: { start: 3900, end: 650, step: 1.9285 },
      shift: 1.4,
      baselineOffset: 0.216,
      baselineSlope: 0.05,
      scatterMean: 0.9,
      scatterSd: 0.05,
      noiseSd: 9e-5,
      co2Sd: 0.01,
    }),
  },
  {
    name: "lucas-like",
    weight: 0.18,
    regions: [[38, 60, -8, 28]],
    soil: {
      cLogMean: 3.1,
      cLogSd: 0.7,
      organicShare: 0.04,
      depthScale: 35,
      clayMean: 0.22,
      kaoliniteShare: 0.25,
      carbonateProb: 0.3,
      carbonateMax: 0.35,
      ironMean: 0.02,
    },
    lab: { walkleyBlackShare: 0, omPropensity: 0.4 },
    instrument: inst({
      source: "lucas-like",
      instrument: "tensor27-hts",
      unit: "reflectance",
      grid: { start: 700, end: 4000, step: 4 },
      shift: -0.9,
      baselineOffset: -0.108,
      baselineSlope: 0.03,
      scatterMean: 1.08,
      scatterSd: 0.04,
      noiseSd: 6e-5,
      co2Sd: 0.006,
    }),
  },
  {
    name: "oz-like",
    weight: 0.08,
    regions: [[-38, -18, 116, 150]],
    soil: {
      cLogMean: 2.5,
      cLogSd: 0.7,
      organicShare: 0.005,
      depthScale: 30,
      clayMean: 0.28,
      kaoliniteShare: 0.55,
      carbonateProb: 0.25,
      carbonateMax: 0.3,
      ironMean: 0.04,
    },
    lab: { walkleyBlackShare: 0.85, omPropensity: 1 },
    instrument: inst({
      source: "oz-like",
      instrument: "spectrum-one-drift",
      unit: "reflectance_percent",
      grid: { start: 3996, end: 600, step: 3.857 },
      shift: 2.2,
      baselineOffset: 0.09,
      baselineSlope: -0.04,
      scatterMean: 1.05,
      scatterSd: 0.06,
      noiseSd: 7.5e-5,
      co2Sd: 0.012,
    }),
  },
  {
    name: "china-like",
    weight: 0.1,
    regions: [[22, 45, 100, 122]],
    soil: {
      cLogMean: 2.8,
      cLogSd: 0.65,
      organicShare: 0.01,
      depthScale: 40,
      clayMean: 0.3,
      kaoliniteShare: 0.45,
      carbonateProb: 0.3,
      carbonateMax: 0.2,
      ironMean: 0.035,
    },
    lab: { walkleyBlackShare: 0.7, omPropensity: 0.8 },
    instrument: inst({
      source: "china-like",
      instrument: "vertex70v",
      unit: "absorbance",
      grid: { start: 650, end: 4000, step: 2.5 },
      shift: -1.8,
      baselineOffset: 0.36,
      baselineSlope: 0.08,
      scatterMean: 0.95,
      scatterSd: 0.05,
      noiseSd: 0.0001,
      co2Sd: 0.008,
    }),
  },
  {
    name: "amazonia-like",
    weight: 0.09,
    regions: [[-30, 2, -70, -40]],
    soil: {
      cLogMean: 3.0,
      cLogSd: 0.6,
      organicShare: 0.015,
      depthScale: 50,
      clayMean: 0.4,
      kaoliniteShare: 0.85,
      carbonateProb: 0.02,
      carbonateMax: 0.05,
      ironMean: 0.08,
    },
    lab: { walkleyBlackShare: 0.9, omPropensity: 2.5 },
    instrument: inst({
      source: "amazonia-like",
      instrument: "nicolet-is10",
      unit: "reflectance_percent",
      grid: { start: 3900, end: 700, step: 1.93 },
      shift: 0.7,
      baselineOffset: -0.18,
      baselineSlope: 0.06,
      scatterMean: 1.12,
      scatterSd: 0.05,
      noiseSd: 9e-5,
      co2Sd: 0.015,
    }),
  },
  {
    name: "boreal-like",
    weight: 0.08,
    regions: [
      [58, 68, 10, 30],
      [48, 58, -110, -70],
    ],
    soil: {
      cLogMean: 3.4,
      cLogSd: 0.8,
      organicShare: 0.18,
      depthScale: 30,
      clayMean: 0.15,
      kaoliniteShare: 0.1,
      carbonateProb: 0.08,
      carbonateMax: 0.15,
      ironMean: 0.015,
    },
    lab: { walkleyBlackShare: 0, omPropensity: 2.5 },
    instrument: inst({
      source: "boreal-like",
      instrument: "invenio-s",
      unit: "absorbance",
      grid: { start: 4000, end: 600, step: 4 },
      shift: -0.5,
      baselineOffset: 0.144,
      baselineSlope: -0.03,
      scatterMean: 1,
      scatterSd: 0.04,
      noiseSd: 6e-5,
      co2Sd: 0.005,
    }),
  },
];
