/**
 * A folder of OPUS files plus a lab table, as one library: sample ids from file names
 * (a regex), replicate scans averaged, every spectrum put on the first file's grid, lab
 * values joined by id. Pure: file names and bytes in.
 */
import type { SpectralUnit } from "../core/spectra/block.js";
import { assembleLibrary, numericColumn, type IngestResult } from "./assemble.js";
import { FormatError } from "./errors.js";
import { parseOpus, type OpusSpectrum } from "./opus.js";
import { parseSmallCsv } from "./small-csv.js";
import { percentToGkgInPlace } from "./targets.js";
import type { TargetColumn } from "./wide-table.js";

export interface OpusFile {
  name: string;
  bytes: Uint8Array;
}

export interface LabTable {
  file: string;
  text: string;
  idColumn: string;
  targets?: { c?: TargetColumn; om?: TargetColumn };
  columns?: { lat?: string; lon?: string; depth_top_cm?: string; depth_bottom_cm?: string };
}

export interface OpusLibraryOptions {
  /** Applied to the file name; capture group 1 (or the whole match) is the sample id. */
  idPattern: RegExp;
  source: string;
  instrument?: string;
  lab?: LabTable;
}

/** Linear interpolation of (x, y) at the points of `grid` (x monotonic either way; ends held). */
export function interpolateTo(x: Float64Array, y: Float32Array, grid: Float64Array): Float32Array {
  const asc = x[x.length - 1]! > x[0]!;
  const n = x.length;
  const at = (i: number) => (asc ? x[i]! : x[n - 1 - i]!);
  const val = (i: number) => (asc ? y[i]! : y[n - 1 - i]!);
  const out = new Float32Array(grid.length);
  for (let j = 0; j < grid.length; j++) {
    const g = grid[j]!;
    if (g <= at(0)) out[j] = val(0);
    else if (g >= at(n - 1)) out[j] = val(n - 1);
    else {
      let lo = 0;
      let hi = n - 1;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (at(mid) <= g) lo = mid;
        else hi = mid;
      }
      const t = (g - at(lo)) / (at(hi) - at(lo));
      out[j] = val(lo) + t * (val(hi) - val(lo));
    }
  }
  return out;
}

function sameGrid(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  const tol = Math.abs(a[1]! - a[0]!) * 1e-4;
  return Math.abs(a[0]! - b[0]!) < tol && Math.abs(a[a.length - 1]! - b[b.length - 1]!) < tol;
}

