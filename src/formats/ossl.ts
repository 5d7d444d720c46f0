/**
 * OSSL CSV export (`ossl_all_*` / `ossl_mir_*`): one row per layer, MIR absorbance in
 * columns `scan_mir.<cm-1>_abs`, targets in wt% (converted to g/kg, x10).
 */
import { assembleLibrary, numericColumn, type IngestResult } from "./assemble.js";
import { FormatError } from "./errors.js";
import { uniqueColumn } from "./csv-header.js";
import { findSpectralColumns } from "./spectral-columns.js";
import type { TextEncoding } from "./text.js";
import { percentToGkgInPlace } from "./targets.js";
import { WideCsvParser, type WideCsvPlan } from "./wide-csv.js";

export interface OsslColumns {
  id: string;
  /** Dataset code, becomes `source`; blank = `defaultSource`. */
  source: string;
  /** Organic C, wt%. */
  c: string;
  /** Total C, wt% (kept as c_total_gkg: it includes carbonate C). */
  c_total: string;
  /** Organic matter, wt%; OSSL has none by default. */
  om: string;
  lat: string;
  lon: string;
  depth_top: string;
  depth_bottom: string;
  spectral_prefix: string;
  spectral_suffix: string;
}

export const OSSL_DEFAULT_COLUMNS: OsslColumns = {
  id: "id.layer_uuid_txt",
  source: "dataset.code_ascii_txt",
  c: "oc_usda.c729_w.pct",
  c_total: "c.tot_usda.a622_w.pct",
  om: "",
  lat: "latitude.point_wgs84_dd",
  lon: "longitude.point_wgs84_dd",
  depth_top: "layer.upper.depth_usda_cm",
  depth_bottom: "layer.lower.depth_usda_cm",
  spectral_prefix: "scan_mir.",
  spectral_suffix: "_abs",
};

const META = ["id", "source", "c", "c_total", "om", "lat", "lon", "depth_top", "depth_bottom"] as const;
type MetaKey = (typeof META)[number];

export interface OsslOptions {
  columns?: Partial<OsslColumns>;
  defaultSource?: string;
  cMethod?: string | null;
  omMethod?: string | null;
  /** Text encoding of the file (default utf-8, decoded strictly). */
  encoding?: TextEncoding;
}

/** A streaming OSSL reader: push bytes, then `finish()`. */
export function createOsslReader(file: string, options: OsslOptions = {}) {
  const cols: OsslColumns = { ...OSSL_DEFAULT_COLUMNS, ...options.columns };
  if (!cols.id)
    throw new FormatError(
      file,
      'columns.id is empty: every OSSL row needs a sample id column (default "id.layer_uuid_txt"); name the id column',
    );
  if (!cols.spectral_prefix)
    throw new FormatError(file, 'columns.spectral_prefix is empty: name the prefix of the spectral columns (default "scan_mir.")');
  let wavenumbers: Float64Array = new Float64Array(0);
  const slot = new Map<MetaKey, number>();
  const missingColumns: string[] = [];
  const plan = (header: string[]): WideCsvPlan => {
    const spec = findSpectralColumns(file, header, cols.spectral_prefix, cols.spectral_suffix);
    wavenumbers = spec.wavenumbers;
    const text: number[] = [];
    for (const key of META) {
      const name = cols[key];
      if (!name) continue;
      const i = uniqueColumn(header, name, (a, b) => {
        throw new FormatError(
          file,
          `column "${name}" (columns.${key}) appears twice, columns ${a + 1} and ${b + 1}; rename one so the column is unambiguous`,
          { line: 1 },
        );
      });
      if (i < 0) {
        if (key === "id") {
          throw new FormatError(file, `no sample id column "${name}"; set columns.id to one of: ${header.slice(0, 8).join(", ")}…`, {
            line: 1,
          });
        }
        missingColumns.push(name);
        continue;
      }
      slot.set(key, text.length);
      text.push(i);
    }
    return { text, spectral: spec.indices };
  };
  const parser = new WideCsvParser(file, plan, ",", options.encoding ?? "utf-8");
  return {
    push: (chunk: Uint8Array) => parser.push(chunk),
    finish(): IngestResult {
      const res = parser.end();
      const col = (k: MetaKey) => (slot.has(k) ? res.text[slot.get(k)!]! : undefined);
      const num = (k: MetaKey) => numericColumn(file, cols[k], col(k), res.lines, res.rows);
      const ids = col("id")!;
      const c = percentToGkgInPlace(num("c"));
      const om = percentToGkgInPlace(num("om"));
      const method = (v: Float64Array, m: string | null | undefined) => Array.from(v, (x) => (Number.isNaN(x) ? null : (m ?? null)));
      const out = assembleLibrary({
        file,
        ids,
        lines: res.lines,
        idColumn: cols.id,
        sources: col("source") ?? null,
        defaultSource: options.defaultSource ?? "ossl",
        instrumentOf: (s) => s,
        unit: "absorbance",
        wavenumbers,
        spectra: res.spectra,
        lat: num("lat"),
        lon: num("lon"),
        depthTop: num("depth_top"),
        depthBottom: num("depth_bottom"),
        c,
        om,
        cMethod: method(c, options.cMethod === undefined ? "dry_combustion" : options.cMethod),
        omMethod: method(om, options.omMethod === undefined ? "loi" : options.omMethod),
        declaredUnits: { c: "percent", om: "percent" },
        extra: { c_total_gkg: percentToGkgInPlace(num("c_total")) },
        unitOption: `OSSL spectra are absorbance (columns ${cols.spectral_prefix}<cm-1>${cols.spectral_suffix}); check that columns.spectral_prefix/spectral_suffix name the absorbance columns (not reflectance), or read the file with ingest.table and its unit option`,
      });
      out.report.first_missing = res.firstMissing;
      out.report.missing_columns = missingColumns;
      return out;
    },
  };
}

export function parseOsslCsv(file: string, bytes: Uint8Array, options: OsslOptions = {}): IngestResult {
  const r = createOsslReader(file, options);
  r.push(bytes);
  return r.finish();
}
