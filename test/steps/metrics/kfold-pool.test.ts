/** k-fold CV as a step matrix on a small synthetic library: pooling, cross-conformal intervals, a failed fold. */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parsePipeline } from "../../../src/engine/pipeline.js";
import { findRun, runArtifacts, runMetrics } from "../../../src/engine/queries.js";
import { runPipeline } from "../../../src/engine/runner.js";
import { builtinSteps } from "../../../src/steps/registry.js";

const registry = new Map(builtinSteps().map((s) => [s.type, s]));

// fold 3 of folds: 3 does not exist: that instance fails at run time (test_fold must be below folds).
const text = (folds: string) => `name: kfold
steps:
  library:
    uses: synth.library
    with: { n: 240, seed: 3 }
  preprocess:
    uses: spectra.preprocess
    needs: [library]
    with:
      grid: { from: 600, to: 4000, step: 16 }
      out_of_range: trim
  qc:
    uses: qc.outliers
    needs: [library, preprocess]
  targets:
    uses: harmonize.targets
    needs: [qc]
  plsr:
    uses: baseline.plsr
    needs: [preprocess, targets]
    matrix:
      fold: ${folds}
    with:
      target: c
      max_components: 6
      folds: 3
      test_fold: \${matrix.fold}
      cal: 0
  plsr5:
    uses: baseline.plsr
    needs: [preprocess, targets]
    with: { target: c, max_components: 6 }
  evaluate:
    uses: metrics.evaluate
    needs: [plsr, plsr5]
    needs_ok: any
    with:
      pool:
        plsr-cv: plsr
`;

describe("k-fold as a step matrix, pooled by metrics.evaluate", () => {
  it("pools every fold (split cv, cross-conformal intervals); a failed fold leaves the other models' metrics and marks the pool incomplete", async () => {
    const store = join(await mkdtemp(join(tmpdir(), "somflow-kfold-")), "store");
    const ok = await runPipeline(parsePipeline("kfold.yaml", text("[0, 1, 2]"), registry), { store });
    expect(ok.steps.filter((s) => s.status === "failed").map((s) => `${s.name}: ${s.reason}`)).toEqual([]);
    const rows = await runMetrics(store, await findRun(store));
    const cv = rows.find((r) => r.step === "plsr-cv" && r.group === "all" && r.scale === "gkg")!;
    expect(cv.split).toBe("cv");
    // cal: 0 → each fold model alone has no interval; cross-conformal pooling uses every sample
    const perFold = rows.find((r) => r.step === "plsr.fold-0" && r.group === "all" && r.scale === "gkg")!;
    expect(
      perFold.pi_coverage === null || Number.isNaN(perFold.pi_coverage) || perFold.pi_width === Infinity || perFold.pi_coverage === 1,
    ).toBe(true);
    expect(cv.pi_coverage).toBeGreaterThan(0.82);
    expect(cv.pi_coverage).toBeLessThan(0.97);
    expect(Number.isFinite(cv.pi_width!)).toBe(true);
    const arts = Object.fromEntries((await runArtifacts(store, await findRun(store))).map((a) => [a.step, a]));
    const pools =
      await arts.evaluate!.json<Record<string, { complete: boolean; intervals: string; missing: string[]; rows: number }>>("pools");
    expect(pools["plsr-cv"]).toMatchObject({ complete: true, intervals: "cross_conformal", missing: [] });
    expect(pools["plsr-cv"]!.rows).toBe(cv.n);

    const failed = await runPipeline(parsePipeline("kfold.yaml", text("[0, 1, 2, 3]"), registry), { store });
    const st = Object.fromEntries(failed.steps.map((s) => [s.name, s.status]));
    expect(st).toMatchObject({ "plsr.fold-3": "failed", evaluate: "ran", plsr5: "cached" });
    expect(failed.status).toBe("failed");
    const after = await runMetrics(store, await findRun(store));
    expect(after.some((r) => r.step === "plsr5" && r.split === "test")).toBe(true);
    expect(after.some((r) => r.step === "plsr-cv" && r.split === "cv")).toBe(false);
    const inc = after.find((r) => r.step === "plsr-cv" && r.group === "all" && r.scale === "gkg")!;
    expect(inc.split).toBe("cv-incomplete");
    const arts2 = Object.fromEntries((await runArtifacts(store, await findRun(store))).map((a) => [a.step, a]));
    expect(await arts2.evaluate!.json("pools")).toMatchObject({ "plsr-cv": { complete: false, missing: ["plsr.fold-3"] } });
  }, 60_000);
});
