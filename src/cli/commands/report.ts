import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Command } from "../main.js";
import { exportTable } from "../../engine/export.js";
import { UsageError } from "../../engine/errors.js";
import { findRun, runArtifacts } from "../../engine/queries.js";
import { parse, pipelineFromArgs, pipelineOptions, resolveStore } from "../shared.js";

export const command: Command = {
  usage: "somflow report [pipeline.yaml] [--run ID] [--out DIR] [--store DIR]",
  async run(args) {
    const { values, positionals } = parse(args, { ...pipelineOptions, run: { type: "string" }, out: { type: "string" } }, 0, 1);
    const store = resolveStore(values.store);
    const pipeline = positionals[0] ? (await pipelineFromArgs(positionals[0], values)).name : undefined;
    const run = await findRun(store, values.run, pipeline);
    const output = resolve(values.out ?? "reports/dist");
    const { buildReport, ReportBuildError, serveCommand } = await import("../../report/build.js");
    const scratch = await mkdtemp(join(tmpdir(), "somflow-report-"));
    try {
      // The hybrid dataset travels with the report as a download (CSV + JSON sidecar).
      const downloads: string[] = [];
      const hybrid = (await runArtifacts(store, run)).filter((a) => a.has("hybrid"));
      if (hybrid.length === 1) {
        const r = await exportTable(store, run, "hybrid", join(scratch, "hybrid.csv"));
        downloads.push(r.out, r.sidecar);
        if (hybrid[0]!.has("hybrid_wide")) {
          const w = await exportTable(store, run, "hybrid_wide", join(scratch, "hybrid-wide.csv"));
          downloads.push(w.out, w.sidecar);
        }
      }
      console.error(`building the report of run ${run.run_id} (${run.pipeline}) into ${output} ...`);
      const result = await buildReport({
        output,
        env: { SOMFLOW_STORE: store, SOMFLOW_RUN: run.run_id, SOMFLOW_PIPELINE: run.pipeline },
        downloads,
      }).catch((e: unknown) => {
        if (e instanceof ReportBuildError) throw new UsageError(`report build failed: ${e.message}`);
        throw e;
      });
      const kb = Object.entries(result.dataBytes)
        .map(([p, b]) => `${p} ${(b / 1024).toFixed(0)} KB`)
        .join(", ");
      console.error(`report built in ${result.seconds.toFixed(1)} s: ${result.pages.length} pages (${kb}) in ${output}`);
      console.error(`serve it (browsers refuse it from disk): ${serveCommand(output)}`);
      return 0;
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  },
};
