#!/usr/bin/env node
/**
 * The compiled CLI: esbuild transpiles every module of src/ one to one (no bundling, so each
 * step module keeps its own `import.meta.url`) into dist/<stamp>/, where <stamp> is a hash of
 * the sources, this file and esbuild's version. Staleness is decided by that content hash,
 * never by mtimes (unreliable on network filesystems). A build is written to a private temp
 * folder and renamed into place, so several processes starting at once (SLURM array jobs on a
 * shared filesystem) never see a half-written build and never run code older than the sources.
 *
 *   node bin/build.mjs [--clean]   build if needed; prints the folder. --clean (the package's
 *                                  `prepare` script: install and pack time) removes every other build
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SRC = join(ROOT, "src");
const DIST = join(ROOT, "dist");
/** Written last into a finished build: a folder without it is never used. */
const MARK = "BUILD-STAMP";

function sourceFiles(dir = SRC) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (e.name.endsWith(".ts")) out.push(p);
  }
  return out.sort();
}

function esbuildVersion() {
  return JSON.parse(readFileSync(join(ROOT, "node_modules", "esbuild", "package.json"), "utf8")).version;
}

/** Hash of what the build is made from: every src/**.ts (path and content), this file, esbuild's version. */
export function sourceStamp() {
  const h = createHash("sha256");
  h.update(readFileSync(fileURLToPath(import.meta.url)));
  h.update(`esbuild ${esbuildVersion()}\0`);
  for (const f of sourceFiles()) {
    h.update(`${relative(ROOT, f)}\0`);
    h.update(readFileSync(f));
    h.update("\0");
  }
  return h.digest("hex").slice(0, 16);
}

/** The folder of the build for the current sources, or null when there is none yet. */
export function currentBuild(stamp = sourceStamp()) {
  const dir = join(DIST, stamp);
  return existsSync(join(dir, MARK)) ? dir : null;
}

/** Builds dist/<stamp>/ unless it exists; returns its folder. Safe to call from many processes at once. */
export async function ensureBuild(stamp = sourceStamp()) {
  const done = currentBuild(stamp);
  if (done) return done;
  const target = join(DIST, stamp);
  await mkdir(DIST, { recursive: true });
  const tmp = join(DIST, `.tmp-${stamp}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  try {
    const { build } = await import("esbuild");
    await build({
      entryPoints: sourceFiles(),
      outdir: tmp,
      outbase: SRC,
      format: "esm",
      platform: "node",
      target: "node20",
      bundle: false,
      logLevel: "error",
    });
    await writeFile(join(tmp, MARK), `${stamp}\n`);
    try {
      await rename(tmp, target);
    } catch (e) {
      // Another process finished the same build first: use theirs.
      if (!existsSync(join(target, MARK))) throw e;
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  await pruneOldBuilds(stamp);
  return target;
}

/**
 * Removes builds of other sources older than `maxAgeMs` (by default a day: a process started on
 * one may still be loading modules from it).
 */
export async function pruneOldBuilds(keep, maxAgeMs = 24 * 3600 * 1000) {
  const dayAgo = Date.now() - maxAgeMs;
  for (const name of await readdir(DIST)) {
    if (name === keep) continue;
    const p = join(DIST, name);
    try {
      if ((await stat(p)).mtimeMs < dayAgo) await rm(p, { recursive: true, force: true });
    } catch {
      // Removed by another process meanwhile.
    }
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = await ensureBuild();
  if (process.argv.includes("--clean")) await pruneOldBuilds(relative(DIST, dir), -1);
  console.log(relative(ROOT, dir));
}
