/**
 * `somflow export`: one table of one run to CSV or Parquet (or one JSON output to JSON),
 * written atomically, with a JSON sidecar (columns, types, units where the step declared
 * them, run, step, artifact).
 *
 * CSV formula injection: a spreadsheet runs a cell that starts with = + - @ (or TAB/CR
 * before one), so text cells starting with one of those get a leading `'` in CSV exports
 * (OWASP's advice); `raw: true` (`--raw`) keeps exact values. Parquet and JSON are data
 * formats no spreadsheet evaluates: never changed.
 */
import { rename, rm, stat } from "node:fs/promises";
import { basename, dirname, extname, join, resolve } from "node:path";
import type { TableDescription } from "../core/table.js";
import type { StoredArtifact } from "./store/artifacts.js";
import { UsageError } from "./errors.js";
import { runArtifacts } from "./queries.js";
import type { RunRecord } from "./run-record.js";
import { quoteIdent, quoteString, queryRows, withConnection } from "./store/duck.js";
import { writeJsonAtomic } from "./store/records.js";
import { csvColumnSql, csvSelectList } from "./export-format.js";

export interface ExportResult {
  table: string;
  step: string;
  out: string;
  sidecar: string;
  rows: number;
  /** CSV text cells that got a leading ' (0 for Parquet/JSON or with raw). */
  neutralized: number;
}

export interface ExportOptions {
  step?: string;
  /** CSV: keep text cells exactly (no ' before = + - @ TAB CR). */
  raw?: boolean;
}

/** Characters that make a spreadsheet treat a CSV cell as a formula. */
export const FORMULA_START = /^[=+\-@\t\r]/;

/** A text cell as a CSV export writes it (exported for tests and other CSV writers). */
export function neutralizeCell(s: string): string {
  return FORMULA_START.test(s) ? `'${s}` : s;
}

async function kindOf(path: string): Promise<"file" | "dir" | "other" | null> {
  try {
    const st = await stat(path);
    return st.isFile() ? "file" : st.isDirectory() ? "dir" : "other";
  } catch {
    return null;
  }
}

export async function exportTable(
  store: string,
  run: RunRecord,
  table: string,
  outFile: string,
  stepOrOptions?: string | ExportOptions,
): Promise<ExportResult> {
  const o: ExportOptions = typeof stepOrOptions === "string" ? { step: stepOrOptions } : (stepOrOptions ?? {});
  const { out, ext, sidecar } = await outputPaths(outFile);
  const wanted = ext === ".json" ? "json" : "table";
  const art = pickArtifact(await runArtifacts(store, run), run, table, wanted, o.step);
  const meta = {
    table,
    file: basename(out),
    run_id: run.run_id,
    pipeline: run.pipeline,
    git_commit: run.git_commit,
    step: art.step,
    step_type: art.type,
    artifact: art.hash,
    exported_at: new Date().toISOString(),
  };
  if (wanted === "json") {
    const value = await art.json<unknown>(table);
    await writeJsonAtomic(out, value);
    await writeJsonAtomic(sidecar, { ...meta, format: "json" });
    return { table, step: art.step, out, sidecar, rows: Array.isArray(value) ? value.length : 1, neutralized: 0 };
  }
  const src = art.tablePath(table);
  const columns = await queryRows(`DESCRIBE SELECT * FROM read_parquet(${quoteString(src)})`);
  const [{ n }] = (await queryRows(`SELECT count(*)::INTEGER AS n FROM read_parquet(${quoteString(src)})`)) as [{ n: number }];
  const csv = ext === ".csv";
  const describe: TableDescription = art.has(`${table}_columns`) ? await art.json<TableDescription>(`${table}_columns`) : { columns: {} };
  // CSV: model outputs at the significant digits their description declares (export-format.ts); --raw writes every value as stored.
  const { select, neutralized } = csv && !o.raw ? await csvSelect(src, columns, describe) : { select: "*", neutralized: 0 };
  const tmp = join(dirname(out), `.${basename(out)}.${process.pid}.tmp`);
  try {
    await withConnection((c) =>
      c.run(
        `COPY (SELECT ${select} FROM read_parquet(${quoteString(src)})) TO ${quoteString(tmp)} (FORMAT ${csv ? "csv, HEADER true" : "parquet"})`,
      ),
    );
    await rename(tmp, out);
  } finally {
    await rm(tmp, { force: true });
  }
  await writeJsonAtomic(sidecar, {
    ...meta,
    format: ext.slice(1),
    rows: n,
    ...(csv ? { formula_cells_neutralized: o.raw ? "off (--raw)" : neutralized } : {}),
    columns: columns.map((c) => ({ name: c.column_name, type: c.column_type, ...describe.columns[c.column_name as string] })),
    about: describe.about ?? null,
  });
  return { table, step: art.step, out, sidecar, rows: n, neutralized };
}

