import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "vitest";

/** The real MIR data laid beside the checkout (`../shared/data`); never copied into the repo. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const SHARED_DATA = resolve(REPO_ROOT, "../shared/data");

export function sharedDataPresent(): boolean {
  return existsSync(SHARED_DATA);
}

/**
 * `describe` for suites that need `../shared/data`: skipped with a visible message on a
 * user's fresh clone, but a hard failure under CI=true, where the data must be there.
 */
export function describeWithSharedData(name: string, fn: () => void): void {
  if (sharedDataPresent()) {
    describe(name, fn);
    return;
  }
  if (process.env.CI === "true") {
    throw new Error(`CI=true but the shared data folder ${SHARED_DATA} is missing: the real-data tests cannot run.`);
  }
  console.warn(`[skip] "${name}": ${SHARED_DATA} not found (real MIR data lives beside the checkout).`);
  // Not describe.skip(name, fn): vitest still runs a skipped suite's body to collect it, and
  // setup written there (copying fixtures) would fail without the data.
  describe.skip(name, () => it.skip(`needs ${SHARED_DATA}`, () => {}));
}

export function sharedPath(...parts: string[]): string {
  return resolve(SHARED_DATA, ...parts);
}
