/**
 * Small JSON records of the store: cache keys (key -> artifact), the last manifest of each
 * pipeline step (what `plan` diffs against) and run records. All written atomically.
 */
import { mkdir, readFile, readdir, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { RunRecord } from "../run-record.js";
import type { KeyManifest } from "../cues.js";
import type { StoreLayout } from "./layout.js";

export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  await writeFile(tmp, JSON.stringify(value, null, 1));
  await rename(tmp, path);
}

export async function readJsonOrNull<T>(path: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as T;
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

export const readIndex = (l: StoreLayout, pipeline: string, step: string) =>
  readJsonOrNull<IndexEntry>(l.index(pipeline, step));
export const writeIndex = (l: StoreLayout, pipeline: string, step: string, e: IndexEntry) =>
  writeJsonAtomic(l.index(pipeline, step), e);

export const writeRun = (l: StoreLayout, run: RunRecord) => writeJsonAtomic(l.run(run.run_id), run);

/** Run records, oldest first (run ids sort by start time). */
export async function listRuns(l: StoreLayout): Promise<RunRecord[]> {
  let names: string[];
  try {
    names = (await readdir(l.runs)).filter((n) => n.endsWith(".json")).sort();
  } catch {
    return [];
  }
  const runs = await Promise.all(names.map((n) => readJsonOrNull<RunRecord>(`${l.runs}/${n}`)));
  return runs.filter((r): r is RunRecord => r !== null);
}

export function newRunId(now = new Date()): string {
  // Milliseconds keep ids in start order even for runs seconds apart (listRuns sorts by id).
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(".", "");
  return `${stamp}-${Math.random().toString(36).slice(2, 8)}`;
}