/** The output file and its sidecar, checked before anything is read: a known extension, an existing folder, no directory in the way. */
async function outputPaths(outFile: string): Promise<{ out: string; ext: string; sidecar: string }> {
  const out = resolve(outFile);
  const ext = extname(out).toLowerCase();
  if (ext !== ".csv" && ext !== ".parquet" && ext !== ".json")
    throw new UsageError(`--out ${outFile}: the file must end in .csv or .parquet (tables) or .json (JSON outputs)`);
  if ((await kindOf(dirname(out))) !== "dir") throw new UsageError(`--out ${outFile}: folder ${dirname(out)} does not exist`);
  const sidecar = `${out}.json`;
  for (const [path, what] of [
    [out, "--out"],
    [sidecar, "the sidecar"],
  ] as const) {
    const k = await kindOf(path);
    if (k === "dir" || k === "other") {
      throw new UsageError(
        `${what} ${path} is ${k === "dir" ? "a directory" : "not a regular file"}; name a file (e.g. ${join(path, basename(out))}${what === "--out" ? "" : " for --out"})`,
      );
    }
  }
  return { out, ext, sidecar };
}

/** The one artifact of the run with output `table` of the wanted kind (in `step` when given); else an error listing what there is. */
function pickArtifact(all: StoredArtifact[], run: RunRecord, table: string, wanted: "json" | "table", step?: string): StoredArtifact {
  const artifacts = all.filter((a) => a.outputNames[table] === wanted && (!step || a.step === step));
  const list = (kind: string) =>
    all.flatMap((a) =>
      Object.entries(a.outputNames)
        .filter(([, k]) => k === kind)
        .map(([n]) => `${n} (${a.step})`),
    );
  if (artifacts.length === 0) {
    const asJson = all.some((a) => a.outputNames[table] === "json" && (!step || a.step === step));
    const asTable = all.some((a) => a.outputNames[table] === "table" && (!step || a.step === step));
    const hint =
      wanted === "table" && asJson
        ? `; "${table}" is a JSON output: export it with --out ${table}.json`
        : wanted === "json" && asTable
          ? `; "${table}" is a table: export it to .csv or .parquet`
          : "";
    throw new UsageError(
      `run ${run.run_id} has no ${wanted === "json" ? "JSON output" : "table"} "${table}"${step ? ` in step ${step}` : ""}${hint}; tables: ${list("table").join(", ") || "none"}; JSON outputs: ${list("json").join(", ") || "none"}`,
    );
  }
  if (artifacts.length > 1) {
    throw new UsageError(`several steps wrote "${table}" (${artifacts.map((a) => a.step).join(", ")}); pick one with --step`);
  }
  return artifacts[0]!;
}

/**
 * The CSV's SELECT list: model outputs rounded as their description declares, and text cells
 * that a spreadsheet would run as a formula prefixed with ' (counted).
 */
async function csvSelect(
  src: string,
  columns: Record<string, unknown>[],
  describe: TableDescription,
): Promise<{ select: string; neutralized: number }> {
  const typed = columns.map((c) => ({ name: String(c.column_name), type: String(c.column_type) }));
  const names = new Set(typed.map((c) => c.name));
  const text = columns.filter((c) => c.column_type === "VARCHAR").map((c) => c.column_name as string);
  if (text.length === 0) return { select: csvSelectList(typed, describe), neutralized: 0 };
  const test = (c: string) => `regexp_matches(${quoteIdent(c)}, '^[=+\\-@\t\r]')`;
  const [{ k }] = (await queryRows(
    `SELECT (${text.map((c) => `count(*) FILTER (WHERE ${test(c)})`).join(" + ")})::INTEGER AS k FROM read_parquet(${quoteString(src)})`,
  )) as [{ k: number }];
  const select = columns
    .map((c) => {
      const id = quoteIdent(c.column_name as string);
      return c.column_type === "VARCHAR"
        ? `CASE WHEN ${test(c.column_name as string)} THEN '''' || ${id} ELSE ${id} END AS ${id}`
        : csvColumnSql({ name: String(c.column_name), type: String(c.column_type) }, names, describe);
    })
    .join(", ");
  return { select, neutralized: k };
}
