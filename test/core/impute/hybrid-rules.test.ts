/**
 * buildHybrid / alignPredictions rule by rule, at the boundaries (a measured value exactly 0 or
 * exactly at the physical maximum, a prediction exactly at the maximum or exactly 0, OM = C),
 * each rule once through its own branch: a QC flag without the value, the value without the
 * flag. Written from the rules in src/core/impute/hybrid.ts's module comment (mutation testing,
 * issue 19). Every fixture is built inside its test (see hybrid.test.ts).
 */
import { describe, expect, it } from "vitest";
import { alignPredictions, buildHybrid, type AlignedPredictions, type HybridOptions } from "../../../src/core/impute/hybrid.js";

const N = NaN;
const nan = (v: number) => (Number.isNaN(v) ? null : v);

/** One-target predictions given directly per sample (NaN mean = no prediction row). */
function preds(model: string, mean: number[], lo?: number[], hi?: number[], dom?: (boolean | null)[]): AlignedPredictions {
  const n = mean.length;
  return {
    model,
    has: Uint8Array.from(mean, (v) => (Number.isNaN(v) ? 0 : 1)),
    predicted: Float64Array.from(mean),
    sd: new Float64Array(n).fill(N),
    piLow: Float64Array.from(lo ?? mean.map(() => N)),
    piHigh: Float64Array.from(hi ?? mean.map(() => N)),
    inDomain: dom ?? mean.map(() => null),
  };
}

/** buildHybrid over samples given as rows; returns per-target columns for easy reading. */
function build(
  rows: { c: number; om: number; flags?: string | null; id?: string | null; reject?: string | null }[],
  p: { c?: AlignedPredictions; om?: AlignedPredictions },
  options?: HybridOptions,
) {
  const res = buildHybrid(
    {
      sampleId: rows.map((r, i) => (r.id === undefined ? `s${i}` : r.id)),
      measured: { c: Float64Array.from(rows, (r) => r.c), om: Float64Array.from(rows, (r) => r.om) },
      qcFlags: rows.map((r) => r.flags ?? null),
      qcReject: rows.map((r) => r.reject ?? null),
      predictions: p,
    },
    options,
  );
  const t = res.table;
  const k = res.rows.length;
  const part = <T>(col: ArrayLike<T>, tg: "c" | "om") => Array.from({ length: k }, (_, r) => col[(tg === "c" ? 0 : k) + r]!);
  const view = (tg: "c" | "om") => ({
    value: part(t.value as Float64Array, tg).map(nan),
    origin: part(t.origin as string[], tg),
    aside: part(t.set_aside as (string | null)[], tg),
    reason: part(t.reason as (string | null)[], tg),
    flags: part(t.impute_flags as (string | null)[], tg),
    lo: part(t.pi_low as Float64Array, tg).map(nan),
    hi: part(t.pi_high as Float64Array, tg).map(nan),
    model: part(t.model as (string | null)[], tg),
    qc: part(t.qc_flags as (string | null)[], tg),
    inDomain: part(t.in_domain as (boolean | null)[], tg),
  });
  return { res, c: view("c"), om: view("om") };
}

describe("alignPredictions", () => {
  it("takes the first row of the target per id, ignores other targets and null ids", () => {
    const table = {
      sample_id: ["a", "a", "a", null, "b", "b"],
      target: ["om", "c", "c", "c", "om", "c"],
      predicted: Float64Array.of(1, 2, 3, 4, 5, 6),
      sd: Float64Array.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6),
      pi_low: Float64Array.of(0, 1, 2, 3, 4, 5),
      pi_high: Float64Array.of(2, 3, 4, 5, 6, 7),
      in_domain: [false, true, false, true, true, false],
    };
    const a = alignPredictions(["b", null, "a", "x"], table, "c", "m-c");
    expect(a.model).toBe("m-c");
    expect([...a.has]).toEqual([1, 0, 1, 0]);
    expect([...a.predicted].map(nan)).toEqual([6, null, 2, null]);
    expect([...a.sd].map(nan)).toEqual([0.6, null, 0.2, null]);
    expect([...a.piLow].map(nan)).toEqual([5, null, 1, null]);
    expect([...a.piHigh].map(nan)).toEqual([7, null, 3, null]);
    expect(a.inDomain).toEqual([false, null, true, null]);
    const o = alignPredictions(["a", "b"], table, "om", "m-om");
    expect([...o.predicted]).toEqual([1, 5]);
    expect(o.inDomain).toEqual([false, true]);
  });

  it("a table without sd / interval / in_domain columns gives NaN and null", () => {
    const a = alignPredictions(["a", "b", "c"], { sample_id: ["a", "b"], target: ["c", "c"], predicted: Float64Array.of(7, 8) }, "c", "m");
    expect([...a.predicted].map(nan)).toEqual([7, 8, null]);
    expect([...a.sd].map(nan)).toEqual([null, null, null]);
    expect([...a.piLow].map(nan)).toEqual([null, null, null]);
    expect(a.inDomain).toEqual([null, null, null]);
  });
});

