/**
 * A loaded pipeline remembered in the store, so that a rerun whose loading inputs are all
 * unchanged skips the YAML parse, the option schemas and the step modules — most of a no-op
 * rerun's time (bench/RESULTS.md, "Start-up"). Loading a pipeline is a function of:
 * - the pipeline file's text and the `--param` overrides;
 * - somflow's own code — the compiled build's stamp, a hash of every source (bin/build.mjs);
 * - the `--steps` modules: their sources, followed through their imports (source-hash.ts);
 * - the versions of zod and yaml, which parse the options and the file;
 * - the working directory, which a schema may resolve paths against.
 * A memo records all of these and is used only when every one still matches; anything else
 * (missing, unreadable, another format, a checksum that does not match) means a full load.
 * Like the cache key, this assumes option schemas depend on nothing else (no environment
 * variables, no clock). A memo step keeps the cache key the full load gives (type, version,
 * source, packages, options, input files); its code loads only when the step must run —
 * through a full load, whose step must equal the memo's.
 *
 * Kept free of zod and yaml on purpose: importing them is the cost this module avoids.
 */
import { readFileSync } from "node:fs";
import { readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { sha256 } from "./hash.js";
import { pipelineText } from "./pipeline-text.js";
import type { Pipeline, ResolvedStep } from "./pipeline.js";
import type { Resources } from "./resources.js";
import { packageVersions, sourceFingerprint } from "./source-hash.js";
import type { StepCode } from "./step.js";
import { readJsonOrNull, writeJsonAtomic } from "./store/records.js";

/** Bump when the memo's shape or meaning changes: older memos are then ignored. */
const MEMO_FORMAT = 1;
/** The packages that turn a file's text into resolved options. */
const LOADING_PACKAGES = ["yaml", "zod"];

/** Everything a load depends on besides file contents. */
export interface MemoIdentity {
  /** Absolute path of the pipeline file. */
  readonly file: string;
  readonly overrides: readonly string[];
  /** Absolute paths of the step modules given with --steps or SOMFLOW_STEPS, in load order. */
  readonly stepModules: readonly string[];
  /** Stamp of the compiled build that loads (a hash of all of somflow's sources). */
  readonly build: string;
  /** The working directory (relative paths in options resolve against it). */
  readonly cwd: string;
}

interface MemoStep {
  name: string;
  type: string;
  needs: string[];
  inputs: Record<string, string>;
  /** As JSON: the form the cache key hashes. */
  options: unknown;
  always: boolean;
  resources: Resources;
  cpusSet: boolean;
  needsOk?: "all" | "any";
  line: number | null;
  version: number;
  source: string;
  packages: string[] | null;
  /** The step type's `inputFiles(options)`, evaluated at load. */
  inputFiles: string[];
}

interface MemoFile {
  format: number;
  /** sha256 of the memo's JSON without this field: a damaged memo is never used. */
  checksum: string;
  identity: MemoIdentity;
  /** sha256 of the pipeline file's text. */
  text: string;
  /** Fingerprints of the step modules' sources (path → sha256). */
  sources: Record<string, string>;
  packages: Record<string, string>;
  name: string;
  description: string;
  params: Pipeline["params"];
  checks: Pipeline["checks"];
  steps: MemoStep[];
}

const memoDir = (storeRoot: string) => join(storeRoot, "memo");

/** The memo's path in the store: one file per identity. */
export const memoPath = (storeRoot: string, id: MemoIdentity) =>
  join(memoDir(storeRoot), `${sha256(JSON.stringify([id.file, id.overrides, id.stepModules, id.build, id.cwd])).slice(0, 32)}.json`);

const checksum = (memo: Omit<MemoFile, "checksum">) => sha256(JSON.stringify({ ...memo, checksum: undefined }));

const stepSources = (modules: readonly string[]): Record<string, string> => Object.assign({}, ...modules.map((m) => sourceFingerprint(m)));

/** sha256 of the pipeline file's text as a full load hashes it; null when it cannot be read or is not UTF-8. */
function textHash(file: string): string | null {
  try {
    return sha256(pipelineText(readFileSync(file)));
  } catch {
    return null;
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Whether JSON keeps `v` exactly (undefined object values aside, which the cache key drops too). */
function jsonExact(v: unknown): boolean {
  if (v === null || typeof v === "string" || typeof v === "boolean") return true;
  if (typeof v === "number") return Number.isFinite(v);
  if (Array.isArray(v)) return v.every((x) => x !== undefined && jsonExact(x));
  if (typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(v).every((x) => x === undefined || jsonExact(x));
}

/**
 * Records how `pipeline` loaded (after a full load). A pipeline whose options do not survive
 * JSON (a step's schema made something else) is not remembered: its memo could not stand in
 * for it exactly.
 */
export async function writePipelineMemo(storeRoot: string, id: MemoIdentity, pipeline: Pipeline): Promise<void> {
  const steps: MemoStep[] = [];
  for (const s of pipeline.steps) {
    if (!jsonExact(s.options ?? {})) return;
    const options = JSON.parse(JSON.stringify(s.options ?? {})) as unknown;
    const d = s.definition;
    steps.push({
      name: s.name,
      type: s.type,
      needs: [...s.needs],
      inputs: { ...s.inputs },
      options,
      always: s.always,
      resources: s.resources,
      cpusSet: s.cpusSet,
      ...(s.needsOk ? { needsOk: s.needsOk } : {}),
      line: s.line ?? null,
      version: d.version,
      source: d.source,
      packages: d.packages ? [...d.packages] : null,
      inputFiles: [...(d.inputFiles?.(s.options as never) ?? [])],
    });
  }
  const memo: Omit<MemoFile, "checksum"> = {
    format: MEMO_FORMAT,
    identity: id,
    text: pipeline.hash,
    sources: stepSources(id.stepModules),
    packages: packageVersions(LOADING_PACKAGES),
    name: pipeline.name,
    description: pipeline.description,
    params: pipeline.params,
    checks: pipeline.checks,
    steps,
  };
  await writeJsonAtomic(memoPath(storeRoot, id), { ...memo, checksum: checksum(memo) });
}

/**
 * The pipeline as remembered, when every input of its load is unchanged; else null.
 * `fileArg` is the path as the user gave it (the run record keeps it); `loadFull` loads the
 * pipeline for real, once, when a step must run.
 */
export async function readPipelineMemo(
  storeRoot: string,
  id: MemoIdentity,
  fileArg: string,
  loadFull: () => Promise<Pipeline>,
): Promise<Pipeline | null> {
  const memo = await readJsonOrNull<MemoFile>(memoPath(storeRoot, id));
  if (!memo || memo.format !== MEMO_FORMAT || memo.checksum !== checksum(memo) || !same(memo.identity, id)) return null;
  // Unreadable or not UTF-8: the full load says why.
  if (textHash(id.file) !== memo.text) return null;
  if (!same(memo.packages, packageVersions(LOADING_PACKAGES))) return null;
  try {
    if (!same(memo.sources, stepSources(id.stepModules))) return null;
  } catch {
    return null; // a module or one of its imports is gone: the full load says so
  }
  let full: Promise<Pipeline> | null = null;
  const real = () => (full ??= loadFull());
  const path = memoPath(storeRoot, id);
  return {
    file: fileArg,
    name: memo.name,
    description: memo.description,
    hash: memo.text,
    params: memo.params,
    checks: memo.checks,
    steps: memo.steps.map((m) => memoStep(m, real, path)),
    memo: path,
  };
}

function memoStep(m: MemoStep, loadFull: () => Promise<Pipeline>, path: string): ResolvedStep {
  const code: StepCode = {
    type: m.type,
    version: m.version,
    source: m.source,
    ...(m.packages ? { packages: m.packages } : {}),
    inputFiles: () => m.inputFiles,
    async run(ctx, inputs) {
      const step = (await loadFull()).steps.find((s) => s.name === m.name);
      // Cannot differ while the memo's inputs match; if it ever does, stop rather than run other code under this key.
      if (!step || !same(step.options, m.options) || step.definition.source !== m.source || step.definition.version !== m.version) {
        throw new Error(`step ${m.name}: the pipeline memo ${path} does not match a full load of the pipeline; delete it and run again`);
      }
      return step.definition.run(ctx, inputs, step.options as never);
    },
  };
  return {
    name: m.name,
    type: m.type,
    needs: m.needs,
    inputs: m.inputs,
    options: m.options,
    always: m.always,
    resources: m.resources,
    cpusSet: m.cpusSet,
    ...(m.needsOk ? { needsOk: m.needsOk } : {}),
    definition: code,
    line: m.line ?? undefined,
  };
}

/**
 * Removes the memos no load can use again (gc): unreadable ones, those whose pipeline file is
 * gone or changed, and all but the newest for each file, overrides and step modules (older
 * builds of somflow). Returns how many were removed. A run reading one meanwhile falls back to
 * a full load.
 */
export async function pruneMemos(storeRoot: string): Promise<number> {
  const dir = memoDir(storeRoot);
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith(".json"));
  const newest = new Map<string, { name: string; mtime: number }>();
  const drop: string[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const memo = await readJsonOrNull<MemoFile>(path);
    const mtime = (await stat(path).catch(() => null))?.mtimeMs;
    if (!memo?.identity || mtime === undefined) {
      drop.push(name);
      continue;
    }
    if (textHash(memo.identity.file) !== memo.text) {
      drop.push(name);
      continue;
    }
    const { file, overrides, stepModules, cwd } = memo.identity;
    const group = JSON.stringify([file, overrides, stepModules, cwd]);
    const prev = newest.get(group);
    if (!prev) newest.set(group, { name, mtime });
    else {
      drop.push(prev.mtime >= mtime ? name : prev.name);
      if (prev.mtime < mtime) newest.set(group, { name, mtime });
    }
  }
  for (const name of drop) await rm(join(dir, name), { force: true });
  return drop.length;
}
