import type { Command } from "../main.js";
import { createReporter, silentReporter } from "../../engine/progress.js";
import { runPipeline } from "../../engine/runner.js";
import { intOption, parse, pipelineFromArgs, pipelineOptions, resolveStore } from "../shared.js";

export const command: Command = {
  summary: "run a pipeline; unchanged steps come from the cache",
  usage: "somflow run <pipeline.yaml> [--param k=v]... [--jobs N] [--threads N] [--only STEP]... [--force STEP]... [--store DIR] [--json]",
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
      },
      1,
    );
    const pipeline = await pipelineFromArgs(positionals[0], values);
    const record = await runPipeline(pipeline, {
      store: resolveStore(values.store),
      jobs: intOption("jobs", values.jobs, 1, 1),
      threads: values.threads === undefined ? undefined : intOption("threads", values.threads, 1, 1),
      only: values.only,
      force: values.force,
      reporter: values.json ? silentReporter : createReporter(),
    });
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
        `run ${record.run_id}: ${counts.ran} ran, ${counts.cached} cached, ${counts.failed} failed, ${counts.skipped} skipped in ${record.seconds.toFixed(1)} s`,
      );
      for (const s of record.steps.filter((x) => x.status === "failed")) {
        console.error(`\nstep ${s.name} (${s.type}) failed:\n${s.error}`);
      }
    }
    return record.status === "ok" ? 0 : 1;
  },
};
