import { describe, expect, it } from "vitest";
import { osslCsvChunks } from "../../src/core/synth/ossl-csv.js";
import { blockShape } from "../../src/core/spectra/block.js";
import { numberColumn, textColumn } from "../../src/core/table.js";
import { parseOsslCsv } from "../../src/formats/ossl.js";
import { formatErrorOf } from "./errors.js";

const small = (rows: number, step = 100) => Buffer.from([...osslCsvChunks({ rows, step })].join(""));
const HEAD = "id.layer_uuid_txt,dataset.code_ascii_txt,oc_usda.c729_w.pct,scan_mir.600_abs,scan_mir.602_abs,scan_mir.604_abs";
const parse = (text: string, opts = {}) => parseOsslCsv("ossl.csv", Buffer.from(text), opts);

describe("parseOsslCsv", () => {
  it("reads the default OSSL columns, wt% to g/kg, one block per dataset", () => {
    const r = parseOsslCsv("ossl.csv", small(9));
    expect(r.report.rows).toBe(9);
    expect(r.report.bands).toBe(35);
    expect(r.blocks.map((b) => b.source)).toEqual(["KSSL.SSL", "AFSIS1.SSL", "LUCAS.SSL"]);
    for (const b of r.blocks) {
      expect(blockShape(b)).toEqual({ rows: 3, cols: 35 });
      expect(b.unit).toBe("absorbance");
      expect(b.wavenumbers[0]).toBe(600);
      expect(b.wavenumbers[34]).toBe(4000);
    }
    const text = [...osslCsvChunks({ rows: 1, step: 100 })].join("").split("\n")[1]!.split(",");
    expect(numberColumn(r.samples, "c_gkg")[0]).toBeCloseTo(Number(text[6]) * 10, 9);
    expect(numberColumn(r.samples, "c_total_gkg")[0]).toBeCloseTo(Number(text[7]) * 10, 9);
    expect(numberColumn(r.samples, "depth_top_cm")[0]).toBe(Number(text[4]));
    expect(textColumn(r.samples, "c_method")[0]).toBe("dry_combustion");
    expect(Number.isNaN(numberColumn(r.samples, "om_gkg")[0]!)).toBe(true);
    expect(textColumn(r.samples, "om_method")[0]).toBeNull();
    expect(r.report.missing_columns).toEqual([]);
  });

  it("lets a column map override names; absent optional columns are reported", () => {
    const text = "sid,OC,scan_mir.600_abs,scan_mir.602_abs\nx1,1.5,0.1,0.2\n";
    const r = parse(text, { columns: { id: "sid", c: "OC" }, defaultSource: "mylab" });
    expect(textColumn(r.samples, "sample_id")).toEqual(["x1"]);
    expect(textColumn(r.samples, "source")).toEqual(["mylab"]);
    expect(numberColumn(r.samples, "c_gkg")[0]).toBe(15);
    expect(r.report.missing_columns).toContain("latitude.point_wgs84_dd");
  });

  it("fails clearly without the id column", () => {
    expect(formatErrorOf(() => parse("sid,scan_mir.600_abs,scan_mir.602_abs\na,1,2\n")).message).toMatch(
      /no sample id column "id.layer_uuid_txt"; set columns.id/,
    );
  });

  it("interpolates NA spectral values and counts them (documented repair)", () => {
    const r = parse(`${HEAD}\na,K,1,0.1,NA,0.3\nb,K,1,NA,NA,0.5\n`);
    expect(Array.from(r.blocks[0]!.values).map((v) => +v.toFixed(4))).toEqual([0.1, 0.2, 0.3, 0.5, 0.5, 0.5]);
    expect(r.report.missing_values_interpolated).toBe(3);
    expect(r.report.rows_with_missing_values).toBe(2);
    expect(r.report.first_missing).toEqual({ line: 2, column: "scan_mir.602_abs" });
  });

  it("keeps rows without any spectrum in samples only", () => {
    const r = parse(`${HEAD}\na,K,1,0.1,0.2,0.3\nb,K,1,NA,NA,NA\n`);
    expect(textColumn(r.samples, "sample_id")).toEqual(["a", "b"]);
    expect(r.blocks[0]!.ids).toEqual(["a"]);
    expect(r.report.rows_without_spectrum).toBe(1);
  });

  it("rejects duplicate ids naming both lines", () => {
    const e = formatErrorOf(() => parse(`${HEAD}\na,K,1,1,2,3\nb,K,1,1,2,3\na,K,1,1,2,3\n`));
    expect(e.line).toBe(4);
    expect(e.message).toMatch(/sample id "a" repeats the id on line 2/);
  });

  it("rejects wavenumber headers that do not parse or do not run one way", () => {
    const bad = formatErrorOf(() => parse("id.layer_uuid_txt,scan_mir.600_abs,scan_mir.6x2_abs\na,1,2\n"));
    expect(bad.column).toBe('3 "scan_mir.6x2_abs"');
    expect(bad.message).toMatch(/does not end in a wavenumber/);
    const order = formatErrorOf(() => parse("id.layer_uuid_txt,scan_mir.600_abs,scan_mir.602_abs,scan_mir.601_abs\na,1,2,3\n"));
    expect(order.message).toMatch(/not strictly increasing: 602 then 601/);
    const none = formatErrorOf(() => parse("id.layer_uuid_txt,a,b\nx,1,2\n"));
    expect(none.message).toMatch(/found 0 spectral column/);
  });

  it("rejects a non-numeric metadata value with line and column", () => {
    const e = formatErrorOf(() => parse(`${HEAD}\na,K,1.2,1,2,3\nb,K,low,1,2,3\n`));
    expect(e.line).toBe(3);
    expect(e.column).toBe('"oc_usda.c729_w.pct"');
  });

  it("reports impossible targets and suspicious units without dropping rows", () => {
    const rows = ["a,K,-0.5", "b,K,70", "c,K,1.0", "d,K,1.2"].map((r) => `${r},1,2,3`).join("\n");
    const r = parse(`${HEAD}\n${rows}\n`);
    expect(r.report.targets.c_impossible).toBe(2);
    expect(r.report.targets.c_impossible_ids).toEqual(["a", "b"]);
    const pct = parse(`${HEAD}\n${["a,K,150", "b,K,200", "c,K,180"].map((x) => `${x},1,2,3`).join("\n")}\n`);
    expect(pct.report.targets.unit_warnings.join()).toMatch(/already in g\/kg/);
  });
});
