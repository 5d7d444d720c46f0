/**
 * gc against runs in progress (separate processes, as users run them), leases of other
 * hosts, and the `--keep 0` guard.
 */
import { mkdir, mkdtemp, readFile, readdir, utimes, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/shared-data.js";
import { cli, FIXTURE_STEPS, finish, startCli } from "../cli/helpers.js";
import { collectGarbage } from "../../src/engine/gc.js";
import { layout } from "../../src/engine/store/layout.js";

const CHAIN = resolve(REPO_ROOT, "test/engine/fixtures/chain.yaml");
const tmp = () => mkdtemp(join(tmpdir(), "somflow-gc-"));
const lastJson = (s: string) => JSON.parse(s.trim().split("\n").at(-1)!);

async function slowChain(dir: string, ms: number): Promise<string> {
  const file = join(dir, `slow-${ms}.yaml`);
  await writeFile(file, (await readFile(CHAIN, "utf8")).replace("needs: [b, c]", `needs: [b, c]\n    with:\n      sleep_ms: ${ms}`));
  return file;
}

async function waitFor(cond: () => Promise<boolean>, ms = 20_000): Promise<void> {
  for (const t0 = Date.now(); Date.now() - t0 < ms; await new Promise((r) => setTimeout(r, 50))) if (await cond()) return;
  throw new Error("timed out waiting");
}

describe("gc", () => {
  it("during a second run (another process) leaves what that run uses: the run succeeds with the right result", async () => {
    const dir = await tmp();
    const store = join(dir, "s");
    const first = await cli(["run", CHAIN, "--steps", FIXTURE_STEPS, "--store", store, "--json"]);
    expect(first.code).toBe(0);
    // Second run: a, b, c cached (resolved before total starts), total sleeps 3 s and then reads b and c.
    const child = startCli(["run", await slowChain(dir, 3000), "--steps", FIXTURE_STEPS, "--store", store, "--json"]);
    const done = finish(child);
    await waitFor(async () => (await readdir(join(store, "tmp")).catch(() => [])).length > 0); // total's temp folder: it is running
    const gc = await cli(["gc", "--store", store, "--keep", "0", "--yes-delete-all-runs"]);
    expect(gc.code, gc.stderr).toBe(0);
    expect(gc.stderr).toMatch(/kept what 1 run\(s\) in progress use/);
    expect(gc.stdout).toMatch(/removed 1 run records, 1 artifacts/); // only the first run's `total`
    const second = await done;
    expect(second.code, second.stderr).toBe(0);
    expect(lastJson(second.stdout).steps.map((s: { status: string }) => s.status)).toEqual(["cached", "cached", "cached", "ran"]);
    const record = JSON.parse(await readFile(join(store, "runs", `${lastJson(second.stdout).run_id}.json`), "utf8"));
    const total = JSON.parse(await readFile(join(layout(store).artifact(record.steps.at(-1).artifact), "total.json"), "utf8"));
    expect(total.sum).toBe(3 * 45 + (100 + 101 + 102 + 103 + 104));
    expect(await readdir(join(store, "leases"))).toEqual([]); // the lease ends with the run
    expect((await cli(["verify", "--store", store])).code).toBe(0);
  }, 90_000);

  it("--keep 0 refuses without --yes-delete-all-runs (exit 2, nothing removed)", async () => {
    const dir = await tmp();
    const store = join(dir, "s");
    await cli(["run", CHAIN, "--steps", FIXTURE_STEPS, "--store", store]);
    const before = (await readdir(join(store, "artifacts"))).sort();
    const r = await cli(["gc", "--store", store, "--keep", "0"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--keep 0 would delete every run record and every artifact");
    expect(r.stderr).toContain("--yes-delete-all-runs");
    expect((await readdir(join(store, "artifacts"))).sort()).toEqual(before);
    expect(await readdir(join(store, "runs"))).toHaveLength(1);
    const all = await cli(["gc", "--store", store, "--keep", "0", "--yes-delete-all-runs"]);
    expect(all.code).toBe(0);
    expect(await readdir(join(store, "artifacts"))).toEqual([]);
    expect(await readdir(join(store, "runs"))).toEqual([]);
  }, 60_000);

  it("keeps the latest run of every pipeline even beyond --keep", async () => {
    const dir = await tmp();
    const store = join(dir, "s");
    const other = join(dir, "other.yaml");
    await writeFile(other, (await readFile(CHAIN, "utf8")).replace("name: chain", "name: other").replace("n: 10", "n: 12"));
    await cli(["run", other, "--steps", FIXTURE_STEPS, "--store", store]);
    await cli(["run", CHAIN, "--steps", FIXTURE_STEPS, "--store", store]);
    const r = await collectGarbage(store, 1);
    expect(r.runsRemoved).toBe(0);
    expect((await cli(["run", other, "--steps", FIXTURE_STEPS, "--store", store, "--json"])).stdout).not.toContain('"ran"');
  }, 60_000);

  it("a lease of another host: kept while its heartbeat is fresh, collected (with what only it used) once old", async () => {
    process.env.SOMFLOW_LEASE_TIMEOUT_S = "5";
    try {
      const dir = await tmp();
      const store = join(dir, "s");
      await cli(["run", CHAIN, "--steps", FIXTURE_STEPS, "--store", store]);
      await cli(["run", CHAIN, "--steps", FIXTURE_STEPS, "--store", store, "-p", "n=11"]);
      const l = layout(store);
      const all = (await readdir(l.artifacts)).sort();
      // A run on node-17 uses the first run's artifacts, which no kept run record references.
      const lease = join(store, "leases", "20990101T000000000Z-remote");
      await mkdir(lease, { recursive: true });
      const owner = join(lease, "owner.json");
      await writeFile(
        owner,
        JSON.stringify({
          host: "node-17.cluster",
          boot: null,
          pid: 4242,
          job: "991",
          run: "remote",
          token: "x",
          since: "",
          heartbeat_at: "",
        }),
      );
      await writeFile(join(lease, "refs"), all.join("\n") + "\n");
      await mkdir(join(l.tmp, "node-17.cluster_4242_j991_abcdef"));
      const fresh = await collectGarbage(store, 1);
      expect(fresh.artifactsRemoved).toBe(0);
      expect(fresh.liveRuns).toEqual(["20990101T000000000Z-remote"]);
      expect(existsSync(join(l.tmp, "node-17.cluster_4242_j991_abcdef"))).toBe(true);
      const old = (Date.now() - 60_000) / 1000;
      await utimes(owner, old, old);
      await utimes(join(l.tmp, "node-17.cluster_4242_j991_abcdef"), old, old);
      const stale = await collectGarbage(store, 1);
      expect(stale.leasesRemoved).toBe(1);
      expect(stale.tempRemoved).toBe(1);
      expect(stale.artifactsRemoved).toBeGreaterThan(0);
      expect(existsSync(lease)).toBe(false);
    } finally {
      delete process.env.SOMFLOW_LEASE_TIMEOUT_S;
    }
  }, 60_000);
});
