import { describe, expect, it } from "vitest";
import { hybridCoverage, hybridPairs, gridCell } from "../../../src/core/impute/coverage.js";
import { alignPredictions, buildHybrid } from "../../../src/core/impute/hybrid.js";
import { hybridDescription } from "../../../src/core/impute/sidecar.js";
import type { ColumnDescription } from "../../../src/contracts/column-description.js";

const N = NaN;
// sample:            s0     s1     s2      s3     s4     s5      s6
const ids = ["s0", "s1", "s2", "s3", "s4", "s5", "s6"];
const c = Float64Array.of(10.123456789, N, N, N, 20, N, N);
const om = Float64Array.of(N, 50, N, 5, 25, N, N);
const predTable = {
  sample_id: ["s6", "s0", "s1", "s2", "s3", "s4", "s5", "s0"],
  target: ["c", "om", "c", "c", "c", "c", "c", "c"],
  split: ["unlabelled", "train", "test", "unlabelled", "test", "train", "unlabelled", "train"],
  predicted: Float64Array.of(700, 12, 40, 8, 9, 22, -0.5, 11),
  sd: Float64Array.of(N, N, N, N, N, N, N, N),
  pi_low: Float64Array.of(600, 10, 35, 6, 7, 20, -1, 9),
  pi_high: Float64Array.of(800, 14, 45, 10, 11, 24, 1, 13),
  in_domain: [true, true, false, true, null, true, true, true],
};
// the om model predicted only s0 (and s9, not a sample)
const omTable = {
  sample_id: ["s9", "s0"],
  target: ["om", "om"],
  predicted: Float64Array.of(1, 12),
  sd: Float64Array.of(N, 2),
  pi_low: Float64Array.of(0, 10),
  pi_high: Float64Array.of(2, 14),
  in_domain: [null, true],
};

// Built inside each test (not in the describe body), so mutation testing sees the build:
// Stryker's vitest runner activates a mutant in a beforeAll hook, after the describe bodies ran.
function fixture() {
  const cPred = alignPredictions(ids, predTable, "c", "m-c");
  const omPred = alignPredictions(ids, omTable, "om", "m-om");
  const res = buildHybrid({
    sampleId: ids,
    measured: { c, om },
    qcFlags: [null, null, "spectral_outlier", null, null, null, null],
    qcReject: [null, null, "spectrum failed QC (spectral_outlier)", null, null, null, null],
    predictions: { c: cPred, om: omPred },
  });
  const t = res.table;
  const origin = t.origin as string[];
  const value = t.value as Float64Array;
  const reason = t.reason as (string | null)[];
  const flags = t.impute_flags as (string | null)[];
  return { res, t, origin, value, reason, flags };
}
const row = (target: "c" | "om", i: number) => (target === "c" ? i : ids.length + i);

