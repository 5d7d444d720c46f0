/**
 * Builds the Observable Framework report (reports/) for one run, offline.
 *
 * Framework 1.13 reaches for the network in a few places even when a project imports
 * nothing from a CDN; this module closes each of them before it spawns `observable build`:
 * - it asks registry.npmjs.org for the "latest" version of ~15 optional client libraries
 *   while bundling its stdlib: empty `<src>/.observablehq/cache/_npm/<name>@<version>/`
 *   directories answer that question from the cache;
 * - vega-lite 5.23's ESM source has `import ... from '.'`, which Framework's node-module
 *   bundler resolves as a package and fails on ("Cannot find module .../build/build/vega-lite.js"):
 *   we pre-bundle vega-lite with esbuild into Framework's `_node` cache, where it is found first;
 * - loader output is cached by the loader's mtime only, so a build for another run would reuse
 *   the last run's JSON: loader outputs are removed before each build;
 * - telemetry is disabled; the config has no web fonts and no search index.
 * After the build, every built page and script is checked for URLs to other hosts.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, open, readdir, readFile, realpath, rm, stat, unlink, writeFile } from "node:fs/promises";
import { basename, delimiter, dirname, extname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { projectRoot } from "../engine/source-hash.js";

/** The repository root (from src/report/ or from the compiled dist/<stamp>/report/). */
export const REPO_ROOT = projectRoot();

/**
 * Optional client libraries whose "latest" version Framework 1.13.4 looks up while bundling
 * its stdlib (seen as `npm:<name>@latest →` lines). The versions only name cache folders.
 */
export const FRAMEWORK_NPM_PLACEHOLDERS: readonly string[] = [
  "@observablehq/plot@0.6.17",
  "@observablehq/sample-datasets@1.0.1",
  "apache-arrow@21.2.0",
  "arquero@8.0.3",
  "d3@7.9.2",
  "d3-dsv@3.0.2",
  "echarts@6.1.0",
  "htl@1.0.0",
  "leaflet@1.9.4",
  "lodash@4.18.1",
  "mapbox-gl@3.32.0",
  "parquet-wasm@0.8.0",
  "react@19.3.1",
  "react-dom@19.3.1",
  "topojson-client@3.1.0",
];

export const REPORT_PAGES: readonly string[] = ["index.html", "metrics.html", "harmonization.html", "imputation.html"];

export interface BuildReportOptions {
  /** The Framework project (holds observablehq.config.js); default <repo>/reports. */
  root?: string;
  /** Where the static site goes (created; replaced if it holds an earlier build). */
  output: string;
  /** Passed to the loaders: SOMFLOW_STORE, SOMFLOW_RUN, SOMFLOW_PIPELINE or SOMFLOW_RUN_MANIFEST. */
  env?: Record<string, string | undefined>;
  /** Files copied into <output>/downloads/ and linked from the pages (e.g. the hybrid export). */
  downloads?: readonly string[];
  /** Receives Framework's output as it comes (default: kept, returned on failure only). */
  log?: (chunk: string) => void;
  /** Kill the build after this long (default 10 minutes). */
  timeoutMs?: number;
}

export interface BuildReportResult {
  output: string;
  seconds: number;
  pages: string[];
  /** Bytes of each page's data JSON in the built site. */
  dataBytes: Record<string, number>;
}

export class ReportBuildError extends Error {
  override readonly name = "ReportBuildError";
}

async function nodeModulesFor(dir: string): Promise<string> {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, "node_modules", "@observablehq", "framework"))) return join(d, "node_modules");
    if (dirname(d) === d) break;
  }
  throw new ReportBuildError(`@observablehq/framework is not installed above ${dir}: run npm install`);
}

