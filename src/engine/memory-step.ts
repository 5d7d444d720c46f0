/**
 * Runs one step with an in-memory store: inputs and outputs live in memory (directories under
 * a temp folder). For step tests — the real step code runs through the same
 * `runStepDefinition` as in production (same input lookup, same errors); only where the
 * outputs go is swapped, like Framework's injected effects.
 */
import { mkdtemp, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SpectraBlock } from "../contracts/spectra.js";
import type { Table } from "../core/table.js";
import { runStepDefinition, type OutputSink } from "./context.js";
import type { Reporter } from "./progress.js";
import type { InputArtifact, StepDefinition } from "./step.js";

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

const KINDS = ["tables", "spectra", "json", "dirs"] as const;
const KIND_NAME = { tables: "table", spectra: "spectra", json: "json", dirs: "dir" } as const;

/** A memory artifact as an upstream input; a missing output fails like a stored artifact's. */
function memoryInput({ step, type, artifact }: MemoryInput): InputArtifact {
  const get = <K extends (typeof KINDS)[number]>(kind: K, name: string) => {
    if (!artifact[kind].has(name)) {
      const have = KINDS.flatMap((k) => [...artifact[k].keys()].map((n) => `${n} (${KIND_NAME[k]})`)).join(", ");
      throw new Error(`step "${step}" has no ${KIND_NAME[kind]} output "${name}"; it has: ${have || "nothing"}`);
    }
    return artifact[kind].get(name) as MemoryArtifact[K] extends Map<string, infer V> ? V : never;
  };
  return {
    step,
    type,
    hash: `memory:${step}`,
    has: (name) => KINDS.some((k) => artifact[k].has(name)),
    async table(name, columns) {
      const t = get("tables", name);
      return columns ? (Object.fromEntries(columns.map((c) => [c, t[c]!])) as Table) : t;
    },
    spectra: async (name) => get("spectra", name),
    json: async <T>(name: string) => get("json", name) as T,
    dir: (name) => get("dirs", name),
    tablePath(name) {
      throw new Error(`memory input "${step}" has no Parquet file for table "${name}"`);
    },
  };
}

/** The in-memory store's output sink: what the step writes lands in `artifact`. */
function memorySink(root: string, artifact: MemoryArtifact): OutputSink {
  return {
    scratchDir: join(root, "scratch"),
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
  };
}

/** A reporter that keeps the step's log lines. */
function collectingReporter(logs: string[]): Reporter {
  return {
    stepStarted() {},
    stepFinished() {},
    log: (_step, m) => void logs.push(m),
    progress: () => ({ tick() {}, done() {} }),
    close() {},
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
  const logs: string[] = [];
  const root = await mkdtemp(join(tmpdir(), "somflow-step-"));
  const records = await runStepDefinition(def, options, {
    name,
    inputs: inputs.map(memoryInput),
    sink: memorySink(root, artifact),
    reporter: collectingReporter(logs),
    threads: 1,
    signal: new AbortController().signal,
    routes,
  });
  return { artifact, records, logs };
}
