import { describe, expect, it } from "vitest";
import {
  findSpectralColumns,
  interpolateMissing,
  reflectanceChecks,
  SPECTRAL_AXIS_RANGE,
  unitProblem,
  UNIT_LIMITS,
} from "../../src/formats/spectral-columns.js";
import { formatErrorOf } from "./errors.js";

const UNIT_CHOICES = "the unit the values are in (absorbance, reflectance as 0-1, or reflectance_percent) after checking the file";

describe("findSpectralColumns", () => {
  it("finds <prefix><cm-1><suffix> columns in header order, with their wavenumbers", () => {
    const h = ["id", "m.4000_abs", "m.3998.5_abs", "m.4000_ref", "x", "m._abs", "m.3997_abs", "m.3.999e3_abs"];
    // m._abs (nothing between prefix and suffix) is not a spectral column; 3.999e3 = 3999 breaks the order
    expect(formatErrorOf(() => findSpectralColumns("f.csv", h, "m.", "_abs")).message).toBe(
      'f.csv (line 1, column 8 "m.3.999e3_abs"): spectral columns are not strictly decreasing: 3997 then 3999 cm-1; remove the duplicated or misplaced column',
    );
    const ok = findSpectralColumns("f.csv", h.slice(0, 7), "m.", "_abs");
    expect(ok.indices).toEqual([1, 2, 6]);
    expect(Array.from(ok.wavenumbers)).toEqual([4000, 3998.5, 3997]);
    const plain = findSpectralColumns("f.csv", ["wn_ 600", "wn_+602", "wn_6.04e2", "wn_605."], "wn_");
    expect(Array.from(plain.wavenumbers)).toEqual([600, 602, 604, 605]);
    expect(Array.from(findSpectralColumns("f.csv", ["wn_.1e4", "wn_9000"], "wn_").wavenumbers)).toEqual([1000, 9000]);
    const exps = findSpectralColumns("f.csv", ["wn_.15e4", "wn_1.6e+3", "wn_17e+02", "wn_18E2", "wn_190000e-2"], "wn_");
    expect(Array.from(exps.wavenumbers)).toEqual([1500, 1600, 1700, 1800, 1900]);
  });

  it("a column with the prefix and suffix but no wavenumber is an error naming it", () => {
    for (const bad of ["wn_0x100", "wn_Infinity", "wn_1e400", "wn_4,000", "wn_4000a", "wn_--4"]) {
      const e = formatErrorOf(() => findSpectralColumns("f.csv", ["id", "wn_4000", bad], "wn_"));
      expect(e.message).toBe(
        `f.csv (line 1, column 3 "${bad}"): spectral header "${bad}" does not end in a wavenumber (expected wn_<cm-1>)`,
      );
    }
    expect(formatErrorOf(() => findSpectralColumns("f.csv", ["s.x_abs", "s.1_abs"], "s.", "_abs")).message).toMatch(
      /spectral header "s\.x_abs" does not end in a wavenumber \(expected s\.<cm-1>_abs\)/,
    );
  });

  it("fewer than two columns: the count, the pattern and the first five columns", () => {
    const h = ["a", "b", "wn_4000", "d", "e", "f", "g"];
    expect(formatErrorOf(() => findSpectralColumns("f.csv", h, "wn_")).message).toBe(
      'f.csv (line 1): found 1 spectral column(s) named "wn_<cm-1>"; set the spectral prefix/suffix option to match the header (first columns: a, b, wn_4000, d, e)',
    );
    expect(formatErrorOf(() => findSpectralColumns("f.csv", ["id"], "X", "_r")).message).toMatch(
      /found 0 spectral column\(s\) named "X<cm-1>_r"/,
    );
  });

  it("wavenumbers outside 100-15000 cm-1 (an index or a wavelength) are refused; the ends are allowed", () => {
    expect(SPECTRAL_AXIS_RANGE).toEqual([100, 15000]);
    expect(Array.from(findSpectralColumns("f.csv", ["wn_100", "wn_15000"], "wn_").wavenumbers)).toEqual([100, 15000]);
    const low = formatErrorOf(() => findSpectralColumns("f.csv", ["id", "wn_400", "wn_99.5", "wn_2"], "wn_"));
    expect(low.message).toBe(
      'f.csv (line 1, column 3 "wn_99.5"): spectral column "wn_99.5" names 99.5 cm-1, outside the MIR/NIR range 100-15000 cm-1: spectral columns must be named by wavenumber in cm-1 (not an index or a wavelength); rename them or convert the axis',
    );
    expect(formatErrorOf(() => findSpectralColumns("f.csv", ["wn_15000.5", "wn_400"], "wn_")).column).toBe('1 "wn_15000.5"');
  });

  it("the columns must run strictly one way: names the pair and the second column", () => {
    const eq = formatErrorOf(() => findSpectralColumns("f.csv", ["id", "wn_600", "wn_600", "wn_602"], "wn_"));
    expect(eq.message).toBe(
      'f.csv (line 1, column 3 "wn_600"): spectral columns are not strictly increasing: 600 then 600 cm-1; remove the duplicated or misplaced column',
    );
    const down = formatErrorOf(() => findSpectralColumns("f.csv", ["wn_4000", "wn_3000", "wn_2000", "wn_2500", "wn_100"], "wn_"));
    expect(down.message).toMatch(
      /^f\.csv \(line 1, column 4 "wn_2500"\): spectral columns are not strictly decreasing: 2000 then 2500 cm-1;/,
    );
    const up = formatErrorOf(() => findSpectralColumns("f.csv", ["wn_600", "wn_700", "wn_700"], "wn_"));
    expect(up.message).toMatch(/not strictly increasing: 700 then 700 cm-1/);
    expect(up.column).toBe('3 "wn_700"');
  });
});

