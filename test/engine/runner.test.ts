import { mkdtemp, readFile, readdir, writeFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parsePipeline, type Registry } from "../../src/engine/pipeline.js";
import { gitCommit, runPipeline } from "../../src/engine/runner.js";
import { execFileSync } from "node:child_process";
import { getEventListeners } from "node:events";
import { planPipeline } from "../../src/engine/plan.js";
import { collectGarbage } from "../../src/engine/gc.js";
import { layout } from "../../src/engine/store/layout.js";
import { steps } from "./fixtures/steps.js";

const registry: Registry = new Map(steps.map((s) => [s.type, s]));
const chainText = await readFile(new URL("./fixtures/chain.yaml", import.meta.url), "utf8");
const load = (text = chainText, overrides: string[] = []) => parsePipeline("chain.yaml", text, registry, { overrides });
const newStore = async () => join(await mkdtemp(join(tmpdir(), "somflow-store-")), "store");
const statuses = (r: { steps: { name: string; status: string }[] }) => Object.fromEntries(r.steps.map((s) => [s.name, s.status]));

describe("runPipeline", () => {
  it("runs everything once, then serves every step from the cache", async () => {
    const store = await newStore();
    const first = await runPipeline(load(), { store, jobs: 2 });
    expect(statuses(first)).toEqual({ a: "ran", c: "ran", b: "ran", total: "ran" });
    expect(first.status).toBe("ok");
    const second = await runPipeline(load(), { store });
    expect(statuses(second)).toEqual({ a: "cached", c: "cached", b: "cached", total: "cached" });
    expect(second.steps.map((s) => s.artifact)).toEqual(first.steps.map((s) => s.artifact));
  });

  it("reruns exactly the changed step and its descendants, and plan says why", async () => {
    const store = await newStore();
    await runPipeline(load(), { store });
    const changed = load(chainText, ["factor=4"]);
    const plan = await planPipeline(changed, { store });
    expect(plan.map((p) => [p.name, p.status])).toEqual([
      ["a", "cached"],
      ["c", "cached"],
      ["b", "run"],
      ["total", "run"],
    ]);
    expect(plan.find((p) => p.name === "b")!.reasons).toEqual(["with.factor changed 3 -> 4"]);
    expect(plan.find((p) => p.name === "total")!.reasons).toEqual(["input b will rerun"]);
    const run = await runPipeline(changed, { store });
    expect(statuses(run)).toEqual({ a: "cached", c: "cached", b: "ran", total: "ran" });
    expect(run.steps.find((s) => s.name === "total")!.reason).toBe("input b changed");
    const total = JSON.parse(await readFile(join(layout(store).artifact(run.steps.at(-1)!.artifact!), "total.json"), "utf8"));
    expect(total.sum).toBe(4 * 45 + (100 + 101 + 102 + 103 + 104));
  });

  it("keeps early cutoff: an upstream rerun with identical output leaves descendants cached", async () => {
    const store = await newStore();
    await runPipeline(load(), { store });
    const run = await runPipeline(load(), { store, force: ["a"] });
    expect(statuses(run)).toEqual({ a: "ran", c: "cached", b: "cached", total: "cached" });
    expect(run.steps[0]!.reason).toBe("forced (--force)");
  });

  it("stops only the failed step's descendants, keeps upstream artifacts, and resumes", async () => {
    const store = await newStore();
    const failing = chainText + "  after:\n    uses: test.total\n    needs: [total]\n";
    const broken = failing.replace("needs: [b, c]", "needs: [b, c]\n    with:\n      fail: true");
    const run = await runPipeline(load(broken), { store });
    expect(statuses(run)).toEqual({ a: "ran", c: "ran", b: "ran", total: "failed", after: "skipped" });
    expect(run.status).toBe("failed");
    const failed = run.steps.find((s) => s.name === "total")!;
    expect(failed.error).toContain("asked to fail (with.fail: true)");
    expect(failed.artifact).toBeNull();
    expect(await readdir(layout(store).tmp)).toEqual([]); // no partial artifact left behind
    const fixed = await runPipeline(load(failing), { store });
    expect(statuses(fixed)).toEqual({ a: "cached", c: "cached", b: "cached", total: "ran", after: "ran" });
  });

  it("treats a corrupt artifact as a miss and rebuilds it", async () => {
    const store = await newStore();
    const first = await runPipeline(load(), { store });
    const art = layout(store).artifact(first.steps.find((s) => s.name === "b")!.artifact!);
    await writeFile(join(art, "numbers.parquet"), "garbage");
    const plan = await planPipeline(load(), { store });
    expect(plan.find((p) => p.name === "b")!.reasons).toEqual(["stored artifact missing or corrupt"]);
    const run = await runPipeline(load(), { store });
    expect(statuses(run)).toMatchObject({ b: "ran", total: "cached" });
    expect(run.steps.find((s) => s.name === "b")!.artifact).toBe(first.steps.find((s) => s.name === "b")!.artifact);
  });

  it("--only runs a step with what it needs; gc keeps the last runs' artifacts", async () => {
    const store = await newStore();
    const only = await runPipeline(load(), { store, only: ["b"] });
    expect(statuses(only)).toEqual({ a: "ran", b: "ran" });
    await runPipeline(load(chainText, ["n=11"]), { store });
    const full = await runPipeline(load(), { store });
    const result = await collectGarbage(store, 1);
    expect(result.runsRemoved).toBe(2);
    expect(result.artifactsKept).toBe(4);
    expect((await readdir(layout(store).artifacts)).sort()).toEqual([...new Set(full.steps.map((s) => s.artifact!))].sort());
    expect(statuses(await runPipeline(load(), { store }))).toEqual({ a: "cached", c: "cached", b: "cached", total: "cached" });
  });

  it("reruns a step when the content of an outside file it reads changes", async () => {
    const store = await newStore();
    const file = join(await mkdtemp(join(tmpdir(), "somflow-in-")), "in.txt");
    await writeFile(file, "one");
    const text = `name: r\nsteps:\n  r:\n    uses: test.read\n    with:\n      path: ${file}\n`;
    expect(statuses(await runPipeline(load(text), { store }))).toEqual({ r: "ran" });
    await writeFile(file, "one"); // rewritten, same content: still cached
    expect(statuses(await runPipeline(load(text), { store }))).toEqual({ r: "cached" });
    await writeFile(file, "two");
    expect((await planPipeline(load(text), { store }))[0]!.reasons).toEqual([`input file ${file} changed`]);
    expect(statuses(await runPipeline(load(text), { store }))).toEqual({ r: "ran" });
  });

  it("gives clear errors for a store that cannot be created", async () => {
    const base = await mkdtemp(join(tmpdir(), "somflow-bad-"));
    await expect(runPipeline(load(), { store: join(base, "missing", "store") })).rejects.toThrow(/parent folder .* does not exist/);
    await writeFile(join(base, "file"), "x");
    await expect(runPipeline(load(), { store: join(base, "file", "store") })).rejects.toThrow(
      /parent folder .* does not exist|is not writable/,
    );
    await rm(base, { recursive: true, force: true });
  });

  it("records the checked-out commit as git does (read without spawning git)", () => {
    const git = execFileSync("git", ["rev-parse", "HEAD"], { cwd: new URL("../..", import.meta.url) })
      .toString()
      .trim();
    expect(gitCommit()).toBe(git);
  });

  it("leaves no abort listener behind on the run's signal (one per step would pile up on long pipelines)", async () => {
    const controller = new AbortController();
    const run = await runPipeline(load(), { store: await newStore(), signal: controller.signal });
    expect(statuses(run)).toEqual({ a: "ran", c: "ran", b: "ran", total: "ran" });
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });
});
