import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expandMatrix, selectInstances } from "../../src/engine/matrix.js";
import { parsePipeline, type Registry } from "../../src/engine/pipeline.js";
import { runPipeline } from "../../src/engine/runner.js";
import { steps } from "./fixtures/steps.js";

const registry: Registry = new Map(steps.map((s) => [s.type, s]));
const newStore = async () => join(await mkdtemp(join(tmpdir(), "somflow-matrix-")), "store");
const statuses = (r: { steps: { name: string; status: string }[] }) => Object.fromEntries(r.steps.map((s) => [s.name, s.status]));

describe("expandMatrix", () => {
  it("expands every combination into ordinary steps with file-name-safe names and typed values", () => {
    const e = expandMatrix({
      a: { uses: "x" },
      train: {
        uses: "t",
        needs: ["a"],
        matrix: { fold: { range: 2 }, model: ["pls", "cnn"] },
        with: { test_fold: "${matrix.fold}", tag: "m-${matrix.model}-${matrix.fold}" },
      },
      predict: { uses: "p", needs: ["train"], matrix: { fold: [0, 1], model: ["pls", "cnn"] } },
      pool: { uses: "e", needs: ["train"], with: { pool: { cv: "train" } } },
    });
    expect(e.problems).toEqual([]);
    expect(Object.keys(e.steps)).toEqual([
      "a",
      "train.fold-0.model-pls",
      "train.fold-0.model-cnn",
      "train.fold-1.model-pls",
      "train.fold-1.model-cnn",
      "predict.fold-0.model-pls",
      "predict.fold-0.model-cnn",
      "predict.fold-1.model-pls",
      "predict.fold-1.model-cnn",
      "pool",
    ]);
    expect(e.steps["train.fold-1.model-cnn"]).toEqual({ uses: "t", needs: ["a"], with: { test_fold: 1, tag: "m-cnn-1" } });
    // a matrix step needing a matrix step with the same keys takes the matching instance only
    expect(e.steps["predict.fold-1.model-pls"]!.needs).toEqual(["train.fold-1.model-pls"]);
    // a plain step needing a matrix step takes all its instances
    expect(e.steps.pool!.needs).toHaveLength(4);
    expect(e.origin.get("train.fold-0.model-cnn")).toBe("train");
    expect(selectInstances("train.model-cnn", Object.keys(e.steps))).toEqual(["train.fold-0.model-cnn", "train.fold-1.model-cnn"]);
    expect(selectInstances("train", Object.keys(e.steps))).toHaveLength(4);
    expect(selectInstances("a", Object.keys(e.steps))).toEqual([]);
  });

  it("reports bad matrices with their key path, once per template", () => {
    const e = expandMatrix({
      t: { uses: "t", matrix: { fold: [0, 0.5, 0], "2x": [1] }, with: { k: "${matrix.nope}" } },
      u: { uses: "u", matrix: [1, 2] },
      v: { uses: "v", with: { k: "${matrix.fold}" } },
      w: { uses: "w", matrix: { fold: [] } },
    });
    const msgs = e.problems.map((p) => `${p.path.join(".")}: ${p.message}`);
    expect(msgs).toContain(
      "steps.t.matrix.fold.1: matrix.fold[1] = 0.5: values must be integers, booleans or words of letters, digits, _ - + (they become part of step names, where a dot separates keys: list an index and look the value up)",
    );
    expect(msgs).toContain("steps.t.matrix.fold.2: matrix.fold[2] = 0 is listed twice");
    expect(msgs.some((m) => m.startsWith('steps.t.matrix.2x: matrix key "2x"'))).toBe(true);
    expect(msgs.some((m) => m.startsWith("steps.u.matrix: matrix must be a mapping"))).toBe(true);
    expect(msgs).toContain('steps.v.with.k: "${matrix.fold}" is used but this step has no matrix');
    expect(msgs).toContain("steps.w.matrix.fold: matrix.fold is empty: list at least one value");
  });
});

const pipelineText = `name: m
steps:
  a:
    uses: test.source
    with:
      n: 4
  s:
    uses: test.scale
    needs: [a]
    matrix:
      factor: [1, 2, 3]
    with:
      factor: \${matrix.factor}
  bad:
    uses: test.total
    with:
      fail: true
  lenient:
    uses: test.total
    needs: [s, bad]
    needs_ok: any
  strict:
    uses: test.total
    needs: [s, bad]
`;

describe("matrix steps in a pipeline", () => {
  it("validation errors name file:line and the key path of the template", () => {
    const text = pipelineText.replace("factor: [1, 2, 3]", "factor: [1, 2.5]");
    expect(() => parsePipeline("m.yaml", text, registry)).toThrow(
      /m\.yaml:11:\d+ \(steps\.s\.matrix\.factor\.1\): matrix\.factor\[1\] = 2\.5/,
    );
    const badOpt = pipelineText.replace("factor: ${matrix.factor}", "factr: ${matrix.factor}");
    expect(() => parsePipeline("m.yaml", badOpt, registry)).toThrow(
      /m\.yaml:13:\d+ \(steps\.s\.with\.factr\): test\.scale: unknown option "factr"/,
    );
  });

  it("each instance is an ordinary cached step; needs_ok: any runs on what finished, the default skips", async () => {
    const p = parsePipeline("m.yaml", pipelineText, registry);
    expect(p.steps.map((s) => s.name).sort()).toEqual(["a", "bad", "lenient", "s.factor-1", "s.factor-2", "s.factor-3", "strict"]);
    expect(p.steps.find((s) => s.name === "lenient")!.needs).toEqual(["s.factor-1", "s.factor-2", "s.factor-3", "bad"]);
    const store = await newStore();
    const run = await runPipeline(p, { store, jobs: 2 });
    expect(statuses(run)).toMatchObject({
      a: "ran",
      "s.factor-1": "ran",
      "s.factor-2": "ran",
      "s.factor-3": "ran",
      bad: "failed",
      lenient: "ran",
      strict: "skipped",
    });
    expect(run.status).toBe("failed");
    // one more matrix value: only the new instance (and what reads it) runs
    const grown = parsePipeline("m.yaml", pipelineText.replace("[1, 2, 3]", "[1, 2, 3, 4]"), registry);
    const again = await runPipeline(grown, { store });
    expect(statuses(again)).toMatchObject({
      a: "cached",
      "s.factor-1": "cached",
      "s.factor-3": "cached",
      "s.factor-4": "ran",
      lenient: "ran",
    });
  });
});
