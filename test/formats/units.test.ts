import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseWideTable, type WideTableOptions } from "../../src/formats/wide-table.js";
import { parseOsslCsv } from "../../src/formats/ossl.js";
import { unitProblem, UNIT_LIMITS } from "../../src/formats/spectral-columns.js";
import { describeWithSharedData, sharedPath } from "../helpers/shared-data.js";
import { formatErrorOf } from "./errors.js";

const opts = (unit: WideTableOptions["unit"]): WideTableOptions => ({ spectralPrefix: "wn_", unit, idColumn: "id" });
const csv = (rows: number[][]) => Buffer.from(`id,wn_4000,wn_3000,wn_2000\n${rows.map((r, i) => `s${i},${r.join(",")}`).join("\n")}\n`);

describe("spectral unit plausibility", () => {
  it("each unit's rule, at the documented thresholds", () => {
    const f = (xs: number[]) => Float32Array.from(xs);
    expect(unitProblem(f([0.2, 1.4, 2.8]), "absorbance")).toBeNull();
    expect(unitProblem(f([4, 5, 6]), "absorbance")).toBeNull(); // median 5 = the limit
    expect(unitProblem(f([4, 5.1, 6]), "absorbance")?.suggest).toBe("reflectance_percent");
    expect(unitProblem(f([0.1, 0.2, 11]), "absorbance")).not.toBeNull(); // 1 of 3 values above 10
    expect(unitProblem(f([0.3, 0.5, 0.9]), "reflectance")).toBeNull();
    expect(unitProblem(f([20, 40, 60]), "reflectance")?.suggest).toBe("reflectance_percent");
    expect(unitProblem(f([0.3, 0.5, 0.9]), "reflectance_percent")?.suggest).toBe("reflectance");
    expect(unitProblem(f([20, 40, 60]), "reflectance_percent")).toBeNull();
    expect(unitProblem(f([2000, 4000]), "reflectance_percent")).not.toBeNull();
    expect(UNIT_LIMITS.absorbanceMedianMax).toBe(5);
  });

  it("wide CSV: reflectance in % declared absorbance is an error naming the file and the unit to set", () => {
    const e = formatErrorOf(() =>
      parseWideTable(
        "lab.csv",
        csv([
          [40, 50, 60],
          [30, 45, 70],
        ]),
        opts("absorbance"),
      ),
    );
    expect(e.message).toMatch(
      /^lab\.csv: spectra declared absorbance: median 50, max 70 is not absorbance .* Set unit: reflectance_percent/,
    );
  });
  it("wide CSV: reflectance in % declared reflectance: use reflectance_percent", () => {
    const e = formatErrorOf(() => parseWideTable("lab.csv", csv([[40, 50, 60]]), opts("reflectance")));
    expect(e.message).toMatch(
      /^lab\.csv: spectra declared reflectance: median 50 is not reflectance as a fraction.*Set unit: reflectance_percent/,
    );
  });
  it("wide CSV: fractions declared reflectance_percent: use reflectance", () => {
    const e = formatErrorOf(() => parseWideTable("lab.csv", csv([[0.4, 0.5, 0.6]]), opts("reflectance_percent")));
    expect(e.message).toMatch(/Set unit: reflectance$/);
  });
  it("OSSL: reflectance-like columns read as absorbance say what to check", () => {
    const text = "id.layer_uuid_txt,scan_mir.600_abs,scan_mir.602_abs\na,40,50\nb,45,55\n";
    const e = formatErrorOf(() => parseOsslCsv("ossl.csv", Buffer.from(text)));
    expect(e.message).toMatch(
      /^ossl\.csv: spectra declared absorbance: .* check that columns\.spectral_prefix\/spectral_suffix name the absorbance columns/,
    );
  });
});

describeWithSharedData("LimeSoDa H_138 (reflectance in %) with a wrong unit", () => {
  const bytes = () => readFileSync(sharedPath("limesoda-mir", "H_138.csv"));
  const base = { spectralPrefix: "wn_", idColumn: "sample_id" };
  it("declared absorbance: error", () => {
    const e = formatErrorOf(() => parseWideTable("H_138.csv", bytes(), { ...base, unit: "absorbance" }));
    expect(e.message).toMatch(/H_138\.csv: spectra declared absorbance: median 50\.\d+.*Set unit: reflectance_percent/);
  });
  it("declared reflectance: error saying use reflectance_percent", () => {
    const e = formatErrorOf(() => parseWideTable("H_138.csv", bytes(), { ...base, unit: "reflectance" }));
    expect(e.message).toMatch(/Set unit: reflectance_percent/);
  });
  it("declared reflectance_percent: reads", () => {
    expect(parseWideTable("H_138.csv", bytes(), { ...base, unit: "reflectance_percent" }).report.rows).toBe(138);
  });
});
