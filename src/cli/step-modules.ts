/**
 * Loading a user's step module (`--steps x.ts`). The compiled CLI compiles a TypeScript module
 * with esbuild into one cached ES module instead of registering tsx: tsx's loader hooks would
 * put every later import, the CLI's own included, through a second thread, which doubled a
 * no-op rerun (bench/RESULTS.md, "Start-up"). The bundle keeps what cache keys rely on:
 * - `import.meta.url` (and dirname/filename) of each bundled file is its own source file, so a
 *   step's `source` still names — and its cache key still hashes — the TypeScript sources;
 * - packages and somflow's own modules stay imports (of the very files the running CLI loaded),
 *   so there is one zod, one engine and one error class of each kind in the process.
 * The bundle is reused while every file in it hashes as recorded; else it is rebuilt (written
 * by rename, so several SLURM jobs starting at once never read half a file).
 */
import { constants, existsSync } from "node:fs";
import { access, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { sha256 as sha } from "../engine/hash.js";
import { projectRoot } from "../engine/source-hash.js";

const TYPESCRIPT = /\.[cm]?tsx?$/;

/** The compiled CLI's root (dist/<stamp>/) when running compiled, else null (tsx or vitest run the sources). */
export function compiledRoot(): string | null {
  const here = fileURLToPath(import.meta.url);
  const m = /^(.*[\\/]dist[\\/][^\\/]+)[\\/]cli[\\/]step-modules\.js$/.exec(here);
  return m ? m[1]! : null;
}

let tsxRegistered = false;
async function registerTsx(): Promise<void> {
  if (tsxRegistered) return;
  const { register } = await import("tsx/esm/api");
  register();
  tsxRegistered = true;
}

/** Imports a step module given with --steps; TypeScript is compiled (see above) or, from the sources, loaded by tsx. */
export async function importStepModule(file: string): Promise<unknown> {
  const abs = resolve(file);
  if (!TYPESCRIPT.test(abs)) return import(pathToFileURL(abs).href);
  const dist = compiledRoot();
  if (!dist) {
    await registerTsx();
    return import(pathToFileURL(abs).href);
  }
  return import(pathToFileURL(await compiledBundle(abs, dist)).href);
}

interface BundleManifest {
  entry: string;
  dist: string;
  /** The bundle's file name beside the manifest; content-addressed, so never rewritten. */
  bundle: string;
  /** Every file bundled: absolute path → sha256 of its content. */
  inputs: Record<string, string>;
}

/** The package's cache folder, or the system's temporary folder where the package is read-only. */
async function cacheDir(): Promise<string> {
  const inPackage = join(projectRoot(), "node_modules", ".cache", "somflow-steps");
  try {
    await mkdir(inPackage, { recursive: true });
    await access(inPackage, constants.W_OK);
    return inPackage;
  } catch {
    const inTmp = join(tmpdir(), `somflow-steps-${process.getuid?.() ?? "user"}`);
    await mkdir(inTmp, { recursive: true });
    return inTmp;
  }
}

/**
 * The manifest is the one commit point: it names an immutable bundle, so a process that reads
 * a manifest whose inputs still hash as recorded imports exactly the code built from them, even
 * while another process rebuilds after an edit.
 */
async function compiledBundle(entry: string, dist: string): Promise<string> {
  const dir = await cacheDir();
  const manifestFile = join(dir, `${sha(`${entry}\0${dist}`).slice(0, 24)}.json`);
  const fresh = await freshBundle(manifestFile, entry, dist);
  if (fresh) return join(dir, fresh);
  const { code, inputs } = await bundle(entry, dist);
  const name = `${sha(code).slice(0, 24)}.mjs`;
  const tmp = (f: string) => `${f}.${process.pid}.${Date.now()}.tmp`;
  const bundleFile = join(dir, name);
  if (!existsSync(bundleFile)) {
    const t = tmp(bundleFile);
    await writeFile(t, code);
    await rename(t, bundleFile);
  }
  const t = tmp(manifestFile);
  await writeFile(t, JSON.stringify({ entry, dist, bundle: name, inputs } satisfies BundleManifest));
  await rename(t, manifestFile);
  return bundleFile;
}

/** The bundle a manifest names, when every input still hashes as recorded; else null. */
async function freshBundle(manifestFile: string, entry: string, dist: string): Promise<string | null> {
  try {
    const m = JSON.parse(await readFile(manifestFile, "utf8")) as BundleManifest;
    if (m.entry !== entry || m.dist !== dist || !/^[0-9a-f]{24}\.mjs$/.test(m.bundle)) return null;
    if (!existsSync(join(dirname(manifestFile), m.bundle))) return null;
    for (const [f, h] of Object.entries(m.inputs)) if (sha(await readFile(f)) !== h) return null;
    return m.bundle;
  } catch {
    return null;
  }
}

async function bundle(entry: string, dist: string): Promise<{ code: string; inputs: Record<string, string> }> {
  const { build } = await import("esbuild");
  const src = join(projectRoot(), "src") + sep;
  const inputs: Record<string, string> = {};
  const r = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: "node",
    format: "esm",
    target: "node20",
    // Node's own conditions, so a package import names the file the CLI's import resolved to.
    conditions: [],
    sourcemap: "inline",
    logLevel: "silent",
    plugins: [
      {
        name: "somflow-step-module",
        setup(b) {
          b.onResolve({ filter: /.*/ }, async (args) => {
            if (args.kind === "entry-point" || args.pluginData === "inner") return undefined;
            const r = await b.resolve(args.path, {
              kind: args.kind,
              resolveDir: args.resolveDir,
              importer: args.importer,
              pluginData: "inner",
            });
            if (r.errors.length > 0) return { errors: r.errors };
            if (r.external || !r.path) return { path: args.path, external: true };
            if (r.path.startsWith(src)) {
              const rel = relative(src, r.path).replace(TYPESCRIPT, ".js");
              return { path: pathToFileURL(join(dist, rel)).href, external: true };
            }
            if (r.path.split(sep).includes("node_modules")) return { path: pathToFileURL(r.path).href, external: true };
            return { path: r.path };
          });
          b.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, async (args) => {
            const text = await readFile(args.path, "utf8");
            inputs[args.path] = sha(text);
            const url = pathToFileURL(args.path).href;
            const contents = text
              .replace(/\bimport\.meta\.url\b/g, JSON.stringify(url))
              .replace(/\bimport\.meta\.dirname\b/g, JSON.stringify(dirname(args.path)))
              .replace(/\bimport\.meta\.filename\b/g, JSON.stringify(args.path));
            const loader = /\.[cm]?tsx$/.test(args.path) ? "tsx" : /\.[cm]?ts$/.test(args.path) ? "ts" : "js";
            return { contents, loader };
          });
        },
      },
    ],
  });
  return { code: r.outputFiles[0]!.text, inputs };
}
