import { describe, expect, it } from "vitest";
import { hybridCoverage } from "../../../src/core/impute/coverage.js";
import { alignPredictions, buildHybrid } from "../../../src/core/impute/hybrid.js";
import { hybridLong, hybridWide } from "../../../src/core/impute/layout.js";

const N = NaN;
const bytes = (v: number) => [...new Uint8Array(Float64Array.of(v).buffer)];

describe("measured values that must not be used", () => {
  // a: C negative · b: C flagged unit suspect · c: OM < C (both measured) · d: C above 580 ·
  // e: clean · f: OM negative by the QC step's own (stricter) range flag
  const ids = ["a", "b", "c", "d", "e", "f"];
  const c = Float64Array.of(-31.25, 0.8, 40, 600, 12.5, 5);
  const om = Float64Array.of(N, N, 30, N, N, 9);
  const qcFlags = ["c_negative", "c_unit_suspect", "om_below_c", "c_above_max", null, "om_negative"];
  const pred = (t: "c" | "om", v: number[]) =>
    alignPredictions(
      ids,
      {
        sample_id: ids,
        target: ids.map(() => t),
        predicted: Float64Array.from(v),
        pi_low: Float64Array.from(v, (x) => x - 2),
        pi_high: Float64Array.from(v, (x) => x + 2),
      },
      t,
      `m-${t}`,
    );
  // built inside each test: Stryker's vitest runner activates a mutant after the describe bodies ran
  const build = () => {
    const res = buildHybrid({
      sampleId: ids,
      measured: { c, om },
      qcFlags,
      qcReject: ids.map(() => null),
      predictions: { c: pred("c", [3, 9, 41, 700, 13, 5]), om: pred("om", [8, 20, 70, 30, 25, 10]) },
    });
    const t = res.table;
    return {
      res,
      t,
      value: t.value as Float64Array,
      measured: t.measured as Float64Array,
      origin: t.origin as string[],
      aside: t.set_aside as (string | null)[],
    };
  };
  const n = ids.length;

  it("never uses them as the value, keeps them byte-identical in `measured` and says why", () => {
    const { res, t, value, measured, origin, aside } = build();
    expect(aside.slice(0, n)).toEqual(["c_negative", "c_unit_suspect", "om_below_c", "c_above_max", null, null]);
    expect(aside.slice(n)).toEqual([null, null, "om_below_c", null, null, "om_negative"]);
    for (let k = 0; k < 2 * n; k++) {
      expect(bytes(measured[k]!)).toEqual(bytes((k < n ? c : om)[k % n]!));
      if (aside[k]) expect(origin[k]).not.toBe("measured");
      if (origin[k] !== "rejected") expect(value[k]!).toBeGreaterThanOrEqual(0);
    }
    // filled like an unmeasured value: a's C from the model; d's prediction (700) is above the maximum
    expect([origin[0], value[0]]).toEqual(["predicted", 3]);
    expect(origin[3]).toBe("rejected");
    expect(t.reason![3]).toMatch(/physical maximum/);
    // c: both set aside, both predicted (41, 70); e: measured as is
    expect([value[2], value[n + 2]]).toEqual([41, 70]);
    expect(origin[4]).toBe("measured");
    expect(Object.is(value[4], c[4])).toBe(true);
    expect(res.setAside).toEqual({
      c: { c_negative: 1, c_unit_suspect: 1, om_below_c: 1, c_above_max: 1 },
      om: { om_below_c: 1, om_negative: 1 },
    });
    expect(res.counts.c).toEqual({ measured: 2, predicted: 3, rejected: 1 });
  });

  it("counts them by code in the coverage table", () => {
    const { t } = build();
    const groups = { source: ids.map(() => "x"), depthTop: new Float64Array(n), lat: new Float64Array(n), lon: new Float64Array(n) };
    const cov = hybridCoverage(t, groups);
    const rows = (cov.breakdown as string[]).flatMap((b, k) =>
      b === "set_aside"
        ? [[(cov.target as string[])[k], (cov.key as string[])[k], (cov.n as Float64Array)[k], (cov.n_predicted as Float64Array)[k]]]
        : [],
    );
    expect(rows).toEqual([
      ["c", "c_above_max", 1, 0],
      ["c", "c_negative", 1, 1],
      ["c", "c_unit_suspect", 1, 1],
      ["c", "om_below_c", 1, 1],
      ["om", "om_below_c", 1, 1],
      ["om", "om_negative", 1, 1],
    ]);
    const all = (cov.breakdown as string[]).findIndex((b, k) => b === "all" && (cov.target as string[])[k] === "c");
    expect((cov.n_set_aside as Float64Array)[all]).toBe(4);
  });
});

