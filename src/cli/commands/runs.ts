import type { Command } from "../main.js";
import { layout } from "../../engine/store/layout.js";
import { listRunFiles } from "../../engine/store/records.js";
import { parse, resolveStore, storeOption } from "../shared.js";

export const command: Command = {
  usage: "somflow runs [--pipeline NAME] [--store DIR] [--json]",
  async run(args) {
    const { values } = parse(args, { ...storeOption, pipeline: { type: "string" }, json: { type: "boolean" } });
    const files = await listRunFiles(layout(resolveStore(values.store)));
    for (const u of files.unreadable) {
      console.error(
        `warning: run record ${u.path} is ${u.error.replace(/^unreadable /, "unreadable ")}: not listed; restore it or delete it`,
      );
    }
    const runs = files.runs.filter((r) => !values.pipeline || r.pipeline === values.pipeline);
    const rows = runs.map((r) => ({
      run_id: r.run_id,
      pipeline: r.pipeline,
      status: r.status,
      started_at: r.started_at,
      seconds: r.seconds,
      ran: r.steps.filter((s) => s.status === "ran").length,
      cached: r.steps.filter((s) => s.status === "cached").length,
      failed: r.steps.filter((s) => s.status === "failed").length,
      git_commit: r.git_commit,
    }));
    if (values.json) {
      console.log(JSON.stringify(rows));
      return 0;
    }
    if (rows.length === 0) console.log("no runs recorded");
    for (const r of rows) {
      console.log(
        `${r.run_id}  ${r.pipeline}  ${r.status}  ${r.seconds.toFixed(1)} s  ran ${r.ran}, cached ${r.cached}, failed ${r.failed}`,
      );
      // SLURM jobs that failed: where their logs are.
      for (const st of runs.find((x) => x.run_id === r.run_id)!.steps) {
        if (st.status === "failed" && typeof st.facts.slurm_log === "string") {
          console.log(
            `    ${st.name}: SLURM job ${st.facts.slurm_job_id} ${st.facts.slurm_state ?? ""} — ${st.reason}; log ${st.facts.slurm_log}`,
          );
        }
      }
    }
    return 0;
  },
};
