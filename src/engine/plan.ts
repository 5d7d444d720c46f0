/**
 * Dry run: for each step, `cached` or `run` and why — the same keys and cues as a real run,
 * without executing or writing anything. A step downstream of one that will run is `run`
 * with "input X will rerun" (its new input hash is only known after X has run).
 */
import { cacheKey, explainChange } from "./cues.js";
import { join } from "node:path";
import { FileHasher } from "./file-hash.js";
import type { Pipeline } from "./pipeline.js";
import { checkStepNames, manifestFor } from "./runner.js";
import { layout } from "./store/layout.js";
import { validSeal } from "./store/artifacts.js";
import { readIndex, readKey } from "./store/records.js";

export interface PlannedStep {
  name: string;
  type: string;
  status: "cached" | "run";
  reasons: string[];
}

export async function planPipeline(
  pipeline: Pipeline,
  opts: { store: string; force?: readonly string[] },
): Promise<PlannedStep[]> {
  checkStepNames(pipeline, opts.force ?? [], "--force");
  const l = layout(opts.store);
  const forced = new Set(opts.force ?? []);
  const artifacts = new Map<string, string | null>(); // step -> artifact hash, null when it will run
  const out: PlannedStep[] = [];
  // Reads the store's file-hash cache but never saves it: plan writes nothing.
  const files = new FileHasher(join(l.root, "file-hashes.json"));
  for (const step of pipeline.steps) {
    const previous = await readIndex(l, pipeline.name, step.name);
    const rerunning = step.needs.filter((n) => artifacts.get(n) === null);
    const inputs = Object.fromEntries(
      step.needs.map((n) => [n, artifacts.get(n) ?? previous?.manifest.inputs[n] ?? "unknown"]),
    );
    const manifest = await manifestFor(step, inputs, files);
    let reasons: string[] = [];
    if (forced.has(step.name)) reasons.push("forced (--force)");
    if (step.always) reasons.push("always: true");
    reasons.push(...rerunning.map((n) => `input ${n} will rerun`));
    let artifact: string | null = null;
    if (reasons.length === 0) {
      const entry = await readKey(l, cacheKey(manifest));
      if (entry && (await validSeal(l.artifact(entry.artifact)))) artifact = entry.artifact;
      else if (entry) reasons.push("stored artifact missing or corrupt");
      else reasons = explainChange(previous?.manifest ?? null, manifest);
    } else if (previous) {
      // Also show what else changed (options, code), ignoring the inputs we cannot know yet.
      reasons.push(...explainChange(previous.manifest, { ...manifest, inputs: previous.manifest.inputs }).filter((r) => !r.startsWith("no stored")));
    }
    artifacts.set(step.name, artifact);
    out.push({ name: step.name, type: step.type, status: artifact ? "cached" : "run", reasons: artifact ? [] : reasons });
  }
  return out;
}
