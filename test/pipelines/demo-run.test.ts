/**
 * The demo run itself (`npm run demo` leaves it in .somflow; CI runs the demo before the
 * tests): every sample accounted for in the hybrid table, counts adding up, measured values
 * identical to the harmonized input, imputed values scored against the hidden truth.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findRun, runArtifacts, runMetrics } from "../../src/engine/queries.js";
import { REPO_ROOT } from "../helpers/shared-data.js";

const STORE = join(REPO_ROOT, ".somflow");
const have = existsSync(join(STORE, "runs"));
if (!have && process.env.CI === "true") throw new Error("CI=true but .somflow holds no demo run: run `npm run demo` before the tests.");
if (!have) console.warn("[skip] demo-run checks: no .somflow store here (run `npm run demo` first).");

describe.skipIf(!have)("the demo run in .somflow", () => {
  it("accounts for every sample and target, keeps measured values exactly, scores imputation against truth", async () => {
    const run = await findRun(STORE, undefined, "demo");
    const art = Object.fromEntries((await runArtifacts(STORE, run)).map((a) => [a.step, a]));
    const missing = ["targets", "impute", "evaluate"].filter((s) => !art[s]);
    if (missing.length) {
      throw new Error(`the latest demo run (${run.run_id}) has no ${missing.join("/")} step (a partial \`run --only\`?): run \`npm run demo\` first`);
    }
    const samples = await art.targets!.table("samples", ["sample_id", "c_gkg", "om_gkg"]);
    const hybrid = await art.impute!.table("hybrid", ["sample_id", "target", "value", "origin", "reason"]);
    const ids = samples.sample_id as string[];
    const n = ids.length;
    expect((hybrid.sample_id as string[]).length).toBe(2 * n);
    const origin = hybrid.origin as string[];
    const target = hybrid.target as string[];
    const value = hybrid.value as Float64Array;
    const reason = hybrid.reason as (string | null)[];
    for (const t of ["c", "om"]) {
      const rows = [...origin.keys()].filter((i) => target[i] === t);
      expect(rows.length).toBe(n);
      const measured = (samples[`${t}_gkg`] as Float64Array).filter((v) => Number.isFinite(v)).length;
      const counts = { measured: 0, predicted: 0, rejected: 0 } as Record<string, number>;
      for (const i of rows) counts[origin[i]!] = (counts[origin[i]!] ?? 0) + 1;
      expect(counts.measured).toBe(measured);
      expect(counts.measured! + counts.predicted! + counts.rejected!).toBe(n);
      for (const i of rows) if (origin[i] === "rejected") expect(reason[i]).toBeTruthy();
    }
    // measured values are the input's, bit for bit (hybrid rows follow the sample order within a target)
    const inputMeasured = ["c", "om"].flatMap((t) => ids.flatMap((_, i) => {
      const v = (samples[`${t}_gkg`] as Float64Array)[i]!;
      return Number.isFinite(v) ? [v] : [];
    }));
    const hybridMeasured = ["c", "om"].flatMap((t) => [...origin.keys()].filter((i) => target[i] === t && origin[i] === "measured").map((i) => value[i]!));
    expect(Float64Array.from(hybridMeasured)).toEqual(Float64Array.from(inputMeasured));
    // scored against the truth on the truly missing values
    const truthRows = (await runMetrics(STORE, run)).filter((r) => r.split === "missing-truth" && r.group === "all" && r.scale === "gkg");
    expect(truthRows.map((r) => r.target).sort()).toEqual(["c", "om"]);
    for (const r of truthRows) expect(r.n).toBeGreaterThan(0);
  });
});
