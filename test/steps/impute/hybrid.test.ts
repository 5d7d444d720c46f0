import { describe, expect, it } from "vitest";
import { emptyArtifact, runStepInMemory, type MemoryInput } from "../../../src/engine/memory-step.js";
import { plsrStep } from "../../../src/steps/baseline/plsr.js";
import { hybridStep } from "../../../src/steps/impute/hybrid.js";
import { makeFixture } from "../baseline/fixture.js";

describe("impute.hybrid", async () => {
  const fx = makeFixture();
  const c = await runStepInMemory(plsrStep, { target: "c", max_components: 5 }, [fx.input], "plsr-c");
  const om = await runStepInMemory(plsrStep, { target: "om", max_components: 5 }, [fx.input], "plsr-om");
  const models: MemoryInput[] = [
    { step: "plsr-c", type: "baseline.plsr", artifact: c.artifact },
    { step: "plsr-om", type: "baseline.plsr", artifact: om.artifact },
  ];
  const n = fx.samples.sample_id!.length;

  it("builds the hybrid table, coverage, pairs and truth metrics", async () => {
    const res = await runStepInMemory(hybridStep, { models: { c: "plsr-c", om: "plsr-om" } }, [fx.input, ...models], "hybrid");
    const h = res.artifact.tables.get("hybrid")!;
    const origin = h.origin as string[];
    const value = h.value as Float64Array;
    const target = h.target as string[];
    const ids = h.sample_id as string[];
    expect(origin).toHaveLength(2 * n);
    const meta = res.artifact.json.get("hybrid_meta") as { counts: Record<string, Record<string, number>> };
    for (const t of ["c", "om"]) {
      const k = meta.counts[t]!;
      expect(k.measured! + k.predicted! + k.rejected!).toBe(n);
      expect(origin.filter((o, i) => target[i] === t && o === "measured").length).toBe(k.measured);
    }
    // measured values are the very same doubles
    const cm = fx.samples.c_gkg as Float64Array;
    for (let i = 0; i < n; i++) {
      expect(ids[i]).toBe(fx.samples.sample_id![i]);
      if (Number.isFinite(cm[i]!)) expect(Object.is(value[i], cm[i])).toBe(true);
      else expect(origin[i]).not.toBe("measured");
    }
    // OM ≥ C wherever one of them is predicted
    for (let i = 0; i < n; i++) {
      if (origin[i] !== "rejected" && origin[n + i] !== "rejected" && (origin[i] === "predicted" || origin[n + i] === "predicted")) {
        expect(value[n + i]!).toBeGreaterThanOrEqual(value[i]!);
      }
    }
    // every rejected row has a reason; no-spectrum samples are rejected with one
    const reason = h.reason as (string | null)[];
    origin.forEach((o, k) => expect(o === "rejected").toBe(reason[k] !== null));
    expect(reason[163]).toBe("no prediction (no usable spectrum)"); // s0163: no spectrum (i%41==40), C missing (i%4==3)
    const i39 = 39; // 39 % 4 == 3 → C missing; has spectrum
    expect(origin[i39]).toBe("predicted");
    expect(reason.some((r) => r === "excluded by QC (exclude_train)")).toBe(true);

    const cov = res.artifact.tables.get("coverage")!;
    const kinds = new Set(cov.breakdown as string[]);
    expect(kinds).toEqual(new Set(["all", "source", "depth", "cell"]));
    const pairs = res.artifact.tables.get("pairs")!;
    const all = (pairs.breakdown as string[]).indexOf("all");
    expect((pairs.pairs_after as Float64Array)[all]).toBeGreaterThan((pairs.pairs_before as Float64Array)[all]!);

    const m = res.artifact.tables.get("metrics")!;
    expect(new Set(m.split as string[])).toEqual(new Set(["missing-truth"]));
    const g = m.group as string[];
    const sc = m.scale as string[];
    const tg = m.target as string[];
    const k = g.findIndex((x, i) => x === "all" && sc[i] === "log1p" && tg[i] === "c");
    expect((m.n as Float64Array)[k]).toBe(meta.counts.c!.predicted);
    expect((m.rmse as Float64Array)[k]).toBeLessThan(0.25);
    expect((m.pi_coverage as Float64Array)[k]).toBeGreaterThan(0.7);
  });

  it("names the option when a model step is unknown or did not predict the target", async () => {
    await expect(runStepInMemory(hybridStep, { models: { c: "cnn-c" } }, [fx.input, ...models])).rejects.toThrow(
      /models\.c: step "cnn-c" is not among needs/,
    );
    await expect(runStepInMemory(hybridStep, { models: { om: "plsr-c" } }, [fx.input, ...models])).rejects.toThrow(
      /models\.om: step "plsr-c" did not predict target om/,
    );
    await expect(runStepInMemory(hybridStep, { models: {} }, [fx.input])).rejects.toThrow();
  });

  it("imputes one target only and rejects the other with a reason; picks the QC'd samples", async () => {
    const raw = emptyArtifact();
    const { exclude_train: _e, qc_flags: _q, ...rawSamples } = fx.samples;
    raw.tables.set("samples", rawSamples);
    raw.tables.set("truth", fx.truth);
    const qcd = emptyArtifact();
    qcd.tables.set("samples", fx.samples);
    const res = await runStepInMemory(hybridStep, { models: { c: "plsr-c" } }, [
      { step: "synth", type: "synth.library", artifact: raw },
      { step: "qc", type: "qc.outliers", artifact: qcd },
      models[0]!,
    ]);
    expect((res.artifact.json.get("hybrid_meta") as { samples_from: string }).samples_from).toBe("qc");
    const h = res.artifact.tables.get("hybrid")!;
    const reason = h.reason as (string | null)[];
    const origin = h.origin as string[];
    for (let i = n; i < 2 * n; i++) if (origin[i] === "rejected") expect(reason[i]).toBe("no model configured for target om");
  });

  it("sets impossible measured values aside, collapses duplicated ids and writes the wide layout", async () => {
    const samples = { ...fx.samples };
    const c = Float64Array.from(samples.c_gkg as Float64Array);
    const ids = [...(samples.sample_id as string[])];
    const i0 = [...c.keys()].find((i) => Number.isFinite(c[i]!))!;
    c[i0] = -31; // an impossible measured C
    const [a, b] = [...c.keys()].filter((i) => i > i0 && Number.isFinite(c[i]!)).slice(0, 2) as [number, number];
    ids[b] = ids[a]!; // the same id twice, with different measured C
    c[b] = c[a]! + 1;
    samples.c_gkg = c;
    samples.sample_id = ids;
    const art = emptyArtifact();
    art.tables.set("samples", samples);
    const res = await runStepInMemory(
      hybridStep,
      { models: { c: "plsr-c", om: "plsr-om" } },
      [{ step: "qc", type: "qc.outliers", artifact: art }, ...models],
      "hybrid",
    );
    const h = res.artifact.tables.get("hybrid")!;
    const hid = h.sample_id as string[];
    const tgt = h.target as string[];
    const keys = hid.map((id, k) => `${id}|${tgt[k]}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(2 * (n - 1));
    const row = (id: string, t: string) => keys.indexOf(`${id}|${t}`);
    expect((h.set_aside as (string | null)[])[row(ids[i0]!, "c")]).toBe("c_negative");
    expect((h.measured as Float64Array)[row(ids[i0]!, "c")]).toBe(-31);
    expect((h.value as Float64Array)[row(ids[i0]!, "c")]).not.toBe(-31);
    expect((h.set_aside as (string | null)[])[row(ids[a]!, "c")]).toBe("duplicate_id");
    expect((h.origin as string[])[row(ids[a]!, "c")]).toBe("rejected");
    // researcher columns on the long layout; the wide layout has one row per id
    expect(Object.keys(h)).toEqual(expect.arrayContaining(["source", "depth_top_cm", "depth_bottom_cm", "lat", "lon", "lab_method"]));
    const w = res.artifact.tables.get("hybrid_wide")!;
    expect(w.sample_id).toHaveLength(n - 1);
    expect((w.c_set_aside as (string | null)[]).filter((x) => x === "c_negative")).toHaveLength(1);
    const meta = res.artifact.json.get("hybrid_meta") as { set_aside: Record<string, Record<string, number>> };
    expect(meta.set_aside.c).toMatchObject({ c_negative: 1, duplicate_id: 1 });
    const cov = res.artifact.tables.get("coverage")!;
    const kb = (cov.breakdown as string[]).map((b, k) => `${(cov.target as string[])[k]}|${b}|${(cov.key as string[])[k]}`);
    expect(kb).toEqual(expect.arrayContaining(["c|set_aside|c_negative", "c|set_aside|duplicate_id"]));
    expect(res.artifact.json.get("hybrid_wide_columns")).toBeDefined();
  });
});
