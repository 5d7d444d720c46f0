import { describe, expect, it } from "vitest";
import { emptyArtifact, runStepInMemory } from "../../../src/engine/memory-step.js";
import { plsrStep } from "../../../src/steps/baseline/plsr.js";
import { predictionMetricRows } from "../../../src/core/stats/prediction-metrics.js";
import { evaluateStep } from "../../../src/steps/metrics/evaluate.js";
import { makeFixture } from "../baseline/fixture.js";

describe("metrics.evaluate", () => {
  it("writes metrics and calibration for every model input", async () => {
    const fx = makeFixture();
    const c = await runStepInMemory(plsrStep, { target: "c", max_components: 5 }, [fx.input], "plsr-c");
    const om = await runStepInMemory(plsrStep, { target: "om", max_components: 5 }, [fx.input], "plsr-om");
    // a model without intervals and without model_meta
    const bare = emptyArtifact();
    const pc = c.artifact.tables.get("predictions")!;
    bare.tables.set("predictions", {
      ...pc,
      pi_low: new Float64Array(pc.sample_id!.length).fill(NaN),
      pi_high: new Float64Array(pc.sample_id!.length).fill(NaN),
    });
    const res = await runStepInMemory(evaluateStep, {}, [
      fx.input,
      { step: "plsr-c", type: "baseline.plsr", artifact: c.artifact },
      { step: "plsr-om", type: "baseline.plsr", artifact: om.artifact },
      { step: "bare", type: "cnn.train", artifact: bare },
    ]);
    const m = res.artifact.tables.get("metrics")!;
    const step = m.step as string[];
    expect(new Set(step)).toEqual(new Set(["plsr-c", "plsr-om", "bare"]));
    // the model's declared name (model_meta.model), else its step type
    expect(new Set(m.model as string[])).toEqual(new Set(["plsr", "cnn.train"]));
    // the same numbers as scoring the model's predictions directly
    const own = predictionMetricRows(pc, { step: "plsr-c", model: "plsr", splits: ["test"], level: 0.9 });
    const k = step.indexOf("plsr-c");
    expect((m.rmse as Float64Array)[k]).toBe(own[0]!.rmse);
    expect((m.group as string[])[k]).toBe(own[0]!.group);

    const cal = res.artifact.tables.get("calibration")!;
    const calStep = cal.step as string[];
    const method = cal.method as string[];
    const level = cal.level as Float64Array;
    const plsrC = calStep.map((s, i) => (s === "plsr-c" ? i : -1)).filter((i) => i >= 0);
    expect(plsrC.map((i) => method[i])).toEqual(["reported", ...Array(6).fill("rescaled"), "resplit"]);
    expect(level[plsrC[0]!]).toBe(0.9);
    const rs = plsrC[7]!;
    expect(level[rs]).toBe(0.9);
    const [p05, mean, p95] = [
      (cal.coverage_p05 as Float64Array)[rs]!,
      (cal.coverage as Float64Array)[rs]!,
      (cal.coverage_p95 as Float64Array)[rs]!,
    ];
    expect(p05).toBeLessThanOrEqual(mean);
    expect(mean).toBeLessThanOrEqual(p95);
    expect(Number.isNaN((cal.coverage_p05 as Float64Array)[plsrC[0]!]!)).toBe(true);
    // the bare model has no intervals → no calibration rows
    expect(calStep).not.toContain("bare");
  });

  it("pools k-fold steps (option pool): every labelled sample scored once, split cv", async () => {
    const fx = makeFixture();
    const fold = (i: number) => runStepInMemory(plsrStep, { target: "c", max_components: 4, folds: 3, test_fold: i }, [fx.input], `f${i}`);
    const runs = await Promise.all([0, 1, 2].map(fold));
    const inputs = runs.map((r, i) => ({ step: `f${i}`, type: "baseline.plsr", artifact: r.artifact }));
    const res = await runStepInMemory(evaluateStep, { pool: { "plsr-cv": ["f0", "f1", "f2"] } }, [fx.input, ...inputs]);
    const m = res.artifact.tables.get("metrics")!;
    const at = (m.step as string[]).findIndex(
      (s, i) => s === "plsr-cv" && (m.group as string[])[i] === "all" && (m.scale as string[])[i] === "gkg",
    );
    expect((m.split as string[])[at]).toBe("cv");
    const tested = runs.map((r) => (r.artifact.tables.get("predictions")!.split as string[]).filter((s) => s === "test").length);
    const labelled = (runs[0]!.artifact.tables.get("predictions")!.split as string[]).filter((s) => s !== "unlabelled").length;
    expect((m.n as Float64Array)[at]).toBe(tested.reduce((a, b) => a + b, 0));
    expect((m.n as Float64Array)[at]).toBe(labelled);
    expect((m.pi_coverage as Float64Array)[at]).toBeGreaterThan(0.7);
    // the same fold twice under two names: its samples would be scored twice
    const again = { step: "g0", type: "baseline.plsr", artifact: runs[0]!.artifact };
    await expect(runStepInMemory(evaluateStep, { pool: { cv: ["f0", "g0"] } }, [fx.input, ...inputs, again])).rejects.toThrow(
      /in the test split of both f0 and g0/,
    );
    await expect(runStepInMemory(evaluateStep, { pool: { cv: ["f0", "nope"] } }, [fx.input, ...inputs])).rejects.toThrow(
      /pool.cv: "nope" is not a model step this step needs/,
    );
  });

  it("does not score observed values outside the physical range (an impossible measurement is no reference)", async () => {
    const fx = makeFixture();
    const c = await runStepInMemory(plsrStep, { target: "c", max_components: 5 }, [fx.input], "plsr-c");
    const pc = c.artifact.tables.get("predictions")!;
    const split = pc.split as string[];
    const test = split.flatMap((s, i) => (s === "test" ? [i] : []));
    const observed = Float64Array.from(pc.observed as Float64Array);
    // two test rows get impossible values: C below 0 and above 580 g/kg
    observed[test[0]!] = -420.1;
    observed[test[1]!] = 900;
    const bad = emptyArtifact();
    bad.tables.set("predictions", { ...pc, observed });
    const res = await runStepInMemory(evaluateStep, {}, [{ step: "plsr-c", type: "baseline.plsr", artifact: bad }]);
    const m = res.artifact.tables.get("metrics")!;
    const all = (m.group as string[]).findIndex((g, i) => g === "all" && (m.scale as string[])[i] === "gkg");
    // scored exactly as the predictions without those two rows
    const keep = Float64Array.from(observed, (v, i) => (i === test[0] || i === test[1] ? NaN : v));
    const own = predictionMetricRows({ ...pc, observed: keep }, { step: "plsr-c", model: "plsr", splits: ["test"], level: 0.9 });
    const ownAll = own.find((r) => r.group === "all" && r.scale === "gkg")!;
    expect((m.n as Float64Array)[all]).toBe(ownAll.n);
    expect((m.n as Float64Array)[all]).toBe(test.filter((i) => Number.isFinite((pc.observed as Float64Array)[i]!)).length - 2);
    expect((m.rmse as Float64Array)[all]).toBe(ownAll.rmse);
    expect(res.logs.join("\n")).toMatch(/plsr-c: 2 observed c value\(s\) outside the physical range are not scored/);
    expect(res.records["evaluate_unscored_impossible_plsr-c_c"]).toBe(2);
    // a narrower range given as the option sets more aside
    const narrow = await runStepInMemory(evaluateStep, { range: { c_max: 1 } }, [{ step: "plsr-c", type: "baseline.plsr", artifact: bad }]);
    expect(narrow.records["evaluate_unscored_impossible_plsr-c_c"]).toBeGreaterThan(2);
  });

  it("fails clearly without model inputs", async () => {
    const fx = makeFixture(40);
    await expect(runStepInMemory(evaluateStep, {}, [fx.input])).rejects.toThrow(/predictions table/);
  });
});
