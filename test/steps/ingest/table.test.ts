import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runStepInMemory } from "../../../src/engine/memory-step.js";
import { StepInputError } from "../../../src/engine/step.js";
import { ingestTableStep } from "../../../src/steps/ingest/table.js";
import { describeWithSharedData, sharedPath } from "../../helpers/shared-data.js";

const LIMESODA = {
  unit: "reflectance_percent",
  spectral_prefix: "wn_",
  id_column: "sample_id",
  targets: { c: { column: "SOC_target", unit: "percent", method: "dry_combustion" } },
};

describe("ingest.table step", () => {
  it("reports a non-monotonic wavenumber header as a StepInputError", async () => {
    const dir = mkdtempSync(join(tmpdir(), "somflow-table-"));
    const f = join(dir, "t.csv");
    writeFileSync(f, "sample_id,SOC_target,wn_4000,wn_3998,wn_3999\na,1,1,2,3\n");
    const err = await runStepInMemory(ingestTableStep, { ...LIMESODA, path: f }).catch((e) => e);
    expect(err).toBeInstanceOf(StepInputError);
    expect(err.message).toMatch(/t\.csv \(line 1, column 5 "wn_3999"\): spectral columns are not strictly decreasing/);
  });

  it("keep_columns carries extra columns into samples (numbers stay numbers) and refuses reserved names", async () => {
    const dir = mkdtempSync(join(tmpdir(), "somflow-table-"));
    const f = join(dir, "t.csv");
    writeFileSync(f, "sample_id,fold,site,SOC_target,wn_4000,wn_3999\na,3,x,1,1,2\nb,1,,2,2,3\n");
    const r = await runStepInMemory(ingestTableStep, { ...LIMESODA, path: f, keep_columns: ["fold", "site"] });
    const samples = r.artifact.tables.get("samples")!;
    expect(Array.from(samples.fold as Float64Array)).toEqual([3, 1]);
    expect(samples.site).toEqual(["x", null]);
    const err = await runStepInMemory(ingestTableStep, { ...LIMESODA, path: f, keep_columns: ["c_gkg"] }).catch((e) => e);
    expect(err.message).toMatch(/keep_columns\[0\]: "c_gkg" is a samples column/);
    const missing = await runStepInMemory(ingestTableStep, { ...LIMESODA, path: f, keep_columns: ["fold_id"] }).catch((e) => e);
    expect(missing.message).toMatch(/no column "fold_id" \(option keep_columns\[0\]\)/);
  });

  it("rejects unknown unit values at option parsing", async () => {
    await expect(runStepInMemory(ingestTableStep, { ...LIMESODA, unit: "transmittance", path: "x.csv" })).rejects.toThrow();
  });
});

describeWithSharedData("ingest.table on LimeSoDa (../shared/data/limesoda-mir)", () => {
  it("H_138: keeps reflectance above 100 % and says so", async () => {
    const r = await runStepInMemory(ingestTableStep, {
      ...LIMESODA,
      path: sharedPath("limesoda-mir", "H_138.csv"),
      instrument: "vertex70v",
    });
    const [block] = r.artifact.spectra.get("spectra")!;
    expect(block!.source).toBe("H_138");
    expect(block!.instrument).toBe("vertex70v");
    expect(r.logs.join("\n")).toMatch(/77 spectra have reflectance above 100 % \(45881 values\): kept/);
    expect(r.records.reflectance_values_above_full).toBe(45881);
  });
});
