/**
 * The pipeline memo through the compiled CLI: a rerun with nothing changed comes from the memo
 * (the run record names it) with the same keys; any edit to what loading depends on — the
 * file, a --param, a step module or a helper it imports — loads the file in full and reruns
 * what changed; a forced step from a memo runs its real code.
 */
import { mkdir, mkdtemp, readFile, readdir, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { RunRecord } from "../../src/engine/run-record.js";
import { REPO_ROOT } from "../helpers/shared-data.js";
import { cli } from "./helpers.js";

const stepModule = (dir: string) => `import { z } from "zod";
import { defineStep } from "${relative(dir, resolve(REPO_ROOT, "src/engine/step.js"))}";
import { numberColumn } from "${relative(dir, resolve(REPO_ROOT, "src/core/table.js"))}";
import { bump } from "./helper.js";

export const steps = [
  defineStep({
    type: "memo.source",
    version: 1,
    description: "n numbers",
    options: z.strictObject({ n: z.number().int().positive() }),
    outputs: ["numbers"],
    source: import.meta.url,
    async run(ctx, _inputs, o) {
      await ctx.outputs.table("numbers", { x: Float64Array.from({ length: o.n }, (_, i) => i) });
    },
  }),
  defineStep({
    type: "memo.scale",
    version: 1,
    description: "numbers times a factor, plus the helper's bump",
    options: z.strictObject({ factor: z.number().default(2) }),
    outputs: ["numbers"],
    source: import.meta.url,
    async run(ctx, inputs, o) {
      const x = numberColumn(await inputs.find("numbers").table("numbers"), "x");
      await ctx.outputs.table("numbers", { x: x.map((v) => v * o.factor + bump()) });
    },
  }),
];
`;

const PIPELINE = `name: memo
params:
  factor: 3
steps:
  a:
    uses: memo.source
    with: { n: 4 }
  b:
    uses: memo.scale
    needs: [a]
    with:
      factor: \${params.factor}
`;

describe("pipeline memo (compiled CLI)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "somflow-memo-cli-"));
    await symlink(resolve(REPO_ROOT, "node_modules"), join(dir, "node_modules"));
    await writeFile(join(dir, "helper.ts"), "export const bump = (): number => 0;\n");
    await writeFile(join(dir, "steps.ts"), stepModule(dir));
    await writeFile(join(dir, "p.yaml"), PIPELINE);
  });

  const run = async (...extra: string[]) => {
    const r = await cli(["run", join(dir, "p.yaml"), "--steps", join(dir, "steps.ts"), "--store", join(dir, "store"), "--json", ...extra]);
    expect(r.code, r.stderr).toBe(0);
    const { run_id } = JSON.parse(r.stdout) as { run_id: string };
    const record = JSON.parse(await readFile(join(dir, "store", "runs", `${run_id}.json`), "utf8")) as RunRecord;
    const steps = Object.fromEntries(record.steps.map((s) => [s.name, s]));
    return { record, steps, status: Object.fromEntries(record.steps.map((s) => [s.name, s.status])) };
  };

  it("remembers a load, serves an unchanged rerun from it, and loads in full after any edit", async () => {
    const first = await run();
    expect(first.status).toEqual({ a: "ran", b: "ran" });
    expect(first.record.pipeline_memo).toBeUndefined();
    expect(await readdir(join(dir, "store", "memo"))).toHaveLength(1);

    const again = await run();
    expect(again.status).toEqual({ a: "cached", b: "cached" });
    expect(again.record.pipeline_memo).toMatch(/[\\/]memo[\\/][0-9a-f]{32}\.json$/);
    expect(again.steps.b!.key).toBe(first.steps.b!.key);

    // a helper the step module imports (both types live in that module): not the memo; both rerun and say why
    await writeFile(join(dir, "helper.ts"), "export const bump = (): number => 1;\n");
    const helper = await run();
    expect(helper.record.pipeline_memo).toBeUndefined();
    expect(helper.status).toEqual({ a: "ran", b: "ran" });
    expect(helper.steps.b!.reason).toMatch(/helper\.ts/);
    expect(helper.steps.b!.artifact).not.toBe(again.steps.b!.artifact);
    expect((await run()).record.pipeline_memo).toBeDefined();

    // the pipeline file
    await writeFile(join(dir, "p.yaml"), PIPELINE.replace("n: 4", "n: 5"));
    const file = await run();
    expect(file.record.pipeline_memo).toBeUndefined();
    expect(file.status).toEqual({ a: "ran", b: "ran" });
    expect(file.steps.a!.reason).toMatch(/n/);

    // a --param: its own memo, then served from it
    const param = await run("--param", "factor=4");
    expect(param.record.pipeline_memo).toBeUndefined();
    expect(param.status).toEqual({ a: "cached", b: "ran" });
    const paramAgain = await run("--param", "factor=4");
    expect(paramAgain.record.pipeline_memo).toBeDefined();
    expect(paramAgain.status).toEqual({ a: "cached", b: "cached" });
    expect(paramAgain.steps.b!.key).toBe(param.steps.b!.key);
  }, 120_000);

  it("a memo that cannot be written is a warning, not a failed run", async () => {
    const store = join(dir, "store-nomemo");
    await mkdir(store, { recursive: true });
    await writeFile(join(store, "memo"), "a file where the memo folder goes\n");
    const r = await cli(["run", join(dir, "p.yaml"), "--steps", join(dir, "steps.ts"), "--store", store]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: could not write the pipeline memo \(.*\); the next run loads .*p\.yaml in full/);
    expect(r.stderr).toMatch(/2 ran, 0 cached, 0 failed/);
  }, 120_000);

  it("a step forced on a memo runs its real code and makes the same artifact", async () => {
    const before = await run();
    expect(before.record.pipeline_memo).toBeDefined();
    const forced = await run("--force", "b");
    expect(forced.record.pipeline_memo).toBeDefined();
    expect(forced.status).toEqual({ a: "cached", b: "ran" });
    expect(forced.steps.b!.artifact).toBe(before.steps.b!.artifact);
  }, 120_000);
});
