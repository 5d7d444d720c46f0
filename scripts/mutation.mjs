#!/usr/bin/env node
// Runs Stryker on the modules whose errors change published numbers, one module at a time
// (each with its own incremental file, so one module's run does not forget another's).
//   node scripts/mutation.mjs            all modules
//   node scripts/mutation.mjs stats cues one or more modules by name
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";

// Each module: the files mutated and the unit tests that run against the mutants (the
// fast tests of that module; the step/CLI tests are too slow to run per mutant here).
export const MODULES = {
  stats: {
    mutate: ["src/core/stats/**/*.ts"],
    tests: ["test/core/stats/**/*.test.ts", "test/core/cnn/uncertainty.test.ts", "test/core/chemometrics/pls.test.ts"],
  },
  chemometrics: {
    mutate: ["src/core/chemometrics/**/*.ts"],
    tests: ["test/core/chemometrics/**/*.test.ts"],
  },
  // Outlier QC and inter-laboratory harmonization (chemometrics applied): their own module and
  // incremental file, so they can run beside chemometrics on a small host.
  "qc-harmonize": {
    mutate: ["src/core/qc/**/*.ts", "src/core/harmonize/**/*.ts"],
    tests: ["test/core/qc/**/*.test.ts", "test/core/harmonize/**/*.test.ts"],
  },
  impute: { mutate: ["src/core/impute/**/*.ts"], tests: ["test/core/impute/**/*.test.ts"] },
  formats: {
    mutate: ["src/formats/**/*.ts"],
    tests: ["test/formats/**/*.test.ts", "test/catalogue/**/*.test.ts", "test/steps/ingest/**/*.test.ts"],
  },
  split: {
    // the split code: the step options and the core assignment (also part of "stats")
    mutate: ["src/steps/shared/split-options.ts", "src/core/stats/split.ts", "src/core/stats/folds.ts", "src/core/stats/keyed.ts"],
    tests: [
      "test/steps/split-options.test.ts",
      "test/core/stats/split.test.ts",
      "test/core/stats/kfolds.test.ts",
      "test/core/stats/folds*.test.ts",
      "test/core/stats/split-*.test.ts",
      "test/core/stats/keyed.test.ts",
      "test/steps/shared/split-options*.test.ts",
    ],
  },
  "cache-key": {
    mutate: ["src/engine/cues.ts", "src/engine/hash.ts"],
    tests: ["test/engine/cues*.test.ts"],
  },
};

const asked = process.argv.slice(2);
const unknown = asked.filter((m) => !(m in MODULES));
if (unknown.length) {
  console.error(`unknown module(s) ${unknown.join(", ")}: choose from ${Object.keys(MODULES).join(", ")}`);
  process.exit(2);
}
mkdirSync("mutation", { recursive: true });
let failed = 0;
for (const name of asked.length ? asked : Object.keys(MODULES)) {
  const m = MODULES[name];
  const mutate = process.env.STRYKER_MUTATE ?? m.mutate.join(",");
  const tests = process.env.STRYKER_TESTS ?? m.tests.join(",");
  console.log(`\n=== mutation testing: ${name} (${mutate}; tests ${tests}) ===`);
  const r = spawnSync(
    "npx",
    [
      "stryker",
      "run",
      "stryker.config.mjs",
      // STRYKER_MUTATE narrows a module to some of its files (a partial run, same incremental file).
      "--mutate",
      mutate,
      "--incrementalFile",
      `mutation/${name}.json`,
      // one sandbox folder per module, so modules can run side by side
      "--tempDirName",
      `.stryker-tmp/${name}`,
      // STRYKER_FORCE=1: test every mutant again, ignoring the incremental file
      ...(process.env.STRYKER_FORCE === "1" ? ["--force"] : []),
    ],
    // STRYKER_TESTS narrows the tests the same way (e.g. leave out a module's slow or flaky ones).
    { stdio: "inherit", env: { ...process.env, MUTATION_TESTS: tests } },
  );
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
