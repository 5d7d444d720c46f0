/**
 * Locks on a store that one or several hosts share: per cache key (two runs never compute
 * the same step at once: the waiter then finds the other run's artifact cached) and one for
 * the whole store (gc against the start of runs). A lock is a folder made with `mkdir`
 * (atomic, also over NFS) holding `owner.json`, kept fresh by the process's heartbeat; it is
 * taken over only when stale by the rule in owner.ts. Breaking a stale lock renames it to a
 * unique tombstone first, so two waiters never both break it (and never break a fresh one).
 */
import { mkdir, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { StoreLayout } from "./layout.js";
import { heartbeat, judge, newOwner, readOwner, storeNow, type Liveness, type Owner } from "./owner.js";

export { processAlive } from "./owner.js";

/** The lock's owner and whether it is stale; a lock folder that vanished meanwhile is stale. */
export async function lockState(dir: string): Promise<Liveness & { owner: Owner | null }> {
  const o = await readOwner(join(dir, "owner.json"));
  if (!o) {
    // No owner file: the creator died between mkdir and write, or is writing it right now.
    const st = await stat(dir).catch(() => null);
    if (!st) return { stale: true, why: "gone", owner: null };
    return { ...judge(null, st.mtimeMs, await storeNow(join(dir, ".."))), owner: null };
  }
  return { ...judge(o.owner, o.mtimeMs, await storeNow(join(dir, ".."))), owner: o.owner };
}

export async function isStale(dir: string): Promise<boolean> {
  return (await lockState(dir)).stale;
}

/** Removes a stale lock so that only one of several breakers wins; false if it was not stale or someone else broke it. */
export async function breakIfStale(dir: string): Promise<boolean> {
  const before = await lockState(dir);
  if (!before.stale) return false;
  const tomb = `${dir}.broken-${Math.random().toString(36).slice(2, 10)}`;
  try {
    await rename(dir, tomb);
  } catch {
    return false; // another waiter broke it first
  }
  const moved = await readOwner(join(tomb, "owner.json"));
  if (before.owner && moved?.owner && moved.owner.token !== before.owner.token) {
    // Between our look and the rename a new holder took the lock: give it back.
    await rename(tomb, dir).catch(() => undefined);
    return false;
  }
  await rm(tomb, { recursive: true, force: true });
  return true;
}

export interface LockOptions {
  /** Called once when the lock is held by someone else (a message for the user). */
  onWait?: (owner: Owner | null) => void;
  pollMs?: number;
  /** The run this process works for, written to the owner file. */
  run?: string | null;
}

/** Takes the lock at `dir` (waiting while it is held and fresh); resolves to its release. */
export async function acquireLockDir(dir: string, opts: LockOptions = {}): Promise<() => Promise<void>> {
  let told = false;
  for (;;) {
    try {
      await mkdir(dir);
      const owner = newOwner(opts.run ?? null);
      const file = join(dir, "owner.json");
      await writeFile(file, JSON.stringify(owner));
      heartbeat.add(file, owner);
      return async () => {
        heartbeat.remove(file);
        const now = await readOwner(file);
        // Never remove a lock that was (wrongly) taken over from us: it is someone else's now.
        if (!now?.owner || now.owner.token === owner.token) await rm(dir, { recursive: true, force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    // Give a fresh lock time to get its owner file before judging it stale.
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 250));
    if (await breakIfStale(dir)) continue;
    if (!told) {
      opts.onWait?.((await readOwner(join(dir, "owner.json")))?.owner ?? null);
      told = true;
    }
  }
}

/** The per-cache-key lock (signature kept for the runner). */
export function acquireLock(
  l: StoreLayout,
  key: string,
  onWait: () => void,
  pollMs = 250,
  run: string | null = null,
): Promise<() => Promise<void>> {
  return acquireLockDir(join(l.locks, key), { onWait, pollMs, run });
}

/** The folder of the store-wide lock, inside locks/ but never a key (keys are hex). */
export const storeLockDir = (l: StoreLayout) => join(l.locks, "store");

/** Runs `fn` holding the store-wide lock (gc, verify --fix, and the start of every run). */
export async function withStoreLock<T>(l: StoreLayout, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const release = await acquireLockDir(storeLockDir(l), { pollMs: 100, ...opts });
  try {
    return await fn();
  } finally {
    await release();
  }
}

/** Lock folders in locks/ (tombstones of broken locks included; probe files of other processes left out). */
export async function listLocks(l: StoreLayout): Promise<string[]> {
  return (await readdir(l.locks).catch(() => [] as string[])).filter((n) => !n.startsWith(".")); // clock/write probes
}
