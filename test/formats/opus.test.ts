import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseOpus, readOpusDirectory } from "../../src/formats/opus.js";
import { buildOpusLibrary, interpolateTo } from "../../src/formats/opus-library.js";
import { numberColumn } from "../../src/core/table.js";
import { describeWithSharedData, sharedPath } from "../helpers/shared-data.js";
import { formatErrorOf } from "./errors.js";

describe("OPUS errors", () => {
  it("rejects a file that is not OPUS", () => {
    expect(formatErrorOf(() => parseOpus("x.0", Buffer.from("sample_id,wn_1\na,1\n some more text"))).message).toMatch(/not a Bruker OPUS file: starts with 73 61 6d 70/);
  });
  it("rejects a file shorter than the header", () => {
    expect(formatErrorOf(() => parseOpus("x.0", new Uint8Array(10))).message).toMatch(/too short/);
  });
  it("interpolates onto another grid, either direction", () => {
    const v = interpolateTo(Float64Array.from([4, 3, 2, 1]), Float32Array.from([40, 30, 20, 10]), Float64Array.from([1.5, 2.5, 5]));
    expect(Array.from(v)).toEqual([15, 25, 40]);
  });
});

describeWithSharedData("OPUS fixtures (../shared/data/ossl-samples)", () => {
  const kssl = () => readFileSync(sharedPath("ossl-samples", "235157XS01.0"));
  const icraf = () => readFileSync(sharedPath("ossl-samples", "icr056141.0"));

  it("reads the directory of the KSSL Vertex file", () => {
    const dir = readOpusDirectory("k", kssl());
    expect(dir.length).toBe(24);
    expect(dir.find((e) => e.type[0] === 15 && e.type[2] === 0)).toMatchObject({ name: "AB", offset: 133864, length: 3578 * 4 });
  });

  it("KSSL Vertex: AB spectrum, its grid, and values matching the stored min/max", () => {
    const s = parseOpus("235157XS01.0", kssl());
    expect(s.values.length).toBe(3578);
    expect(s.wavenumbers[0]).toBeCloseTo(7498.0428, 3);
    expect(s.wavenumbers[3577]).toBeCloseTo(599.7663, 3);
    expect(s.params.INS).toBe("VERTEX 70");
    expect(String(s.params.SNM)).toContain("235157");
    expect(Math.max(...s.values)).toBeCloseTo(s.params.MXY as number, 6);
    expect(Math.min(...s.values)).toBeCloseTo(s.params.MNY as number, 6);
  });

  it("KSSL Vertex: same grid as the OSSL KSSL Vertex CSV (4001.656 cm-1 falls on a point)", () => {
    // The sample itself is not among the CSV's 20 rows (ids 1-20), so the cross-check is the grid
    // and the value range of an absorbance spectrum from the same instrument type.
    const s = parseOpus("235157XS01.0", kssl());
    const lines = readFileSync(sharedPath("ossl-samples", "sample_mir_data_kssl_vertex.csv"), "utf8").trim().split("\n");
    const wn = lines[0]!.split(",").slice(1).map((x) => Number(x.replaceAll('"', "")));
    const step = s.wavenumbers[1]! - s.wavenumbers[0]!;
    const k = Math.round((wn[0]! - s.wavenumbers[0]!) / step);
    for (const j of [0, 500, wn.length - 1]) expect(s.wavenumbers[k + j]!).toBeCloseTo(wn[j]!, 2);
    const csvRow = lines[1]!.split(",").slice(1).map(Number);
    const csvRange = [Math.min(...csvRow), Math.max(...csvRow)];
    const opus = s.values.subarray(k, k + wn.length);
    expect(Math.max(...opus)).toBeLessThan(csvRange[1]! + 1.5);
    expect(Math.min(...opus)).toBeGreaterThan(-1);
  });

  it("ICRAF Alpha: AB block padded past NPT", () => {
    const s = parseOpus("icr056141.0", icraf());
    expect(s.values.length).toBe(1715);
    expect(s.wavenumbers[0]).toBeCloseTo(3996.481, 3);
    expect(s.params.INS).toBe("Alpha");
    expect(Math.min(...s.values)).toBeCloseTo(s.params.MNY as number, 6);
  });

  it("truncated file: clear error, never a partial spectrum", () => {
    const b = kssl();
    for (const cut of [20, 200, 140000]) {
      const e = formatErrorOf(() => parseOpus("235157XS01.0", b.subarray(0, cut)));
      expect(e.message).toMatch(/235157XS01\.0: .*(too short|truncated)/);
    }
  });

  it("library: replicates averaged, other grids interpolated, lab table joined", () => {
    const a = kssl();
    const lab = "sample_id,oc_pct,om_pct\n235157XS01,1.2,2.5\nicr056141,0.8,\norphan,1,2\n";
    const r = buildOpusLibrary(
      [
        { name: "/x/235157XS01.0", bytes: a },
        { name: "/x/235157XS01.1", bytes: a },
        { name: "/x/icr056141.0", bytes: icraf() },
      ],
      {
        idPattern: /^(.+?)\.\d+$/,
        source: "mylab",
        lab: { file: "lab.csv", text: lab, idColumn: "sample_id", targets: { c: { column: "oc_pct", unit: "percent" }, om: { column: "om_pct", unit: "percent", method: "loi" } } },
      },
    );
    expect(r.samples.sample_id).toEqual(["235157XS01", "icr056141"]);
    expect(Array.from(numberColumn(r.samples, "c_gkg"))).toEqual([12, 8]);
    expect(Array.from(numberColumn(r.samples, "om_gkg"))).toEqual([25, NaN]);
    expect(r.report.replicate_scans_averaged).toBe(2);
    expect(r.report.spectra_regridded).toBe(1);
    expect(r.report.lab_rows_without_spectrum_ids).toEqual(["orphan"]);
    const b = r.blocks[0]!;
    expect(b.instrument).toBe("VERTEX 70");
    expect(b.values[100]).toBeCloseTo(parseOpus("k", a).values[100]!, 6);
  });
});
