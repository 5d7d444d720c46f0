/**
 * A folder of OPUS files plus a lab table, as one library: sample ids from file names
 * (a regex), replicate scans averaged (their spread reported and checked), every file's own
 * axis read and checked, all spectra put on the most common axis, lab values joined by id.
 * Pure: file names and bytes in.
 */
import type { SpectralUnit } from "../core/spectra/block.js";
import { assembleLibrary, numericColumn, type IngestResult } from "./assemble.js";
import { uniqueColumn } from "./csv-header.js";
import { FormatError } from "./errors.js";
import { opusSpectrumBlocks, parseOpus, type OpusBlockChoice, type OpusSpectrum } from "./opus.js";
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

/**
 * Replicate scans of one sample whose RMS difference from their mean exceeds this (in
 * absorbance units) are flagged: repacked cups of one soil differ by ~0.01-0.03, a swapped
 * or empty cup by far more.
 */
export const DEFAULT_REPLICATE_MAX_RMSD = 0.05;

/** The library's common range must keep at least this share of the reference axis's range. */
export const MIN_COMMON_RANGE_SHARE = 0.25;

export interface OpusLibraryOptions {
  /** Applied to the file name; capture group 1 (or the whole match) is the sample id. */
  idPattern: RegExp;
  source: string;
  instrument?: string;
  lab?: LabTable;
  /** Which spectrum block to read from every file (default "AB", see parseOpus). */
  block?: OpusBlockChoice;
  /** Flag threshold on replicate spread (absorbance units, default DEFAULT_REPLICATE_MAX_RMSD). */
  replicateMaxRmsd?: number;
}

/**
 * Linear interpolation of (x, y) at the points of `grid` (x monotonic either way). Refuses
 * (RangeError) a grid point outside x's range: holding end values would invent a spectrum.
 */
