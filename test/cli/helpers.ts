import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { REPO_ROOT } from "../helpers/shared-data.js";

export const BIN = resolve(REPO_ROOT, "bin/somflow.mjs");
export const FIXTURE_STEPS = resolve(REPO_ROOT, "test/engine/fixtures/steps.ts");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function startCli(args: string[], env: Record<string, string> = {}, cwd = REPO_ROOT): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env, CI: "true", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

export function finish(child: ChildProcess): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  return new Promise((res) => child.on("close", (code, signal) => res({ code, signal, stdout, stderr })));
}

export const cli = (args: string[], env: Record<string, string> = {}, cwd?: string) => finish(startCli(args, env, cwd));
