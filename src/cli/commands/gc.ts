import type { Command } from "../main.js";
import { collectGarbage } from "../../engine/gc.js";
import { intOption, parse, resolveStore, storeOption } from "../shared.js";

export const command: Command = {
  usage: "somflow gc [--keep N] [--yes-delete-all-runs] [--store DIR]",
  async run(args) {
    const { values } = parse(args, { ...storeOption, keep: { type: "string" }, "yes-delete-all-runs": { type: "boolean" } });
    const r = await collectGarbage(resolveStore(values.store), intOption("keep", values.keep, 5), {
      deleteAllRuns: values["yes-delete-all-runs"],
      onWait: (o) =>
        console.error(
          `gc: waiting for the store lock (held by ${o ? `${o.host} pid ${o.pid}${o.run ? `, run ${o.run}` : ""}` : "another process"})`,
        ),
    });
    for (const p of r.unreadableRuns)
      console.error(`gc: run record ${p} cannot be read; left in place with what it may reference unknown — restore or delete it`);
    if (r.liveRuns.length) console.error(`gc: kept what ${r.liveRuns.length} run(s) in progress use: ${r.liveRuns.join(", ")}`);
    console.log(
      `gc: removed ${r.runsRemoved} run records, ${r.artifactsRemoved} artifacts, ${r.keysRemoved} keys, ${r.tempRemoved} temp folders, ` +
        `${r.locksRemoved} stale locks, ${r.leasesRemoved} stale leases, ${r.memosRemoved} stale pipeline memos; kept ${r.artifactsKept} artifacts`,
    );
    return 0;
  },
};
