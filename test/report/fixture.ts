/**
 * A synthetic run for the report tests: Parquet tables written by DuckDB into a temp dir and
 * a run manifest (src/report/static-run-view.ts) that a RunView or the loaders read.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RunRecord, StepRecord } from "../../src/engine/run-record.js";
import { withDuck, sqlString } from "../../src/report/duck.js";
import type { RunManifest } from "../../src/report/static-run-view.js";

export interface FixtureOptions {
  /** Samples in the library (57,000 = study scale). */
  n?: number;
  /** Table names to leave out (e.g. ["coverage", "pca_scores"]). */
  omit?: string[];
  /** Also write a previous run (with slightly worse metrics) for deltas. */
  previous?: boolean;
  runId?: string;
}

const SOURCES = ["kssl", "afsis", "lucas", "ossl-lab-4", "lab-5"];

function step(
  name: string,
  type: string,
  needs: string[],
  status: StepRecord["status"],
  seconds: number,
  reason: string,
  facts: StepRecord["facts"] = {},
): StepRecord {
  return {
    name,
    type,
    status,
    key: `key-${name}`,
    artifact: `art-${name}`,
    reason,
    seconds,
    peak_rss_mb: 200,
    started_at: "2025-01-01T10:00:00.000Z",
    needs,
    facts,
    error: null,
  };
}

export function fixtureRecord(runId: string): RunRecord {
  return {
    run_id: runId,
    pipeline: "demo",
    pipeline_file: "pipelines/demo.yaml",
    pipeline_hash: "ph-123456",
    params: { seed: 42, epochs: 30, grid: { from: 600, to: 4000, step: 2 } },
    started_at: "2025-01-01T10:00:00.000Z",
    finished_at: "2025-01-01T10:05:00.000Z",
    seconds: 300,
    status: "ok",
    peak_rss_mb: 512,
    git_commit: "abcdef1234567890",
    versions: { somflow: "0.1.0", "@tensorflow/tfjs": "4.22.0", "@duckdb/node-api": "1.5.6-r.1" },
    host: { platform: "linux", arch: "x64", cpus: 2, node: "v20.20.2" },
    steps: [
      step("ingest", "synth.library", [], "cached", 0.1, "cached: nothing changed"),
      step("preprocess", "spectra.preprocess", ["ingest"], "cached", 0.1, "cached: nothing changed"),
      // needs as in pipelines/demo.yaml: qc and impute also read the library, impute the targets
      // (edges that skip columns of the step graph)
      step("qc", "qc.outliers", ["ingest", "preprocess"], "ran", 3.2, "input preprocess changed"),
      step("harmonize", "harmonize.spectra", ["qc"], "ran", 5.5, "with.method changed coral -> sst"),
      step("harmonize-targets", "harmonize.targets", ["harmonize"], "ran", 0.4, "input harmonize changed"),
      step("cnn-c", "cnn.train", ["harmonize-targets"], "ran", 120.5, "first run", { backend: "wasm", threads: 1, seed: 42 }),
      step("cnn-om", "cnn.train", ["harmonize-targets"], "ran", 118.1, "first run", { backend: "wasm", threads: 1, seed: 42 }),
      step("plsr", "plsr.train", ["harmonize-targets"], "ran", 12.0, "first run"),
      step("impute", "impute.hybrid", ["cnn-c", "cnn-om", "harmonize-targets", "ingest"], "ran", 4.4, "input cnn-c changed"),
    ],
  };
}

