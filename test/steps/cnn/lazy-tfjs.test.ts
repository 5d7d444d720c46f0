import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../../..");

describe("cnn steps load TensorFlow.js lazily", () => {
  it("importing the step registry (what `somflow dag` does) does not load tfjs", () => {
    // A fresh process: this test runner may have loaded tfjs already. tfjs-core registers its
    // engine as globalThis._tfengine when it loads.
    const script = [
      `await import(${JSON.stringify(resolve(ROOT, "src/steps/registry.ts"))});`,
      `const before = globalThis._tfengine !== undefined;`,
      `const { loadTfCore } = await import(${JSON.stringify(resolve(ROOT, "src/steps/cnn/tf-core.ts"))});`,
      `await loadTfCore();`,
      `console.log(JSON.stringify({ before, after: globalThis._tfengine !== undefined }));`,
    ].join("\n");
    const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    const last = out.trim().split("\n").pop()!;
    // The positive control (after) shows the check can see tfjs at all.
    expect(JSON.parse(last)).toEqual({ before: false, after: true });
  }, 60_000);
});
