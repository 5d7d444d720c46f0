/**
 * Cache cues: every reason a step runs is one named cue, and `decide()` (decide.ts) is the
 * only place that applies them, for `plan` and `run` alike. The key of a step is the hash of
 * its manifest; the change cues compare the manifest it last ran with to the current one.
 */
import { canonicalJson, hashJson } from "./hash.js";

/** Bump when the store's artifact format changes: every key changes with it. */
export const ENGINE_FORMAT = 1;

export interface KeyManifest {
  engine: number;
  type: string;
  version: number;
  /** Options after schema parsing (defaults filled in). */
  options: unknown;
  /** Upstream step name -> artifact content hash. */
  inputs: Record<string, string>;
  /** The step's `inputs:` routing (output name -> needed step), present only when set. */
  routes?: Record<string, string>;
  /** Project-relative source file -> sha256. */
  source: Record<string, string>;
  /** npm package -> installed version. */
  packages: Record<string, string>;
  /** Outside input file -> content hash ("missing" when absent). */
  files: Record<string, string>;
}

export function cacheKey(m: KeyManifest): string {
  return hashJson(m);
}

/** The names of the cues, one per kind of reason to run a step. */
export type CueName =
  | "forced"
  | "always"
  | "input-will-rerun"
  | "artifact-missing"
  | "no-stored-manifest"
  | "result-removed"
  | "engine"
  | "type"
  | "version"
  | "options"
  | "inputs"
  | "routes"
  | "source"
  | "files"
  | "packages";

/** One reason a step runs: the cue that fired and its explanation for people. */
export interface Reason {
  cue: CueName;
  message: string;
}

const reason = (cue: CueName, message: string): Reason => ({ cue, message });

/** Cues that need no manifest comparison. */
export const forcedCue = (): Reason => reason("forced", "forced (--force)");
export const alwaysCue = (): Reason => reason("always", "always: true");
export const inputWillRerunCue = (step: string): Reason => reason("input-will-rerun", `input ${step} will rerun`);
export const artifactMissingCue = (): Reason => reason("artifact-missing", "stored artifact missing or corrupt");
export const noStoredManifestCue = (): Reason => reason("no-stored-manifest", "first run of this step");
export const resultRemovedCue = (): Reason => reason("result-removed", "no stored result for this key (removed by gc or another store)");

type ChangeCue = (prev: KeyManifest, cur: KeyManifest) => Reason[];

const show = (v: unknown) => {
  const s = v === undefined ? "(unset)" : canonicalJson(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
};

/** Leaf-level differences between two JSON values, as `path changed a -> b`. */
function diffValues(prefix: string, a: unknown, b: unknown, out: string[] = []): string[] {
  const isObj = (x: unknown): x is Record<string, unknown> => !!x && typeof x === "object" && !Array.isArray(x);
  if (isObj(a) && isObj(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      diffValues(`${prefix}.${k}`, a[k], b[k], out);
    }
  } else if (canonicalJson(a) !== canonicalJson(b)) {
    if (a === undefined) out.push(`${prefix} added (${show(b)})`);
    else if (b === undefined) out.push(`${prefix} removed (was ${show(a)})`);
    else out.push(`${prefix} changed ${show(a)} -> ${show(b)}`);
  }
  return out;
}

const keysOf = (a: Record<string, string>, b: Record<string, string>) => [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();

const cueEngine: ChangeCue = (p, c) => (p.engine !== c.engine ? [reason("engine", `store format changed ${p.engine} -> ${c.engine}`)] : []);
const cueType: ChangeCue = (p, c) => (p.type !== c.type ? [reason("type", `step type changed ${p.type} -> ${c.type}`)] : []);
const cueVersion: ChangeCue = (p, c) =>
  p.type === c.type && p.version !== c.version ? [reason("version", `step version changed ${p.version} -> ${c.version}`)] : [];
const cueOptions: ChangeCue = (p, c) => diffValues("with", p.options, c.options).map((m) => reason("options", m));
const cueInputs: ChangeCue = (p, c) =>
  keysOf(p.inputs, c.inputs).flatMap((name) => {
    if (!(name in p.inputs)) return [reason("inputs", `needs ${name} added`)];
    if (!(name in c.inputs)) return [reason("inputs", `needs ${name} removed`)];
    return p.inputs[name] !== c.inputs[name] ? [reason("inputs", `input ${name} changed`)] : [];
  });
const cueRoutes: ChangeCue = (p, c) => diffValues("inputs", p.routes ?? {}, c.routes ?? {}).map((m) => reason("routes", m));
const cueSource: ChangeCue = (p, c) =>
  keysOf(p.source, c.source).flatMap((f) => {
    if (!(f in p.source)) return [reason("source", `source ${f} added`)];
    if (!(f in c.source)) return [reason("source", `source ${f} no longer imported`)];
    return p.source[f] !== c.source[f] ? [reason("source", `source ${f} changed`)] : [];
  });
const cueFiles: ChangeCue = (p, c) =>
  keysOf(p.files ?? {}, c.files).flatMap((f) => {
    const [a, b] = [p.files?.[f], c.files[f]];
    if (a === undefined) return [reason("files", `input file ${f} added`)];
    if (b === undefined) return [reason("files", `input file ${f} no longer read`)];
    if (a === b) return [];
    return [reason("files", b === "missing" ? `input file ${f} is missing` : `input file ${f} changed`)];
  });
const cuePackages: ChangeCue = (p, c) =>
  diffValues("package", p.packages, c.packages).map((s) => reason("packages", s.replace(/^package\./, "package ")));

const CHANGE_CUES: readonly ChangeCue[] = [
  cueEngine,
  cueType,
  cueVersion,
  cueOptions,
  cueInputs,
  cueRoutes,
  cueSource,
  cueFiles,
  cuePackages,
];

/** What differs between the manifest the step last ran with and the current one (empty: nothing). */
export function changes(prev: KeyManifest, cur: KeyManifest): Reason[] {
  return CHANGE_CUES.flatMap((cue) => cue(prev, cur));
}
