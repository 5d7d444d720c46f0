/**
 * A RunView over a small manifest file (run record + table paths + JSON values) instead of
 * the artifact store: used by tests and by anyone who wants a report of hand-made tables.
 * Chosen by the loaders when SOMFLOW_RUN_MANIFEST is set.
 */
import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import type { RunRecord } from "../engine/run-record.js";
import type { RunView } from "./run-view.js";

export interface RunManifest {
  run: RunRecord;
  previous?: RunRecord | null;
  /** step → table name → Parquet path (relative paths are relative to the manifest). */
  tables: Record<string, Record<string, string>>;
  /** step → output name → JSON value. */
  json?: Record<string, Record<string, unknown>>;
  /** Manifest of the previous run, for deltas (relative to this manifest). */
  previousManifest?: string | null;
}

export function staticRunView(manifest: RunManifest, baseDir = process.cwd()): RunView {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const outputs = (step: string) => [...Object.keys(manifest.tables[step] ?? {}), ...Object.keys(manifest.json?.[step] ?? {})];
  return {
    run: manifest.run,
    previous: manifest.previous ?? null,
    stepsWith: (name) => manifest.run.steps.map((s) => s.name).filter((s) => outputs(s).includes(name)),
    tablePath: (step, name) => {
      const p = manifest.tables[step]?.[name];
      return p === undefined ? null : abs(p);
    },
    json: async <T>(step: string, name: string) => (manifest.json?.[step]?.[name] as T | undefined) ?? null,
    openPrevious: async () => (manifest.previousManifest ? readRunManifest(abs(manifest.previousManifest)) : null),
  };
}

export async function readRunManifest(path: string): Promise<RunView> {
  const manifest = JSON.parse(await readFile(path, "utf8")) as RunManifest;
  return staticRunView(manifest, dirname(path));
}
