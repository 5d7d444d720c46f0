/**
 * `somflow export`: one table of one run to CSV or Parquet, written atomically, with a JSON
 * sidecar (columns, types, units where the step declared them, run, step, artifact).
 */
import { rename, rm } from "node:fs/promises";
import { basename, dirname, extname, join, resolve } from "node:path";
import { existsSync } from "node:fs";
import type { TableDescription } from "../core/table.js";
import { UsageError } from "./errors.js";
import { runArtifacts } from "./queries.js";
import type { RunRecord } from "./run-record.js";
import { quoteString, queryRows, withConnection } from "./store/duck.js";
import { writeJsonAtomic } from "./store/records.js";
import { csvSelectList } from "./export-format.js";

export interface ExportResult {
  table: string;
  step: string;
  out: string;
  sidecar: string;
  rows: number;
}

export async function exportTable(store: string, run: RunRecord, table: string, outFile: string, stepName?: string): Promise<ExportResult> {
  const out = resolve(outFile);
  const ext = extname(out).toLowerCase();
  if (ext !== ".csv" && ext !== ".parquet") throw new UsageError(`--out ${outFile}: the file must end in .csv or .parquet`);
  if (!existsSync(dirname(out))) throw new UsageError(`--out ${outFile}: folder ${dirname(out)} does not exist`);
  const artifacts = (await runArtifacts(store, run)).filter((a) => a.has(table) && (!stepName || a.step === stepName));
  if (artifacts.length === 0) {
    const all = (await runArtifacts(store, run)).flatMap((a) => Object.entries(a.outputNames).filter(([, k]) => k === "table").map(([n]) => `${n} (${a.step})`));
    throw new UsageError(`run ${run.run_id} has no table "${table}"${stepName ? ` in step ${stepName}` : ""}; tables: ${all.join(", ")}`);
  }
  if (artifacts.length > 1) {
    throw new UsageError(`several steps wrote "${table}" (${artifacts.map((a) => a.step).join(", ")}); pick one with --step`);
  }
  const art = artifacts[0]!;
  const src = art.tablePath(table);
  const tmp = join(dirname(out), `.${basename(out)}.${process.pid}.tmp`);
  const columns = await queryRows(`DESCRIBE SELECT * FROM read_parquet(${quoteString(src)})`);
  const describe: TableDescription = art.has(`${table}_columns`) ? await art.json<TableDescription>(`${table}_columns`) : { columns: {} };
  // CSV: model outputs at the significant digits their description declares (export-format.ts)
  const select = ext === ".csv" ? csvSelectList(columns.map((c) => ({ name: String(c.column_name), type: String(c.column_type) })), describe) : "*";
  try {
    await withConnection((c) =>
      c.run(`COPY (SELECT ${select} FROM read_parquet(${quoteString(src)})) TO ${quoteString(tmp)} (FORMAT ${ext === ".csv" ? "csv, HEADER true" : "parquet"})`),
    );
    await rename(tmp, out);
  } finally {
    await rm(tmp, { force: true });
  }
  const [{ n }] = (await queryRows(`SELECT count(*)::INTEGER AS n FROM read_parquet(${quoteString(src)})`)) as [{ n: number }];
  const sidecar = `${out}.json`;
  await writeJsonAtomic(sidecar, {
    table,
    file: basename(out),
    format: ext.slice(1),
    rows: n,
    run_id: run.run_id,
    pipeline: run.pipeline,
    git_commit: run.git_commit,
    step: art.step,
    step_type: art.type,
    artifact: art.hash,
    exported_at: new Date().toISOString(),
    columns: columns.map((c) => ({ name: c.column_name, type: c.column_type, ...describe.columns[c.column_name as string] })),
    about: describe.about ?? null,
  });
  return { table, step: art.step, out, sidecar, rows: n };
}
