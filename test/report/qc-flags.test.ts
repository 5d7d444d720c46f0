/**
 * QC flags on the metrics page: where they are found (src/report/qc-flags.ts) and how the
 * observed-vs-predicted panels carry them (src/report/metrics.ts). The fixture flags sample i
 * when i % 97 = 0 (q_residual, also in the qc step's samples.qc_flags) or i % 211 = 0 (t2, in
 * the qc table only); the expected counts below come from that rule, not from the qc table.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, sqlString, withDuck } from "../../src/report/duck.js";
import { metricsData } from "../../src/report/metrics.js";
import { qcFlagSource } from "../../src/report/qc-flags.js";
import { readRunManifest, type RunManifest } from "../../src/report/static-run-view.js";
import { isAbsent } from "../../src/report/tables.js";
import { writeFixtureRun } from "./fixture.js";

const N = 600;
/** The fixture's flag rule on a sample id "S000097". */
const FLAGGED_SQL = (id: string) => `(substr(${id}, 2)::INTEGER % 97 = 0 OR substr(${id}, 2)::INTEGER % 211 = 0)`;

let dir: string;
let manifestPath: string;
let manifest: RunManifest;

/** A variant of the fixture's manifest, edited by `edit`, as a RunView. */
async function variant(name: string, edit: (m: RunManifest) => void) {
  const m = structuredClone(manifest);
  edit(m);
  const path = join(dir, `${name}.manifest.json`);
  await writeFile(path, JSON.stringify(m));
  return readRunManifest(path);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "somflow-qc-flags-"));
  manifestPath = await writeFixtureRun(join(dir, "run"), { n: N });
  manifest = JSON.parse(await readFile(manifestPath, "utf8")) as RunManifest;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("qcFlagSource", () => {
  it("reads the qc.outliers step's qc table, else its samples' qc_flags, else nothing", async () => {
    await withDuck(async (conn) => {
      const full = await qcFlagSource(await readRunManifest(manifestPath), conn);
      // i % 97: 0, 97, …, 582 (7); i % 211 alone: 211, 422 (2)
      expect(full).toMatchObject({ step: "qc", flagged: 9 });
      const rows = await queryRows(conn, `${full!.sql} ORDER BY sample_id`);
      expect(rows.slice(0, 2)).toEqual([
        { sample_id: "S000000", flags: "q_residual" },
        { sample_id: "S000097", flags: "q_residual" },
      ]);
      expect(rows.find((r) => r["sample_id"] === "S000211")?.["flags"]).toBe("t2");

      const noQcTable = await variant("no-qc-table", (m) => delete m.tables["qc"]!["qc"]);
      expect(await qcFlagSource(noQcTable, conn)).toMatchObject({ step: "qc", flagged: 7 });

      // harmonize-targets' samples carry qc_flags too, but only the qc.outliers step's artifact counts
      const noQc = await variant("no-qc", (m) => delete m.tables["qc"]);
      expect(await qcFlagSource(noQc, conn)).toBeNull();
    });
  });

  it("makes one row of a sample id the qc table lists twice", async () => {
    await withDuck(async (conn) => {
      const path = join(dir, "dup.qc.parquet");
      await conn.run(
        `COPY (SELECT * FROM (VALUES ('S1', 'q_residual'), ('S1', 'duplicate_id'), ('S2', NULL), ('S3', ''))
           t(sample_id, flags)) TO ${sqlString(path)} (FORMAT parquet)`,
      );
      const view = await variant("dup", (m) => (m.tables["qc"] = { qc: path }));
      const src = await qcFlagSource(view, conn);
      expect(src?.flagged).toBe(1);
      expect(await queryRows(conn, src!.sql)).toEqual([{ sample_id: "S1", flags: "duplicate_id;q_residual" }]);
    });
  });
});