/** Exclusive lock on the project's cache (two builds at once would mix their loader outputs). */
async function lock(path: string, timeoutMs: number): Promise<() => Promise<void>> {
  await mkdir(dirname(path), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = await open(path, "wx");
      await fd.writeFile(String(process.pid));
      await fd.close();
      return () => unlink(path).catch(() => undefined);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const pid = Number(await readFile(path, "utf8").catch(() => ""));
      let alive = false;
      if (pid > 0) {
        try {
          process.kill(pid, 0);
          alive = true;
        } catch {
          alive = false;
        }
      }
      if (!alive) {
        await unlink(path).catch(() => undefined);
        continue;
      }
      if (Date.now() > deadline) throw new ReportBuildError(`another report build (pid ${pid}) holds ${path}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

/** Prepares Framework's cache so the build needs no network. */
export async function prepareFrameworkCache(srcRoot: string, nodeModules: string): Promise<void> {
  const cache = join(srcRoot, ".observablehq", "cache");
  await mkdir(cache, { recursive: true });
  // loader outputs (everything not under a "_" folder) belong to the previous build's run
  for (const entry of await readdir(cache)) {
    if (!entry.startsWith("_")) await rm(join(cache, entry), { recursive: true, force: true });
  }
  for (const spec of FRAMEWORK_NPM_PLACEHOLDERS) await mkdir(join(cache, "_npm", spec), { recursive: true });
  const vl = JSON.parse(await readFile(join(nodeModules, "vega-lite", "package.json"), "utf8")) as { version: string };
  const target = join(cache, "_node", `vega-lite@${vl.version}`, "index.js");
  if (!existsSync(target)) {
    const { build } = await import("esbuild");
    const result = await build({
      entryPoints: [join(nodeModules, "vega-lite", "build", "src", "index.js")],
      bundle: true,
      format: "esm",
      platform: "browser",
      target: ["es2022"],
      minify: true,
      write: false,
      // vega-lite takes only vega-util's helpers from "vega": keep the bundle self-contained
      alias: { vega: "vega-util" },
      absWorkingDir: dirname(nodeModules),
      logLevel: "silent",
    });
    const text = result.outputFiles[0]?.text;
    if (!text) throw new ReportBuildError("esbuild produced no vega-lite bundle");
    await mkdir(dirname(target), { recursive: true });
    await writeFile(`${target}.${process.pid}`, text);
    const { rename } = await import("node:fs/promises");
    await rename(`${target}.${process.pid}`, target);
  }
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else out.push(p);
  }
  return out;
}

/** `src`/`href` attributes and module imports that point at another host. */
export function externalReferences(text: string, kind: "html" | "js"): string[] {
  const found: string[] = [];
  const patterns =
    kind === "html"
      ? [/\b(?:src|href)\s*=\s*["']?((?:https?:)?\/\/[^"'\s>]+)/gi]
      : [
          /\bimport\s*(?:[\w*{}\s,$]*\bfrom\s*)?["']((?:https?:)?\/\/[^"']+)["']/g,
          /\bimport\s*\(\s*["']((?:https?:)?\/\/[^"']+)["']\s*\)/g,
        ];
  for (const re of patterns) for (const m of text.matchAll(re)) if (m[1]) found.push(m[1]);
  return found;
}

async function checkOutput(output: string): Promise<{ pages: string[]; dataBytes: Record<string, number> }> {
  const files = await listFiles(output);
  const bad: string[] = [];
  for (const f of files) {
    const ext = extname(f);
    if (ext !== ".html" && ext !== ".js") continue;
    for (const url of externalReferences(await readFile(f, "utf8"), ext === ".html" ? "html" : "js"))
      bad.push(`${relative(output, f)}: ${url}`);
  }
  if (bad.length) throw new ReportBuildError(`the built report refers to other hosts:\n  ${bad.slice(0, 20).join("\n  ")}`);
  const pages = REPORT_PAGES.filter((p) => files.includes(join(output, p)));
  const missing = REPORT_PAGES.filter((p) => !pages.includes(p));
  if (missing.length) throw new ReportBuildError(`the build wrote no ${missing.join(", ")}`);
  const dataBytes: Record<string, number> = {};
  for (const f of files) {
    const m = /^(overview|metrics|harmonization|imputation)\.[0-9a-f]+\.json$/.exec(basename(f));
    if (m?.[1] && f.includes(`${join("_file", "data")}`)) dataBytes[m[1]] = (await stat(f)).size;
  }
  return { pages, dataBytes };
}

/** Builds the report; throws ReportBuildError (with Framework's output) when anything fails. */
/**
 * The command that serves a built report (browsers refuse its scripts and data from file://);
 * any static server works, the pages link to each other as `*.html`.
 */
export function serveCommand(output: string, port = 8000): string {
  const q = /^[\w./:@%+=-]+$/.test(output) ? output : `'${output.replaceAll("'", "'\\''")}'`;
  return `python3 -m http.server ${port} -d ${q}   (or: npx http-server ${q} -p ${port}), then open http://localhost:${port}/`;
}

export async function buildReport(options: BuildReportOptions): Promise<BuildReportResult> {
  const started = performance.now();
  const root = resolve(options.root ?? join(REPO_ROOT, "reports"));
  const output = resolve(options.output);
  const srcRoot = join(root, "src");
  const nodeModules = await nodeModulesFor(root);
  if (output === root || root.startsWith(output + "/") || output === REPO_ROOT) {
    throw new ReportBuildError(`refusing to build into ${output}: it holds the report's sources`);
  }
  if (existsSync(output)) {
    const entries = await readdir(output);
    if (entries.length > 0 && !entries.includes("_observablehq")) {
      throw new ReportBuildError(`${output} is not empty and holds no earlier report: choose another output folder`);
    }
  }
  const timeoutMs = options.timeoutMs ?? 600_000;
  const unlock = await lock(join(srcRoot, ".observablehq", "build.lock"), timeoutMs);
  let log = "";
  try {
    await prepareFrameworkCache(srcRoot, nodeModules);
    await rm(output, { recursive: true, force: true });
    const downloads = [];
    for (const f of options.downloads ?? []) downloads.push({ path: resolve(f), name: basename(f), bytes: (await stat(f)).size });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...options.env,
      // loaders are TypeScript run by `tsx`, which Framework finds on PATH
      PATH: [join(nodeModules, ".bin"), process.env["PATH"] ?? ""].join(delimiter),
      OBSERVABLE_TELEMETRY_DISABLE: "true",
      SOMFLOW_REPORT_OUTPUT: output,
      SOMFLOW_REPORT_DOWNLOADS: JSON.stringify(downloads.map(({ name, bytes }) => ({ name, bytes }))),
      NO_COLOR: "1",
      FORCE_COLOR: "0",
    };
    const bin = await realpath(join(nodeModules, ".bin", "observable"));
    const code = await new Promise<number | null>((resolveCode, reject) => {
      const child = spawn(process.execPath, [bin, "build"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
      const timer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
      const onData = (b: Buffer) => {
        const s = b.toString();
        log += s;
        options.log?.(s);
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      child.on("error", reject);
      child.on("close", (c) => {
        clearTimeout(timer);
        resolveCode(c);
      });
    });
    const tail = log.split("\n").slice(-40).join("\n");
    if (code !== 0) throw new ReportBuildError(`observable build exited with code ${code}:\n${tail}`);
    if (/ENOTFOUND|unable to fetch|loader exited with code/i.test(log)) {
      throw new ReportBuildError(`observable build reported errors:\n${tail}`);
    }
    if (downloads.length) {
      await mkdir(join(output, "downloads"), { recursive: true });
      for (const d of downloads) await copyFile(d.path, join(output, "downloads", d.name));
    }
    const { pages, dataBytes } = await checkOutput(output);
    return { output, pages, dataBytes, seconds: (performance.now() - started) / 1000 };
  } finally {
    await unlock();
  }
}

// `node --import tsx src/report/build.ts <output> [download...]`: builds with the run chosen
// by SOMFLOW_STORE / SOMFLOW_RUN / SOMFLOW_PIPELINE (or SOMFLOW_RUN_MANIFEST).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [out = join(REPO_ROOT, "reports", "dist"), ...downloads] = process.argv.slice(2);
  buildReport({ output: out, downloads, log: (s) => process.stderr.write(s) }).then(
    (r) => console.log(`report built in ${r.seconds.toFixed(1)} s: ${r.output}`),
    (e: Error) => {
      console.error(e.message);
      process.exitCode = 1;
    },
  );
}
