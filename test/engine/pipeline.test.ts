import { describe, expect, it } from "vitest";
import { parsePipeline, type Registry } from "../../src/engine/pipeline.js";
import { UsageError } from "../../src/engine/errors.js";
import { steps } from "./fixtures/steps.js";

const registry: Registry = new Map(steps.map((s) => [s.type, s]));

function errorOf(text: string, overrides: string[] = []): string {
  try {
    parsePipeline("p.yaml", text, registry, { overrides });
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).exitCode).toBe(2);
    return (e as Error).message;
  }
  throw new Error("expected a validation error");
}

const ok = `name: t
params:
  n: 4
  tag: x
  flag: true
steps:
  a:
    uses: test.source
    with:
      n: \${params.n}
  b:
    uses: test.scale
    needs: [a]
`;

describe("parsePipeline", () => {
  it("resolves params, defaults and topological order", () => {
    const p = parsePipeline("p.yaml", ok, registry);
    expect(p.steps.map((s) => s.name)).toEqual(["a", "b"]);
    expect(p.steps[0]!.options).toEqual({ n: 4, offset: 0 });
    expect(p.steps[1]!.options).toEqual({ factor: 2 });
  });

  it("applies typed --param overrides", () => {
    const p = parsePipeline("p.yaml", ok, registry, { overrides: ["n=7", "tag=y", "flag=false"] });
    expect(p.params).toEqual({ n: 7, tag: "y", flag: false });
    expect(p.steps[0]!.options).toMatchObject({ n: 7 });
  });

  it("rejects bad --param values and unknown params", () => {
    expect(errorOf(ok, ["n=abc"])).toMatch(/--param n=abc: expected a number/);
    expect(errorOf(ok, ["nope=1"])).toMatch(/declares no such param \(declared: n, tag, flag\)/);
    expect(errorOf(ok, ["flag=yes"])).toMatch(/expected true or false/);
    expect(errorOf(ok, ["n"])).toMatch(/expected name=value/);
  });

  it("reports malformed YAML with line and column", () => {
    expect(errorOf("name: t\nsteps:\n  a: [1, 2\n")).toMatch(/^p\.yaml:\d+:\d+: YAML syntax/);
  });

  it("lists known step types for an unknown one", () => {
    const msg = errorOf("name: t\nsteps:\n  a:\n    uses: test.nope\n");
    expect(msg).toContain("p.yaml:4:");
    expect(msg).toContain(
      'unknown step type "test.nope"; known types: test.hog, test.mixed, test.read, test.scale, test.source, test.total',
    );
  });

  it("names the key path and line of an unknown or ill-typed option", () => {
    const text = "name: t\nsteps:\n  a:\n    uses: test.source\n    with:\n      n: ten\n      colour: red\n";
    const msg = errorOf(text);
    expect(msg).toMatch(/p\.yaml:6:\d+ \(steps\.a\.with\.n\): test\.source: option "n"/);
    expect(msg).toMatch(/p\.yaml:7:\d+ \(steps\.a\.with\.colour\): test\.source: unknown option "colour"; options: n, offset/);
  });

  it("rejects a missing needs target, self-needs and cycles (naming the cycle)", () => {
    expect(errorOf("name: t\nsteps:\n  a:\n    uses: test.total\n    needs: [ghost]\n")).toMatch(
      /p\.yaml:5:\d+ \(steps\.a\.needs\.0\): needs "ghost", which is not a step/,
    );
    const cyc =
      "name: t\nsteps:\n  a:\n    uses: test.total\n    needs: [c]\n  b:\n    uses: test.total\n    needs: [a]\n  c:\n    uses: test.total\n    needs: [b]\n";
    expect(errorOf(cyc)).toMatch(/steps form a cycle: (a -> b -> c -> a|b -> c -> a -> b|c -> a -> b -> c)/);
  });

  it("rejects an unknown ${params.x}", () => {
    expect(errorOf("name: t\nsteps:\n  a:\n    uses: test.source\n    with:\n      n: ${params.size}\n")).toMatch(
      /p\.yaml:6:\d+ \(steps\.a\.with\.n\): unknown param "\$\{params\.size\}"/,
    );
  });

  it("rejects unknown top-level keys and bad step names", () => {
    expect(errorOf("name: t\nstep: {}\nsteps: {}\n")).toMatch(/Unrecognized key/i);
    expect(errorOf("name: t\nsteps:\n  9x:\n    uses: test.source\n")).toMatch(/step name "9x": start with a letter/);
  });
});