describe("interpolateMissing", () => {
  const nan = NaN;
  it("fills gaps linearly inside a row, copies the nearest value at the edges", () => {
    const v = Float32Array.from([0, nan, nan, nan, 8, /**/ nan, nan, 5, 6, nan, /**/ 1, 2, 3, 4, 5]);
    const r = interpolateMissing(v, 5);
    expect(Array.from(v)).toEqual([0, 2, 4, 6, 8, 5, 5, 5, 6, 6, 1, 2, 3, 4, 5]);
    expect(r).toEqual({ filled: 6, emptyRows: [] });
  });

  it("uneven gaps: each point at its own distance", () => {
    const v = Float32Array.from([10, nan, 40, nan, nan, 10]);
    const r = interpolateMissing(v, 6);
    expect(Array.from(v)).toEqual([10, 25, 40, 30, 20, 10]);
    expect(r.filled).toBe(3);
  });

  it("a row with no value is left NaN and listed", () => {
    const v = Float32Array.from([nan, nan, 1, nan, nan, nan, nan, 3]);
    const r = interpolateMissing(v, 2);
    expect(r).toEqual({ filled: 2, emptyRows: [0, 2] });
    expect(Array.from(v).map((x) => (Number.isNaN(x) ? "NaN" : x))).toEqual(["NaN", "NaN", 1, 1, "NaN", "NaN", 3, 3]);
  });

  it("a row with only its first value: copied to the end", () => {
    const v = Float32Array.from([3, nan, nan, /**/ nan, 4, nan]);
    expect(interpolateMissing(v, 3)).toEqual({ filled: 4, emptyRows: [] });
    expect(Array.from(v)).toEqual([3, 3, 3, 4, 4, 4]);
  });

  it("no columns: nothing to do", () => {
    expect(interpolateMissing(new Float32Array(0), 0)).toEqual({ filled: 0, emptyRows: [] });
  });
});

describe("reflectanceChecks", () => {
  it("counts spectra and values above full reflectance and values at or below 0", () => {
    const v = Float32Array.from([0.5, 1, 1.01, /**/ 0, -0.2, 0.3, /**/ 1.2, 1.5, 0.1]);
    expect(reflectanceChecks(v, 3, "reflectance")).toEqual({ spectraAboveFull: 2, valuesAboveFull: 3, valuesNonPositive: 2 });
    const pct = Float32Array.from([50, 100, 100.5, /**/ 0, 20, 30]);
    expect(reflectanceChecks(pct, 3, "reflectance_percent")).toEqual({ spectraAboveFull: 1, valuesAboveFull: 1, valuesNonPositive: 1 });
    expect(reflectanceChecks(pct, 3, "absorbance")).toEqual({ spectraAboveFull: 0, valuesAboveFull: 0, valuesNonPositive: 0 });
  });
});

