/**
 * The compiled CLI: the bin runs dist/<stamp>/, rebuilds (atomically, once) when the sources
 * differ from every build, and cache keys still hash the TypeScript sources.
 */
import { spawn } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/shared-data.js";
import { COMMANDS } from "../../src/cli/main.js";
import { sourceFingerprint } from "../../src/engine/source-hash.js";

function node(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((res) => child.on("close", (code) => res({ code, stdout, stderr })));
}

/** A private copy of the CLI (bin, src, package.json) sharing node_modules, so its sources can be edited. */
async function copyOfCli(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "somflow-startup-"));
  for (const p of ["bin", "src", "package.json"]) await cp(resolve(REPO_ROOT, p), join(dir, p), { recursive: true });
  await symlink(resolve(REPO_ROOT, "node_modules"), join(dir, "node_modules"));
  return dir;
}

describe("compiled start-up", () => {
  it("--help lists every command from the static table", async () => {
    const r = await node([resolve(REPO_ROOT, "bin/somflow.mjs"), "--help"], REPO_ROOT);
    expect(r.code).toBe(0);
    for (const [name, { summary }] of Object.entries(COMMANDS)) expect(r.stdout).toContain(`${name.padEnd(8)} ${summary}`);
  }, 60_000);

  it("rebuilds when a source changes, once, even with several processes starting at once; never runs stale code", async () => {
    const dir = await copyOfCli();
    const bin = join(dir, "bin/somflow.mjs");
    expect((await node([bin, "--help"], dir)).stdout).toContain("run a pipeline; unchanged steps come from the cache");
    const [first] = await readdir(join(dir, "dist"));
    const main = join(dir, "src/cli/main.ts");
    await writeFile(main, (await readFile(main, "utf8")).replace("run a pipeline; unchanged", "run a pipeline (edited); unchanged"));
    const runs = await Promise.all(Array.from({ length: 4 }, () => node([bin, "--help"], dir)));
    for (const r of runs) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain("run a pipeline (edited); unchanged");
    }
    const builds = await readdir(join(dir, "dist"));
    expect(builds.filter((b) => b.startsWith(".tmp"))).toEqual([]); // no half-written build left
    expect(builds.filter((b) => b !== first)).toHaveLength(1);
  }, 120_000);

  it("a step compiled into dist hashes its TypeScript sources, exactly as when run from src", async () => {
    const built = (await node([resolve(REPO_ROOT, "bin/build.mjs")], REPO_ROOT)).stdout.trim();
    const fromDist = await import(pathToFileURL(resolve(REPO_ROOT, built, "engine/source-hash.js")).href);
    const distStep = pathToFileURL(resolve(REPO_ROOT, built, "steps/baseline/plsr.js")).href;
    const srcStep = pathToFileURL(resolve(REPO_ROOT, "src/steps/baseline/plsr.ts")).href;
    const fingerprint = fromDist.sourceFingerprint(distStep) as Record<string, string>;
    expect(Object.keys(fingerprint)).toContain("src/steps/baseline/plsr.ts");
    expect(Object.keys(fingerprint).every((f) => f.startsWith("src/") && f.endsWith(".ts"))).toBe(true);
    expect(fingerprint).toEqual(sourceFingerprint(srcStep));
    expect(fromDist.projectRoot()).toBe(REPO_ROOT);
  }, 60_000);
});
