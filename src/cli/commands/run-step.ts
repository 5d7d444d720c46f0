import type { Command } from "../main.js";
import { UsageError } from "../../engine/errors.js";
import { loadPipeline } from "../../engine/pipeline.js";
import { runStepJob } from "../../engine/runner.js";
import { jobPaths, readSpec, writeResult } from "../../engine/slurm/job-files.js";
import { createReporter } from "../progress.js";
import { loadRegistry, parse } from "../shared.js";

/**
 * What one SLURM job runs: the step its spec names, against the shared store, then the
 * result record the coordinator waits for. Not meant to be typed by people.
 */
export const command: Command = {
  usage: "somflow run-step <store>/jobs/<run>/<step>.json",
  async run(args) {
    const { positionals } = parse(args, {}, 1);
    const specPath = positionals[0]!;
    const spec = await readSpec(specPath);
    if (!spec || spec.format !== 1) throw new UsageError(`${specPath}: not a somflow job spec (written by run --executor slurm)`);
    const registry = await loadRegistry(spec.step_modules);
    const overrides = Object.entries(spec.params).map(([k, v]) => `${k}=${v}`);
    const pipeline = await loadPipeline(spec.pipeline_file, registry, { overrides });
    const controller = new AbortController();
    // scancel sends SIGTERM first: the step fails as interrupted and leaves no partial artifact.
    process.on("SIGTERM", () => controller.abort());
    const result = await runStepJob(pipeline, spec, { reporter: createReporter(), signal: controller.signal });
    if (controller.signal.aborted) {
      // SLURM is ending the job (scancel, time limit, preemption): no result record, so the
      // coordinator reads the cause from SLURM's state and this log instead of "interrupted".
      console.error(`step ${spec.step}: stopped by SIGTERM; no artifact was written`);
      return 143;
    }
    await writeResult(jobPaths(spec.store, spec.run_id, spec.step).result, result);
    if (result.error) console.error(`step ${spec.step} failed:\n${result.error}`);
    return result.status === "failed" ? 1 : 0;
  },
};
