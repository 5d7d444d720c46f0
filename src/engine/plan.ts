/**
 * Dry run: for each step, `cached` or `run` and why — the same `decide()` as a real run,
 * without executing or writing anything. A step downstream of one that will run is `run`
 * with "input X will rerun" (its new input hash is only known after X has run).
 */
import { join } from "node:path";
import type { Reason } from "./cues.js";
import { decide, lookupStored } from "./decide.js";
import { FileHasher } from "./file-hash.js";
import type { Pipeline } from "./pipeline.js";
import { checkStepNames, manifestFor } from "./runner.js";
import { layout } from "./store/layout.js";
import { readIndex } from "./store/records.js";

export interface PlannedStep {
  name: string;
  type: string;
  status: "cached" | "run";
  /** Why it runs, one message per cue (empty when cached). */
  reasons: string[];
  /** The cue behind each reason, in the same order. */
  cues: Reason["cue"][];
}

export async function planPipeline(pipeline: Pipeline, opts: { store: string; force?: readonly string[] }): Promise<PlannedStep[]> {
  checkStepNames(pipeline, opts.force ?? [], "--force");
  const l = layout(opts.store);
  const forced = new Set(opts.force ?? []);
  const artifacts = new Map<string, string | null>(); // step -> artifact hash, null when it will run
  const out: PlannedStep[] = [];
  // Reads the store's file-hash cache but never saves it: plan writes nothing.
  const files = new FileHasher(join(l.root, "file-hashes.json"));
  for (const step of pipeline.steps) {
    const previous = (await readIndex(l, pipeline.name, step.name))?.manifest ?? null;
    const inputs = Object.fromEntries(step.needs.map((n) => [n, artifacts.get(n) ?? previous?.inputs[n] ?? "unknown"]));
    const d = await decide({
      manifest: await manifestFor(step, inputs, files),
      previous,
      pending: step.needs.filter((n) => artifacts.get(n) === null),
      forced: forced.has(step.name),
      always: step.always,
      lookup: (key) => lookupStored(l, key, step.name),
    });
    artifacts.set(step.name, d.hit?.hash ?? null);
    out.push({
      name: step.name,
      type: step.type,
      status: d.run ? "run" : "cached",
      reasons: d.reasons.map((r) => r.message),
      cues: d.reasons.map((r) => r.cue),
    });
  }
  return out;
}
