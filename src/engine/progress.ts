/**
 * How a run talks to people, as an interface the CLI injects (src/cli/progress.ts draws it
 * on a terminal); the engine itself never writes to the terminal.
 */
import type { ProgressHandle } from "./step.js";

export interface Reporter {
  stepStarted(step: string, type: string, reason: string): void;
  stepFinished(step: string, status: "ran" | "cached" | "failed" | "skipped", seconds: number, reason: string): void;
  log(step: string, message: string): void;
  progress(step: string, label: string, total: number, unit: string): ProgressHandle;
  close(): void;
}

/** A reporter that prints nothing (library use, `--json`, tests). */
export const silentReporter: Reporter = {
  stepStarted() {},
  stepFinished() {},
  log() {},
  progress: () => ({ tick() {}, done() {} }),
  close() {},
};
