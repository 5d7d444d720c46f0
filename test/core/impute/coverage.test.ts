/**
 * hybridCoverage / hybridPairs / gridCell against counts worked out by hand for five samples,
 * every breakdown row compared (keys, order, counts, mean interval width, out-of-domain share).
 */
import { describe, expect, it } from "vitest";
import { gridCell, hybridCoverage, hybridPairs } from "../../../src/core/impute/coverage.js";
import type { Table } from "../../../src/core/table.js";

const N = NaN;
const nan = (v: number) => (Number.isNaN(v) ? null : v);

// five samples; rows 0–4 are C, 5–9 OM (as buildHybrid writes them)
//        s0          s1          s2           s3          s4
// C:     predicted   predicted   predicted    measured    measured
// OM:    measured    predicted   rejected     predicted   measured
function hybrid(withAside = true): Table {
  const t: Table = {
    origin: ["predicted", "predicted", "predicted", "measured", "measured", "measured", "predicted", "rejected", "predicted", "measured"],
    pi_low: Float64Array.of(1, N, 0, N, N, N, 5, N, 2, N),
    pi_high: Float64Array.of(3, N, 10, N, N, N, 9, N, 2, N),
    in_domain: [false, true, true, null, null, null, null, null, false, null],
  };
  if (withAside) t.set_aside = [null, "c_negative", null, null, null, null, null, "om_above_max", null, null];
  return t;
}
const groups = {
  source: ["b", null, "a", "b", "a"],
  depthTop: Float64Array.of(0, 50, 150, 10, 250),
  lat: Float64Array.of(12, 12, 95, -3, -3),
  lon: Float64Array.of(7, 2, 0, 190, -3),
};

function rowsOf(cov: Table, target: string) {
  const tg = cov.target as string[];
  return tg.flatMap((t, k) =>
    t === target
      ? [
          [
            (cov.breakdown as string[])[k],
            (cov.key as string[])[k],
            ...["n", "n_measured", "n_predicted", "n_rejected", "n_set_aside", "mean_pi_width", "share_out_of_domain"].map((c) =>
              nan((cov[c] as Float64Array)[k]!),
            ),
          ],
        ]
      : [],
  );
}

describe("gridCell", () => {
  it("south-west corners, the ±90/±180 edges, and outside the globe", () => {
    expect(gridCell(-90, -180)).toBe("-90,-180");
    expect(gridCell(-3, -3, 5)).toBe("-5,-5");
    expect(gridCell(95, 0)).toBe("unknown");
    expect(gridCell(-90.5, 0)).toBe("unknown");
    expect(gridCell(0, 180.1)).toBe("unknown");
    expect(gridCell(0, -181)).toBe("unknown");
    expect(gridCell(0, NaN)).toBe("unknown");
    expect(() => gridCell(0, 0, -1)).toThrow("cellDeg -1 must be positive");
  });
});

describe("hybridCoverage", () => {
  it("every C row of a 5° grid: counts, mean interval width of finite intervals, out-of-domain share", () => {
    const r = 1 / 3;
    expect(rowsOf(hybridCoverage(hybrid(), groups, { cellDeg: 5 }), "c")).toEqual([
      // kind, key, n, measured, predicted, rejected, set aside, mean width, share out of domain
      ["all", "all", 5, 2, 3, 0, 1, 6, r],
      ["source", "a", 2, 1, 1, 0, 0, 10, 0],
      ["source", "b", 2, 1, 1, 0, 0, 2, 1],
      ["source", "unknown", 1, 0, 1, 0, 1, null, 0],
      ["depth", "0-30", 2, 1, 1, 0, 0, 2, 1],
      ["depth", "100-200", 1, 0, 1, 0, 0, 10, 0],
      ["depth", "30-100", 1, 0, 1, 0, 1, null, 0],
      ["depth", "other", 1, 1, 0, 0, 0, null, null],
      ["cell", "-5,-5", 1, 1, 0, 0, 0, null, null],
      ["cell", "10,0", 1, 0, 1, 0, 1, null, 0],
      ["cell", "10,5", 1, 0, 1, 0, 0, 2, 1],
      ["cell", "unknown", 2, 1, 1, 0, 0, 10, 0],
      ["set_aside", "c_negative", 1, 0, 1, 0, 1, null, 0],
    ]);
  });

  it("OM: in_domain unknown does not count in the share; the default grid is 10°", () => {
    const om = rowsOf(hybridCoverage(hybrid(), groups), "om");
    // predicted OM: s1 (width 4, in_domain null), s3 (width 0, out of domain) → share 1/1
    expect(om[0]).toEqual(["all", "all", 5, 2, 2, 1, 1, 2, 1]);
    expect(om.filter((r) => r[0] === "cell").map((r) => r[1])).toEqual(["-10,-10", "10,0", "unknown"]);
    expect(om.at(-1)).toEqual(["set_aside", "om_above_max", 1, 0, 0, 1, 1, null, null]);
  });

  it("without a set_aside column nothing is counted as set aside", () => {
    const cov = hybridCoverage(hybrid(false), groups);
    expect((cov.breakdown as string[]).includes("set_aside")).toBe(false);
    expect([...(cov.n_set_aside as Float64Array)].every((v) => v === 0)).toBe(true);
  });

  it("rejects a hybrid table of another size", () => {
    const three = { ...groups, depthTop: Float64Array.of(0, 1, 2) };
    expect(() => hybridCoverage(hybrid(), three)).toThrow("hybrid has 10 rows, expected 2×3");
    expect(() => hybridPairs(hybrid(), three)).toThrow("hybrid has 10 rows, expected 2×3");
  });
});

