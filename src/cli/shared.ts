/** Argument handling shared by the commands: store, pipeline loading with --param, step plugins. */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { resolve } from "node:path";
import { compiledRoot, importStepModule } from "./step-modules.js";
import { UsageError } from "../engine/errors.js";
import type { Pipeline, Registry } from "../engine/pipeline.js";
import { readPipelineMemo, writePipelineMemo, type MemoIdentity } from "../engine/pipeline-memo.js";
import type { StepDefinition } from "../engine/step.js";
import { storeRoot } from "../engine/store/layout.js";

export const storeOption = { store: { type: "string" } } as const;
export const pipelineOptions = {
  ...storeOption,
  param: { type: "string", multiple: true, short: "p" },
  steps: { type: "string", multiple: true },
} as const;

export function parse<T extends NonNullable<ParseArgsConfig["options"]>>(args: string[], options: T, min = 0, max = min) {
  const parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  const n = parsed.positionals.length;
  if (n < min || n > max) {
    const want = min === max ? `${min}` : `${min} to ${max}`;
    throw new UsageError(`expected ${want} argument${max === 1 ? "" : "s"}, got ${n}: ${parsed.positionals.join(" ") || "none"}`);
  }
  return parsed;
}

export function resolveStore(explicit: string | undefined): string {
  return storeRoot(explicit);
}

/** Step modules: --steps, then SOMFLOW_STEPS (comma-separated). */
const stepModulesOf = (extra: readonly string[]) => [...extra, ...(process.env.SOMFLOW_STEPS?.split(",").filter(Boolean) ?? [])];

/**
 * The built-in steps plus any step modules named by --steps or SOMFLOW_STEPS
 * (comma-separated), each exporting `steps: StepDefinition[]` — how users add their own.
 */
export async function loadRegistry(extra: readonly string[] = [], uses: readonly string[] | null = null): Promise<Registry> {
  const registry = new Map<string, StepDefinition>();
  const modules = stepModulesOf(extra);
  for (const m of modules) {
    let mod: { steps?: StepDefinition[] };
    try {
      mod = (await importStepModule(m)) as typeof mod;
    } catch (e) {
      throw new UsageError(`--steps ${m}: cannot load step module: ${(e as Error).message}`);
    }
    if (!Array.isArray(mod.steps)) throw new UsageError(`--steps ${m}: the module must export \`steps\`, an array of step definitions`);
    for (const d of mod.steps) registry.set(d.type, d);
  }
  // Built-in steps the pipeline uses, each loaded alone; anything unknown (or no list): all of them.
  const { STEP_LOADERS } = await import("../steps/lazy-registry.js");
  const wanted = uses?.filter((t) => !registry.has(t)) ?? null;
  if (wanted && wanted.every((t) => t in STEP_LOADERS)) {
    for (const def of await Promise.all(wanted.map((t) => STEP_LOADERS[t]!()))) registry.set(def.type, def);
  } else {
    const { builtinSteps } = await import("../steps/registry.js");
    for (const def of builtinSteps()) if (!registry.has(def.type)) registry.set(def.type, def);
  }
  return registry;
}

export async function pipelineFromArgs(file: string | undefined, values: { param?: string[]; steps?: string[] }): Promise<Pipeline> {
  if (!file) throw new UsageError("missing pipeline file, e.g. pipelines/demo.yaml");
  // Loaded on demand: yaml and zod are most of a no-op rerun's start-up (see pipelineForRun).
  const { loadPipeline } = await import("../engine/pipeline.js");
  // one YAML parse: the registry loads only the step types the file names
  return loadPipeline(file, (used) => loadRegistry(values.steps ?? [], used), { overrides: values.param ?? [] });
}

/** What a pipeline memo is keyed on; null when running from the TypeScript sources (no build stamp: no memo). */
function memoIdentity(file: string, values: { param?: string[]; steps?: string[] }): MemoIdentity | null {
  const root = compiledRoot();
  if (!root) return null;
  return {
    file: resolve(file),
    overrides: values.param ?? [],
    stepModules: stepModulesOf(values.steps ?? []).map((m) => resolve(m)),
    build: root.split(/[\\/]/).pop()!,
    cwd: process.cwd(),
  };
}

/**
 * The pipeline for `run`: from the store's memo when nothing its load depends on changed
 * (pipeline-memo.ts), else loaded in full. `remember()` records a full load once the store exists.
 */
export async function pipelineForRun(
  file: string | undefined,
  values: { param?: string[]; steps?: string[] },
  storeRoot: string,
): Promise<{ pipeline: Pipeline; remember(): Promise<void> }> {
  const id = file ? memoIdentity(file, values) : null;
  const full = () => pipelineFromArgs(file, values);
  const memo = id ? await readPipelineMemo(storeRoot, id, file!, full) : null;
  if (memo) return { pipeline: memo, remember: async () => {} };
  const pipeline = await full();
  return { pipeline, remember: async () => (id ? writePipelineMemo(storeRoot, id, pipeline) : undefined) };
}

/** Integer option parsing with the option's name in the message. */
export function intOption(name: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} ${value}: expected a whole number >= ${min}`);
  return n;
}