describe("buildHybrid: input checks", () => {
  const ok = { sampleId: ["a", "b"], qcFlags: [null, null], qcReject: [null, null], predictions: {} };
  const two = new Float64Array(2);
  it("rejects columns of the wrong length, naming them", () => {
    expect(() => buildHybrid({ ...ok, measured: { c: new Float64Array(3), om: two } })).toThrow("measured c has 3 rows, expected 2");
    expect(() => buildHybrid({ ...ok, measured: { c: two, om: new Float64Array(1) } })).toThrow("measured om has 1 rows, expected 2");
    expect(() => buildHybrid({ ...ok, measured: { c: two, om: two }, predictions: { om: preds("m", [1, 2, 3]) } })).toThrow(
      "predictions om have 3 rows, expected 2",
    );
    expect(() => buildHybrid({ ...ok, measured: { c: two, om: two }, qcFlags: [null] })).toThrow(
      "qcFlags/qcReject length differs from sampleId",
    );
    expect(() => buildHybrid({ ...ok, measured: { c: two, om: two }, qcReject: [null, null, null] })).toThrow(RangeError);
    expect(buildHybrid({ ...ok, measured: { c: two, om: two } }).counts.c).toEqual({ measured: 2, predicted: 0, rejected: 0 });
  });
});

describe("buildHybrid: measured values set aside (rule 1)", () => {
  it("by value alone and by QC flag alone; 0 and the maximum itself are kept", () => {
    const { c, om, res } = build(
      [
        { c: -0.5, om: 10 }, // negative, no flag
        { c: 5, om: 10, flags: "c_negative" }, // flag only
        { c: 580.5, om: 1000 }, // above max, no flag; OM exactly at its max kept
        { c: 5, om: 10, flags: "c_above_max" }, // flag only
        { c: 0, om: 0 }, // zero kept (and OM = C is not OM < C)
        { c: 580, om: 1001 }, // C at its max kept; OM above its max
        { c: 5, om: 10, flags: "spectral_outlier;om_unit_suspect" }, // flag among others
      ],
      {},
    );
    expect(c.aside).toEqual(["c_negative", "c_negative", "c_above_max", "c_above_max", null, null, null]);
    expect(om.aside).toEqual([null, null, null, null, null, "om_above_max", "om_unit_suspect"]);
    expect(c.value).toEqual([null, null, null, null, 0, 580, 5]);
    expect(om.value).toEqual([10, 10, 1000, 10, 0, null, null]);
    expect(c.origin).toEqual(["rejected", "rejected", "rejected", "rejected", "measured", "measured", "measured"]);
    expect(c.reason[0]).toBe("no model configured for target c");
    expect(res.setAside).toEqual({ c: { c_negative: 2, c_above_max: 2 }, om: { om_above_max: 1, om_unit_suspect: 1 } });
    expect(res.counts).toEqual({ c: { measured: 3, predicted: 0, rejected: 4 }, om: { measured: 5, predicted: 0, rejected: 2 } });
  });

  it("a custom maximum replaces the default", () => {
    const { c, om } = build(
      [
        { c: 101, om: 300 },
        { c: 100, om: 300 },
      ],
      {},
      { max: { c: 100 } },
    );
    expect(c.aside).toEqual(["c_above_max", null]);
    expect(om.aside).toEqual([null, null]);
  });

  it("a QC flag on a value that was not measured sets nothing aside", () => {
    const { c, om, res } = build([{ c: N, om: N, flags: "c_negative;c_above_max;c_unit_suspect;om_below_c" }], {
      c: preds("m", [4]),
      om: preds("m", [9]),
    });
    expect(c.aside).toEqual([null]);
    expect(om.aside).toEqual([null]);
    expect([c.origin[0], c.value[0], om.value[0]]).toEqual(["predicted", 4, 9]);
    expect(res.setAside).toEqual({ c: {}, om: {} });
  });

  it("OM < C: by value or by flag, only when both are measured and neither is set aside already", () => {
    const { c, om } = build(
      [
        { c: 30, om: 20 }, // OM < C by value
        { c: 20, om: 30, flags: "om_below_c" }, // flag only
        { c: 20, om: 20 }, // OM = C: fine
        { c: 30, om: 20, flags: "c_unit_suspect" }, // C already set aside: OM kept
        { c: 30, om: N, flags: "om_below_c" }, // OM missing: the flag alone sets nothing aside
        { c: N, om: 20, flags: "om_below_c" },
        { c: 30, om: 20, flags: "om_unit_suspect" }, // OM already set aside: C kept
      ],
      {},
    );
    expect(c.aside).toEqual(["om_below_c", "om_below_c", null, "c_unit_suspect", null, null, null]);
    expect(om.aside).toEqual(["om_below_c", "om_below_c", null, null, null, null, "om_unit_suspect"]);
    expect(om.value).toEqual([null, null, 20, 20, null, 20, null]);
    expect(c.value).toEqual([null, null, 20, null, 30, null, 30]);
  });
});

