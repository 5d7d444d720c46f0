/**
 * Small JSON records of the store: cache keys (key -> artifact), the last manifest of each
 * pipeline step (what `plan` diffs against) and run records. All written atomically.
 */
import { readFileSync } from "node:fs";
import { mkdir, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import { StoreError } from "../errors.js";
import { dirname, join } from "node:path";
import type { RunRecord } from "../run-record.js";
import type { KeyManifest } from "../cues.js";
import type { StoreLayout } from "./layout.js";

/** Writes via a temp file and rename; on failure the temp file is removed and the store path named. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(tmp, JSON.stringify(value, null, 1));
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOSPC" || code === "EDQUOT" || code === "EROFS" || code === "EACCES") {
      throw new StoreError(
        `cannot write ${path} (${code}: ${code === "ENOSPC" || code === "EDQUOT" ? "no space left on the store's filesystem" : "not writable"}); ` +
          `nothing half-written was left. Free space (somflow gc) or fix permissions, or pass --store DIR, then run again`,
      );
    }
    throw e;
  }
}

/**
 * Synchronous on purpose: these records are a few kB, and a no-op rerun reads two per step in
 * a row — one syscall sequence beats four thread-pool round trips (bench/RESULTS.md, "Start-up").
 */
export async function readJsonOrNull<T>(path: string): Promise<T | null> {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    return null; // missing or half-written by a killed process: treated as absent
  }
}

export interface KeyEntry {
  key: string;
  artifact: string;
  manifest: KeyManifest;
  created_at: string;
}

export const readKey = (l: StoreLayout, key: string) => readJsonOrNull<KeyEntry>(l.key(key));
export const writeKey = (l: StoreLayout, entry: KeyEntry) => writeJsonAtomic(l.key(entry.key), entry);

export interface IndexEntry {
  key: string;
  manifest: KeyManifest;
}

export const readIndex = (l: StoreLayout, pipeline: string, step: string) => readJsonOrNull<IndexEntry>(l.index(pipeline, step));
export const writeIndex = (l: StoreLayout, pipeline: string, step: string, e: IndexEntry) => writeJsonAtomic(l.index(pipeline, step), e);

export const writeRun = (l: StoreLayout, run: RunRecord) => writeJsonAtomic(l.run(run.run_id), run);

export interface RunFiles {
  /** Readable run records, oldest first (run ids sort by start time). */
  runs: RunRecord[];
  /** Records that exist but cannot be read (truncated by a crash, edited by hand), with why. */
  unreadable: { path: string; error: string }[];
}

/** Every run record, and the ones that cannot be read named (never silently dropped). */
export async function listRunFiles(l: StoreLayout): Promise<RunFiles> {
  let names: string[];
  try {
    names = (await readdir(l.runs)).filter((n) => n.endsWith(".json")).sort();
  } catch {
    return { runs: [], unreadable: [] };
  }
  const read = async (path: string): Promise<RunRecord | { path: string; error: string } | null> => {
    try {
      const r = JSON.parse(await readFile(path, "utf8")) as RunRecord;
      if (!r || typeof r.run_id !== "string" || !Array.isArray(r.steps)) throw new SyntaxError("not a run record (no run_id or steps)");
      return r;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return null; // removed by gc meanwhile
      return { path, error: code ? `unreadable (${code})` : `not valid JSON (${(e as Error).message})` };
    }
  };
  const out: RunFiles = { runs: [], unreadable: [] };
  for (const r of await Promise.all(names.map((n) => read(join(l.runs, n))))) {
    if (r && "error" in r) out.unreadable.push(r);
    else if (r) out.runs.push(r);
  }
  return out;
}

/** Readable run records, oldest first; `listRunFiles` also names the unreadable ones. */
export async function listRuns(l: StoreLayout): Promise<RunRecord[]> {
  return (await listRunFiles(l)).runs;
}

export function newRunId(now = new Date()): string {
  // Milliseconds keep ids in start order even for runs seconds apart (listRuns sorts by id).
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(".", "");
  return `${stamp}-${Math.random().toString(36).slice(2, 8)}`;
}
