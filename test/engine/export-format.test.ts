import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { csvSelectList, significantSql } from "../../src/engine/export-format.js";
import { quoteString, withConnection } from "../../src/engine/store/duck.js";

describe("CSV formatting of exported columns", () => {
  it("writes model outputs with 4 significant digits and measured values exactly", async () => {
    const dir = await mkdtemp(join(tmpdir(), "somflow-export-format-"));
    const out = join(dir, "x.csv");
    const select = csvSelectList(
      [
        { name: "id", type: "VARCHAR" },
        { name: "origin", type: "VARCHAR" },
        { name: "value", type: "DOUBLE" },
        { name: "pi_low", type: "DOUBLE" },
        { name: "measured", type: "DOUBLE" },
      ],
      {
        columns: {
          value: { unit: "g/kg", description: "", csv_digits: 4, csv_exact_where: ["origin", "measured"] },
          pi_low: { unit: "g/kg", description: "", csv_digits: 4 },
          measured: { unit: "g/kg", description: "" },
          id: { unit: null, description: "", csv_digits: 4 }, // text: never rounded
        },
      },
    );
    await withConnection((c) =>
      c.run(`COPY (SELECT ${select} FROM (SELECT id, origin, value::DOUBLE AS value, pi_low::DOUBLE AS pi_low, measured::DOUBLE AS measured FROM (VALUES
      ('a', 'predicted', 12.345678901, 1234.5678, 12.345678901),
      ('b', 'measured', 12.345678901, 0.000123456789, 12.345678901),
      ('c', 'predicted', -98.76543, 0, NULL),
      ('d', 'rejected', NULL, 'nan'::DOUBLE, 31415.9)
    ) t(id, origin, value, pi_low, measured))) TO ${quoteString(out)} (FORMAT csv, HEADER true)`),
    );
    expect((await readFile(out, "utf8")).trim().split("\n")).toEqual([
      "id,origin,value,pi_low,measured",
      "a,predicted,12.35,1235.0,12.345678901",
      "b,measured,12.345678901,0.0001235,12.345678901",
      "c,predicted,-98.77,0.0,",
      "d,rejected,,nan,31415.9",
    ]);
  });

  it("refuses a digit count outside 1..17", () => {
    expect(() => significantSql("x", 0)).toThrow(RangeError);
    expect(significantSql("x", 4)).toContain("log10");
  });
});
