/** The small real pipeline (synth n 200 -> preprocess -> PLSR -> metrics) shared by the store-fault tests. */
import { cp, mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadPipeline, type Pipeline, type Registry } from "../../../src/engine/pipeline.js";
import { runPipeline, type RunOptions } from "../../../src/engine/runner.js";
import { findRun, runMetrics } from "../../../src/engine/queries.js";
import type { RunRecord } from "../../../src/engine/run-record.js";
import { layout } from "../../../src/engine/store/layout.js";
import { builtinSteps } from "../../../src/steps/registry.js";

export const SMALL = new URL("./fixtures/small.yaml", import.meta.url).pathname;
const registry: Registry = new Map(builtinSteps().map((d) => [d.type, d]));

export const loadSmall = (overrides: string[] = []): Promise<Pipeline> => loadPipeline(SMALL, registry, { overrides });
export const tmpStore = async (name = "store") => join(await mkdtemp(join(tmpdir(), "somflow-sf-")), name);
export const statuses = (r: RunRecord) => Object.fromEntries(r.steps.map((s) => [s.name, s.status]));

export async function runSmall(store: string, overrides: string[] = [], opts: Partial<RunOptions> = {}): Promise<RunRecord> {
  return runPipeline(await loadSmall(overrides), { store, ...opts });
}

/** Metric rows of a run (or of the store's latest run), for equality with an undisturbed run. */
export async function metricsOf(store: string, run?: RunRecord): Promise<unknown[]> {
  return runMetrics(store, run ?? (await findRun(store)));
}

/** A copy of a store (cheaper than running the pipeline again for each case). */
export async function copyStore(from: string): Promise<string> {
  const to = await tmpStore();
  await cp(from, to, { recursive: true });
  return to;
}

/** The artifact folder of a step in a run. */
export function artifactOf(store: string, run: RunRecord, step: string): string {
  return layout(store).artifact(run.steps.find((s) => s.name === step)!.artifact!);
}

/** Overwrites a file with different bytes of the same size (every byte inverted). */
export async function flipBytes(file: string): Promise<void> {
  const b = await readFile(file);
  for (let i = 0; i < b.length; i++) b[i] = 255 - b[i]!;
  await writeFile(file, b);
}

export async function firstF32(dir: string): Promise<string> {
  const spectra = join(dir, "spectra.spectra");
  const f = (await readdir(spectra)).filter((n) => n.endsWith(".f32")).sort()[0]!;
  return join(spectra, f);
}
