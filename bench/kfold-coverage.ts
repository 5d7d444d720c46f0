/**
 * k-fold coverage of the demo's models (issue 5). A single test split holds ~50 OM labels, so
 * its interval coverage is read to about ±0.08 (bench/RESULTS.md, re-split bands). Here each
 * chosen model step of pipelines/demo.yaml becomes a step matrix over the folds (`matrix:
 * {fold: {range: K}}`, `folds: K`, `test_fold: ${matrix.fold}`, its other options kept; the
 * engine expands it into `<name>.fold-<i>`) and metrics.evaluate pools each matrix (option
 * `pool: {<name>: <name>}`, split "cv"), all in one run: every labelled sample is tested
 * exactly once, by a model that neither fitted nor calibrated on it. `--intervals` picks the
 * pooled intervals: model (each fold's own split-conformal cal share) or cross_conformal
 * (every other fold's out-of-fold scores; `--cal 0` then gives the folds' cal share back to
 * training).
 *
 *   node --import tsx bench/kfold-coverage.ts [--folds 5] [--n 3000] [--steps train-multi,train-om]
 *     [--intervals model|cross_conformal] [--cal 0] [--store DIR]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { parse, stringify } from "yaml";
import type { MetricRow } from "../src/contracts/metrics.js";

const ROOT = resolve(import.meta.dirname, "..");
const BIN = join(ROOT, "bin/somflow.mjs");
const MODEL_STEPS = new Set(["cnn.train", "baseline.plsr"]);
const { values } = parseArgs({
  options: {
    folds: { type: "string", default: "5" },
    n: { type: "string", default: "3000" },
    steps: { type: "string" },
    store: { type: "string" },
    intervals: { type: "string", default: "model" },
    cal: { type: "string" },
  },
});
const folds = Number(values.folds);
const dir = mkdtempSync(join(tmpdir(), "somflow-kfold-"));
const store = values.store ?? join(dir, "store");

interface StepSpec {
  uses: string;
  needs?: string[];
  needs_ok?: "any";
  matrix?: Record<string, unknown>;
  with?: Record<string, unknown>;
}
const demo = parse(readFileSync(join(ROOT, "pipelines/demo.yaml"), "utf8")) as {
  name: string;
  params: Record<string, unknown>;
  checks?: unknown;
  steps: Record<string, StepSpec>;
};
const models = Object.entries(demo.steps)
  .filter(([, s]) => MODEL_STEPS.has(s.uses))
  .map(([name]) => name);
const chosen = values.steps ? values.steps.split(",") : models;
for (const s of chosen)
  if (!models.includes(s)) throw new Error(`--steps: "${s}" is not a model step of pipelines/demo.yaml (${models.join(", ")})`);

// The steps the chosen models need, each chosen model as K fold steps, and evaluate pooling them.
const keep = new Set<string>();
const visit = (name: string) => {
  if (keep.has(name)) return;
  keep.add(name);
  for (const d of demo.steps[name]!.needs ?? []) visit(d);
};
chosen.forEach(visit);
const steps: Record<string, StepSpec> = {};
const pool: Record<string, string> = {};
for (const [name, s] of Object.entries(demo.steps)) {
  if (!keep.has(name)) continue;
  if (!chosen.includes(name)) {
    steps[name] = s;
    continue;
  }
  const { test: _test, ...rest } = s.with ?? {};
  pool[name] = name;
  steps[name] = {
    ...s,
    matrix: { fold: { range: folds } },
    with: { ...rest, folds, test_fold: "${matrix.fold}", ...(values.cal !== undefined ? { cal: Number(values.cal) } : {}) },
  };
}
steps.evaluate = { uses: "metrics.evaluate", needs: chosen, needs_ok: "any", with: { pool, pool_intervals: values.intervals } };
const pipeline = join(dir, "demo-kfold.yaml");
writeFileSync(pipeline, stringify({ name: `${demo.name}-kfold`, params: demo.params, steps }));

const t0 = performance.now();
const run = spawnSync(process.execPath, [BIN, "run", pipeline, "-p", `n=${values.n}`, "--store", store], { stdio: ["ignore", 2, 2] }); // progress to stderr, the table alone on stdout
if (run.status !== 0) throw new Error(`somflow run ${pipeline} exited ${run.status}`);
const metrics = spawnSync(process.execPath, [BIN, "metrics", "--store", store, "--json"], { maxBuffer: 1 << 28 });
if (metrics.status !== 0) throw new Error(`somflow metrics exited ${metrics.status}: ${metrics.stderr}`);
const rows = (JSON.parse(metrics.stdout.toString()) as MetricRow[]).filter((r) => r.group === "all" && r.scale === "gkg");

const fmt = (x: number | null, d = 3) => (x === null || !Number.isFinite(x) ? "–" : x.toFixed(d));
console.log(
  `### ${folds}-fold coverage of the demo's models, n = ${Number(values.n).toLocaleString("en")} (${new Date().toISOString().slice(0, 10)})`,
);
console.log("");
console.log(
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}; Node ${process.version}; ${((performance.now() - t0) / 1000).toFixed(0)} s. metrics.evaluate's pooled rows (split cv: each sample tested once; ${values.intervals} intervals${values.cal !== undefined ? `, cal ${values.cal}` : ""}), g/kg.`,
);
console.log("");
console.log("| step | target | n | R² | RMSE | MAE | 90 % PI coverage (pooled) | per fold | mean PI width |");
console.log("|---|---|---:|---:|---:|---:|---:|---|---:|");
for (const name of Object.keys(pool)) {
  const members = Array.from({ length: folds }, (_, i) => `${name}.fold-${i}`);
  for (const r of rows.filter((x) => x.step === name && x.split.startsWith("cv"))) {
    const each = members
      .map((f) => fmt(rows.find((x) => x.step === f && x.target === r.target && x.split === "test")?.pi_coverage ?? null))
      .join(" / ");
    console.log(
      `| ${name} | ${r.target} | ${r.n} | ${fmt(r.r2)} | ${fmt(r.rmse, 2)} | ${fmt(r.mae, 2)} | ${fmt(r.pi_coverage)} | ${each} | ${fmt(r.pi_width, 1)} |`,
    );
  }
}
