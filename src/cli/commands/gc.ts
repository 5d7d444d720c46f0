import type { Command } from "../main.js";
import { collectGarbage } from "../../engine/gc.js";
import { intOption, parse, resolveStore, storeOption } from "../shared.js";

export const command: Command = {
  usage: "somflow gc [--keep N] [--store DIR]",
  async run(args) {
    const { values } = parse(args, { ...storeOption, keep: { type: "string" } });
    const r = await collectGarbage(resolveStore(values.store), intOption("keep", values.keep, 5));
    console.log(
      `gc: removed ${r.runsRemoved} run records, ${r.artifactsRemoved} artifacts, ${r.keysRemoved} keys, ${r.tempRemoved} temp folders; kept ${r.artifactsKept} artifacts`,
    );
    return 0;
  },
};
