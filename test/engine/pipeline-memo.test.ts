/**
 * The pipeline memo stands in for a full load only when nothing the load depends on changed,
 * gives every step the cache key the full load gives, and runs a step's real code (with the
 * full load's options) when the step must run.
 */
import { cp, mkdtemp, readFile, readdir, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { cacheKey } from "../../src/engine/cues.js";
import { FileHasher } from "../../src/engine/file-hash.js";
import { memoPath, pruneMemos, readPipelineMemo, writePipelineMemo, type MemoIdentity } from "../../src/engine/pipeline-memo.js";
import { loadPipeline, parsePipeline, type Pipeline, type Registry } from "../../src/engine/pipeline.js";
import { manifestFor, runPipeline } from "../../src/engine/runner.js";
import { defineStep, type StepDefinition } from "../../src/engine/step.js";
import { steps } from "./fixtures/steps.js";

const FIXTURES = new URL("./fixtures/", import.meta.url);
const registry: Registry = new Map(steps.map((s) => [s.type, s]));
const chainText = await readFile(new URL("chain.yaml", FIXTURES), "utf8");

/** A folder with chain.yaml and a store; the identity names a copy of the fixture step module. */
async function setup(overrides: string[] = []) {
  const dir = await mkdtemp(join(tmpdir(), "somflow-memo-"));
  const file = join(dir, "chain.yaml");
  await writeFile(file, chainText);
  await cp(new URL("steps", FIXTURES), join(dir, "steps"), { recursive: true });
  await cp(new URL("helper.ts", FIXTURES), join(dir, "helper.ts"));
  const id: MemoIdentity = { file, overrides, stepModules: [join(dir, "steps", "scale.ts")], build: "test-build", cwd: dir };
  const full = () => loadPipeline(file, registry, { overrides });
  return { dir, file, id, full, store: join(dir, "store") };
}

async function keys(p: Pipeline): Promise<Record<string, string>> {
  const files = new FileHasher(join(await mkdtemp(join(tmpdir(), "somflow-memo-h-")), "h.json"));
  const out: Record<string, string> = {};
  for (const s of p.steps) out[s.name] = cacheKey(await manifestFor(s, Object.fromEntries(s.needs.map((n) => [n, `hash-of-${n}`])), files));
  return out;
}

describe("pipeline memo", () => {
  it("stands in for the full load: same steps, order, options, resources and cache keys", async () => {
    const { id, full, store, file } = await setup(["factor=5"]);
    const loaded = await full();
    await writePipelineMemo(store, id, loaded);
    const memo = await readPipelineMemo(store, id, "chain.yaml", full);
    expect(memo).not.toBeNull();
    expect(memo!.file).toBe("chain.yaml"); // as the user wrote it this time
    expect(memo!.memo).toBe(memoPath(store, id)); // the run record names it
    expect(memo!.hash).toBe(loaded.hash);
    expect(memo!.params).toEqual({ n: 10, factor: 5 });
    expect(memo!.steps.map((s) => s.name)).toEqual(loaded.steps.map((s) => s.name));
    for (const [m, f] of memo!.steps.map((s, i) => [s, loaded.steps[i]!] as const)) {
      expect([m.type, m.needs, m.options, m.always, m.resources, m.cpusSet, m.line]).toEqual([
        f.type,
        f.needs,
        f.options,
        f.always,
        f.resources,
        f.cpusSet,
        f.line,
      ]);
    }
    expect(await keys(memo!)).toEqual(await keys(loaded));
    expect(file).toBe(id.file);
  });

  it("is not used for another identity, or when the file or the memo itself changed (source edits: test/cli/pipeline-memo.test.ts)", async () => {
    const { id, full, store, file } = await setup();
    await writePipelineMemo(store, id, await full());
    expect(await readPipelineMemo(store, id, file, full)).not.toBeNull();

    // another identity (overrides, build, working directory): another memo file, none yet
    for (const other of [
      { ...id, overrides: ["factor=4"] },
      { ...id, build: "other" },
      { ...id, cwd: tmpdir() },
    ]) {
      expect(memoPath(store, other)).not.toBe(memoPath(store, id));
      expect(await readPipelineMemo(store, other, file, full)).toBeNull();
    }

    // one character of the pipeline file
    await writeFile(file, chainText.replace("n: 5", "n: 6"));
    expect(await readPipelineMemo(store, id, file, full)).toBeNull();
    await writeFile(file, chainText);

    // the memo edited by hand (a step's options) or cut short
    const path = memoPath(store, id);
    const good = await readFile(path, "utf8");
    await writeFile(path, good.replace('"factor": 3', '"factor": 30'));
    expect(good).toContain('"factor": 3');
    expect(await readPipelineMemo(store, id, file, full)).toBeNull();
    await writeFile(path, good.slice(0, good.length / 2));
    expect(await readPipelineMemo(store, id, file, full)).toBeNull();
    await writeFile(path, good);
    expect(await readPipelineMemo(store, id, file, full)).not.toBeNull();
  });

  it("a file saved with a byte-order mark is remembered like any other (hashed as the full load decodes it)", async () => {
    const { id, full, store, file } = await setup();
    await writeFile(file, `\uFEFF${chainText}`);
    const loaded = await full();
    await writePipelineMemo(store, id, loaded);
    expect((await readPipelineMemo(store, id, file, full))?.hash).toBe(loaded.hash);
  });

  it("a step whose options JSON would not keep exactly is never remembered", async () => {
    const { id, store, file } = await setup();
    const setStep = defineStep({
      type: "test.set",
      version: 1,
      description: "options made into a Set by the schema",
      options: z.strictObject({ tags: z.array(z.string()).transform((t) => new Set(t)) }),
      outputs: [],
      source: import.meta.url,
      async run() {},
    });
    const reg: Registry = new Map<string, StepDefinition>([[setStep.type, setStep as unknown as StepDefinition]]);
    const text = "name: sets\nsteps:\n  s:\n    uses: test.set\n    with:\n      tags: [a, b]\n";
    await writeFile(file, text);
    const loaded = parsePipeline(file, text, reg);
    await writePipelineMemo(store, id, loaded);
    expect(await readdir(store).catch(() => [])).toEqual([]);
  });

  it("a step that must run runs the full load's code with the full load's options", async () => {
    const { id, full, store, file } = await setup();
    let loads = 0;
    const counted = async () => {
      loads++;
      return full();
    };
    const first = await runPipeline(await full(), { store });
    await writePipelineMemo(store, id, await full());
    const memo = (await readPipelineMemo(store, id, file, counted))!;
    const noop = await runPipeline(memo, { store });
    expect(noop.steps.map((s) => s.status)).toEqual(["cached", "cached", "cached", "cached"]);
    expect(noop.steps.map((s) => s.key)).toEqual(first.steps.map((s) => s.key));
    expect(loads).toBe(0);
    const forced = await runPipeline(memo, { store, force: ["b", "total"] });
    expect(forced.steps.filter((s) => s.status === "ran").map((s) => s.name)).toEqual(["b", "total"]);
    // the same code and options: the same artifacts as the first run, and one full load for both steps
    expect(forced.steps.map((s) => s.artifact)).toEqual(first.steps.map((s) => s.artifact));
    expect(loads).toBe(1);
  });

  it("refuses to run a memo step when the full load disagrees with it", async () => {
    const { id, full, store, file } = await setup();
    await runPipeline(await full(), { store });
    await writePipelineMemo(store, id, await full());
    const other = async () => parsePipeline(file, chainText.replace("factor: 3", "factor: 4"), registry);
    const memo = (await readPipelineMemo(store, id, file, other))!;
    const r = await runPipeline(memo, { store, force: ["b"] });
    const b = r.steps.find((s) => s.name === "b")!;
    expect(b.status).toBe("failed");
    expect(b.error).toContain(`the pipeline memo ${memoPath(store, id)} does not match a full load`);
  });

  it("gc keeps the newest usable memo of each identity and removes the rest", async () => {
    const { id, full, store, file } = await setup();
    const loaded = await full();
    const older = { ...id, build: "old-build" };
    await writePipelineMemo(store, older, loaded);
    await utimes(memoPath(store, older), new Date(1e12), new Date(1e12));
    await writePipelineMemo(store, id, loaded);
    const elsewhere = { ...id, overrides: ["n=3"] };
    await writePipelineMemo(store, elsewhere, await parsePipeline(file, chainText, registry, { overrides: ["n=3"] }));
    await writeFile(join(store, "memo", "junk.json"), "{");
    expect(await pruneMemos(store)).toBe(2); // the older build's and the junk
    expect(await readPipelineMemo(store, id, file, full)).not.toBeNull();
    expect(await readPipelineMemo(store, elsewhere, file, full)).not.toBeNull();
    await writeFile(file, chainText.replace("n: 5", "n: 7"));
    expect(await pruneMemos(store)).toBe(2); // the file changed: neither can be used again
    expect(await readdir(join(store, "memo"))).toEqual([]);
  });
});
