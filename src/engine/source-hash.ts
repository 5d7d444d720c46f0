/**
 * What a step's code is: the hash of its module and of every project module it imports,
 * followed transitively through relative imports. Editing a shared helper therefore
 * invalidates exactly the steps that import it. Package versions come from node_modules.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256 } from "./hash.js";

/**
 * The repository root: the nearest folder above this module with a package.json — the same
 * from src/engine/ (tsx, vitest) and from the compiled dist/<stamp>/engine/ (bin/build.mjs).
 */
function findRoot(from: string): string {
  for (let d = from; ; d = dirname(d)) {
    if (existsSync(resolve(d, "package.json"))) return d;
    if (dirname(d) === d) throw new Error(`no package.json above ${from}`);
  }
}

const PROJECT_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));
const DIST_MODULE = /^dist\/[^/]+\/(.+)\.js$/;

/**
 * A compiled module (dist/<stamp>/steps/x.js) stands for its TypeScript source
 * (src/steps/x.ts): cache keys hash the sources, whichever of the two is running.
 */
function sourceOf(file: string): string {
  const m = DIST_MODULE.exec(relative(PROJECT_ROOT, file).split(sep).join("/"));
  if (!m) return file;
  const ts = resolve(PROJECT_ROOT, "src", `${m[1]}.ts`);
  if (!existsSync(ts)) throw new Error(`${file} is compiled from ${ts}, which does not exist: rebuild with \`node bin/build.mjs\``);
  return ts;
}
const IMPORT = /(?:import|export)\s[^'";]*?from\s*["'](\.[^"']+)["']|import\(\s*["'](\.[^"']+)["']\s*\)/g;

const fileCache = new Map<string, Record<string, string>>();
/** Each file read once per process, whichever entries share it: its hash and the files it imports. */
const moduleCache = new Map<string, { hash: string; imports: string[] }>();

function resolveModule(fromFile: string, spec: string): string | null {
  const base = resolve(dirname(fromFile), spec);
  const candidates = [base, base.replace(/\.js$/, ".ts"), `${base}.ts`, resolve(base, "index.ts")];
  return candidates.find((c) => existsSync(c) && !c.endsWith("/")) ?? null;
}

function moduleInfo(file: string): { hash: string; imports: string[] } {
  let info = moduleCache.get(file);
  if (!info) {
    const text = readFileSync(file, "utf8");
    const imports: string[] = [];
    for (const m of text.matchAll(IMPORT)) {
      const target = resolveModule(file, (m[1] ?? m[2])!);
      // Wherever it lies: a user's step module outside this package keys on its own helpers too.
      if (target) imports.push(target);
    }
    info = { hash: sha256(text), imports };
    moduleCache.set(file, info);
  }
  return info;
}

/** { project-relative path: sha256 } for the module and everything it imports in the project. */
export function sourceFingerprint(moduleUrl: string): Record<string, string> {
  const entry = sourceOf(moduleUrl.startsWith("file:") ? fileURLToPath(moduleUrl) : moduleUrl);
  const cached = fileCache.get(entry);
  if (cached) return cached;
  const out: Record<string, string> = {};
  const visit = (file: string) => {
    const rel = relative(PROJECT_ROOT, file);
    if (rel in out) return;
    const { hash, imports } = moduleInfo(file);
    out[rel] = hash;
    for (const target of imports) visit(target);
  };
  visit(entry);
  const sorted = Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
  fileCache.set(entry, sorted);
  return sorted;
}

const require = createRequire(import.meta.url);

/** Installed version of each package (`missing` when not installed, e.g. optional tfjs-node). */
export function packageVersions(names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of [...names].sort()) {
    try {
      const pkgFile = resolve(PROJECT_ROOT, "node_modules", name, "package.json");
      const pkg = JSON.parse(readFileSync(existsSync(pkgFile) ? pkgFile : require.resolve(`${name}/package.json`), "utf8"));
      out[name] = String(pkg.version);
    } catch {
      out[name] = "missing";
    }
  }
  return out;
}

export function projectRoot(): string {
  return PROJECT_ROOT;
}
