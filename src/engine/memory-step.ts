/**
 * Runs one step without the store: inputs and outputs live in memory (directories under a
 * temp folder). For step tests — the real step code runs, only the engine's disk layer is
 * swapped, like Framework's injected effects.
 */
import { mkdtemp, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SpectraBlock } from "../core/spectra/block.js";
import type { MetricRow } from "../core/stats/metric-row.js";
import { metricsTable } from "./metrics-table.js";
import type { Table } from "../core/table.js";
import type { InputArtifact, StepContext, StepDefinition, StepInputs } from "./step.js";

export interface MemoryArtifact {
  tables: Map<string, Table>;
  spectra: Map<string, SpectraBlock[]>;
  json: Map<string, unknown>;
  dirs: Map<string, string>;
}

export function emptyArtifact(): MemoryArtifact {
  return { tables: new Map(), spectra: new Map(), json: new Map(), dirs: new Map() };
}

export interface MemoryInput {
  step: string;
  type: string;
  artifact: MemoryArtifact;
}

function hasOutput(a: MemoryArtifact, name: string): boolean {
  return a.tables.has(name) || a.spectra.has(name) || a.json.has(name) || a.dirs.has(name);
}

function missing(step: string, kind: string, name: string): Error {
  return new Error(`input "${step}" has no ${kind} output "${name}"`);
}

function memoryInput({ step, type, artifact }: MemoryInput): InputArtifact {
  return {
    step,
    type,
    hash: `memory:${step}`,
    has: (name) => hasOutput(artifact, name),
    async table(name, columns) {
      const t = artifact.tables.get(name);
      if (!t) throw missing(step, "table", name);
      if (!columns) return t;
      return Object.fromEntries(columns.map((c) => [c, t[c]!])) as Table;
    },
    async spectra(name) {
      const s = artifact.spectra.get(name);
      if (!s) throw missing(step, "spectra", name);
      return s;
    },
    async json<T>(name: string) {
      if (!artifact.json.has(name)) throw missing(step, "json", name);
      return artifact.json.get(name) as T;
    },
    dir(name) {
      const d = artifact.dirs.get(name);
      if (!d) throw missing(step, "dir", name);
      return d;
    },
    tablePath(name) {
      throw new Error(`memory input "${step}" has no Parquet file for table "${name}"`);
    },
  };
}

export function memoryInputs(list: readonly MemoryInput[], routes: Readonly<Record<string, string>> = {}): StepInputs {
  const all = list.map(memoryInput);
  const findAll = (name: string) => {
    const from = routes[name];
    if (from === undefined) return all.filter((a) => a.has(name));
    const a = all.find((x) => x.step === from);
    if (!a || !a.has(name)) throw new Error(`inputs.${name}: step "${from}" has no output "${name}"`);
    return [a];
  };
  return {
    all,
    get(step) {
      const a = all.find((x) => x.step === step);
      if (!a) throw new Error(`"${step}" is not among this step's needs (${all.map((x) => x.step).join(", ")})`);
      return a;
    },
    find(name) {
      const found = findAll(name);
      if (found.length !== 1) {
        throw new Error(
          `expected exactly one input with output "${name}", found ${found.length}` +
            (found.length ? ` (${found.map((a) => a.step).join(", ")})` : ""),
        );
      }
      return found[0]!;
    },
    findAll,
  };
}

export interface MemoryRunResult {
  artifact: MemoryArtifact;
  records: Record<string, unknown>;
  logs: string[];
}

export async function runStepInMemory<S extends StepDefinition>(
  def: S,
  rawOptions: unknown,
  inputs: readonly MemoryInput[] = [],
  name = def.type,
  /** The step's `inputs:` routing (output name -> input step), as in a pipeline file. */
  routes: Readonly<Record<string, string>> = {},
): Promise<MemoryRunResult> {
  const options = def.options.parse(rawOptions);
  const artifact = emptyArtifact();
  const records: Record<string, unknown> = {};
  const logs: string[] = [];
  const root = await mkdtemp(join(tmpdir(), "somflow-step-"));
  const ctx: StepContext = {
    name,
    signal: new AbortController().signal,
    threads: 1,
    outputs: {
      async table(n, t) {
        artifact.tables.set(n, t);
      },
      async spectra(n, b) {
        artifact.spectra.set(n, [...b]);
      },
      async json(n, v) {
        artifact.json.set(n, JSON.parse(JSON.stringify(v)));
      },
      async dir(n) {
        const d = join(root, "out", n);
        await mkdir(d, { recursive: true });
        artifact.dirs.set(n, d);
        return d;
      },
    },
    log: (m) => logs.push(m),
    progress: () => ({ tick() {}, done() {} }),
    record: (facts) => Object.assign(records, facts),
    async metrics(rows: readonly MetricRow[]) {
      artifact.tables.set("metrics", metricsTable(rows));
    },
    async scratch() {
      const d = join(root, "scratch");
      await mkdir(d, { recursive: true });
      return d;
    },
  };
  await def.run(ctx, memoryInputs(inputs, routes), options);
  return { artifact, records, logs };
}
