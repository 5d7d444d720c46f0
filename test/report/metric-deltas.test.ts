/**
 * Run-to-run deltas on the metrics page, against two hand-written runs whose metrics are
 * known here: d_<metric> must be (this run) − (previous run), with the sign a reader expects
 * (RMSE 10 now, 12 before → d_rmse = −2, an improvement).
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withDuck } from "../../src/report/duck.js";
import { metricsData } from "../../src/report/metrics.js";
import type { RunManifest } from "../../src/report/static-run-view.js";
import { readRunManifest } from "../../src/report/static-run-view.js";
import { isAbsent } from "../../src/report/tables.js";
import { fixtureRecord } from "./fixture.js";

type Metrics = Record<"n" | "r2" | "rmse" | "mae" | "bias" | "rpiq" | "rpd" | "ccc" | "pi_coverage" | "pi_width", number>;
const CURRENT: Metrics = {
  n: 120,
  r2: 0.81,
  rmse: 10,
  mae: 7.5,
  bias: -0.4,
  rpiq: 2.6,
  rpd: 2.2,
  ccc: 0.9,
  pi_coverage: 0.91,
  pi_width: 30,
};
const PREVIOUS: Metrics = {
  n: 118,
  r2: 0.74,
  rmse: 12,
  mae: 8.25,
  bias: 1.1,
  rpiq: 2.1,
  rpd: 1.9,
  ccc: 0.85,
  pi_coverage: 0.87,
  pi_width: 36,
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "somflow-deltas-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeRun(sub: string, runId: string, m: Metrics, previous: string | null, target = "c"): Promise<string> {
  const d = join(dir, sub);
  await mkdir(d, { recursive: true });
  const path = join(d, "metrics.parquet");
  await withDuck(async (conn) => {
    await conn.run(`COPY (SELECT 'cnn-c' AS step, 'cnn' AS model, '${target}' AS target, 'test' AS split, 'gkg' AS scale, 'all' AS "group",
      ${m.n}::INTEGER AS n, ${m.r2}::DOUBLE AS r2, ${m.rmse}::DOUBLE AS rmse, ${m.mae}::DOUBLE AS mae, ${m.bias}::DOUBLE AS bias,
      ${m.rpiq}::DOUBLE AS rpiq, ${m.rpd}::DOUBLE AS rpd, ${m.ccc}::DOUBLE AS ccc, 0.9::DOUBLE AS pi_level,
      ${m.pi_coverage}::DOUBLE AS pi_coverage, ${m.pi_width}::DOUBLE AS pi_width) TO '${path}' (FORMAT parquet)`);
  });
  const manifest: RunManifest = {
    run: fixtureRecord(runId),
    previous: previous ? fixtureRecord(`${runId}-prev`) : null,
    tables: { "cnn-c": { metrics: path } },
    previousManifest: previous,
  };
  const file = join(d, "manifest.json");
  await writeFile(file, JSON.stringify(manifest));
  return file;
}

describe("metrics page deltas", () => {
  it("d_<metric> = this run − previous run, prev_<metric> = the previous run's value", async () => {
    const prev = await writeRun("prev", "run-a", PREVIOUS, null);
    const view = await readRunManifest(await writeRun("cur", "run-b", CURRENT, prev));
    const m = await withDuck((conn) => metricsData(view, conn));
    if (isAbsent(m.overall)) throw new Error(m.overall.absent);
    expect(m.overall).toHaveLength(1);
    const row = m.overall[0]!;
    for (const k of ["r2", "rmse", "mae", "bias", "rpiq", "rpd", "ccc", "pi_coverage", "pi_width"] as const) {
      expect(row[`prev_${k}`], `prev_${k}`).toBeCloseTo(PREVIOUS[k], 12);
      expect(row[`d_${k}`], `d_${k}`).toBeCloseTo(CURRENT[k] - PREVIOUS[k], 12);
    }
    // The sign, spelled out: lower RMSE now is a negative delta, higher R² a positive one.
    expect(row["d_rmse"]).toBeCloseTo(-2, 12);
    expect(row["d_r2"]).toBeCloseTo(0.07, 12);
    expect(row["d_bias"]).toBeCloseTo(-1.5, 12);
  });

  it("gives null deltas (not 0) when the previous run has no row with the same step/target/split", async () => {
    const prev = await writeRun("prev-other", "run-c", PREVIOUS, null, "om");
    const view = await readRunManifest(await writeRun("cur-other", "run-d", CURRENT, prev));
    const m = await withDuck((conn) => metricsData(view, conn));
    if (isAbsent(m.overall)) throw new Error(m.overall.absent);
    expect(m.overall[0]!["d_rmse"]).toBeNull();
    expect(m.overall[0]!["prev_rmse"]).toBeNull();
  });
});
