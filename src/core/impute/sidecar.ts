/**
 * What the exported hybrid dataset means: each column's unit and description and the notes a
 * user of the data must know. The impute step stores it as `hybrid_columns`; `somflow export`
 * merges it into the sidecar JSON written beside the CSV/Parquet file. Pure.
 */
import type { TableDescription } from "../table.js";

interface ColumnDoc {
  name: string;
  type: "text" | "number" | "flag";
  unit: string | null;
  description: string;
}

export const HYBRID_COLUMNS: readonly ColumnDoc[] = [
  { name: "sample_id", type: "text", unit: null, description: "sample id, unique within the library" },
  { name: "target", type: "text", unit: null, description: "c = organic carbon, om = organic matter" },
  { name: "value", type: "number", unit: "g/kg", description: "the value to use: measured if origin=measured, else the (adjusted) prediction; null if rejected" },
  { name: "origin", type: "text", unit: null, description: "measured | predicted | rejected" },
  { name: "predicted_mean", type: "number", unit: "g/kg", description: "the model's prediction before any adjustment (also given for measured rows)" },
  { name: "predicted_sd", type: "number", unit: "g/kg", description: "the model's predictive SD, null if the model gives none" },
  { name: "pi_low", type: "number", unit: "g/kg", description: "lower end of the model's prediction interval (adjusted with value)" },
  { name: "pi_high", type: "number", unit: "g/kg", description: "upper end of the model's prediction interval (adjusted with value)" },
  { name: "in_domain", type: "flag", unit: null, description: "spectrum inside the model's applicability domain; null if unknown" },
  { name: "qc_flags", type: "text", unit: null, description: "the sample's QC flags (;-joined), null = clean" },
  { name: "model", type: "text", unit: null, description: "pipeline step that made the prediction" },
  { name: "reason", type: "text", unit: null, description: "why a row is rejected (e.g. spectrum failed QC, no prediction)" },
  { name: "impute_flags", type: "text", unit: null, description: "adjustments made: clamped_to_0, om_raised_to_c, c_lowered_to_om, measured_om_below_c" },
];

export interface HybridAbout {
  /** Model step per target, e.g. {c: "train-c", om: "train-om"}. */
  models: Partial<Record<"c" | "om", string>>;
  /** Interval level of pi_low/pi_high per target, when known. */
  piLevel: Record<string, number> | number | null;
  /** Rows per target and origin. */
  counts: Record<string, Record<string, number>> | null;
}

export function hybridDescription(about: HybridAbout): TableDescription {
  return {
    columns: Object.fromEntries(HYBRID_COLUMNS.map((c) => [c.name, { unit: c.unit, description: c.description }])),
    about: {
      format: "somflow-hybrid",
      version: 1,
      models: { ...about.models },
      pi_level: about.piLevel,
      counts: about.counts,
      notes: [
        "Measured values are copied unchanged; predictions fill only values that were not measured.",
        "Predictions are kept within physical ranges (C <= 580, OM <= 1000 g/kg; above: rejected) and OM >= C per sample (a predicted OM below C is raised to C, a predicted C above a measured OM is lowered to it).",
        "Units: g/kg of dry soil, dry-combustion-equivalent organic C.",
      ],
    },
  };
}
