/**
 * The step API: what a step type is and what it may touch while it runs.
 * Steps are registered (src/steps/registry.ts), never imported by the engine; a step reads
 * its inputs and writes its outputs only through these interfaces, so the engine owns every
 * path, the atomic commit of the artifact and the cache key.
 */
import type { z } from "zod";
import type { Resources } from "./resources.js";
import type { SpectraBlock } from "../contracts/spectra.js";
import type { MetricRow } from "../contracts/metrics.js";
import type { Table } from "../core/table.js";
import { brandedInstanceOf, classNames, ERROR_BRAND } from "./errors.js";

export interface StepDefinition<S extends z.ZodType = z.ZodType> {
  /** Dotted type name used in pipeline files: `uses: cnn.train`. */
  readonly type: string;
  /** Bump when the step's meaning changes in a way its source hash would not show. */
  readonly version: number;
  readonly description: string;
  /** zod schema of `with:`; unknown keys must be rejected (use z.strictObject). */
  readonly options: S;
  /** Output names the step writes (documentation and `dag`). */
  readonly outputs: readonly string[];
  /** npm packages the step relies on: their installed versions join the cache key. */
  readonly packages?: readonly string[];
  /**
   * Outside files or folders the step reads (paths as given in its options, relative to the
   * working directory): their content hashes join the cache key, so editing them reruns it.
   */
  readonly inputFiles?: (options: z.output<S>) => readonly string[];
  /** Default compute resources of this step type (a pipeline's `resources:` overrides them). */
  readonly resources?: Partial<Resources>;
  /** `import.meta.url` of the defining module: its source (and the project modules it imports) joins the cache key. */
  readonly source: string;
  run(ctx: StepContext, inputs: StepInputs, options: z.output<S>): Promise<void>;
}

/**
 * What the engine uses of a loaded step's type: the parts of its cache key and its code. A
 * full StepDefinition is one; a step from a pipeline memo (pipeline-memo.ts) is another, whose
 * code loads only when the step must run.
 */
export type StepCode = Pick<StepDefinition, "type" | "version" | "source" | "packages" | "inputFiles" | "run">;

/** Typed identity that keeps `options` inferred from the schema. */
export function defineStep<S extends z.ZodType>(def: StepDefinition<S>): StepDefinition<S> {
  return def;
}

/** What a step writes: everything lands in one artifact, committed atomically after `run` resolves. */
export interface StepOutputs {
  table(name: string, table: Table): Promise<void>;
  spectra(name: string, blocks: readonly SpectraBlock[]): Promise<void>;
  json(name: string, value: unknown): Promise<void>;
  /** An empty directory the step fills (e.g. a tfjs model); its path is returned. */
  dir(name: string): Promise<string>;
}

/** One upstream step's committed artifact, read-only. */
export interface InputArtifact {
  /** Name of the upstream step in the pipeline. */
  readonly step: string;
  /** Its step type, e.g. "cnn.train". */
  readonly type: string;
  /** Content hash of the artifact. */
  readonly hash: string;
  has(name: string): boolean;
  table(name: string, columns?: readonly string[]): Promise<Table>;
  spectra(name: string): Promise<SpectraBlock[]>;
  json<T = unknown>(name: string): Promise<T>;
  /** Path of a directory output (read only). */
  dir(name: string): string;
  /** Path of a table's Parquet file, for direct DuckDB queries over large tables. */
  tablePath(name: string): string;
}

export interface StepInputs {
  /** In the order of `needs`. */
  readonly all: readonly InputArtifact[];
  /** Needs that did not finish (only with `needs_ok: any` in the pipeline file; else empty). */
  readonly missing?: readonly string[];
  /** The input coming from upstream step `step`; throws if it is not among `needs`. */
  get(step: string): InputArtifact;
  /** The single input that has output `name`; throws, naming the candidates, if none or several. */
  find(name: string): InputArtifact;
  /** Every input that has output `name`, in `needs` order. */
  findAll(name: string): InputArtifact[];
}

export interface ProgressHandle {
  /** Advance by `n` units; `info` is a short status such as "loss 0.123". */
  tick(n?: number, info?: string): void;
  done(info?: string): void;
}

export interface StepContext {
  /** The step's name in the pipeline. */
  readonly name: string;
  readonly outputs: StepOutputs;
  /** Aborted when the run is cancelled. */
  readonly signal: AbortSignal;
  /** CPU threads this step may use (worker threads). */
  readonly threads: number;
  log(message: string): void;
  /** Progress for long loops: rate and ETA on a TTY, a few plain lines in CI. */
  progress(label: string, total: number, unit?: string): ProgressHandle;
  /** Facts kept in the run record (e.g. tfjs backend, threads, seed). */
  record(facts: Record<string, string | number | boolean | null>): void;
  /** Writes the standard `metrics` table (the rows `somflow metrics` prints). */
  metrics(rows: readonly MetricRow[]): Promise<void>;
  /** A scratch directory removed after the step. */
  scratch(): Promise<string>;
}

/**
 * An error in the user's input or options that a step detected: shown without a stack,
 * as `step <name>: <message>`. The message names file/row/column or option and what to do.
 */
export class StepInputError extends Error {
  override readonly name: string = "StepInputError";
  readonly [ERROR_BRAND] = classNames(this.constructor);
  // Also true for one thrown by a user's step module that imports these sources through tsx.
  static override [Symbol.hasInstance](x: unknown): boolean {
    return brandedInstanceOf(this, x);
  }
}