describe("buildHybrid", () => {
  it("accounts for every sample and target", () => {
    const { res, origin } = fixture();
    expect(origin).toHaveLength(2 * ids.length);
    for (const tg of ["c", "om"] as const) {
      const cnt = res.counts[tg];
      expect(cnt.measured + cnt.predicted + cnt.rejected).toBe(ids.length);
    }
    expect(res.counts.c).toEqual({ measured: 2, predicted: 3, rejected: 2 });
  });

  it("keeps measured values byte-identical even when a prediction exists", () => {
    const { t, origin, value } = fixture();
    expect(origin[row("c", 0)]).toBe("measured");
    expect(Object.is(value[row("c", 0)], c[0])).toBe(true);
    expect((t.predicted_mean as Float64Array)[row("c", 0)]).toBe(11); // s0's c row: the first c row (11), om row 12 ignored
    const cBytes = new Uint8Array(Float64Array.of(value[row("c", 4)]!).buffer);
    expect([...cBytes]).toEqual([...new Uint8Array(Float64Array.of(20).buffer)]);
  });

  it("rejects with reasons: QC, no prediction, above the physical maximum", () => {
    const { t, origin, value, reason } = fixture();
    expect(origin[row("c", 2)]).toBe("rejected");
    expect(reason[row("c", 2)]).toMatch(/spectral_outlier/);
    expect(reason[row("c", 6)]).toMatch(/physical maximum/);
    expect(Number.isNaN(value[row("c", 6)]!)).toBe(true);
    expect((t.predicted_mean as Float64Array)[row("c", 6)]).toBe(700);
    // om of s5 and s6: the om model predicted only s0 → no prediction
    expect(reason[row("om", 5)]).toBe("no prediction (no usable spectrum)");
    expect(reason.filter((r, k) => origin[k] !== "rejected" && r !== null)).toEqual([]);
  });

  it("clamps small negative predictions at 0 and flags them", () => {
    const { origin, value, flags } = fixture();
    expect(origin[row("c", 5)]).toBe("predicted");
    expect(value[row("c", 5)]).toBe(0);
    expect(flags[row("c", 5)]).toBe("clamped_to_0");
  });

  it("resolves OM < C conflicts", () => {
    const { t, value, flags } = fixture();
    // s3: C predicted 9, OM measured 5 → C lowered to 5, interval capped at 5
    expect(value[row("c", 3)]).toBe(5);
    expect(flags[row("c", 3)]).toBe("c_lowered_to_om");
    expect((t.pi_high as Float64Array)[row("c", 3)]).toBe(5);
    expect(value[row("om", 3)]).toBe(5);
    // s4: both measured, OM 25 ≥ C 20 → untouched
    expect(value[row("om", 4)]).toBe(25);
    expect(flags[row("om", 4)]).toBeNull();
    // s0: C measured 10.12, OM predicted 12 → fine, no flag
    expect(value[row("om", 0)]).toBe(12);
    expect(flags[row("om", 0)]).toBeNull();
  });

  it("raises a predicted OM below C", () => {
    const r = buildHybrid({
      sampleId: ["a"],
      measured: { c: Float64Array.of(N), om: Float64Array.of(N) },
      qcFlags: [null],
      qcReject: [null],
      predictions: {
        c: alignPredictions(
          ["a"],
          { sample_id: ["a"], target: ["c"], predicted: Float64Array.of(30), pi_low: Float64Array.of(20), pi_high: Float64Array.of(40) },
          "c",
          "m",
        ),
        om: alignPredictions(
          ["a"],
          { sample_id: ["a"], target: ["om"], predicted: Float64Array.of(25), pi_low: Float64Array.of(15), pi_high: Float64Array.of(35) },
          "om",
          "m",
        ),
      },
    });
    expect((r.table.value as Float64Array)[1]).toBe(30);
    expect((r.table.pi_low as Float64Array)[1]).toBe(30);
    expect((r.table.pi_high as Float64Array)[1]).toBe(35);
    expect((r.table.impute_flags as string[])[1]).toBe("om_raised_to_c");
  });

  it("rejects a target without a model", () => {
    const r = buildHybrid({
      sampleId: ["a"],
      measured: { c: Float64Array.of(N), om: Float64Array.of(3) },
      qcFlags: [null],
      qcReject: [null],
      predictions: {},
    });
    expect((r.table.reason as string[])[0]).toBe("no model configured for target c");
    expect((r.table.origin as string[])[1]).toBe("measured");
  });

  it("coverage and pairs add up", () => {
    const { t } = fixture();
    const groups = {
      source: ["a", "a", "b", "b", "a", "b", "a"],
      depthTop: Float64Array.of(0, 30, 100, 0, 250, N, 10),
      lat: Float64Array.of(-35, -35, 5, 5, 89.9, N, 0),
      lon: Float64Array.of(-115, -115, 10, 10, 179, 0, -0.1),
    };
    const cov = hybridCoverage(t, groups);
    const target = cov.target as string[];
    const kind = cov.breakdown as string[];
    const key = cov.key as string[];
    const nMeas = cov.n_measured as Float64Array;
    const nPred = cov.n_predicted as Float64Array;
    const nRej = cov.n_rejected as Float64Array;
    const nn = cov.n as Float64Array;
    for (let k = 0; k < target.length; k++) expect(nMeas[k]! + nPred[k]! + nRej[k]!).toBe(nn[k]);
    for (const tg of ["c", "om"]) {
      for (const b of ["all", "source", "depth", "cell"]) {
        const tot = nn.filter((_, k) => target[k] === tg && kind[k] === b).reduce((s, v) => s + v, 0);
        expect(tot).toBe(ids.length);
      }
    }
    const cAll = target.findIndex((tg, k) => tg === "c" && kind[k] === "all");
    expect([nMeas[cAll], nPred[cAll], nRej[cAll]]).toEqual([2, 3, 2]);
    // predicted c rows: s1 (width 10, out of domain), s3 (lowered to OM 5: [min(7,5), min(11,5)] → 0), s5 (clamped [0,1])
    expect((cov.mean_pi_width as Float64Array)[cAll]).toBeCloseTo((10 + 0 + 1) / 3, 12);
    expect((cov.share_out_of_domain as Float64Array)[cAll]).toBeCloseTo(1 / 2, 12); // s3 in_domain null
    expect(key.filter((_, k) => target[k] === "c" && kind[k] === "depth")).toEqual(["0-30", "100-200", "30-100", "other"]);
    expect(key).toContain("-40,-120");

    const pairs = hybridPairs(t, groups);
    const pAll = (pairs.breakdown as string[]).indexOf("all");
    // before: s4 only (both measured); after: s0 (m+p), s1 (p+m), s3 (p+m), s4 (m+m)
    expect((pairs.pairs_before as Float64Array)[pAll]).toBe(1);
    expect((pairs.pairs_after as Float64Array)[pAll]).toBe(4);
    expect((pairs.one_predicted as Float64Array)[pAll]).toBe(3);
    expect((pairs.n_samples as Float64Array)[pAll]).toBe(7);
  });

  it("grid cells", () => {
    expect(gridCell(-35, -115)).toBe("-40,-120");
    expect(gridCell(90, 180)).toBe("80,170");
    expect(gridCell(NaN, 3)).toBe("unknown");
    expect(gridCell(12, 3, 5)).toBe("10,0");
    expect(() => gridCell(0, 0, 0)).toThrow(RangeError);
  });
});

