/** Run records: a truncated one is named, never silently dropped; a read-only runs/ stops a run before any step. */
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../helpers/shared-data.js";
import { cli, FIXTURE_STEPS } from "../../cli/helpers.js";
import { makeReadOnly } from "./fs-faults.js";
import { tmpStore } from "./small-pipeline.js";

const CHAIN = resolve(REPO_ROOT, "test/engine/fixtures/chain.yaml");

describe("run records", () => {
  it("a truncated run record: `runs` lists the others and names the unreadable file", async () => {
    const store = await tmpStore();
    await cli(["run", CHAIN, "--steps", FIXTURE_STEPS, "--store", store]);
    await cli(["run", CHAIN, "--steps", FIXTURE_STEPS, "--store", store, "-p", "n=11"]);
    const [older, newer] = (await readdir(join(store, "runs"))).sort();
    const path = join(store, "runs", newer!);
    await writeFile(path, (await readFile(path, "utf8")).slice(0, 200)); // a crash mid-write
    const r = await cli(["runs", "--store", store, "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).map((x: { run_id: string }) => `${x.run_id}.json`)).toEqual([older]);
    expect(r.stderr).toContain(`warning: run record ${path} is not valid JSON`);
    expect(r.stderr).toContain("restore it or delete it");
    const v = await cli(["verify", "--store", store]);
    expect(v.code).toBe(1);
    expect(v.stderr).toContain(`runs/${newer}: run record not valid JSON`);
  }, 60_000);

  it("runs/ not writable: exit 2 before any step runs, the folder named", async () => {
    const store = await tmpStore();
    await cli(["run", CHAIN, "--steps", FIXTURE_STEPS, "--store", store]);
    const artifacts = (await readdir(join(store, "artifacts"))).sort();
    const undo = await makeReadOnly(join(store, "runs"));
    try {
      const r = await cli(["run", CHAIN, "--steps", FIXTURE_STEPS, "--store", store, "-p", "n=12"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`store ${store}: ${join(store, "runs")} is not writable`);
      expect(r.stderr).toContain("nothing was run");
      expect((await readdir(join(store, "artifacts"))).sort()).toEqual(artifacts); // no step ran
      expect(await readdir(join(store, "tmp"))).toEqual([]);
    } finally {
      await undo();
    }
  }, 60_000);
});
