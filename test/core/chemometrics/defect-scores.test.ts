import { describe, expect, it } from "vitest";
import { defectScores } from "../../../src/core/chemometrics/defect-scores.js";

// An asymmetric case: precision and recall differ, so swapping them (or swapping FP and FN)
// changes the answer. The expected counts are computed here from the same rows by a plain
// set-based reference, not copied from the implementation's output.
describe("defectScores (asymmetric counts)", () => {
  // ids a..j: flagged = a,b,c,d,e; defective = a,b (drift), c (spike), f,g,h (offset).
  // "z" is flagged twice (duplicate id, no defect); "k" has truth rows but no QC row.
  const flags = {
    sampleId: ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "z", "z", null],
    flagged: [true, true, true, true, true, false, false, false, false, false, true, true, true],
  };
  const truth = {
    sampleId: ["a", "a", "b", "c", "f", "g", "h", "k", "i", "j", null],
    defect: ["drift", "spike", "drift", "spike", "offset", "offset", "offset", "drift", null, "", "spike"],
  };

  function reference() {
    const known = new Set(flags.sampleId.filter((x): x is string => x != null));
    const flagged = new Set(flags.sampleId.filter((x, i) => x != null && flags.flagged[i]) as string[]);
    const defective = new Map<string, string>();
    truth.sampleId.forEach((id, i) => {
      const d = truth.defect[i];
      if (id != null && d && !defective.has(id)) defective.set(id, d);
    });
    const scored = [...defective.keys()].filter((id) => known.has(id));
    const tp = scored.filter((id) => flagged.has(id)).length;
    const fn = scored.length - tp;
    const fp = [...flagged].filter((id) => !defective.has(id)).length;
    return { tp, fp, fn };
  }

  it("counts TP/FP/FN and derives precision = TP/(TP+FP), recall = TP/(TP+FN)", () => {
    const { tp, fp, fn } = reference();
    // Hand check of the reference itself: TP a,b,c; FP d,e,z; FN f,g,h.
    expect({ tp, fp, fn }).toEqual({ tp: 3, fp: 3, fn: 3 });
    const s = defectScores(flags, truth);
    expect(s.truePositives).toBe(tp);
    expect(s.falsePositives).toBe(fp);
    expect(s.falseNegatives).toBe(fn);
    expect(s.precision).toBeCloseTo(tp / (tp + fp), 12);
    expect(s.recall).toBeCloseTo(tp / (tp + fn), 12);
  });

  it("tells precision from recall when they differ (4 flagged, 1 defective found of 3)", () => {
    // flagged: p,q,r,s; defective: p (found), x,y (missed). TP 1, FP 3, FN 2.
    const s = defectScores(
      { sampleId: ["p", "q", "r", "s", "x", "y"], flagged: [true, true, true, true, false, false] },
      { sampleId: ["p", "x", "y"], defect: ["spike", "drift", "drift"] },
    );
    const tp = 1,
      fp = 3,
      fn = 2;
    expect([s.truePositives, s.falsePositives, s.falseNegatives]).toEqual([tp, fp, fn]);
    expect(s.precision).toBeCloseTo(tp / (tp + fp), 12); // 0.25
    expect(s.recall).toBeCloseTo(tp / (tp + fn), 12); // 1/3
    expect(s.precision).not.toBeCloseTo(s.recall, 3);
    expect(s.byDefect).toEqual({
      spike: { total: 1, found: 1, recall: 1 },
      drift: { total: 2, found: 0, recall: 0 },
    });
  });

  it("per-defect recall uses the first defect listed for an id, and skips unknown ids", () => {
    const s = defectScores(flags, truth);
    // a → drift (first row), b → drift, c → spike, f,g,h → offset; k has no QC row.
    expect(s.byDefect).toEqual({
      drift: { total: 2, found: 2, recall: 1 },
      spike: { total: 1, found: 1, recall: 1 },
      offset: { total: 3, found: 0, recall: 0 },
    });
  });

  it("is 1/1 when nothing is flagged and nothing is defective; 0 recall when all defects missed", () => {
    const none = defectScores({ sampleId: ["a"], flagged: [false] }, { sampleId: ["a"], defect: [null] });
    expect([none.precision, none.recall, none.truePositives, none.falsePositives, none.falseNegatives]).toEqual([1, 1, 0, 0, 0]);
    const missed = defectScores({ sampleId: ["a", "b"], flagged: [false, true] }, { sampleId: ["a"], defect: ["spike"] });
    expect([missed.precision, missed.recall]).toEqual([0, 0]);
    const onlyFp = defectScores({ sampleId: ["a", "b"], flagged: [false, true] }, { sampleId: ["c"], defect: ["spike"] });
    expect([onlyFp.precision, onlyFp.recall]).toEqual([0, 1]);
  });

  it("refuses arrays of different lengths", () => {
    expect(() => defectScores({ sampleId: ["a"], flagged: [] }, { sampleId: [], defect: [] })).toThrow(
      /flags\.sampleId and flags\.flagged/,
    );
    expect(() => defectScores({ sampleId: [], flagged: [] }, { sampleId: ["a"], defect: [] })).toThrow(/truth\.sampleId and truth\.defect/);
  });
});
