/**
 * A run's lease: `leases/<run id>/owner.json` (run id, host, pid, SLURM job id, heartbeat)
 * and `leases/<run id>/refs` (one artifact hash a line, appended). A run takes its lease under
 * the store lock before it resolves any cache hit, and appends each artifact's hash BEFORE
 * it checks that artifact (cache hit) or publishes it (commit). gc, holding the store lock,
 * moves its candidates aside and only then reads the live leases, restoring any candidate a
 * lease names — so an artifact a run has found or made is never collected under it.
 */
import { appendFileSync } from "node:fs";
import { mkdir, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { StoreLayout } from "./layout.js";
import { withStoreLock } from "./locks.js";
import {
  heartbeat,
  judge,
  leaseTimeoutMs,
  newOwner,
  parseTag,
  processAlive,
  readOwner,
  storeNow,
  thisHost,
  type Liveness,
  type Owner,
} from "./owner.js";

export const leasesDir = (l: StoreLayout) => l.leases;

const HASH = /^[0-9a-f]{64}$/;

/**
 * The leases this process holds, by store root. Opening or committing an artifact goes
 * through `referenceInLeases`, so whatever a running run touches is in its lease before it
 * is checked or published — without the engine passing the lease around.
 */
const active = new Map<string, Set<RunLease>>();

export async function referenceInLeases(l: StoreLayout, hash: string): Promise<void> {
  const set = active.get(l.root);
  if (set) for (const lease of set) await lease.reference(hash);
}

export class RunLease {
  private readonly referenced = new Set<string>();

  private constructor(
    readonly dir: string,
    private readonly owner: Owner,
  ) {}

  /** Takes the lease (under the store lock, so it cannot start in the middle of a gc). */
  static async start(l: StoreLayout, runId: string, onWait?: (holder: Owner | null) => void): Promise<RunLease> {
    const dir = join(leasesDir(l), runId);
    const owner = newOwner(runId);
    await withStoreLock(
      l,
      async () => {
        await mkdir(dir, { recursive: true });
        await writeFile(join(dir, "refs"), "");
        await writeFile(join(dir, "owner.json"), JSON.stringify(owner));
      },
      { onWait, run: runId },
    );
    heartbeat.add(join(dir, "owner.json"), owner);
    const lease = new RunLease(dir, owner);
    const set = active.get(l.root) ?? new Set<RunLease>();
    active.set(l.root, set.add(lease));
    return lease;
  }

  /** Records that this run uses `hash`; call before checking or publishing the artifact. */
  reference(hash: string): Promise<void> {
    // Synchronous: the hash is on disk before any caller goes on to check the artifact, and a
    // one-line append is cheaper than a thread-pool round trip (a no-op rerun makes one per step).
    if (!this.referenced.has(hash)) {
      appendFileSync(join(this.dir, "refs"), `${hash}\n`);
      this.referenced.add(hash);
    }
    return Promise.resolve();
  }

  async end(): Promise<void> {
    for (const set of active.values()) set.delete(this);
    heartbeat.remove(join(this.dir, "owner.json"));
    await rm(this.dir, { recursive: true, force: true });
  }
}

export interface LeaseInfo {
  run: string;
  dir: string;
  owner: Owner | null;
  stale: boolean;
  why: string;
  refs: Set<string>;
}

/** Every lease in the store with its liveness and the artifacts it references. */
export async function readLeases(l: StoreLayout): Promise<LeaseInfo[]> {
  const root = leasesDir(l);
  // Dot names are other processes' clock and write probes, not leases.
  const names = (await readdir(root).catch(() => [] as string[])).filter((n) => !n.startsWith("."));
  const now = names.length ? await storeNow(root) : Date.now();
  const out: LeaseInfo[] = [];
  for (const run of names) {
    const dir = join(root, run);
    const o = await readOwner(join(dir, "owner.json"));
    if (!o) {
      // A folder without an owner file: its creator died between mkdir and write (or a stray name).
      const st = await stat(dir).catch(() => null);
      if (!st) continue;
      const j = judge(null, st.mtimeMs, now);
      out.push({ run, dir, owner: null, ...j, refs: new Set() });
      continue;
    }
    const text = await readFile(join(dir, "refs"), "utf8").catch(() => "");
    // A torn last line (crash mid-append) is not a hash and is ignored.
    const refs = new Set(text.split("\n").filter((h) => HASH.test(h)));
    out.push({ run, dir, owner: o.owner, ...judge(o.owner, o.mtimeMs, now), refs });
  }
  return out;
}

/**
 * Whether a temp folder (named `<host>_<pid>[_j<job>]_…` by its writer) is still being
 * written. A folder's mtime is no heartbeat (a long step writes deep inside it), so: on this
 * host, alive while its process is; from another host, alive while that host's process holds
 * a fresh lease; a name without an owner (or with no lease) only after the timeout.
 */
export function tempFolderStale(name: string, mtimeMs: number, leases: readonly LeaseInfo[], now: number): Liveness {
  const tag = parseTag(name);
  const timeout = leaseTimeoutMs();
  if (tag && tag.host === thisHost()) {
    return processAlive(tag.pid)
      ? { stale: false, why: `process ${tag.pid} on this host is running` }
      : { stale: true, why: `process ${tag.pid} on this host is gone` };
  }
  if (tag) {
    const live = leases.find((x) => !x.stale && x.owner?.host === tag.host && x.owner.pid === tag.pid);
    if (live) return { stale: false, why: `run ${live.run} on ${tag.host} (pid ${tag.pid}) holds a fresh lease` };
  }
  const age = now - mtimeMs;
  return age > timeout
    ? {
        stale: true,
        why: `${tag ? `host ${tag.host}, pid ${tag.pid}: no live lease` : "no owner in its name"}, ${Math.round(age / 1000)} s old`,
      }
    : { stale: false, why: `${Math.round(age / 1000)} s old, younger than the timeout (${timeout / 1000} s)` };
}