describe("hybridDescription", () => {
  it("describes every hybrid column with its unit, and the models", () => {
    const d = hybridDescription({ models: { c: "cnn-c", om: "plsr-om" }, piLevel: 0.9, counts: null }) as {
      columns: Record<string, ColumnDescription>;
      about?: unknown;
    };
    expect(Object.keys(d.columns)).toEqual([
      "sample_id",
      "source",
      "depth_top_cm",
      "depth_bottom_cm",
      "lat",
      "lon",
      "target",
      "value",
      "origin",
      "measured",
      "measured_reported",
      "lab_method",
      "set_aside",
      "reason",
      "predicted_mean",
      "predicted_sd",
      "pi_low",
      "pi_high",
      "in_domain",
      "qc_flags",
      "model",
      "impute_flags",
    ]);
    // CSV precision: model outputs at 4 significant digits, a measured value exactly
    expect(d.columns.pi_low!.csv_digits).toBe(4);
    expect(d.columns.measured!.csv_digits).toBeUndefined();
    expect(d.columns.value!.csv_exact_where).toEqual(["origin", "measured"]);
    const w = hybridDescription({ models: {}, piLevel: 0.9, counts: null }, "wide") as { columns: Record<string, ColumnDescription> };
    expect(w.columns.c_value!.csv_exact_where).toEqual(["c_origin", "measured"]);
    expect(Object.keys(w.columns)).toContain("om_sd");
    expect(d.columns.value!.unit).toBe("g/kg");
    expect(d.about).toMatchObject({ format: "somflow-hybrid", models: { c: "cnn-c", om: "plsr-om" }, pi_level: 0.9 });
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
  });
});
