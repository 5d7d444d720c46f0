import { describe, expect, it } from "vitest";
import { numberColumn, textColumn } from "../../src/core/table.js";
import { createWideTableReader, fileStem, parseWideTable, type WideTableOptions } from "../../src/formats/wide-table.js";
import { formatErrorOf } from "./errors.js";

const O: WideTableOptions = { spectralPrefix: "wn_", unit: "absorbance", idColumn: "id" };
const read = (text: string, o: Partial<WideTableOptions> = {}, file = "lab.csv") => parseWideTable(file, Buffer.from(text), { ...O, ...o });

describe("fileStem", () => {
  it("drops the folder and the extension (.csv, .gz, .csv.gz or another one), keeps other dots", () => {
    expect(fileStem("data/H_138.csv")).toBe("H_138");
    expect(fileStem("C:\\data\\NRW_42.CSV")).toBe("NRW_42");
    expect(fileStem("/x/ossl.csv.gz")).toBe("ossl");
    expect(fileStem("lib.tsv")).toBe("lib");
    expect(fileStem("lib.tsv.gz")).toBe("lib");
    expect(fileStem("lab.2019.csv")).toBe("lab.2019");
    expect(fileStem("lab.2019.csv.gz")).toBe("lab.2019");
    expect(fileStem("noext")).toBe("noext");
    expect(fileStem("ossl.gz")).toBe("ossl");
    expect(fileStem("lab.gz.csv")).toBe("lab.gz");
  });
});

