/**
 * Garbage collection: keep the artifacts the last N runs used, drop everything else
 * (older run records, unreferenced artifacts, keys to removed artifacts, temp folders and
 * locks of processes that are gone — e.g. after kill -9).
 */
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { isStale, processAlive } from "./store/locks.js";
import { layout } from "./store/layout.js";
import { listRuns, readJsonOrNull, type KeyEntry } from "./store/records.js";

export interface GcResult {
  runsRemoved: number;
  artifactsRemoved: number;
  keysRemoved: number;
  tempRemoved: number;
  artifactsKept: number;
}

const list = async (dir: string) => readdir(dir).catch(() => [] as string[]);

export async function collectGarbage(store: string, keepRuns: number): Promise<GcResult> {
  if (!Number.isInteger(keepRuns) || keepRuns < 0) throw new RangeError(`--keep must be a whole number >= 0 (got ${keepRuns})`);
  const l = layout(store);
  const runs = await listRuns(l);
  const kept = runs.slice(Math.max(0, runs.length - keepRuns));
  const dropped = runs.slice(0, runs.length - kept.length);
  for (const r of dropped) await rm(l.run(r.run_id), { force: true });
  const live = new Set(kept.flatMap((r) => r.steps.map((s) => s.artifact).filter((a): a is string => !!a)));

  let artifactsRemoved = 0;
  for (const hash of await list(l.artifacts)) {
    if (!live.has(hash)) {
      await rm(l.artifact(hash), { recursive: true, force: true });
      artifactsRemoved++;
    }
  }
  let keysRemoved = 0;
  for (const f of await list(l.keys)) {
    const entry = await readJsonOrNull<KeyEntry>(join(l.keys, f));
    if (!entry || !live.has(entry.artifact)) {
      await rm(join(l.keys, f), { force: true });
      keysRemoved++;
    }
  }
  let tempRemoved = 0;
  for (const name of await list(l.tmp)) {
    const pid = Number(name.split("-")[0]);
    if (!Number.isInteger(pid) || !processAlive(pid)) {
      await rm(join(l.tmp, name), { recursive: true, force: true });
      tempRemoved++;
    }
  }
  for (const name of await list(l.locks)) {
    if (await isStale(join(l.locks, name))) await rm(join(l.locks, name), { recursive: true, force: true });
  }
  return { runsRemoved: dropped.length, artifactsRemoved, keysRemoved, tempRemoved, artifactsKept: live.size };
}
