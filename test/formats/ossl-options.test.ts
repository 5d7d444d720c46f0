import { describe, expect, it } from "vitest";
import { numberColumn, textColumn } from "../../src/core/table.js";
import { createOsslReader, OSSL_DEFAULT_COLUMNS, parseOsslCsv } from "../../src/formats/ossl.js";
import { formatErrorOf } from "./errors.js";

const D = OSSL_DEFAULT_COLUMNS;
const SPEC = "scan_mir.600_abs,scan_mir.602_abs,scan_mir.604_abs";
const parse = (text: string | Uint8Array, opts = {}) => parseOsslCsv("ossl.csv", typeof text === "string" ? Buffer.from(text) : text, opts);

describe("parseOsslCsv: every default column", () => {
  it("maps id, dataset, OC, total C, coordinates and depths; % to g/kg", () => {
    const head = [D.id, D.source, D.c, D.c_total, D.lat, D.lon, D.depth_top, D.depth_bottom, SPEC].join(",");
    const r = parse(`${head}\nu1,KSSL.SSL,1.62,2.5,40.1,-90.5,0,10,0.1,0.2,0.3\nu2,,NA,,,,10,30,0.4,0.5,0.6\n`);
    const num = (k: string) => Array.from(numberColumn(r.samples, k));
    expect(textColumn(r.samples, "sample_id")).toEqual(["u1", "u2"]);
    expect(textColumn(r.samples, "source")).toEqual(["KSSL.SSL", "ossl"]);
    expect(textColumn(r.samples, "instrument")).toEqual(["KSSL.SSL", "ossl"]);
    expect(num("c_gkg")).toEqual([16.2, NaN]);
    expect(num("c_total_gkg")).toEqual([25, NaN]);
    expect(num("om_gkg")).toEqual([NaN, NaN]);
    expect(num("lat")).toEqual([40.1, NaN]);
    expect(num("lon")).toEqual([-90.5, NaN]);
    expect(num("depth_top_cm")).toEqual([0, 10]);
    expect(num("depth_bottom_cm")).toEqual([10, 30]);
    expect(textColumn(r.samples, "c_method")).toEqual(["dry_combustion", null]);
    expect(textColumn(r.samples, "om_method")).toEqual([null, null]);
    expect(r.report.missing_columns).toEqual([]);
    expect(r.report.unit).toBe("absorbance");
    expect(r.blocks.map((b) => [b.source, b.ids])).toEqual([
      ["KSSL.SSL", ["u1"]],
      ["ossl", ["u2"]],
    ]);
  });

  it("absent optional columns are listed in column order; the om column is not looked for by default", () => {
    const r = parse(`${D.id},${SPEC}\nu1,0.1,0.2,0.3\n`);
    expect(r.report.missing_columns).toEqual([D.source, D.c, D.c_total, D.lat, D.lon, D.depth_top, D.depth_bottom]);
    expect(textColumn(r.samples, "source")).toEqual(["ossl"]);
    expect(textColumn(r.samples, "c_method")).toEqual([null]);
  });

  it("an OM column in %, its method, and methods given or set to none", () => {
    const text = `sid,OC,OM,${SPEC}\na,1,2.5,0.1,0.2,0.3\nb,2,,0.1,0.2,0.3\n`;
    const r = parse(text, { columns: { id: "sid", c: "OC", om: "OM" }, defaultSource: "lab" });
    expect(Array.from(numberColumn(r.samples, "om_gkg"))).toEqual([25, NaN]);
    expect(textColumn(r.samples, "om_method")).toEqual(["loi", null]);
    expect(textColumn(r.samples, "source")).toEqual(["lab", "lab"]);
    const m = parse(text, { columns: { id: "sid", c: "OC", om: "OM" }, cMethod: "walkley_black", omMethod: null });
    expect(textColumn(m.samples, "c_method")).toEqual(["walkley_black", "walkley_black"]);
    expect(textColumn(m.samples, "om_method")).toEqual([null, null]);
    const none = parse(text, { columns: { id: "sid", c: "OC", om: "OM" }, cMethod: null, omMethod: "wb_x1.724" });
    expect(textColumn(none.samples, "c_method")).toEqual([null, null]);
    expect(textColumn(none.samples, "om_method")).toEqual(["wb_x1.724", null]);
  });

  it("an OM column is checked as read in %", () => {
    const r = parse(`sid,OM,${SPEC}\na,40,0.1,0.2,0.3\nb,50,0.1,0.2,0.3\n`, { columns: { id: "sid", om: "OM" } });
    expect(r.report.targets.unit_warnings).toEqual(["median OM is 450.0 g/kg after reading it as percent: is the column already in g/kg?"]);
  });

  it("targets are checked as read in %", () => {
    const r = parse(`sid,OC,${SPEC}\na,30,0.1,0.2,0.3\nb,20,0.1,0.2,0.3\n`, { columns: { id: "sid", c: "OC" } });
    expect(r.report.targets.unit_warnings).toEqual(["median C is 250.0 g/kg after reading it as percent: is the column already in g/kg?"]);
  });

  it("another spectral prefix and suffix; Latin-1 ids; the first missing cell", () => {
    const bytes = Buffer.concat([
      Buffer.from(`${D.id},r.600_x,r.602_x,r.604_x\n`),
      Uint8Array.from([0x53, 0xe9]),
      Buffer.from(",0.1,NA,0.3\n"),
    ]);
    const r = parse(bytes, { columns: { spectral_prefix: "r.", spectral_suffix: "_x" }, encoding: "latin1" });
    expect(textColumn(r.samples, "sample_id")).toEqual(["Sé"]);
    expect(Array.from(r.blocks[0]!.wavenumbers)).toEqual([600, 602, 604]);
    expect(r.report.first_missing).toEqual({ line: 2, column: "r.602_x" });
    expect(formatErrorOf(() => parse(bytes, { columns: { spectral_prefix: "r.", spectral_suffix: "_x" } })).line).toBe(2);
  });

  it("streams: chunks give the same library", () => {
    const text = `${D.id},${D.c},${SPEC}\na,1,0.1,0.2,0.3\nb,2,0.4,0.5,0.6\n`;
    const rd = createOsslReader("ossl.csv");
    for (let i = 0; i < text.length; i += 7) rd.push(Buffer.from(text.slice(i, i + 7)));
    const r = rd.finish();
    expect(Array.from(numberColumn(r.samples, "c_gkg"))).toEqual([10, 20]);
    expect(Array.from(r.blocks[0]!.values).map((v) => Number(v.toFixed(6)))).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
  });
});

