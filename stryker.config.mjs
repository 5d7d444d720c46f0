// Mutation testing (StrykerJS): `npm run test:mutation` runs every module below,
// `npm run test:mutation -- stats` one of them. Not part of `npm test` (too slow for every
// run); see README "Tests" for when to run it. Incremental: each module keeps its last result
// in mutation/<module>.json (committed), so a rerun only tests mutants in changed code or
// covered by changed tests.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation.config.ts", related: false },
  // The TypeScript checker drops mutants that do not compile (they are not counted). It cost
  // ~3× the test time per mutant here; STRYKER_NO_TSCHECK=1 skips it (such mutants then run
  // as plain JS and are mostly killed by a runtime error).
  checkers: process.env.STRYKER_NO_TSCHECK === "1" ? [] : ["typescript"],
  tsconfigFile: "tsconfig.json",
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: "perTest",
  // Static mutants (module-level initializers) need every test of the module per mutant; on
  // this small shared host they took two thirds of the time. STRYKER_STATIC=1 includes them.
  ignoreStatic: process.env.STRYKER_STATIC !== "1",
  // The host is small and shared: one or two test processes.
  concurrency: Number(process.env.STRYKER_CONCURRENCY ?? 1),
  incremental: true,
  // Set per module by scripts/mutation.mjs.
  incrementalFile: "mutation/all.json",
  mutate: ["src/core/stats/**/*.ts"], // overridden per module by scripts/mutation.mjs
  // .stryker-tmp: other modules' sandboxes (scripts/mutation.mjs puts each in .stryker-tmp/<module>)
  ignorePatterns: ["reports/dist", ".somflow", "test-output", "data", "mutation", ".stryker-tmp"],
  reporters: ["clear-text", "progress"],
  timeoutMS: 10_000, // over the test's own time; a mutant that loops forever costs this much
  timeoutFactor: 2,
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
