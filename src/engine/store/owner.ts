/**
 * Who holds a lock, lease or temp folder, and when it is stale — one rule for one host or
 * several hosts sharing the store over NFS/Lustre:
 *
 * - same host (hostname and boot id): stale when its process is gone (`kill(pid, 0)`), or its
 *   heartbeat is older than the timeout (a reused pid, a hung process);
 * - another host: stale only when its heartbeat is older than the timeout. Another host's
 *   pid is never looked up here: the same number names some unrelated local process.
 *
 * The heartbeat is the newest mtime of the owner file and of `beat-<token>` beside it, which
 * the holder rewrites every `heartbeatMs` (its own file only: a holder that was wrongly judged
 * stale can never overwrite its successor's owner file). Its age is taken against the mtime
 * of a file just written to the same store (the file server's clock, content writes), so
 * clock differences between hosts do not matter. Timeout: SOMFLOW_LEASE_TIMEOUT_S seconds
 * (default 300, as a node's NFS attribute cache may hide writes for up to a minute).
 */
import { readFileSync } from "node:fs";
import { readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname, join } from "node:path";

export interface Owner {
  host: string;
  /** Linux boot id: a pid only means something within one boot. */
  boot: string | null;
  pid: number;
  /** $SLURM_JOB_ID of the owning process, if any. */
  job: string | null;
  /** The run this owner works for (null for gc / verify). */
  run: string | null;
  /** Random, so a lock taken over in between is never released by its former holder. */
  token: string;
  since: string;
  /** When the owner file was written; later beats touch `beat-<token>` only. */
  heartbeat_at: string;
}

const DEFAULT_TIMEOUT_S = 300;

export function leaseTimeoutMs(): number {
  const v = Number(process.env.SOMFLOW_LEASE_TIMEOUT_S);
  return (Number.isFinite(v) && v > 0 ? v : DEFAULT_TIMEOUT_S) * 1000;
}

/** A fifth of the timeout, at most 30 s: several beats are missed before anyone judges it stale. */
export const heartbeatMs = () => Math.min(30_000, leaseTimeoutMs() / 5);

/** Hostnames use [A-Za-z0-9.-]; anything else becomes '-', so '_' separates the parts of a tag. */
const safeHost = (h: string) => h.replace(/[^A-Za-z0-9.-]/g, "-");

let bootId: string | null | undefined;
export function thisBoot(): string | null {
  if (bootId === undefined) {
    try {
      bootId = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    } catch {
      bootId = null;
    }
  }
  return bootId;
}

export const thisHost = () => safeHost(hostname());
export const thisJob = () => process.env.SLURM_JOB_ID || null;

export function newOwner(run: string | null): Owner {
  const now = new Date().toISOString();
  return {
    host: thisHost(),
    boot: thisBoot(),
    pid: process.pid,
    job: thisJob(),
    run,
    token: Math.random().toString(36).slice(2, 12),
    since: now,
    heartbeat_at: now,
  };
}

/** `<host>_<pid>[_j<job>]`: names temp folders so any host can tell whose they are. */
export function ownerTag(): string {
  const job = thisJob();
  return `${thisHost()}_${process.pid}${job ? `_j${safeHost(job)}` : ""}`;
}

/** Parses `<host>_<pid>[_j<job>]_<rest>`; older stores named temp folders `<pid>-<rest>` (this host). */
export function parseTag(name: string): { host: string; pid: number; job: string | null } | null {
  const m = /^([A-Za-z0-9.-]+)_(\d+)(?:_j([A-Za-z0-9.-]+))?_[^_]+$/.exec(name);
  if (m) return { host: m[1]!, pid: Number(m[2]), job: m[3] ?? null };
  const legacy = /^(\d+)-/.exec(name);
  return legacy ? { host: thisHost(), pid: Number(legacy[1]), job: null } : null;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** "Now" as the store's file server sees it: the mtime of a file just written there. */
export async function storeNow(dir: string): Promise<number> {
  const probe = join(dir, `.clock-${thisHost()}_${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  try {
    await writeFile(probe, "");
    return (await stat(probe)).mtimeMs;
  } catch {
    return Date.now(); // a read-only store: nobody is writing heartbeats to it either
  } finally {
    await rm(probe, { force: true });
  }
}

export interface Liveness {
  stale: boolean;
  why: string;
}

/** The staleness rule above for an owner (null: unreadable) whose file's mtime is `mtimeMs`. */
export function judge(owner: Pick<Owner, "host" | "boot" | "pid"> | null, mtimeMs: number, now: number): Liveness {
  const age = now - mtimeMs;
  const timeout = leaseTimeoutMs();
  const old = age > timeout;
  const ageText = `heartbeat ${Math.round(age / 1000)} s old (timeout ${timeout / 1000} s)`;
  if (!owner) return { stale: old, why: `owner unreadable, ${ageText}` };
  const sameHost = owner.host === thisHost() && (owner.boot === null || thisBoot() === null || owner.boot === thisBoot());
  if (owner.host === thisHost() && !sameHost) return { stale: true, why: `owner ${owner.host}:${owner.pid} is from an earlier boot` };
  if (sameHost && !processAlive(owner.pid)) return { stale: true, why: `process ${owner.pid} on this host is gone` };
  return { stale: old, why: `${sameHost ? "this host" : `host ${owner.host}`}, pid ${owner.pid}, ${ageText}` };
}

/** The owner file and its latest heartbeat (the newest mtime of it and its `beat-*` files); null when it is gone. */
export async function readOwner(file: string): Promise<{ owner: Owner | null; mtimeMs: number } | null> {
  const st = await stat(file).catch(() => null);
  if (!st) return null;
  let mtimeMs = st.mtimeMs;
  const dir = dirname(file);
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (name.startsWith("beat-")) mtimeMs = Math.max(mtimeMs, (await stat(join(dir, name)).catch(() => null))?.mtimeMs ?? 0);
  }
  try {
    return { owner: JSON.parse(await readFile(file, "utf8")) as Owner, mtimeMs };
  } catch {
    return { owner: null, mtimeMs }; // torn by a crash mid-write
  }
}

/**
 * Keeps the owner files of this process fresh: one timer for every lock and lease held.
 * It never keeps the process alive, and a failed write (ESTALE, EIO on a flaky mount) is
 * retried at the next beat rather than failing the run.
 */
class Heartbeat {
  private readonly files = new Map<string, Owner>();
  private timer: NodeJS.Timeout | null = null;

  add(file: string, owner: Owner): void {
    this.files.set(file, owner);
    if (!this.timer) {
      this.timer = setInterval(() => void this.beat(), heartbeatMs());
      this.timer.unref();
    }
  }

  remove(file: string): void {
    this.files.delete(file);
    if (this.files.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  async beat(): Promise<void> {
    const now = new Date().toISOString();
    await Promise.all(
      [...this.files].map(async ([file, owner]) => {
        const current = await readOwner(file).catch(() => null);
        // Released, or taken over meanwhile (we were judged stale): stop beating it.
        if (!current || (current.owner && current.owner.token !== owner.token)) {
          this.remove(file);
          return;
        }
        // Our own beat file only (a content write: the file server's clock sets its mtime).
        await writeFile(join(dirname(file), `beat-${owner.token}`), now).catch(() => undefined);
      }),
    );
  }
}

export const heartbeat = new Heartbeat();
