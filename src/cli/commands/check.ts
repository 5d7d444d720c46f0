import type { Command } from "../main.js";
import { evaluateChecks } from "../../engine/checks.js";
import { UsageError } from "../../engine/errors.js";
import { findRun, runMetrics } from "../../engine/queries.js";
import { parse, pipelineFromArgs, pipelineOptions, resolveStore } from "../shared.js";

export const command: Command = {
  usage: "somflow check <pipeline.yaml> [--run ID] [--store DIR] [--json]",
  async run(args) {
    const { values, positionals } = parse(args, { ...pipelineOptions, run: { type: "string" }, json: { type: "boolean" } }, 1);
    const pipeline = await pipelineFromArgs(positionals[0], values);
    if (Object.keys(pipeline.checks).length === 0) throw new UsageError(`${pipeline.file} declares no checks`);
    const store = resolveStore(values.store);
    const run = await findRun(store, values.run, pipeline.name);
    const results = evaluateChecks(pipeline.checks, await runMetrics(store, run));
    if (values.json) console.log(JSON.stringify({ run_id: run.run_id, results }));
    else {
      for (const r of results) {
        console.log(
          `${r.ok ? "PASS" : "FAIL"}  ${r.check} ${r.condition}  value ${r.value === null ? "—" : r.value.toPrecision(4)}${r.note ? `  (${r.note})` : ""}`,
        );
      }
    }
    const failed = results.filter((r) => !r.ok).length;
    if (!values.json) console.log(`${results.length - failed} passed, ${failed} failed`);
    return failed === 0 ? 0 : 1;
  },
};
