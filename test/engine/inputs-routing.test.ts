/**
 * The step-level `inputs:` mapping: which needed step provides which output, for steps whose
 * needs provide the same output more than once (issue: "several needs provide "spectra"").
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { emptyArtifact, runStepInMemory } from "../../src/engine/memory-step.js";
import { parsePipeline, type Registry } from "../../src/engine/pipeline.js";
import { planPipeline } from "../../src/engine/plan.js";
import { runPipeline } from "../../src/engine/runner.js";
import { defineStep } from "../../src/engine/step.js";
import type { Table } from "../../src/core/table.js";
import { plsrStep } from "../../src/steps/baseline/plsr.js";
import { makeFixture } from "../steps/baseline/fixture.js";
import { steps } from "./fixtures/steps.js";

const sum = defineStep({
  type: "test.sum-numbers",
  version: 1,
  description: "sums the one `numbers` table it is given",
  options: z.strictObject({}),
  outputs: ["sum"],
  source: import.meta.url,
  async run(ctx, inputs) {
    const t = await inputs.find("numbers").table("numbers");
    await ctx.outputs.json("sum", { sum: (t.x as Float64Array).reduce((a, b) => a + b, 0), from: inputs.find("numbers").step });
  },
});
const registry: Registry = new Map([...steps, sum].map((s) => [s.type, s]));
const pipeline = (extra: string) => `name: routes
steps:
  a:
    uses: test.source
    with: {n: 3}
  c:
    uses: test.source
    with: {n: 2, offset: 100}
  total:
    uses: test.sum-numbers
    needs: [a, c]
${extra}`;
const newStore = async () => join(await mkdtemp(join(tmpdir(), "somflow-store-")), "store");

describe("inputs: routing of a step's named inputs", () => {
  it("without it, two needs providing one output fail and the error points at inputs:", async () => {
    const run = await runPipeline(parsePipeline("r.yaml", pipeline(""), registry), { store: await newStore() });
    const total = run.steps.find((s) => s.name === "total")!;
    expect(total.status).toBe("failed");
    expect(total.error).toContain('several needs provide "numbers" (a, c)');
    expect(total.error).toContain("inputs: {numbers: <step>}");
  });

  it("takes the output from the named step, and rerouting reruns the step with the reason", async () => {
    const store = await newStore();
    const run = await runPipeline(parsePipeline("r.yaml", pipeline("    inputs: {numbers: c}\n"), registry), { store });
    expect(run.status).toBe("ok");
    const again = await runPipeline(parsePipeline("r.yaml", pipeline("    inputs: {numbers: c}\n"), registry), { store });
    expect(again.steps.find((s) => s.name === "total")!.status).toBe("cached");
    const rerouted = parsePipeline("r.yaml", pipeline("    inputs: {numbers: a}\n"), registry);
    const plan = await planPipeline(rerouted, { store });
    expect(plan.find((p) => p.name === "total")!.reasons).toEqual(['inputs.numbers changed "c" -> "a"']);
    const third = await runPipeline(rerouted, { store });
    expect(third.steps.find((s) => s.name === "total")!.status).toBe("ran");
  });

  it("refuses, at validation, a route to a step that is not needed", () => {
    expect(() => parsePipeline("r.yaml", pipeline("    inputs: {numbers: b}\n"), registry)).toThrow(
      /inputs\.numbers: "b" is not in this step's needs \(a, c\)/,
    );
  });

  it("refuses at run time a route to a needed step that lacks the output", async () => {
    const text =
      pipeline("    inputs: {numbers: a}\n").replace("needs: [a, c]", "needs: [a, c, b]") +
      "  b:\n    uses: test.read\n    with: {path: package.json}\n";
    const routed = parsePipeline("r.yaml", text.replace("inputs: {numbers: a}", "inputs: {numbers: b}"), registry);
    const run = await runPipeline(routed, { store: await newStore(), only: ["total"] });
    expect(run.steps.find((s) => s.name === "total")!.error).toContain('inputs.numbers: step "b" has no output "numbers"');
  });

  it("baseline.plsr reads spectra from the routed input when two inputs provide spectra", async () => {
    const fx = makeFixture();
    const noisy = emptyArtifact();
    // a second `spectra` provider (e.g. the raw, unpreprocessed spectra): same ids, garbage values
    noisy.spectra.set(
      "spectra",
      fx.blocks.map((b) => ({ ...b, values: b.values.map((_, i) => Math.sin(i)) })),
    );
    const raw = { step: "raw", type: "ingest.table", artifact: noisy };
    await expect(runStepInMemory(plsrStep, { target: "c" }, [fx.input, raw])).rejects.toThrow(
      /several needs provide "spectra" \(prep, raw\)/,
    );
    const single = await runStepInMemory(plsrStep, { target: "c" }, [fx.input]);
    const routed = await runStepInMemory(plsrStep, { target: "c" }, [fx.input, raw], "plsr", { spectra: "prep", samples: "prep" });
    const a = single.artifact.tables.get("predictions") as Table;
    const b = routed.artifact.tables.get("predictions") as Table;
    expect(Array.from(b.predicted as Float64Array)).toEqual(Array.from(a.predicted as Float64Array));
    const other = await runStepInMemory(plsrStep, { target: "c" }, [fx.input, raw], "plsr", { spectra: "raw" });
    expect(Array.from(other.artifact.tables.get("predictions")!.predicted as Float64Array)).not.toEqual(
      Array.from(a.predicted as Float64Array),
    );
  });
});
