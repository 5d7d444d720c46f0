/**
 * A user's TypeScript step module under the compiled CLI: compiled by esbuild (no tsx), keyed
 * on its TypeScript sources exactly as when loaded from source, rebuilt when edited, and a
 * compile error named by file and line.
 */
import { mkdtemp, readFile, readdir, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { loadPipeline, type Registry } from "../../src/engine/pipeline.js";
import { runPipeline } from "../../src/engine/runner.js";
import type { StepDefinition } from "../../src/engine/step.js";
import { REPO_ROOT } from "../helpers/shared-data.js";
import { cli } from "./helpers.js";

interface RunJson {
  steps: { name: string; status: string; reason: string; key: string }[];
}

const stepModule = (dir: string, factor: number) => `import { z } from "zod";
import { defineStep } from "${relative(dir, resolve(REPO_ROOT, "src/engine/step.js"))}";
import { FACTOR_NOTE } from "./helper.js";

export const steps = [
  defineStep({
    type: "user.const",
    version: 1,
    description: "writes a constant times a factor (" + FACTOR_NOTE + ")",
    options: z.strictObject({ x: z.number().default(2) }),
    outputs: ["value"],
    source: import.meta.url,
    async run(ctx, _inputs, o) {
      await ctx.outputs.json("value", { value: o.x * ${factor} });
    },
  }),
];
`;

describe("--steps x.ts under the compiled CLI", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "somflow-user-steps-"));
    // A user's project sees somflow's packages (zod) through its own node_modules.
    await symlink(resolve(REPO_ROOT, "node_modules"), join(dir, "node_modules"));
    await writeFile(join(dir, "helper.ts"), `export const FACTOR_NOTE: string = "a helper module";\n`);
    await writeFile(join(dir, "steps.ts"), stepModule(dir, 3));
    await writeFile(join(dir, "p.yaml"), "name: user\nsteps:\n  c: { uses: user.const, with: { x: 5 } }\n");
  });

  const run = (store: string, steps = join(dir, "steps.ts")) =>
    cli(["run", join(dir, "p.yaml"), "--steps", steps, "--store", join(dir, store), "--json"]);
  const valueOf = async (store: string) => {
    const artifacts = (await readdir(join(dir, store, "artifacts"))).filter((n) => /^[0-9a-f]{64}$/.test(n));
    return JSON.parse(await readFile(join(dir, store, "artifacts", artifacts[0]!, "value.json"), "utf8")) as { value: number };
  };

  it("runs compiled, caches, and keys the step on its TypeScript sources as a source run does", async () => {
    const first = await run("st");
    expect(first.code, first.stderr).toBe(0);
    const c1 = (JSON.parse(first.stdout) as RunJson).steps[0]!;
    expect(c1.status).toBe("ran");
    expect(await valueOf("st")).toEqual({ value: 15 });
    const again = await run("st");
    expect((JSON.parse(again.stdout) as RunJson).steps[0]!.status).toBe("cached");

    // The same module loaded from source (vitest compiles it itself) finds the compiled run's artifact.
    const mod = (await import(pathToFileURL(join(dir, "steps.ts")).href)) as { steps: StepDefinition[] };
    const registry: Registry = new Map(mod.steps.map((d) => [d.type, d]));
    const fromSource = await runPipeline(await loadPipeline(join(dir, "p.yaml"), registry), { store: join(dir, "st") });
    expect(fromSource.steps[0]!.status).toBe("cached");
  }, 120_000);

  it("an edit to the module or to a file it imports reruns the step with the new code", async () => {
    expect((await run("st-edit")).code).toBe(0);
    await writeFile(join(dir, "steps.ts"), stepModule(dir, 4));
    const edited = await run("st-edit");
    expect(edited.code, edited.stderr).toBe(0);
    const c = (JSON.parse(edited.stdout) as RunJson).steps[0]!;
    expect(c.status).toBe("ran");
    expect(c.reason).toMatch(/steps\.ts/);
    const artifacts = (await readdir(join(dir, "st-edit", "artifacts"))).filter((n) => /^[0-9a-f]{64}$/.test(n));
    const values = await Promise.all(
      artifacts.map(async (a) => JSON.parse(await readFile(join(dir, "st-edit", "artifacts", a, "value.json"), "utf8")).value as number),
    );
    expect(values.sort()).toEqual([15, 20]);

    await writeFile(join(dir, "helper.ts"), `export const FACTOR_NOTE: string = "an edited helper";\n`);
    const helperEdited = await run("st-edit");
    const h = (JSON.parse(helperEdited.stdout) as RunJson).steps[0]!;
    expect(h.status).toBe("ran");
    expect(h.reason).toMatch(/helper\.ts/);
  }, 120_000);

  it("several processes starting together after an edit all run the edited code", async () => {
    await writeFile(join(dir, "steps.ts"), stepModule(dir, 5));
    const runs = await Promise.all(["p1", "p2", "p3"].map((s) => run(s)));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    for (const s of ["p1", "p2", "p3"]) expect(await valueOf(s)).toEqual({ value: 25 });
  }, 120_000);

  it("a module that does not compile: exit 2 naming the file and line", async () => {
    await writeFile(join(dir, "bad.ts"), `export const steps = [\n  { type: "x", \n  oops oops\n];\n`);
    const r = await run("st-bad", join(dir, "bad.ts"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--steps .*bad\.ts: cannot load step module/);
    expect(r.stderr).toMatch(/bad\.ts:3:\d+/);
  }, 60_000);
});
