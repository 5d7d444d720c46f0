import { describe, expect, it } from "vitest";
import { runStepInMemory } from "../../../src/engine/memory-step.js";
import type { Table } from "../../../src/core/table.js";
import { plsrStep } from "../../../src/steps/baseline/plsr.js";
import { makeFixture } from "./fixture.js";
import { metricsTable } from "../../../src/engine/metrics-table.js";
import { predictionMetricRows } from "../../../src/core/stats/prediction-metrics.js";

describe("baseline.plsr", () => {
  const fx = makeFixture();

  it("writes predictions, test metrics and model_meta", async () => {
    const res = await runStepInMemory(plsrStep, { target: "c", max_components: 6 }, [fx.input], "plsr-c");
    const pred = res.artifact.tables.get("predictions")! as Table;
    const ids = pred.sample_id as string[];
    // 240 samples − 5 without spectrum (i%41==40) − 5 broken (i%43==42)
    expect(ids.length).toBe(240 - 5 - 5);
    expect(new Set(ids).size).toBe(ids.length);
    const split = pred.split as string[];
    const observed = pred.observed as Float64Array;
    split.forEach((s, k) => expect(s === "unlabelled").toBe(Number.isNaN(observed[k]!)));
    expect(new Set(split)).toEqual(new Set(["train", "val", "cal", "test", "unlabelled"]));
    const predicted = pred.predicted as Float64Array;
    const lo = pred.pi_low as Float64Array;
    const hi = pred.pi_high as Float64Array;
    predicted.forEach((v, k) => {
      expect(Number.isFinite(v)).toBe(true);
      expect(lo[k]!).toBeLessThanOrEqual(v);
      expect(hi[k]!).toBeGreaterThanOrEqual(v);
    });
    expect(Object.keys(pred)).toEqual([
      "sample_id",
      "target",
      "split",
      "source",
      "depth_top_cm",
      "observed",
      "predicted",
      "sd",
      "pi_low",
      "pi_high",
      "in_domain",
    ]);
    // matched by id, not position: the fixture's blocks are in reverse order
    const k = ids.indexOf("s0000");
    expect(Math.abs(Math.log1p(predicted[k]!) - Math.log1p(observed[k]!))).toBeLessThan(0.2);

    const metrics = metricsTable(predictionMetricRows(pred, { step: "plsr", model: "plsr", splits: ["test"], level: 0.9 }));
    const group = metrics.group as string[];
    const scale = metrics.scale as string[];
    expect(new Set(metrics.split as string[])).toEqual(new Set(["test"]));
    expect(group).toContain("source=lab-a");
    expect(group).toContain("depth=0-30");
    const allLog = group.findIndex((g, i) => g === "all" && scale[i] === "log1p");
    expect((metrics.r2 as Float64Array)[allLog]).toBeGreaterThan(0.9);
    expect((metrics.pi_level as Float64Array)[allLog]).toBe(0.9);

    const meta = res.artifact.json.get("model_meta") as { components: number; cv: { rmsecv_log1p: number[] } };
    expect(meta.components).toBeGreaterThanOrEqual(1);
    expect(meta.cv.rmsecv_log1p).toHaveLength(6);
    expect(res.records.plsr_no_spectrum).toBe(5);
  });

  it("does not fit on exclude_train samples", async () => {
    const res = await runStepInMemory(plsrStep, { target: "om", max_components: 4 }, [fx.input]);
    const meta = res.artifact.json.get("model_meta") as { n_excluded: number; n_fit: number };
    expect(meta.n_excluded).toBeGreaterThan(0);
  });

  it("calibrates on excluded cal rows only with cal_excluded (default true); never fits on them", async () => {
    const on = await runStepInMemory(plsrStep, { target: "om", max_components: 4 }, [fx.input]);
    const off = await runStepInMemory(plsrStep, { target: "om", max_components: 4, cal_excluded: false }, [fx.input]);
    type Meta = { n_excluded: number; n_fit: number; conformal: { n_cal: number } };
    const a = on.artifact.json.get("model_meta") as Meta;
    const b = off.artifact.json.get("model_meta") as Meta;
    expect(a.n_fit).toBe(b.n_fit);
    // Every excluded row is either in cal (calibrates when on) or not (excluded either way).
    expect(a.conformal.n_cal - b.conformal.n_cal).toBe(b.n_excluded - a.n_excluded);
    expect(a.conformal.n_cal).toBeGreaterThan(b.conformal.n_cal); // the fixture has excluded cal rows
  });

  it("rejects unknown options and bad split fractions", async () => {
    await expect(runStepInMemory(plsrStep, { target: "c", bogus: 1 }, [fx.input])).rejects.toThrow();
    await expect(runStepInMemory(plsrStep, { target: "c", test: 0.5, cal: 0.5 }, [fx.input])).rejects.toThrow(/test\/val\/cal/);
  });
});