describe("unitProblem", () => {
  const f = (xs: number[]) => Float32Array.from(xs);
  it("absorbance: median above 5 or over 1 % of values above 10; the suggestion depends on the max", () => {
    expect(unitProblem(f([6, 1, 5]), "absorbance")).toBeNull();
    expect(unitProblem(f([7, 1, 6]), "absorbance")).toEqual({
      problem: "median 6, max 7 is not absorbance (median must stay <= 5, values <= 10); they look like reflectance in %",
      suggest: "reflectance_percent",
    });
    expect(unitProblem(f([200, 5.01, 1]), "absorbance")).toEqual({
      problem: "median 5.01, max 200 is not absorbance (median must stay <= 5, values <= 10); they look like reflectance in %",
      suggest: UNIT_CHOICES,
    });
    expect(unitProblem(f([150, 6, 1]), "absorbance")?.suggest).toBe("reflectance_percent");
    // 100 values: one above 10 is 1 % (allowed), two are not; 10 itself is not above
    const hundred = (above: number, x = 11) => f(Array.from({ length: 100 }, (_, i) => (i < above ? x : 0.5)));
    expect(unitProblem(hundred(1), "absorbance")).toBeNull();
    expect(unitProblem(hundred(2, 10), "absorbance")).toBeNull();
    expect(unitProblem(hundred(2), "absorbance")?.problem).toBe(
      "median 0.5, max 11 is not absorbance (median must stay <= 5, values <= 10); they look like reflectance in %",
    );
  });

  it("reflectance: median above 1.5 is a percentage", () => {
    expect(unitProblem(f([2, 1.5, 0.1]), "reflectance")).toBeNull();
    expect(unitProblem(f([1.2345678, 3, 40]), "reflectance")).toEqual({
      problem: "median 3 is not reflectance as a fraction (0-1; median must stay <= 1.5); the values look like reflectance in %",
      suggest: "reflectance_percent",
    });
    expect(unitProblem(f([1.56789, 1.6, 0.1]), "reflectance")?.problem).toMatch(/^median 1\.568 is not/);
  });

  it("reflectance in %: all values at most 1.5 are a fraction; a median above 150 is not a percentage", () => {
    expect(unitProblem(f([1.5, 0.2, 1.0]), "reflectance_percent")).toEqual({
      problem: "every value is <= 1.5: that is reflectance as a fraction (0-1), not in %",
      suggest: "reflectance",
    });
    expect(unitProblem(f([1.51, 0.2, 1.0]), "reflectance_percent")).toBeNull();
    expect(unitProblem(f([150, 160, 2]), "reflectance_percent")).toBeNull();
    expect(unitProblem(f([151, 160, 2]), "reflectance_percent")).toEqual({
      problem: "median 151 is not reflectance in % (median must stay <= 150)",
      suggest: UNIT_CHOICES,
    });
  });

  it("only finite values count; none at all is no problem", () => {
    expect(unitProblem(f([NaN, NaN]), "absorbance")).toBeNull();
    expect(unitProblem(f([]), "reflectance_percent")).toBeNull();
    expect(unitProblem(f([NaN, Infinity, 60, 70, NaN]), "reflectance")?.problem).toMatch(/^median 70 is not/);
    expect(unitProblem(f([NaN, -Infinity, 0.3, 0.5]), "reflectance_percent")?.suggest).toBe("reflectance");
  });

  it("large inputs are sampled at a fixed stride (every second value of 250,000)", () => {
    // even positions 0.5, odd positions 1000: a stride of 2 sees only the 0.5s
    const v = new Float32Array(250_000).map((_, i) => (i % 2 === 0 ? 0.5 : 1000));
    expect(unitProblem(v, "absorbance")).toBeNull();
    const odd = new Float32Array(250_000).map((_, i) => (i % 2 === 1 ? 0.5 : 1000));
    expect(unitProblem(odd, "absorbance")?.problem).toMatch(/^median 1000, max 1000/);
    // below 200,000 values every value is read
    const all = new Float32Array(199_998).map((_, i) => (i % 2 === 0 ? 0.5 : 1000));
    expect(unitProblem(all, "absorbance")?.problem).toMatch(/^median 1000, max 1000/);
    expect(UNIT_LIMITS).toEqual({
      absorbanceMedianMax: 5,
      absorbanceValueMax: 10,
      reflectanceMedianMax: 1.5,
      percentAllBelow: 1.5,
      percentMedianMax: 150,
    });
  });
});
