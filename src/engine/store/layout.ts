/**
 * Where things live in a store. Everything under one root, default `.somflow/` in the
 * working directory (`--store DIR` or SOMFLOW_STORE). Paths are computed here only.
 */
import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { StoreError } from "../errors.js";

export interface StoreLayout {
  readonly root: string;
  artifact(hash: string): string;
  key(key: string): string;
  index(pipeline: string, step: string): string;
  run(runId: string): string;
  readonly runs: string;
  readonly artifacts: string;
  readonly keys: string;
  readonly tmp: string;
  readonly locks: string;
  /** One folder per running run (leases.ts). */
  readonly leases: string;
}

export function storeRoot(explicit?: string): string {
  return resolve(explicit ?? process.env.SOMFLOW_STORE ?? ".somflow");
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, "_");

export function layout(root: string): StoreLayout {
  return {
    root,
    artifacts: join(root, "artifacts"),
    keys: join(root, "keys"),
    runs: join(root, "runs"),
    tmp: join(root, "tmp"),
    locks: join(root, "locks"),
    leases: join(root, "leases"),
    artifact: (hash) => join(root, "artifacts", hash),
    key: (key) => join(root, "keys", `${key}.json`),
    index: (pipeline, step) => join(root, "index", safe(pipeline), `${safe(step)}.json`),
    run: (runId) => join(root, "runs", `${runId}.json`),
  };
}

/**
 * Creates the store's folders and proves each is writable by writing a probe file (access()
 * says yes to root on a read-only bind mount's folders, and no to nothing else): a missing
 * parent or a read-only place is a clear error before any step runs.
 */
export async function prepareStore(root: string): Promise<StoreLayout> {
  const parent = dirname(root);
  try {
    await stat(parent);
  } catch {
    throw new StoreError(`store ${root}: its parent folder ${parent} does not exist; create it or pass --store DIR`);
  }
  const l = layout(root);
  const probe = `.write-probe-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  for (const d of [root, l.artifacts, l.keys, l.runs, l.tmp, l.locks, l.leases, join(root, "index")]) {
    try {
      await mkdir(d, { recursive: true });
      await writeFile(join(d, probe), "");
      await rm(join(d, probe), { force: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      throw new StoreError(
        `store ${root}: ${d} is not writable (${code}); nothing was run. ` +
          `Make it writable (e.g. chmod -R u+w ${root}, or remount it read-write) or pass --store DIR / set SOMFLOW_STORE`,
      );
    }
  }
  return l;
}
