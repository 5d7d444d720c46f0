import type { Command } from "../main.js";
import { toMermaid } from "../../engine/dag.js";
import { parse, pipelineFromArgs, pipelineOptions } from "../shared.js";

export const command: Command = {
  usage: "somflow dag <pipeline.yaml> [--mermaid]",
  async run(args) {
    const { values, positionals } = parse(args, { ...pipelineOptions, mermaid: { type: "boolean" } }, 1);
    const pipeline = await pipelineFromArgs(positionals[0], values);
    if (values.mermaid) {
      console.log(toMermaid(pipeline.steps));
      return 0;
    }
    for (const s of pipeline.steps) {
      console.log(`${s.name} (${s.type})${s.needs.length ? ` <- ${s.needs.join(", ")}` : ""}`);
    }
    return 0;
  },
};
