import { describe, expect, it } from "vitest";
import type { Table } from "../../../src/core/table.js";
import { predictionMetricRows } from "../../../src/core/stats/prediction-metrics.js";
import { emptyArtifact, runStepInMemory } from "../../../src/engine/memory-step.js";
import { modelSelectStep } from "../../../src/steps/select/model-select.js";
import { makeFixture } from "../baseline/fixture.js";

const OPTIONS = {
  target: "c",
  variants: { abs: {}, snv: { normalize: "snv" }, sg1: { savgol: { window: 7, polyorder: 2, deriv: 1 } } },
  models: ["plsr", "mbl"],
  targets: ["log1p", "gkg"],
  max_components: 6,
  mbl: { k: [30, 60], nnv_targets: 20 },
  folds: 4,
  inner_folds: 3,
};

describe("model.select (nested CV)", () => {
  const fx = makeFixture(160, 11);

  it("tests every labelled sample once, reports every candidate per fold, and the pooled metrics are sound", async () => {
    const res = await runStepInMemory(modelSelectStep, OPTIONS, [fx.input], "select");
    const pred = res.artifact.tables.get("predictions")! as Table;
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
    const split = pred.split as string[];
    const observed = pred.observed as Float64Array;
    const ids = pred.sample_id as string[];
    expect(new Set(ids).size).toBe(ids.length);
    split.forEach((s, k) => expect(s).toBe(Number.isFinite(observed[k]!) ? "test" : "unlabelled"));
    expect(split.filter((s) => s === "unlabelled").length).toBeGreaterThan(0);
    const predicted = pred.predicted as Float64Array;
    const lo = pred.pi_low as Float64Array;
    const hi = pred.pi_high as Float64Array;
    predicted.forEach((v, k) => {
      expect(Number.isFinite(v)).toBe(true);
      expect(lo[k]!).toBeLessThanOrEqual(v + 1e-9);
      expect(hi[k]!).toBeGreaterThanOrEqual(v - 1e-9);
    });
    // 3 variants × 2 families × 2 scales; PLSR has 6 settings, MBL one
    const sel = res.artifact.tables.get("selection")! as Table;
    const choices = res.artifact.tables.get("choices")! as Table;
    expect(choices.fold).toEqual(["1", "2", "3", "4", "all"]);
    expect((sel.fold as string[]).length).toBe(5 * (3 * 2 * 6 + 3 * 2 * 1));
    expect(new Set(sel.candidate as string[]).size).toBe(12);
    const rmse = sel.inner_rmse as Float64Array;
    const cand = sel.candidate as string[];
    for (const f of ["1", "2", "3", "4", "all"]) {
      const mine = (sel.fold as string[]).map((x, i) => (x === f ? i : -1)).filter((i) => i >= 0);
      const chosen = mine.filter((i) => (sel.chosen as boolean[])[i]);
      // the default rule averages the 3 candidates whose best settings have the smallest inner RMSE
      const bestOf = new Map<string, number>();
      for (const i of mine) bestOf.set(cand[i]!, Math.min(bestOf.get(cand[i]!) ?? Infinity, rmse[i]!));
      const top3 = [...bestOf].sort((a, b) => a[1] - b[1]).slice(0, 3);
      expect(chosen.map((i) => cand[i]).sort()).toEqual(top3.map(([c]) => c).sort());
      for (const i of chosen) expect(rmse[i]).toBe(bestOf.get(cand[i]!));
      const listed = (choices.candidate as string[])[["1", "2", "3", "4", "all"].indexOf(f)]!;
      expect(listed.split(" + ")).toEqual(top3.map(([c]) => c));
    }
    const rows = predictionMetricRows(pred, { step: "select", model: "model.select", splits: ["test"], level: 0.9 });
    const all = rows.find((r) => r.group === "all" && r.scale === "gkg")!;
    // C drives a strong band in the fixture: a well-chosen PLSR predicts it closely
    expect(all.r2!).toBeGreaterThan(0.9);
    expect(all.pi_coverage!).toBeGreaterThan(0.8);
    const meta = res.artifact.json.get("model_meta") as {
      final: { candidate: string; average_of?: { candidate: string; coefficients?: number[]; k?: number }[] };
      candidates: string[];
    };
    expect(meta.candidates).toHaveLength(12);
    expect(meta.candidates).toContain(meta.final.candidate);
    expect(meta.final.average_of!.map((m) => m.candidate)).toEqual((choices.candidate as string[]).at(-1)!.split(" + "));
    for (const m of meta.final.average_of!) expect(m.coefficients !== undefined || m.k !== undefined).toBe(true);
  }, 120_000);

  it("rule min keeps the one best candidate × setting of each fold", async () => {
    const res = await runStepInMemory(modelSelectStep, { ...OPTIONS, models: ["plsr"], rule: "min" }, [fx.input]);
    const sel = res.artifact.tables.get("selection")! as Table;
    const rmse = sel.inner_rmse as Float64Array;
    for (const f of ["1", "2", "3", "4", "all"]) {
      const mine = (sel.fold as string[]).map((x, i) => (x === f ? i : -1)).filter((i) => i >= 0);
      const chosen = mine.filter((i) => (sel.chosen as boolean[])[i]);
      expect(chosen.length).toBe(1);
      expect(rmse[chosen[0]!]).toBe(Math.min(...mine.map((i) => rmse[i]!)));
    }
    const meta = res.artifact.json.get("model_meta") as { final: { coefficients?: number[] } };
    expect(meta.final.coefficients!.length).toBeGreaterThan(0);
  }, 120_000);

  it("is deterministic, and takes outer folds from a samples column", async () => {
    const a = await runStepInMemory(modelSelectStep, { ...OPTIONS, models: ["plsr"] }, [fx.input]);
    const b = await runStepInMemory(modelSelectStep, { ...OPTIONS, models: ["plsr"] }, [fx.input]);
    expect(Array.from(a.artifact.tables.get("predictions")!.predicted as Float64Array)).toEqual(
      Array.from(b.artifact.tables.get("predictions")!.predicted as Float64Array),
    );
    const art = emptyArtifact();
    const samples = { ...fx.samples, site: (fx.samples.sample_id as string[]).map((_, i) => `site-${i % 3}`) };
    art.tables.set("samples", samples);
    art.spectra.set("spectra", fx.blocks);
    const res = await runStepInMemory(modelSelectStep, { ...OPTIONS, models: ["plsr"], folds_from: "site" }, [
      { step: "prep", type: "x", artifact: art },
    ]);
    expect(res.artifact.tables.get("choices")!.fold).toEqual(["site-0", "site-1", "site-2", "all"]);
    const meta = res.artifact.json.get("model_meta") as { protocol: { outer: unknown } };
    expect(meta.protocol.outer).toEqual({ folds_from: "site", folds: 3 });
  }, 120_000);

  it("names the missing fold column and the option", async () => {
    await expect(runStepInMemory(modelSelectStep, { ...OPTIONS, folds_from: "fold" }, [fx.input])).rejects.toThrow(
      /option folds_from: samples has no column "fold"/,
    );
  });

  it("takes the CNN as a candidate and stacks it with PLSR (a tiny CNN: 1 member, 3 epochs)", async () => {
    const small = makeFixture(60, 12);
    const opts = {
      target: "c",
      // the fixture's 60 points at 50 cm-1 resampled to 10 cm-1: enough for the CNN's small net
      variants: { snv: { normalize: "snv", resolution: 10 } },
      models: ["plsr", "cnn"],
      stacks: [["plsr", "cnn"]],
      max_components: 4,
      cnn: { members: 1, epochs: 3, backend: "cpu" },
      folds: 2,
      inner_folds: 2,
    };
    const res = await runStepInMemory(modelSelectStep, opts, [small.input]);
    const sel = res.artifact.tables.get("selection")! as Table;
    const cand = sel.candidate as string[];
    // snv × (plsr log1p: 4 settings, cnn log1p: 1) + the stack, for 2 folds and "all"
    expect(new Set(cand)).toEqual(new Set(["snv · plsr · log1p", "snv · cnn · log1p", "stack(plsr+cnn)"]));
    expect(cand.length).toBe(3 * (4 + 1 + 1));
    const stackRows = cand.map((c, i) => (c === "stack(plsr+cnn)" ? i : -1)).filter((i) => i >= 0);
    for (const i of stackRows) {
      expect((sel.model as string[])[i]).toBe("stack");
      expect((sel.variant as string[])[i]).toBe("");
    }
    const pred = res.artifact.tables.get("predictions")! as Table;
    for (const v of pred.predicted as Float64Array) expect(Number.isFinite(v) && v >= 0).toBe(true);
    const meta = res.artifact.json.get("model_meta") as { candidates: string[]; final: Record<string, unknown> };
    expect(meta.candidates).toEqual(["snv · plsr · log1p", "snv · cnn · log1p", "stack(plsr+cnn)"]);
    // the final model names what it is made of: an average of the three (default rule), the stack with its weights
    const members = meta.final.average_of as {
      candidate: string;
      stack_of?: { weight: number; candidate: string }[];
      cnn?: { epochs: number };
    }[];
    expect(members.map((m) => m.candidate).sort()).toEqual([...meta.candidates].sort());
    const stack = members.find((m) => m.candidate === "stack(plsr+cnn)")!;
    expect(stack.stack_of!.map((b) => b.candidate)).toEqual([expect.stringMatching(/plsr/), "snv · cnn · log1p"]);
    expect(stack.stack_of!.reduce((a, b) => a + b.weight, 0)).toBeCloseTo(1, 12);
    expect(members.find((m) => m.candidate === "snv · cnn · log1p")!.cnn!.epochs).toBe(3);
  }, 120_000);

  it("names the variant whose spectra are too short for the CNN", async () => {
    await expect(
      runStepInMemory(modelSelectStep, { ...OPTIONS, variants: { abs: {} }, models: ["plsr", "cnn"], cnn: { epochs: 1 } }, [fx.input]),
    ).rejects.toThrow(/option variants\.abs with models: cnn: the CNN's small net does not fit spectra of 60 points/);
  });

  it("runs the CNN on the variants cnn.variants lists, and names an unknown one", async () => {
    const small = makeFixture(40, 13);
    const opts = {
      target: "c",
      variants: { abs: {}, fine: { normalize: "snv", resolution: 10 } },
      models: ["plsr", "cnn"],
      max_components: 3,
      cnn: { members: 1, epochs: 1, backend: "cpu", variants: ["fine"] },
      folds: 2,
      inner_folds: 2,
      rule: "min",
    };
    // "abs" (60 points) is too short for the CNN; listed away from it, the run goes through
    const res = await runStepInMemory(modelSelectStep, opts, [small.input]);
    const meta = res.artifact.json.get("model_meta") as { candidates: string[] };
    expect(meta.candidates).toEqual(["abs · plsr · log1p", "fine · plsr · log1p", "fine · cnn · log1p"]);
    await expect(runStepInMemory(modelSelectStep, { ...opts, cnn: { ...opts.cnn, variants: ["snv"] } }, [small.input])).rejects.toThrow(
      "option cnn.variants: snv not in option variants (abs, fine)",
    );
  }, 120_000);

  it("names a stack whose family is not in models", async () => {
    await expect(runStepInMemory(modelSelectStep, { ...OPTIONS, models: ["plsr"], stacks: [["plsr", "cnn"]] }, [fx.input])).rejects.toThrow(
      "option stacks[0]: cnn not in option models (plsr): add it there",
    );
  });
});