describe("duplicated ids", () => {
  // "d1" twice, C agreeing and OM differing; "d2" twice with C differing (12 vs 14); "u" once
  const ids = ["d1", "u", "d1", "d2", "d2"];
  const c = Float64Array.of(10, 20, 10, 12, 14);
  const om = Float64Array.of(18, N, 25, N, N);
  const build = () =>
    buildHybrid({
      sampleId: ids,
      measured: { c, om },
      qcFlags: ["duplicate_id", null, "duplicate_id", "duplicate_id", "duplicate_id"],
      qcReject: ids.map(() => null),
      predictions: {
        c: alignPredictions(
          ids,
          { sample_id: ["d2", "u", "d1"], target: ["c", "c", "c"], predicted: Float64Array.of(13, 19, 11) },
          "c",
          "m",
        ),
        om: alignPredictions(
          ids,
          { sample_id: ["d2", "u", "d1"], target: ["om", "om", "om"], predicted: Float64Array.of(23, 33, 19) },
          "om",
          "m",
        ),
      },
    });

  it("keeps sample_id × target unique: one row per id, at its first sample", () => {
    const res = build();
    const t = res.table;
    expect(t.sample_id).toEqual(["d1", "u", "d2", "d1", "u", "d2"]);
    expect([...res.rows]).toEqual([0, 1, 3]);
    const keys = (t.sample_id as string[]).map((id, k) => `${id}|${(t.target as string[])[k]}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("uses a value the duplicates agree on and rejects one they disagree on (reason duplicate_id)", () => {
    const res = build();
    const t = res.table;
    expect((t.origin as string[])[0]).toBe("measured"); // d1 C: 10 and 10
    expect((t.value as Float64Array)[0]).toBe(10);
    expect((t.set_aside as (string | null)[])[0]).toBeNull();
    // d1 OM 18 vs 25; d2 C 12 vs 14: rejected, no prediction used
    for (const k of [3, 2]) {
      expect((t.origin as string[])[k]).toBe("rejected");
      expect((t.set_aside as (string | null)[])[k]).toBe("duplicate_id");
      expect((t.reason as string[])[k]).toMatch(/used by 2 samples with different measured/);
      expect(Number.isNaN((t.value as Float64Array)[k]!)).toBe(true);
    }
    expect((t.reason as string[])[3]).toContain("18, 25");
    // d2 OM: both missing → agree → filled by the prediction as usual
    expect((t.origin as string[])[5]).toBe("predicted");
    expect(res.setAside).toEqual({ c: { duplicate_id: 1 }, om: { duplicate_id: 1 } });
  });
});

describe("hybrid layouts", () => {
  const ids = ["s1", "s2"];
  const build = () =>
    buildHybrid({
      sampleId: ids,
      measured: { c: Float64Array.of(10, N), om: Float64Array.of(N, 30) },
      qcFlags: [null, null],
      qcReject: [null, null],
      predictions: {
        c: alignPredictions(
          ids,
          { sample_id: ids, target: ["c", "c"], predicted: Float64Array.of(11, 14), sd: Float64Array.of(1, 2) },
          "c",
          "m",
        ),
      },
    });
  const samples = {
    sample_id: ids,
    source: ["lab-a", "lab-b"],
    depth_top_cm: Float64Array.of(0, 30),
    depth_bottom_cm: Float64Array.of(30, 100),
    lat: Float64Array.of(1, 2),
    lon: Float64Array.of(3, 4),
    c_method: ["dry combustion", null],
    om_method: [null, "LOI"],
    c_gkg_reported: Float64Array.of(10, N),
  };
  const buildLong = () => {
    const res = build();
    return hybridLong(res.table, samples, res.rows);
  };

  it("long: the sample's source, depth, lat/lon and lab method on every row", () => {
    const long = buildLong();
    expect(long.source).toEqual(["lab-a", "lab-b", "lab-a", "lab-b"]);
    expect([...(long.depth_bottom_cm as Float64Array)]).toEqual([30, 100, 30, 100]);
    expect(long.lab_method).toEqual(["dry combustion", null, null, "LOI"]);
    expect([...(long.measured_reported as Float64Array)].map((v) => (Number.isNaN(v) ? null : v))).toEqual([10, null, null, null]);
  });

  it("wide: one row per sample, C and OM side by side with origin, SD and interval", () => {
    const long = buildLong();
    const w = hybridWide(long);
    expect(w.sample_id).toEqual(ids);
    expect(w.c_origin).toEqual(["measured", "predicted"]);
    expect(w.om_origin).toEqual(["rejected", "measured"]);
    expect([...(w.c_value as Float64Array)]).toEqual([10, 14]);
    expect([...(w.c_sd as Float64Array)]).toEqual([1, 2]);
    expect([...(w.om_value as Float64Array)][1]).toBe(30);
    expect(Object.keys(w)).toEqual(expect.arrayContaining(["c_pi_low", "c_pi_high", "om_set_aside", "lat", "depth_top_cm"]));
  });
});
