/**
 * Turns what a reader parsed (ids, per-row source, metadata, targets, a spectra matrix)
 * into the canonical `samples` table, one SpectraBlock per source, and a report of every
 * repair and suspicion. Shared by all readers so they repair and report the same way.
 */
import type { SpectraBlock, SpectralUnit } from "../core/spectra/block.js";
import type { Table } from "../core/table.js";
import { FormatError } from "./errors.js";
import { checkIds } from "./ids.js";
import { NUM_INVALID, parseNumberText } from "./number.js";
import { interpolateMissing, reflectanceChecks, unitProblem } from "./spectral-columns.js";
import { C_MAX_GKG, OM_MAX_GKG, checkTargets, summarizeIssues, type TargetUnit } from "./targets.js";

export interface IngestResult {
  samples: Table;
  blocks: SpectraBlock[];
  report: IngestReport;
}

export interface IngestReport {
  file: string;
  rows: number;
  sources: Record<string, number>;
  bands: number;
  wavenumber_range: [number, number];
  unit: SpectralUnit;
  /** Missing spectral cells filled by linear interpolation along the row. */
  missing_values_interpolated: number;
  rows_with_missing_values: number;
  first_missing: { line: number; column: string } | null;
  /** Rows with no spectrum at all: kept in `samples`, left out of `spectra`. */
  rows_without_spectrum: number;
  reflectance_spectra_above_full: number;
  reflectance_values_above_full: number;
  reflectance_values_non_positive: number;
  targets: ReturnType<typeof summarizeIssues>;
  [extra: string]: unknown;
}

/** Parses a metadata text column as numbers; a non-number (not NA/empty) is an error naming the line. */
export function numericColumn(
  file: string,
  column: string,
  texts: readonly (string | null)[] | undefined,
  lines: ArrayLike<number>,
  rows: number,
): Float64Array {
  const out = new Float64Array(rows).fill(NaN);
  if (!texts) return out;
  for (let i = 0; i < rows; i++) {
    const { value, status } = parseNumberText(texts[i] ?? null);
    if (status === NUM_INVALID) {
      throw new FormatError(file, `"${texts[i]}" is not a number; fix the cell or leave it empty/NA`, {
        line: lines[i]!,
        column: `"${column}"`,
      });
    }
    out[i] = value;
  }
  return out;
}

export interface AssembleInput {
  file: string;
  ids: (string | null)[];
  /** 1-based file line of each row, and the id column's name, for messages. */
  lines: ArrayLike<number>;
  idColumn: string;
  /** Per-row source (dataset/lab); null rows take `defaultSource`. */
  sources: (string | null)[] | null;
  defaultSource: string;
  /** Instrument per source; default = the source name. */
  instrumentOf: (source: string) => string;
  unit: SpectralUnit;
  wavenumbers: Float64Array;
  spectra: Float32Array;
  lat: Float64Array;
  lon: Float64Array;
  depthTop: Float64Array;
  depthBottom: Float64Array;
  c: Float64Array;
  om: Float64Array;
  cMethod: (string | null)[];
  omMethod: (string | null)[];
  declaredUnits: { c: TargetUnit; om: TargetUnit };
  /** Extra numeric/text columns to carry (e.g. c_total_gkg). */
  extra?: Table;
  /** How the user sets the spectral unit of this reader (for the implausible-unit error); default "unit". */
  unitOption?: string;
  /** Where lat/lon were read, when not from `file` at `lines` (an OPUS library's lab table): for their messages. */
  metaFile?: string;
  metaLines?: ArrayLike<number>;
}

export function assembleLibrary(a: AssembleInput): IngestResult {
  const rows = a.ids.length;
  checkIds(a.file, a.ids, a.lines, `"${a.idColumn}"`);
  const cols = a.wavenumbers.length;
  let rowsWithMissing = 0;
  let missing = 0;
  for (let r = 0; r < rows; r++) {
    let m = 0;
    for (let j = r * cols, e = j + cols; j < e; j++) if (Number.isNaN(a.spectra[j]!)) m++;
    if (m > 0 && m < cols) rowsWithMissing++;
    if (m < cols) missing += m;
  }
  const { emptyRows } = interpolateMissing(a.spectra, cols);
  const bad = unitProblem(a.spectra, a.unit);
  if (bad) {
    const how = a.unitOption ?? "unit";
    throw new FormatError(a.file, `spectra declared ${a.unit}: ${bad.problem}. ${how === "unit" ? `Set unit: ${bad.suggest}` : how}`);
  }
  const empty = new Uint8Array(rows);
  for (const r of emptyRows) empty[r] = 1;

  const geo = checkCoordinates(a);
  const source = a.ids.map((_, i) => a.sources?.[i] ?? a.defaultSource);
  const instrument = source.map((s) => a.instrumentOf(s));
  const samples: Table = {
    sample_id: a.ids,
    source,
    instrument,
    lat: a.lat,
    lon: a.lon,
    depth_top_cm: a.depthTop,
    depth_bottom_cm: a.depthBottom,
    c_gkg: a.c,
    om_gkg: a.om,
    c_method: a.cMethod,
    om_method: a.omMethod,
    ...(a.extra ?? {}),
  };

  // One block per source, rows in file order; a single source reuses the matrix as is.
  const bySource = new Map<string, number[]>();
  for (let r = 0; r < rows; r++) {
    if (empty[r]) continue;
    const s = source[r]!;
    let list = bySource.get(s);
    if (!list) bySource.set(s, (list = []));
    list.push(r);
  }
  const blocks: SpectraBlock[] = [];
  for (const [s, list] of bySource) {
    let values: Float32Array;
    if (bySource.size === 1 && list.length === rows) values = a.spectra;
    else {
      values = new Float32Array(list.length * cols);
      list.forEach((r, k) => values.set(a.spectra.subarray(r * cols, (r + 1) * cols), k * cols));
    }
    blocks.push({
      source: s,
      instrument: a.instrumentOf(s),
      unit: a.unit,
      wavenumbers: a.wavenumbers,
      ids: list.map((r) => a.ids[r]!),
      values,
    });
  }

  const refl = reflectanceChecks(a.spectra, cols, a.unit);
  const sources: Record<string, number> = {};
  for (const s of source) sources[s!] = (sources[s!] ?? 0) + 1;
  const report: IngestReport = {
    file: a.file,
    rows,
    sources,
    bands: cols,
    wavenumber_range: [Math.min(a.wavenumbers[0]!, a.wavenumbers[cols - 1]!), Math.max(a.wavenumbers[0]!, a.wavenumbers[cols - 1]!)],
    unit: a.unit,
    missing_values_interpolated: missing,
    rows_with_missing_values: rowsWithMissing,
    first_missing: null,
    rows_without_spectrum: emptyRows.length,
    reflectance_spectra_above_full: refl.spectraAboveFull,
    reflectance_values_above_full: refl.valuesAboveFull,
    reflectance_values_non_positive: refl.valuesNonPositive,
    targets: summarizeIssues(checkTargets(a.c, a.om, a.declaredUnits), a.ids),
    coordinates_out_of_range: geo.outOfRange,
    depth_top_below_bottom: geo.depthSwapped,
  };
  if (geo.warnings.length) report.warnings = [...geo.warnings];
  return { samples, blocks, report };
}