describe("parseOsslCsv: column errors", () => {
  it("an empty id or prefix option is refused before reading", () => {
    expect(formatErrorOf(() => createOsslReader("ossl.csv", { columns: { id: "" } })).message).toBe(
      'ossl.csv: columns.id is empty: every OSSL row needs a sample id column (default "id.layer_uuid_txt"); name the id column',
    );
    expect(formatErrorOf(() => createOsslReader("ossl.csv", { columns: { spectral_prefix: "" } })).message).toBe(
      'ossl.csv: columns.spectral_prefix is empty: name the prefix of the spectral columns (default "scan_mir.")',
    );
  });

  it("no id column: the first eight columns", () => {
    expect(formatErrorOf(() => parse(`a,b,c,d,e,f,g,h,i,${SPEC}\n1,2,3,4,5,6,7,8,9,0.1,0.2,0.3\n`)).message).toBe(
      'ossl.csv (line 1): no sample id column "id.layer_uuid_txt"; set columns.id to one of: a, b, c, d, e, f, g, h…',
    );
  });

  it("a mapped column named twice names the option and both positions", () => {
    expect(formatErrorOf(() => parse(`${D.id},${D.lat},${SPEC},${D.lat}\na,1,0.1,0.2,0.3,2\n`)).message).toBe(
      `ossl.csv (line 1): column "${D.lat}" (columns.lat) appears twice, columns 2 and 6; rename one so the column is unambiguous`,
    );
  });

  it("reflectance-like values: the OSSL advice with the prefix and suffix in use", () => {
    const e = formatErrorOf(() =>
      parse(`${D.id},r.600_x,r.602_x\na,40,50\nb,45,55\n`, { columns: { spectral_prefix: "r.", spectral_suffix: "_x" } }),
    );
    expect(e.message).toBe(
      "ossl.csv: spectra declared absorbance: median 50, max 55 is not absorbance (median must stay <= 5, values <= 10); they look like reflectance in %. OSSL spectra are absorbance (columns r.<cm-1>_x); check that columns.spectral_prefix/spectral_suffix name the absorbance columns (not reflectance), or read the file with ingest.table and its unit option",
    );
  });
});