describe("buildHybrid: duplicated ids", () => {
  it("a value measured on one duplicate and missing on the other is a disagreement; null ids never merge", () => {
    const { c, om, res } = build(
      [
        { id: "d", c: N, om: 10 },
        { id: null, c: 1, om: 2 },
        { id: "d", c: 5, om: 10 },
        { id: null, c: 3, om: 4 },
      ],
      { c: preds("m", [7, 8, 9, 10]) },
    );
    expect([...res.rows]).toEqual([0, 1, 3]);
    expect(res.table.sample_id).toEqual(["d", null, null, "d", null, null]);
    expect(c.aside).toEqual(["duplicate_id", null, null]);
    expect(c.reason[0]).toBe("id d used by 2 samples with different measured c (missing, 5)");
    expect(c.value).toEqual([null, 1, 3]);
    expect(om.aside).toEqual([null, null, null]);
    expect(om.value).toEqual([10, 2, 4]);
  });
});

describe("buildHybrid: filling (rules 3–8)", () => {
  it("NaN prediction, out of domain rejected only when asked, maximum and 0 themselves kept", () => {
    const rows = [0, 1, 2, 3, 4, 5].map(() => ({ c: N, om: N }));
    const cp = preds("m-c", [N, 5, 6, 580, 0, 3], [N, 4, 5, 570, -1, 2], [N, 6, 7, 590, 1, 4], [null, false, true, true, null, null]);
    cp.has[0] = 1; // a prediction row whose value is NaN
    const plain = build(rows, { c: cp });
    expect(plain.c.reason).toEqual(["prediction is NaN", null, null, null, null, null]);
    expect(plain.c.value).toEqual([null, 5, 6, 580, 0, 3]);
    expect(plain.c.flags).toEqual([null, null, null, null, null, null]); // 0 is not clamped
    expect(plain.c.lo).toEqual([null, 4, 5, 570, -1, 2]);
    expect(plain.c.model).toEqual(["m-c", "m-c", "m-c", "m-c", "m-c", "m-c"]);
    expect(plain.c.inDomain).toEqual([null, false, true, true, null, null]);
    expect(plain.om.reason).toEqual(Array(6).fill("no model configured for target om"));
    expect(plain.om.model).toEqual(Array(6).fill(null));
    const strict = build(rows, { c: cp }, { rejectOutOfDomain: true });
    expect(strict.c.origin).toEqual(["rejected", "rejected", "predicted", "predicted", "predicted", "predicted"]);
    expect(strict.c.reason[1]).toBe("out of the applicability domain");
    expect(strict.res.counts.c).toEqual({ measured: 0, predicted: 4, rejected: 2 });
  });

  it("a QC rejection wins over a usable prediction, and qc_flags are the sample's", () => {
    const { c } = build(
      [
        { c: N, om: N, flags: "spectral_outlier", reject: "spectrum failed QC (spectral_outlier)" },
        { c: N, om: N },
      ],
      { c: preds("m", [3, 4]) },
    );
    expect(c.reason).toEqual(["spectrum failed QC (spectral_outlier)", null]);
    expect(c.value).toEqual([null, 4]);
    expect(c.qc).toEqual(["spectral_outlier", null]);
  });

  it("OM ≥ C: equal values untouched; a clamped OM then raised carries both flags", () => {
    const { c, om } = build(
      [
        { c: 20, om: N }, // OM predicted = C: untouched
        { c: N, om: N }, // OM predicted −1 → 0, then raised to C 2
        { c: N, om: 30 }, // C predicted 35 > OM measured → lowered; interval capped
      ],
      { c: preds("m-c", [N, 2, 35], [N, 1, 33], [N, 3, 37]), om: preds("m-om", [20, -1, N], [15, -3, N], [25, 0.5, N]) },
    );
    expect(om.value).toEqual([20, 2, 30]);
    expect(om.flags).toEqual([null, "clamped_to_0;om_raised_to_c", null]);
    expect(om.lo).toEqual([15, 2, null]);
    expect(om.hi).toEqual([25, 2, null]);
    expect(c.value).toEqual([20, 2, 30]);
    expect(c.flags).toEqual([null, null, "c_lowered_to_om"]);
    expect(c.lo).toEqual([null, 1, 30]);
    expect(c.hi).toEqual([null, 3, 30]);
  });
});
