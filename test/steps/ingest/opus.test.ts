import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { runStepInMemory } from "../../../src/engine/memory-step.js";
import { StepInputError } from "../../../src/engine/step.js";
import { ingestOpusStep } from "../../../src/steps/ingest/opus.js";
import { describeWithSharedData, sharedPath } from "../../helpers/shared-data.js";

// The fixtures are copied to a temp folder (never into the repo) to add replicates and bad files.
describeWithSharedData("ingest.opus on OSSL fixtures (../shared/data/ossl-samples)", () => {
  const dir = mkdtempSync(join(tmpdir(), "somflow-opus-"));
  copyFileSync(sharedPath("ossl-samples", "235157XS01.0"), join(dir, "235157XS01.0"));
  copyFileSync(sharedPath("ossl-samples", "235157XS01.0"), join(dir, "235157XS01.1"));
  copyFileSync(sharedPath("ossl-samples", "icr056141.0"), join(dir, "icr056141.0"));
  writeFileSync(join(dir, "lab.csv"), "id,oc\n235157XS01,0.9\nicr056141,2.1\n");

  it("reads the folder, averages replicates and joins the lab table", async () => {
    const r = await runStepInMemory(ingestOpusStep, {
      dir,
      source: "kssl-raw",
      lab_table: join(dir, "lab.csv"),
      lab_id_column: "id",
      lab_targets: { c: { column: "oc", unit: "percent", method: "dry_combustion" } },
    });
    const s = r.artifact.tables.get("samples")!;
    expect(s.sample_id).toEqual(["235157XS01", "icr056141"]);
    expect(Array.from(s.c_gkg as Float64Array)).toEqual([9, 21]);
    const [b] = r.artifact.spectra.get("spectra")!;
    // KSSL's axis (7498-600, the most common) cut to what ICRAF's (3996-500) covers
    expect(b!.wavenumbers.length).toBe(1762);
    expect(b!.unit).toBe("absorbance");
    expect(r.artifact.json.get("ingest_report")).toMatchObject({
      files: 3,
      replicate_scans_averaged: 2,
      spectra_regridded: 1,
      axis_trimmed_by_files: ["icr056141.0"],
      replicates: [{ sample_id: "235157XS01", scans: 2, max_rmsd: 0 }],
    });
  });

  it("a non-OPUS or truncated file among them fails naming that file", async () => {
    const bad = mkdtempSync(join(tmpdir(), "somflow-opus-bad-"));
    copyFileSync(sharedPath("ossl-samples", "icr056141.0"), join(bad, "a.0"));
    writeFileSync(join(bad, "b.0"), "sample_id,wn_4000,wn_3998\nthis is a CSV, not a spectrum\n");
    let err = await runStepInMemory(ingestOpusStep, { dir: bad }).catch((e) => e);
    expect(err).toBeInstanceOf(StepInputError);
    expect(err.message).toMatch(/b\.0: not a Bruker OPUS file/);
    const { readFileSync } = await import("node:fs");
    writeFileSync(join(bad, "b.0"), readFileSync(sharedPath("ossl-samples", "icr056141.0")).subarray(0, 70000));
    err = await runStepInMemory(ingestOpusStep, { dir: bad }).catch((e) => e);
    expect(err.message).toMatch(/b\.0: .* outside the 70000-byte file; the file is truncated/);
  });

  it("an empty folder match and a bad regex are clear errors", async () => {
    const err = await runStepInMemory(ingestOpusStep, { dir, file_pattern: "\\.opus$" }).catch((e) => e);
    expect(err.message).toMatch(/no file in .* matches file_pattern/);
    await expect(runStepInMemory(ingestOpusStep, { dir, id_pattern: "([" })).rejects.toThrow(
      /id_pattern is not a valid regular expression/,
    );
  });
});
