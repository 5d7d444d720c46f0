/**
 * Opens one run of a store for the report's loaders: the run (`runId`, else the latest run
 * of `pipeline`, else the latest run) in `store` (default SOMFLOW_STORE or .somflow), with
 * read-only access to its steps' committed artifacts.
 */
import { findRun, previousRun, runArtifacts } from "../engine/queries.js";
import type { RunRecord } from "../engine/run-record.js";
import { storeRoot } from "../engine/store/layout.js";
import type { StoredArtifact } from "../engine/store/artifacts.js";
import type { RunView } from "./run-view.js";

export interface OpenRunViewOptions {
  store?: string;
  runId?: string;
  pipeline?: string;
}

async function viewOf(store: string, run: RunRecord, previous: RunRecord | null): Promise<RunView> {
  const byStep = new Map<string, StoredArtifact>((await runArtifacts(store, run)).map((a) => [a.step, a]));
  return {
    run,
    previous,
    stepsWith: (name) => run.steps.filter((s) => byStep.get(s.name)?.has(name)).map((s) => s.name),
    tablePath(step, name) {
      const a = byStep.get(step);
      return a && a.outputNames[name] === "table" ? a.tablePath(name) : null;
    },
    async json<T>(step: string, name: string) {
      const a = byStep.get(step);
      return a && a.outputNames[name] === "json" ? a.json<T>(name) : null;
    },
    async openPrevious() {
      return previous ? viewOf(store, previous, null) : null;
    },
  };
}

export async function openRunView(opts: OpenRunViewOptions = {}): Promise<RunView> {
  const store = storeRoot(opts.store ?? process.env.SOMFLOW_STORE);
  const run = await findRun(store, opts.runId ?? process.env.SOMFLOW_RUN, opts.pipeline ?? process.env.SOMFLOW_PIPELINE);
  return viewOf(store, run, await previousRun(store, run));
}