export function buildOpusLibrary(files: readonly OpusFile[], o: OpusLibraryOptions): IngestResult {
  if (files.length === 0) throw new FormatError(o.source, "no OPUS files found; check the folder and the file pattern");
  const sorted = [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const groups = new Map<string, OpusSpectrum[]>();
  for (const f of sorted) {
    const m = o.idPattern.exec(f.name.split(/[\\/]/).pop() ?? f.name);
    const id = m ? (m[1] ?? m[0]) : null;
    if (!id) throw new FormatError(f.name, `file name does not match id_pattern ${o.idPattern}; rename the file or change id_pattern`);
    const spec = parseOpus(f.name, f.bytes);
    let list = groups.get(id);
    if (!list) groups.set(id, (list = []));
    list.push(spec);
  }
  const first = groups.values().next().value![0]!;
  const grid = first.wavenumbers;
  const p = grid.length;
  const ids = [...groups.keys()];
  const values = new Float32Array(ids.length * p);
  let regridded = 0;
  let replicateScans = 0;
  ids.forEach((id, r) => {
    const scans = groups.get(id)!;
    if (scans.length > 1) replicateScans += scans.length;
    const row = values.subarray(r * p, (r + 1) * p);
    for (const s of scans) {
      let v = s.values;
      if (!sameGrid(s.wavenumbers, grid)) {
        v = interpolateTo(s.wavenumbers, s.values, grid);
        regridded++;
      }
      for (let j = 0; j < p; j++) row[j]! += v[j]! / scans.length;
    }
  });

  const n = ids.length;
  const lines = Int32Array.from(ids, (_, i) => i + 1);
  let c: Float64Array = new Float64Array(n).fill(NaN);
  let om: Float64Array = new Float64Array(n).fill(NaN);
  const meta: Record<"lat" | "lon" | "depth_top_cm" | "depth_bottom_cm", Float64Array> = { lat: new Float64Array(n).fill(NaN), lon: new Float64Array(n).fill(NaN), depth_top_cm: new Float64Array(n).fill(NaN), depth_bottom_cm: new Float64Array(n).fill(NaN) };
  let cMethod: (string | null)[] = new Array(n).fill(null);
  let omMethod: (string | null)[] = new Array(n).fill(null);
  const labReport: Record<string, unknown> = {};
  if (o.lab) {
    const lab = o.lab;
    const t = parseSmallCsv(lab.file, lab.text);
    const col = (name: string | undefined, option: string) => {
      if (!name) return -1;
      const i = t.header.indexOf(name);
      if (i < 0) throw new FormatError(lab.file, `no column "${name}" (option ${option}); columns: ${t.header.join(", ")}`, { line: 1 });
      return i;
    };
    const idCol = col(lab.idColumn, "lab_id_column");
    const rowOf = new Map<string, number>();
    t.rows.forEach((row, k) => {
      const id = row[idCol]!;
      if (!id) throw new FormatError(lab.file, "sample id is empty", { line: t.lines[k]!, column: `"${lab.idColumn}"` });
      if (rowOf.has(id)) {
        throw new FormatError(lab.file, `sample id "${id}" repeats line ${t.lines[rowOf.get(id)!]}; ids must be unique in the lab table`, { line: t.lines[k]!, column: `"${lab.idColumn}"` });
      }
      rowOf.set(id, k);
    });
    const join = ids.map((id) => rowOf.get(id) ?? -1);
    const joinedLines = join.map((k) => (k >= 0 ? t.lines[k]! : 0));
    const pick = (name: string | undefined, option: string) => {
      const i = col(name, option);
      if (i < 0) return undefined;
      return join.map((k) => (k >= 0 ? (t.rows[k]![i] || null) : null));
    };
    const num = (name: string | undefined, option: string) => numericColumn(lab.file, name ?? option, pick(name, option), joinedLines, n);
    const target = (tc: TargetColumn | undefined, option: string) => {
      const v = num(tc?.column, option);
      if (tc?.unit === "percent") percentToGkgInPlace(v);
      return { v, method: Array.from(v, (x) => (Number.isNaN(x) ? null : (tc?.method ?? null))) };
    };
    const ct = target(lab.targets?.c, "lab_targets.c.column");
    const ot = target(lab.targets?.om, "lab_targets.om.column");
    c = ct.v;
    om = ot.v;
    cMethod = ct.method;
    omMethod = ot.method;
    for (const k of ["lat", "lon", "depth_top_cm", "depth_bottom_cm"] as const) meta[k] = num(lab.columns?.[k], `lab_columns.${k}`);
    const idSet = new Set(ids);
    const labOnly = [...rowOf.keys()].filter((id) => !idSet.has(id));
    const specOnly = ids.filter((_, i) => join[i]! < 0);
    labReport.lab_rows_without_spectrum = labOnly.length;
    labReport.lab_rows_without_spectrum_ids = labOnly.slice(0, 10);
    labReport.spectra_without_lab_row = specOnly.length;
    labReport.spectra_without_lab_row_ids = specOnly.slice(0, 10);
  }
  const unit: SpectralUnit = "absorbance";
  const instrument = o.instrument ?? (typeof first.params.INS === "string" && first.params.INS ? first.params.INS : "opus");
  const out = assembleLibrary({
    file: o.source,
    ids,
    lines,
    idColumn: "file name",
    sources: null,
    defaultSource: o.source,
    instrumentOf: () => instrument,
    unit,
    wavenumbers: grid,
    spectra: values,
    lat: meta.lat,
    lon: meta.lon,
    depthTop: meta.depth_top_cm,
    depthBottom: meta.depth_bottom_cm,
    c,
    om,
    cMethod,
    omMethod,
    declaredUnits: { c: o.lab?.targets?.c?.unit ?? "gkg", om: o.lab?.targets?.om?.unit ?? "gkg" },
  });
  Object.assign(out.report, {
    files: files.length,
    replicate_scans_averaged: replicateScans,
    spectra_regridded: regridded,
    ...labReport,
  });
  return out;
}
