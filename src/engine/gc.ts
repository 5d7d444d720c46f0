/**
 * Garbage collection, safe while runs are in progress on this or other hosts. Kept: the
 * artifacts of the last N runs and of the latest run of every pipeline, and every artifact a
 * live run's lease names. Removed: older run records, other artifacts, keys to removed
 * artifacts, and temp folders, locks and leases that are stale (store/owner.ts).
 *
 * Holding the store lock (so no run starts meanwhile), gc first moves its candidate
 * artifacts aside into a private temp folder and only then reads the live leases: a run
 * appends an artifact's hash to its lease before it checks or publishes that artifact, so
 * any artifact a run has found is either named in the lease gc reads (and moved back) or
 * was already aside when the run looked (a cache miss: it recomputes). See store/leases.ts.
 */
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { pruneMemos } from "./pipeline-memo.js";
import { jobsDir } from "./slurm/job-files.js";
import { UsageError } from "./errors.js";
import type { RunRecord } from "./run-record.js";
import { layout, type StoreLayout } from "./store/layout.js";
import { readLeases, tempFolderStale, type LeaseInfo } from "./store/leases.js";
import { listLocks, lockState, storeLockDir, withStoreLock } from "./store/locks.js";
import { ownerTag, storeNow, type Owner } from "./store/owner.js";
import { listRunFiles, readJsonOrNull, type KeyEntry } from "./store/records.js";

export interface GcOptions {
  /** Required for keep 0: deleting every run record (and so every artifact) is never a default. */
  deleteAllRuns?: boolean;
  /** Called once if another process holds the store lock (a run starting, another gc). */
  onWait?: (holder: Owner | null) => void;
}

export interface GcResult {
  runsRemoved: number;
  artifactsRemoved: number;
  keysRemoved: number;
  tempRemoved: number;
  locksRemoved: number;
  leasesRemoved: number;
  /** Pipeline memos no load can use again (pipeline-memo.ts). */
  memosRemoved: number;
  artifactsKept: number;
  /** Runs in progress whose artifacts were kept. */
  liveRuns: string[];
  /** Run records that cannot be read: left in place (what they reference is unknown). */
  unreadableRuns: string[];
}

const list = async (dir: string) => readdir(dir).catch(() => [] as string[]);

export async function collectGarbage(store: string, keepRuns: number, opts: GcOptions = {}): Promise<GcResult> {
  if (!Number.isInteger(keepRuns) || keepRuns < 0) throw new UsageError(`--keep must be a whole number >= 0 (got ${keepRuns})`);
  if (keepRuns === 0 && !opts.deleteAllRuns) {
    throw new UsageError(
      "--keep 0 would delete every run record and every artifact (all cached results); nothing was removed. " +
        "Keep at least one run (--keep 1 keeps the latest run of every pipeline), or pass --yes-delete-all-runs",
    );
  }
  if (!(await stat(store).catch(() => null))?.isDirectory()) {
    throw new UsageError(`no store at ${store}; pass --store DIR (or set SOMFLOW_STORE) to the store to clean`);
  }
  const l = layout(store);
  return withStoreLock(
    l,
    async () => {
      const { runs, unreadable } = await listRunFiles(l);
      const { keep, dropped } = await dropRuns(l, runs, keepRuns, !!opts.deleteAllRuns);
      const live = new Set([...keep].flatMap((r) => r.steps.map((s) => s.artifact).filter((a): a is string => !!a)));
      const { artifactsRemoved, leasesAfter } = await collectArtifacts(l, live);
      const present = new Set(await list(l.artifacts));
      return {
        runsRemoved: dropped,
        artifactsRemoved,
        keysRemoved: await removeOrphanKeys(l, present),
        ...(await removeStale(l, leasesAfter)),
        memosRemoved: await pruneMemos(l.root),
        artifactsKept: [...present].filter((h) => live.has(h)).length,
        liveRuns: leasesAfter.filter((x) => !x.stale).map((x) => x.run),
        unreadableRuns: unreadable.map((u) => u.path),
      };
    },
    { onWait: opts.onWait },
  );
}

