/**
 * The one way a step is run: `runStepDefinition` picks the step's inputs (one set of errors),
 * builds its context from injected effects — where outputs go (the disk store's private
 * temp folder, or memory in step tests) and how progress is reported — calls the step, and
 * removes its scratch folder. The runner and `runStepInMemory` both go through here.
 */
import { mkdir, rm } from "node:fs/promises";
import { metricsTable } from "./metrics-table.js";
import type { Reporter } from "./progress.js";
import { StepInputError, type InputArtifact, type StepContext, type StepCode, type StepInputs, type StepOutputs } from "./step.js";

/** Facts a step records for the run record. */
export type Facts = Record<string, string | number | boolean | null>;

/** Where a step's outputs go while it runs; the store decides what happens to them afterwards. */
export interface OutputSink {
  readonly outputs: StepOutputs;
  /** A path for the step's scratch folder (created on first use, removed after the step). */
  readonly scratchDir: string;
}

export interface StepRunDeps {
  /** The step's name in the pipeline. */
  name: string;
  /** Upstream artifacts, in the order of `needs`. */
  inputs: readonly InputArtifact[];
  sink: OutputSink;
  reporter: Reporter;
  threads: number;
  signal: AbortSignal;
  /** The step's `inputs:` routing (output name -> needed step), as in a pipeline file. */
  routes?: Readonly<Record<string, string>>;
  /** Needs left out because they did not finish (only a `needs_ok: any` step runs with some). */
  missing?: readonly string[];
}

/** The inputs a step sees: lookup by upstream step or by output name, with errors that say what to add to `needs`. */
export function stepInputs(
  list: readonly InputArtifact[],
  routes: Readonly<Record<string, string>> = {},
  missing: readonly string[] = [],
): StepInputs {
  const names = () => list.map((x) => x.step).join(", ") || "none";
  // An output routed by `inputs:` comes from the named step only.
  const findAll = (name: string) => {
    const from = routes[name];
    if (from === undefined) return list.filter((a) => a.has(name));
    const a = list.find((x) => x.step === from);
    if (!a || !a.has(name)) {
      throw new StepInputError(`inputs.${name}: step "${from}" has no output "${name}"; name a needed step that writes it`);
    }
    return [a];
  };
  return {
    all: list,
    missing,
    get(step) {
      const a = list.find((x) => x.step === step);
      if (!a) throw new StepInputError(`"${step}" is not among this step's needs (${names()}); add it to needs`);
      return a;
    },
    find(name) {
      const found = findAll(name);
      if (found.length === 1) return found[0]!;
      throw new StepInputError(
        found.length === 0
          ? `none of this step's needs (${names()}) provides "${name}"; add the step that writes it to needs`
          : `several needs provide "${name}" (${found.map((a) => a.step).join(", ")}); keep only the one to use, ` +
              `or name it with the step's inputs: {${name}: <step>}`,
      );
    },
    findAll,
  };
}

/** A step's context from its injected effects; `facts` collects what the step records. */
function createStepContext(deps: Omit<StepRunDeps, "inputs">, facts: Facts = {}): { ctx: StepContext; facts: Facts } {
  const { name, sink, reporter } = deps;
  const ctx: StepContext = {
    name,
    outputs: sink.outputs,
    signal: deps.signal,
    threads: deps.threads,
    log: (m) => reporter.log(name, m),
    progress: (label, total, unit = "items") => reporter.progress(name, label, total, unit),
    record: (f) => Object.assign(facts, f),
    metrics: (rows) => sink.outputs.table("metrics", metricsTable(rows)),
    scratch: async () => {
      await mkdir(sink.scratchDir, { recursive: true });
      return sink.scratchDir;
    },
  };
  return { ctx, facts };
}

/**
 * Runs `def` with parsed `options`; what it records lands in `facts` (also when it fails).
 * The scratch folder is always removed.
 */
export async function runStepDefinition<D extends StepCode>(
  def: D,
  options: unknown,
  deps: StepRunDeps,
  facts: Facts = {},
): Promise<Facts> {
  const { ctx } = createStepContext(deps, facts);
  try {
    await def.run(ctx, stepInputs(deps.inputs, deps.routes, deps.missing), options as never);
    return facts;
  } finally {
    await rm(deps.sink.scratchDir, { recursive: true, force: true });
  }
}