/**
 * Latitude/longitude must be WGS84 degrees and a layer's top above its bottom. When more than
 * 1 % of the given values are out of range the column is the wrong one (projected metres such
 * as UTM, or lat and lon swapped): an error naming the first line. A few stray rows (real
 * exports have some) are counted and warned about.
 */
function checkCoordinates(a: AssembleInput): { outOfRange: number; depthSwapped: number; warnings: string[] } {
  const warnings: string[] = [];
  const file = a.metaFile ?? a.file;
  const lines = a.metaLines ?? a.lines;
  let outOfRange = 0;
  for (const [name, v, limit] of [
    ["lat", a.lat, 90],
    ["lon", a.lon, 180],
  ] as const) {
    let given = 0;
    let bad = 0;
    let first = -1;
    for (let i = 0; i < v.length; i++) {
      if (Number.isNaN(v[i]!)) continue;
      given++;
      if (Math.abs(v[i]!) > limit) {
        bad++;
        if (first < 0) first = i;
      }
    }
    if (bad > 0 && bad > 0.01 * given) {
      throw new FormatError(
        file,
        `${name} ${v[first]} is outside -${limit}..${limit} (${bad} of ${given} values): ${name} must be WGS84 decimal degrees, not projected coordinates (UTM metres) or the other axis; map the right column or leave it out`,
        { line: lines[first]!, column: name },
      );
    }
    if (bad > 0)
      warnings.push(
        `${bad} ${name} values outside -${limit}..${limit} (e.g. line ${lines[first]}): set to missing in your copy or fix them`,
      );
    outOfRange += bad;
  }
  let depthSwapped = 0;
  for (let i = 0; i < a.depthTop.length; i++) if (a.depthTop[i]! > a.depthBottom[i]!) depthSwapped++;
  if (depthSwapped > 0) warnings.push(`${depthSwapped} layers have a top depth below their bottom depth: are the depth columns swapped?`);
  return { outOfRange, depthSwapped, warnings };
}

/** Lines a step logs from a report: only what needs a reader's attention. */
export function reportWarnings(r: IngestReport): string[] {
  const w: string[] = [];
  if (r.missing_values_interpolated > 0) {
    w.push(
      `${r.missing_values_interpolated} missing spectral values in ${r.rows_with_missing_values} rows were interpolated along the spectrum`,
    );
  }
  if (r.rows_without_spectrum > 0) w.push(`${r.rows_without_spectrum} rows have no spectrum: kept in samples, not in spectra`);
  if (r.reflectance_spectra_above_full > 0) {
    w.push(
      `${r.reflectance_spectra_above_full} spectra have reflectance above 100 % (${r.reflectance_values_above_full} values): kept, they give negative absorbance`,
    );
  }
  if (r.reflectance_values_non_positive > 0)
    w.push(`${r.reflectance_values_non_positive} reflectance values are <= 0 and cannot become absorbance`);
  const t = r.targets;
  if (t.c_impossible) w.push(`${t.c_impossible} C values outside 0-${C_MAX_GKG} g/kg (e.g. ${t.c_impossible_ids.join(", ")})`);
  if (t.om_impossible) w.push(`${t.om_impossible} OM values outside 0-${OM_MAX_GKG} g/kg (e.g. ${t.om_impossible_ids.join(", ")})`);
  if (t.om_below_c) w.push(`${t.om_below_c} samples have OM < C (e.g. ${t.om_below_c_ids.join(", ")})`);
  w.push(...t.unit_warnings);
  if (Array.isArray(r.warnings)) w.push(...(r.warnings as string[]));
  return w;
}
