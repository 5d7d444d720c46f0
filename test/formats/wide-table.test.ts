import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { numberColumn, textColumn } from "../../src/core/table.js";
import { parseWideTable, type WideTableOptions } from "../../src/formats/wide-table.js";
import { describeWithSharedData, sharedPath } from "../helpers/shared-data.js";
import { formatErrorOf } from "./errors.js";

const LIMESODA: WideTableOptions = {
  spectralPrefix: "wn_",
  unit: "reflectance_percent",
  idColumn: "sample_id",
  targets: { c: { column: "SOC_target", unit: "percent", method: "dry_combustion" } },
};

describe("parseWideTable", () => {
  it("maps id, source, targets (g/kg or %) and metadata", () => {
    const text = "ID,lab,C,OM,Y,X,top,wn_4000,wn_3998\ns1,L1,12,30,10.5,20.25,0,0.5,0.6\ns2,L2,,40,,,10,0.4,0.45\n";
    const r = parseWideTable("my.csv", Buffer.from(text), {
      spectralPrefix: "wn_",
      unit: "absorbance",
      idColumn: "ID",
      sourceColumn: "lab",
      instrument: "alpha",
      targets: { c: { column: "C", unit: "gkg", method: "walkley_black" }, om: { column: "OM", unit: "gkg", method: "loi" } },
      columns: { lat: "Y", lon: "X", depth_top_cm: "top" },
    });
    expect(textColumn(r.samples, "source")).toEqual(["L1", "L2"]);
    expect(textColumn(r.samples, "instrument")).toEqual(["alpha", "alpha"]);
    expect(Array.from(numberColumn(r.samples, "c_gkg"))).toEqual([12, NaN]);
    expect(textColumn(r.samples, "c_method")).toEqual(["walkley_black", null]);
    expect(numberColumn(r.samples, "lat")[0]).toBe(10.5);
    expect(r.blocks.map((b) => [b.source, b.ids.length, b.wavenumbers[0]])).toEqual([
      ["L1", 1, 4000],
      ["L2", 1, 4000],
    ]);
  });

  it("names a mapped column that is missing", () => {
    const e = formatErrorOf(() => parseWideTable("my.csv", Buffer.from("id,wn_4000,wn_3998\na,1,2\n"), { ...LIMESODA, idColumn: "id" }));
    expect(e.message).toMatch(/no column "SOC_target" \(option targets.c.column\)/);
  });

  it("reports OM < C", () => {
    const r = parseWideTable("t.csv", Buffer.from("id,c,om,wn_4000,wn_3998\na,20,10,1,2\nb,20,40,1,2\n"), {
      spectralPrefix: "wn_",
      unit: "absorbance",
      idColumn: "id",
      targets: { c: { column: "c", unit: "gkg" }, om: { column: "om", unit: "gkg" } },
    });
    expect(r.report.targets.om_below_c_ids).toEqual(["a"]);
  });
});

describeWithSharedData("parseWideTable on LimeSoDa (../shared/data/limesoda-mir)", () => {
  it("H_138: reflectance in %, descending grid, values above 100 % kept and counted", () => {
    const file = sharedPath("limesoda-mir", "H_138.csv");
    const r = parseWideTable(file, readFileSync(file), LIMESODA);
    const b = r.blocks[0]!;
    expect(r.report.rows).toBe(138);
    expect(b.wavenumbers.length).toBe(2489);
    expect(b.wavenumbers[0]).toBeCloseTo(5397.9, 6);
    expect(b.wavenumbers[1]! < b.wavenumbers[0]!).toBe(true);
    expect(b.unit).toBe("reflectance_percent");
    expect(r.report.reflectance_spectra_above_full).toBe(77);
    expect(r.report.reflectance_values_above_full).toBe(45881);
    expect(b.values.reduce((m, v) => Math.max(m, v), -Infinity)).toBeGreaterThan(100);
    expect(r.report.missing_values_interpolated).toBe(0);
    const c = numberColumn(r.samples, "c_gkg");
    const raw = readFileSync(file, "utf8").split("\n")[1]!.split(",");
    expect(c[0]).toBeCloseTo(Number(raw[5]) * 10, 9);
    expect(r.samples.source![0]).toBe("H_138");
  });

  it("every LimeSoDa file reads with its own grid", () => {
    const want: Record<string, [number, number]> = { NRW_115: [115, 1686], NRW_62: [62, 1686], NRW_42: [42, 1686], O_32: [32, 1637] };
    for (const [name, [rows, bands]] of Object.entries(want)) {
      const file = sharedPath("limesoda-mir", `${name}.csv`);
      const r = parseWideTable(file, readFileSync(file), LIMESODA);
      expect([r.report.rows, r.report.bands], name).toEqual([rows, bands]);
      expect(r.report.targets.unit_warnings, name).toEqual([]);
    }
  });
});
