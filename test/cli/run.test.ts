/**
 * The CLI as a user runs it: separate processes, exit codes, --json shapes, kill -9 in the
 * middle of a step, two runs on one store at once, and source edits invalidating steps.
 */
import { cp, mkdir, mkdtemp, rm, readdir, readFile, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/shared-data.js";
import { cli, FIXTURE_STEPS, finish, startCli } from "./helpers.js";

const CHAIN = resolve(REPO_ROOT, "test/engine/fixtures/chain.yaml");
const tmp = () => mkdtemp(join(tmpdir(), "somflow-cli-"));
const stepsOf = (stdout: string) =>
  Object.fromEntries(
    (JSON.parse(stdout.trim().split("\n").at(-1)!).steps as { name: string; status: string }[]).map((s) => [s.name, s.status]),
  );

/** chain.yaml with the `total` step sleeping, so a run can be killed inside it. */
async function slowPipeline(dir: string): Promise<string> {
  const text = (await readFile(CHAIN, "utf8")).replace("needs: [b, c]", "needs: [b, c]\n    with:\n      sleep_ms: 3000");
  const file = join(dir, "slow.yaml");
  await writeFile(file, text);
  return file;
}

describe("somflow CLI", () => {
  it("run --json reports each step; a second run is all cached; exit 0", async () => {
    const store = join(await tmp(), "s");
    const first = await cli(["run", CHAIN, "--steps", FIXTURE_STEPS, "--store", store, "--json"]);
    expect(first.code).toBe(0);
    const out = JSON.parse(first.stdout);
    expect(Object.keys(out)).toEqual(["run_id", "steps"]);
    expect(out.steps[0]).toEqual({ name: "a", status: "ran", seconds: expect.any(Number), reason: "first run of this step" });
    const second = await cli(["run", CHAIN, "--steps", FIXTURE_STEPS, "--store", store, "--json"]);
    expect(stepsOf(second.stdout)).toEqual({ a: "cached", c: "cached", b: "cached", total: "cached" });
  }, 60_000);

  it("validation errors exit 2 and write nothing", async () => {
    const dir = await tmp();
    const store = join(dir, "s");
    const bad = join(dir, "bad.yaml");
    await writeFile(bad, "name: x\nsteps:\n  a:\n    uses: test.source\n    with:\n      n: -1\n");
    const r = await cli(["run", bad, "--steps", FIXTURE_STEPS, "--store", store]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:6:\d+ \(steps\.a\.with\.n\)/);
    expect(existsSync(store)).toBe(false);
    const p = await cli(["run", CHAIN, "--steps", FIXTURE_STEPS, "--store", store, "--param", "n=x"]);
    expect(p.code).toBe(2);
    expect(p.stderr).toContain("--param n=x: expected a number");
    expect((await cli(["frobnicate"])).code).toBe(2);
  }, 60_000);

  it("a failing step exits 1 and names the step", async () => {
    const dir = await tmp();
    const file = join(dir, "fail.yaml");
    await writeFile(file, (await readFile(CHAIN, "utf8")).replace("needs: [b, c]", "needs: [b, c]\n    with:\n      fail: true"));
    const r = await cli(["run", file, "--steps", FIXTURE_STEPS, "--store", join(dir, "s")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("step total (test.total) failed");
    expect(r.stderr).toContain("asked to fail");
  }, 60_000);

  it("kill -9 inside a step, then rerun: completes with the same artifacts, gc leaves nothing behind", async () => {
    const dir = await tmp();
    const file = await slowPipeline(dir);
    const reference = await cli(["run", file, "--steps", FIXTURE_STEPS, "--store", join(dir, "ref"), "--json"]);
    const store = join(dir, "s");
    const child = startCli(["run", file, "--steps", FIXTURE_STEPS, "--store", store]);
    const done = finish(child);
    // Wait until the slow step has started, then kill the process outright.
    for (
      let i = 0;
      i < 200 &&
      !(
        existsSync(join(store, "locks")) &&
        (await readdir(join(store, "locks"))).length > 0 &&
        (await readdir(join(store, "artifacts"))).length >= 3
      );
      i++
    ) {
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGKILL");
    expect((await done).signal).toBe("SIGKILL");
    const rerun = await cli(["run", file, "--steps", FIXTURE_STEPS, "--store", store, "--json"]);
    expect(rerun.code).toBe(0);
    expect(stepsOf(rerun.stdout)).toEqual({ a: "cached", c: "cached", b: "cached", total: "ran" });
    const artifacts = (s: string) => readdir(join(dir, s, "artifacts")).then((x) => x.sort());
    expect(await artifacts("s")).toEqual(await artifacts("ref"));
    expect(reference.code).toBe(0);
    const gc = await cli(["gc", "--store", store, "--keep", "1"]);
    expect(gc.code).toBe(0);
    expect(await readdir(join(store, "tmp"))).toEqual([]);
    expect(await readdir(join(store, "locks"))).toEqual([]);
    expect(await artifacts("s")).toEqual(await artifacts("ref"));
  }, 90_000);

  it("Ctrl-C inside a step: the step fails as interrupted, no partial artifact, the run record is written, exit 130", async () => {
    const dir = await tmp();
    const file = await slowPipeline(dir);
    const store = join(dir, "s");
    const child = startCli(["run", file, "--steps", FIXTURE_STEPS, "--store", store]);
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    const done = finish(child);
    for (let i = 0; i < 400 && !stderr.includes("▶ total"); i++) await new Promise((r) => setTimeout(r, 50));
    expect(stderr).toContain("▶ total");
    child.kill("SIGINT");
    const r = await done;
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/1 failed, 0 skipped .*\(interrupted\)/);
    expect(await readdir(join(store, "tmp"))).toEqual([]);
    expect(await readdir(join(store, "locks"))).toEqual([]);
    const [runFile] = await readdir(join(store, "runs"));
    const record = JSON.parse(await readFile(join(store, "runs", runFile!), "utf8"));
    expect(record.interrupted).toBe(true);
    expect(record.status).toBe("failed");
    const total = record.steps.find((s: { name: string }) => s.name === "total");
    expect([total.status, total.reason, total.artifact]).toEqual(["failed", "interrupted", null]);
    // Nothing half-done is reused: the rerun computes the interrupted step.
    const rerun = await cli(["run", file, "--steps", FIXTURE_STEPS, "--store", store, "--json"]);
    expect(stepsOf(rerun.stdout)).toEqual({ a: "cached", c: "cached", b: "cached", total: "ran" });
  }, 90_000);

  it("two runs on one store at once both finish and agree", async () => {
    const dir = await tmp();
    const file = await slowPipeline(dir);
    const store = join(dir, "s");
    const [r1, r2] = await Promise.all([
      cli(["run", file, "--steps", FIXTURE_STEPS, "--store", store, "--json"]),
      cli(["run", file, "--steps", FIXTURE_STEPS, "--store", store, "--json"]),
    ]);
    expect([r1.code, r2.code]).toEqual([0, 0]);
    const ids = (r: { stdout: string }) => JSON.parse(r.stdout).steps.map((s: { status: string }) => s.status);
    // The slow step is computed once: one run computes it, the other waits and reuses it.
    expect([ids(r1).at(-1), ids(r2).at(-1)].sort()).toEqual(["cached", "ran"]);
    expect((await readdir(join(store, "artifacts"))).length).toBe(4);
    expect(await readdir(join(store, "tmp"))).toEqual([]);
  }, 90_000);

  it("editing a step's imported module invalidates that step and its descendants only", async () => {
    // A private copy of the fixture step modules at the same depth inside the repo (ignored
    // .tmp/), so its relative imports and node_modules resolve as for the originals.
    await mkdir(resolve(REPO_ROOT, ".tmp"), { recursive: true });
    const dir = await mkdtemp(join(REPO_ROOT, ".tmp", "cli-"));
    const fixtures = join(dir, "fx");
    await cp(resolve(REPO_ROOT, "test/engine/fixtures"), fixtures, { recursive: true });
    const stepsFile = join(fixtures, "steps.ts");
    const pipeline = join(fixtures, "chain.yaml");
    const store = join(dir, "s");
    await cli(["run", pipeline, "--steps", stepsFile, "--store", store]);
    await writeFile(join(fixtures, "helper.ts"), "export function helperValue(): number {\n  return 2;\n}\n");
    const plan = await cli(["plan", pipeline, "--steps", stepsFile, "--store", store, "--json"]);
    const planned = JSON.parse(plan.stdout) as { name: string; status: string; reasons: string[] }[];
    expect(plan.code, plan.stderr).toBe(0);
    expect(planned.map((p) => [p.name, p.status])).toEqual([
      ["a", "cached"],
      ["c", "cached"],
      ["b", "run"],
      ["total", "run"],
    ]);
    expect(planned.find((p) => p.name === "b")!.reasons).toEqual([expect.stringMatching(/^source .*fx\/helper\.ts changed$/)]);
    expect(planned.find((p) => p.name === "total")!.reasons).toEqual(["input b will rerun"]);
    const run = await cli(["run", pipeline, "--steps", stepsFile, "--store", store, "--json"]);
    expect(stepsOf(run.stdout)).toEqual({ a: "cached", c: "cached", b: "ran", total: "ran" });
    await rm(dir, { recursive: true, force: true });
  }, 60_000);
});
