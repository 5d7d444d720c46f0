// Vitest config for mutation testing (scripts/mutation.mjs): the same settings as
// vitest.config.ts, but only the test files named in MUTATION_TESTS (comma-separated globs),
// the fast unit tests of the module under mutation, so each mutant runs in seconds.
import { defineConfig } from "vitest/config";
import base from "./vitest.config.js";

const include = (process.env.MUTATION_TESTS ?? "").split(",").filter(Boolean);
if (include.length === 0) throw new Error("vitest.mutation.config.ts: set MUTATION_TESTS (run it through `npm run test:mutation`)");

export default defineConfig({ ...base, test: { ...base.test, include } });
