/**
 * The import rules of the README's Architecture table, checked on every module of src/.
 * A rule is a list of what a layer may import; anything else fails with the offending line.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const SRC = join(ROOT, "src");
const IMPORT = /(?:^|\n)\s*(?:import|export)\s(type\s)?[^'";]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

interface Edge {
  file: string; // src-relative, e.g. engine/runner.ts
  target: string; // src-relative module, or "node:fs", or an npm package
  typeOnly: boolean;
  /** A module of this project (a relative import), not a package or built-in. */
  local: boolean;
}

function modules(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? modules(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

function edges(): Edge[] {
  return modules().flatMap((abs) => {
    const file = relative(SRC, abs);
    return [...readFileSync(abs, "utf8").matchAll(IMPORT)].map((m) => {
      const spec = (m[2] ?? m[3])!;
      const target = spec.startsWith(".") ? relative(SRC, resolve(dirname(abs), spec)).replace(/\.js$/, ".ts") : spec;
      return { file, target, typeOnly: Boolean(m[1]), local: spec.startsWith(".") };
    });
  });
}

const layer = (p: string) => p.split("/")[0]!;
/** Node built-ins that touch the machine: files, processes, threads, the module loader. */
const IO = /^node:(fs|fs\/promises|child_process|worker_threads|module|net|http|https|os|url|path)$/;

/** What steps may use of the engine: the step API, its errors, and matrix instance names (pooling a step matrix). */
const STEP_API = ["engine/step.ts", "engine/errors.ts", "engine/matrix.ts"];

/** One rule per layer: returns why an edge breaks it, or null. */
const RULES: Record<string, (e: Edge) => string | null> = {
  // Shared table definitions: the bottom, imports nothing of the project.
  contracts: (e) => (e.local ? "contracts import nothing from the project" : null),
  // Pure numeric core: itself and the contracts; no file I/O, processes or worker threads.
  core: (e) => {
    if (IO.test(e.target)) return "core does no I/O (files, workers, processes): put it in src/runtime/";
    if (e.local && !["core", "contracts"].includes(layer(e.target))) return "core imports only core and contracts";
    return null;
  },
  // Backends, worker threads and model files: core and contracts below it.
  runtime: (e) =>
    e.local && !["runtime", "core", "contracts"].includes(layer(e.target)) ? "runtime imports only runtime, core, contracts" : null,
  // File formats: parsing and assembling input files.
  formats: (e) =>
    e.local && !["formats", "core", "contracts"].includes(layer(e.target)) ? "formats import only formats, core, contracts" : null,
  // The engine knows nothing about soil: itself, the contracts, and core's generic Table type.
  engine: (e) => {
    if (!e.local || ["engine", "contracts"].includes(layer(e.target))) return null;
    if (e.target === "core/table.ts") return null;
    return "the engine imports only engine, contracts and core/table.ts (never steps, formats, runtime, report or soil-specific core)";
  },
  // Steps: the engine's step API, core, runtime, formats, contracts, shared step helpers and their own folder.
  steps: (e) => {
    if (!e.local) return null;
    const l = layer(e.target);
    if (["core", "runtime", "formats", "contracts"].includes(l)) return null;
    if (l === "engine") return STEP_API.includes(e.target) ? null : `steps use only the engine's step API (${STEP_API.join(", ")})`;
    if (l !== "steps") return `steps do not import ${l}`;
    const from = e.file.split("/")[1]!;
    const to = e.target.split("/")[1]!;
    if (["steps/registry.ts", "steps/lazy-registry.ts"].includes(e.file) || to === "shared" || from === to) return null;
    return `a step imports another step's internals (steps/${to}): move shared helpers to src/steps/shared/`;
  },
  // The report reads runs through the engine's store and query API and the contracts.
  report: (e) => {
    if (!e.local) return null;
    const l = layer(e.target);
    // core/table.ts: the Table type; physical-range.ts: the one definition of an impossible value
    if (["report", "contracts"].includes(l) || ["core/table.ts", "core/chemometrics/physical-range.ts"].includes(e.target)) return null;
    if (l === "engine")
      return /^engine\/(queries|run-record|source-hash|store\/[\w-]+)\.ts$/.test(e.target)
        ? null
        : "the report uses only the engine's store/query API";
    return `the report does not import ${l}`;
  },
  // The command line: engine, step registry, report; nothing below the engine directly.
  cli: (e) => {
    if (!e.local) return null;
    const l = layer(e.target);
    if (["cli", "engine", "contracts", "report"].includes(l) || ["steps/registry.ts", "steps/lazy-registry.ts"].includes(e.target))
      return null;
    return `the CLI does not import ${e.target}`;
  },
};

describe("architecture: import boundaries", () => {
  const all = edges();

  it("every module of src/ belongs to a layer with a rule", () => {
    expect([...new Set(all.map((e) => layer(e.file)))].filter((l) => !(l in RULES))).toEqual([]);
  });

  it("no import breaks the rules", () => {
    const broken = all.flatMap((e) => {
      const why = RULES[layer(e.file)]!(e);
      return why ? [`src/${e.file} -> ${e.target}: ${why}`] : [];
    });
    expect(broken).toEqual([]);
  });

  it("the rules catch a broken import (the checker is not vacuous)", () => {
    expect(RULES.engine!({ file: "engine/x.ts", target: "steps/cnn/train.ts", typeOnly: false, local: true })).not.toBeNull();
    expect(RULES.engine!({ file: "engine/x.ts", target: "core/stats/metrics.ts", typeOnly: true, local: true })).not.toBeNull();
    expect(RULES.core!({ file: "core/x.ts", target: "node:fs/promises", typeOnly: false, local: false })).not.toBeNull();
    expect(RULES.steps!({ file: "steps/cnn/train.ts", target: "steps/baseline/plsr.ts", typeOnly: false, local: true })).not.toBeNull();
    expect(RULES.report!({ file: "report/x.ts", target: "steps/registry.ts", typeOnly: false, local: true })).not.toBeNull();
    expect(all.length).toBeGreaterThan(300);
  });
});
