/**
 * What the exported hybrid dataset means: each column's unit and description and the notes a
 * user of the data must know. The impute step stores it as `hybrid_columns`; `somflow export`
 * merges it into the sidecar JSON written beside the CSV/Parquet file. Pure.
 */
import type { TableDescription } from "../table.js";
import type { ColumnDescription } from "../../contracts/column-description.js";
import { WIDE_PER_TARGET } from "./layout.js";

interface ColumnDoc {
  name: string;
  type: "text" | "number" | "flag";
  unit: string | null;
  description: string;
  /** Significant digits in CSV exports (model outputs); absent = written exactly. */
  csv_digits?: number;
  /** `value` of a measured row is the lab value: exact in CSV despite csv_digits. */
  exactWhenMeasured?: boolean;
  /** The origin column that decides exactWhenMeasured (default `origin`). */
  originColumn?: string;
}

/** Model outputs carry ~2–3 meaningful digits; 4 significant digits keep them readable in CSV. */
const MODEL_DIGITS = 4;

export const HYBRID_COLUMNS: readonly ColumnDoc[] = [
  {
    name: "sample_id",
    type: "text",
    unit: null,
    description: "sample id; sample_id × target is unique (samples sharing an id are one row, see set_aside duplicate_id)",
  },
  { name: "source", type: "text", unit: null, description: "the library / lab the sample comes from" },
  { name: "depth_top_cm", type: "number", unit: "cm", description: "top of the sampled depth interval" },
  { name: "depth_bottom_cm", type: "number", unit: "cm", description: "bottom of the sampled depth interval" },
  { name: "lat", type: "number", unit: "degrees north (WGS84)", description: "latitude" },
  { name: "lon", type: "number", unit: "degrees east (WGS84)", description: "longitude" },
  { name: "target", type: "text", unit: null, description: "c = organic carbon, om = organic matter" },
  {
    name: "value",
    type: "number",
    unit: "g/kg",
    description:
      "the value to use: the measured value if origin=measured, else the (adjusted) prediction; null if rejected. Never an impossible or QC-failed measured value (see set_aside)",
    csv_digits: MODEL_DIGITS,
    exactWhenMeasured: true,
  },
  { name: "origin", type: "text", unit: null, description: "measured | predicted | rejected" },
  {
    name: "measured",
    type: "number",
    unit: "g/kg",
    description: "the harmonized lab value exactly as in the samples table (also when set aside); null if not measured",
  },
  {
    name: "measured_reported",
    type: "number",
    unit: "g/kg",
    description: "the lab's value as reported, before the method conversion to the dry-combustion equivalent",
  },
  {
    name: "lab_method",
    type: "text",
    unit: null,
    description: "the lab method of the measured value (e.g. dry combustion, Walkley-Black, LOI)",
  },
  {
    name: "set_aside",
    type: "text",
    unit: null,
    description:
      "why the measured value is not the value: c_negative, c_above_max, c_unit_suspect, om_negative, om_above_max, om_unit_suspect, om_below_c (both set aside), duplicate_id (samples sharing the id disagree: row rejected); null = not set aside",
  },
  {
    name: "reason",
    type: "text",
    unit: null,
    description: "why a row is rejected (e.g. spectrum failed QC, no prediction, conflicting duplicate id)",
  },
  {
    name: "predicted_mean",
    type: "number",
    unit: "g/kg",
    description: "the model's prediction before any adjustment (also given for measured rows)",
    csv_digits: MODEL_DIGITS,
  },
  {
    name: "predicted_sd",
    type: "number",
    unit: "g/kg",
    description: "the model's predictive SD, null if the model gives none",
    csv_digits: MODEL_DIGITS,
  },
  {
    name: "pi_low",
    type: "number",
    unit: "g/kg",
    description: "lower end of the model's prediction interval (adjusted with value)",
    csv_digits: MODEL_DIGITS,
  },
  {
    name: "pi_high",
    type: "number",
    unit: "g/kg",
    description: "upper end of the model's prediction interval (adjusted with value)",
    csv_digits: MODEL_DIGITS,
  },
  { name: "in_domain", type: "flag", unit: null, description: "spectrum inside the model's applicability domain; null if unknown" },
  { name: "qc_flags", type: "text", unit: null, description: "the sample's QC flags (;-joined), null = clean" },
  { name: "model", type: "text", unit: null, description: "pipeline step that made the prediction" },
  { name: "impute_flags", type: "text", unit: null, description: "adjustments made: clamped_to_0, om_raised_to_c, c_lowered_to_om" },
];

export interface HybridAbout {
  /** Model step per target, e.g. {c: "train-c", om: "train-om"}. */
  models: Partial<Record<"c" | "om", string>>;
  /** Interval level of pi_low/pi_high per target, when known. */
  piLevel: Record<string, number> | number | null;
  /** Rows per target and origin. */
  counts: Record<string, Record<string, number>> | null;
  /** Measured values set aside, per target and code. */
  setAside?: Record<string, Record<string, number>> | null;
}

/** Column docs of the wide layout (WIDE_PER_TARGET names, prefixed per target). */
function wideColumns(): ColumnDoc[] {
  const byName = new Map(HYBRID_COLUMNS.map((c) => [c.name, c]));
  const out: ColumnDoc[] = ["sample_id", "source", "depth_top_cm", "depth_bottom_cm", "lat", "lon"].map((n) => byName.get(n)!);
  for (const t of ["c", "om"]) {
    for (const [col, suffix] of WIDE_PER_TARGET) {
      const d = byName.get(col)!;
      out.push({
        ...d,
        name: `${t}_${suffix}`,
        ...(d.exactWhenMeasured ? { originColumn: `${t}_origin` } : {}),
        description: `${t === "c" ? "organic carbon" : "organic matter"}: ${d.description}`,
      });
    }
  }
  return out;
}

/** The sidecar description of the long (`hybrid`) or wide (`hybrid_wide`) layout. */
export function hybridDescription(about: HybridAbout, layout: "long" | "wide" = "long"): TableDescription {
  const docs = layout === "long" ? HYBRID_COLUMNS : wideColumns();
  return {
    columns: Object.fromEntries(
      docs.map((c): [string, ColumnDescription] => [
        c.name,
        {
          unit: c.unit,
          description: c.description,
          ...(c.csv_digits ? { csv_digits: c.csv_digits } : {}),
          ...(c.exactWhenMeasured ? { csv_exact_where: [c.originColumn ?? "origin", "measured"] } : {}),
        },
      ]),
    ),
    about: {
      format: "somflow-hybrid",
      version: 2,
      layout: layout === "long" ? "long: one row per sample and target" : "wide: one row per sample, c_* and om_* side by side",
      models: { ...about.models },
      pi_level: about.piLevel,
      counts: about.counts,
      set_aside: about.setAside ?? null,
      notes: [
        "Measured values are copied unchanged into `measured`; `value` uses them unless they are physically impossible or failed QC (negative, above the physical maximum, unit suspect, OM < C, or an id used by several samples with different values): those are counted in set_aside and the row is filled like an unmeasured one (a conflicting duplicate id is rejected).",
        "CSV: model outputs (value, predicted_mean, predicted_sd, pi_low, pi_high) are written with 4 significant digits, measured values exactly; Parquet keeps full precision.",
        "Predictions are kept within physical ranges (C <= 580, OM <= 1000 g/kg; above: rejected) and OM >= C per sample (a predicted OM below C is raised to C, a predicted C above a measured OM is lowered to it).",
        "Units: g/kg of dry soil, dry-combustion-equivalent organic C.",
      ],
    },
  };
}
