/**
 * Real-data check of the CNN at its n-dependent defaults against PLSR, on the same folds:
 * LimeSoDa MIR (../shared/data/limesoda-mir), each file's own published `fold` column (10-fold
 * CV), SOC in g/kg. Runs pipelines/examples/limesoda-kfold.yaml once per file (20 matrix steps:
 * PLSR and CNN × 10 folds, pooled by metrics.evaluate with cross-conformal intervals) and prints
 * one table row per file × model from the pooled rows (split cv) with the wall time.
 * bench/limesoda-cv-core.ts is the earlier core-level version (one CNN, fixed settings).
 *
 *   node --import tsx bench/limesoda-cv.ts [--files NRW_115,H_138] [--store DIR] [--jobs 1]
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { MetricRow } from "../src/contracts/metrics.js";

const ROOT = resolve(import.meta.dirname, "..");
const BIN = join(ROOT, "bin/somflow.mjs");
const DATA = resolve(ROOT, "../shared/data/limesoda-mir");
const { values } = parseArgs({
  options: {
    files: { type: "string", default: "O_32,NRW_42,NRW_62,NRW_115,H_138" },
    store: { type: "string" },
    jobs: { type: "string", default: "1" },
  },
});
if (!existsSync(DATA)) {
  console.error(`LimeSoDa data not found at ${DATA} (it lives beside the checkout in ../shared/data)`);
  process.exit(1);
}
const store = values.store ?? join(mkdtempSync(join(tmpdir(), "somflow-limesoda-")), "store");
const fmt = (x: number | null | undefined, d = 3) => (x === null || x === undefined || !Number.isFinite(x) ? "–" : x.toFixed(d));
const lines = [
  "| file | n | model | R² | RMSE g/kg | RPIQ | 90 % PI coverage | mean PI width | seconds |",
  "|---|---:|---|---:|---:|---:|---:|---:|---:|",
];
const started = performance.now();
for (const file of values.files.split(",")) {
  const t0 = performance.now();
  const run = spawnSync(
    process.execPath,
    [BIN, "run", "pipelines/examples/limesoda-kfold.yaml", "-p", `file=${file}`, "--store", store, "--jobs", values.jobs],
    {
      cwd: ROOT,
      stdio: ["ignore", 2, 2],
    },
  );
  if (run.status !== 0) throw new Error(`somflow run for ${file} exited ${run.status}`);
  const seconds = (performance.now() - t0) / 1000;
  const metrics = spawnSync(process.execPath, [BIN, "metrics", "--store", store, "--json"], { cwd: ROOT, maxBuffer: 1 << 28 });
  if (metrics.status !== 0) throw new Error(`somflow metrics exited ${metrics.status}: ${metrics.stderr}`);
  const rows = (JSON.parse(metrics.stdout.toString()) as MetricRow[]).filter(
    (r) => r.group === "all" && r.scale === "gkg" && r.split === "cv",
  );
  for (const step of ["plsr-cv", "cnn-cv"]) {
    const r = rows.find((x) => x.step === step);
    if (!r) throw new Error(`no pooled cv row for ${step} of ${file}`);
    lines.push(
      `| ${file} | ${r.n} | ${step.replace("-cv", "").toUpperCase()} | ${fmt(r.r2)} | ${fmt(r.rmse, 2)} | ${fmt(r.rpiq, 2)} | ${fmt(r.pi_coverage)} | ${fmt(r.pi_width, 2)} | ${seconds.toFixed(0)} (both) |`,
    );
  }
  console.error(`${file} done in ${seconds.toFixed(0)} s`);
}
console.log(lines.join("\n"));
console.log(
  `\n10-fold CV on each file's fold column, SOC g/kg, pooled (split cv, cross-conformal 90 % intervals); ` +
    `${cpus().length} × ${cpus()[0]?.model ?? "?"}, Node ${process.version}, --jobs ${values.jobs}; wall ${((performance.now() - started) / 1000).toFixed(0)} s`,
);
