/**
 * The JSON description written beside an exported hybrid dataset (`somflow export hybrid`):
 * what each column means, its unit, where the values came from. Pure: the caller writes it.
 */
export interface HybridSidecarInfo {
  /** Run id of the pipeline run that produced the hybrid table. */
  runId: string;
  /** Name of the impute.hybrid step. */
  step: string;
  /** Model step per target, e.g. {c: "cnn-c", om: "cnn-om"}. */
  models: Partial<Record<"c" | "om", string>>;
  /** Rows per target and origin (the step's `hybrid_meta.counts`). */
  counts?: Record<string, Record<string, number>>;
  /** Interval level of pi_low/pi_high, when known. */
  piLevel?: number | null;
  /** ISO time of the export; default now. */
  exportedAt?: string;
  /** File name of the data file the sidecar describes. */
  dataFile?: string;
}

export interface HybridSidecar {
  format: "somflow-hybrid";
  version: 1;
  run_id: string;
  step: string;
  exported_at: string;
  data_file: string | null;
  models: Partial<Record<"c" | "om", string>>;
  pi_level: number | null;
  counts: Record<string, Record<string, number>> | null;
  columns: { name: string; type: "text" | "number" | "flag"; unit: string | null; description: string }[];
  notes: string[];
}

export const HYBRID_COLUMNS: HybridSidecar["columns"] = [
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

export function hybridSidecar(info: HybridSidecarInfo): HybridSidecar {
  if (!info.runId) throw new RangeError("hybridSidecar needs a run id");
  return {
    format: "somflow-hybrid",
    version: 1,
    run_id: info.runId,
    step: info.step,
    exported_at: info.exportedAt ?? new Date().toISOString(),
    data_file: info.dataFile ?? null,
    models: { ...info.models },
    pi_level: info.piLevel ?? null,
    counts: info.counts ?? null,
    columns: HYBRID_COLUMNS.map((c) => ({ ...c })),
    notes: [
      "Measured values are copied unchanged; predictions fill only values that were not measured.",
      "Predictions are kept within physical ranges (C <= 580, OM <= 1000 g/kg; above: rejected) and OM >= C per sample (a predicted OM below C is raised to C, a predicted C above a measured OM is lowered to it).",
      "Units: g/kg of dry soil, dry-combustion-equivalent organic C.",
    ],
  };
}
