import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decide } from "../../src/engine/decide.js";
import { cacheKey, ENGINE_FORMAT, type KeyManifest } from "../../src/engine/cues.js";
import { parsePipeline, type Registry } from "../../src/engine/pipeline.js";
import { planPipeline } from "../../src/engine/plan.js";
import { runPipeline } from "../../src/engine/runner.js";
import { layout } from "../../src/engine/store/layout.js";
import { steps } from "./fixtures/steps.js";

const registry: Registry = new Map(steps.map((s) => [s.type, s]));
const chainText = await readFile(new URL("./fixtures/chain.yaml", import.meta.url), "utf8");
const load = (text = chainText, overrides: string[] = []) => parsePipeline("chain.yaml", text, registry, { overrides });
const newStore = async () => join(await mkdtemp(join(tmpdir(), "somflow-decide-")), "store");

/** Plan first, then run: every step the plan says runs must run with the same reasons (and vice versa). */
async function planThenRun(store: string, text = chainText, overrides: string[] = [], force: string[] = []) {
  const pipeline = load(text, overrides);
  const plan = await planPipeline(pipeline, { store, force });
  const run = await runPipeline(pipeline, { store, force });
  return { plan, run };
}

const manifest = (over: Partial<KeyManifest> = {}): KeyManifest => ({
  engine: ENGINE_FORMAT,
  type: "t",
  version: 1,
  options: { a: 1 },
  inputs: {},
  source: {},
  packages: {},
  files: {},
  ...over,
});

describe("decide", () => {
  it("names one cue per reason, in a fixed order", async () => {
    const none = async () => null;
    const cur = manifest({ options: { a: 2 }, source: { "x.ts": "2" } });
    const prev = manifest({ source: { "x.ts": "1" } });
    expect((await decide({ manifest: cur, previous: null, forced: false, always: false, lookup: none })).reasons).toEqual([
      { cue: "no-stored-manifest", message: "first run of this step" },
    ]);
    const d = await decide({ manifest: cur, previous: prev, forced: true, always: true, pending: ["up"], lookup: none });
    expect(d.reasons.map((r) => r.cue)).toEqual(["forced", "always", "input-will-rerun", "options", "source"]);
    expect((await decide({ manifest: cur, previous: cur, forced: false, always: false, lookup: none })).reasons).toEqual([
      { cue: "result-removed", message: "no stored result for this key (removed by gc or another store)" },
    ]);
    const corrupt = await decide({ manifest: cur, previous: cur, forced: false, always: false, lookup: async () => "corrupt" as const });
    expect(corrupt.reasons.map((r) => r.cue)).toEqual(["artifact-missing"]);
    const hit = await decide({ manifest: cur, previous: prev, forced: false, always: false, lookup: async (k) => ({ k }) });
    expect(hit).toEqual({ run: false, key: cacheKey(cur), reasons: [], hit: { k: cacheKey(cur) } });
  });
});

describe("plan and run decide alike", () => {
  it("first run, an option change, a forced step, a corrupt artifact: same reasons", async () => {
    const store = await newStore();
    const same = (r: Awaited<ReturnType<typeof planThenRun>>) => {
      const planned = Object.fromEntries(r.plan.filter((p) => p.status === "run").map((p) => [p.name, p.reasons.join("; ")]));
      const ran = Object.fromEntries(r.run.steps.filter((s) => s.status === "ran").map((s) => [s.name, s.reason]));
      // A step whose input reruns is "input X will rerun" in the plan and "input X changed" in the run.
      for (const [name, reason] of Object.entries(planned)) planned[name] = reason.replace(/input (\S+) will rerun/g, "input $1 changed");
      return { planned, ran };
    };
    const first = same(await planThenRun(store));
    expect(first.ran).toEqual({
      a: "first run of this step",
      b: "first run of this step",
      c: "first run of this step",
      total: "first run of this step",
    });
    expect(first.planned).toEqual(first.ran);

    const changed = same(await planThenRun(store, chainText, ["factor=4"]));
    expect(changed.ran).toEqual({ b: "with.factor changed 3 -> 4", total: "input b changed" });
    expect(changed.planned).toEqual(changed.ran);

    const forced = same(await planThenRun(store, chainText, ["factor=4"], ["c"]));
    expect(forced.ran).toEqual({ c: "forced (--force)" });
    expect(forced.planned).toEqual({ c: "forced (--force)", total: "input c changed" }); // plan cannot know c's output is unchanged

    const b = (await runPipeline(load(chainText, ["factor=4"]), { store })).steps.find((s) => s.name === "b")!;
    await writeFile(join(layout(store).artifact(b.artifact!), "numbers.parquet"), "garbage");
    const corrupt = same(await planThenRun(store, chainText, ["factor=4"]));
    expect(corrupt.ran).toEqual({ b: "stored artifact missing or corrupt" });
    expect(corrupt.planned).toEqual({ b: "stored artifact missing or corrupt", total: "input b changed" });
  });
});