describe("observed vs predicted panels with QC flags", () => {
  it("splits each panel into clean points and flagged points, joined by sample id", async () => {
    await withDuck(async (conn) => {
      const m = await metricsData(await readRunManifest(manifestPath), conn);
      expect(m.qcFlags).toEqual({ step: "qc", flagged: 9 });
      if (isAbsent(m.predictions)) throw new Error(m.predictions.absent);
      let flaggedSeen = 0;
      for (const p of m.predictions) {
        const [want] = await queryRows(
          conn,
          `SELECT count(*) FILTER (WHERE ${FLAGGED_SQL("sample_id")}) AS nf, count(*) AS n
           FROM read_parquet(${sqlString(manifest.tables[p.step]!["predictions"]!)})
           WHERE target = ${sqlString(p.target)} AND split = ${sqlString(p.split)} AND NOT isnan(observed)`,
        );
        const key = `${p.step} ${p.target} ${p.split}`;
        expect(p.n, key).toBe(Number(want!["n"]));
        expect(p.n_flagged, key).toBe(Number(want!["nf"]));
        expect(p.flagged, key).toHaveLength(p.n_flagged!);
        expect(p.points!.length + p.n_flagged!, key).toBe(p.n);
        for (const f of p.flagged!) expect(["q_residual", "t2"], key).toContain(f.flags);
        expect(p.flagNote, key).toBeNull();
        flaggedSeen += p.n_flagged!;
      }
      expect(flaggedSeen).toBeGreaterThan(0);
    });
  });

  it("says so instead of marking when a step's predictions leave the flagged samples out", async () => {
    await withDuck(async (conn) => {
      const path = join(dir, "cnn-c.clean.predictions.parquet");
      await conn.run(
        `COPY (SELECT * FROM read_parquet(${sqlString(manifest.tables["cnn-c"]!["predictions"]!)}) WHERE NOT ${FLAGGED_SQL("sample_id")})
         TO ${sqlString(path)} (FORMAT parquet)`,
      );
      const view = await variant("clean-cnn-c", (m) => (m.tables["cnn-c"]!["predictions"] = path));
      const m = await metricsData(view, conn);
      if (isAbsent(m.predictions)) throw new Error(m.predictions.absent);
      const cnnC = m.predictions.filter((p) => p.step === "cnn-c");
      expect(cnnC.length).toBeGreaterThan(0);
      for (const p of cnnC) {
        expect(p.n_flagged).toBe(0);
        expect(p.flagged).toEqual([]);
        expect(p.flagNote).toBe("The predictions of step cnn-c leave out all 9 samples that QC (step qc) flagged, so none is marked.");
      }
      expect(m.predictions.filter((p) => p.step !== "cnn-c").every((p) => p.flagNote === null)).toBe(true);
    });
  });

  it("leaves impossible observed values out of the panels and their axes, and says how many", async () => {
    await withDuck(async (conn) => {
      const path = join(dir, "plsr.impossible.predictions.parquet");
      const src = sqlString(manifest.tables["plsr"]!["predictions"]!);
      // two labelled test rows get impossible C values: −420.1 and 900 g/kg
      const picked = await queryRows(
        conn,
        `SELECT sample_id FROM read_parquet(${src}) WHERE split = 'test' AND NOT isnan(observed) ORDER BY sample_id LIMIT 2`,
      );
      const [a, b] = picked.map((r) => sqlString(String(r["sample_id"])));
      expect(picked).toHaveLength(2);
      await conn.run(
        `COPY (SELECT * REPLACE (CASE WHEN sample_id = ${a} THEN -420.1 WHEN sample_id = ${b} THEN 900.0 ELSE observed END AS observed)
               FROM read_parquet(${src}))
         TO ${sqlString(path)} (FORMAT parquet)`,
      );
      const view = await variant("impossible-plsr", (m) => (m.tables["plsr"]!["predictions"] = path));
      const m = await metricsData(view, conn);
      if (isAbsent(m.predictions)) throw new Error(m.predictions.absent);
      const plsr = m.predictions.filter((p) => p.step === "plsr");
      expect(plsr.length).toBeGreaterThan(0);
      for (const p of plsr) {
        expect(p.lo).toBeGreaterThanOrEqual(0);
        expect(p.hi).toBeLessThanOrEqual(580);
      }
      // both rows are in the test split: said on that panel only
      const test = plsr.find((p) => p.split === "test")!;
      expect(test.flagNote).toContain(
        "2 observed value(s) of step plsr (c, test) lie outside the physical range (C 0–580, OM 0–1000 g/kg): not drawn and not scored.",
      );
      for (const p of plsr.filter((x) => x.split !== "test")) expect(p.flagNote ?? "").not.toContain("physical range");
    });
  });

  it("marks nothing and keeps every point when the run has no QC flags", async () => {
    await withDuck(async (conn) => {
      const m = await metricsData(await variant("no-flags", (x) => delete x.tables["qc"]), conn);
      expect(isAbsent(m.qcFlags) && m.qcFlags.absent).toMatch(/No qc\.outliers step/);
      if (isAbsent(m.predictions)) throw new Error(m.predictions.absent);
      for (const p of m.predictions) {
        expect(p.n_flagged).toBeNull();
        expect(p.flagged).toBeNull();
        expect(p.flagNote).toBeNull();
        expect(p.points).toHaveLength(p.n);
      }
    });
  });
});