export function interpolateTo(x: Float64Array, y: Float32Array, grid: Float64Array): Float32Array {
  const asc = x[x.length - 1]! > x[0]!;
  const n = x.length;
  const at = (i: number) => (asc ? x[i]! : x[n - 1 - i]!);
  const val = (i: number) => (asc ? y[i]! : y[n - 1 - i]!);
  const tol = 1e-6 * Math.abs(at(n - 1) - at(0));
  const out = new Float32Array(grid.length);
  for (let j = 0; j < grid.length; j++) {
    const g = grid[j]!;
    if (g < at(0) - tol || g > at(n - 1) + tol) {
      throw new RangeError(`${g} cm-1 lies outside the spectrum's axis ${at(0)}-${at(n - 1)} cm-1 (no extrapolation)`);
    }
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

const fileBase = (name: string) => name.split(/[\\/]/).pop() ?? name;
const rangeOf = (w: Float64Array): [number, number] => [Math.min(w[0]!, w[w.length - 1]!), Math.max(w[0]!, w[w.length - 1]!)];

/**
 * The library's axis: the axis most files share (ties: the first file in name order), cut to
 * the range every file covers. A file that does not overlap it is refused by name, and so is
 * one that would cut away more than three quarters of it (a KSSL Vertex axis, 7500-600 cm-1,
 * and an Alpha one, 4000-500 cm-1, share 4000-600 cm-1: kept, and the cut is reported): a library built from mismatched axes is an
 * input error, not something to paper over by holding end values.
 */
export function libraryAxis(spectra: readonly OpusSpectrum[]): { grid: Float64Array; reference: Float64Array; trimmedBy: string[] } {
  const key = (w: Float64Array) => `${w.length}|${w[0]!.toFixed(3)}|${w[w.length - 1]!.toFixed(3)}`;
  const count = new Map<string, { n: number; axis: Float64Array }>();
  for (const s of spectra) {
    const k = key(s.wavenumbers);
    const c = count.get(k);
    if (c) c.n++;
    else count.set(k, { n: 1, axis: s.wavenumbers });
  }
  let ref = spectra[0]!.wavenumbers;
  let best = 0;
  for (const { n, axis } of count.values()) if (n > best) [best, ref] = [n, axis];
  const [rlo, rhi] = rangeOf(ref);
  let lo = rlo;
  let hi = rhi;
  const trimmedBy: string[] = [];
  let minSpan = rhi - rlo;
  for (const s of spectra) {
    const [a, b] = rangeOf(s.wavenumbers);
    minSpan = Math.min(minSpan, b - a);
    if (b <= rlo || a >= rhi) {
      throw new FormatError(
        s.file,
        `its axis ${a.toFixed(1)}-${b.toFixed(1)} cm-1 does not overlap the library's ${rlo.toFixed(1)}-${rhi.toFixed(1)} cm-1 (shared by ${best} file(s)); remove the file or ingest it as a separate library`,
      );
    }
    if (a > lo + 1e-9 || b < hi - 1e-9) trimmedBy.push(fileBase(s.file));
    lo = Math.max(lo, a);
    hi = Math.min(hi, b);
    if ((hi - lo) / (rhi - rlo) < MIN_COMMON_RANGE_SHARE) {
      throw new FormatError(
        s.file,
        `its axis ${a.toFixed(1)}-${b.toFixed(1)} cm-1 leaves only ${Math.max(0, hi - lo).toFixed(1)} cm-1 of the library's ${rlo.toFixed(1)}-${rhi.toFixed(1)} cm-1 in common (less than ${MIN_COMMON_RANGE_SHARE * 100} %); remove the file or ingest it as a separate library`,
      );
    }
  }
  // No wider than any file's own tolerance in interpolateTo, so every grid point is on every file's axis.
  const tol = 1e-6 * minSpan;
  const grid = ref.filter((w) => w >= lo - tol && w <= hi + tol);
  return { grid: grid.length === ref.length ? ref : grid, reference: ref, trimmedBy: [...new Set(trimmedBy)] };
}

export interface ReplicateSpread {
  sample_id: string;
  scans: number;
  /** Largest RMS difference (absorbance units) of one scan from the mean of the scans. */
  max_rmsd: number;
}

/** Per file in the report: the spectrum blocks it holds and the one read. */
interface OpusFileBlocks {
  file: string;
  sample_id: string;
  blocks: string[];
  read: string;
}

interface OpusFilesRead {
  /** Every file's spectrum, in file name order. */
  all: OpusSpectrum[];
  /** Scans by sample id, ids in the order their first file comes. */
  groups: Map<string, OpusSpectrum[]>;
  fileBlocks: OpusFileBlocks[];
}

/** Parses every file in name order and groups the spectra by the sample id its name gives. */
function readOpusFiles(files: readonly OpusFile[], o: OpusLibraryOptions): OpusFilesRead {
  // Name order, so rows, replicate order (hence float sums) and the reference-axis tie break do not depend on the listing.
  const sorted = [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const groups = new Map<string, OpusSpectrum[]>();
  const all: OpusSpectrum[] = [];
  const fileBlocks: OpusFileBlocks[] = [];
  for (const f of sorted) {
    const m = o.idPattern.exec(fileBase(f.name));
    const id = m ? (m[1] ?? m[0]) : null;
    if (!id) throw new FormatError(f.name, `file name does not match id_pattern ${o.idPattern}; rename the file or change id_pattern`);
    const spec = parseOpus(f.name, f.bytes, { block: o.block });
    fileBlocks.push({ file: fileBase(f.name), sample_id: id, blocks: opusSpectrumBlocks(spec.directory), read: spec.block });
    all.push(spec);
    let list = groups.get(id);
    if (!list) groups.set(id, (list = []));
    list.push(spec);
  }
  return { all, groups, fileBlocks };
}

/** The library's axis (see libraryAxis) and where its grid starts on the reference axis. */
interface LibraryGrid {
  grid: Float64Array;
  reference: Float64Array;
  cut: number;
}

/** One spectrum's values on the library's grid, and whether that took interpolation. */
function onLibraryGrid(s: OpusSpectrum, g: LibraryGrid): { values: Float32Array; regridded: boolean } {
  if (sameGrid(s.wavenumbers, g.grid)) return { values: s.values, regridded: false };
  // the common range of the reference axis: a slice, no interpolation
  if (sameGrid(s.wavenumbers, g.reference)) return { values: s.values.subarray(g.cut, g.cut + g.grid.length), regridded: false };
  try {
    return { values: interpolateTo(s.wavenumbers, s.values, g.grid), regridded: true };
  } catch (e) {
    throw new FormatError(s.file, `cannot put the spectrum on the library's axis: ${(e as Error).message}`);
  }
}

interface AveragedSpectra {
  ids: string[];
  /** Row-major, one row per id: the mean of its scans on the library's grid. */
  values: Float32Array;
  regridded: number;
  replicateScans: number;
  replicates: ReplicateSpread[];
}

/** Puts every scan on the library's grid, averages each sample's scans and measures their spread. */
function averageReplicates(groups: ReadonlyMap<string, OpusSpectrum[]>, g: LibraryGrid): AveragedSpectra {
  const p = g.grid.length;
  const ids = [...groups.keys()];
  const values = new Float32Array(ids.length * p);
  let regridded = 0;
  let replicateScans = 0;
  const replicates: ReplicateSpread[] = [];
  ids.forEach((id, r) => {
    const scans = groups.get(id)!.map((s) => {
      const on = onLibraryGrid(s, g);
      if (on.regridded) regridded++;
      return on.values;
    });
    // Summed in place in the float32 row, scan by scan: another order would change the last bits of the means.
    const row = values.subarray(r * p, (r + 1) * p);
    for (const v of scans) for (let j = 0; j < p; j++) row[j]! += v[j]! / scans.length;
    if (scans.length > 1) {
      replicateScans += scans.length;
      let worst = 0;
      for (const v of scans) {
        let ss = 0;
        for (let j = 0; j < p; j++) ss += (v[j]! - row[j]!) ** 2;
        worst = Math.max(worst, Math.sqrt(ss / p));
      }
      replicates.push({ sample_id: id, scans: scans.length, max_rmsd: Number(worst.toPrecision(4)) });
    }
  });
  return { ids, values, regridded, replicateScans, replicates };
}

type MetaColumn = "lat" | "lon" | "depth_top_cm" | "depth_bottom_cm";

/** The sample columns that come from the lab table, row-aligned with the library's ids. */
interface LabColumns {
  c: Float64Array;
  om: Float64Array;
  cMethod: (string | null)[];
  omMethod: (string | null)[];
  meta: Record<MetaColumn, Float64Array>;
  /** The lab line each id joined (0: none), for messages about coordinates. */
  metaLines: ArrayLike<number> | undefined;
  /** Ids on one side of the join only (empty without a lab table). */
  labReport: Record<string, unknown>;
}

/** The lab columns of a library without a lab table: all empty. */
function noLabColumns(n: number): LabColumns {
  const empty = () => new Float64Array(n).fill(NaN);
  return {
    c: empty(),
    om: empty(),
    cMethod: new Array(n).fill(null),
    omMethod: new Array(n).fill(null),
    meta: { lat: empty(), lon: empty(), depth_top_cm: empty(), depth_bottom_cm: empty() },
    metaLines: undefined,
    labReport: {},
  };
}

type SmallCsv = ReturnType<typeof parseSmallCsv>;

/** The index of a named lab column (-1 when none is named); refuses a missing or repeated one. */
function labColumnIndex(lab: LabTable, t: SmallCsv, name: string | undefined, option: string): number {
  if (!name) return -1;
  const i = uniqueColumn(t.header, name, (a, b) => {
    throw new FormatError(lab.file, `column "${name}" (option ${option}) appears twice, columns ${a + 1} and ${b + 1}; rename one`, {
      line: 1,
    });
  });
  if (i < 0) throw new FormatError(lab.file, `no column "${name}" (option ${option}); columns: ${t.header.join(", ")}`, { line: 1 });
  return i;
}

/** The lab table's row index by sample id; refuses an empty or repeated id. */
function labRowsById(lab: LabTable, t: SmallCsv, idCol: number): Map<string, number> {
  const rowOf = new Map<string, number>();
  t.rows.forEach((row, k) => {
    const id = row[idCol]!;
    if (!id)
      throw new FormatError(lab.file, "sample id is empty; every lab row needs the id its OPUS files are named by", {
        line: t.lines[k]!,
        column: `"${lab.idColumn}"`,
      });
    if (rowOf.has(id)) {
      throw new FormatError(lab.file, `sample id "${id}" repeats line ${t.lines[rowOf.get(id)!]}; ids must be unique in the lab table`, {
        line: t.lines[k]!,
        column: `"${lab.idColumn}"`,
      });
    }
    rowOf.set(id, k);
  });
  return rowOf;
}

/** Joins the lab table to the library's ids: targets (g/kg), their methods, coordinates and depths. */
function joinLabTable(lab: LabTable, ids: readonly string[]): LabColumns {
  const n = ids.length;
  const t = parseSmallCsv(lab.file, lab.text);
  const rowOf = labRowsById(lab, t, labColumnIndex(lab, t, lab.idColumn, "lab_id_column"));
  const join = ids.map((id) => rowOf.get(id) ?? -1);
  const joinedLines = join.map((k) => (k >= 0 ? t.lines[k]! : 0));
  const pick = (name: string | undefined, option: string) => {
    const i = labColumnIndex(lab, t, name, option);
    if (i < 0) return undefined;
    return join.map((k) => (k >= 0 ? t.rows[k]![i] || null : null));
  };
  const num = (name: string | undefined, option: string) => numericColumn(lab.file, name ?? option, pick(name, option), joinedLines, n);
  const target = (tc: TargetColumn | undefined, option: string) => {
    const v = num(tc?.column, option);
    if (tc?.unit === "percent") percentToGkgInPlace(v);
    return { v, method: Array.from(v, (x) => (Number.isNaN(x) ? null : (tc?.method ?? null))) };
  };
  // This order (c, om, lat, lon, depths) decides which of several bad columns is reported.
  const ct = target(lab.targets?.c, "lab_targets.c.column");
  const ot = target(lab.targets?.om, "lab_targets.om.column");
  const meta = {} as Record<MetaColumn, Float64Array>;
  for (const k of ["lat", "lon", "depth_top_cm", "depth_bottom_cm"] as const) meta[k] = num(lab.columns?.[k], `lab_columns.${k}`);
  const idSet = new Set(ids);
  const labOnly = [...rowOf.keys()].filter((id) => !idSet.has(id));
  const specOnly = ids.filter((_, i) => join[i]! < 0);
  const labReport = {
    lab_rows_without_spectrum: labOnly.length,
    lab_rows_without_spectrum_ids: labOnly.slice(0, 10),
    spectra_without_lab_row: specOnly.length,
    spectra_without_lab_row_ids: specOnly.slice(0, 10),
  };
  return { c: ct.v, om: ot.v, cMethod: ct.method, omMethod: ot.method, meta, metaLines: joinedLines, labReport };
}

/** How many samples have 1, 2, 3... scans, by scan count ascending. */
function scansPerSample(groups: ReadonlyMap<string, OpusSpectrum[]>): Record<number, number> {
  const count = new Map<number, number>();
  for (const list of groups.values()) count.set(list.length, (count.get(list.length) ?? 0) + 1);
  return Object.fromEntries([...count].sort((x, y) => x[0] - y[0]));
}

/** The warnings on disagreeing replicates and on a cut axis. */
function opusLibraryWarnings(
  disagreeing: readonly ReplicateSpread[],
  maxRmsd: number,
  trimmedBy: readonly string[],
  range: [number, number],
): string[] {
  const warnings: string[] = [];
  if (disagreeing.length > 0) {
    warnings.push(
      `${disagreeing.length} samples have replicate scans that disagree (RMS difference from their mean above ${maxRmsd} absorbance units; e.g. ${disagreeing
        .slice(0, 5)
        .map((x) => `${x.sample_id} ${x.max_rmsd}`)
        .join(", ")}): check for swapped or empty cups`,
    );
  }
  if (trimmedBy.length > 0)
    warnings.push(
      `the library's axis was cut to ${range.map((w) => w.toFixed(1)).join("-")} cm-1, the range every file covers (limited by ${trimmedBy.slice(0, 5).join(", ")})`,
    );
  return warnings;
}

export function buildOpusLibrary(files: readonly OpusFile[], o: OpusLibraryOptions): IngestResult {
  if (files.length === 0) throw new FormatError(o.source, "no OPUS files found; check the folder and the file pattern");
  const maxRmsd = o.replicateMaxRmsd ?? DEFAULT_REPLICATE_MAX_RMSD;
  const { all, groups, fileBlocks } = readOpusFiles(files, o);
  const first = all[0]!;
  const { grid, reference, trimmedBy } = libraryAxis(all);
  const cut = grid === reference ? 0 : reference.indexOf(grid[0]!);
  const { ids, values, regridded, replicateScans, replicates } = averageReplicates(groups, { grid, reference, cut });
  const disagreeing = replicates.filter((x) => x.max_rmsd > maxRmsd);
  const lab = o.lab ? joinLabTable(o.lab, ids) : noLabColumns(ids.length);
  const unit: SpectralUnit = "absorbance";
  const instrument = o.instrument ?? (typeof first.params.INS === "string" && first.params.INS ? first.params.INS : "opus");
  const out = assembleLibrary({
    file: o.source,
    ids,
    lines: Int32Array.from(ids, (_, i) => i + 1),
    idColumn: "file name",
    sources: null,
    defaultSource: o.source,
    instrumentOf: () => instrument,
    unit,
    wavenumbers: grid,
    spectra: values,
    lat: lab.meta.lat,
    lon: lab.meta.lon,
    depthTop: lab.meta.depth_top_cm,
    depthBottom: lab.meta.depth_bottom_cm,
    c: lab.c,
    om: lab.om,
    cMethod: lab.cMethod,
    omMethod: lab.omMethod,
    declaredUnits: { c: o.lab?.targets?.c?.unit ?? "gkg", om: o.lab?.targets?.om?.unit ?? "gkg" },
    unitOption: "The OPUS block read is not absorbance: check the files (the AB block saved by OPUS, option block)",
    // coordinates come from the lab table: their messages name its file and lines
    ...(o.lab ? { metaFile: o.lab.file, metaLines: lab.metaLines } : {}),
  });
  Object.assign(out.report, {
    files: files.length,
    /** Per file: the spectrum blocks it holds and the one read. */
    opus_blocks: fileBlocks,
    opus_block_option: o.block ?? "AB",
    replicate_scans_averaged: replicateScans,
    scans_per_sample: scansPerSample(groups),
    replicates,
    replicate_max_rmsd_threshold: maxRmsd,
    replicates_disagreeing: disagreeing.length,
    replicates_disagreeing_ids: disagreeing.slice(0, 10).map((x) => x.sample_id),
    spectra_regridded: regridded,
    axis_trimmed_by_files: trimmedBy.slice(0, 10),
    ...lab.labReport,
  });
  const warnings = opusLibraryWarnings(disagreeing, maxRmsd, trimmedBy, out.report.wavenumber_range);
  out.report.warnings = [...((out.report.warnings as string[] | undefined) ?? []), ...warnings];
  return out;
}
