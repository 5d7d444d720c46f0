import type { Command } from "../main.js";
import { silentReporter } from "../../engine/progress.js";
import { runPipeline } from "../../engine/runner.js";
import { createReporter } from "../progress.js";
import { executorKind, executorOptions, slurmExecutor } from "../slurm.js";
import { intOption, parse, pipelineForRun, pipelineOptions, resolveStore } from "../shared.js";

/** Exit status of a run cancelled by Ctrl-C or SIGTERM (128 + SIGINT), as shells expect. */
export const INTERRUPTED_EXIT = 130;

/**
 * Aborts on the first SIGINT/SIGTERM so running steps fail as "interrupted" and the run record
 * is written; a second signal exits at once.
 */
function abortOnSignals(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(INTERRUPTED_EXIT);
    process.stderr.write(`\n${name}: stopping; running steps are marked interrupted (again to quit at once)\n`);
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

export const command: Command = {
  usage:
    "somflow run <pipeline.yaml> [--param k=v]... [--jobs N] [--threads N] [--only STEP]... [--force STEP]... [--store DIR] [--json] [--executor local|slurm [--slurm-partition P] [--slurm-account A] [--slurm-arg ARG]...]",
  async run(args) {
    const { values, positionals } = parse(
      args,
      {
        ...pipelineOptions,
        jobs: { type: "string", short: "j" },
        threads: { type: "string" },
        only: { type: "string", multiple: true },
        force: { type: "string", multiple: true },
        json: { type: "boolean" },
        ...executorOptions,
      },
      1,
    );
    const store = resolveStore(values.store);
    const { pipeline, remember } = await pipelineForRun(positionals[0], values, store);
    const remote = executorKind(values) === "slurm" ? await slurmExecutor(values, store) : undefined;
    const cancel = abortOnSignals();
    const record = await runPipeline(pipeline, {
      store,
      remote,
      stepModules: values.steps ?? [],
      jobs: intOption("jobs", values.jobs, 1, 1),
      threads: values.threads === undefined ? undefined : intOption("threads", values.threads, 1, 1),
      only: values.only,
      force: values.force,
      reporter: values.json ? silentReporter : createReporter(),
      signal: cancel.signal,
    }).finally(() => cancel.dispose());
    // The memo only saves the next run's load: failing to write it fails nothing, but is said.
    await remember().catch((e: unknown) =>
      console.error(
        `somflow run: warning: could not write the pipeline memo (${(e as Error).message}); the next run loads ${positionals[0]} in full`,
      ),
    );
    if (values.json) {
      console.log(
        JSON.stringify({
          run_id: record.run_id,
          steps: record.steps.map((s) => ({ name: s.name, status: s.status, seconds: s.seconds, reason: s.reason })),
        }),
      );
    } else {
      const counts = { ran: 0, cached: 0, failed: 0, skipped: 0 };
      for (const s of record.steps) counts[s.status]++;
      console.error(
        `run ${record.run_id}: ${counts.ran} ran, ${counts.cached} cached, ${counts.failed} failed, ${counts.skipped} skipped in ${record.seconds.toFixed(1)} s${record.interrupted ? " (interrupted)" : ""}`,
      );
      for (const s of record.steps.filter((x) => x.status === "failed" && x.error !== "interrupted")) {
        console.error(`\nstep ${s.name} (${s.type}) failed:\n${s.error}`);
      }
    }
    if (record.interrupted) return INTERRUPTED_EXIT;
    return record.status === "ok" ? 0 : 1;
  },
};
