import type { Command } from "../main.js";
import { planPipeline } from "../../engine/plan.js";
import { parse, pipelineFromArgs, pipelineOptions, resolveStore } from "../shared.js";

export const command: Command = {
  usage: "somflow plan <pipeline.yaml> [--param k=v]... [--force STEP]... [--store DIR] [--json]",
  async run(args) {
    const { values, positionals } = parse(
      args,
      { ...pipelineOptions, force: { type: "string", multiple: true }, json: { type: "boolean" } },
      1,
    );
    const pipeline = await pipelineFromArgs(positionals[0], values);
    const plan = await planPipeline(pipeline, { store: resolveStore(values.store), force: values.force });
    if (values.json) {
      console.log(JSON.stringify(plan));
      return 0;
    }
    const width = Math.max(...plan.map((p) => p.name.length));
    for (const p of plan) {
      console.log(`${p.name.padEnd(width)}  ${p.status.padEnd(6)}  ${p.reasons.join("; ")}`.trimEnd());
    }
    return 0;
  },
};
