/**
 * Per-cache-key locks so two `somflow run`s on one store never compute the same step at
 * once: `mkdir` is atomic; the holder's pid is in the folder; a lock whose process is gone
 * (kill -9) is stale and taken over. The waiter then finds the other run's artifact cached.
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import type { StoreLayout } from "./layout.js";

interface Owner {
  pid: number;
  host: string;
  since: string;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export async function isStale(dir: string): Promise<boolean> {
  try {
    const owner = JSON.parse(await readFile(join(dir, "owner.json"), "utf8")) as Owner;
    return owner.host === hostname() && !processAlive(owner.pid);
  } catch {
    return true; // no owner file: the creator died between mkdir and write
  }
}

export async function acquireLock(
  l: StoreLayout,
  key: string,
  onWait: () => void,
  pollMs = 250,
): Promise<() => Promise<void>> {
  const dir = join(l.locks, key);
  let told = false;
  for (;;) {
    try {
      await mkdir(dir);
      const owner: Owner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
      await writeFile(join(dir, "owner.json"), JSON.stringify(owner));
      return () => rm(dir, { recursive: true, force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    // Give a fresh lock time to get its owner file before judging it stale.
    await new Promise((r) => setTimeout(r, pollMs));
    if (await isStale(dir)) {
      await rm(dir, { recursive: true, force: true });
      continue;
    }
    if (!told) {
      onWait();
      told = true;
    }
  }
}
