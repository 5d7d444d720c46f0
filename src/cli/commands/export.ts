import type { Command } from "../main.js";
import { exportTable } from "../../engine/export.js";
import { findRun } from "../../engine/queries.js";
import { UsageError } from "../../engine/errors.js";
import { parse, resolveStore, storeOption } from "../shared.js";

export const command: Command = {
  usage: "somflow export <table> --out FILE.csv|FILE.parquet [--step NAME] [--run ID] [--store DIR]",
  async run(args) {
    const { values, positionals } = parse(
      args,
      { ...storeOption, out: { type: "string", short: "o" }, step: { type: "string" }, run: { type: "string" } },
      1,
    );
    if (!values.out) throw new UsageError("--out FILE is required (.csv or .parquet)");
    const store = resolveStore(values.store);
    const run = await findRun(store, values.run);
    const result = await exportTable(store, run, positionals[0]!, values.out, values.step);
    console.error(`exported ${result.rows} rows of ${result.table} (step ${result.step}, run ${run.run_id}) to ${result.out}; sidecar ${result.sidecar}`);
    return 0;
  },
};
