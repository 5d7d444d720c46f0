/**
 * What each data loader in reports/src/data runs: pick the run from the environment, open an
 * in-memory DuckDB, compute one page's JSON and write it to stdout.
 *
 * Environment (set by `somflow report` / buildReport):
 *   SOMFLOW_RUN_MANIFEST  a run manifest (tests, hand-made runs); wins over the store
 *   SOMFLOW_STORE, SOMFLOW_RUN, SOMFLOW_PIPELINE  passed to openRunView
 *   SOMFLOW_REPORT_DOWNLOADS  JSON list of {name, bytes} copied into <site>/downloads/
 */
import { withDuck, type DuckDBConnection } from "./duck.js";
import { harmonizationData } from "./harmonization.js";
import { imputationData, type DownloadFile } from "./imputation.js";
import { metricsData } from "./metrics.js";
import { openRunView } from "./open-run-view.js";
import { overviewData } from "./overview.js";
import type { RunView } from "./run-view.js";
import { readRunManifest } from "./static-run-view.js";

/** A page's JSON above this size is reported on stderr (the budget is 2 MB a page). */
export const PAGE_JSON_BUDGET = 2 * 1024 * 1024;

export type PageName = "overview" | "metrics" | "harmonization" | "imputation";

export function downloadsFromEnv(env: NodeJS.ProcessEnv = process.env): DownloadFile[] {
  const raw = env["SOMFLOW_REPORT_DOWNLOADS"];
  if (!raw) return [];
  try {
    const list = JSON.parse(raw) as unknown;
    if (!Array.isArray(list)) return [];
    return list
      .filter((d): d is DownloadFile => typeof d === "object" && d !== null && typeof (d as DownloadFile).name === "string")
      .map((d) => ({ name: d.name, bytes: Number(d.bytes) || 0 }));
  } catch {
    return [];
  }
}

export async function openRunFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<RunView> {
  const manifest = env["SOMFLOW_RUN_MANIFEST"];
  if (manifest) return readRunManifest(manifest);
  const opts: { store?: string; runId?: string; pipeline?: string } = {};
  if (env["SOMFLOW_STORE"]) opts.store = env["SOMFLOW_STORE"];
  if (env["SOMFLOW_RUN"]) opts.runId = env["SOMFLOW_RUN"];
  if (env["SOMFLOW_PIPELINE"]) opts.pipeline = env["SOMFLOW_PIPELINE"];
  return openRunView(opts);
}

export async function pageData(
  page: PageName,
  view: RunView,
  conn: DuckDBConnection,
  env: NodeJS.ProcessEnv = process.env,
): Promise<unknown> {
  switch (page) {
    case "overview":
      return { ...(await overviewData(view, conn)), downloads: downloadsFromEnv(env) };
    case "metrics":
      return metricsData(view, conn);
    case "harmonization":
      return harmonizationData(view, conn);
    case "imputation":
      return imputationData(view, conn, downloadsFromEnv(env));
  }
}

/** Entry of a loader: writes the page JSON to stdout; on error, a message on stderr and exit 1. */
export async function runPageLoader(page: PageName): Promise<void> {
  try {
    const view = await openRunFromEnv();
    const data = await withDuck((conn) => pageData(page, view, conn));
    const text = JSON.stringify(data);
    if (text.length > PAGE_JSON_BUDGET) {
      process.stderr.write(`somflow report: ${page}.json is ${(text.length / 1e6).toFixed(2)} MB, above the 2 MB budget\n`);
    }
    process.stdout.write(text);
  } catch (e) {
    process.stderr.write(`somflow report: loader ${page}.json failed: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
