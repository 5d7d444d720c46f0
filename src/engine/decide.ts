/**
 * Why a step runs — the one rerun decision, used by `plan` and by `run`. Every reason is a
 * cue from cues.ts; the store is asked only through `lookup`, so the same function serves the
 * dry run (which knows only that an input *will* rerun) and the real run (which knows its hash).
 */
import {
  alwaysCue,
  artifactMissingCue,
  cacheKey,
  changes,
  forcedCue,
  inputWillRerunCue,
  noStoredManifestCue,
  resultRemovedCue,
  type KeyManifest,
  type Reason,
} from "./cues.js";
import { StoredArtifact } from "./store/artifacts.js";
import type { StoreLayout } from "./store/layout.js";
import { readKey } from "./store/records.js";

/** What the store holds under a key: a usable artifact, a key whose artifact is gone or damaged, or nothing. */
export type Lookup<H> = H | "corrupt" | null;

export interface DecideInput<H> {
  /** The step's current manifest; an input that will rerun holds its previous hash (it is not known yet). */
  manifest: KeyManifest;
  /** The manifest the step last ran with in this pipeline, if any. */
  previous: KeyManifest | null;
  /** Needs that will rerun before this step (plan only: a real run knows their new hashes). */
  pending?: readonly string[];
  forced: boolean;
  always: boolean;
  lookup(key: string): Promise<Lookup<H>>;
}

export interface Decision<H> {
  run: boolean;
  key: string;
  reasons: Reason[];
  /** The stored result when the step does not run. */
  hit: H | null;
}

export async function decide<H>(input: DecideInput<H>): Promise<Decision<H>> {
  const { manifest, previous } = input;
  const key = cacheKey(manifest);
  const up: Reason[] = [];
  if (input.forced) up.push(forcedCue());
  if (input.always) up.push(alwaysCue());
  const pending = input.pending ?? [];
  if (previous) up.push(...pending.map(inputWillRerunCue));
  else if (pending.length > 0) up.push(noStoredManifestCue()); // as the run will say: it has never run here
  if (up.length > 0) {
    // It runs anyway; say also what else changed since the last run.
    return { run: true, key, hit: null, reasons: [...up, ...(previous ? changes(previous, manifest) : [])] };
  }
  const found = await input.lookup(key);
  if (found !== null && found !== "corrupt") return { run: false, key, hit: found, reasons: [] };
  if (found === "corrupt") return { run: true, key, hit: null, reasons: [artifactMissingCue()] };
  if (!previous) return { run: true, key, hit: null, reasons: [noStoredManifestCue()] };
  const changed = changes(previous, manifest);
  return { run: true, key, hit: null, reasons: changed.length > 0 ? changed : [resultRemovedCue()] };
}

/** The store's answer for `key`, shared by plan and run so both see a damaged artifact the same way. */
export async function lookupStored(l: StoreLayout, key: string, step: string): Promise<Lookup<StoredArtifact>> {
  const entry = await readKey(l, key);
  if (!entry) return null;
  return (await StoredArtifact.open(l, entry.artifact, step)) ?? "corrupt";
}

/** Reasons as one line, as the run record and the progress lines show them. */
export const reasonText = (reasons: readonly Reason[]): string => reasons.map((r) => r.message).join("; ");
