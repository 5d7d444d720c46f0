import { describe, expect, it } from "vitest";
import { STEP_LOADERS } from "../../src/steps/lazy-registry.js";
import { builtinSteps } from "../../src/steps/registry.js";

describe("lazy step registry", () => {
  it("names every built-in step type, and each loader gives that step's definition", async () => {
    const builtin = builtinSteps();
    expect(Object.keys(STEP_LOADERS).sort()).toEqual(builtin.map((d) => d.type).sort());
    for (const def of builtin) expect(await STEP_LOADERS[def.type]!()).toBe(def);
  });
});