describe("parseWideTable: options", () => {
  it("every mapped column, targets in % to g/kg with their method where measured, kept columns", () => {
    const text = [
      "id,lat_dd,lon_dd,top,bottom,oc,om,fold,note,wn_4000,wn_3000,wn_2000",
      "a,10.5,-20.25,0,10,1.62,3,1,x,0.1,0.2,0.3",
      "b,,,10,30,,4.5,2,,0.4,0.5,0.6",
      "c,-5,7,30,,2,,,y z,0.7,0.8,0.9",
    ].join("\n");
    const r = read(
      text,
      {
        targets: { c: { column: "oc", unit: "percent", method: "dc" }, om: { column: "om", unit: "percent", method: "loi" } },
        columns: { lat: "lat_dd", lon: "lon_dd", depth_top_cm: "top", depth_bottom_cm: "bottom" },
        keep: ["fold", "note"],
      },
      "data/lab.2019.csv",
    );
    const num = (k: string) => Array.from(numberColumn(r.samples, k));
    expect(num("lat")).toEqual([10.5, NaN, -5]);
    expect(num("lon")).toEqual([-20.25, NaN, 7]);
    expect(num("depth_top_cm")).toEqual([0, 10, 30]);
    expect(num("depth_bottom_cm")).toEqual([10, 30, NaN]);
    expect(num("c_gkg")).toEqual([16.2, NaN, 20]);
    expect(num("om_gkg")).toEqual([30, 45, NaN]);
    expect(textColumn(r.samples, "c_method")).toEqual(["dc", null, "dc"]);
    expect(textColumn(r.samples, "om_method")).toEqual(["loi", "loi", null]);
    expect(num("fold")).toEqual([1, 2, NaN]);
    expect(textColumn(r.samples, "note")).toEqual(["x", null, "y z"]);
    expect(textColumn(r.samples, "source")).toEqual(["lab.2019", "lab.2019", "lab.2019"]);
    expect(textColumn(r.samples, "instrument")).toEqual(["lab.2019", "lab.2019", "lab.2019"]);
    expect(r.report.targets.unit_warnings).toEqual([]);
    expect(r.report.first_missing).toBeNull();
  });

  it("targets in g/kg are read as is; a method is null without one", () => {
    const r = read("id,c,wn_4000,wn_3000\na,1.62,1,2\nb,12,1,2\n", { targets: { c: { column: "c", unit: "gkg" } } });
    expect(Array.from(numberColumn(r.samples, "c_gkg"))).toEqual([1.62, 12]);
    expect(textColumn(r.samples, "c_method")).toEqual([null, null]);
    expect(Array.from(numberColumn(r.samples, "om_gkg"))).toEqual([NaN, NaN]);
    expect(textColumn(r.samples, "om_method")).toEqual([null, null]);
  });

  it("the declared unit shows in the unit warnings", () => {
    const pct = read("id,c,om,wn_4000,wn_3000\na,20,40,1,2\nb,30,50,1,2\n", {
      targets: { c: { column: "c", unit: "percent" }, om: { column: "om", unit: "percent" } },
    });
    expect(pct.report.targets.unit_warnings).toEqual([
      "median C is 250.0 g/kg after reading it as percent: is the column already in g/kg?",
      "median OM is 450.0 g/kg after reading it as percent: is the column already in g/kg?",
    ]);
    const gkg = read("id,c,om,wn_4000,wn_3000\na,0.2,0.4,1,2\n", {
      targets: { c: { column: "c", unit: "gkg" }, om: { column: "om", unit: "gkg" } },
    });
    expect(gkg.report.targets.unit_warnings).toEqual([
      "median C is 0.200 g/kg after reading it as gkg: is the column in % (set unit percent)?",
      "median OM is 0.400 g/kg after reading it as gkg: is the column in % (set unit percent)?",
    ]);
  });

  it("only an OM target: C absent, OM checked as declared", () => {
    const r = read("id,om,wn_4000,wn_3000\na,40,1,2\nb,50,1,2\n", { targets: { om: { column: "om", unit: "percent", method: "loi" } } });
    expect(Array.from(numberColumn(r.samples, "om_gkg"))).toEqual([400, 500]);
    expect(Array.from(numberColumn(r.samples, "c_gkg"))).toEqual([NaN, NaN]);
    expect(textColumn(r.samples, "om_method")).toEqual(["loi", "loi"]);
    expect(r.report.targets.unit_warnings).toEqual(["median OM is 450.0 g/kg after reading it as percent: is the column already in g/kg?"]);
  });

  it("a source column, an explicit source, an instrument", () => {
    const text = "id,lab,wn_4000,wn_3000\na,L1,1,2\nb,,3,4\n";
    const col = read(text, { sourceColumn: "lab", source: "fallback" });
    expect(textColumn(col.samples, "source")).toEqual(["L1", "fallback"]);
    expect(textColumn(col.samples, "instrument")).toEqual(["L1", "fallback"]);
    const fixed = read(text, { source: "S", instrument: "alpha" });
    expect(textColumn(fixed.samples, "source")).toEqual(["S", "S"]);
    expect(textColumn(fixed.samples, "instrument")).toEqual(["alpha", "alpha"]);
    expect(fixed.blocks.map((b) => [b.source, b.instrument])).toEqual([["S", "alpha"]]);
  });

  it("a spectral suffix, another delimiter and Latin-1", () => {
    const bytes = Buffer.concat([
      Buffer.from("id;s4000_abs;s3000_abs;s3000_ref\n"),
      Uint8Array.from([0x53, 0xe9]),
      Buffer.from(";1;2;9\n"),
    ]);
    const r = parseWideTable("lab.csv", bytes, { ...O, spectralPrefix: "s", spectralSuffix: "_abs", delimiter: ";", encoding: "latin1" });
    expect(textColumn(r.samples, "sample_id")).toEqual(["Sé"]);
    expect(Array.from(r.blocks[0]!.wavenumbers)).toEqual([4000, 3000]);
    expect(Array.from(r.blocks[0]!.values)).toEqual([1, 2]);
    expect(
      formatErrorOf(() => parseWideTable("lab.csv", bytes, { ...O, spectralPrefix: "s", spectralSuffix: "_abs", delimiter: ";" })).line,
    ).toBe(2);
  });

  it("the first missing spectral cell is reported", () => {
    const r = read("id,wn_4000,wn_3000,wn_2000\na,1,2,3\nb,1,NA,3\n");
    expect(r.report.first_missing).toEqual({ line: 3, column: "wn_3000" });
    expect(r.report.missing_values_interpolated).toBe(1);
  });

  it("kept columns: numbers only when every filled cell is a number", () => {
    const r = read("id,k1,k2,k3,wn_4000,wn_3000\na,1e3,1,,1,2\nb, ,Inf,,1,2\nc,-2,3,,1,2\n", { keep: ["k1", "k2", "k3"] });
    expect(Array.from(numberColumn(r.samples, "k1"))).toEqual([1000, NaN, -2]);
    expect(textColumn(r.samples, "k2")).toEqual(["1", "Inf", "3"]);
    expect(Array.from(numberColumn(r.samples, "k3"))).toEqual([NaN, NaN, NaN]);
  });

  it("streams: the same library from chunks", () => {
    const text = "id,c,wn_4000,wn_3000\na,12,1,2\nb,14,3,4\n";
    const rd = createWideTableReader("lab.csv", { ...O, targets: { c: { column: "c", unit: "gkg" } } });
    for (let i = 0; i < text.length; i += 5) rd.push(Buffer.from(text.slice(i, i + 5)));
    const r = rd.finish();
    expect(Array.from(numberColumn(r.samples, "c_gkg"))).toEqual([12, 14]);
    expect(Array.from(r.blocks[0]!.values)).toEqual([1, 2, 3, 4]);
  });
});

