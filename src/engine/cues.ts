/**
 * Cache cues. The key of a step is the hash of its manifest; each reason a step must rerun
 * is one small function comparing the previous manifest with the current one, and the same
 * functions explain `plan` and the run record's reasons.
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

type Cue = (prev: KeyManifest, cur: KeyManifest) => string[];

const show = (v: unknown) => {
  const s = v === undefined ? "(unset)" : canonicalJson(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
};

/** Leaf-level differences between two JSON values, as `path changed a -> b`. */
export function diffValues(prefix: string, a: unknown, b: unknown, out: string[] = []): string[] {
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

const cueEngine: Cue = (p, c) => (p.engine !== c.engine ? [`store format changed ${p.engine} -> ${c.engine}`] : []);
const cueType: Cue = (p, c) => (p.type !== c.type ? [`step type changed ${p.type} -> ${c.type}`] : []);
const cueVersion: Cue = (p, c) =>
  p.type === c.type && p.version !== c.version ? [`step version changed ${p.version} -> ${c.version}`] : [];
const cueOptions: Cue = (p, c) => diffValues("with", p.options, c.options);
const cueInputs: Cue = (p, c) => {
  const out: string[] = [];
  for (const name of [...new Set([...Object.keys(p.inputs), ...Object.keys(c.inputs)])].sort()) {
    if (!(name in p.inputs)) out.push(`needs ${name} added`);
    else if (!(name in c.inputs)) out.push(`needs ${name} removed`);
    else if (p.inputs[name] !== c.inputs[name]) out.push(`input ${name} changed`);
  }
  return out;
};
const cueRoutes: Cue = (p, c) => diffValues("inputs", p.routes ?? {}, c.routes ?? {});
const cueSource: Cue = (p, c) => {
  const out: string[] = [];
  for (const f of [...new Set([...Object.keys(p.source), ...Object.keys(c.source)])].sort()) {
    if (!(f in p.source)) out.push(`source ${f} added`);
    else if (!(f in c.source)) out.push(`source ${f} no longer imported`);
    else if (p.source[f] !== c.source[f]) out.push(`source ${f} changed`);
  }
  return out;
};
const cueFiles: Cue = (p, c) => {
  const out: string[] = [];
  for (const f of [...new Set([...Object.keys(p.files ?? {}), ...Object.keys(c.files)])].sort()) {
    const [a, b] = [p.files?.[f], c.files[f]];
    if (a === undefined) out.push(`input file ${f} added`);
    else if (b === undefined) out.push(`input file ${f} no longer read`);
    else if (a !== b) out.push(b === "missing" ? `input file ${f} is missing` : `input file ${f} changed`);
  }
  return out;
};
const cuePackages: Cue = (p, c) => diffValues("package", p.packages, c.packages).map((s) => s.replace(/^package\./, "package "));

const CUES: readonly Cue[] = [cueEngine, cueType, cueVersion, cueOptions, cueInputs, cueRoutes, cueSource, cueFiles, cuePackages];

/** Why `cur` differs from the manifest the step last ran with. */
export function explainChange(prev: KeyManifest | null, cur: KeyManifest): string[] {
  if (!prev) return ["first run of this step"];
  const reasons = CUES.flatMap((cue) => cue(prev, cur));
  return reasons.length > 0 ? reasons : ["no stored result for this key (removed by gc or another store)"];
}