describe("hybridPairs", () => {
  it("every row: pairs before (both measured) and after, split by origin", () => {
    const p = hybridPairs(hybrid(), groups, { cellDeg: 5 });
    const cols = ["n_samples", "pairs_before", "pairs_after", "measured_measured", "one_predicted", "both_predicted"];
    const rows = (p.breakdown as string[]).map((b, k) => [b, (p.key as string[])[k], ...cols.map((c) => (p[c] as Float64Array)[k])]);
    expect(rows).toEqual([
      ["all", "all", 5, 1, 4, 1, 2, 1],
      ["source", "a", 2, 1, 1, 1, 0, 0],
      ["source", "b", 2, 0, 2, 0, 2, 0],
      ["source", "unknown", 1, 0, 1, 0, 0, 1],
      ["depth", "0-30", 2, 0, 2, 0, 2, 0],
      ["depth", "100-200", 1, 0, 0, 0, 0, 0],
      ["depth", "30-100", 1, 0, 1, 0, 0, 1],
      ["depth", "other", 1, 1, 1, 1, 0, 0],
      ["cell", "-5,-5", 1, 1, 1, 1, 0, 0],
      ["cell", "10,0", 1, 0, 1, 0, 0, 1],
      ["cell", "10,5", 1, 0, 1, 0, 1, 0],
      ["cell", "unknown", 2, 0, 1, 0, 1, 0],
    ]);
  });

  it("a rejected C with a measured OM is no pair; keys sort within each breakdown at any number of keys", () => {
    // 70 samples, sources in a scrambled order: C rejected for every third, OM always measured
    const n = 70;
    const order = Array.from({ length: n }, (_, i) => (i * 37) % n);
    const g = {
      source: order.map((j) => `lab${String(j).padStart(2, "0")}`),
      depthTop: new Float64Array(n),
      lat: new Float64Array(n),
      lon: new Float64Array(n),
    };
    const origin = [...Array.from({ length: n }, (_, i) => (i % 3 === 0 ? "rejected" : "measured")), ...Array<string>(n).fill("measured")];
    const p = hybridPairs({ origin }, g);
    const src = (p.breakdown as string[]).flatMap((b, k) => (b === "source" ? [(p.key as string[])[k]] : []));
    expect(src).toEqual(Array.from({ length: n }, (_, j) => `lab${String(j).padStart(2, "0")}`));
    const all = (p.breakdown as string[]).indexOf("all");
    expect([(p.pairs_after as Float64Array)[all], (p.pairs_before as Float64Array)[all]]).toEqual([46, 46]);
    const cov = hybridCoverage(
      { origin, pi_low: new Float64Array(2 * n), pi_high: new Float64Array(2 * n), in_domain: Array(2 * n).fill(null) },
      g,
    );
    const covSrc = (cov.breakdown as string[]).flatMap((b, k) =>
      b === "source" && (cov.target as string[])[k] === "om" ? [(cov.key as string[])[k]] : [],
    );
    expect(covSrc).toEqual(src);
  });
});