/** Writes the fixture run under `dir`; returns the manifest path. */
export async function writeFixtureRun(dir: string, options: FixtureOptions = {}): Promise<string> {
  const n = options.n ?? 800;
  const omit = new Set(options.omit ?? []);
  const runId = options.runId ?? "run-fixture";
  await mkdir(dir, { recursive: true });
  const tables: Record<string, Record<string, string>> = {};
  const sources = `[${SOURCES.map(sqlString).join(", ")}]`;
  await withDuck(async (conn) => {
    await conn.run("SELECT setseed(0.42)");
    // the latent library: one row per sample
    await conn.run(`CREATE OR REPLACE TEMP TABLE s AS
      SELECT printf('S%06d', i) AS sample_id, ${sources}[1 + (i % ${SOURCES.length})] AS source,
             'inst-' || (i % ${SOURCES.length}) AS instrument,
             -40 + (hash(i) % 100) AS lat, -120 + (hash(i * 7) % 240) AS lon,
             CASE WHEN i % 3 = 0 THEN 0 WHEN i % 3 = 1 THEN 30 ELSE 60 END AS depth_top_cm,
             CASE WHEN i % 3 = 0 THEN 30 WHEN i % 3 = 1 THEN 60 ELSE 100 END AS depth_bottom_cm,
             exp(1.5 + 1.1 * sqrt(-2 * ln(random() + 1e-9)) * cos(6.283 * random())) AS c_true,
             random() AS u, i
      FROM range(${n}) t(i)`);
    await conn.run(`ALTER TABLE s ADD COLUMN c_gkg DOUBLE; UPDATE s SET c_gkg = CASE WHEN u < 0.3 THEN 'nan'::DOUBLE ELSE c_true END`);
    const write = async (step: string, name: string, sql: string) => {
      if (omit.has(name)) return;
      const path = join(dir, `${step}.${name}.parquet`);
      await conn.run(`COPY (${sql}) TO ${sqlString(path)} (FORMAT parquet)`);
      (tables[step] ??= {})[name] = path;
    };
    const samplesBase = `sample_id, source, instrument, lat::DOUBLE AS lat, lon::DOUBLE AS lon, depth_top_cm::DOUBLE AS depth_top_cm,
      depth_bottom_cm::DOUBLE AS depth_bottom_cm`;
    const methodC = `CASE WHEN i % 4 = 0 THEN 'walkley_black' ELSE 'dry_combustion' END`;
    await write(
      "ingest",
      "samples",
      `SELECT ${samplesBase}, c_gkg, CASE WHEN u < 0.5 THEN 'nan'::DOUBLE ELSE 1.724 * c_true END AS om_gkg,
      ${methodC} AS c_method, 'loi' AS om_method FROM s`,
    );
    await write("ingest", "truth", `SELECT sample_id, c_true AS c_true_gkg, 1.724 * c_true AS om_true_gkg FROM s`);
    await write(
      "qc",
      "samples",
      `SELECT ${samplesBase}, c_gkg, CASE WHEN u < 0.5 THEN 'nan'::DOUBLE ELSE 1.724 * c_true END AS om_gkg,
      ${methodC} AS c_method, 'loi' AS om_method, CASE WHEN i % 97 = 0 THEN 'q_residual' END AS qc_flags,
      i % 97 = 0 AS spectral_outlier, i % 97 = 0 AS exclude_train FROM s`,
    );
    await write(
      "qc",
      "qc",
      `SELECT sample_id, source, 3 + 10 * random() + CASE WHEN i % 97 = 0 THEN 40 ELSE 0 END AS t2,
      0.01 + 0.02 * random() + CASE WHEN i % 97 = 0 THEN 0.2 ELSE 0 END AS q,
      CASE WHEN i % 97 = 0 THEN 'q_residual' WHEN i % 211 = 0 THEN 't2' END AS flags, 25.0 AS t2_limit, 0.1 AS q_limit FROM s`,
    );
    await write(
      "qc",
      "qc_summary",
      `SELECT source, CASE WHEN i % 97 = 0 THEN 'q_residual' ELSE 't2' END AS reason, count(*)::INTEGER AS count
      FROM s WHERE i % 97 = 0 OR i % 211 = 0 GROUP BY ALL`,
    );
    await write(
      "harmonize",
      "mean_spectra",
      `SELECT src AS source, stage, w::DOUBLE AS wavenumber,
      0.5 + 0.3 * sin(w / 300.0) + CASE WHEN stage = 'before' THEN 0.05 * idx ELSE 0.002 * idx END AS mean, 0.05 AS sd
      FROM (SELECT unnest(${sources}) AS src, generate_subscripts(${sources}, 1) AS idx) a,
           (SELECT unnest(['before', 'after']) AS stage) b, range(600, 4002, 2) r(w)`,
    );
    await write(
      "harmonize",
      "pca_scores",
      `SELECT sample_id, source, stage,
      random() * 2 - 1 + CASE WHEN stage = 'before' THEN (i % ${SOURCES.length}) * 0.8 ELSE 0 END AS pc1, random() * 2 - 1 AS pc2
      FROM s, (SELECT unnest(['before', 'after']) AS stage)`,
    );
    await write(
      "harmonize",
      "harmonization",
      `SELECT unnest(${sources}) AS source, 'sst' AS method, 1.0 + random() AS distance_before,
      0.1 + 0.1 * random() AS distance_after`,
    );
    await write(
      "harmonize-targets",
      "samples",
      `SELECT ${samplesBase},
      CASE WHEN ${methodC} = 'walkley_black' THEN c_gkg * 1.3 ELSE c_gkg END AS c_gkg,
      CASE WHEN u < 0.5 THEN 'nan'::DOUBLE ELSE 1.724 * c_true END AS om_gkg, ${methodC} AS c_method, 'loi' AS om_method,
      CASE WHEN i % 97 = 0 THEN 'q_residual' END AS qc_flags, i % 97 = 0 AS spectral_outlier, i % 97 = 0 AS exclude_train,
      c_gkg AS c_gkg_reported, CASE WHEN u < 0.5 THEN 'nan'::DOUBLE ELSE 1.724 * c_true END AS om_gkg_reported FROM s`,
    );
    const split = `CASE WHEN u < 0.3 THEN 'unlabelled' WHEN i % 5 = 0 THEN 'test' WHEN i % 5 = 1 THEN 'cal' ELSE 'train' END`;
    for (const [stepName, target, factor, model] of [
      ["cnn-c", "c", 1, "cnn"],
      ["cnn-om", "om", 1.724, "cnn"],
      ["plsr", "c", 1, "plsr"],
    ] as const) {
      await conn.run(`CREATE OR REPLACE TEMP TABLE pr AS SELECT sample_id, '${target}' AS target, ${split} AS split, source,
        depth_top_cm::DOUBLE AS depth_top_cm, CASE WHEN u < 0.3 THEN 'nan'::DOUBLE ELSE ${factor} * c_true END AS observed,
        ${factor} * c_true * exp(0.2 * (random() - 0.5)) AS predicted, ${factor} * c_true * 0.1 AS sd,
        ${factor} * c_true * 0.8 AS pi_low, ${factor} * c_true * 1.25 AS pi_high, random() > 0.05 AS in_domain FROM s`);
      await write(stepName, "predictions", "SELECT * FROM pr");
      const m = (split: string, group: string, where: string) => `SELECT '${stepName}' AS step, '${model}' AS model, '${target}' AS target,
        '${split}' AS split, 'gkg' AS scale, ${group} AS "group", count(*)::INTEGER AS n,
        1 - sum((observed - predicted) ^ 2) / (count(*) * var_pop(observed)) AS r2, sqrt(avg((observed - predicted) ^ 2)) AS rmse,
        avg(abs(observed - predicted)) AS mae, avg(predicted - observed) AS bias,
        (quantile_cont(observed, 0.75) - quantile_cont(observed, 0.25)) / sqrt(avg((observed - predicted) ^ 2)) AS rpiq,
        stddev_samp(observed) / sqrt(avg((observed - predicted) ^ 2)) AS rpd, corr(observed, predicted) AS ccc,
        0.9 AS pi_level, avg(CASE WHEN observed BETWEEN pi_low AND pi_high THEN 1 ELSE 0 END) AS pi_coverage, avg(pi_high - pi_low) AS pi_width
        FROM pr WHERE split = '${split}' ${where}`;
      await write(
        stepName,
        "metrics",
        `${m("test", "'all'", "")} UNION ALL ${m("cal", "'all'", "")}
        UNION ALL ${m("test", "'source=' || source", "GROUP BY source")} UNION ALL ${m("test", "'depth=' || depth_top_cm::INTEGER", "GROUP BY depth_top_cm")}`,
      );
      if (model === "cnn") {
        await write(
          stepName,
          "history",
          `SELECT e::INTEGER AS epoch, 1.0 / (1 + e) + 0.05 AS loss, 1.0 / (1 + e) + 0.08 + 0.01 * random() AS val_loss FROM range(1, 31) t(e)`,
        );
        await write(
          stepName,
          "calibration",
          `SELECT '${stepName}' AS step, 'cnn' AS model, '${target}' AS target, 'rescaled' AS method,
          100.0 AS n, nominal AS level, least(1.0, nominal + 0.03 * (random() - 0.5)) AS coverage, 1.0 AS mean_width,
          NULL::DOUBLE AS coverage_p05, NULL::DOUBLE AS coverage_p95
          FROM (SELECT unnest([0.5, 0.68, 0.8, 0.9, 0.95]) AS nominal)
          UNION ALL SELECT '${stepName}', 'cnn', '${target}', 'reported', 100.0, 0.9, 0.93, 1.0, NULL, NULL
          UNION ALL SELECT '${stepName}', 'cnn', '${target}', 'resplit', 100.0, 0.9, 0.905, NULL, 0.85, 0.95`,
        );
      }
    }
    await write(
      "impute",
      "hybrid",
      `SELECT sample_id, t AS target, CASE WHEN u < 0.3 THEN 'predicted' ELSE 'measured' END AS status,
      c_true * f AS value, CASE WHEN u < 0.3 THEN c_true * f * 0.8 ELSE 'nan'::DOUBLE END AS pi_low,
      CASE WHEN u < 0.3 THEN c_true * f * 1.3 ELSE 'nan'::DOUBLE END AS pi_high FROM s, (SELECT unnest(['c', 'om']) AS t, unnest([1.0, 1.724]) AS f)`,
    );
    const cov = (breakdown: string, key: string, groupBy: string) => `SELECT t AS target, '${breakdown}' AS breakdown, ${key} AS key,
      count(*) FILTER (WHERE u >= 0.3)::BIGINT AS n_measured, count(*) FILTER (WHERE u < 0.3 AND u >= 0.02)::BIGINT AS n_predicted,
      count(*) FILTER (WHERE u < 0.02)::BIGINT AS n_rejected, count(*) FILTER (WHERE i % 53 = 0)::BIGINT AS n_set_aside,
      avg(c_true * 0.5) AS mean_pi_width, 0.05 AS share_out_of_domain
      FROM s, (SELECT unnest(['c', 'om']) AS t) GROUP BY t ${groupBy}`;
    await write(
      "impute",
      "coverage",
      `${cov("all", "'all'", "")} UNION ALL ${cov("depth", "depth_top_cm::INTEGER || '-' || depth_bottom_cm::INTEGER", ", depth_top_cm, depth_bottom_cm")}
      UNION ALL ${cov("source", "source", ", source")}
      UNION ALL SELECT t AS target, 'set_aside' AS breakdown, CASE WHEN i % 2 = 0 THEN t || '_negative' ELSE 'duplicate_id' END AS key,
        0::BIGINT, count(*) FILTER (WHERE i % 2 = 0)::BIGINT, count(*) FILTER (WHERE i % 2 = 1)::BIGINT, count(*)::BIGINT, NULL::DOUBLE, NULL::DOUBLE
        FROM s, (SELECT unnest(['c', 'om']) AS t) WHERE i % 53 = 0 GROUP BY t, 3
      UNION ALL ${cov("grid", "'lat=' || (floor(lat / 10) * 10)::INTEGER || ';lon=' || (floor(lon / 10) * 10)::INTEGER", ", floor(lat / 10), floor(lon / 10)")}`,
    );
    await write("impute", "pairs", `SELECT sample_id, c_gkg AS c_measured, 1.724 * c_true AS om_imputed FROM s WHERE u >= 0.3 LIMIT 50`);
  });
  const manifest: RunManifest = {
    run: fixtureRecord(runId),
    previous: null,
    tables,
    json: { harmonize: { note: "fixture" }, impute: { hybrid_meta: { models: { c: "cnn-c", om: "cnn-om" } } } },
  };
  if (options.previous) {
    const prevDir = join(dir, "previous");
    await writeFixtureRun(prevDir, { n: Math.min(n, 400), runId: `${runId}-prev` });
    manifest.previous = fixtureRecord(`${runId}-prev`);
    manifest.previousManifest = join(prevDir, "manifest.json");
  }
  const path = join(dir, "manifest.json");
  await writeFile(path, JSON.stringify(manifest, null, 1));
  return path;
}
