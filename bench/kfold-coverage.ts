/**
 * k-fold coverage of the demo's models (issue 5). A single test split holds ~50 OM labels, so
 * its interval coverage is read to about ±0.08 (bench/RESULTS.md, re-split bands). Here every
 * model step of pipelines/demo.yaml runs on k-fold splits (`folds: K`, `test_fold:
 * ${params.fold}`, their other split options kept) for fold = 0…K−1 in one store — the
 * upstream steps run once, then come from the cache — so every labelled sample is tested
 * exactly once, by a model that neither fitted nor calibrated on it. The test rows of all
 * folds are pooled and scored with the same code as `metrics.evaluate`.
 *
 *   node --import tsx bench/kfold-coverage.ts [--folds 5] [--n 3000] [--steps train-multi,train-om] [--store DIR]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { parse, stringify } from "yaml";
import { predictionMetricRows } from "../src/core/stats/prediction-metrics.js";
import type { Table } from "../src/core/table.js";
import { runArtifacts } from "../src/engine/queries.js";
import type { RunRecord } from "../src/engine/run-record.js";
import { readParquet } from "../src/engine/store/duck.js";

const ROOT = resolve(import.meta.dirname, "..");
const BIN = join(ROOT, "bin/somflow.mjs");
const MODEL_STEPS = new Set(["cnn.train", "baseline.plsr"]);
const { values } = parseArgs({
  options: {
    folds: { type: "string", default: "5" },
    n: { type: "string", default: "3000" },
    steps: { type: "string" },
    store: { type: "string" },
  },
});
const folds = Number(values.folds);
const dir = mkdtempSync(join(tmpdir(), "somflow-kfold-"));
const store = values.store ?? join(dir, "store");

interface StepSpec {
  uses: string;
  needs?: string[];
  with?: Record<string, unknown>;
}
const demo = parse(readFileSync(join(ROOT, "pipelines/demo.yaml"), "utf8")) as {
  name: string;
  params: Record<string, unknown>;
  checks?: unknown;
  steps: Record<string, StepSpec>;
};
const models = Object.entries(demo.steps).filter(([, s]) => MODEL_STEPS.has(s.uses)).map(([name]) => name);
const chosen = values.steps ? values.steps.split(",") : models;
for (const s of chosen) if (!models.includes(s)) throw new Error(`--steps: "${s}" is not a model step of pipelines/demo.yaml (${models.join(", ")})`);

// The steps the chosen models need, and nothing downstream of them (impute, evaluate).
const keep = new Set<string>();
const visit = (name: string) => {
  if (keep.has(name)) return;
  keep.add(name);
  for (const d of demo.steps[name]!.needs ?? []) visit(d);
};
chosen.forEach(visit);
const steps: Record<string, StepSpec> = {};
for (const [name, s] of Object.entries(demo.steps)) {
  if (!keep.has(name)) continue;
  if (!chosen.includes(name)) {
    steps[name] = s;
    continue;
  }
  const { test: _test, ...rest } = s.with ?? {};
  steps[name] = { ...s, with: { ...rest, folds, test_fold: "${params.fold}" } };
}
const pipeline = join(dir, "demo-kfold.yaml");
writeFileSync(pipeline, stringify({ name: `${demo.name}-kfold`, params: { ...demo.params, fold: 0 }, steps }));

function somflow(args: string[]): string {
  const r = spawnSync(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`somflow ${args.join(" ")} exited ${r.status}`);
  return r.stdout.toString();
}

const t0 = performance.now();
const pooled = new Map<string, Table[]>();
const perFold = new Map<string, number[]>();
const levels = new Map<string, number>();
for (let f = 0; f < folds; f++) {
  const out = somflow(["run", pipeline, "-p", `n=${values.n}`, "-p", `fold=${f}`, "--store", store, "--json"]);
  const runId = JSON.parse(out.trim().split("\n").at(-1)!).run_id as string;
  const record = JSON.parse(readFileSync(join(store, "runs", `${runId}.json`), "utf8")) as RunRecord;
  for (const a of await runArtifacts(store, record)) {
    if (!chosen.includes(a.step) || !a.has("predictions")) continue;
    const pred = await readParquet(a.tablePath("predictions"));
    const rows = (pred.split as (string | null)[]).flatMap((s, i) => (s === "test" ? [i] : []));
    const test: Table = Object.fromEntries(
      Object.entries(pred).map(([k, col]) => [k, col instanceof Float64Array ? Float64Array.from(rows, (i) => col[i]!) : rows.map((i) => (col as unknown[])[i])]),
    ) as Table;
    pooled.set(a.step, [...(pooled.get(a.step) ?? []), test]);
    const meta = a.has("model_meta") ? await a.json<{ pi_level?: number }>("model_meta") : null;
    levels.set(a.step, meta?.pi_level ?? 0.9);
    for (const r of predictionMetricRows(test, { step: a.step, model: a.step, level: levels.get(a.step)! })) {
      if (r.group === "all" && r.scale === "gkg") perFold.set(`${a.step}|${r.target}`, [...(perFold.get(`${a.step}|${r.target}`) ?? []), r.pi_coverage ?? NaN]);
    }
  }
  console.error(`fold ${f + 1}/${folds} done (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}

function concat(tables: Table[]): Table {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(tables[0]!)) {
    const cols = tables.map((t) => t[k]);
    out[k] = cols[0] instanceof Float64Array ? Float64Array.from(cols.flatMap((c) => Array.from(c as Float64Array))) : cols.flatMap((c) => c as unknown[]);
  }
  return out as Table;
}

const fmt = (x: number | null, d = 3) => (x === null || !Number.isFinite(x) ? "–" : x.toFixed(d));
console.log(`### ${folds}-fold coverage of the demo's models, n = ${Number(values.n).toLocaleString("en")} (${new Date().toISOString().slice(0, 10)})`);
console.log("");
console.log(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}; Node ${process.version}; ${((performance.now() - t0) / 1000).toFixed(0)} s. Test rows of all folds pooled (each sample tested once), g/kg.`);
console.log("");
console.log("| step | target | n | R² | RMSE | MAE | 90 % PI coverage (pooled) | per fold | mean PI width |");
console.log("|---|---|---:|---:|---:|---:|---:|---|---:|");
for (const step of chosen) {
  const tables = pooled.get(step);
  if (!tables?.length) continue;
  for (const r of predictionMetricRows(concat(tables), { step, model: step, level: levels.get(step)! })) {
    if (r.group !== "all" || r.scale !== "gkg") continue;
    const each = (perFold.get(`${step}|${r.target}`) ?? []).map((c) => fmt(c)).join(" / ");
    console.log(`| ${step} | ${r.target} | ${r.n} | ${fmt(r.r2)} | ${fmt(r.rmse, 2)} | ${fmt(r.mae, 2)} | ${fmt(r.pi_coverage)} | ${each} | ${fmt(r.pi_width, 1)} |`);
  }
}
