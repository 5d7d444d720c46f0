import type { Command } from "../main.js";
import { METRIC_KEYS, METRIC_NAMES, type MetricName } from "../../contracts/metrics.js";
import { findRun, runMetrics } from "../../engine/queries.js";
import { parse, resolveStore, storeOption } from "../shared.js";

/** Left out of the terminal table to keep it narrow (`--json` has every column). */
const NOT_IN_TERMINAL = new Set<MetricName>(["rpd", "pi_width"]);

const fmt = (v: unknown) => (typeof v === "number" ? (Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(3)) : v === null ? "—" : String(v));

export const command: Command = {
  usage: "somflow metrics [--run ID] [--pipeline NAME] [--store DIR] [--json]",
  async run(args) {
    const { values } = parse(args, { ...storeOption, run: { type: "string" }, pipeline: { type: "string" }, json: { type: "boolean" } });
    const store = resolveStore(values.store);
    const run = await findRun(store, values.run, values.pipeline);
    const rows = await runMetrics(store, run);
    if (values.json) {
      console.log(JSON.stringify(rows));
      return 0;
    }
    console.log(`run ${run.run_id} (${run.pipeline})`);
    const cols = [...METRIC_KEYS, ...METRIC_NAMES.filter((m) => !NOT_IN_TERMINAL.has(m))];
    const table = [cols.map(String), ...rows.map((r) => cols.map((c) => fmt((r as unknown as Record<string, unknown>)[c])))];
    const widths = cols.map((_, j) => Math.max(...table.map((row) => row[j]!.length)));
    for (const row of table) console.log(row.map((v, j) => v.padEnd(widths[j]!)).join("  "));
    return 0;
  },
};
