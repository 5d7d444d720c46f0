import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { osslCsvChunks } from "../../../src/core/synth/ossl-csv.js";
import { runStepInMemory } from "../../../src/engine/memory-step.js";
import { StepInputError } from "../../../src/engine/step.js";
import { ingestOsslStep } from "../../../src/steps/ingest/ossl.js";

const dir = mkdtempSync(join(tmpdir(), "somflow-ossl-"));
const csv = Buffer.from([...osslCsvChunks({ rows: 40, step: 20 })].join(""));
const plain = join(dir, "ossl.csv");
const gz = join(dir, "ossl.csv.gz");
const cut = join(dir, "cut.csv.gz");
writeFileSync(plain, csv);
writeFileSync(gz, gzipSync(csv));
writeFileSync(cut, gzipSync(csv).subarray(0, Math.floor(gzipSync(csv).length * 0.6)));

describe("ingest.ossl step", () => {
  it("reads .csv and .csv.gz to the same library", async () => {
    const a = await runStepInMemory(ingestOsslStep, { path: plain });
    const b = await runStepInMemory(ingestOsslStep, { path: gz });
    expect(a.artifact.tables.get("samples")).toEqual(b.artifact.tables.get("samples"));
    const blocks = b.artifact.spectra.get("spectra")!;
    expect(blocks.map((x) => x.ids.length)).toEqual([14, 13, 13]);
    expect(Array.from(blocks[0]!.values)).toEqual(Array.from(a.artifact.spectra.get("spectra")![0]!.values));
    expect((b.artifact.json.get("ingest_report") as { rows: number }).rows).toBe(40);
    expect(b.records.rows).toBe(40);
  });

  it("a gzip cut short gives a clear StepInputError, not a partial table", async () => {
    const err = await runStepInMemory(ingestOsslStep, { path: cut }).catch((e) => e);
    expect(err).toBeInstanceOf(StepInputError);
    expect(err.message).toMatch(/cut\.csv\.gz: gzip stream ends early after \d+ decompressed bytes: the file is cut short/);
  });

  it("a missing file names the option and path", async () => {
    const err = await runStepInMemory(ingestOsslStep, { path: join(dir, "nope.csv") }).catch((e) => e);
    expect(err).toBeInstanceOf(StepInputError);
    expect(err.message).toMatch(/path: cannot read .*nope\.csv \(ENOENT\)/);
  });

  it("format errors become StepInputError naming file and line", async () => {
    const bad = join(dir, "bad.csv");
    writeFileSync(bad, "id.layer_uuid_txt,scan_mir.600_abs,scan_mir.602_abs\na,1,2\nb,1\n");
    const err = await runStepInMemory(ingestOsslStep, { path: bad }).catch((e) => e);
    expect(err).toBeInstanceOf(StepInputError);
    expect(err.message).toMatch(/bad\.csv \(line 3\): row has 2 fields but the header has 3/);
    const empty = join(dir, "empty.csv");
    writeFileSync(empty, "");
    expect((await runStepInMemory(ingestOsslStep, { path: empty }).catch((e) => e)).message).toMatch(/empty\.csv: the file is empty/);
  });

  it("column overrides reach the reader", async () => {
    const f = join(dir, "custom.csv");
    writeFileSync(f, "sid,OC,scan_mir.600_abs,scan_mir.602_abs\nx1,1.5,0.1,0.2\n");
    const r = await runStepInMemory(ingestOsslStep, { path: f, columns: { id: "sid", c: "OC" }, default_source: "lab9" });
    expect(r.artifact.tables.get("samples")!.source).toEqual(["lab9"]);
  });
});
