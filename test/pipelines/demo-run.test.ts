/**
 * The demo run itself (`npm run demo` leaves it in .somflow; CI runs the demo before the
 * tests): every sample id accounted for once per target in the hybrid table, counts adding up,
 * measured values identical to the harmonized input (in `measured`), none impossible or
 * QC-failed used as the value, imputed values scored against the hidden truth.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findRun, runArtifacts, runMetrics } from "../../src/engine/queries.js";
import { REPO_ROOT } from "../helpers/shared-data.js";

// SOMFLOW_DEMO_STORE: check a demo run kept in another store
const STORE = process.env.SOMFLOW_DEMO_STORE ?? join(REPO_ROOT, ".somflow");
const have = existsSync(join(STORE, "runs"));
if (!have && process.env.CI === "true") throw new Error("CI=true but .somflow holds no demo run: run `npm run demo` before the tests.");
if (!have) console.warn("[skip] demo-run checks: no .somflow store here (run `npm run demo` first).");

describe.skipIf(!have)("the demo run in .somflow", () => {
  it("accounts for every id and target, keeps measured values exactly, never uses an impossible one, scores imputation against truth", async () => {
    const run = await findRun(STORE, undefined, "demo");
    const art = Object.fromEntries((await runArtifacts(STORE, run)).map((a) => [a.step, a]));
    const missing = ["targets", "impute", "evaluate"].filter((s) => !art[s]);
    if (missing.length) {
      throw new Error(
        `the latest demo run (${run.run_id}) has no ${missing.join("/")} step (a partial \`run --only\`?): run \`npm run demo\` first`,
      );
    }
    const samples = await art.targets!.table("samples", ["sample_id", "c_gkg", "om_gkg"]);
    const hybrid = await art.impute!.table("hybrid", [
      "sample_id",
      "target",
      "value",
      "origin",
      "measured",
      "set_aside",
      "reason",
      "qc_flags",
    ]);
    const ids = samples.sample_id as string[];
    const nIds = new Set(ids).size;
    const hid = hybrid.sample_id as string[];
    const origin = hybrid.origin as string[];
    const target = hybrid.target as string[];
    const value = hybrid.value as Float64Array;
    const measured = hybrid.measured as Float64Array;
    const aside = hybrid.set_aside as (string | null)[];
    const reason = hybrid.reason as (string | null)[];
    const qcFlags = hybrid.qc_flags as (string | null)[];
    // sample_id × target is unique: duplicated ids are one row
    const keys = hid.map((id, k) => `${id}\u0000${target[k]}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBe(2 * nIds);
    const firstRow = new Map<string, number>();
    ids.forEach((id, i) => firstRow.has(id) || firstRow.set(id, i));
    for (const t of ["c", "om"]) {
      const rows = [...origin.keys()].filter((i) => target[i] === t);
      expect(rows.length).toBe(nIds);
      const input = samples[`${t}_gkg`] as Float64Array;
      const counts = { measured: 0, predicted: 0, rejected: 0 } as Record<string, number>;
      for (const k of rows) {
        counts[origin[k]!] = (counts[origin[k]!] ?? 0) + 1;
        // the measured value is the input's, bit for bit, also where it is set aside
        const m = input[firstRow.get(hid[k]!)!]!;
        expect(Object.is(measured[k], m) || (Number.isNaN(measured[k]!) && Number.isNaN(m)), `${hid[k]} ${t}`).toBe(true);
        if (origin[k] === "measured") {
          expect(Object.is(value[k], m)).toBe(true);
          expect(aside[k]).toBeNull();
        }
        // an impossible or QC-failed measured value is never the value
        if (origin[k] !== "rejected") expect(value[k]!, `${hid[k]} ${t}`).toBeGreaterThanOrEqual(0);
        if (Number.isFinite(m) && (m < 0 || (qcFlags[k] ?? "").split(";").includes(`${t}_unit_suspect`))) {
          expect(origin[k], `${hid[k]} ${t} = ${m} (${qcFlags[k]})`).not.toBe("measured");
          expect(aside[k]).toBeTruthy();
        }
        if (origin[k] === "rejected") expect(reason[k]).toBeTruthy();
      }
      const usable = rows.filter((k) => Number.isFinite(measured[k]!) && aside[k] === null).length;
      expect(counts.measured).toBe(usable);
      expect(counts.measured! + counts.predicted! + counts.rejected!).toBe(nIds);
    }
    // scored against the truth on the truly missing values
    const truthRows = (await runMetrics(STORE, run)).filter((r) => r.split === "missing-truth" && r.group === "all" && r.scale === "gkg");
    expect(truthRows.map((r) => r.target).sort()).toEqual(["c", "om"]);
    for (const r of truthRows) expect(r.n).toBeGreaterThan(0);
  });
});
