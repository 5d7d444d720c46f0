/**
 * Any wide CSV library: id, metadata and target columns named by the user, spectra in
 * columns `<prefix><cm-1><suffix>` in any unit and either wavenumber order.
 */
import type { SpectralUnit } from "../core/spectra/block.js";
import { assembleLibrary, numericColumn, type IngestResult } from "./assemble.js";
import { FormatError } from "./errors.js";
import { uniqueColumn } from "./csv-header.js";
import { findSpectralColumns } from "./spectral-columns.js";
import type { TextEncoding } from "./text.js";
import { percentToGkgInPlace, type TargetUnit } from "./targets.js";
import { WideCsvParser, type WideCsvPlan } from "./wide-csv.js";

export interface TargetColumn {
  column: string;
  unit: TargetUnit;
  /** Lab method code recorded in c_method/om_method. */
  method?: string | null;
}

export interface WideTableOptions {
  spectralPrefix: string;
  spectralSuffix?: string;
  unit: SpectralUnit;
  idColumn: string;
  /** Source name for every row (default: the file name without extension). */
  source?: string;
  /** Or a column holding the source per row. */
  sourceColumn?: string;
  instrument?: string;
  targets?: { c?: TargetColumn; om?: TargetColumn };
  columns?: { lat?: string; lon?: string; depth_top_cm?: string; depth_bottom_cm?: string };
  delimiter?: string;
  /** Text encoding of the file (default utf-8, decoded strictly). */
  encoding?: TextEncoding;
  /** Extra columns carried into `samples` under their own names (e.g. a published `fold`). */
  keep?: readonly string[];
}

/** samples columns a kept column may not replace. */
const RESERVED = new Set([
  "sample_id",
  "source",
  "instrument",
  "lat",
  "lon",
  "depth_top_cm",
  "depth_bottom_cm",
  "c_gkg",
  "om_gkg",
  "c_method",
  "om_method",
]);

/** A kept column: numbers when every non-empty cell is one, else text (empty = null). */
function keptColumn(values: readonly (string | null)[]): Float64Array | (string | null)[] {
  const blank = (v: string | null) => v === null || v.trim() === "";
  if (values.every((v) => blank(v) || Number.isFinite(Number(v)))) return Float64Array.from(values, (v) => (blank(v) ? NaN : Number(v)));
  return values.map((v) => (blank(v) ? null : v));
}

const META = ["lat", "lon", "depth_top_cm", "depth_bottom_cm"] as const;

/** The file name without its folder and its extension (".csv", ".gz", ".csv.gz", ".tsv"...): "lab.2019.csv" is "lab.2019". */
export function fileStem(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  return base.replace(/\.gz$/i, "").replace(/\.[^.]+$/, "");
}

export function createWideTableReader(file: string, o: WideTableOptions) {
  let wavenumbers: Float64Array = new Float64Array(0);
  const slot = new Map<string, number>();
  const plan = (header: string[]): WideCsvPlan => {
    const spec = findSpectralColumns(file, header, o.spectralPrefix, o.spectralSuffix ?? "");
    wavenumbers = spec.wavenumbers;
    const text: number[] = [];
    const want = (key: string, name: string | undefined) => {
      if (!name) return;
      const i = uniqueColumn(header, name, (a, b) => {
        throw new FormatError(
          file,
          `column "${name}" (option ${key}) appears twice, columns ${a + 1} and ${b + 1}; rename one so the column is unambiguous`,
          { line: 1 },
        );
      });
      if (i < 0) {
        throw new FormatError(file, `no column "${name}" (option ${key}); the header starts: ${header.slice(0, 8).join(", ")}`, {
          line: 1,
        });
      }
      slot.set(key, text.length);
      text.push(i);
    };
    want("idColumn", o.idColumn);
    want("sourceColumn", o.sourceColumn);
    want("targets.c.column", o.targets?.c?.column);
    want("targets.om.column", o.targets?.om?.column);
    for (const k of META) want(`columns.${k}`, o.columns?.[k]);
    (o.keep ?? []).forEach((name, i) => {
      if (RESERVED.has(name))
        throw new FormatError(
          file,
          `option keep_columns[${i}]: "${name}" is a samples column somflow fills itself; map it with the matching option instead`,
          { line: 1 },
        );
      want(`keep_columns[${i}]`, name);
    });
    return { text, spectral: spec.indices };
  };
  const parser = new WideCsvParser(file, plan, o.delimiter ?? ",", o.encoding ?? "utf-8");
  return {
    push: (chunk: Uint8Array) => parser.push(chunk),
    finish(): IngestResult {
      const res = parser.end();
      const col = (k: string) => (slot.has(k) ? res.text[slot.get(k)!]! : undefined);
      const num = (k: string, name: string | undefined) => numericColumn(file, name ?? k, col(k), res.lines, res.rows);
      const target = (t: TargetColumn | undefined, key: string) => {
        const v = num(key, t?.column);
        if (t?.unit === "percent") percentToGkgInPlace(v);
        const method = Array.from(v, (x) => (Number.isNaN(x) ? null : (t?.method ?? null)));
        return { v, method };
      };
      const c = target(o.targets?.c, "targets.c.column");
      const om = target(o.targets?.om, "targets.om.column");
      const source = o.source ?? fileStem(file);
      const out = assembleLibrary({
        file,
        ids: col("idColumn")!,
        lines: res.lines,
        idColumn: o.idColumn,
        sources: col("sourceColumn") ?? null,
        defaultSource: source,
        instrumentOf: (s) => o.instrument ?? s,
        unit: o.unit,
        wavenumbers,
        spectra: res.spectra,
        lat: num("columns.lat", o.columns?.lat),
        lon: num("columns.lon", o.columns?.lon),
        depthTop: num("columns.depth_top_cm", o.columns?.depth_top_cm),
        depthBottom: num("columns.depth_bottom_cm", o.columns?.depth_bottom_cm),
        c: c.v,
        om: om.v,
        cMethod: c.method,
        omMethod: om.method,
        declaredUnits: { c: o.targets?.c?.unit ?? "gkg", om: o.targets?.om?.unit ?? "gkg" },
        extra: Object.fromEntries((o.keep ?? []).map((name, i) => [name, keptColumn(col(`keep_columns[${i}]`)!)])),
      });
      out.report.first_missing = res.firstMissing;
      // Unmapped targets are simply absent: don't warn about their (NaN) medians.
      if (!o.targets?.c) out.report.targets.unit_warnings = out.report.targets.unit_warnings.filter((w) => !w.startsWith("median C"));
      if (!o.targets?.om) out.report.targets.unit_warnings = out.report.targets.unit_warnings.filter((w) => !w.startsWith("median OM"));
      return out;
    },
  };
}

export function parseWideTable(file: string, bytes: Uint8Array, o: WideTableOptions): IngestResult {
  const r = createWideTableReader(file, o);
  r.push(bytes);
  return r.finish();
}
