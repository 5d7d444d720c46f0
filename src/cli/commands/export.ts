import { parseArgs } from "node:util";
import type { Command } from "../main.js";
import { exportTable } from "../../engine/export.js";
import { findRun, runArtifacts } from "../../engine/queries.js";
import { UsageError } from "../../engine/errors.js";
import { parse, resolveStore, storeOption } from "../shared.js";

export const command: Command = {
  usage: "somflow export <table> --out FILE.csv|FILE.parquet|FILE.json [--layout long|wide] [--raw] [--step NAME] [--run ID] [--store DIR]",
  async run(args) {
    const { values, positionals } = parse(
      args,
      {
        ...storeOption,
        out: { type: "string", short: "o" },
        step: { type: "string" },
        run: { type: "string" },
        raw: { type: "boolean" },
        layout: { type: "string" },
      },
      1,
    );
    if (!values.out) throw new UsageError("--out FILE is required (.csv or .parquet; .json for a JSON output)");
    if (values.layout !== undefined && values.layout !== "long" && values.layout !== "wide") {
      throw new UsageError(`--layout ${values.layout}: use long (one row per sample and target) or wide (one row per sample)`);
    }
    const store = resolveStore(values.store);
    const run = await findRun(store, values.run);
    // a wide layout is the step's `<table>_wide` output (impute.hybrid writes hybrid_wide)
    const table = values.layout === "wide" && !positionals[0]!.endsWith("_wide") ? `${positionals[0]}_wide` : positionals[0]!;
    const result = await exportTable(store, run, table, values.out, { step: values.step, raw: values.raw });
    console.error(
      `exported ${result.rows} rows of ${result.table} (step ${result.step}, run ${run.run_id}) to ${result.out}; sidecar ${result.sidecar}`,
    );
    if (result.neutralized > 0)
      console.error(
        `${result.neutralized} text cells starting with = + - @ TAB or CR got a leading ' (spreadsheet formula injection); --raw keeps exact values`,
      );
    return 0;
  },
  async helpDetails(args) {
    const { values } = parseArgs({ args, options: { ...storeOption, run: { type: "string" } }, allowPositionals: true, strict: false });
    const store = resolveStore(typeof values.store === "string" ? values.store : undefined);
    const run = await findRun(store, typeof values.run === "string" ? values.run : undefined);
    const tables = (await runArtifacts(store, run)).flatMap((a) =>
      Object.entries(a.outputNames)
        .filter(([, k]) => k === "table")
        .map(([n]) => `  ${n.padEnd(22)} step ${a.step} (${a.type})`),
    );
    return `Tables of run ${run.run_id} (${run.pipeline}):\n${tables.join("\n")}`;
  },
};
