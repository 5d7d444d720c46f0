import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exportTable } from "../../src/engine/export.js";
import { UsageError } from "../../src/engine/errors.js";
import { parsePipeline } from "../../src/engine/pipeline.js";
import { runPipeline } from "../../src/engine/runner.js";
import { queryTable, quoteString } from "../../src/engine/store/duck.js";
import { steps } from "./fixtures/steps.js";

const registry = new Map(steps.map((s) => [s.type, s]));
const text = "name: e\nsteps:\n  m:\n    uses: test.mixed\n  n:\n    uses: test.source\n    with:\n      n: 3\n";

describe("exportTable", () => {
  it("round-trips CSV and Parquet (text with commas and quotes, NaN as null, flags) with a sidecar", async () => {
    const dir = await mkdtemp(join(tmpdir(), "somflow-export-"));
    const store = join(dir, "store");
    const run = await runPipeline(parsePipeline("e.yaml", text, registry), { store });
    const original = await queryTable(
      `SELECT * FROM read_parquet(${quoteString(join(store, "artifacts", run.steps[0]!.artifact!, "mixed.parquet"))})`,
    );
    for (const ext of ["csv", "parquet"]) {
      const out = join(dir, `mixed.${ext}`);
      const r = await exportTable(store, run, "mixed", out);
      expect(r.rows).toBe(4);
      const back = await queryTable(
        ext === "csv"
          ? `SELECT * FROM read_csv(${quoteString(out)}, header = true, columns = {'sample_id': 'VARCHAR', 'value': 'DOUBLE', 'origin': 'VARCHAR', 'in_domain': 'BOOLEAN'})`
          : `SELECT * FROM read_parquet(${quoteString(out)})`,
      );
      expect(back).toEqual(original);
      const sidecar = JSON.parse(await readFile(`${out}.json`, "utf8"));
      expect(sidecar).toMatchObject({
        table: "mixed",
        rows: 4,
        run_id: run.run_id,
        step: "m",
        step_type: "test.mixed",
        about: { note: "fixture" },
      });
      expect(sidecar.columns.find((c: { name: string }) => c.name === "value")).toMatchObject({ unit: "g/kg", type: "DOUBLE" });
    }
    expect(Array.from(original.value as Float64Array)[1]).toBeNaN();
  });

  it("names the tables a run has when asked for a missing one, and rejects other extensions", async () => {
    const dir = await mkdtemp(join(tmpdir(), "somflow-export-"));
    const store = join(dir, "store");
    const run = await runPipeline(parsePipeline("e.yaml", text, registry), { store });
    await expect(exportTable(store, run, "hybrid", join(dir, "h.csv"))).rejects.toThrow(
      /has no table "hybrid"; tables: mixed \(m\), numbers \(n\)/,
    );
    await expect(exportTable(store, run, "mixed", join(dir, "h.xlsx"))).rejects.toThrow(UsageError);
    await expect(exportTable(store, run, "mixed", join(dir, "nope", "h.csv"))).rejects.toThrow(/does not exist/);
  });
});