describe("parseWideTable: option errors", () => {
  it("a mapped column that is absent names the option and the first eight columns", () => {
    const h = "id,a,b,c,d,e,f,wn_4000,wn_3000";
    expect(formatErrorOf(() => read(`${h}\nx,1,1,1,1,1,1,1,2\n`, { columns: { depth_bottom_cm: "bot" } })).message).toBe(
      'lab.csv (line 1): no column "bot" (option columns.depth_bottom_cm); the header starts: id, a, b, c, d, e, f, wn_4000',
    );
    expect(formatErrorOf(() => read(`${h}\nx,1,1,1,1,1,1,1,2\n`, { idColumn: "ID" })).message).toMatch(
      /no column "ID" \(option idColumn\)/,
    );
    expect(formatErrorOf(() => read(`${h}\nx,1,1,1,1,1,1,1,2\n`, { sourceColumn: "lab" })).message).toMatch(
      /no column "lab" \(option sourceColumn\)/,
    );
    expect(formatErrorOf(() => read(`${h}\nx,1,1,1,1,1,1,1,2\n`, { targets: { om: { column: "OM", unit: "gkg" } } })).message).toMatch(
      /no column "OM" \(option targets\.om\.column\)/,
    );
    expect(formatErrorOf(() => read(`${h}\nx,1,1,1,1,1,1,1,2\n`, { keep: ["a", "z"] })).message).toMatch(
      /no column "z" \(option keep_columns\[1\]\)/,
    );
  });

  it("a mapped column named twice names both positions", () => {
    expect(formatErrorOf(() => read("id,c,wn_4000,c,wn_3000\nx,1,1,2,2\n", { targets: { c: { column: "c", unit: "gkg" } } })).message).toBe(
      'lab.csv (line 1): column "c" (option targets.c.column) appears twice, columns 2 and 4; rename one so the column is unambiguous',
    );
  });

  it("a kept column may not replace a samples column", () => {
    expect(formatErrorOf(() => read("id,fold,lat,wn_4000,wn_3000\nx,1,2,1,2\n", { keep: ["fold", "lat"] })).message).toBe(
      'lab.csv (line 1): option keep_columns[1]: "lat" is a samples column somflow fills itself; map it with the matching option instead',
    );
    for (const name of [
      "sample_id",
      "source",
      "instrument",
      "lon",
      "depth_top_cm",
      "depth_bottom_cm",
      "c_gkg",
      "om_gkg",
      "c_method",
      "om_method",
    ]) {
      expect(formatErrorOf(() => read(`id,${name},wn_4000,wn_3000\nx,1,1,2\n`, { keep: [name] })).message).toContain(
        `"${name}" is a samples column`,
      );
    }
  });
});