/** Removes the run records not kept (the last `keepRuns`, and each pipeline's latest unless deleting all), with their SLURM job files. */
async function dropRuns(l: StoreLayout, runs: RunRecord[], keepRuns: number, deleteAll: boolean) {
  const keep = new Set(runs.slice(Math.max(0, runs.length - keepRuns)));
  if (!deleteAll) {
    const latest = new Map(runs.map((r) => [r.pipeline, r])); // oldest first: the last one wins
    for (const r of latest.values()) keep.add(r);
  }
  const dropped = runs.filter((r) => !keep.has(r));
  for (const r of dropped) {
    await rm(l.run(r.run_id), { force: true });
    // The SLURM job files (spec, script, log, result) of a removed run go with it.
    await rm(jobsDir(l.root, r.run_id), { recursive: true, force: true });
  }
  return { keep, dropped: dropped.length };
}

/**
 * Removes every artifact neither `live` nor named by a live lease. Candidates are moved aside
 * first and the leases read again afterwards (see the header): what a run named meanwhile is
 * restored and added to `live`.
 */
async function collectArtifacts(l: StoreLayout, live: Set<string>): Promise<{ artifactsRemoved: number; leasesAfter: LeaseInfo[] }> {
  const leasesBefore = await readLeases(l);
  for (const x of leasesBefore) if (!x.stale) for (const h of x.refs) live.add(h);
  const trash = join(l.tmp, `${ownerTag()}_gc-${Date.now().toString(36)}`);
  await mkdir(trash, { recursive: true });
  const aside: string[] = [];
  for (const hash of await list(l.artifacts)) {
    if (live.has(hash)) continue;
    try {
      await rename(l.artifact(hash), join(trash, hash));
      aside.push(hash);
    } catch {
      // vanished meanwhile (another process quarantined it): nothing to do
    }
  }
  const leasesAfter = await readLeases(l);
  const named = new Set(leasesAfter.filter((x) => !x.stale).flatMap((x) => [...x.refs]));
  let artifactsRemoved = 0;
  for (const hash of aside) {
    if (named.has(hash)) {
      await rename(join(trash, hash), l.artifact(hash)).catch(() => undefined); // fails if the run already recomputed it
      live.add(hash);
    } else artifactsRemoved++;
  }
  await rm(trash, { recursive: true, force: true });
  return { artifactsRemoved, leasesAfter };
}

/** Keys whose record is unreadable or whose artifact is gone. */
async function removeOrphanKeys(l: StoreLayout, present: ReadonlySet<string>): Promise<number> {
  let removed = 0;
  for (const f of await list(l.keys)) {
    const entry = await readJsonOrNull<KeyEntry>(join(l.keys, f));
    if (!entry || !present.has(entry.artifact)) {
      await rm(join(l.keys, f), { force: true });
      removed++;
    }
  }
  return removed;
}

/** Stale leases, temp folders of processes that are gone and stale locks (never the store lock gc holds). */
async function removeStale(l: StoreLayout, leases: readonly LeaseInfo[]) {
  let leasesRemoved = 0;
  for (const x of leases.filter((x) => x.stale)) {
    await rm(x.dir, { recursive: true, force: true });
    leasesRemoved++;
  }
  const now = await storeNow(l.tmp);
  let tempRemoved = 0;
  for (const name of (await list(l.tmp)).filter((n) => !n.startsWith("."))) {
    const st = await stat(join(l.tmp, name)).catch(() => null);
    if (!st || !tempFolderStale(name, st.mtimeMs, leases, now).stale) continue;
    await rm(join(l.tmp, name), { recursive: true, force: true });
    tempRemoved++;
  }
  let locksRemoved = 0;
  for (const name of await listLocks(l)) {
    const dir = join(l.locks, name);
    if (dir === storeLockDir(l)) continue; // ours
    const s = await lockState(dir);
    if (s.stale && s.why !== "gone") {
      await rm(dir, { recursive: true, force: true });
      locksRemoved++;
    }
  }
  return { leasesRemoved, tempRemoved, locksRemoved };
}
